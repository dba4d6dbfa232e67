-- answers: Which agency-years were revised, when, and what changed (the revision log)?
-- param $year int = NULL: the year the reports cover (NULL: every year)
-- param $agency text = NULL: only agencies whose canonical name contains this text (NULL: all)
-- All revisions (this query is about them); changed_cells is JSON [{table, key, old, new}, …].
SELECT
    l.agency_id,
    l.year,
    f.revision              AS from_revision,
    t.revision              AS to_revision,
    l.changed_at,
    l.summary,
    json_array_length(l.changed_cells) AS cells_changed,
    l.changed_cells,
    t.source_path           AS new_source
FROM revision_log l
LEFT JOIN reports f ON f.report_id = l.from_report
JOIN reports t ON t.report_id = l.to_report
WHERE ($year IS NULL OR l.year = $year)
  AND agency_matches(l.agency_id, NULL, $agency)
ORDER BY l.changed_at DESC, l.agency_id, l.year;
