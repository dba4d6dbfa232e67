"""Rules on the tables themselves: the 勾稽 identities, blank tables, the template's year.

The identities are decided by ``workbench.parse.identities.identity_results`` (the
same arithmetic the parser uses); here they only become findings with both sides
of the equation in the message.
"""

from __future__ import annotations

from collections.abc import Iterator

from workbench.checks.grid import (
    REVIEW_PARTS,
    applicant_label,
    item_label,
    proceeding_label,
    request_row_label,
    review_blocks,
    show,
    sum_filled,
)
from workbench.checks.registry import CheckFinding, Context, check
from workbench.parse.tables import unread_keys

# The names identity_results gives each identity: "<key>: <suffix>".
_FLOW = "new + carried over = processed + carried forward"
_OUTCOMES = "总计 = sum of outcomes"
_ROW = "总计 = sum of applicant columns"
_REVIEW = "总计 = sum of results"

_TABLE_NAMES = {"active": "表二", "requests": "表三", "review": "表四"}
# A blank-table finding is about the table (the blank cells change when one is corrected).
_STORE_TABLES = {"active": "active_disclosure", "requests": "requests", "review": "review_litigation"}


def _failed(ctx: Context, suffix: str) -> list[str]:
    """Keys (applicant, row or proceeding) whose identity of this kind fails."""
    return [name.split(": ", 1)[0] for name, ok in ctx.identities
            if ok is False and name.endswith(": " + suffix)]


@check("requests.column_flow")
def column_flow(ctx: Context) -> Iterator[CheckFinding]:
    table = ctx.requests
    for applicant in _failed(ctx, _FLOW):
        inflow = sum_filled([table.cell("new_received", applicant), table.cell("carried_over", applicant)])
        outflow = sum_filled([table.cell("total_processed", applicant), table.cell("carried_forward", applicant)])
        yield ctx.finding(
            f"表三 {applicant_label(applicant)}列：新收+上年结转={show(inflow)}，"
            f"办理结果总计+结转下年={show(outflow)}",
            expected=inflow, actual=outflow,
            cells=tuple(f"requests.{row}.{applicant}"
                        for row in ("new_received", "carried_over", "total_processed", "carried_forward")))


@check("requests.outcome_sum")
def outcome_sum(ctx: Context) -> Iterator[CheckFinding]:
    table = ctx.requests
    for applicant in _failed(ctx, _OUTCOMES):
        parts = sum_filled([table.cell(row, applicant) for row in table.outcome_rows()])
        total = table.cell("total_processed", applicant)
        yield ctx.finding(
            f"表三 {applicant_label(applicant)}列：各项办理结果之和={show(parts)}，（七）总计={show(total)}",
            expected=parts, actual=total, cells=(f"requests.total_processed.{applicant}",))


@check("requests.row_total")
def row_total(ctx: Context) -> Iterator[CheckFinding]:
    table = ctx.requests
    for row in _failed(ctx, _ROW):
        values = table.rows[row]
        parts = sum_filled(values[:-1])
        yield ctx.finding(
            f"表三 {request_row_label(row)}行：六类申请人之和={show(parts)}，总计列={show(values[-1])}",
            expected=parts, actual=values[-1], cells=(f"requests.{row}.total",))


@check("review.total")
def review_total(ctx: Context) -> Iterator[CheckFinding]:
    blocks = review_blocks(ctx.record)
    for proceeding in _failed(ctx, _REVIEW):
        block = blocks[proceeding]
        parts = sum_filled([block.get(k) for k in REVIEW_PARTS])
        shown = ",".join(show(block.get(k)) for k in REVIEW_PARTS)
        yield ctx.finding(
            f"表四 {proceeding_label(proceeding)}：维持+纠正+其他+尚未审结（{shown}）={show(parts)}，"
            f"总计={show(block.get('total'))}",
            expected=parts, actual=block.get("total"), cells=(f"review_litigation.{proceeding}.total",))


# --- blank tables -----------------------------------------------------------------

@check("tables.blank")
def blank_tables(ctx: Context) -> Iterator[CheckFinding]:
    record = ctx.record
    tables = {
        "active": [(c.item, c.value, c.unread) for c in record.active_disclosure],
        "requests": [(c.row, c.value, c.unread) for c in record.requests],
        "review": [(c.proceeding, c.value, c.unread) for c in record.review_litigation],
    }
    severities = ctx.rule.params["severities"]
    for section, cells in tables.items():
        if not cells:
            continue  # no table at all: the parser's parse.no_template / missing rows say so
        # A cell the workbench could not read is unknown, never blank (a store written before
        # cells carried ``unread`` still says so through the parser's findings).
        unread_rows = unread_keys(record.findings, section, {key for key, _, _ in cells})
        counted = [(key, value) for key, value, unread in cells if not unread and key not in unread_rows]
        if not counted:
            continue  # nothing read: the workbench's read.* finding says so, not the agency's
        blank = [key for key, value in counted if value is None]
        if not blank:
            continue
        name = _TABLE_NAMES[section]
        note = f"；另有{len(cells) - len(counted)}格本工具未能读出，未计入" if len(counted) < len(cells) else ""
        if len(blank) == len(cells):  # every cell read, and read blank
            yield ctx.finding(f"{name} 整表空白：{len(cells)}格均未填写（模板要求填数，0也应填写）",
                              expected=f"{len(cells)}格填数", actual="0格填数",
                              severity=severities[section]["all"], cells=(_STORE_TABLES[section],))
            continue
        keys = list(dict.fromkeys(blank))
        yield ctx.finding(
            f"{name} 有{len(blank)}/{len(cells)}格空白（空白≠0），涉及{len(keys)}行：{_row_names(section, keys)}{note}",
            expected=f"{len(counted)}格填数", actual=f"{len(counted) - len(blank)}格填数",
            severity=severities[section]["part"], cells=(_STORE_TABLES[section],))


def _row_names(section: str, keys: list[str], limit: int = 5) -> str:
    label = {"active": item_label, "requests": request_row_label, "review": proceeding_label}[section]
    names = "、".join(label(k) for k in keys[:limit])
    return names + (f" 等{len(keys)}行" if len(keys) > limit else "")


# --- template and year ------------------------------------------------------------

@check("template.year_mismatch")
def template_year(ctx: Context) -> Iterator[CheckFinding]:
    record, params = ctx.record, ctx.rule.params
    if record.year is None or record.template is None:
        return
    first_new = params["first_year_new"]
    if record.year >= first_new and record.template == params["old_template"]:
        yield ctx.finding(
            f"{record.year}年度报告仍使用旧模板（国办公开办函〔2019〕60号），{first_new}年度起应使用新模板",
            expected=params["new_template"], actual=record.template, severity=params["old_on_new_years"],
            cells=("report.template",))
    elif record.year < first_new and record.template == params["new_template"]:
        yield ctx.finding(
            f"{record.year}年度报告使用了{first_new}年度起才适用的新模板（国办公开办函〔2021〕30号）",
            expected=params["old_template"], actual=record.template, severity=params["new_on_old_years"],
            cells=("report.template",))
