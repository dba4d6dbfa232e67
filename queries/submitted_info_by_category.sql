-- answers: What did agencies say they published or submitted in section 一 (报送信息, 政策解读,
--   新闻发布会 …), by normalised category and unit, per year?
-- param $year int = NULL: the year the reports cover (NULL: every year)
-- param $category text = NULL: only this category (NULL: all)
-- Current revisions only.
SELECT
    r.year,
    s.category,
    s.unit,
    count(DISTINCT r.report_id)  AS reports,
    count(*)                     AS statements,
    sum(s.count)                 AS total,
    median(s.count)              AS median
FROM submitted_info s
JOIN current_reports r USING (report_id)
WHERE ($year IS NULL OR r.year = $year)
  AND ($category IS NULL OR s.category = $category)
GROUP BY r.year, s.category, s.unit
ORDER BY r.year, total DESC;
