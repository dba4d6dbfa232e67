-- answers: What did one agency list as problems and as improvements in section 五, year by
--   year, and which themes were they tagged with (the agency profile's narrative column)?
-- param $agency text = NULL: agencies whose canonical or printed name contains this text (NULL: all)
-- param $year int = NULL: only this year (NULL: every year)
-- Current revisions only. themes is empty when `workbench narrative` has not run.
WITH items AS (
    SELECT r.agency_id, r.agency, r.year, i.report_id, i.section, i.ordinal, i.text
    FROM narrative_items i
    JOIN current_reports r USING (report_id)
    WHERE agency_matches(r.agency_id, r.agency, $agency)
      AND ($year IS NULL OR r.year = $year)
),
themes AS (  -- one join and group, not a lookup per item: 540k items at 100k reports
    SELECT t.report_id, t.section, t.ordinal, string_agg(th.label, '、' ORDER BY th.position) AS themes
    FROM narrative_tags t
    JOIN narrative_themes th USING (tag)
    WHERE t.tag <> 'untagged' AND t.report_id IN (SELECT report_id FROM items)
    GROUP BY t.report_id, t.section, t.ordinal
)
SELECT i.agency_id, i.agency, i.year, i.section, i.ordinal, i.text, coalesce(t.themes, '') AS themes
FROM items i
LEFT JOIN themes t USING (report_id, section, ordinal)
ORDER BY i.agency_id, i.year, i.section DESC, i.ordinal;
