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
from pathlib import Path
from typing import Any

import duckdb

from workbench.store.agencies import Registry, canonical_key
from workbench.store.connect import NARRATIVE_STALE, StoreError, connect, upgrade_if_older, write
from workbench.store.records import (
    TABLE_KEYS,
    content_hash,
    count_value,
    load_record_dicts,
    table_cells,
)
from workbench.store.records import number as _number

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


def record_cell(record: dict[str, Any], cell: str) -> dict[str, Any] | None:
    """The record's cell dict for "requests.granted.total" (None when the record lacks it)."""
    table, first, second = split_cell(cell)
    names = TABLE_KEYS[table]
    return next((c for c in record.get(table) or [] if c[names[0]] == first and c[names[1]] == second), None)


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
        value = count_value(correction.value) if table in COUNT_TABLES else correction.value
        cell = record_cell(record, correction.cell)
        if cell is None:
            names = TABLE_KEYS[table]
            cell = {names[0]: first, names[1]: second, "value": None}
            record.setdefault(table, []).append(cell)
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


# --- filing a correction (workbench correct) -------------------------------------------------


@dataclass(frozen=True)
class Filed:
    """A correction as filed: the agency-year, the cell, the value read and the value kept."""

    agency_id: str
    year: int
    cell: str
    label: str
    read: Any
    value: Any
    cleared: bool
    revision: int  # the revision it made current


def correct_cell(db: str | Path, agency: str, year: int, cell: str, value: float | None, *,
                 note: str | None = None, by: str | None = None, clear: bool = False,
                 registry: str | Path | None = None, wait: float = 0.0) -> Filed:
    """Record a corrected value (None: the cell is blank in the report) for one cell of an
    agency-year, or with ``clear`` withdraw the standing correction, and make the corrected
    record the current revision (checked again; the revision log shows read and corrected
    values). Nothing is written unless the agency, year and cell name exactly one cell."""
    from workbench.checks.grid import cell_label
    from workbench.store.loader import IngestResult, Loader, checker
    from workbench.store.reviews import default_reviewer

    table, _, _ = _valid_cell(cell)
    if value is not None and table in COUNT_TABLES and (value < 0 or not float(value).is_integer()):
        raise StoreError(f"{cell_label(cell)} 是件数，更正值应为非负整数，不是 {value:g}")
    upgrade_if_older(db)
    with write(db, wait) as con:
        report_id, agency_id = _one_report(con, agency, year)
        record = load_record_dicts(con, [report_id])[report_id]
        found = record_cell(record, cell)
        if found is None:
            raise StoreError(f"{agency_id} {year}年度报告的表格中没有 {cell}（{cell_label(cell)}）；"
                             "workbench correct --show 列出可更正的格")
        standing = {c.cell: c for c in latest_corrections(con).get((agency_id, year), [])}
        if clear and cell not in standing:
            raise StoreError(f"{agency_id} {year}年度 {cell_label(cell)} 没有可撤销的更正")
        original = con.execute(  # what the parser read before any correction of this cell
            "SELECT arg_min(read_value, corrected_at), arg_min(read_unread, corrected_at) FROM corrections"
            " WHERE agency_id = ? AND year = ? AND cell = ?", [agency_id, year, cell]).fetchone()
        # Without a standing correction the record holds what was read; with one, the correction's.
        read, read_unread = ((found["value"], bool(found.get("unread"))) if cell not in standing
                             else (original[0], bool(original[1])))
        con.execute("INSERT INTO corrections (agency_id, year, cell, value, read_value, read_unread, cleared, note,"
                    " corrected_by, corrected_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [agency_id, year, cell, None if clear else value, read, read_unread, clear,
                     (note or "").strip() or None, by or default_reviewer(), datetime.now()])
        # The notes of earlier corrections go; the loader notes every correction still standing.
        record["findings"] = [f for f in record["findings"] if f["rule"] != "read.corrected"]
        if clear:  # back to what was read
            found["value"] = _number(read)
            if read_unread:
                found["unread"] = True
        outcome = {"path": record["source"]["path"], "sha256": record["source"]["sha256"],
                   "format": record["source"]["format"], "size": None, "record": record,
                   "hash": content_hash(record), "correction": f"{cell}：{'撤销更正' if clear else _show(value)}"}
        result = IngestResult(db=Path(db))
        loader = Loader(con, Registry.load(Path(registry) if registry else None), checker(), result)
        loader.apply([outcome])
        loader.recheck()
        # A new report_id: the section 五 tables are behind it until a narrative refresh.
        con.execute("DELETE FROM meta WHERE key = ?", [NARRATIVE_STALE])
        con.execute("INSERT INTO meta VALUES (?, ?)", [NARRATIVE_STALE, datetime.now().isoformat(sep=" ")])
        revision = con.execute("SELECT revision FROM reports WHERE agency_id = ? AND year = ? AND is_current",
                               [agency_id, year]).fetchone()[0]
    return Filed(agency_id, year, cell, cell_label(cell), _number(read), None if clear else value, clear, revision)


def list_corrections(db: str | Path, agency: str | None = None, year: int | None = None) -> list[dict[str, Any]]:
    """Every correction decision, newest first."""
    upgrade_if_older(db)
    with connect(db) as con:
        rows = con.execute(
            "SELECT agency_id, year, cell, value, read_value, cleared, note, corrected_by, corrected_at"
            " FROM corrections WHERE ($year IS NULL OR year = $year)"
            " AND agency_matches(agency_id, NULL, $agency) ORDER BY corrected_at DESC",
            {"year": year, "agency": canonical_key(agency) if agency else None}).fetchall()
    keys = ("agency_id", "year", "cell", "value", "read_value", "cleared", "note", "corrected_by", "corrected_at")
    return [dict(zip(keys, row, strict=True)) for row in rows]


def report_cells(db: str | Path, agency: str, year: int, prefix: str = "") -> list[tuple[str, str, Any, bool]]:
    """(cell id, label, value, unread) of the current report's table cells, to find the id to correct."""
    from workbench.checks.grid import cell_label

    with connect(db) as con:
        report_id, _ = _one_report(con, agency, year)
        record = load_record_dicts(con, [report_id])[report_id]
    return [(cell_id, cell_label(cell_id), cell["value"], bool(cell.get("unread")))
            for cell_id, cell in table_cells(record) if cell_id.startswith(prefix)]


def _valid_cell(cell: str) -> tuple[str, str, str]:
    try:
        return split_cell(cell.strip())
    except ValueError:
        raise StoreError(f"无法识别的单元格 {cell!r}：应写作 表.行.列，如 requests.granted.total、"
                         "active_disclosure.normative_documents.in_force（workbench correct --show 列出）") from None


def _one_report(con: duckdb.DuckDBPyConnection, agency: str, year: int) -> tuple[int, str]:
    text = canonical_key(agency)
    rows = con.execute("SELECT report_id, agency_id FROM current_reports WHERE year = ?"
                       " AND agency_matches(agency_id, agency, ?) ORDER BY agency_id", [year, text]).fetchall()
    if not rows:
        raise StoreError(f"没有名称包含“{agency}”的机关的{year}年度报告")
    if len({a for _, a in rows}) > 1:
        raise StoreError(f"“{agency}”匹配多个机关：{'、'.join(sorted({a for _, a in rows}))}；请写出完整名称")
    return rows[0]
