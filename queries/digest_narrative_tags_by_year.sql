-- answers: For the digest's heatmap: per year and theme, how many reports name the theme among
--   the problems of section 五 (存在的主要问题), for the agencies in scope?
-- param $agency text = NULL: only agencies whose canonical or printed name contains this text (NULL: all)
-- param $region text = NULL: only agencies whose region contains this text (NULL: all)
-- Current revisions only; zeros included for every theme in a year with reports.
-- Needs: `workbench narrative` to have run.
WITH picked AS (
    SELECT r.report_id, r.year FROM current_reports r
    LEFT JOIN agencies a USING (agency_id)
    WHERE r.report_id IN (SELECT report_id FROM narrative_items)
      AND agency_matches(r.agency_id, r.agency, $agency)
      AND ($region IS NULL OR contains(coalesce(a.region, ''), $region))
),
years AS (SELECT year, count(*) AS reports FROM picked GROUP BY year)
SELECT y.year, th.tag, th.label, y.reports,
       count(DISTINCT t.report_id) AS reports_problem
FROM years y
CROSS JOIN narrative_themes th
LEFT JOIN (SELECT p.year, t.tag, t.report_id FROM narrative_tags t JOIN picked p USING (report_id)
           WHERE t.section = 'problems') t ON t.year = y.year AND t.tag = th.tag
GROUP BY y.year, y.reports, th.tag, th.label, th.position
ORDER BY y.year, th.position;
