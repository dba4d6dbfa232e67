-- answers: How many administrative penalty (行政处罚) and enforcement (行政强制) decisions
--   did agencies report each year (section 二, measure `decisions`)?
-- param $year_from int = NULL: first year to include (NULL: no lower bound)
-- param $year_to int = NULL: last year to include (NULL: no upper bound)
-- param $level text = NULL: only agencies of this level (province, city, county, township; NULL: all)
-- Current revisions only. `reporting` counts reports with the cell filled (blank ≠ 0).
SELECT
    r.year,
    count(DISTINCT r.report_id)                                                   AS reports,
    count(d.value) FILTER (WHERE d.item = 'penalties')                            AS penalties_reporting,
    sum(d.value) FILTER (WHERE d.item = 'penalties')                              AS penalties,
    median(d.value) FILTER (WHERE d.item = 'penalties')                           AS penalties_median,
    count(d.value) FILTER (WHERE d.item = 'enforcement')                          AS enforcement_reporting,
    sum(d.value) FILTER (WHERE d.item = 'enforcement')                            AS enforcement,
    median(d.value) FILTER (WHERE d.item = 'enforcement')                         AS enforcement_median
FROM current_reports r
LEFT JOIN active_disclosure d
       ON d.report_id = r.report_id AND d.measure = 'decisions' AND d.item IN ('penalties', 'enforcement')
LEFT JOIN agencies a ON a.agency_id = r.agency_id
WHERE ($year_from IS NULL OR r.year >= $year_from)
  AND ($year_to IS NULL OR r.year <= $year_to)
  AND ($level IS NULL OR a.level = $level)
GROUP BY r.year
ORDER BY r.year;
