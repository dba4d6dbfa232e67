-- answers: Who was expected to report for a year: published (已发布), late (逾期发布), not published by the deadline (未发布（已过期限）) or not yet due (尚未到期)?
-- param $year int = NULL: the year the reports cover (NULL: the latest year with a report)
-- param $as_of date = NULL: the date to judge at, YYYY-MM-DD (NULL: today)
-- param $government_month int = 3: month of the next year by which governments publish (rules.yaml)
-- param $government_day int = 31: day of that month
-- param $department_month int = 1: month of the next year by which departments publish (rules.yaml)
-- param $department_day int = 31: day of that month
--
-- One row per body the roster expects for $year (table roster: data/agencies.csv rows with
-- expected_from, and lists imported with `workbench roster --import`), then the bodies with a
-- report for $year published by $as_of that are not on the roster (on_roster = false).
-- Deadlines: rules.yaml timeliness.late (workbench.store.roster passes its params), for
-- deadline_kind as checks_kind gives it (government = 县级以上地方人民政府, 31 March of the
-- next year; department = departments, 乡镇 and 街道, 31 January). A report dated after
-- $as_of was not yet published at $as_of; a report without a date counts as published (see
-- findings rule timeliness.no_date). days_late: 逾期发布 → days after the deadline it was
-- published; 未发布（已过期限） → days overdue at $as_of. Current revisions only.
WITH params AS (
    SELECT coalesce(CAST($year AS INTEGER), (SELECT max(year) FROM current_reports)) AS year,
           coalesce(CAST($as_of AS DATE), current_date) AS as_of
),
expected AS (
    -- The list's own spelling before the registry's; a body on several lists is one row.
    SELECT agency_id,
           arg_min(name, (source = 'registry', imported_at)) AS name,
           arg_min(level, (source = 'registry', imported_at)) AS level,
           arg_min(kind, (source = 'registry', imported_at)) AS kind,
           arg_min(deadline_kind, (source = 'registry', imported_at)) AS deadline_kind,
           string_agg(DISTINCT source, '; ' ORDER BY source) AS sources
    FROM roster, params p
    WHERE coalesce(expected_from, p.year) <= p.year AND p.year <= coalesce(expected_to, p.year)
    GROUP BY agency_id
),
reported AS (
    SELECT r.agency_id, r.agency, r.report_id, r.published_on, a.level, a.kind,
           -- Stores written before agencies.deadline_kind: the same choice as checks_kind.
           coalesce(a.deadline_kind,
                    CASE WHEN a.kind = 'government' AND coalesce(a.level, '') <> 'township'
                         THEN 'government' ELSE 'department' END) AS deadline_kind
    FROM current_reports r
    JOIN params p ON r.year = p.year
    LEFT JOIN agencies a USING (agency_id)
),
bodies AS (
    SELECT coalesce(e.agency_id, r.agency_id) AS agency_id,
           coalesce(e.name, r.agency) AS name,
           coalesce(e.level, r.level) AS level,
           coalesce(e.kind, r.kind) AS kind,
           e.agency_id IS NOT NULL AS on_roster,
           e.sources,
           coalesce(e.deadline_kind, r.deadline_kind) AS deadline_kind,
           r.report_id,
           r.published_on,
           r.report_id IS NOT NULL AND (r.published_on IS NULL OR r.published_on <= p.as_of) AS published,
           p.year, p.as_of
    FROM expected e
    FULL OUTER JOIN reported r USING (agency_id)
    CROSS JOIN params p
),
dated AS (
    SELECT *,
           CASE WHEN deadline_kind = 'government' THEN make_date(year + 1, $government_month, $government_day)
                ELSE make_date(year + 1, $department_month, $department_day) END AS deadline
    FROM bodies
    WHERE on_roster OR published
),
judged AS (
    SELECT *,
           CASE WHEN published AND published_on > deadline THEN '逾期发布'
                WHEN published THEN '已发布'
                WHEN as_of > deadline THEN '未发布（已过期限）'
                ELSE '尚未到期' END AS status
    FROM dated
)
SELECT agency_id, name, level, kind, on_roster, sources, year, deadline_kind, deadline,
       CASE WHEN published THEN report_id END AS report_id,
       CASE WHEN published THEN published_on END AS published_on,
       status,
       CASE status WHEN '逾期发布' THEN date_diff('day', deadline, published_on)
                   WHEN '未发布（已过期限）' THEN date_diff('day', deadline, as_of) END AS days_late,
       as_of
FROM judged
ORDER BY NOT on_roster,
         CASE status WHEN '未发布（已过期限）' THEN 0 WHEN '逾期发布' THEN 1 WHEN '尚未到期' THEN 2 ELSE 3 END,
         days_late DESC NULLS LAST, agency_id;
