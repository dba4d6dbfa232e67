-- answers: Which findings of the compliance checks does each report of one year have (the
--   digest's action lists: broken 勾稽 identities, blank tables, late reports, broken chains)?
-- param $year int = NULL: the year the reports cover (NULL: every year)
-- param $agency text = NULL: only agencies whose canonical or printed name contains this text (NULL: all)
-- param $region text = NULL: only agencies whose region contains this text (NULL: all)
-- param $source text = 'check': 'check' (compliance checks), 'parse' (the parser's notes) or NULL for both
-- Current revisions only; one row per finding, most severe first, with its id and the
-- supervisor's review (review: confirmed | dismissed | NULL = not reviewed; workbench review).
SELECT f.agency_id, f.agency, f.year, f.source, f.rule, f.severity, f.message, f.expected, f.actual,
       f.section, f.cells, f.finding_id, f.review, f.review_note, f.reviewer
FROM findings_detail f
LEFT JOIN agencies a ON a.agency_id = f.agency_id
WHERE f.is_current
  AND ($year IS NULL OR f.year = $year)
  AND ($source IS NULL OR f.source = $source)
  AND agency_matches(f.agency_id, f.agency, $agency)
  AND ($region IS NULL OR contains(coalesce(a.region, ''), $region))
ORDER BY CASE f.severity WHEN 'error' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END, f.rule, f.agency_id;
