"""Follow-through: does a theme an agency promised to fix come back as a problem next year?

For each agency, year N+1's problems are linked to year N's problems and improvements by
theme. A theme among the problems of two consecutive years is a *repeated problem*; its
streak is the number of consecutive years (ending at N+1) it has been a problem, and
``promised`` says whether year N's improvements named the same theme. A missing year (no
report, or a report without section 五 items) ends a streak: nothing can be said across it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from workbench.narrative.model import UNTAGGED, Item, RepeatedProblem, Tag


def repeated_problems(items: Sequence[Item], tags: Iterable[Tag]) -> list[RepeatedProblem]:
    themes = _themes_by_report(tags)
    reports = _reports_by_agency(items)
    out: list[RepeatedProblem] = []
    for agency_id, by_year in reports.items():
        streaks: dict[str, int] = {}
        previous: tuple[int, int] | None = None  # (year, report_id)
        for year in sorted(by_year):
            report_id = by_year[year]
            problems = themes[(report_id, "problems")]
            consecutive = previous is not None and previous[0] == year - 1
            streaks = {t: (streaks.get(t, 0) + 1 if consecutive else 1) for t in problems}
            if consecutive and previous is not None:
                promised = themes[(previous[1], "improvements")]
                out += [
                    RepeatedProblem(agency_id, t, year, n, report_id, previous[1], t in promised)
                    for t, n in sorted(streaks.items()) if n >= 2
                ]
            previous = (year, report_id)
    return sorted(out, key=lambda r: (r.agency_id, r.year, r.tag))


def _themes_by_report(tags: Iterable[Tag]) -> dict[tuple[int, str], set[str]]:
    themes: dict[tuple[int, str], set[str]] = defaultdict(set)
    for tag in tags:
        if tag.tag != UNTAGGED:
            themes[(tag.report_id, tag.section)].add(tag.tag)
    return themes


def _reports_by_agency(items: Iterable[Item]) -> dict[str, dict[int, int]]:
    """agency_id → year → report_id. Two reports of one agency-year: the later id wins (the
    store passes current revisions only, so this only happens with hand-made input)."""
    reports: dict[str, dict[int, int]] = defaultdict(dict)
    for item in items:
        known = reports[item.agency_id].get(item.year)
        if known is None or item.report_id > known:
            reports[item.agency_id][item.year] = item.report_id
    return reports
