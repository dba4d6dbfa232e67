"""Export the store's tables for people who work in Excel: CSV, XLSX or Parquet.

    export_tables("data/workbench.duckdb", "xlsx", out_dir="export", year=2023)

Current revisions only (the revision log lists what older ones said). XLSX is one workbook
(``workbench.xlsx``) with one sheet per table; CSV one file per table, UTF-8 *with a BOM* so
that Excel opens the Chinese text correctly. Both speak Chinese by default: sheet names, column
headers (the template's own labels: 自然人, 结果维持, （一）予以公开 …) and coded values (see
``export_sheets.py``); ``keys=True`` writes the stable English keys of the report record
instead, for scripts. Parquet always carries the keys (it is for programs, not clerks).

Unread is not blank: a cell the workbench could not read is the text 未读取 in XLSX and CSV
(never 0, never empty) and is named in the row's ``unread`` list in Parquet.

Report text is untrusted (anyone can publish a report whose item reads ``=HYPERLINK(…)``):
every text cell stays text. XLSX writes text cells as strings only; CSV puts a single quote
before text that a spreadsheet would read as a formula (OWASP's advice), in text columns only,
so numbers (negative ones too) stay numbers. Section 三 and 四 are exported wide (one row per
report × row, one column per applicant / result) with the report's own row labels.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl

from workbench.i18n import t
from workbench.store.connect import DEFAULT_DB, StoreError, connect
from workbench.store.export_sheets import UNREAD, UNREAD_TEXT, sheet_for, write_xlsx
from workbench.store.queries import tidy
from workbench.templates import layouts

FORMATS = ("csv", "xlsx", "parquet")
FORMULA_START = r"^[=+\-@\t\r]"  # what makes a spreadsheet read a text cell as a formula
_YEAR = "($year IS NULL OR year = $year)"


def _wide(keys: tuple[str, ...], column: str) -> str:
    """One column per key of a long table's second dimension, and the unread ones as a list."""
    values = ",\n".join(f"max(t.value) FILTER (WHERE t.{column} = '{key}') AS {key}" for key in keys)
    return f"{values},\n list(t.{column}) FILTER (WHERE t.unread) AS {UNREAD}"


def _queries() -> dict[str, str]:
    """The exported tables, in the order a clerk reads them (the report, then its tables)."""
    layout = layouts()
    return {
        "reports": f"""
            SELECT r.report_id, r.agency_id, r.agency, r.year, r.revision, a.level, a.kind, a.region, r.template,
                   r.published_on, r.fees_collected_yuan, r.cells, r.filled_cells, r.source_path, r.source_format,
                   r.source_sha256, r.ingested_at
            FROM current_reports r LEFT JOIN agencies a USING (agency_id)
            WHERE {_YEAR} ORDER BY r.agency_id, r.year""",
        "active_disclosure": f"""
            SELECT d.report_id, r.agency_id, r.year, d.item, d.measure, d.value,
                   CASE WHEN d.unread THEN ['value'] END AS {UNREAD}
            FROM active_disclosure d JOIN current_reports r USING (report_id)
            WHERE {_YEAR} ORDER BY r.agency_id, r.year, d.rowid""",
        "requests": f"""
            SELECT t.report_id, r.agency_id, r.year, t.row, coalesce(ref.label, t.row) AS row_label,
                   {_wide(layout.applicant_keys, "applicant")}
            FROM requests t JOIN current_reports r USING (report_id)
            LEFT JOIN ref_request_rows ref ON ref.row = t.row
            WHERE {_YEAR}
            GROUP BY t.report_id, r.agency_id, r.year, t.row, ref.label, ref.ordinal
            ORDER BY r.agency_id, r.year, ref.ordinal""",
        "review_litigation": f"""
            SELECT t.report_id, r.agency_id, r.year, t.proceeding, coalesce(ref.label, t.proceeding) AS proceeding_label,
                   {_wide(tuple(res.key for res in layout.results), "result")}
            FROM review_litigation t JOIN current_reports r USING (report_id)
            LEFT JOIN ref_review_cells ref ON ref.proceeding = t.proceeding
            WHERE {_YEAR}
            GROUP BY t.report_id, r.agency_id, r.year, t.proceeding, ref.label, ref.ordinal
            ORDER BY r.agency_id, r.year, ref.ordinal""",
        "submitted_info": f"""
            SELECT s.report_id, r.agency_id, r.year, s.ordinal, s.label, s.category, s.count, s.unit
            FROM submitted_info s JOIN current_reports r USING (report_id)
            WHERE {_YEAR} ORDER BY r.agency_id, r.year, s.ordinal""",
        "narrative_items": f"""
            SELECT n.report_id, r.agency_id, r.year, n.section, n.ordinal, n.text
            FROM narrative_items n JOIN current_reports r USING (report_id)
            WHERE {_YEAR} ORDER BY r.agency_id, r.year, n.section DESC, n.ordinal""",
        "findings": f"""
            SELECT report_id, agency_id, year, source, rule, severity, message, expected, actual
            FROM findings_detail WHERE is_current AND {_YEAR} ORDER BY agency_id, year, source, rule""",
        "revision_log": f"""
            SELECT agency_id, year, from_report, to_report, changed_at, summary, changed_cells::VARCHAR AS changed_cells
            FROM revision_log WHERE {_YEAR} ORDER BY agency_id, year, to_report""",
        "agencies": """
            SELECT agency_id, level, kind, region, parent, origin FROM agencies ORDER BY agency_id""",
        "documents": """
            SELECT path, sha256, format, size, ingested_at, status, error, report_id FROM documents
            WHERE $year IS NULL OR report_id IN (SELECT report_id FROM reports WHERE year = $year)
            ORDER BY path""",
    }


