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
from workbench.cli_common import AgencyOption, DbOption, YearOption
from workbench.cli_common import err as _err
from workbench.cli_common import known_errors as _known_errors
from workbench.cli_common import out as _out
from workbench.cli_followup import register as register_followup
from workbench.parse import ReportRecord, parse_file
from workbench.parse.identities import identity_results
from workbench.sources import SourceError, iter_report_files

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Read, check and compare 政府信息公开工作年度报告 (annual reports on open government information).")


@app.command()
def parse(
    paths: Annotated[list[Path], typer.Argument(help="Report files (PDF, HTML, DOCX, TXT) or folders.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the report record(s) as JSON, nothing else.")] = False,
) -> None:
    """Parse reports into report records and print a summary (or the records with --json).

    With --json and one file, stdout is exactly one JSON object; with several
    files, one JSON object per line. Files that fail are reported on stderr, one
    line each, the others are still parsed, and the exit code is 1.
    """
    files = iter_report_files(paths)
    if not files:
        _err("workbench parse: no report files found in " + ", ".join(map(str, paths)))
        raise typer.Exit(2)
    failures = 0
    totals = {"reports": 0, "cells": 0, "filled": 0, "passed": 0, "failed": 0}
    for path in files:
        try:
            record = parse_file(path)
        except SourceError as exc:
            failures += 1
            _err(f"error: {exc}")
            continue
        except MemoryError:
            failures += 1
            _err(f"error: {path}: 内存不足，无法解析此文件（MemoryError）")
            continue
        except Exception as exc:  # a parser bug fails this file, not the batch: one line, no traceback
            failures += 1
            _err(f"error: {path}: 解析失败（{type(exc).__name__}: {exc}）")
            continue
        if as_json:
            indent = 2 if len(files) == 1 else None
            _out(json.dumps(record.to_dict(), ensure_ascii=False, indent=indent))
        else:
            _out(summary_line(path, record, totals))
    if not as_json and len(files) > 1:
        _out(f"\n{totals['reports']} report(s) parsed, {failures} failed; "
             f"{totals['filled']}/{totals['cells']} table cells filled; "
             f"identities {totals['passed']} passed, {totals['failed']} failed")
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
    lines = [
        f"{path}",
        f"  {record.agency or '(agency not found)'} · {record.year or '?'} · template {record.template or '?'}"
        f" · published {record.published_on or '?'} · {record.source.format}",
        f"  cells filled {record.filled_cells()}/{cells}, unread {record.unread_cells()}"
        f" · identities {passed} passed, {len(failed)} failed"
        f", {len(results) - passed - len(failed)} untestable (blank or unread cells)"
        f" · submitted_info {len(record.submitted_info)} · problems {len(record.problems)}"
        f" · improvements {len(record.improvements)}",
    ]
    lines += [f"  identity failed: {name}" for name in failed[:5]]
    if len(failed) > 5:
        lines.append(f"  … and {len(failed) - 5} more failed identities")
    lines += [f"  {f.severity} [{f.rule}]: {f.message}" for f in warnings[:5]]
    if len(warnings) > 5:
        lines.append(f"  … and {len(warnings) - 5} more findings (see --json)")
    lines += _ocr_lines(record)
    return "\n".join(lines)


_TABLE_NAMES = {"active_disclosure": "表二", "requests": "表三", "review_litigation": "表四"}


def _ocr_lines(record: ReportRecord, shown: int = 5) -> list[str]:
    """Provenance of OCR'd cells: how many, and the least certain ones with page and box."""
    sources = record.cell_sources
    if not sources:
        return []
    pages = sorted({s.page for s in sources.values()})
    lines = [f"  OCR: {len(sources)} cells read from page image(s) {', '.join(map(str, pages))}"
             f" (lowest confidence first; box = x,y,w,h as page fractions)"]
    for (table, key, column), source in sorted(sources.items(), key=lambda kv: kv[1].confidence)[:shown]:
        box = ",".join(f"{v:.3f}" for v in source.box)
        lines.append(f"  {_TABLE_NAMES[table]} {key}/{column} 格 识别自第{source.page}页 ({box})"
                     f" 置信度{source.confidence:.2f} 读作「{source.text}」")
    return lines


