-- answers: For one year, each agency's requests (received, processed, share granted in full or
--   in part), its reviews and lawsuits (concluded, corrected, correction rate), how completely
--   its tables are filled, and whether its report comes from a synthetic file — the digest's
--   top-N lists and bands.
-- param $year int = NULL: the year the reports cover (NULL: every year)
-- param $agency text = NULL: only agencies whose canonical or printed name contains this text (NULL: all)
-- param $region text = NULL: only agencies whose region contains this text (NULL: all)
-- Current revisions only. Shares are NULL where the denominator is blank or 0.
WITH picked AS (
    SELECT r.report_id, r.agency_id, r.agency, r.year, r.filled_cells, r.cells, a.level, a.kind, a.region,
           o.synthetic
    FROM current_reports r
    JOIN report_origin o USING (report_id)
    LEFT JOIN agencies a USING (agency_id)
    WHERE ($year IS NULL OR r.year = $year)
      AND agency_matches(r.agency_id, r.agency, $agency)
      AND ($region IS NULL OR contains(coalesce(a.region, ''), $region))
),
req AS (
    SELECT report_id, new_received, total_processed, granted_any, denied
    FROM request_outcomes WHERE report_id IN (SELECT report_id FROM picked)
),
items AS (
    -- section 二 decisions per report, for the digest's "one report makes most of a year" notes
    SELECT report_id,
           sum(value) FILTER (WHERE item IN ('licensing', 'other_services')) AS service_decisions,
           sum(value) FILTER (WHERE item IN ('penalties', 'enforcement'))    AS penalty_decisions
    FROM active_disclosure
    WHERE measure = 'decisions' AND report_id IN (SELECT report_id FROM picked)
    GROUP BY report_id
),
rev AS (
    SELECT report_id,
           sum(value) FILTER (WHERE result IN ('upheld', 'corrected', 'other')) AS concluded,
           sum(value) FILTER (WHERE result = 'corrected')                       AS corrected
    FROM review_litigation WHERE report_id IN (SELECT report_id FROM picked)
    GROUP BY report_id
)
SELECT
    p.agency_id, p.agency, p.year, p.level, p.kind, p.region, p.synthetic,
    req.new_received, req.total_processed, req.granted_any, req.denied,
    round(req.granted_any / nullif(req.total_processed, 0), 3)  AS granted_share,
    rev.concluded, rev.corrected,
    round(rev.corrected / nullif(rev.concluded, 0), 3)          AS correction_rate,
    round(p.filled_cells / nullif(p.cells, 0), 3)               AS filled_share,
    items.service_decisions, items.penalty_decisions
FROM picked p
LEFT JOIN req USING (report_id)
LEFT JOIN rev USING (report_id)
LEFT JOIN items USING (report_id)
ORDER BY p.year, p.agency_id;
