-- answers: Who asked for information each year: new requests (本年新收) by applicant type,
--   summed over the agencies in scope?
-- param $agency text = NULL: only agencies whose canonical or printed name contains this text (NULL: all)
-- param $region text = NULL: only agencies whose region contains this text (NULL: all)
-- Current revisions only; the 总计 column is left out (it is the sum of the others).
-- reports: how many reports filled the cell (blank cells are not counted, and not 0).
SELECT r.year, q.applicant, ref.label AS applicant_name, sum(q.value) AS count,
       count(q.value) AS reports
FROM requests q
JOIN current_reports r USING (report_id)
LEFT JOIN agencies a ON a.agency_id = r.agency_id
LEFT JOIN ref_applicants ref ON ref.applicant = q.applicant
WHERE q.row = 'new_received' AND q.applicant <> 'total'
  AND agency_matches(r.agency_id, r.agency, $agency)
  AND ($region IS NULL OR contains(coalesce(a.region, ''), $region))
GROUP BY r.year, q.applicant, ref.label, ref.ordinal
ORDER BY r.year, ref.ordinal;
