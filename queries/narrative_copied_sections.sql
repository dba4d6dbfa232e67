-- What it answers: how similar each report's section 一 (overview) and section 五 (problems) is
-- to the same section of the agency's previous report, and to the closest other agency's report
-- of the same year; copied = 内容雷同 (score >= section_copied in similarity.yaml, 0.9).
-- Parameters: $year (INTEGER or NULL = every year), $agency (text contained in the agency id
--   or printed name, or NULL = all). Sorted most similar first.
-- Needs: `workbench narrative` to have run.
WITH picked AS (
    SELECT report_id, agency_id, agency, year FROM reports
    WHERE is_current AND ($year IS NULL OR year = $year)
      AND agency_matches(agency_id, agency, $agency)
)
SELECT
    p.agency_id,
    p.agency,
    p.year,
    CASE s.section WHEN 'overview' THEN '一' WHEN 'problems' THEN '五' ELSE s.section END AS part,
    s.section,
    s.kind,
    other.agency                      AS compared_agency,
    other.year                        AS compared_year,
    s.score,
    s.copied                          AS 内容雷同
FROM section_similarity s
JOIN picked p USING (report_id)
JOIN reports other ON other.report_id = s.previous_report_id
ORDER BY s.score DESC, p.agency_id, p.year, s.section, s.kind;
