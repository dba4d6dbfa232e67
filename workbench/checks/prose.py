"""Section 一 (总体情况) restates table figures in words; check that the words agree.

Conservative by design: a number is compared only when the phrase around it names
the quantity unmistakably (…政府信息公开申请N件, 办结N件, 行政复议N件) in a sentence
about requests (申请) or about 信息公开 (for 复议/诉讼). Everything else in the
overview — 报送信息266条, 群众诉求259起 — is left alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from workbench.checks.grid import (
    RequestTable,
    block_value,
    review_blocks,
    show,
    sum_filled,
)
from workbench.checks.registry import CheckFinding, Context, check
from workbench.parse.record import Number
from workbench.textnorm import compact

_MID = r"[^。,;:!?\d]"  # text inside one clause, no numbers (after NFKC: ，→, ；→; ：→:)
_KIND = r"(?:政府信息公开|依申请公开|信息公开)"
_REQ = _KIND + "申请"
_ALL = r"(?:共计|合计|总计|共)?"
_N = r"(?<![\d.])(\d+)"

# quantity -> patterns; each pattern's last group is the number.
_PATTERNS: dict[str, list[str]] = {
    "received_new": [rf"新收{_MID}{{0,24}}?{_REQ}{_ALL}{_N}件"],
    "received": [
        rf"(?:受理|收到|接收|接到){_MID}{{0,24}}?{_REQ}{_ALL}{_N}件",
        rf"(?:受理|收到|接收|接到)(?:各类|了)?{_N}件{_KIND}?申请",
    ],
    "handled": [rf"办理(?:了)?{_MID}{{0,12}}?{_REQ}{_ALL}{_N}件"],
    "processed": [rf"(?:办结|答复)(?:了)?(?:{_REQ}|依申请公开|申请)?{_ALL}{_N}件"],
    "carried_over": [rf"上一?年度?结转(?:的)?(?:{_REQ}|申请)?{_ALL}{_N}件"],
    "carried_forward": [
        rf"{_N}件(?:申请)?(?:结转|转入)(?:至|到)?下一?年度?",
        rf"结转(?:至|到)?(?:下一?年度?|\d{{4}}年度?)(?:继续办理)?(?:的)?(?:申请)?{_ALL}{_N}件",
        rf"{_N}件{_MID}{{0,16}}?顺延(?:到|至)下一?年度?",
    ],
    "granted_partial": [rf"予以公开(?:和|及|与|、|或)部分公开{_ALL}{_N}件"],
    "granted": [rf"(?<!不)予以公开{_ALL}{_N}件"],
    "partial": [rf"(?<![和及与、或])部分公开{_ALL}{_N}件"],
    "denied": [rf"不予公开{_ALL}{_N}件"],
    "unable": [rf"无法提供{_ALL}{_N}件"],
    "not_processed": [rf"不予处理{_ALL}{_N}件"],
    "other": [rf"其他处理{_ALL}{_N}件"],
    # 行政复议、行政诉讼共N件 is a combined count: never taken for either.
    "review": [rf"(?<!诉讼[、和及与])行政复议(?:案件|申请)?{_ALL}{_N}(?:件|起|宗)"],
    "litigation": [rf"(?<!复议[、和及与])(?<!复议[、和及与]行政)(?:行政)?诉讼(?:案件)?{_ALL}{_N}(?:件|起|宗)"],
}
_REQUEST_QUANTITIES = {"received_new", "received", "handled", "processed", "carried_over",
                       "carried_forward"}
_OUTCOME_QUANTITIES = {"granted_partial", "granted", "partial", "denied", "unable",
                       "not_processed", "other"}
_CASE_QUANTITIES = {"review", "litigation"}
_COMPILED = {q: [re.compile(p) for p in ps] for q, ps in _PATTERNS.items()}
_SENTENCE = re.compile(r"[^。!?]+[。!?]?")


@dataclass(frozen=True)
class Statement:
    quantity: str
    number: int
    phrase: str


@lru_cache(maxsize=512)
def statements(overview: str) -> tuple[Statement, ...]:
    """Every figure the overview states about requests, outcomes and cases, in order."""
    sentences = [m.group(0) for m in _SENTENCE.finditer(compact(overview))]
    found: list[Statement] = []
    for index, sentence in enumerate(sentences):
        previous = sentences[index - 1] if index else ""
        for quantity, patterns in _COMPILED.items():
            if not _in_context(quantity, sentence, previous):
                continue
            for pattern in patterns:
                for match in pattern.finditer(sentence):
                    found.append(Statement(quantity, int(match.group(match.lastindex or 0)), match.group(0)))
    return tuple(dict.fromkeys(found))  # the same phrase twice is one statement


def _in_context(quantity: str, sentence: str, previous: str) -> bool:
    if quantity in _REQUEST_QUANTITIES:
        return "申请" in sentence
    if quantity in _OUTCOME_QUANTITIES:  # outcome lists often follow the sentence about requests
        return "申请" in sentence or "申请" in previous
    return "信息公开" in sentence


def _stated(ctx: Context, *quantities: str) -> list[Statement]:
    return [s for s in statements(ctx.record.sections.get("overview") or "") if s.quantity in quantities]


def _mismatch(ctx: Context, statement: Statement, table_text: str, values: list[Number | None],
              cells: tuple[str, ...]) -> CheckFinding | None:
    """A finding when the stated number equals none of the table's readings of the quantity.

    ``cells``: the table cells compared; the finding is about them and the overview's statement.
    """
    candidates = [v for v in dict.fromkeys(values) if v is not None]
    if not candidates or statement.number in candidates:
        return None
    return ctx.finding(f"概述称“{statement.phrase}”，{table_text}",
                       expected=" 或 ".join(show(v) for v in candidates), actual=statement.number,
                       cells=(f"section.overview.{statement.quantity}", *cells))


@check("prose.requests_received")
def requests_received(ctx: Context) -> Iterator[CheckFinding]:
    table = ctx.requests
    new = table.row_value("new_received")
    both = sum_filled([new, table.row_value("carried_over")]) if new is not None else None
    for s in _stated(ctx, "received_new", "received", "handled"):
        if s.quantity == "received_new":
            found = _mismatch(ctx, s, f"表三 本年新收总计={show(new)}", [new], ("requests.new_received.total",))
        elif s.quantity == "handled":
            found = _mismatch(ctx, s, f"表三 新收+上年结转={show(both)}", [both],
                              ("requests.new_received.total", "requests.carried_over.total"))
        else:
            found = _mismatch(ctx, s, f"表三 本年新收总计={show(new)}，新收+上年结转={show(both)}", [new, both],
                              ("requests.new_received.total", "requests.carried_over.total"))
        if found:
            yield found


@check("prose.requests_processed")
def requests_processed(ctx: Context) -> Iterator[CheckFinding]:
    total = ctx.requests.row_value("total_processed")
    for s in _stated(ctx, "processed"):
        found = _mismatch(ctx, s, f"表三（七）总计={show(total)}", [total], ("requests.total_processed.total",))
        if found:
            yield found


@check("prose.requests_carried")
def requests_carried(ctx: Context) -> Iterator[CheckFinding]:
    table = ctx.requests
    rows = {"carried_over": ("上年结转", "carried_over"), "carried_forward": ("结转下年度继续办理", "carried_forward")}
    for s in _stated(ctx, *rows):
        label, row = rows[s.quantity]
        value = table.row_value(row)
        found = _mismatch(ctx, s, f"表三 {label}总计={show(value)}", [value], (f"requests.{row}.total",))
        if found:
            yield found


_OUTCOME_GROUPS = {
    "granted_partial": ("予以公开+部分公开", ("granted", "partially_granted")),
    "granted": ("予以公开", ("granted",)),
    "partial": ("部分公开", ("partially_granted",)),
    "denied": ("不予公开", ("denied_",)),
    "unable": ("无法提供", ("unable_",)),
    "not_processed": ("不予处理", ("not_processed_",)),
    "other": ("其他处理", ("other_",)),
}


def outcome_rows(table: RequestTable, quantity: str) -> list[str]:
    """The outcome rows of a group (named by key or key prefix)."""
    prefixes = _OUTCOME_GROUPS[quantity][1]
    return [r for r in table.outcome_rows() if any(r == p or (p.endswith("_") and r.startswith(p))
                                                  for p in prefixes)]


def outcome_value(table: RequestTable, quantity: str) -> Number | None:
    """The table's count for an outcome group."""
    return sum_filled([table.row_value(r) for r in outcome_rows(table, quantity)])


