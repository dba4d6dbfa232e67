-- answers: What do the picked reports say in section 三 (依申请公开), row by row with the
--   seven applicant columns side by side — the table under explore.ipynb's charts?
-- param $agencies text = NULL: canonical agency names separated by | (NULL: every agency)
-- param $year_from int = NULL: first year to include (NULL: no lower bound)
-- param $year_to int = NULL: last year to include (NULL: no upper bound)
-- Current revisions only; one row per report × table row, newest year first.
SELECT year, agency_id, row, row_label, natural_person, commercial, research, social_welfare,
       legal_services, other_org, total
FROM current_requests_wide
WHERE ($agencies IS NULL OR list_contains(string_split($agencies, '|'), agency_id))
  AND ($year_from IS NULL OR year >= $year_from)
  AND ($year_to IS NULL OR year <= $year_to)
ORDER BY year DESC, agency_id, row_ordinal;
