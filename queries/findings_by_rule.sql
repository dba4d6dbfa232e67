-- answers: Which rules fire most often, at which severity, in how many reports and agencies?
-- param $year int = NULL: the year the reports cover (NULL: every year)
-- param $source text = NULL: 'check' (compliance checks), 'parse' (the parser's notes) or NULL for both
-- Current revisions only.
SELECT
    f.source,
    f.rule,
    f.severity,
    count(*)                       AS findings,
    count(DISTINCT f.report_id)    AS reports,
    count(DISTINCT r.agency_id)    AS agencies,
    any_value(f.message)           AS example
FROM findings f
JOIN current_reports r USING (report_id)
WHERE ($year IS NULL OR r.year = $year)
  AND ($source IS NULL OR f.source = $source)
GROUP BY f.source, f.rule, f.severity
ORDER BY findings DESC, f.rule;
