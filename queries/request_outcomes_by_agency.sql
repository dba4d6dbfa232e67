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
    sum(q.value) FILTER (WHERE q.row = 'new_received')                     AS new_received,
    sum(q.value) FILTER (WHERE q.row = 'carried_over')                     AS carried_over,
    sum(q.value) FILTER (WHERE q.row = 'granted')                          AS granted,
    sum(q.value) FILTER (WHERE q.row = 'partially_granted')                AS partially_granted,
    sum(q.value) FILTER (WHERE q.row LIKE 'denied\_%' ESCAPE '\')          AS denied,
    sum(q.value) FILTER (WHERE q.row LIKE 'unable\_%' ESCAPE '\')          AS unable,
    sum(q.value) FILTER (WHERE q.row LIKE 'not\_processed\_%' ESCAPE '\')  AS not_processed,
    sum(q.value) FILTER (WHERE q.row LIKE 'other\_%' ESCAPE '\')           AS other_handling,
    sum(q.value) FILTER (WHERE q.row = 'total_processed')                  AS total_processed,
    sum(q.value) FILTER (WHERE q.row = 'carried_forward')                  AS carried_forward,
    round((sum(q.value) FILTER (WHERE q.row IN ('granted', 'partially_granted')))
          / nullif(sum(q.value) FILTER (WHERE q.row = 'total_processed'), 0), 3) AS granted_share
FROM requests q
JOIN current_reports r USING (report_id)
LEFT JOIN agencies a USING (agency_id)
WHERE q.applicant = 'total'
  AND ($year IS NULL OR r.year = $year)
  AND ($agency IS NULL OR r.agency_id LIKE '%' || $agency || '%')
GROUP BY r.agency_id, r.year, a.level, a.kind
ORDER BY r.agency_id, r.year;
