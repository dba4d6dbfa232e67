-- answers: How did administrative reviews (行政复议) and lawsuits (行政诉讼) about disclosure end
--   each year (section 四), and how often was the agency corrected?
-- param $year_from int = NULL: first year to include (NULL: no lower bound)
-- param $year_to int = NULL: last year to include (NULL: no upper bound)
-- Current revisions only. corrected_share = corrected / (upheld + corrected + other).
SELECT
    r.year,
    v.proceeding,
    count(DISTINCT r.report_id)                         AS reports,
    sum(v.value) FILTER (WHERE v.result = 'upheld')     AS upheld,
    sum(v.value) FILTER (WHERE v.result = 'corrected')  AS corrected,
    sum(v.value) FILTER (WHERE v.result = 'other')      AS other,
    sum(v.value) FILTER (WHERE v.result = 'pending')    AS pending,
    sum(v.value) FILTER (WHERE v.result = 'total')      AS total,
    round((sum(v.value) FILTER (WHERE v.result = 'corrected'))
          / nullif(sum(v.value) FILTER (WHERE v.result IN ('upheld', 'corrected', 'other')), 0), 3)
                                                        AS corrected_share
FROM review_litigation v
JOIN current_reports r USING (report_id)
WHERE ($year_from IS NULL OR r.year >= $year_from)
  AND ($year_to IS NULL OR r.year <= $year_to)
GROUP BY r.year, v.proceeding
ORDER BY r.year, v.proceeding;
