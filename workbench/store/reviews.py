"""A supervisor's review of findings: confirm or dismiss, with who, when and why.

    review_findings(db, ["3fa2c1d0"], "dismiss", note="机构改革，上年数据口径不同", reviewer="张三")

A finding is named by its ``finding_id`` (8 hex characters, shown by ``workbench check``
and ``workbench review list``; a unique prefix will do). The decision is filed under the
finding's stable key (agency, year, rule, cells; see ``findings_detail`` in schema.sql), not
under a report_id: the same finding of a re-ingested or re-checked report keeps its
review. Every decision is kept (``finding_reviews``); the latest one holds, and ``reopen``
takes a finding back to not reviewed.
"""

from __future__ import annotations

import getpass
import hashlib
import os
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from workbench.store.agencies import canonical_key
from workbench.store.connect import DEFAULT_DB, StoreError, connect, upgrade_if_older, write

DECISIONS = {"confirm": "confirmed", "dismiss": "dismissed", "reopen": "reopened"}
STATES = ("open", "confirmed", "dismissed")
STATE_ZH = {None: "未复核", "confirmed": "已确认", "dismissed": "已排除"}
REVIEWER_ENV = "WORKBENCH_USER"

_COLUMNS = ("finding_id", "finding_key", "agency_id", "year", "rule", "severity", "message", "cells", "source",
            "review", "review_note", "reviewer", "reviewed_at")


def finding_key(agency_id: str, year: int, rule: str, cells: Sequence[str] | str | None,
                section: str | None = None, message: str | None = None) -> str:
    """The key findings_detail gives the same finding (keep the two in step)."""
    subject = ",".join(cells) if isinstance(cells, (list, tuple)) else cells
    if not subject:
        subject = section or hashlib.md5((message or "").encode("utf-8")).hexdigest()
    return "|".join((agency_id, str(year), rule, subject))


def finding_id(key: str) -> str:
    return hashlib.md5(key.encode("utf-8")).hexdigest()[:8]


def default_reviewer() -> str:
    try:
        return os.environ.get(REVIEWER_ENV) or getpass.getuser()
    except (KeyError, OSError):  # no login name (a container without /etc/passwd entry)
        return "unknown"


def list_findings(db: str | Path = DEFAULT_DB, year: int | None = None, agency: str | None = None,
                  state: str | None = None, source: str | None = "check",
                  id_prefix: str | None = None) -> list[dict[str, Any]]:
    """The current reports' findings with their review (``state``: open | confirmed | dismissed;
    ``id_prefix``: only those whose finding_id starts with it)."""
    if state is not None and state not in STATES:
        raise StoreError(f"未知的复核状态 {state!r}，可选：{'、'.join(STATES)}")
    upgrade_if_older(db)
    with connect(db) as con:
        rows = con.execute(
            f"SELECT {', '.join(_COLUMNS)} FROM findings_detail WHERE is_current"
            " AND ($year IS NULL OR year = $year)"
            " AND agency_matches(agency_id, agency, $agency)"
            " AND ($source IS NULL OR source = $source)"
            " AND ($state IS NULL OR coalesce(review, 'open') = $state)"
            " AND ($prefix IS NULL OR starts_with(finding_id, $prefix))"
            " ORDER BY agency_id, year, rule, finding_id",
            {"year": year, "agency": canonical_key(agency) if agency else None, "source": source,
             "state": state, "prefix": id_prefix}).fetchall()
    return [dict(zip(_COLUMNS, row, strict=True)) for row in rows]


def review_findings(db: str | Path, ids: Sequence[str], decision: str, note: str | None = None,
                    reviewer: str | None = None, wait: float = 0.0) -> list[dict[str, Any]]:
    """File ``decision`` (confirm | dismiss | reopen) for each finding named; returns them.

    Dismissing needs a note (why a finding that the checks raised is not a problem). Every id
    must name exactly one current finding, or nothing is written.
    """
    if decision not in DECISIONS:
        raise StoreError(f"未知的复核决定 {decision!r}，可选：{'、'.join(DECISIONS)}")
    if decision == "dismiss" and not (note or "").strip():
        raise StoreError("排除一条发现时须写明理由（--note）")
    if not ids:
        raise StoreError("请给出要复核的发现编号（workbench review list 列出编号）")
    found = _resolve(db, ids)
    now = datetime.now()  # to the microsecond: a reopen right after a dismiss must come later
    who = reviewer or default_reviewer()
    rows = [(f["finding_key"], f["agency_id"], f["year"], f["rule"], f["cells"], DECISIONS[decision],
             (note or "").strip() or None, who, now, f["message"]) for f in found]
    with write(db, wait) as con:
        con.executemany("INSERT INTO finding_reviews VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    for finding in found:
        finding.update(review=None if decision == "reopen" else DECISIONS[decision], review_note=note,
                       reviewer=who, reviewed_at=now)
    return found


def _resolve(db: str | Path, ids: Sequence[str]) -> list[dict[str, Any]]:
    chosen: dict[str, dict[str, Any]] = {}
    for given in ids:
        text = given.strip().lstrip("#").lower()
        matches = list_findings(db, source=None, id_prefix=text) if text else []
        if not matches:
            raise StoreError(f"没有编号为 {given} 的发现（当前版本报告中；workbench review list 列出编号）")
        if len({f["finding_key"] for f in matches}) > 1:
            shown = "、".join(f"{f['finding_id']}（{f['agency_id']} {f['year']} {f['rule']}）" for f in matches[:5])
            raise StoreError(f"编号 {given} 对应多条发现：{shown}；请写出更长的编号")
        chosen[matches[0]["finding_key"]] = matches[0]
    return list(chosen.values())


def review_states(con: Any) -> dict[str, dict[str, Any]]:
    """finding_key → the latest decision (for findings computed outside the store, e.g. a re-check)."""
    rows = con.execute("SELECT finding_key, review, review_note, reviewer, reviewed_at FROM finding_review_state"
                       " WHERE review <> 'reopened'").fetchall()
    return {key: {"review": review, "review_note": note, "reviewer": who, "reviewed_at": at}
            for key, review, note, who, at in rows}

