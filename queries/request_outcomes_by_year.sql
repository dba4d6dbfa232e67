-- answers: How were information requests (section 三, 总计 column) handled each year,
--   summed over all agencies: received, granted, denied, unable, not processed, …?
-- param $year_from int = NULL: first year to include (NULL: no lower bound)
-- param $year_to int = NULL: last year to include (NULL: no upper bound)
-- param $agency text = NULL: only agencies whose canonical name contains this text (NULL: all)
-- Current revisions only; blank cells count as unknown (sum ignores them), not as 0.
-- granted_share counts only reports that filled both 予以公开/部分公开 and （七）总计, so a
-- report with a blank outcome block does not drag the share towards 0.
-- The outcome groups come from the request_outcomes table (one row per report, kept by the
-- writers), so this reads 90k rows at 100k reports instead of 2.4M cells.
SELECT
    r.year,
    count(DISTINCT r.agency_id)   AS agencies,
    sum(o.new_received)           AS new_received,
    sum(o.carried_over)           AS carried_over,
    sum(o.granted)                AS granted,
    sum(o.partially_granted)      AS partially_granted,
    sum(o.denied)                 AS denied,
    sum(o.unable)                 AS unable,
    sum(o.not_processed)          AS not_processed,
    sum(o.other_handling)         AS other_handling,
    sum(o.total_processed)        AS total_processed,
    sum(o.carried_forward)        AS carried_forward,
    round(sum(o.granted_any) FILTER (WHERE o.granted_any IS NOT NULL AND o.total_processed IS NOT NULL)
          / nullif(sum(o.total_processed) FILTER (WHERE o.granted_any IS NOT NULL AND o.total_processed IS NOT NULL), 0),
          3) AS granted_share
FROM request_outcomes o
JOIN current_reports r USING (report_id)
WHERE ($year_from IS NULL OR r.year >= $year_from)
  AND ($year_to IS NULL OR r.year <= $year_to)
  AND agency_matches(r.agency_id, NULL, $agency)
GROUP BY r.year
ORDER BY r.year;
