"""What ``workbench narrative`` prints: tag counts, repeated problems, the sections most like
last year's and the closest near-duplicate items, read from the tables
:func:`workbench.narrative.store.refresh` writes."""

from __future__ import annotations

import unicodedata
from typing import Any

import duckdb

from workbench.i18n import t
from workbench.narrative.model import OTHER_AGENCY, SAME_AGENCY
from workbench.narrative.similarity import SimilarityConfig, default_config
from workbench.narrative.store import INPUT_TABLES, RESULT_TABLES, tables

SECTION_NAMES = {"overview": "一", "problems": "五"}
SECTION_ITEMS = {"problems": "问题", "improvements": "改进"}


_REPORTS = """
    SELECT report_id, agency_id, agency, year FROM reports
    WHERE is_current AND ($year IS NULL OR year = $year)
      AND agency_matches(agency_id, agency, $agency)
"""

_TAG_COUNTS = f"""
    WITH picked AS ({_REPORTS})
    SELECT th.tag, th.label,
           count(t.report_id) FILTER (WHERE t.section = 'problems')     AS problems,
           count(t.report_id) FILTER (WHERE t.section = 'improvements') AS improvements
    FROM narrative_themes th
    LEFT JOIN (SELECT t.* FROM narrative_tags t JOIN picked USING (report_id)) t USING (tag)
    GROUP BY th.tag, th.label, th.position
    ORDER BY th.position
"""

_ITEM_COUNTS = f"""
    WITH picked AS ({_REPORTS})
    SELECT count(DISTINCT i.report_id),
           count(*) FILTER (WHERE i.section = 'problems'),
           count(*) FILTER (WHERE i.section = 'improvements')
    FROM narrative_items i JOIN picked USING (report_id)
"""

_REPEATED = f"""
    WITH picked AS ({_REPORTS})
    SELECT p.agency, th.label, rp.year - rp.streak + 1 AS since, rp.year, rp.streak, rp.promised
    FROM repeated_problems rp
    JOIN picked p USING (report_id)
    JOIN narrative_themes th USING (tag)
    -- every year of a streak has a row; without a year asked for, show where each streak stands
    WHERE $year IS NOT NULL OR NOT EXISTS (
        SELECT 1 FROM repeated_problems nxt
        WHERE nxt.agency_id = rp.agency_id AND nxt.tag = rp.tag AND nxt.year = rp.year + 1)
    ORDER BY rp.streak DESC, rp.year DESC, p.agency, th.position
    LIMIT $limit
"""

_SECTIONS = f"""
    WITH picked AS ({_REPORTS})
    SELECT p.agency, p.year, s.section, prev.year AS previous_year, s.score, s.copied
    FROM section_similarity s
    JOIN picked p USING (report_id)
    JOIN reports prev ON prev.report_id = s.previous_report_id
    WHERE s.kind = '{SAME_AGENCY}'
    ORDER BY s.score DESC, p.agency, p.year, s.section
    LIMIT $limit
"""

_NEAR_DUPLICATES = f"""
    WITH picked AS ({_REPORTS})
    SELECT p.agency, p.year, m.section, m.ordinal, other.agency, other.year, m.match_ordinal,
           m.kind, m.score, i.text
    FROM narrative_matches m
    JOIN picked p USING (report_id)
    JOIN reports other ON other.report_id = m.match_report_id
    JOIN narrative_items i
      ON i.report_id = m.report_id AND i.section = m.section AND i.ordinal = m.ordinal
    WHERE m.score >= $threshold
    ORDER BY m.score DESC, p.agency, p.year, m.section, m.ordinal
    LIMIT $limit
"""


def _params(sql: str, **values: Any) -> dict[str, Any]:
    """Only the named parameters the statement uses: DuckDB rejects extra ones."""
    return {k: v for k, v in values.items() if f"${k}" in sql}


def _rows(con: duckdb.DuckDBPyConnection, sql: str, **values: Any) -> list[tuple[Any, ...]]:
    return con.execute(sql, _params(sql, **values)).fetchall()


def _has_results(con: duckdb.DuckDBPyConnection) -> bool:
    return {*INPUT_TABLES, *RESULT_TABLES} <= tables(con)


