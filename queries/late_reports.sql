-- answers: Which reports were published after the 条例's deadline, and how late?
--   Governments at county level and above: 31 March of the next year; departments,
--   township governments and 街道办事处: 31 January (the same choice as the checks).
-- param $year int = NULL: the year the reports cover (NULL: every year)
-- Current revisions only. Reports without a date are not listed (see findings rule timeliness.no_date).
WITH due AS (
    SELECT r.agency_id, r.agency, r.year, a.level, a.kind, r.published_on,
           CASE WHEN a.kind = 'government' AND coalesce(a.level, '') <> 'township'
                THEN make_date(r.year + 1, 3, 31)
                ELSE make_date(r.year + 1, 1, 31) END AS deadline
    FROM current_reports r
    LEFT JOIN agencies a USING (agency_id)
    WHERE r.published_on IS NOT NULL
      AND ($year IS NULL OR r.year = $year)
)
SELECT agency_id, agency, year, level, kind, published_on, deadline,
       date_diff('day', deadline, published_on) AS days_late
FROM due
WHERE published_on > deadline
ORDER BY days_late DESC, agency_id;
