-- answers: How much of each current report of one year could the workbench read? Cells it
--   could not read are unread (never blank, never judged); the digest counts reports fully
--   read, partly read and with no table read, and lists the reports with unread cells.
-- param $year int = NULL: the year the reports cover (NULL: every year)
-- param $agency text = NULL: only agencies whose canonical or printed name contains this text (NULL: all)
-- param $region text = NULL: only agencies whose region contains this text (NULL: all)
WITH cells AS (
    SELECT report_id, unread FROM active_disclosure
    UNION ALL SELECT report_id, unread FROM requests
    UNION ALL SELECT report_id, unread FROM review_litigation
), per_report AS (
    SELECT report_id, count(*) AS cells, count(*) FILTER (WHERE unread) AS unread_cells
    FROM cells GROUP BY report_id
)
SELECT r.agency_id, r.agency, r.year, r.source_path, r.source_format,
       coalesce(p.cells, 0) AS cells, coalesce(p.unread_cells, 0) AS unread_cells,
       CASE WHEN coalesce(p.cells, 0) = 0 OR p.unread_cells = p.cells THEN 'not_read'
            WHEN p.unread_cells > 0 THEN 'partly_read' ELSE 'fully_read' END AS coverage
FROM current_reports r
LEFT JOIN per_report p USING (report_id)
LEFT JOIN agencies a ON a.agency_id = r.agency_id
WHERE ($year IS NULL OR r.year = $year)
  AND agency_matches(r.agency_id, r.agency, $agency)
  AND ($region IS NULL OR contains(coalesce(a.region, ''), $region))
ORDER BY unread_cells DESC, r.agency_id;
