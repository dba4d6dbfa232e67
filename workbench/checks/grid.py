"""Reading a record's tables as the checks need them: values by row and column, and labels."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from workbench.parse.identities import request_grid
from workbench.parse.record import Number, ReportRecord
from workbench.templates import layouts

REVIEW_PARTS = ("upheld", "corrected", "other", "pending")
_LABEL_MAX = 14


@dataclass
class RequestTable:
    rows: dict[str, list[Number | None]]  # row key -> values by applicant (total last)
    order: list[str]
    applicants: list[str]

    def cell(self, row: str, applicant: str) -> Number | None:
        if row not in self.rows or applicant not in self.applicants:
            return None
        return self.rows[row][self.applicants.index(applicant)]

    def column(self, applicant: str) -> dict[str, Number | None]:
        return {row: self.cell(row, applicant) for row in self.order}

    def outcome_rows(self) -> list[str]:
        """granted … the last 其他处理 row, as printed (single or split 其他处理)."""
        if "granted" not in self.order or "total_processed" not in self.order:
            return []
        return self.order[self.order.index("granted") : self.order.index("total_processed")]

    def row_value(self, row: str) -> Number | None:
        """A row's total: the 总计 cell, or, where the report left it blank, the sum of the
        applicant cells it did fill (Shanghai 2019 leaves every outcome row's 总计 blank)."""
        values = self.rows.get(row)
        if not values:
            return None
        if values[-1] is not None:
            return values[-1]
        return sum_filled(values[:-1])


def request_table(record: ReportRecord) -> RequestTable:
    rows, order, applicants = request_grid(record.requests)
    return RequestTable(rows, order, applicants)


def review_blocks(record: ReportRecord) -> dict[str, dict[str, Number | None]]:
    blocks: dict[str, dict[str, Number | None]] = {}
    for cell in record.review_litigation:
        blocks.setdefault(cell.proceeding, {})[cell.result] = cell.value
    return blocks


def block_value(block: dict[str, Number | None]) -> Number | None:
    """A proceeding's 总计, or the sum of the results it filled when 总计 is blank."""
    if block.get("total") is not None:
        return block["total"]
    return sum_filled([block.get(k) for k in REVIEW_PARTS])


def sum_filled(values: Sequence[Number | None]) -> Number | None:
    """The sum of the filled values; None when every one is blank (nothing to compare)."""
    filled = [v for v in values if v is not None]
    return sum(filled) if filled else None


def show(value: Number | None) -> str:
    if value is None:
        return "空白"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# --- labels ---------------------------------------------------------------------

def applicant_label(key: str) -> str:
    return {c.key: c.label for c in layouts().request_columns}.get(key, key)


def request_row_label(key: str) -> str:
    """A short form of the row's official label, enough to find it in the printed table."""
    label = {r.key: r.label for r in layouts().request_rows}.get(key, key)
    label = re.sub(r"^[一二三四五六七八九十]、", "", label)
    return label if len(label) <= _LABEL_MAX else label[:_LABEL_MAX] + "…"


def proceeding_label(key: str) -> str:
    return {p.key: p.label for p in layouts().proceedings}.get(key, key)


def result_label(key: str) -> str:
    return {r.key: r.label for r in layouts().results}.get(key, key)


def item_label(key: str) -> str:
    return {i.key: i.label for i in layouts().items}.get(key, key)
