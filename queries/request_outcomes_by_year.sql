-- answers: How were information requests (section 三, 总计 column) handled each year,
--   summed over all agencies: received, granted, denied, unable, not processed, …?
-- param $year_from int = NULL: first year to include (NULL: no lower bound)
-- param $year_to int = NULL: last year to include (NULL: no upper bound)
-- param $agency text = NULL: only agencies whose canonical name contains this text (NULL: all)
-- Current revisions only; blank cells count as unknown (sum ignores them), not as 0.
-- granted_share counts only reports that filled both 予以公开/部分公开 and （七）总计, so a
-- report with a blank outcome block does not drag the share towards 0.
-- The outcome groups are those of the request_outcomes view (schema.sql), summed by year in one
-- pass: going through the per-report view costs ~60 ms more at 100k reports.
WITH totals AS (
    SELECT r.year, r.agency_id, q.row, q.value
    FROM requests q JOIN current_reports r USING (report_id)
    WHERE q.applicant = 'total'
      AND ($year_from IS NULL OR r.year >= $year_from)
      AND ($year_to IS NULL OR r.year <= $year_to)
      AND ($agency IS NULL OR r.agency_id LIKE '%' || $agency || '%')
)
SELECT
    year,
    count(DISTINCT agency_id)                                          AS agencies,
    sum(value) FILTER (WHERE row = 'new_received')                     AS new_received,
    sum(value) FILTER (WHERE row = 'carried_over')                     AS carried_over,
    sum(value) FILTER (WHERE row = 'granted')                          AS granted,
    sum(value) FILTER (WHERE row = 'partially_granted')                AS partially_granted,
    sum(value) FILTER (WHERE row LIKE 'denied\_%' ESCAPE '\')          AS denied,
    sum(value) FILTER (WHERE row LIKE 'unable\_%' ESCAPE '\')          AS unable,
    sum(value) FILTER (WHERE row LIKE 'not\_processed\_%' ESCAPE '\')  AS not_processed,
    sum(value) FILTER (WHERE row LIKE 'other\_%' ESCAPE '\')           AS other_handling,
    sum(value) FILTER (WHERE row = 'total_processed')                  AS total_processed,
    sum(value) FILTER (WHERE row = 'carried_forward')                  AS carried_forward,
    round(any_value(known.granted_known) / nullif(any_value(known.processed_known), 0), 3) AS granted_share
FROM totals
LEFT JOIN (
    SELECT year, sum(granted) AS granted_known, sum(processed) AS processed_known
    FROM (
        SELECT year, agency_id,
               sum(value) FILTER (WHERE row IN ('granted', 'partially_granted')) AS granted,
               sum(value) FILTER (WHERE row = 'total_processed')                  AS processed
        FROM totals GROUP BY year, agency_id
    )
    WHERE granted IS NOT NULL AND processed IS NOT NULL
    GROUP BY year
) AS known USING (year)
GROUP BY year
ORDER BY year;
