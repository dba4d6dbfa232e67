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
from workbench.i18n import t
from workbench.i18n.clickui import Command, Group


def register(app: typer.Typer) -> None:
    app.add_typer(review_app, name="review")
    for command in (correct, roster, rectify):
        app.command(cls=Command)(command)


# Help texts: cmd.review.*, cmd.correct.* … and opt.ids, opt.note, opt.by in workbench/i18n/*.yaml.
review_app = typer.Typer(cls=Group, no_args_is_help=True)
IdsArgument = Annotated[list[str], typer.Argument()]
NoteOption = Annotated[str | None, typer.Option()]
ByOption = Annotated[str | None, typer.Option("--by")]


@review_app.command("list", cls=Command)
def review_list(
    db: DbOption = Path("data/workbench.duckdb"),
    year: YearOption = None,
    agency: AgencyOption = None,
    state: Annotated[str | None, typer.Option()] = None,
) -> None:
    from workbench.store.reviews import list_findings

    try:
        rows = list_findings(db, year, agency, state)
    except _known_errors() as exc:
        _err(t("cli.failed", command="review", detail=exc))
        raise typer.Exit(1) from None
    for row in rows:
        note = t("review.note", reviewer=row["reviewer"], date=f"{row['reviewed_at']:%Y-%m-%d}",
                 note=row["review_note"]) if row["review"] else ""
        _out(f"{row['finding_id']}  {row['agency_id']}  {row['year']}  {t('severity.' + row['severity']):7}  "
             f"{_state(row['review'])}{note}  {row['rule']}  {row['message']}")
    _out(t("review.count", count=len(rows)))


def _state(review: str | None) -> str:
    return t(f"review.state.{review or 'open'}")


def _decide(decision: str, ids: list[str], db: Path, note: str | None, by: str | None) -> None:
    from workbench.store.reviews import review_findings

    try:
        done = review_findings(db, ids, decision, note=note, reviewer=by)
    except _known_errors() as exc:
        _err(t("cli.failed", command="review", detail=exc))
        raise typer.Exit(1) from None
    for row in done:
        _out(t("review.decided", id=row["finding_id"], agency=row["agency_id"], year=row["year"], rule=row["rule"],
               state=_state(row["review"]), reviewer=row["reviewer"]))


@review_app.command("confirm", cls=Command)
def review_confirm(ids: IdsArgument, db: DbOption = Path("data/workbench.duckdb"), note: NoteOption = None,
                   by: ByOption = None) -> None:
    _decide("confirm", ids, db, note, by)


@review_app.command("dismiss", cls=Command)
def review_dismiss(ids: IdsArgument, db: DbOption = Path("data/workbench.duckdb"), note: NoteOption = None,
                   by: ByOption = None) -> None:
    _decide("dismiss", ids, db, note, by)


@review_app.command("reopen", cls=Command)
def review_reopen(ids: IdsArgument, db: DbOption = Path("data/workbench.duckdb"), note: NoteOption = None,
                  by: ByOption = None) -> None:
    _decide("reopen", ids, db, note, by)


def correct(
    agency: AgencyOption = None,
    year: YearOption = None,
    cell: Annotated[str | None, typer.Option()] = None,
    value: Annotated[float | None, typer.Option()] = None,
    blank: Annotated[bool, typer.Option("--blank")] = False,
    clear: Annotated[bool, typer.Option("--clear")] = False,
    note: NoteOption = None,
    by: ByOption = None,
    show: Annotated[bool, typer.Option("--show")] = False,
    db: DbOption = Path("data/workbench.duckdb"),
    registry: Annotated[Path | None, typer.Option()] = Path("data/agencies.csv"),
) -> None:
    from workbench.store.corrections import correct_cell, list_corrections, report_cells

    try:
        if show:
            if not agency or year is None:
                raise typer.BadParameter(t("correct.show_needs"))
            for cell_id, label, shown, unread in report_cells(db, agency, year, cell or ""):
                _out(f"{cell_id:58} {label:40} "
                     f"{t('correct.unread') if unread else (t('correct.blank') if shown is None else shown)}")
            return
        if not (agency or year is not None or cell):
            for row in list_corrections(db):
                what = t("correct.withdrawn") if row["cleared"] else f"{row['read_value']} → {row['value']}"
                _out(f"{row['corrected_at']:%Y-%m-%d %H:%M}  {row['agency_id']}  {row['year']}  {row['cell']}  {what}"
                     f"  {row['corrected_by'] or ''}  {row['note'] or ''}")
            return
        if not agency or year is None or not cell:
            raise typer.BadParameter(t("correct.needs"))
        if clear == (value is not None or blank):
            raise typer.BadParameter(t("correct.one_of"))
        filed = correct_cell(db, agency, year, cell, None if blank else value, note=note, by=by, clear=clear,
                             registry=registry)
        from workbench.narrative.store import refresh_if_stale

        refresh_if_stale(db)  # the corrected report is a new revision: bring section 五 up with it
    except typer.BadParameter as exc:
        _err(t("cli.failed", command="correct", detail=exc))
        raise typer.Exit(2) from None
    except _known_errors() as exc:
        _err(t("cli.failed", command="correct", detail=exc))
        raise typer.Exit(1) from None
    shown = t("correct.restored") if filed.cleared else f"{filed.read} → {filed.value}"
    _out(t("correct.done", agency=filed.agency_id, year=filed.year, label=filed.label, cell=filed.cell, shown=shown,
           revision=filed.revision))


def roster(
    year: Annotated[int | None, typer.Option()]
    = None,
    as_of: Annotated[str | None, typer.Option("--as-of")]
    = None,
    db: DbOption = Path("data/workbench.duckdb"),
    import_file: Annotated[Path | None, typer.Option("--import")] = None,
    registry: Annotated[Path | None, typer.Option()]
    = Path("data/agencies.csv"),
    csv: Annotated[bool, typer.Option("--csv")] = False,
) -> None:
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
            _err(t("roster.no_reports"))
            raise typer.Exit(1)
        frame = roster_status(db, shown, as_of=when)
        sources = roster_sources(db)
        if shown not in (years := report_years(db)):
            _err(t("roster.no_year", year=shown, years="、".join(map(str, years)) or t("roster.none")))
    except (ValueError, *_known_errors()) as exc:
        _err(t("cli.failed", command="roster", detail=exc))
        raise typer.Exit(1) from None
    if csv:
        sys.stdout.write(frame.write_csv())
        return
    _out(roster_text(frame, shown, when, bool(sources)))


def rectify(
    year: Annotated[int, typer.Option()],
    agency: AgencyOption = None,
    out: Annotated[Path | None, typer.Option()] = None,
    db: DbOption = Path("data/workbench.duckdb"),
    severity: Annotated[str, typer.Option()]
    = "error",
) -> None:
    from workbench.digest.rectify import SEVERITY_CHOICES, write_rectification

    if severity not in SEVERITY_CHOICES:
        _err(t("cli.unknown_choice", command="rectify", option="--severity", value=severity,
               choices="、".join(SEVERITY_CHOICES)))
        raise typer.Exit(2)
    try:
        result = write_rectification(db, year, out=out, agency=agency, severity=severity)
    except _known_errors() as exc:
        _err(t("cli.failed", command="rectify", detail=exc))
        raise typer.Exit(1) from None
    for note in result.notes:
        _err(t("cli.note", command="rectify", note=note))
    _out(result.summary())


