-- answers: How many licensing (行政许可) and other administrative service (其他对外管理服务事项)
--   decisions did agencies report each year (section 二, measure `decisions`)?
-- param $year_from int = NULL: first year to include (NULL: no lower bound)
-- param $year_to int = NULL: last year to include (NULL: no upper bound)
-- param $level text = NULL: only agencies of this level (province, city, county, township; NULL: all)
-- Current revisions only. other_services exists only in the 2019 template (2019–2020 reports).
SELECT
    r.year,
    count(DISTINCT r.report_id)                                 AS reports,
    count(d.value) FILTER (WHERE d.item = 'licensing')          AS licensing_reporting,
    sum(d.value) FILTER (WHERE d.item = 'licensing')            AS licensing_decisions,
    median(d.value) FILTER (WHERE d.item = 'licensing')         AS licensing_median,
    count(d.value) FILTER (WHERE d.item = 'other_services')     AS other_services_reporting,
    sum(d.value) FILTER (WHERE d.item = 'other_services')       AS other_services_decisions
FROM current_reports r
LEFT JOIN active_disclosure d
       ON d.report_id = r.report_id AND d.measure = 'decisions' AND d.item IN ('licensing', 'other_services')
LEFT JOIN agencies a ON a.agency_id = r.agency_id
WHERE ($year_from IS NULL OR r.year >= $year_from)
  AND ($year_to IS NULL OR r.year <= $year_to)
  AND ($level IS NULL OR a.level = $level)
GROUP BY r.year
ORDER BY r.year;
