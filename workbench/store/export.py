"""Export the store's tables for people who work in Excel: CSV, XLSX or Parquet.

    export_tables("data/workbench.duckdb", "xlsx", out_dir="export", year=2023)

Current revisions only (the revision log lists what older ones said). CSV files are
UTF-8 *with a BOM* so that Excel opens the Chinese text correctly; XLSX is one
workbook (``workbench.xlsx``) with one sheet per table, written with xlsxwriter.

Report text is untrusted (anyone can publish a report whose item reads ``=HYPERLINK(…)``):
every text cell stays text. XLSX turns off xlsxwriter's strings-to-formulas/URLs; CSV puts a
single quote before text that a spreadsheet would read as a formula (OWASP's advice), in
text columns only, so numbers (negative ones too) stay numbers.
Section 三 and 四 are exported wide (one row per report × row, one column per
applicant / result) with the report's own row labels.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl

from workbench.store.connect import DEFAULT_DB, StoreError, connect
from workbench.store.queries import tidy

FORMATS = ("csv", "xlsx", "parquet")
FORMULA_START = r"^[=+\-@\t\r]"  # what makes a spreadsheet read a text cell as a formula
XLSX_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False}
_YEAR = "($year IS NULL OR year = $year)"

EXPORTS: dict[str, str] = {
    "reports": f"""
        SELECT r.report_id, r.agency_id, r.agency, r.year, r.revision, a.level, a.kind, a.region, r.template,
               r.published_on, r.fees_collected_yuan, r.cells, r.filled_cells, r.source_path, r.source_format,
               r.source_sha256, r.ingested_at
        FROM current_reports r LEFT JOIN agencies a USING (agency_id)
        WHERE {_YEAR} ORDER BY r.agency_id, r.year""",
    "requests": f"""
        SELECT report_id, agency_id, year, row, row_label, natural_person, commercial, research,
               social_welfare, legal_services, other_org, total
        FROM current_requests_wide WHERE {_YEAR} ORDER BY agency_id, year, row_ordinal""",
    "review_litigation": f"""
        SELECT report_id, agency_id, year, proceeding, proceeding_label, upheld, corrected, other, pending, total
        FROM review_wide WHERE is_current AND {_YEAR} ORDER BY agency_id, year, proceeding""",
    "active_disclosure": f"""
        SELECT d.report_id, r.agency_id, r.year, d.item, d.measure, d.value
        FROM active_disclosure d JOIN current_reports r USING (report_id)
        WHERE {_YEAR} ORDER BY r.agency_id, r.year, d.rowid""",
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
    """Every exported table as a polars frame (current revisions; one year if given)."""
    own = con is None
    con = con or connect(db)
    try:
        return {name: tidy(con.sql(sql, params={"year": year} if "$year" in sql else None).pl())
                for name, sql in EXPORTS.items()}
    finally:
        if own:
            con.close()


def export_tables(db: str | Path = DEFAULT_DB, fmt: str = "csv", out_dir: str | Path = "export",
                  year: int | None = None) -> list[Path]:
    """Write the tables to ``out_dir``; returns the files written."""
    if fmt not in FORMATS:
        raise StoreError(f"export format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    frames = export_frames(db, year)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    suffix = f"_{year}" if year is not None else ""
    if fmt == "xlsx":
        return [_write_xlsx(frames, out / f"workbench{suffix}.xlsx")]
    written = []
    for name, frame in frames.items():
        path = out / f"{name}{suffix}.{fmt}"
        if fmt == "csv":
            defuse_formulas(frame).write_csv(path, include_bom=True)
        else:
            frame.write_parquet(path)
        written.append(path)
    return written


def _write_xlsx(frames: dict[str, pl.DataFrame], path: Path) -> Path:
    import xlsxwriter

    with xlsxwriter.Workbook(str(path), XLSX_OPTIONS) as workbook:
        for name, frame in frames.items():
            frame.write_excel(workbook=workbook, worksheet=name[:31], autofit=frame.height < 5000)
    return path


def defuse_formulas(frame: pl.DataFrame) -> pl.DataFrame:
    """Text columns with a ``'`` before every value a spreadsheet would run as a formula."""
    return frame.with_columns(
        pl.when(pl.col(name).str.contains(FORMULA_START)).then("'" + pl.col(name)).otherwise(pl.col(name)).alias(name)
        for name, dtype in frame.schema.items() if dtype == pl.String)