def export_frames(db: str | Path = DEFAULT_DB, year: int | None = None,
                  con: duckdb.DuckDBPyConnection | None = None) -> dict[str, pl.DataFrame]:
    """Every exported table as a polars frame with the record's keys (current revisions; one
    year if given). Wide and cell tables carry ``unread``: the columns of the row not read."""
    own = con is None
    con = con or connect(db)
    try:
        return {name: tidy(con.sql(sql, params={"year": year} if "$year" in sql else None).pl())
                for name, sql in _queries().items()}
    finally:
        if own:
            con.close()


def export_tables(db: str | Path = DEFAULT_DB, fmt: str = "csv", out_dir: str | Path = "export",
                  year: int | None = None, keys: bool = False) -> list[Path]:
    """Write the tables to ``out_dir``; returns the files written.

    ``keys``: English keys as headers and sheet names, coded values as stored (XLSX, CSV).
    File names stay ASCII either way: they cross zip tools and mail gateways on GBK systems.
    """
    if fmt not in FORMATS:
        raise StoreError(t("error.export_format", formats=", ".join(FORMATS), fmt=fmt))
    frames = export_frames(db, year)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    suffix = f"_{year}" if year is not None else ""
    if fmt == "parquet":
        written = []
        for name, frame in frames.items():
            frame.write_parquet(path := out / f"{name}{suffix}.parquet")
            written.append(path)
        return written
    sheets = [sheet_for(name, frame, keys=keys) for name, frame in frames.items()]
    if fmt == "xlsx":
        return [write_xlsx(sheets, out / f"workbench{suffix}.xlsx")]
    written = []
    for name, sheet in zip(frames, sheets, strict=True):
        path = out / f"{name}{suffix}.csv"
        csv_frame(sheet.frame, sheet.unread).write_csv(path, include_bom=True)
        written.append(path)
    return written


def csv_frame(frame: pl.DataFrame, unread: dict[str, pl.Series]) -> pl.DataFrame:
    """The frame as CSV text: formula-like text defused, unread cells the text 未读取."""
    frame = defuse_formulas(frame)
    return frame.with_columns(
        pl.when(pl.lit(mask)).then(pl.lit(UNREAD_TEXT)).otherwise(pl.col(name).cast(pl.String)).alias(name)
        for name, mask in unread.items())


def defuse_formulas(frame: pl.DataFrame) -> pl.DataFrame:
    """Text columns with a ``'`` before every value a spreadsheet would run as a formula."""
    return frame.with_columns(
        pl.when(pl.col(name).str.contains(FORMULA_START)).then("'" + pl.col(name)).otherwise(pl.col(name)).alias(name)
        for name, dtype in frame.schema.items() if dtype == pl.String)