@app.command()
def synth(
    outdir: Annotated[Path, typer.Argument(help="Folder to write the generated reports into.")],
    agencies: Annotated[int, typer.Option(help="How many agencies.")] = 10,
    years: Annotated[str, typer.Option(help="Year range, e.g. 2019-2024.")] = "2019-2024",
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same corpus.")] = 1,
    formats: Annotated[str, typer.Option(help="Comma-separated formats.")] = "pdf,html,docx,txt",
    breaks: Annotated[float, typer.Option(help="Share of agency-years broken on purpose (listed in breaks.tsv).")]
    = 0.06,
    variants: Annotated[bool, typer.Option(help="Also rewrite each HTML report into every text layout variant "
                                                "(Markdown, tabs, renumbered headings …) under OUTDIR/variants.")]
    = False,
) -> None:
    """Generate synthetic annual reports (marked synthetic) with a ground-truth record beside each.

    Example: workbench synth out/synth --agencies 3 --formats html --variants
    """
    from workbench.synth import generate

    first, _, last = years.partition("-")
    try:
        year_range = range(int(first), int(last or first) + 1)
    except ValueError:
        _err(f"workbench synth: --years must look like 2019-2024, not {years!r}")
        raise typer.Exit(2) from None
    try:
        reports = generate(outdir, agencies=agencies, years=year_range, seed=seed,
                           formats=[f.strip() for f in formats.split(",") if f.strip()], break_share=breaks)
    except ValueError as error:
        _err(f"workbench synth: {error}")
        raise typer.Exit(2) from None
    broken = len({r.document.name for r in reports if r.breaks})
    _out(f"wrote {len(reports)} synthetic reports (each with a .expected.json) to {outdir}; "
         f"{broken} broken on purpose (see breaks.tsv)")
    if variants:
        from workbench.synth.variants import write_variants_beside_truth

        html = [(r.document, r.expected) for r in reports if r.document.suffix == ".html"]
        written = write_variants_beside_truth(html, outdir / "variants")
        _out(f"wrote {len(written)} layout variants of {len(html)} HTML reports (each with a .expected.json) "
             f"to {outdir / 'variants'}" + ("" if html else "; add html to --formats to get any"))


