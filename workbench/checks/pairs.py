"""Rules across two consecutive years of the same agency's reports."""

from __future__ import annotations

from collections.abc import Iterator

from workbench.checks.grid import applicant_label, request_table, show
from workbench.checks.registry import CheckFinding, Context, check
from workbench.parse.record import Number, ReportRecord


@check("chain.carry_over")
def carry_over(ctx: Context) -> Iterator[CheckFinding]:
    previous = ctx.previous
    if previous is None:
        return
    this, last = ctx.requests, request_table(previous)
    for applicant in this.applicants:
        carried_over = this.cell("carried_over", applicant)
        carried_forward = last.cell("carried_forward", applicant)
        if carried_over is None or carried_forward is None or carried_over == carried_forward:
            continue
        yield ctx.finding(
            f"表三 {applicant_label(applicant)}列：本年“上年结转”={show(carried_over)}，"
            f"{previous.year}年报告“结转下年度继续办理”={show(carried_forward)}",
            expected=carried_forward, actual=carried_over, cells=(f"requests.carried_over.{applicant}",))


def _measures(record: ReportRecord, item: str) -> dict[str, Number | None]:
    return {c.measure: c.value for c in record.active_disclosure if c.item == item}


@check("stock.normative_documents")
def normative_documents(ctx: Context) -> Iterator[CheckFinding]:
    previous, params = ctx.previous, ctx.rule.params
    # 现行有效件数 exists only in the 2021 template (the 2019 one counts 对外公开总数量).
    if previous is None or ctx.record.template != "2021" or previous.template != "2021":
        return
    last = _measures(previous, "normative_documents").get("in_force")
    now = _measures(ctx.record, "normative_documents")
    issued, repealed, in_force = now.get("issued"), now.get("repealed"), now.get("in_force")
    if None in (last, issued, repealed, in_force):
        return
    expected = last + issued - repealed  # type: ignore[operator]
    if in_force == expected:
        return
    more = in_force > expected  # type: ignore[operator]
    yield ctx.finding(
        f"表二 规范性文件：上年现行有效{show(last)} + 本年制发{show(issued)} − 本年废止{show(repealed)}"
        f" = {show(expected)}，本年现行有效{show(in_force)}"
        + ("（多出部分既非上年存量也非本年制发）" if more else "（差额可能为有效期届满失效）"),
        expected=expected, actual=in_force,
        severity=params["more_severity"] if more else params["fewer_severity"],
        cells=("active_disclosure.normative_documents.in_force",))
