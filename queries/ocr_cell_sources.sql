-- answers: Which cells of an agency's current reports did the workbench read by OCR (from a scan,
--   a photo, a table published as a picture), on which page and where on it (box as fractions of
--   the page from its top left), how sure the recogniser was, what it read and what the record
--   holds — least certain first, so a supervisor can check the numbers against the page image?
-- param $agency text = NULL: agencies whose canonical or printed name contains this text (NULL: all)
-- param $year int = NULL: only this year (NULL: every year)
-- Current revisions only. value is NULL when the cell is blank or unread (unread = true: the
-- workbench could not read it with certainty); corrected = a supervisor's correction stands
-- (the value is then the corrected one, ocr_text what was read). A report ingested before the
-- store kept cell_sources has no rows until it is read again (workbench ingest --reparse).
WITH picked AS (
    SELECT r.report_id, r.agency_id, r.agency, r.year, r.source_path, r.source_sha256, r.source_format
    FROM current_reports r
    WHERE agency_matches(r.agency_id, r.agency, $agency)
      AND ($year IS NULL OR r.year = $year)
      AND r.report_id IN (SELECT report_id FROM cell_sources)
),
cells AS (  -- the three tables' cells of the picked reports only (millions of cells at scale)
    SELECT report_id, 'active_disclosure' AS table_name, item AS row_key, measure AS column_key, value, unread
    FROM active_disclosure WHERE report_id IN (SELECT report_id FROM picked)
    UNION ALL
    SELECT report_id, 'requests', row, applicant, CAST(value AS DOUBLE), unread
    FROM requests WHERE report_id IN (SELECT report_id FROM picked)
    UNION ALL
    SELECT report_id, 'review_litigation', proceeding, result, CAST(value AS DOUBLE), unread
    FROM review_litigation WHERE report_id IN (SELECT report_id FROM picked)
),
standing AS (  -- the latest correction of each cell, unless it was withdrawn
    SELECT agency_id, year, cell
    FROM corrections
    GROUP BY agency_id, year, cell
    HAVING NOT arg_max(cleared, corrected_at)
)
SELECT p.agency_id, p.agency, p.year,
       concat_ws('.', s.table_name, s.row_key, s.column_key) AS cell,
       s.table_name, s.row_key, s.column_key,
       s.page, s.box_x, s.box_y, s.box_w, s.box_h, s.confidence, s.text AS ocr_text, s.image,
       c.value, coalesce(c.unread, false) AS unread, st.cell IS NOT NULL AS corrected,
       p.report_id, p.source_path, p.source_sha256, p.source_format
FROM cell_sources s
JOIN picked p USING (report_id)
LEFT JOIN cells c USING (report_id, table_name, row_key, column_key)
LEFT JOIN standing st ON st.agency_id = p.agency_id AND st.year = p.year
                     AND st.cell = concat_ws('.', s.table_name, s.row_key, s.column_key)
ORDER BY s.confidence, p.agency_id, p.year DESC, s.page, s.box_y, s.box_x;
