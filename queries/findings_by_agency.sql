-- answers: Which agencies have the most findings (errors, warnings, notes) in their reports?
-- param $year int = NULL: the year the reports cover (NULL: every year)
-- param $source text = NULL: 'check' (compliance checks), 'parse' (the parser's notes) or NULL for both
-- Current revisions only; agencies without findings are listed with zeros.
SELECT
    r.agency_id,
    a.level,
    a.kind,
    count(DISTINCT r.report_id)                                AS reports,
    count(f.rule) FILTER (WHERE f.severity = 'error')          AS errors,
    count(f.rule) FILTER (WHERE f.severity = 'warning')        AS warnings,
    count(f.rule) FILTER (WHERE f.severity = 'info')           AS infos,
    count(DISTINCT f.rule)                                     AS rules
FROM current_reports r
LEFT JOIN findings f ON f.report_id = r.report_id AND ($source IS NULL OR f.source = $source)
LEFT JOIN agencies a ON a.agency_id = r.agency_id
WHERE ($year IS NULL OR r.year = $year)
GROUP BY r.agency_id, a.level, a.kind
ORDER BY errors DESC, warnings DESC, r.agency_id;
