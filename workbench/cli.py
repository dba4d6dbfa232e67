"""The ``workbench`` command: a thin layer over the package's Python API.

    workbench parse REPORT.pdf                 # readable summary
    workbench parse REPORT.html --json         # exactly the report record
    workbench parse data/real                  # every report under a folder
    workbench synth OUT --agencies 5 --years 2019-2024 --seed 1
    workbench ingest data/real reports/2024/*.pdf  # → data/workbench.duckdb, checked as it loads
    workbench check --year 2023 --agency 平潭       # findings table
    workbench query request_outcomes_by_year       # any queries/*.sql, as a table or CSV
    workbench narrative --year 2024                # section 五 themes, repeats, copied sections
    workbench roster --year 2024                   # who has published, who is late, who has not (未发布)
    workbench export --format xlsx --year 2023     # tables for Excel
    workbench rectify --year 2024                  # 整改清单: a Word list per agency + one workbook
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from workbench.checks import check_report
from workbench.cli_common import AgencyOption, DbOption, YearOption, reason
from workbench.cli_common import err as _err
from workbench.cli_common import known_errors as _known_errors
from workbench.cli_common import out as _out
from workbench.cli_followup import register as register_followup
from workbench.i18n import query_answers, t
from workbench.i18n.clickui import Command, Group, lang_callback
from workbench.i18n.msgids import translate_text
from workbench.parse import ReportRecord, parse_file
from workbench.parse.identities import identity_results
from workbench.sources import SourceError, iter_report_files

# Help texts come from the catalogue (workbench/i18n/*.yaml, keys cmd.<command>.<option>), set on
# the click tree each run by Group: the decorators here carry names and defaults only.
app = typer.Typer(cls=Group, add_completion=False, no_args_is_help=True)


@app.callback()
def main(
    lang: Annotated[str | None, typer.Option("--lang", is_eager=True, callback=lang_callback,
                                             expose_value=True)] = None,
) -> None:
    pass


@app.command(cls=Command)
def parse(
    paths: Annotated[list[Path], typer.Argument()],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    files = iter_report_files(paths)
    if not files:
        _err(t("parse.no_files", paths=", ".join(map(str, paths))))
        raise typer.Exit(2)
    failures = 0
    totals = {"reports": 0, "cells": 0, "filled": 0, "passed": 0, "failed": 0}
    for path in files:
        try:
            record = parse_file(path)
        except SourceError as exc:
            failures += 1
            _err(t("parse.error", path=exc.path, reason=reason(exc.reason)))
            continue
        except MemoryError:
            failures += 1
            _err(t("parse.memory", path=path))
            continue
        except Exception as exc:  # a parser bug fails this file, not the batch: one line, no traceback
            failures += 1
            _err(t("parse.crashed", path=path, kind=type(exc).__name__, detail=exc))
            continue
        if as_json:
            indent = 2 if len(files) == 1 else None
            _out(json.dumps(record.to_dict(), ensure_ascii=False, indent=indent))
        else:
            _out(summary_line(path, record, totals))
    if not as_json and len(files) > 1:
        _out("\n" + t("parse.totals", reports=totals["reports"], failed=failures, filled=totals["filled"],
                      cells=totals["cells"], passed=totals["passed"], identities_failed=totals["failed"]))
    if failures:
        raise typer.Exit(1)


def summary_line(path: Path, record: ReportRecord, totals: dict[str, int]) -> str:
    results = identity_results(record)
    passed = sum(r is True for _, r in results)
    failed = [name for name, r in results if r is False]
    cells = len(record.table_cells)
    totals["reports"] += 1
    totals["cells"] += cells
    totals["filled"] += record.filled_cells()
    totals["passed"] += passed
    totals["failed"] += len(failed)
    # What the parser had to decide, then what a reviewer would flag (the checks stage;
    # rules needing last year's report run at ingest, where that report is known).
    # The workbench's own reading notes (read.*) first: they say what could not be read.
    warnings = sorted((f for f in record.findings if f.severity != "info"), key=lambda f: not f.rule.startswith("read."))
    warnings += [f for f in check_report(record) if f.severity != "info" and not f.rule.startswith(
        ("requests.", "review."))]  # identities are summarised on the line above
    unknown = t("parse.unknown")
    lines = [
        f"{path}",
        t("parse.record", agency=record.agency or t("parse.no_agency"), year=record.year or unknown,
          template=record.template or unknown, published=record.published_on or unknown,
          format=record.source.format),
        t("parse.cells", filled=record.filled_cells(), cells=cells, unread=record.unread_cells(), passed=passed,
          failed=len(failed), untestable=len(results) - passed - len(failed),
          submitted=len(record.submitted_info), problems=len(record.problems),
          improvements=len(record.improvements)),
    ]
    lines += [t("parse.identity_failed", name=identity_name(name)) for name in failed[:5]]
    if len(failed) > 5:
        lines.append(t("parse.more_identities", count=len(failed) - 5))
    lines += [t("parse.finding", severity=t(f"severity.{f.severity}"), rule=f.rule, message=f.message)
              for f in warnings[:5]]
    if len(warnings) > 5:
        lines.append(t("parse.more_findings", count=len(warnings) - 5))
    lines += _ocr_lines(record)
    return "\n".join(lines)


def _ocr_lines(record: ReportRecord, shown: int = 5) -> list[str]:
    """Provenance of OCR'd cells: how many, and the least certain ones with page and box."""
    from workbench.checks.grid import cell_label

    sources = record.cell_sources
    if not sources:
        return []
    pages = "、".join(str(p) for p in sorted({s.page for s in sources.values()}))
    lines = [t("parse.ocr_summary", cells=len(sources), pages=pages)]
    for (table, key, column), source in sorted(sources.items(), key=lambda kv: kv[1].confidence)[:shown]:
        image = source.image if not source.image.startswith("data:") else t("parse.ocr_embedded_picture", page=source.page)
        lines.append(t("parse.ocr_cell_picture" if source.image else "parse.ocr_cell",
                       cell=cell_label(f"{table}.{key}.{column}"), page=source.page, image=image,
                       box=",".join(f"{v:.3f}" for v in source.box), confidence=f"{source.confidence:.2f}",
                       text=source.text))
    return lines


