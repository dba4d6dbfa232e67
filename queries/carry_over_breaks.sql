-- answers: Where does an agency's 上年结转 (carried_over, this year) differ from what it said it
--   would carry forward (结转下年度继续办理, carried_forward) in the year before?
-- param $year int = NULL: the later year of the pair (NULL: every year)
-- param $applicant text = 'total': which applicant column to compare (natural_person … total)
-- Current revisions only; pairs where either cell is blank are not listed.
WITH cells AS (
    SELECT r.agency_id, r.year, q.row, q.value
    FROM requests q JOIN current_reports r USING (report_id)
    WHERE q.applicant = $applicant AND q.row IN ('carried_over', 'carried_forward')
)
SELECT
    cur.agency_id,
    cur.year,
    prev.value               AS carried_forward_last_year,
    cur.value                AS carried_over_this_year,
    cur.value - prev.value   AS difference
FROM cells cur
JOIN cells prev
  ON prev.agency_id = cur.agency_id AND prev.year = cur.year - 1 AND prev.row = 'carried_forward'
WHERE cur.row = 'carried_over'
  AND cur.value IS NOT NULL AND prev.value IS NOT NULL
  AND cur.value <> prev.value
  AND ($year IS NULL OR cur.year = $year)
ORDER BY abs(cur.value - prev.value) DESC, cur.agency_id, cur.year;
