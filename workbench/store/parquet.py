"""The parse stage: one file → rows for each table, and those rows as partitioned Parquet.

``parse_one(path)`` is the whole parse stage for one file. It depends on nothing but
the file, so it runs anywhere — in this process, in a local process pool, or on a
dask worker — and its output is plain tuples (cheap to pickle, easy to write):

    rows = parse_one("2024_hongze.pdf")
    rows["files"]     # one row: path, sha256, …, agency, year, region, content_hash (or error)
    rows["requests"]  # (path, row, applicant, value) …

Written to Parquet (``write_chunk``) the rows form a hive-partitioned dataset that
DuckDB reads directly (docs/scale.md)::

    <root>/<table>/year=2024/region=江苏省/part-<run>-<chunk>.parquet

``year`` and ``region`` live in the folder names, not in the files. ``region`` is the
province the agency's name starts with (江苏省…, 上海市…) and ``unknown`` when the name
does not say (a name that is not a safe folder name is made one, see
``partition_value``); a file that failed to parse has no year (``__HIVE_DEFAULT_PARTITION__``,
which DuckDB reads as NULL). Every row is keyed by the file's ``path``.

The ingest turns rows back into the record shape (``outcome_from_rows``) for the
revision log and the checks; the local and the dask engine both go through rows, so
they load exactly the same database.
"""

from __future__ import annotations

import os
import re
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import polars as pl

from workbench.sources import SourceError, sniff_format
from workbench.store.agencies import canonical_key, split_place
from workbench.store.records import cell_source, content_hash

NULL_PARTITION = "__HIVE_DEFAULT_PARTITION__"
UNKNOWN_REGION = "unknown"
_PROVINCE_UNITS = ("省", "自治区", "特别行政区")
_MUNICIPALITIES = ("北京市", "上海市", "天津市", "重庆市")

# The parse stage's tables; every table's first column is the file's path.
# Cell values are Float64 so that any number the parser read survives the round trip.
PARSE_SCHEMAS: dict[str, dict[str, Any]] = {
    "files": {"path": pl.String, "ordinal": pl.Int64, "sha256": pl.String, "size": pl.Int64,
              "format": pl.String, "error": pl.String, "agency": pl.String, "year": pl.Int32,
              "region": pl.String, "template": pl.String, "published_on": pl.String,
              "fees_collected_yuan": pl.Float64, "content_hash": pl.String},
    "active_disclosure": {"path": pl.String, "item": pl.String, "measure": pl.String, "value": pl.Float64, "unread": pl.Boolean},
    "requests": {"path": pl.String, "row": pl.String, "applicant": pl.String, "value": pl.Float64, "unread": pl.Boolean},
    "review_litigation": {"path": pl.String, "proceeding": pl.String, "result": pl.String, "value": pl.Float64, "unread": pl.Boolean},
    "submitted_info": {"path": pl.String, "label": pl.String, "category": pl.String, "count": pl.Int64,
                       "unit": pl.String},
    "narrative_items": {"path": pl.String, "section": pl.String, "text": pl.String},
    "report_sections": {"path": pl.String, "section": pl.String, "text": pl.String},
    "cell_sources": {"path": pl.String, "table_name": pl.String, "row_key": pl.String, "column_key": pl.String,
                     "page": pl.Int32, "box_x": pl.Float64, "box_y": pl.Float64, "box_w": pl.Float64,
                     "box_h": pl.Float64, "confidence": pl.Float64, "text": pl.String, "image": pl.String},
    "findings": {"path": pl.String, "rule": pl.String, "severity": pl.String, "message": pl.String,
                 "section": pl.String},
}
PARSE_TABLES = tuple(PARSE_SCHEMAS)
FILE_COLUMNS = tuple(PARSE_SCHEMAS["files"])
PARTITION_KEYS = ("year", "region")
# Not in a folder name: separators, NUL and control characters, and what hive partitioning reads
# specially (= and %); a value of only dots would name the folder itself or its parent.
_UNSAFE_IN_PARTITION = re.compile(r"[/\\\x00-\x1f\x7f=%:]")

Rows = dict[str, list[tuple]]


# -- one file → rows ------------------------------------------------------------------------


def parse_one(path: str | Path, sha256: str | None = None, size: int | None = None, ordinal: int = 0) -> Rows:
    """Parse one file into rows for each table; a file that fails gives one ``files`` row with its error.

    ``sha256``/``size`` are what the ingest hashed (computed here when not given);
    ``ordinal`` is the file's place in the ingest's input order.
    """
    from workbench.parse import parse_file

    path = str(path)
    if sha256 is None or size is None:
        sha256, size = _hash(path)
    try:
        record = parse_file(path)
    except SourceError as exc:
        return failed_rows(path, ordinal, sha256, size, exc.reason, _sniff(path))
    except Exception as exc:  # a parser bug must fail this file, not the whole ingest
        return failed_rows(path, ordinal, sha256, size, f"the parser failed ({type(exc).__name__}: {exc})",
                           _sniff(path))
    return record_rows(record, path, ordinal, sha256, size)