def identity_name(name: str) -> str:
    """An identity's name (workbench.parse.identities) in the user's language, keys as the template's labels."""
    from workbench.checks.grid import applicant_label, cell_label, proceeding_label

    def row(key: str) -> str:
        return cell_label(f"requests.{key}").removeprefix("表三 ")

    return translate_text(name, "identities", {"who": applicant_label, "row": row, "proceeding": proceeding_label})


@app.command(cls=Command)
def synth(
    outdir: Annotated[Path, typer.Argument()],
    agencies: Annotated[int, typer.Option()] = 10,
    years: Annotated[str, typer.Option()] = "2019-2024",
    seed: Annotated[int, typer.Option()] = 1,
    formats: Annotated[str, typer.Option()] = "pdf,html,docx,txt",
    breaks: Annotated[float, typer.Option()] = 0.06,
    variants: Annotated[bool, typer.Option()] = False,
    scanned: Annotated[bool, typer.Option()] = False,
) -> None:
    from workbench.synth import generate

    first, _, last = years.partition("-")
    try:
        year_range = range(int(first), int(last or first) + 1)
    except ValueError:
        _err(t("synth.bad_years", years=years))
        raise typer.Exit(2) from None
    try:
        reports = generate(outdir, agencies=agencies, years=year_range, seed=seed,
                           formats=[f.strip() for f in formats.split(",") if f.strip()], break_share=breaks)
    except ValueError as error:
        _err(t("synth.failed", detail=error))
        raise typer.Exit(2) from None
    broken = len({r.document.name for r in reports if r.breaks})
    _out(t("synth.wrote", count=len(reports), outdir=outdir, broken=broken))
    if variants:
        from workbench.synth.variants import write_variants_beside_truth

        html = [(r.document, r.expected) for r in reports if r.document.suffix == ".html"]
        written = write_variants_beside_truth(html, outdir / "variants")
        _out(t("synth.variants", count=len(written), html=len(html), folder=outdir / "variants")
             + ("" if html else t("synth.no_html")))
    if scanned:
        from workbench.synth.report import build_reports
        from workbench.synth.scanned import scannable, write_scanned

        every = build_reports(agencies, year_range, seed, breaks)  # the reports just written
        chosen = scannable(every)
        written = write_scanned(outdir / "scanned", chosen, seed)
        _out(t("synth.scanned", count=len(written), reports=len(chosen), folder=outdir / "scanned",
               left_out=len(every) - len(chosen)))


