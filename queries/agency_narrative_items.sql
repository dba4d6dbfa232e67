-- answers: What did one agency list as problems and as improvements in section 五, year by
--   year, and which themes were they tagged with (the agency profile's narrative column)?
-- param $agency text = NULL: agencies whose canonical or printed name contains this text (NULL: all)
-- param $year int = NULL: only this year (NULL: every year)
-- Current revisions only. themes is empty when `workbench narrative` has not run.
SELECT r.agency_id, r.agency, r.year, i.section, i.ordinal, i.text,
       coalesce((SELECT string_agg(th.label, '、' ORDER BY th.position)
                 FROM narrative_tags t JOIN narrative_themes th USING (tag)
                 WHERE t.report_id = i.report_id AND t.section = i.section
                   AND t.ordinal = i.ordinal AND t.tag <> 'untagged'), '') AS themes
FROM narrative_items i
JOIN current_reports r USING (report_id)
WHERE ($agency IS NULL OR contains(r.agency_id, $agency) OR contains(r.agency, $agency))
  AND ($year IS NULL OR r.year = $year)
ORDER BY r.agency_id, r.year, i.section DESC, i.ordinal;
