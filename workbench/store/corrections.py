"""A supervisor's corrections of misread cells, applied to every reading of an agency-year.

The current record is the parsed record plus the corrections filed for its agency-year
(``corrections`` table, the latest decision per cell). The ingest applies them to every
record it loads, before comparing it with the current revision and before the checks, so
a correction survives re-ingesting the file and the checks judge the corrected figures.
Each corrected cell gets the workbench's note ``read.corrected``, saying what was read and
whether the new reading now agrees with the correction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import duckdb

from workbench.store.records import TABLE_KEYS, count_value

COUNT_TABLES = ("requests", "review_litigation")  # cells that hold counts (whole numbers)


@dataclass(frozen=True)
class Correction:
    cell: str  # "requests.granted.total"
    value: float | None
    note: str | None
    corrected_by: str | None
    corrected_at: datetime


@dataclass(frozen=True)
class Applied:
    """What applying a correction to a fresh reading found."""

    agency_id: str
    year: int
    cell: str
    read: Any  # the value the parser read this time (None: blank or not read)
    value: Any  # the corrected value kept

    @property
    def agrees(self) -> bool:
        return self.read == self.value


def split_cell(cell: str) -> tuple[str, str, str]:
    """"requests.granted.total" → ("requests", "granted", "total"); ValueError if not a table cell."""
    parts = cell.split(".")
    if len(parts) != 3 or parts[0] not in TABLE_KEYS:
        raise ValueError(cell)
    return parts[0], parts[1], parts[2]


def latest_corrections(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, int], list[Correction]]:
    """(agency_id, year) → its standing corrections (a cleared one no longer stands)."""
    rows = con.execute(
        "SELECT agency_id, year, cell, arg_max(value, corrected_at), arg_max(cleared, corrected_at),"
        " arg_max(note, corrected_at), arg_max(corrected_by, corrected_at), max(corrected_at)"
        " FROM corrections GROUP BY agency_id, year, cell ORDER BY agency_id, year, cell").fetchall()
    found: dict[tuple[str, int], list[Correction]] = {}
    for agency_id, year, cell, value, cleared, note, by, at in rows:
        if not cleared:
            found.setdefault((agency_id, year), []).append(Correction(cell, value, note, by, at))
    return found


def apply_corrections(record: dict[str, Any], corrections: list[Correction], key: tuple[str, int]
                      ) -> list[Applied]:
    """Set each corrected cell of ``record`` (in place), note it, and say what had been read."""
    record["findings"] = [f for f in record.get("findings") or [] if f.get("rule") != "read.corrected"]
    applied = []
    for correction in corrections:
        table, first, second = split_cell(correction.cell)
        names = TABLE_KEYS[table]
        value = count_value(correction.value) if table in COUNT_TABLES else correction.value
        cells = record.setdefault(table, [])
        cell = next((c for c in cells if c[names[0]] == first and c[names[1]] == second), None)
        if cell is None:
            cell = {names[0]: first, names[1]: second, "value": None}
            cells.append(cell)
        read = None if cell.get("unread") else cell.get("value")
        cell["value"] = value
        cell.pop("unread", None)
        done = Applied(key[0], key[1], correction.cell, read, value)
        applied.append(done)
        record["findings"].append({"rule": "read.corrected", "severity": "info", "section": None,
                                   "message": correction_note(correction, done)})
    return applied


def correction_note(correction: Correction, applied: Applied) -> str:
    from workbench.checks.grid import cell_label

    who = "、".join(x for x in (correction.corrected_by, f"{correction.corrected_at:%Y-%m-%d}") if x)
    why = f"：{correction.note}" if correction.note else ""
    now = ("本次读取与更正一致" if applied.agrees else
           f"本次读取为{_show(applied.read)}，与更正不一致，仍采用更正值" if applied.read is not None else
           "本次未能读出该格，采用更正值")
    return f"{cell_label(correction.cell)} 已按人工更正记为{_show(applied.value)}（{who}{why}）；{now}"


def _show(value: Any) -> str:
    if value is None:
        return "空白"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