def narrative_summary(con: duckdb.DuckDBPyConnection, year: int | None = None,
                      agency: str | None = None, limit: int = 10,
                      config: SimilarityConfig | None = None) -> str:
    """Tag counts, the longest repeated problems, the sections most like last year's and the
    closest near-duplicate items, for one year and/or agencies whose name contains ``agency``."""
    if not _has_results(con):
        return t("narrative.summary.none_yet")
    config = config or default_config()
    values = {"year": year, "agency": agency, "limit": limit, "threshold": config.item_match}
    reports, problems, improvements = _rows(con, _ITEM_COUNTS, **values)[0]
    scope = t("narrative.summary.sep").join(filter(None, [
        t("narrative.summary.scope_year", year=year) if year else "",
        t("narrative.summary.scope_agency", agency=agency) if agency else ""]))
    lines = [t("narrative.summary.head", scope=t("narrative.summary.scope", scope=scope) if scope else "",
               reports=reports, problems=problems, improvements=improvements)]
    if not reports:
        return lines[0]
    lines += _tag_lines(_rows(con, _TAG_COUNTS, **values))
    lines += _repeated_lines(_rows(con, _REPEATED, **values))
    lines += _section_lines(_rows(con, _SECTIONS, **values), config)
    lines += _duplicate_lines(_rows(con, _NEAR_DUPLICATES, **values), config)
    return "\n".join(lines)


def _tag_lines(rows: list[tuple[Any, ...]]) -> list[str]:
    lines = ["", t("narrative.summary.themes"),
             f"  {_pad(t('narrative.summary.theme'), 42)}{_left(t('narrative.summary.problems'), 9)}"
             f"{_left(t('narrative.summary.improvements'), 14)}"]
    for tag, label, problems, improvements in rows:
        lines.append(f"  {_pad(f'{label} ({tag})', 42)}{problems:>9}{improvements:>14}")
    return lines


def _repeated_lines(rows: list[tuple[Any, ...]]) -> list[str]:
    lines = ["", t("narrative.summary.repeated")]
    if not rows:
        return [*lines, "  " + t("narrative.summary.nothing")]
    for agency, label, since, year, streak, promised in rows:
        fix = t("narrative.summary.promised") if promised else t("narrative.summary.not_promised")
        lines.append(f"  {_pad(agency, 30)} {_pad(label, 26)} {since}–{year} "
                     + t("narrative.summary.streak", streak=streak, fix=fix))
    return lines


def _section_lines(rows: list[tuple[Any, ...]], config: SimilarityConfig) -> list[str]:
    lines = ["", t("narrative.summary.sections", threshold=f"{config.section_copied:.2f}")]
    if not rows:
        return [*lines, "  " + t("narrative.summary.no_two_years")]
    for agency, year, section, previous_year, score, copied in rows:
        name = SECTION_NAMES.get(section, section)
        flag = "  内容雷同" if copied else ""
        lines.append(f"  {_pad(agency, 30)} {year} 第{name}部分 "
                     + t("narrative.summary.versus", year=previous_year, score=f"{score:.2f}") + flag)
    return lines


def _duplicate_lines(rows: list[tuple[Any, ...]], config: SimilarityConfig) -> list[str]:
    lines = ["", t("narrative.summary.duplicates", threshold=f"{config.item_match:.2f}")]
    if not rows:
        return [*lines, "  " + t("narrative.summary.nothing")]
    for agency, year, section, ordinal, other, other_year, other_ordinal, kind, score, text in rows:
        where = (t("narrative.summary.same_agency") if kind == SAME_AGENCY
                 else t("narrative.summary.other_agency") if kind == OTHER_AGENCY else kind)
        short = text if len(text) <= 40 else text[:40] + "…"
        lines.append(f"  {agency} {year} {SECTION_ITEMS.get(section, section)}{ordinal} ≈ "
                     f"{other} {other_year} #{other_ordinal} ({where}, {score:.2f}): {short}")
    return lines


def _left(text: str, width: int) -> str:
    """Right-aligned by display width (a Chinese character takes two columns)."""
    used = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return " " * max(0, width - used) + text


def _pad(text: str, width: int) -> str:
    """Left-justify counting CJK characters as two columns, as terminals draw them."""
    used = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return text + " " * max(0, width - used)
