-- What it answers: for each year and theme, how many reports name the theme among their
-- problems and among their improvements, and the share of that year's reports naming it as a
-- problem — the trend a chart of section 五 themes draws.
-- Parameters: $year (INTEGER or NULL = every year), $agency (text contained in the agency id
--   or printed name, or NULL = all). One row per year × theme (zeros included).
-- Needs: `workbench narrative` to have run.
WITH picked AS (
    SELECT report_id, year FROM reports
    WHERE is_current AND ($year IS NULL OR year = $year)
      AND agency_matches(agency_id, agency, $agency)
      AND report_id IN (SELECT report_id FROM narrative_items)
),
years AS (SELECT year, count(*) AS reports FROM picked GROUP BY year),
tagged AS (
    SELECT p.year, t.tag, t.section, t.report_id
    FROM narrative_tags t JOIN picked p USING (report_id)
)
SELECT
    y.year,
    th.tag,
    th.label,
    count(DISTINCT t.report_id) FILTER (WHERE t.section = 'problems')     AS reports_problem,
    count(DISTINCT t.report_id) FILTER (WHERE t.section = 'improvements') AS reports_improvement,
    y.reports,
    round(count(DISTINCT t.report_id) FILTER (WHERE t.section = 'problems') / y.reports, 3)
                                                                          AS share_problem
FROM years y
CROSS JOIN narrative_themes th
LEFT JOIN tagged t ON t.year = y.year AND t.tag = th.tag
GROUP BY y.year, y.reports, th.tag, th.label, th.position
ORDER BY y.year, th.position;