@check("prose.outcome_counts")
def outcome_counts(ctx: Context) -> Iterator[CheckFinding]:
    table = ctx.requests
    for s in _stated(ctx, *_OUTCOME_GROUPS):
        label = _OUTCOME_GROUPS[s.quantity][0]
        value = outcome_value(table, s.quantity)
        rows = tuple(f"requests.{r}.total" for r in outcome_rows(table, s.quantity))
        found = _mismatch(ctx, s, f"表三 {label}各行合计={show(value)}", [value], rows)
        if found:
            yield found


@check("prose.review_count")
def review_count(ctx: Context) -> Iterator[CheckFinding]:
    value = block_value(review_blocks(ctx.record).get("review", {}))
    for s in _stated(ctx, "review"):
        found = _mismatch(ctx, s, f"表四 行政复议总计={show(value)}", [value], ("review_litigation.review.total",))
        if found:
            yield found


@check("prose.litigation_count")
def litigation_count(ctx: Context) -> Iterator[CheckFinding]:
    blocks = review_blocks(ctx.record)
    direct = block_value(blocks.get("litigation_direct", {}))
    after = block_value(blocks.get("litigation_after_review", {}))
    value = sum_filled([direct, after])
    for s in _stated(ctx, "litigation"):
        found = _mismatch(ctx, s, f"表四 行政诉讼总计（直接起诉{show(direct)}+复议后起诉{show(after)}）={show(value)}",
                          [value], ("review_litigation.litigation_direct.total",
                                    "review_litigation.litigation_after_review.total"))
        if found:
            yield found