@app.command(cls=Command)
def ingest(
    paths: Annotated[list[str], typer.Argument()],
    db: DbOption = Path("data/workbench.duckdb"),
    workers: Annotated[int | None, typer.Option()] = None,
    registry: Annotated[Path | None, typer.Option()] = Path("data/agencies.csv"),
    wait: Annotated[float, typer.Option()] = 0.0,
    retry_failed: Annotated[bool, typer.Option()] = False,
    reparse: Annotated[bool, typer.Option()] = False,
    narrative: Annotated[bool, typer.Option()] = True,
    engine: Annotated[str, typer.Option()] = "local",
    scheduler: Annotated[str | None, typer.Option()] = None,
    parquet: Annotated[Path | None, typer.Option()] = None,
    file_timeout: Annotated[float, typer.Option()] = 60.0,
    file_memory: Annotated[int, typer.Option()] = 1536,
) -> None:
    from workbench.narrative.store import ingest_and_compare

    try:
        result = ingest_and_compare(paths, db, narrative=narrative, wait=wait, workers=workers, registry=registry,
                                    retry_failed=retry_failed, reparse=reparse, engine=engine,
                                    dask_client=scheduler, parquet_dir=parquet,
                                    file_timeout=file_timeout or None, file_memory=file_memory or None)
    except (ValueError, *_known_errors()) as exc:
        _err(t("cli.failed", command="ingest", detail=exc))
        raise typer.Exit(1) from None
    if result.files == 0:
        _err(t("ingest.no_files", paths=", ".join(paths)))
        raise typer.Exit(2)
    for path, error in result.failures[:20]:
        _err(t("ingest.file_failed", path=path, reason=reason(error)))
    if len(result.failures) > 20:
        _err(t("ingest.more_failures", count=len(result.failures) - 20))
    _out(result.summary())
    if result.failed:
        raise typer.Exit(1)


SEVERITIES = ("error", "warning", "info")


@app.command(cls=Command)
def check(
    db: DbOption = Path("data/workbench.duckdb"),
    year: YearOption = None,
    agency: AgencyOption = None,
    severity: Annotated[str | None, typer.Option()] = None,
    rerun: Annotated[bool, typer.Option()] = False,
) -> None:
    from workbench.checks.output import format_findings_table
    from workbench.store import recheck_findings, stored_findings
    from workbench.store.findings import scope_notes

    if severity is not None and severity not in SEVERITIES:
        _err(t("cli.unknown_choice", command="check", option="--severity", value=severity,
               choices="、".join(SEVERITIES)))
        raise typer.Exit(2)
    try:
        rows = (recheck_findings if rerun else stored_findings)(db, year, agency)
        for note in scope_notes(db, year, agency):
            _err(t("cli.note", command="check", note=note))
    except _known_errors() as exc:
        _err(t("cli.failed", command="check", detail=exc))
        raise typer.Exit(1) from None
    if severity:
        rows = [r for r in rows if r["severity"] == severity]
    # What the workbench could not read is its own problem, never the agency's: listed apart.
    own = [r for r in rows if r.get("source") == "parse"]
    agencies = [r for r in rows if r.get("source") != "parse"]
    words = {"headers": {c: t(f"check.column.{c}") for c in ("finding_id", "agency", "year", "rule", "severity",
                                                            "review", "message")},
             "severities": {s: t(f"severity.{s}") for s in SEVERITIES}, "empty": t("check.no_findings")}
    _out(t("check.agency_heading") + "\n" + format_findings_table(agencies, **words))
    if own:
        _out("\n" + t("check.own_heading") + "\n" + format_findings_table(own, **words))
    dismissed = [r for r in agencies if r.get("review") == "dismissed"]
    counted = [r for r in agencies if r.get("review") != "dismissed"]
    counts = {s: sum(r["severity"] == s for r in counted) for s in SEVERITIES}
    _out("\n" + t("check.totals", count=len(counted), errors=counts["error"], warnings=counts["warning"],
                  infos=counts["info"], own=len(own))
         + (t("check.dismissed", count=len(dismissed)) if dismissed else ""))


@app.command(cls=Command)
def query(
    name: Annotated[str | None, typer.Argument()] = None,
    param: Annotated[list[str] | None, typer.Option("--param", "-p")] = None,
    db: DbOption = Path("data/workbench.duckdb"),
    csv: Annotated[bool, typer.Option("--csv")] = False,
) -> None:
    import polars as pl

    from workbench.store import list_queries, run_query

    if name is None:
        for q in list_queries():
            params = " ".join(f"{p.name}={p.default if p.default is not None else ''}" for p in q.params)
            _out(f"{q.name:32} {query_answers(q.name, q.answers)}" + (f"  [{params}]" if params else ""))
        return
    values = dict(item.partition("=")[::2] for item in param or [])
    try:
        frame = run_query(name, values, db)
    except _known_errors() as exc:
        _err(t("cli.failed", command="query", detail=exc))
        raise typer.Exit(1) from None
    if csv:
        sys.stdout.write(frame.write_csv())
    else:
        with pl.Config(tbl_rows=200, tbl_cols=30, fmt_str_lengths=60, tbl_width_chars=200,
                       tbl_hide_dataframe_shape=True, tbl_hide_column_data_types=True):
            _out(str(frame))


