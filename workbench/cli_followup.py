"""The follow-up commands: review findings, correct misread cells, the roster, rectification lists.

    workbench review list --year 2024 --state open
    workbench review dismiss 3fa2c1d0 --note "机构改革，结转口径变化"
    workbench correct --agency 洪泽 --year 2023 --cell review_litigation.review.total --value 11
    workbench roster --year 2024
    workbench rectify --year 2024

A thin layer over workbench.store.reviews, workbench.store.corrections, workbench.store.roster
and workbench.digest.rectify, registered on the main ``workbench`` app by :func:`register`.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from workbench.cli_common import AgencyOption, DbOption, YearOption
from workbench.cli_common import err as _err
from workbench.cli_common import known_errors as _known_errors
from workbench.cli_common import out as _out


def register(app: typer.Typer) -> None:
    app.add_typer(review_app, name="review")
    for command in (correct, roster, rectify):
        app.command()(command)


review_app = typer.Typer(no_args_is_help=True, help="Confirm or dismiss findings, with who, when and why (复核).")
IdsArgument = Annotated[list[str], typer.Argument(help="Finding ids (as `workbench review list` shows them).")]
NoteOption = Annotated[str | None, typer.Option(help="Why (required to dismiss).")]
ByOption = Annotated[str | None, typer.Option("--by", help="Who decides (default: $WORKBENCH_USER or the login).")]


@review_app.command("list")
def review_list(
    db: DbOption = Path("data/workbench.duckdb"),
    year: YearOption = None,
    agency: AgencyOption = None,
    state: Annotated[str | None, typer.Option(help="open, confirmed or dismissed.")] = None,
) -> None:
    """List the checks' findings on current reports with their id and review state.

    Example: workbench review list --year 2024 --state open
    """
    from workbench.store.reviews import STATE_ZH, list_findings

    try:
        rows = list_findings(db, year, agency, state)
    except _known_errors() as exc:
        _err(f"workbench review: {exc}")
        raise typer.Exit(1) from None
    for row in rows:
        note = f"（{row['reviewer']} {row['reviewed_at']:%Y-%m-%d}：{row['review_note']}）" if row["review"] else ""
        _out(f"{row['finding_id']}  {row['agency_id']}  {row['year']}  {row['severity']:7}  "
             f"{STATE_ZH[row['review']]}{note}  {row['rule']}  {row['message']}")
    _out(f"{len(rows)} finding(s)")


def _decide(decision: str, ids: list[str], db: Path, note: str | None, by: str | None) -> None:
    from workbench.store.reviews import STATE_ZH, review_findings

    try:
        done = review_findings(db, ids, decision, note=note, reviewer=by)
    except _known_errors() as exc:
        _err(f"workbench review: {exc}")
        raise typer.Exit(1) from None
    for row in done:
        _out(f"{row['finding_id']}  {row['agency_id']} {row['year']} {row['rule']} → {STATE_ZH[row['review']]}"
             f"（{row['reviewer']}）")


@review_app.command("confirm")
def review_confirm(ids: IdsArgument, db: DbOption = Path("data/workbench.duckdb"), note: NoteOption = None,
                   by: ByOption = None) -> None:
    """Confirm findings: they go into 督办事项 and rectification lists whatever their severity.

    Example: workbench review confirm 3fa2c1d0 --note "已与原文核对"
    """
    _decide("confirm", ids, db, note, by)


@review_app.command("dismiss")
def review_dismiss(ids: IdsArgument, db: DbOption = Path("data/workbench.duckdb"), note: NoteOption = None,
                   by: ByOption = None) -> None:
    """Dismiss findings (a note says why); they stay dismissed across re-ingests and re-checks.

    Example: workbench review dismiss 3fa2c1d0 --note "机构改革，结转口径变化" --by 张三
    """
    _decide("dismiss", ids, db, note, by)


@review_app.command("reopen")
def review_reopen(ids: IdsArgument, db: DbOption = Path("data/workbench.duckdb"), note: NoteOption = None,
                  by: ByOption = None) -> None:
    """Take findings back to not reviewed.

    Example: workbench review reopen 3fa2c1d0
    """
    _decide("reopen", ids, db, note, by)


def correct(
    agency: AgencyOption = None,
    year: YearOption = None,
    cell: Annotated[str | None, typer.Option(help="The cell, table.row.column, e.g. requests.granted.total "
                                                  "(--show lists them).")] = None,
    value: Annotated[float | None, typer.Option(help="The value the report prints.")] = None,
    blank: Annotated[bool, typer.Option("--blank", help="The report leaves the cell blank.")] = False,
    clear: Annotated[bool, typer.Option("--clear", help="Withdraw the correction of this cell.")] = False,
    note: NoteOption = None,
    by: ByOption = None,
    show: Annotated[bool, typer.Option("--show", help="List the report's cells (ids, labels, values), "
                                                      "optionally only those starting with --cell.")] = False,
    db: DbOption = Path("data/workbench.duckdb"),
    registry: Annotated[Path | None, typer.Option(help="Agency registry CSV.")] = Path("data/agencies.csv"),
) -> None:
    """Correct a cell the workbench misread; the checks then judge the corrected record.

    The correction holds for the agency-year: re-ingesting the file keeps it (and says whether the new
    reading agrees). Without --agency/--year/--cell: list the corrections made.
    Example: workbench correct --agency 平潭 --year 2023 --show --cell active_disclosure.normative_documents
             workbench correct --agency 平潭 --year 2023 --cell active_disclosure.normative_documents.in_force \\
                 --value 52 --note "原文为52，文本版数字粘连"
    """
    from workbench.store.corrections import correct_cell, list_corrections, report_cells

    try:
        if show:
            if not agency or year is None:
                raise typer.BadParameter("--show 需要 --agency 和 --year")
            for cell_id, label, shown, unread in report_cells(db, agency, year, cell or ""):
                _out(f"{cell_id:58} {label:40} {'（未能读取）' if unread else ('空白' if shown is None else shown)}")
            return
        if not (agency or year is not None or cell):
            for row in list_corrections(db):
                what = "撤销更正" if row["cleared"] else f"{row['read_value']} → {row['value']}"
                _out(f"{row['corrected_at']:%Y-%m-%d %H:%M}  {row['agency_id']}  {row['year']}  {row['cell']}  {what}"
                     f"  {row['corrected_by'] or ''}  {row['note'] or ''}")
            return
        if not agency or year is None or not cell:
            raise typer.BadParameter("更正需要 --agency、--year 和 --cell")
        if clear == (value is not None or blank):
            raise typer.BadParameter("请给出 --value N 或 --blank（更正），或 --clear（撤销），三者选一")
        filed = correct_cell(db, agency, year, cell, None if blank else value, note=note, by=by, clear=clear,
                             registry=registry)
        from workbench.narrative.store import refresh_if_stale

        refresh_if_stale(db)  # the corrected report is a new revision: bring section 五 up with it
    except typer.BadParameter as exc:
        _err(f"workbench correct: {exc}")
        raise typer.Exit(2) from None
    except _known_errors() as exc:
        _err(f"workbench correct: {exc}")
        raise typer.Exit(1) from None
    shown = "撤销更正，恢复为读取值" if filed.cleared else f"{filed.read} → {filed.value}"
    _out(f"{filed.agency_id} {filed.year}年度 {filed.label}（{filed.cell}）：{shown}；"
         f"当前记录为第{filed.revision}版，检查已按更正后的记录重新运行")


def roster(
    year: Annotated[int | None, typer.Option(help="The report year (default: the latest year in the store).")]
    = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Judge as of this date, YYYY-MM-DD (default: today).")]
    = None,
    db: DbOption = Path("data/workbench.duckdb"),
    import_file: Annotated[Path | None, typer.Option("--import", help="First store this list of bodies that must "
                                                     "report (CSV: name, optional level, kind, expected_from, "
                                                     "expected_to; UTF-8 or GB18030).")] = None,
    registry: Annotated[Path | None, typer.Option(help="Agency registry CSV, to resolve the list's names.")]
    = Path("data/agencies.csv"),
    csv: Annotated[bool, typer.Option("--csv", help="Print CSV instead of a table.")] = False,
) -> None:
    """Who was expected to report for a year: 已发布, 逾期发布, 未发布（已过期限）, 尚未到期.

    The bodies expected are the roster: data/agencies.csv rows with expected_from, and lists
    imported with --import (the same file imported again replaces its rows).
    Example: workbench roster --year 2024
             workbench roster --import 名册.csv --year 2024 --as-of 2025-04-01 --csv > 报送情况.csv
    """
    from datetime import date

    from workbench.store.roster import (
        import_roster,
        latest_year,
        parse_date,
        report_years,
        roster_sources,
        roster_status,
        roster_text,
    )

    try:
        when = parse_date(as_of) if as_of is not None else date.today()
        if import_file is not None:
            _err(import_roster(db, import_file, registry=registry).summary())
        shown = year if year is not None else latest_year(db)
        if shown is None:
            _err("workbench roster: 数据库中还没有任何年报：请先运行 workbench ingest，或用 --year 指定年度")
            raise typer.Exit(1)
        frame = roster_status(db, shown, as_of=when)
        sources = roster_sources(db)
        if shown not in (years := report_years(db)):
            _err(f"workbench roster: 数据库中没有{shown}年度的报告（已有年度：{'、'.join(map(str, years)) or '无'}）")
    except (ValueError, *_known_errors()) as exc:
        _err(f"workbench roster: {exc}")
        raise typer.Exit(1) from None
    if csv:
        sys.stdout.write(frame.write_csv())
        return
    _out(roster_text(frame, shown, when, bool(sources)))


def rectify(
    year: Annotated[int, typer.Option(help="The report year.")],
    agency: AgencyOption = None,
    out: Annotated[Path | None, typer.Option(help="Folder to write into (default: out/rectify-YEAR).")] = None,
    db: DbOption = Path("data/workbench.duckdb"),
    severity: Annotated[str, typer.Option(help="error (errors only) or warning (errors and warnings).")]
    = "error",
) -> None:
    """Rectification lists (整改清单): a Word document per agency with findings to rectify, and one
    Excel workbook of them all. The checks' errors (--severity warning: and warnings) and every
    finding confirmed on review; never one dismissed, never the workbench's own reading notes.

    Example: workbench rectify --year 2024 --agency 淮安 --out 整改/2024
    """
    from workbench.digest.rectify import SEVERITY_CHOICES, write_rectification

    if severity not in SEVERITY_CHOICES:
        _err(f"workbench rectify: 未知的 --severity {severity!r}，可选：{'、'.join(SEVERITY_CHOICES)}")
        raise typer.Exit(2)
    try:
        result = write_rectification(db, year, out=out, agency=agency, severity=severity)
    except _known_errors() as exc:
        _err(f"workbench rectify: {exc}")
        raise typer.Exit(1) from None
    for note in result.notes:
        _err(f"workbench rectify: {note}")
    _out(result.summary())


