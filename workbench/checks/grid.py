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


def cell_label(cell_id: str) -> str:
    """A finding's cell id in the report's own words, for people reading a list of findings.

        requests.granted.total                         → 表三 （一）予以公开 · 总计
        review_litigation.review.total                 → 表四 行政复议 · 总计
        active_disclosure.normative_documents.in_force → 表二 行政规范性文件 · 现行有效件数
        requests                                       → 表三（整表）
        report.published_on / section.problems         → 发布日期（…） / 第五部分 存在的主要问题及改进情况

    An id it does not know is returned as it is (never an error: the list must still print).
    """
    from workbench.checks.names import REPORT_FIELD_ZH, STATED_ZH, TABLE_ZH

    head, _, rest = cell_id.strip().partition(".")
    if head in TABLE_ZH:
        if not rest:
            return f"{TABLE_ZH[head]}（整表）"
        key, _, column = rest.partition(".")
        if head == "requests":
            where = f"{_request_row_in_table(key)} · {applicant_label(column)}" if column else _request_row_in_table(key)
        elif head == "review_litigation":
            where = f"{proceeding_label(key)} · {result_label(column)}" if column else proceeding_label(key)
        else:
            measure = layouts().measure_labels.get(column, column)
            where = f"{item_label(key)} · {measure}" if column else item_label(key)
        return f"{TABLE_ZH[head]} {where}"
    if head == "report" and rest:
        return REPORT_FIELD_ZH.get(rest, cell_id)
    if head == "section" and rest:
        key, _, stated = rest.partition(".")
        section = next((s for s in layouts().sections if s.key == key), None)
        if section is None:
            return cell_id
        name = f"第{section.ordinal}部分 {section.label}"
        return f"{name} · 正文所述{STATED_ZH.get(stated, stated)}" if stated else name
    return cell_id


def _request_row_in_table(key: str) -> str:
    """A section 三 row with its group: 4.保护第三方合法权益 is （三）不予公开's 4th reason."""
    rows = layouts().request_rows
    index = next((i for i, r in enumerate(rows) if r.key == key), None)
    if index is None:
        return key
    label = re.sub(r"^[一二三四五六七八九十]、", "", rows[index].label)
    if re.match(r"\d", label):
        group = next((r.label for r in reversed(rows[:index]) if r.label.startswith("（")), "")
        label = f"{group.split()[0]} {label}" if group else label
    return label if len(label) <= _LABEL_MAX + 8 else label[:_LABEL_MAX + 8] + "…"