@app.command(cls=Command)
def narrative(
    db: DbOption = Path("data/workbench.duckdb"),
    year: YearOption = None,
    agency: AgencyOption = None,
    refresh: Annotated[bool, typer.Option()] = False,
    taxonomy: Annotated[Path | None, typer.Option()] = None,
    limit: Annotated[int, typer.Option()] = 10,
) -> None:
    from workbench.narrative.store import refresh_db
    from workbench.narrative.summary import narrative_summary
    from workbench.narrative.taxonomy import TaxonomyError, load_taxonomy
    from workbench.store import connect
    from workbench.store.connect import marked_stale

    try:
        if refresh or taxonomy:
            counts = refresh_db(db, load_taxonomy(taxonomy) if taxonomy else None)
            _err(t("narrative.retagged", items=counts.items, texts=counts.distinct_texts,
                   tags=counts.narrative_tags, matches=counts.narrative_matches,
                   scores=counts.section_similarity, repeated=counts.repeated_problems))
        with connect(db) as con:
            if marked_stale(con):
                _err(t("narrative.stale"))
            _out(narrative_summary(con, year=year, agency=agency, limit=limit))
    except (TaxonomyError, *_known_errors()) as exc:
        _err(t("cli.failed", command="narrative", detail=exc))
        raise typer.Exit(1) from None


@app.command(cls=Command)
def export(
    fmt: Annotated[str, typer.Option("--format")] = "csv",
    db: DbOption = Path("data/workbench.duckdb"),
    year: YearOption = None,
    out: Annotated[Path, typer.Option()] = Path("export"),
    keys: Annotated[bool, typer.Option("--keys")] = False,
) -> None:
    from workbench.store import export_tables

    try:
        written = export_tables(db, fmt, out, year, keys=keys)
    except _known_errors() as exc:
        _err(t("cli.failed", command="export", detail=exc))
        raise typer.Exit(1) from None
    for path in written:
        _out(str(path))


@app.command(cls=Command)
def digest(
    year: Annotated[str, typer.Option()] = "latest",
    db: DbOption = Path("data/workbench.duckdb"),
    out: Annotated[Path, typer.Option()] = Path("out"),
    docx: Annotated[bool, typer.Option("--docx")] = False,
    agency: AgencyOption = None,
    region: Annotated[str | None, typer.Option()] = None,
) -> None:
    from workbench.digest import run_digest

    try:
        result = run_digest(db, year, out=out, docx=docx, agency=agency, region=region)
    except _known_errors() as exc:
        _err(t("cli.failed", command="digest", detail=exc))
        raise typer.Exit(1) from None
    _out(result.summary())


@app.command(cls=Command)
def lab(
    db: DbOption = Path("data/workbench.duckdb"),
    port: Annotated[int | None, typer.Option()] = None,
    no_browser: Annotated[bool, typer.Option("--no-browser")] = False,
    jupyter_args: Annotated[list[str] | None, typer.Argument()] = None,
) -> None:
    from workbench.digest import launch_lab

    try:
        code = launch_lab(db, port=port, no_browser=no_browser, extra=jupyter_args or [])
    except _known_errors() as exc:
        _err(t("cli.failed", command="lab", detail=exc))
        raise typer.Exit(2) from None
    raise typer.Exit(code)


@app.command(cls=Command)
def demo(
    data: Annotated[Path, typer.Option()] = Path("data"),
    db: DbOption = Path("data/workbench.duckdb"),
    out: Annotated[Path, typer.Option()] = Path("out"),
    agencies: Annotated[int, typer.Option()] = 40,
    workers: Annotated[int | None, typer.Option()] = None,
) -> None:
    from workbench.digest.first_run import first_run

    try:
        result = first_run(data, db, out, agencies=agencies, workers=workers, say=_out)
    except (ValueError, *_known_errors()) as exc:
        _err(t("cli.failed", command="demo", detail=exc))
        raise typer.Exit(1) from None
    digest = result.digest
    _out("\n" + t("demo.done", seconds=f"{result.seconds:.0f}", html=digest.folder / "digest.html",
                  charts=digest.folder / "charts")
         + (t("demo.word_pack", docx=digest.docx) if digest.docx else ""))


register_followup(app)  # review, correct, roster, rectify: workbench/cli_followup.py

if __name__ == "__main__":
    app()