@app.command()
def ingest(
    paths: Annotated[list[str], typer.Argument(help="Report files, folders (searched recursively) or globs.")],
    db: DbOption = Path("data/workbench.duckdb"),
    workers: Annotated[int | None, typer.Option(help="Parse processes (default: all cores).")] = None,
    registry: Annotated[Path | None, typer.Option(help="Agency registry CSV (level, region, parent, aliases); "
                                                       "a missing file means no registry.")]
    = Path("data/agencies.csv"),
    wait: Annotated[float, typer.Option(help="Seconds to wait if another ingest holds the database.")] = 0.0,
    retry_failed: Annotated[bool, typer.Option(help="Parse files that failed before again.")] = False,
    reparse: Annotated[bool, typer.Option(help="Parse every file again (after a parser upgrade).")] = False,
    narrative: Annotated[bool, typer.Option(help="Re-run the section 五 comparison after loading (and finish "
                                                "one an interrupted run left undone).")] = True,
    engine: Annotated[str, typer.Option(help="local (process pool) or dask (a cluster; see docs/scale.md).")]
    = "local",
    scheduler: Annotated[str | None, typer.Option(help="With --engine dask: the scheduler address "
                                                        "(default: a local cluster).")] = None,
    parquet: Annotated[Path | None, typer.Option(help="Also keep the parse output as Parquet here "
                                                      "(partitioned by year and region).")] = None,
    file_timeout: Annotated[float, typer.Option(help="Seconds one file may take to parse (0: no limit); "
                                                     "a file over it fails, the others go on.")] = 60.0,
    file_memory: Annotated[int, typer.Option(help="Memory cap of each parse worker in MB (0: no limit).")]
    = 1536,
) -> None:
    """Load reports into DuckDB, checking each one; files already loaded are skipped.

    The same agency-year with different content becomes a new revision (the newest
    is current). Files that fail are recorded with their error; nothing else is lost.
    Example: workbench ingest data/real ~/reports/2024 --db data/workbench.duckdb
             workbench ingest /shared/年报 --engine dask --scheduler tcp://10.0.0.5:8786
    """
    from workbench.narrative.store import ingest_and_compare

    try:
        result = ingest_and_compare(paths, db, narrative=narrative, wait=wait, workers=workers, registry=registry,
                                    retry_failed=retry_failed, reparse=reparse, engine=engine,
                                    dask_client=scheduler, parquet_dir=parquet,
                                    file_timeout=file_timeout or None, file_memory=file_memory or None)
    except (ValueError, *_known_errors()) as exc:
        _err(f"workbench ingest: {exc}")
        raise typer.Exit(1) from None
    if result.files == 0:
        _err("workbench ingest: no report files found in " + ", ".join(paths))
        raise typer.Exit(2)
    for path, error in result.failures[:20]:
        _err(f"failed: {path}: {error}")
    if len(result.failures) > 20:
        _err(f"… and {len(result.failures) - 20} more failures (table documents, status 'failed')")
    _out(result.summary())
    if result.failed:
        raise typer.Exit(1)


SEVERITIES = ("error", "warning", "info")


@app.command()
def check(
    db: DbOption = Path("data/workbench.duckdb"),
    year: YearOption = None,
    agency: AgencyOption = None,
    severity: Annotated[str | None, typer.Option(help="Only error, warning or info.")] = None,
    rerun: Annotated[bool, typer.Option(help="Run the checks again instead of showing stored findings.")]
    = False,
) -> None:
    """Print the findings of the checks on the current reports as a table.

    Example: workbench check --year 2023 --agency 平潭 --severity error
    """
    from workbench.checks.output import format_findings_table
    from workbench.store import recheck_findings, stored_findings
    from workbench.store.findings import scope_notes

    if severity is not None and severity not in SEVERITIES:
        _err(f"workbench check: 未知的 --severity {severity!r}，可选：{'、'.join(SEVERITIES)}")
        raise typer.Exit(2)
    try:
        rows = (recheck_findings if rerun else stored_findings)(db, year, agency)
        for note in scope_notes(db, year, agency):
            _err(f"workbench check: {note}")
    except _known_errors() as exc:
        _err(f"workbench check: {exc}")
        raise typer.Exit(1) from None
    if severity:
        rows = [r for r in rows if r["severity"] == severity]
    # What the workbench could not read is its own problem, never the agency's: listed apart.
    own = [r for r in rows if r.get("source") == "parse"]
    agencies = [r for r in rows if r.get("source") != "parse"]
    _out("机关报告问题（checks）:\n" + format_findings_table(agencies))
    if own:
        _out("\n本工具读取问题（parse / read.*，不是机关的问题，请人工核对原文）:\n" + format_findings_table(own))
    dismissed = [r for r in agencies if r.get("review") == "dismissed"]
    counted = [r for r in agencies if r.get("review") != "dismissed"]
    counts = {s: sum(r["severity"] == s for r in counted) for s in SEVERITIES}
    _out(f"\n{len(counted)} finding(s): " + ", ".join(f"{n} {s}" for s, n in counts.items())
         + (f"; {len(dismissed)} dismissed on review (已排除，不计入)" if dismissed else "")
         + f"; {len(own)} reading note(s) of the workbench's own")


