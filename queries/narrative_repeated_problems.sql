-- What it answers: which themes an agency reports as a problem again year after year, for how
-- long (streak = consecutive years with the theme among the problems, ending at `year`), whether
-- the year before had promised a fix (an improvement with the same theme), and the problem
-- items of that year with the words that tagged them.
-- Parameters: $year (INTEGER or NULL = every year; with NULL only the last year of each streak
--   is listed), $agency (text contained in the agency id or printed name, or NULL = all).
-- Needs: `workbench narrative` to have run.
WITH picked AS (
    SELECT report_id, agency, year FROM reports
    WHERE is_current AND ($year IS NULL OR year = $year)
      AND agency_matches(agency_id, agency, $agency)
)
SELECT
    rp.agency_id,
    p.agency,
    th.label                        AS theme,
    rp.tag,
    rp.year - rp.streak + 1         AS since,
    rp.year,
    rp.streak,
    rp.promised                     AS fix_promised_year_before,
    string_agg(i.text || ' 〔' || array_to_string(t.trigger_words, '、') || '〕', '；'
               ORDER BY i.ordinal)  AS problems_this_year
FROM repeated_problems rp
JOIN picked p USING (report_id)
JOIN narrative_themes th USING (tag)
JOIN narrative_tags t
  ON t.report_id = rp.report_id AND t.section = 'problems' AND t.tag = rp.tag
JOIN narrative_items i
  ON i.report_id = t.report_id AND i.section = t.section AND i.ordinal = t.ordinal
WHERE $year IS NOT NULL OR NOT EXISTS (
    SELECT 1 FROM repeated_problems nxt
    WHERE nxt.agency_id = rp.agency_id AND nxt.tag = rp.tag AND nxt.year = rp.year + 1
)
GROUP BY ALL
ORDER BY rp.streak DESC, rp.year DESC, rp.agency_id, th.label;