def _hash(path: str) -> tuple[str | None, int | None]:
    import hashlib

    try:
        data = Path(path).read_bytes()
    except OSError:
        return None, None
    return hashlib.sha256(data).hexdigest(), len(data)


def failed_rows(path: str, ordinal: int, sha256: str | None, size: int | None, error: str,
                fmt: str | None = None) -> Rows:
    """A file that gave no record: its ``files`` row with the reason, nothing else."""
    row = dict.fromkeys(FILE_COLUMNS)
    row.update(path=path, ordinal=ordinal, sha256=sha256, size=size, format=fmt, error=error, region=UNKNOWN_REGION)
    return {"files": [tuple(row.values())], **{table: [] for table in PARSE_TABLES[1:]}}


def _sniff(path: str) -> str | None:
    try:
        with open(path, "rb") as handle:
            return sniff_format(Path(path), handle.read(4096))
    except OSError:
        return None


def record_rows(record: Any, path: str, ordinal: int, sha256: str | None, size: int | None) -> Rows:
    """A ``ReportRecord`` as rows, read straight from the dataclasses (``asdict`` is slow)."""
    rows: Rows = {
        "active_disclosure": [(path, c.item, c.measure, _float(c.value), c.unread) for c in record.active_disclosure],
        "requests": [(path, c.row, c.applicant, _float(c.value), c.unread) for c in record.requests],
        "review_litigation": [(path, c.proceeding, c.result, _float(c.value), c.unread) for c in record.review_litigation],
        "submitted_info": [(path, s.label, s.category, s.count, s.unit) for s in record.submitted_info],
        "narrative_items": [(path, section, text) for section in ("problems", "improvements")
                            for text in getattr(record, section)],
        "report_sections": [(path, key, text) for key, text in (record.sections or {}).items()],
        "findings": [(path, f.rule, f.severity, f.message, f.section) for f in record.findings],
        # Where each OCR'd cell was read (not in the spec's JSON, not part of the content hash).
        "cell_sources": [(path, table, row_key, column_key, s.page, *_box(s.box), float(s.confidence), s.text,
                          getattr(s, "image", ""))
                         for (table, row_key, column_key), s in getattr(record, "cell_sources", {}).items()],
    }
    # The file may have changed since it was hashed: key it on the bytes actually parsed.
    file_row = {"path": path, "ordinal": ordinal, "sha256": record.source.sha256 or sha256, "size": size,
                "format": record.source.format, "error": None, "agency": record.agency,
                "year": record.year, "region": region_of(record.agency), "template": record.template,
                "published_on": record.published_on, "fees_collected_yuan": _float(record.fees_collected_yuan),
                "content_hash": None}
    rows["files"] = [tuple(file_row.values())]
    # Hash what the store will hold (the record rebuilt from these rows), so both engines agree.
    file_row["content_hash"] = content_hash(_record(file_row, rows))
    rows["files"] = [tuple(file_row.values())]
    return rows


def _box(box: Any) -> tuple[float, float, float, float]:
    x, y, w, h = (float(v) for v in box)
    return x, y, w, h


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def _number(value: float | None) -> int | float | None:
    return int(value) if isinstance(value, float) and value.is_integer() else value


def region_of(agency: str | None) -> str:
    """The province an agency's name starts with, or ``unknown``."""
    if not agency:
        return UNKNOWN_REGION
    units, _ = split_place(canonical_key(agency))
    first = units[0] if units else canonical_key(agency)
    if first.endswith(_PROVINCE_UNITS) or first.startswith(_MUNICIPALITIES):
        return partition_value(next((m for m in _MUNICIPALITIES if first.startswith(m)), first))
    return UNKNOWN_REGION


def partition_value(text: str | None) -> str:
    """``text`` as one safe folder name (Chinese kept): unsafe characters → ``_``, no ``..``."""
    value = _UNSAFE_IN_PARTITION.sub("_", text or "").strip()
    value = re.sub(r"\.{2,}", "_", value)
    return value if value.strip("._ ") else UNKNOWN_REGION


def _partition_folder(root: Path, table: str, year: Any, region: str) -> Path:
    """Where one table's partition lives; never outside ``root`` whatever the report says."""
    folder = root / table / f"year={NULL_PARTITION if year is None else int(year)}" / f"region={partition_value(region)}"
    if not folder.resolve().is_relative_to((root / table).resolve()):
        raise ValueError(f"partition folder {folder} is outside {root}")
    return folder


# -- rows → the record shape the loader works on ------------------------------------------------


def outcome_from_rows(rows: Rows) -> dict[str, Any]:
    """What the loader consumes: path, sha256, size, format and either ``error`` or ``record`` + ``hash``."""
    (values,) = rows["files"]
    file_row = dict(zip(FILE_COLUMNS, values, strict=True))
    outcome: dict[str, Any] = {"path": file_row["path"], "sha256": file_row["sha256"], "size": file_row["size"],
                               "format": file_row["format"]}
    if file_row["error"] is not None:
        outcome["error"] = file_row["error"]
        return outcome
    outcome["record"] = _record(file_row, rows)
    outcome["hash"] = file_row["content_hash"]
    return outcome