@app.command()
def query(
    name: Annotated[str | None, typer.Argument(help="A query in queries/, e.g. penalties_trend.")] = None,
    param: Annotated[list[str] | None, typer.Option("--param", "-p", help="NAME=VALUE, repeatable.")] = None,
    db: DbOption = Path("data/workbench.duckdb"),
    csv: Annotated[bool, typer.Option("--csv", help="Print CSV instead of a table.")] = False,
) -> None:
    """Run a named query from queries/*.sql (without a name: list them with their parameters).

    Example: workbench query request_outcomes_by_year -p year=2023
    """
    import polars as pl

    from workbench.store import list_queries, run_query

    if name is None:
        for q in list_queries():
            params = " ".join(f"{p.name}={p.default if p.default is not None else ''}" for p in q.params)
            _out(f"{q.name:32} {q.answers}" + (f"  [{params}]" if params else ""))
        return
    values = dict(item.partition("=")[::2] for item in param or [])
    try:
        frame = run_query(name, values, db)
    except _known_errors() as exc:
        _err(f"workbench query: {exc}")
        raise typer.Exit(1) from None
    if csv:
        sys.stdout.write(frame.write_csv())
    else:
        with pl.Config(tbl_rows=200, tbl_cols=30, fmt_str_lengths=60, tbl_width_chars=200):
            _out(str(frame))


@app.command()
def narrative(
    db: DbOption = Path("data/workbench.duckdb"),
    year: YearOption = None,
    agency: AgencyOption = None,
    refresh: Annotated[bool, typer.Option(help="Re-tag and re-compare the stored items first "
                                          "(after editing the taxonomy; no re-ingest needed).")] = False,
    taxonomy: Annotated[Path | None, typer.Option(help="A taxonomy YAML to tag with (implies --refresh).")]
    = None,
    limit: Annotated[int, typer.Option(help="Rows per list.")] = 10,
) -> None:
    """Section 五 across agencies and years: themes, repeated problems, copied sections.

    Example: workbench narrative --year 2024 --agency 平潭
             workbench narrative --refresh --taxonomy my-themes.yaml
    """
    from workbench.narrative.store import refresh_db
    from workbench.narrative.summary import narrative_summary
    from workbench.narrative.taxonomy import TaxonomyError, load_taxonomy
    from workbench.store import connect
    from workbench.store.connect import marked_stale

    try:
        if refresh or taxonomy:
            counts = refresh_db(db, load_taxonomy(taxonomy) if taxonomy else None)
            _err(f"re-tagged {counts.items} items ({counts.distinct_texts} distinct texts): "
                 f"{counts.narrative_tags} tags, {counts.narrative_matches} item matches, "
                 f"{counts.section_similarity} section scores, {counts.repeated_problems} repeated problems")
        with connect(db) as con:
            if marked_stale(con):
                _err("note: 叙述比较尚未更新完成 — the section 五 tables are behind the loaded reports (a refresh was"
                     " interrupted or not run); `workbench narrative --refresh` or the next ingest brings them up to date")
            _out(narrative_summary(con, year=year, agency=agency, limit=limit))
    except (TaxonomyError, *_known_errors()) as exc:
        _err(f"workbench narrative: {exc}")
        raise typer.Exit(1) from None


@app.command()
def export(
    fmt: Annotated[str, typer.Option("--format", help="csv, xlsx or parquet.")] = "csv",
    db: DbOption = Path("data/workbench.duckdb"),
    year: YearOption = None,
    out: Annotated[Path, typer.Option(help="Folder to write into.")] = Path("export"),
    keys: Annotated[bool, typer.Option("--keys", help="English keys (natural_person …) as headers and sheet "
                                       "names, for scripts; default: the template's Chinese labels.")] = False,
) -> None:
    """Write the store's tables (current revisions) for people who work in Excel.

    Example: workbench export --format xlsx --year 2023 --out briefing/
    """
    from workbench.store import export_tables

    try:
        written = export_tables(db, fmt, out, year, keys=keys)
    except _known_errors() as exc:
        _err(f"workbench export: {exc}")
        raise typer.Exit(1) from None
    for path in written:
        _out(str(path))


