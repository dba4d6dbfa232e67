-- answers: Which findings go into one year's rectification lists (整改清单), agency by agency: the
--   checks' errors (with severity 'warning' errors and warnings) on the current reports, plus any
--   finding a supervisor confirmed whatever its severity, never one dismissed on review, never
--   the workbench's own reading notes (source 'parse')?
-- param $year int = NULL: the year the reports cover (NULL: no year, nothing)
-- param $agency text = NULL: only agencies whose canonical or printed name contains this text (NULL: all)
-- param $severity text = 'error': 'error' (errors only) or 'warning' (errors and warnings)
-- One row per finding with the report it comes from (file, format, published date, template).
SELECT f.agency_id, f.agency, f.year, f.finding_id, f.finding_key, f.rule, f.severity, f.message,
       f.expected, f.actual, f.cells, f.review, f.review_note, f.reviewer, f.reviewed_at,
       r.report_id, r.source_path, r.source_format, r.published_on, r.template,
       coalesce(o.synthetic, false) AS synthetic
FROM findings_detail f
JOIN reports r ON r.report_id = f.report_id
LEFT JOIN report_origin o ON o.report_id = f.report_id
WHERE f.is_current
  AND f.source = 'check'
  AND f.year = $year
  AND agency_matches(f.agency_id, f.agency, $agency)
  AND f.review IS DISTINCT FROM 'dismissed'
  AND (f.review = 'confirmed'
       OR f.severity = 'error'
       OR ($severity = 'warning' AND f.severity = 'warning'))
ORDER BY f.agency_id, CASE f.severity WHEN 'error' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END, f.rule,
         f.cells, f.finding_id;
