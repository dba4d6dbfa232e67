-- answers: How many reports does the store hold for each year, from how many agencies,
--   in which template and file format, how completely filled, and how many were revised?
-- param $year_from int = NULL: first year to include (NULL: no lower bound)
-- param $year_to int = NULL: last year to include (NULL: no upper bound)
-- Current revisions only.
SELECT
    year,
    count(*)                                              AS reports,
    count(DISTINCT agency_id)                             AS agencies,
    count(*) FILTER (WHERE template = '2019')             AS template_2019,
    count(*) FILTER (WHERE template = '2021')             AS template_2021,
    count(*) FILTER (WHERE source_format = 'pdf')         AS pdf,
    count(*) FILTER (WHERE source_format = 'html')        AS html,
    count(*) FILTER (WHERE source_format = 'docx')        AS docx,
    count(*) FILTER (WHERE source_format = 'txt')         AS txt,
    round(sum(filled_cells) / nullif(sum(cells), 0), 3)   AS filled_share,
    count(*) FILTER (WHERE revision > 1)                  AS revised
FROM current_reports
WHERE ($year_from IS NULL OR year >= $year_from)
  AND ($year_to IS NULL OR year <= $year_to)
GROUP BY year
ORDER BY year;
