-- answers: For the digest's headline figures: per year, how many reports (and how many from
--   synthetic files), requests received and processed by outcome group, and reviews and
--   lawsuits with their results — summed over the agencies in scope?
-- param $agency text = NULL: only agencies whose canonical or printed name contains this text (NULL: all)
-- param $region text = NULL: only agencies whose region contains this text, e.g. 淮安市 (NULL: all)
-- Current revisions only; blank cells are unknown (sum ignores them), not 0. A report is
--   synthetic when a file it was read from is named synthetic_* (documents.path).
--   outcome_reports / received_reports: reports whose 总计 / 本年新收 cell holds a number.
WITH picked AS (
    SELECT r.report_id, r.agency_id, r.year, o.synthetic
    FROM current_reports r
    JOIN report_origin o USING (report_id)
    LEFT JOIN agencies a USING (agency_id)
    WHERE agency_matches(r.agency_id, r.agency, $agency)
      AND ($region IS NULL OR contains(coalesce(a.region, ''), $region))
),
req AS (
    -- request_outcomes is a table (one row per report, kept by the writers): 90k rows at 100k
    -- reports instead of 2.4M cells of section 三's 总计 column.
    SELECT p.year,
           count(o.total_processed) AS outcome_reports,  -- reports behind the outcome figures
           count(o.new_received)    AS received_reports,
           sum(o.new_received)      AS new_received,
           sum(o.carried_over)      AS carried_over,
           sum(o.granted)           AS granted,
           sum(o.partially_granted) AS partially_granted,
           sum(o.denied)            AS denied,
           sum(o.unable)            AS unable,
           sum(o.not_processed)     AS not_processed,
           sum(o.other_handling)    AS other_handling,
           sum(o.total_processed)   AS total_processed,
           sum(o.carried_forward)   AS carried_forward
    FROM request_outcomes o JOIN picked p USING (report_id)
    GROUP BY p.year
),
rev AS (
    SELECT p.year,
           sum(v.value) FILTER (WHERE v.proceeding = 'review' AND v.result = 'total')      AS review_total,
           sum(v.value) FILTER (WHERE v.proceeding = 'review' AND v.result = 'corrected')  AS review_corrected,
           sum(v.value) FILTER (WHERE v.proceeding = 'review'
                                  AND v.result IN ('upheld', 'corrected', 'other'))        AS review_concluded,
           sum(v.value) FILTER (WHERE v.proceeding <> 'review' AND v.result = 'total')     AS litigation_total,
           sum(v.value) FILTER (WHERE v.proceeding <> 'review' AND v.result = 'corrected') AS litigation_corrected,
           sum(v.value) FILTER (WHERE v.proceeding <> 'review'
                                  AND v.result IN ('upheld', 'corrected', 'other'))        AS litigation_concluded
    FROM review_litigation v JOIN picked p USING (report_id)
    GROUP BY p.year
),
counts AS (
    SELECT year, count(*) AS reports, count(DISTINCT agency_id) AS agencies,
           count(*) FILTER (WHERE synthetic) AS synthetic_reports
    FROM picked GROUP BY year
)
SELECT c.*, req.* EXCLUDE (year), rev.* EXCLUDE (year)
FROM counts c
LEFT JOIN req USING (year)
LEFT JOIN rev USING (year)
ORDER BY c.year;