@app.command()
def digest(
    year: Annotated[str, typer.Option(help="Year the reports cover, or 'latest' (the most recent year with most reports in).")]
    = "latest",
    db: DbOption = Path("data/workbench.duckdb"),
    out: Annotated[Path, typer.Option(help="Folder for digest-YEAR/ (created if missing).")] = Path("out"),
    docx: Annotated[bool, typer.Option("--docx", help="Also write briefing.docx (headline figures, key charts).")]
    = False,
    agency: AgencyOption = None,
    region: Annotated[str | None, typer.Option(help="Only agencies whose region contains this text, e.g. 淮安市.")]
    = None,
) -> None:
    """Run notebooks/digest.ipynb and publish out/digest-YEAR/: the executed notebook, digest.html
    (no code, works offline), charts/*.png (2x) and *.svg, digest.json, and with --docx briefing.docx.

    The folder is replaced only when the run succeeds; a second run at the same time is refused.
    Example: workbench digest --year latest --docx
    """
    from workbench.digest import run_digest

    try:
        result = run_digest(db, year, out=out, docx=docx, agency=agency, region=region)
    except _known_errors() as exc:
        _err(f"workbench digest: {exc}")
        raise typer.Exit(1) from None
    _out(result.summary())


@app.command()
def lab(
    db: DbOption = Path("data/workbench.duckdb"),
    port: Annotated[int | None, typer.Option(help="Port for JupyterLab (default: its own choice).")] = None,
    no_browser: Annotated[bool, typer.Option("--no-browser", help="Do not open a browser.")] = False,
    jupyter_args: Annotated[list[str] | None,
                            typer.Argument(help="More JupyterLab options, after --, e.g. -- --allow-root.")] = None,
) -> None:
    """Open JupyterLab on notebooks/ (digest, explore, agency) with WORKBENCH_DB set to --db.

    Example: workbench lab --no-browser -- --allow-root
    """
    from workbench.digest import launch_lab

    try:
        code = launch_lab(db, port=port, no_browser=no_browser, extra=jupyter_args or [])
    except _known_errors() as exc:
        _err(f"workbench lab: {exc}")
        raise typer.Exit(2) from None
    raise typer.Exit(code)


@app.command()
def demo(
    data: Annotated[Path, typer.Option(help="Data folder: real/ is read, synthetic/ is generated.")] = Path("data"),
    db: DbOption = Path("data/workbench.duckdb"),
    out: Annotated[Path, typer.Option(help="Where digest-YEAR/ goes.")] = Path("out"),
    agencies: Annotated[int, typer.Option(help="Synthetic agencies to generate (2019–2024 each).")] = 40,
    workers: Annotated[int | None, typer.Option(help="Parse processes (default: all cores).")] = None,
) -> None:
    """The first run: generate the bundled synthetic corpus (once, fixed seed), ingest it with
    data/real, and write the digest for the latest year with its Word briefing pack.

    Example: workbench demo --agencies 40
    """
    from workbench.digest.first_run import first_run

    try:
        result = first_run(data, db, out, agencies=agencies, workers=workers, say=_out)
    except (ValueError, *_known_errors()) as exc:
        _err(f"workbench demo: {exc}")
        raise typer.Exit(1) from None
    digest = result.digest
    _out(f"\ndone in {result.seconds:.0f} s. Open {digest.folder / 'digest.html'}"
         + (f"; Word pack {digest.docx}" if digest.docx else "")
         + f"; charts in {digest.folder / 'charts'}")


register_followup(app)  # review, correct, roster, rectify: workbench/cli_followup.py

if __name__ == "__main__":
    app()
