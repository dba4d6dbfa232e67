-- What it answers: how often each theme of section 五 is named, as a problem and as an
-- improvement, and by how many reports — including the items no theme fits (未归类 / untagged).
-- Parameters: $year (INTEGER or NULL = every year), $agency (text contained in the agency's
--   canonical id or printed name, or NULL = every agency). Current revisions only.
-- Needs: `workbench narrative` to have run (tables from workbench/narrative/schema.sql).
WITH picked AS (
    SELECT report_id FROM reports
    WHERE is_current AND ($year IS NULL OR year = $year)
      AND agency_matches(agency_id, agency, $agency)
),
tags AS (SELECT t.* FROM narrative_tags t JOIN picked USING (report_id))
SELECT
    th.tag,
    th.label,
    count(t.report_id) FILTER (WHERE t.section = 'problems')                  AS problem_items,
    count(t.report_id) FILTER (WHERE t.section = 'improvements')              AS improvement_items,
    count(DISTINCT t.report_id) FILTER (WHERE t.section = 'problems')         AS reports_with_problem,
    (SELECT count(*) FROM picked)                                             AS reports
FROM narrative_themes th
LEFT JOIN tags t USING (tag)
GROUP BY th.tag, th.label, th.position
ORDER BY th.position;
