"""Findings for ``workbench check``: as stored by the last ingest, or checked again now.

Both return rows (dicts with agency, year, rule, severity, message, expected,
actual, source, finding_id and the supervisor's review) for
``workbench.checks.format_findings_table``, current revisions only. ``recheck_findings`` runs ``check_report`` over the current reports on a
read-only connection (each with its agency's current report for the year before)
and does not write: the next ingest stores checks again for what it loads.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from workbench.i18n import t
from workbench.store.agencies import AgencyInfo, canonical_key, checks_kind
from workbench.store.connect import DEFAULT_DB, StoreError, connect
from workbench.store.records import load_record_dicts, record_from_dict
from workbench.store.reviews import finding_id, finding_key, review_states

# contains(), not LIKE: the user's text is literal (``--agency %`` matches no agency, not every one).
_FILTER = ("($year IS NULL OR r.year = $year)"
           " AND agency_matches(r.agency_id, r.agency, $agency)")


def _params(year: int | None, agency: str | None) -> dict[str, Any]:
    return {"year": year, "agency": canonical_key(agency) if agency else None}


def stored_findings(db: str | Path = DEFAULT_DB, year: int | None = None, agency: str | None = None,
                    source: str | None = None) -> list[dict[str, Any]]:
    """Findings stored for the current reports (``source``: parse | check | None for both)."""
    with connect(db) as con:
        rows = con.execute(
            "SELECT r.agency_id, r.year, r.rule, r.severity, r.message, r.expected, r.actual, r.source,"
            " r.finding_id, r.review, r.review_note FROM findings_detail r"
            f" WHERE r.is_current AND {_FILTER} AND ($source IS NULL OR r.source = $source)"
            " ORDER BY r.agency_id, r.year, r.source DESC, r.rule",
            {**_params(year, agency), "source": source}).fetchall()
    keys = ("agency", "year", "rule", "severity", "message", "expected", "actual", "source", "finding_id",
            "review", "review_note")
    return [dict(zip(keys, row, strict=True)) for row in rows]


def recheck_findings(db: str | Path = DEFAULT_DB, year: int | None = None, agency: str | None = None,
                     chunk: int = 500) -> list[dict[str, Any]]:
    """Run the checks again on the current reports; the parser's stored findings are included."""
    try:
        from workbench.checks import check_report
    except ImportError:
        raise StoreError(t("error.no_checks")) from None
    rows = stored_findings(db, year, agency, source="parse")
    with connect(db) as con:
        states = review_states(con)
        kinds = {a: (kind, level) for a, kind, level in con.execute(
            "SELECT agency_id, kind, level FROM agencies").fetchall()}
        pairs = con.execute(
            "SELECT r.report_id, r.agency_id, r.year, p.report_id FROM current_reports r"
            " LEFT JOIN current_reports p ON p.agency_id = r.agency_id AND p.year = r.year - 1"
            f" WHERE {_FILTER} ORDER BY r.agency_id, r.year", _params(year, agency)).fetchall()
        for start in range(0, len(pairs), chunk):
            part = pairs[start:start + chunk]
            records = load_record_dicts(con, [p[0] for p in part] + [p[3] for p in part if p[3] is not None])
            for report_id, agency_id, report_year, previous_id in part:
                previous = records.get(previous_id)
                found = check_report(record_from_dict(records[report_id]),
                                     record_from_dict(previous) if previous else None,
                                     agency_kind=_kind(agency_id, kinds))
                for f in found:
                    key = finding_key(agency_id, report_year, f.rule, f.cells, None, f.message)
                    state = states.get(key, {})
                    rows.append({"agency": agency_id, "year": report_year, "rule": f.rule, "severity": f.severity,
                                 "message": f.message, "expected": f.expected, "actual": f.actual,
                                 "source": "check", "finding_id": finding_id(key), "review": state.get("review"),
                                 "review_note": state.get("review_note")})
    rows.sort(key=lambda r: (r["agency"], r["year"], r["source"] != "parse", r["rule"]))
    return rows


def _kind(agency_id: str, kinds: dict[str, tuple[str | None, str | None]]) -> str | None:
    kind, level = kinds.get(agency_id, (None, None))
    if kind is None:
        return None
    return checks_kind(AgencyInfo(agency_id, level, kind, None, None, "store"))


def scope_notes(db: str | Path = DEFAULT_DB, year: int | None = None, agency: str | None = None) -> list[str]:
    """What a --year / --agency filter selects, in words, when it is not simply some reports:
    a year with no reports (and the years there are), an agency text that matches nothing
    or several agencies (named, so a supervisor sees which one a finding is about)."""
    notes: list[str] = []
    with connect(db) as con:
        years = [y for (y,) in con.execute(
            "SELECT DISTINCT year FROM current_reports WHERE year IS NOT NULL ORDER BY year").fetchall()]
        if year is not None and year not in years:
            notes.append(f"数据库中没有{year}年度的报告（已有年度：{'、'.join(map(str, years)) or '无'}）")
        if agency:
            names = [n for (n,) in con.execute(
                "SELECT DISTINCT r.agency_id FROM current_reports r WHERE " + _FILTER + " ORDER BY 1",
                _params(year, agency)).fetchall()]
            if not names:
                notes.append(f"没有名称包含“{agency}”的机关" + (f"的{year}年度报告" if year else "的报告"))
            elif len(names) > 1:
                shown = "、".join(names[:10]) + (f" 等{len(names)}个" if len(names) > 10 else "")
                notes.append(f"“{agency}”匹配{len(names)}个机关：{shown}")
    return notes
