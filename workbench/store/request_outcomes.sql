-- Fill request_outcomes (schema.sql) for the reports that have no row there yet: the outcome
-- groups of section 三's 总计 column. Every writer runs it before publishing (connect.update_derived);
-- cheap when nothing is new.
INSERT INTO request_outcomes
SELECT
    report_id,
    sum(value) FILTER (WHERE row = 'new_received')                     AS new_received,
    sum(value) FILTER (WHERE row = 'carried_over')                     AS carried_over,
    sum(value) FILTER (WHERE row = 'granted')                          AS granted,
    sum(value) FILTER (WHERE row = 'partially_granted')                AS partially_granted,
    sum(value) FILTER (WHERE row IN ('granted', 'partially_granted'))  AS granted_any,
    sum(value) FILTER (WHERE row LIKE 'denied\_%' ESCAPE '\')          AS denied,
    sum(value) FILTER (WHERE row LIKE 'unable\_%' ESCAPE '\')          AS unable,
    sum(value) FILTER (WHERE row LIKE 'not\_processed\_%' ESCAPE '\')  AS not_processed,
    sum(value) FILTER (WHERE row LIKE 'other\_%' ESCAPE '\')           AS other_handling,
    sum(value) FILTER (WHERE row = 'total_processed')                  AS total_processed,
    sum(value) FILTER (WHERE row = 'carried_forward')                  AS carried_forward
FROM requests
WHERE applicant = 'total'
  AND report_id NOT IN (SELECT report_id FROM request_outcomes)
GROUP BY report_id;
