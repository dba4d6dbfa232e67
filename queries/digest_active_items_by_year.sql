-- answers: How many decisions did agencies report each year for 行政许可, 其他对外管理服务事项,
--   行政处罚 and 行政强制 (section 二, measure `decisions`), and in how many reports was the cell filled?
-- param $agency text = NULL: only agencies whose canonical or printed name contains this text (NULL: all)
-- param $region text = NULL: only agencies whose region contains this text (NULL: all)
-- Current revisions only; one row per year × item; blank cells are not counted as 0.
SELECT r.year, d.item, sum(d.value) AS decisions, count(d.value) AS reporting
FROM active_disclosure d
JOIN current_reports r USING (report_id)
LEFT JOIN agencies a ON a.agency_id = r.agency_id
WHERE d.measure = 'decisions'
  AND d.item IN ('licensing', 'other_services', 'penalties', 'enforcement')
  AND agency_matches(r.agency_id, r.agency, $agency)
  AND ($region IS NULL OR contains(coalesce(a.region, ''), $region))
GROUP BY r.year, d.item
ORDER BY r.year, d.item;
