-- answers: How did reviews (行政复议) and lawsuits (行政诉讼) end each year, per proceeding and
--   result (section 四), summed over the agencies in scope?
-- param $agency text = NULL: only agencies whose canonical or printed name contains this text (NULL: all)
-- param $region text = NULL: only agencies whose region contains this text (NULL: all)
-- Current revisions only; one row per year × proceeding × result (result 'total' included);
--   reports: how many reports filled the cell.
SELECT r.year, v.proceeding, v.result, sum(v.value) AS count, count(v.value) AS reports
FROM review_litigation v
JOIN current_reports r USING (report_id)
LEFT JOIN agencies a ON a.agency_id = r.agency_id
WHERE agency_matches(r.agency_id, r.agency, $agency)
  AND ($region IS NULL OR contains(coalesce(a.region, ''), $region))
GROUP BY r.year, v.proceeding, v.result
ORDER BY r.year, v.proceeding, v.result;
