-- answers: What did agencies say in section 一 they published or submitted, per year and
--   normalised category (counts in 条 only, so that categories add up)?
-- param $agency text = NULL: only agencies whose canonical or printed name contains this text (NULL: all)
-- param $region text = NULL: only agencies whose region contains this text (NULL: all)
-- Current revisions only; statements without a category are left out.
SELECT r.year, s.category, mode(s.label) AS label, count(DISTINCT r.report_id) AS reports,
       sum(s.count) AS count
FROM submitted_info s
JOIN current_reports r USING (report_id)
LEFT JOIN agencies a ON a.agency_id = r.agency_id
WHERE s.category IS NOT NULL AND s.unit = '条'
  AND agency_matches(r.agency_id, r.agency, $agency)
  AND ($region IS NULL OR contains(coalesce(a.region, ''), $region))
GROUP BY r.year, s.category
ORDER BY r.year, count DESC;
