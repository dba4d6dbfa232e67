"""When the report was published, against the 条例's deadline for whoever issued it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from functools import cache

from workbench.checks.registry import CheckFinding, Context, agency_kind_patterns, check
from workbench.textnorm import compact

AGENCY_KINDS = ("government", "department")
_KIND_NAMES = {"government": "县级以上地方人民政府", "department": "部门"}


@cache
def _kind_patterns() -> list[tuple[str, re.Pattern[str]]]:
    patterns = agency_kind_patterns()
    # Departments first: …人民政府办公厅 ends a department's name although 人民政府 precedes it.
    return [(kind, re.compile(p)) for kind in ("department", "government") for p in patterns.get(kind, [])]


def infer_agency_kind(agency: str | None) -> str:
    """government | department, from the agency's name (rules in rules.yaml); unknown → department."""
    name = compact(agency or "")
    for kind, pattern in _kind_patterns():
        if pattern.search(name):
            return kind
    return "department"


def deadline(year: int, kind: str, deadlines: dict) -> date:
    day = deadlines[kind]
    return date(year + 1, day["month"], day["day"])


def _published(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


@check("timeliness.no_date")
def no_date(ctx: Context) -> Iterator[CheckFinding]:
    published = ctx.record.published_on
    if _published(published) is None:
        shown = f"（记录中的日期“{published}”无法识别）" if published else ""
        yield ctx.finding(f"未找到落款日期或页面发布日期，无法判断是否按时公开{shown}",
                          expected="YYYY-MM-DD", actual=published, cells=("report.published_on",))


@check("timeliness.late")
def late(ctx: Context) -> Iterator[CheckFinding]:
    record = ctx.record
    published = _published(record.published_on)
    if published is None or record.year is None:
        return
    due = deadline(record.year, ctx.agency_kind, ctx.rule.params["deadlines"])
    if published > due:
        days = (published - due).days
        yield ctx.finding(
            f"发布日期{published.isoformat()}晚于法定期限{due.isoformat()}"
            f"（{_KIND_NAMES[ctx.agency_kind]}：次年{due.month}月{due.day}日前），逾期{days}天",
            expected=f"≤ {due.isoformat()}", actual=published.isoformat(), cells=("report.published_on",))


@check("timeliness.year_vs_date")
def year_vs_date(ctx: Context) -> Iterator[CheckFinding]:
    """One finding at most: the date contradicts the year, or else the year is in the future."""
    record = ctx.record
    if record.year is None:
        return
    published = _published(record.published_on)
    if published is not None and published <= date(record.year, 12, 31):
        yield ctx.finding(
            f"报告年度{record.year}年与发布日期{published.isoformat()}不符：年度报告应在次年发布"
            "（年度或日期可能识别有误，请核对原文）",
            expected=f"> {record.year}-12-31", actual=published.isoformat(),
            cells=("report.year", "report.published_on"))
        return
    latest = today().year + int(ctx.rule.params.get("years_ahead", 1))
    if record.year > latest:
        yield ctx.finding(
            f"报告年度{record.year}年晚于当前年份{today().year}年，该年度的报告尚不可能发布"
            "（年度可能识别有误，请核对原文）",
            expected=f"≤ {latest}", actual=record.year, cells=("report.year",))


def today() -> date:
    """The current date (a function, so tests can pin it)."""
    return date.today()
