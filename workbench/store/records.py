"""Report record ↔ store rows: flatten a record into table rows, and rebuild it from them.

The record travels from the parse workers as ``ReportRecord.to_dict()`` (plain,
picklable). ``content_cells`` is the record's content as a flat map of
``(table, key) → value`` (metadata, the three tables, submitted_info, problems and
improvements; not the raw section text, which differs between formats of one report); ``content_hash`` hashes exactly that map, so two files that
say the same thing (the HTML and TXT twin of one report) have the same hash, and the
revision log lists exactly the cells that made two hashes differ.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections import defaultdict
from collections.abc import Iterator
from datetime import date
from typing import Any

import duckdb

from workbench.parse.record import (
    SECTION_KEYS,
    ActiveCell,
    Finding,
    ReportRecord,
    RequestCell,
    ReviewCell,
    Source,
    SubmittedInfo,
)
from workbench.sources.document import CellSource

META_FIELDS = ("agency", "template", "published_on", "fees_collected_yuan")
TABLE_KEYS = {
    "active_disclosure": ("item", "measure"),
    "requests": ("row", "applicant"),
    "review_litigation": ("proceeding", "result"),
}


def table_cells(record: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every cell of tables 二, 三 and 四 with its id, "requests.granted.total" (the id findings,
    corrections and twin comparisons name cells by)."""
    for table, (first, second) in TABLE_KEYS.items():
        for cell in record.get(table) or []:
            yield f"{table}.{cell[first]}.{cell[second]}", cell


def content_cells(record: dict[str, Any]) -> dict[tuple[str, str], Any]:
    """Everything the report says, keyed for comparison (not its file, not the parser's notes)."""
    cells: dict[tuple[str, str], Any] = {("report", f): record.get(f) for f in META_FIELDS}
    for table, (first, second) in TABLE_KEYS.items():
        for cell in record.get(table) or []:
            cells[(table, f"{cell[first]}.{cell[second]}")] = cell["value"]
    seen: dict[str, int] = defaultdict(int)
    for info in record.get("submitted_info") or []:
        seen[info["label"]] += 1
        suffix = f"#{seen[info['label']]}" if seen[info["label"]] > 1 else ""
        cells[("submitted_info", info["label"] + suffix)] = f"{info['count']}{info['unit']} [{info['category']}]"
    for section in ("problems", "improvements"):
        for ordinal, text in enumerate(record.get(section) or [], start=1):
            cells[(section, str(ordinal))] = text
    # The raw section text is not content: it differs between the PDF, HTML and TXT of one
    # report (table text, page furniture); what it says is in the cells above.
    return cells


def content_hash(record: dict[str, Any]) -> str:
    items = sorted((f"{t}\x1f{k}", v) for (t, k), v in content_cells(record).items())
    return hashlib.sha256(json.dumps(items, ensure_ascii=False, default=str).encode("utf-8")).hexdigest()