def _record(file_row: dict[str, Any], rows: Rows) -> dict[str, Any]:
    """The ``ReportRecord.to_dict()`` shape, rebuilt from rows (numbers: int when integral)."""
    from workbench.parse.record import SECTION_KEYS

    narrative: dict[str, list[str]] = {"problems": [], "improvements": []}
    for _, section, text in rows.get("narrative_items", ()):
        narrative[section].append(text)
    sections = dict.fromkeys(SECTION_KEYS, "")
    sections.update((key, text or "") for _, key, text in rows.get("report_sections", ()))
    year = file_row["year"]
    return {
        "agency": file_row["agency"], "year": None if year is None else int(year),
        "template": file_row["template"], "published_on": file_row["published_on"],
        "source": {"path": file_row["path"], "sha256": file_row["sha256"], "format": file_row["format"]},
        "active_disclosure": [_cell("item", "measure", row) for row in rows.get("active_disclosure", ())],
        "requests": [_cell("row", "applicant", row) for row in rows.get("requests", ())],
        "review_litigation": [_cell("proceeding", "result", row) for row in rows.get("review_litigation", ())],
        "submitted_info": [{"label": label, "category": category, "count": count, "unit": unit}
                           for _, label, category, count, unit in rows.get("submitted_info", ())],
        "problems": narrative["problems"], "improvements": narrative["improvements"],
        "fees_collected_yuan": _number(file_row["fees_collected_yuan"]),
        "sections": sections,
        "findings": [{"rule": rule, "severity": severity, "message": message, "section": section}
                     for _, rule, severity, message, section in rows.get("findings", ())],
        "cell_sources": [cell_source(row[1:]) for row in rows.get("cell_sources", ())],
    }


# -- rows ↔ Parquet -------------------------------------------------------------------------------


def chunk_name(run: str, chunk: int) -> str:
    return f"part-{run}-{chunk:06d}.parquet"


def write_chunk(parsed: Iterable[Rows], root: str | Path, run: str, chunk: int) -> int:
    """Write many files' rows as one Parquet file per table and partition; returns the number of files.

    Each file is written to a temp name and renamed, so a reader (or a rerun after a
    killed worker) never sees half a file.
    """
    root = Path(root)
    tables: dict[str, dict[tuple[Any, str], list[tuple]]] = defaultdict(lambda: defaultdict(list))
    count = 0
    for rows in parsed:
        (file_row,) = rows["files"]
        part = (file_row[FILE_COLUMNS.index("year")], file_row[FILE_COLUMNS.index("region")] or UNKNOWN_REGION)
        for table in PARSE_TABLES:
            tables[table][part].extend(rows.get(table, ()))
        count += 1
    name = chunk_name(run, chunk)
    for table, parts in tables.items():
        schema = PARSE_SCHEMAS[table]
        for (year, region), table_rows in parts.items():
            if not table_rows:
                continue
            folder = _partition_folder(root, table, year, region)
            folder.mkdir(parents=True, exist_ok=True)
            frame = pl.DataFrame(table_rows, schema=schema, orient="row")
            if table == "files":
                frame = frame.drop(*PARTITION_KEYS)
            temp = folder / f".{name}.{os.getpid()}.tmp"
            frame.write_parquet(temp, compression="zstd", statistics=True)
            os.replace(temp, folder / name)
    return count


def read_chunk(root: str | Path, run: str, chunk: int) -> list[Rows]:
    """The rows ``write_chunk`` wrote for one chunk, per file, in input order (by ordinal)."""
    root = Path(root)
    name = chunk_name(run, chunk)
    files: list[tuple] = []
    for path in sorted(root.glob(f"files/year=*/region=*/{name}")):
        year_text, region = path.parent.parent.name.split("=", 1)[1], path.parent.name.split("=", 1)[1]
        year = None if year_text == NULL_PARTITION else int(year_text)
        frame = pl.read_parquet(path).with_columns(pl.lit(year, pl.Int32).alias("year"),
                                                   pl.lit(region, pl.String).alias("region"))
        files.extend(frame.select(FILE_COLUMNS).iter_rows())
    files.sort(key=lambda row: row[1])  # ordinal
    by_path: dict[str, Rows] = {row[0]: {"files": [row], **{t: [] for t in PARSE_TABLES[1:]}} for row in files}
    for table in PARSE_TABLES[1:]:
        for path in sorted(root.glob(f"{table}/year=*/region=*/{name}")):
            for row in pl.read_parquet(path).iter_rows():
                by_path[row[0]][table].append(row)
    return list(by_path.values())


def dataset_glob(root: str | Path, table: str) -> str:
    """The glob DuckDB reads a table from: ``read_parquet(glob, hive_partitioning = true)``."""
    return str(Path(root) / table / "*" / "*" / "*.parquet")


def _cell(first: str, second: str, row: tuple) -> dict[str, Any]:
    """A record cell from its Parquet row; ``unread`` only when true, as in ``to_dict()``."""
    _, a, b, value, *rest = row
    cell = {first: a, second: b, "value": _number(value)}
    if rest and rest[0]:
        cell["unread"] = True
    return cell
