-- answers: For each agency (and year), how were its information requests handled
--   (section 三, 总计 column), and what share was granted in full or in part?
-- param $year int = NULL: the year the reports cover (NULL: every year)
-- param $agency text = NULL: only agencies whose canonical name contains this text (NULL: all)
-- Current revisions only; blank cells count as unknown.
SELECT
    r.agency_id,
    r.year,
    a.level,
    a.kind,
    o.new_received, o.carried_over, o.granted, o.partially_granted, o.denied, o.unable,
    o.not_processed, o.other_handling, o.total_processed, o.carried_forward,
    round(o.granted_any / nullif(o.total_processed, 0), 3) AS granted_share
FROM request_outcomes o
JOIN current_reports r USING (report_id)
LEFT JOIN agencies a USING (agency_id)
WHERE ($year IS NULL OR r.year = $year)
  AND agency_matches(r.agency_id, NULL, $agency)
ORDER BY r.agency_id, r.year;