def valid_date(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def count_value(value: Any) -> int | None:
    """Section 三/四 cells are counts; a non-integral value (a parser slip) is stored as blank."""
    if value is None:
        return None
    return int(value) if float(value).is_integer() else None


def detail_rows(report_id: int, record: dict[str, Any]) -> dict[str, list[tuple]]:
    """The rows this record adds to each detail table (findings are added by the ingest)."""
    return {
        "active_disclosure": [(report_id, c["item"], c["measure"], None if c["value"] is None else float(c["value"]),
                               c.get("unread", False)) for c in record["active_disclosure"]],
        "requests": [(report_id, c["row"], c["applicant"], count_value(c["value"]), c.get("unread", False))
                     for c in record["requests"]],
        "review_litigation": [(report_id, c["proceeding"], c["result"], count_value(c["value"]),
                               c.get("unread", False)) for c in record["review_litigation"]],
        "submitted_info": [(report_id, i, s["label"], s["category"], s["count"], s["unit"])
                           for i, s in enumerate(record["submitted_info"], start=1)],
        "narrative_items": [(report_id, section, i, text) for section in ("problems", "improvements")
                            for i, text in enumerate(record[section], start=1)],
        "report_sections": [(report_id, key, text) for key, text in (record.get("sections") or {}).items()],
        "cell_sources": cell_source_rows(report_id, record),
    }


CELL_SOURCE_COLUMNS = ("table_name", "row_key", "column_key", "page", "box_x", "box_y", "box_w", "box_h",
                       "confidence", "text", "image")


def cell_source(row: tuple) -> dict[str, Any]:
    """One OCR'd cell's provenance in the record dict, from its row (CELL_SOURCE_COLUMNS)."""
    table, row_key, column_key, page, x, y, w, h, confidence, text, *image = row  # no image: an older mirror
    return {"table_name": table, "row_key": row_key, "column_key": column_key, "page": page,
            "box": (x, y, w, h), "confidence": confidence, "text": text, "image": (image or [""])[0] or ""}


def cell_source_rows(report_id: int, record: dict[str, Any]) -> list[tuple]:
    return [(report_id, s["table_name"], s["row_key"], s["column_key"], s["page"], *s["box"], s["confidence"],
             s["text"], s.get("image") or "") for s in record.get("cell_sources") or []]


def record_from_dict(data: dict[str, Any]) -> ReportRecord:
    """Rebuild the dataclasses from ``to_dict()`` output."""
    source = data.get("source") or {}
    record = ReportRecord(
        agency=data.get("agency"), year=data.get("year"), template=data.get("template"),
        published_on=data.get("published_on"),
        source=Source(source.get("path", ""), source.get("sha256", ""), source.get("format", "")),
        active_disclosure=[ActiveCell(**c) for c in data.get("active_disclosure") or []],
        requests=[RequestCell(**c) for c in data.get("requests") or []],
        review_litigation=[ReviewCell(**c) for c in data.get("review_litigation") or []],
        submitted_info=[SubmittedInfo(**s) for s in data.get("submitted_info") or []],
        problems=list(data.get("problems") or []), improvements=list(data.get("improvements") or []),
        fees_collected_yuan=data.get("fees_collected_yuan"),
        sections={**dict.fromkeys(SECTION_KEYS, ""), **(data.get("sections") or {})},
        findings=[Finding(**f) for f in data.get("findings") or []],
    )
    record.cell_sources = {(s["table_name"], s["row_key"], s["column_key"]): CellSource(
        s["page"], tuple(s["box"]), s["confidence"], s["text"], s.get("image") or "")
        for s in data.get("cell_sources") or []}
    return record


def number(value: float | int | None) -> int | float | None:
    """A whole float as an int (DuckDB's DOUBLE cells read back as they were written)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def load_record_dicts(con: duckdb.DuckDBPyConnection, report_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Rebuild ``to_dict()``-shaped records for many reports with one query per table."""
    if not report_ids:
        return {}
    ids = sorted(set(report_ids))
    records: dict[int, dict[str, Any]] = {}
    where = "WHERE report_id IN (SELECT unnest($ids))"
    for rid, agency, year, template, published, fees, path, sha, fmt in con.execute(
        "SELECT report_id, agency, year, template, strftime(published_on, '%Y-%m-%d'), fees_collected_yuan,"
        f" source_path, source_sha256, source_format FROM reports {where}", {"ids": ids}).fetchall():
        records[rid] = {
            "agency": agency, "year": year, "template": template, "published_on": published,
            "source": {"path": path, "sha256": sha, "format": fmt},
            "active_disclosure": [], "requests": [], "review_litigation": [], "submitted_info": [],
            "problems": [], "improvements": [], "fees_collected_yuan": number(fees),
            "sections": dict.fromkeys(SECTION_KEYS, ""), "findings": [], "cell_sources": [],
        }
    for table, (first, second) in TABLE_KEYS.items():
        rows = con.execute(f"SELECT report_id, {first}, {second}, value, unread FROM {table} {where} ORDER BY rowid",
                           {"ids": ids}).fetchall()
        for rid, a, b, value, unread in rows:
            cell = {first: a, second: b, "value": number(value)}
            if unread:
                cell["unread"] = True
            records[rid][table].append(cell)
    for rid, label, category, count, unit in con.execute(
            f"SELECT report_id, label, category, count, unit FROM submitted_info {where} ORDER BY report_id, ordinal",
            {"ids": ids}).fetchall():
        records[rid]["submitted_info"].append({"label": label, "category": category, "count": count, "unit": unit})
    for rid, section, text in con.execute(
            f"SELECT report_id, section, text FROM narrative_items {where} ORDER BY report_id, section, ordinal",
            {"ids": ids}).fetchall():
        records[rid][section].append(text)
    for rid, section, text in con.execute(f"SELECT report_id, section, text FROM report_sections {where}",
                                          {"ids": ids}).fetchall():
        records[rid]["sections"][section] = text or ""
    # Kept with the record, so a correction's new revision still says where its cells were read
    # (a reader of a store older than the table has none to keep).
    with contextlib.suppress(duckdb.CatalogException):
        for rid, *row in con.execute(f"SELECT report_id, {', '.join(CELL_SOURCE_COLUMNS)} FROM cell_sources"
                                     f" {where} ORDER BY rowid", {"ids": ids}).fetchall():
            records[rid]["cell_sources"].append(cell_source(tuple(row)))
    for rid, rule, severity, message, section in con.execute(
            f"SELECT report_id, rule, severity, message, section FROM findings {where} AND source = 'parse'"
            " ORDER BY rowid", {"ids": ids}).fetchall():
        records[rid]["findings"].append({"rule": rule, "severity": severity, "message": message, "section": section})
    return records


def load_records(con: duckdb.DuckDBPyConnection, report_ids: list[int]) -> dict[int, ReportRecord]:
    return {rid: record_from_dict(d) for rid, d in load_record_dicts(con, report_ids).items()}
