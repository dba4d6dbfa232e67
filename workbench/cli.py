"""The ``workbench`` command: a thin layer over the package's Python API.

    workbench parse REPORT.pdf                 # readable summary
    workbench parse REPORT.html --json         # exactly the report record
    workbench parse data/real                  # every report under a folder
    workbench synth OUT --agencies 5 --years 2019-2024 --seed 1
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from workbench.checks import check_report
from workbench.parse import ReportRecord, parse_file
from workbench.parse.identities import identity_results
from workbench.sources import SourceError, iter_report_files

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Read, check and compare 政府信息公开工作年度报告 (annual reports on open government information).")


def _out(text: str) -> None:
    sys.stdout.write(text + "\n")


def _err(text: str) -> None:
    sys.stderr.write(text + "\n")


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
    warnings = [f for f in record.findings if f.severity != "info"]
    warnings += [f for f in check_report(record) if f.severity != "info" and not f.rule.startswith(
        ("requests.", "review."))]  # identities are summarised on the line above
    lines = [
        f"{path}",
        f"  {record.agency or '(agency not found)'} · {record.year or '?'} · template {record.template or '?'}"
        f" · published {record.published_on or '?'} · {record.source.format}",
        f"  cells filled {record.filled_cells()}/{cells} · identities {passed} passed, {len(failed)} failed"
        f", {len(results) - passed - len(failed)} untestable (blank cells)"
        f" · submitted_info {len(record.submitted_info)} · problems {len(record.problems)}"
        f" · improvements {len(record.improvements)}",
    ]
    lines += [f"  identity failed: {name}" for name in failed[:5]]
    if len(failed) > 5:
        lines.append(f"  … and {len(failed) - 5} more failed identities")
    lines += [f"  {f.severity} [{f.rule}]: {f.message}" for f in warnings[:5]]
    if len(warnings) > 5:
        lines.append(f"  … and {len(warnings) - 5} more findings (see --json)")
    return "\n".join(lines)


@app.command()
def synth(
    outdir: Annotated[Path, typer.Argument(help="Folder to write the generated reports into.")],
    agencies: Annotated[int, typer.Option(help="How many agencies.")] = 10,
    years: Annotated[str, typer.Option(help="Year range, e.g. 2019-2024.")] = "2019-2024",
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same corpus.")] = 1,
    formats: Annotated[str, typer.Option(help="Comma-separated formats.")] = "pdf,html,docx,txt",
) -> None:
    """Generate synthetic annual reports (marked synthetic) with a ground-truth record beside each."""
    from workbench.synth import generate

    first, _, last = years.partition("-")
    try:
        year_range = range(int(first), int(last or first) + 1)
    except ValueError:
        _err(f"workbench synth: --years must look like 2019-2024, not {years!r}")
        raise typer.Exit(2) from None
    reports = generate(outdir, agencies=agencies, years=year_range, seed=seed,
                       formats=[f.strip() for f in formats.split(",") if f.strip()])
    _out(f"wrote {len(reports)} synthetic reports (each with a .expected.json) to {outdir}")


if __name__ == "__main__":
    app()
