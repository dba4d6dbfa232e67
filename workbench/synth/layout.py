"""A format-neutral picture of one rendered report: text blocks and tables with merged cells.

Every renderer (HTML, DOCX, PDF, both TXT kinds) draws the same blocks, so the formats
differ only in what their medium does to a report. Tables follow the official
templates: merged label cells (三、本年度办理结果 over the outcome rows, （三）不予公开 over
its eight sub-rows, 法人或其他组织 over five columns). Labels come from
``workbench.templates.layouts()``; only the template's framing words (申请人情况, 信息内容,
第二十条第（一）项 …), which carry no data, are written here.

A :class:`Style` holds one document's typographic habits (full-width digits, thousands
separators, 1. or 1、, spaced header labels …); it changes how values look, never what
they are.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from decimal import Decimal

from workbench.synth.prose import NUM_CLOSE, NUM_OPEN, Para
from workbench.templates import layouts

FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
_NUM_MARK = re.compile(f"{NUM_OPEN}(-?[0-9.]+){NUM_CLOSE}")
_SUB_ORDINAL = re.compile(r"^(\d)\.")

# Which clause of 条例第二十条 each section 二 item belongs to (the official table's groups).
CLAUSES = {"regulations": "（一）", "normative_documents": "（一）", "licensing": "（五）",
           "other_services": "（五）", "penalties": "（六）", "enforcement": "（六）",
           "fees": "（八）", "procurement": "（九）"}
REQUEST_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
PARTIAL_NOTE = "（区分处理的，只计这一情形，不计其他情形）"


@dataclass
class Cell:
    text: str
    rowspan: int = 1
    colspan: int = 1
    kind: str = "label"  # label | header | value
    ref: tuple[str, str, str] | None = None  # (section, row/item/proceeding, column/measure/result)
    numeric: str = "int"  # for values: int | signed | decimal (what a digit run may hold)


@dataclass
class TableBlock:
    section: str  # active | requests | review
    rows: list[list[Cell]]  # origin cells only, row by row, as in HTML
    widths: list[float]  # column widths in points (A4 text width is about 480)

    @property
    def ncols(self) -> int:
        return len(self.widths)

    def positions(self) -> list[tuple[int, int, Cell]]:
        """(row, column, cell) of every origin cell, resolving row and column spans."""
        taken: set[tuple[int, int]] = set()
        out = []
        for r, row in enumerate(self.rows):
            c = 0
            for cell in row:
                while (r, c) in taken:
                    c += 1
                out.append((r, c, cell))
                taken.update((r + i, c + j) for i in range(cell.rowspan) for j in range(cell.colspan))
                c += cell.colspan
        return out


@dataclass
class TextBlock:
    text: str
    role: str  # title | heading | subheading | body | sign | date


Block = TextBlock | TableBlock


@dataclass
class Style:
    fullwidth: bool = False
    thousands: bool = False
    sub_ordinal: str = "."
    normative_label: str = "行政规范性文件"
    spaced_headers: bool = False
    partial_note: bool = True
    procurement_unit: str = ""  # "" | 元 | 万元
    split_active: bool = False  # section 二 as one small table per clause
    narrow_labels: bool = False  # table 三's label columns squeezed: labels wrap two characters a line
    spaced_date: bool = False
    extras: dict[str, object] = field(default_factory=dict)  # renderer-specific habits


def make_style(rng: random.Random, template: str) -> Style:
    old_label = rng.random() < (0.8 if template == "2019" else 0.15)
    return Style(
        fullwidth=rng.random() < 0.12,
        thousands=rng.random() < 0.15,
        sub_ordinal=rng.choices((".", "、", "．"), (7, 2, 1))[0],
        normative_label="规范性文件" if old_label else "行政规范性文件",
        spaced_headers=rng.random() < 0.2,
        partial_note=rng.random() < 0.9,
        procurement_unit=rng.choice(("", "元", "元", "万元")),
        split_active=rng.random() < 0.2,
        spaced_date=rng.random() < 0.15,
    )


# ---------------------------------------------------------------- numbers and text
def format_number(value: int | float | None, style: Style, thousands: bool | None = None) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        text = f"{value:,.2f}" if (style.thousands if thousands is None else thousands) else f"{value:.2f}"
        text = text.rstrip("0").rstrip(".")
    else:
        text = f"{value:,}" if (style.thousands if thousands is None else thousands) else str(value)
    return text.translate(FULLWIDTH) if style.fullwidth else text


def format_text(text: str, style: Style) -> str:
    """Prose with its number marks replaced by numbers written in this document's style."""
    def one(match: re.Match[str]) -> str:
        raw = match.group(1)
        value: int | float = float(raw) if "." in raw else int(raw)
        return format_number(value, style)
    return _NUM_MARK.sub(one, text)


def _spaced(label: str, style: Style) -> str:
    return " ".join(label) if style.spaced_headers and len(label) <= 6 else label


def _sub_label(label: str, style: Style) -> str:
    """Row labels numbered 1. may print as 1、 or 1．."""
    return _SUB_ORDINAL.sub(lambda m: m.group(1) + style.sub_ordinal, label)


# ---------------------------------------------------------------- the report as blocks
def build_blocks(report: dict, prose: dict, style: Style) -> list[Block]:
    """Title, six sections with their tables, and the 落款 — in reading order."""
    blocks: list[Block] = [TextBlock(line, "title") for line in prose["title"]]
    blocks += [TextBlock(format_text(p.text, style), p.role) for p in prose["preamble"]]
    sections = {s.key: f"{s.ordinal}、{s.label}" for s in layouts().sections}
    blocks.append(TextBlock(sections["overview"], "heading"))
    blocks += _paras(prose["overview"], style)
    blocks.append(TextBlock(sections["active"], "heading"))
    blocks += active_tables(report, style)
    blocks.append(TextBlock(sections["requests"], "heading"))
    blocks.append(requests_table(report, style))
    blocks.append(TextBlock(sections["review"], "heading"))
    blocks.append(review_table(report, style))
    blocks.append(TextBlock(sections["problems"], "heading"))
    blocks += _paras(prose["problems"], style)
    blocks.append(TextBlock(sections["other"], "heading"))
    blocks += _paras(prose["other"], style)
    blocks.append(TextBlock(report["agency"], "sign"))
    blocks.append(TextBlock(_date_text(prose["date"], style), "date"))
    return blocks


def _paras(paras: list[Para], style: Style) -> list[TextBlock]:
    return [TextBlock(format_text(p.text, style), p.role) for p in paras]


def _date_text(text: str, style: Style) -> str:
    if style.spaced_date:
        text = re.sub(r"年(\d)", r"年 \1", text).replace("月", "月 ")
        text = re.sub(r"月 (\d+)日", r"月 \1日", text)
    return text.translate(FULLWIDTH) if style.fullwidth else text


def measure_label(template: str, measure: str) -> str:
    """The column header as the template prints it: 2021 says 本年处理决定数量, found among its markers."""
    label = layouts().measure_labels[measure]
    marks = [m for m in layouts().markers[template] if m.endswith(label) and m != label]
    return marks[0] if marks else label


def _cells_by_key(report: dict, section: str, key_a: str, key_b: str) -> dict[tuple[str, str], object]:
    return {(row[key_a], row[key_b]): row["value"] for row in report[section]}


def active_tables(report: dict, style: Style) -> list[TableBlock]:
    """Section 二: one table of 4 columns, or one small table per clause of 第二十条."""
    template = report["template"]
    values = _cells_by_key(report, "active_disclosure", "item", "measure")
    groups: dict[str, list[list[Cell]]] = {}
    for item, measures in layouts().item_measures(template):
        clause = CLAUSES[item.key]
        if clause not in groups:
            header = [Cell("信息内容", kind="header")] + _spread(
                [Cell(measure_label(template, m), kind="header") for m in measures])
            groups[clause] = [[Cell(f"第二十条第{clause}项", colspan=4, kind="header")], header]
        label = style.normative_label if item.key == "normative_documents" else item.label
        cells = [Cell(_active_value(values[(item.key, m)], item.key, m, style), kind="value",
                      ref=("active_disclosure", item.key, m), numeric=_numeric_kind(m))
                 for m in measures]
        groups[clause].append([Cell(label)] + _spread(cells))
    widths = [150.0, 110.0, 110.0, 110.0]
    if style.split_active:
        return [TableBlock("active", rows, widths) for rows in groups.values()]
    return [TableBlock("active", [row for rows in groups.values() for row in rows], widths)]


def _spread(cells: list[Cell]) -> list[Cell]:
    """Fit one to three cells into three columns: a single value spans all three."""
    if len(cells) == 1:
        cells[0].colspan = 3
    elif len(cells) == 2:
        cells[1].colspan = 2
    return cells


def _numeric_kind(measure: str) -> str:
    return {"change": "signed", "amount_10k_yuan": "decimal", "amount_yuan": "decimal"}.get(measure, "int")


def _active_value(value: object, item: str, measure: str, style: Style) -> str:
    if value is None or item != "procurement" or measure != "amount_yuan" or not style.procurement_unit:
        return format_number(value, style)  # type: ignore[arg-type]
    if style.procurement_unit == "万元" and isinstance(value, int) and value % 100 == 0:
        tenk = Decimal(value) / Decimal(10000)
        text = format(tenk.normalize(), "f")
        return (text.translate(FULLWIDTH) if style.fullwidth else text) + "万元"
    return format_number(value, style) + "元"  # type: ignore[arg-type]


def requests_table(report: dict, style: Style) -> TableBlock:
    """Section 三: 3 label columns + 7 applicant columns, header rows merged as in the template."""
    lay = layouts()
    values = _cells_by_key(report, "requests", "row", "applicant")
    rows_printed = list(dict.fromkeys(r for r, _ in values))
    columns = lay.request_columns
    header = [
        [Cell(REQUEST_NOTE, rowspan=3, colspan=3, kind="header"), Cell("申请人情况", colspan=7, kind="header")],
        [Cell(_spaced(columns[0].label, style), rowspan=2, kind="header"),
         Cell("法人或其他组织", colspan=5, kind="header"),
         Cell(_spaced(columns[-1].label, style), rowspan=2, kind="header")],
        [Cell(_spaced(c.label, style), kind="header") for c in columns[1:-1]],
    ]
    labels = {r.key: r.label for r in lay.request_rows}
    outcome_rows = rows_printed[rows_printed.index("granted"): rows_printed.index("total_processed") + 1]
    body: list[list[Cell]] = []
    for row in rows_printed:
        cells = _request_label_cells(row, labels[row], rows_printed, outcome_rows, style)
        cells += [Cell(format_number(values[(row, c.key)], style), kind="value", ref=("requests", row, c.key))
                  for c in columns]
        body.append(cells)
    widths = [16.0, 20.0, 28.0] + [60.0] * 7 if style.narrow_labels else [30.0, 44.0, 142.0] + [38.0] * 6 + [40.0]
    return TableBlock("requests", header + body, widths)


def _request_label_cells(row: str, label: str, printed: list[str], outcomes: list[str],
                         style: Style) -> list[Cell]:
    cells: list[Cell] = []
    if row in outcomes[:1]:
        cells.append(Cell("三、本年度办理结果", rowspan=len(outcomes)))
    if row not in outcomes:
        return [Cell(label, colspan=3)]
    group, _, sub = label.partition(" ")
    if sub:  # first row of a group: the group label spans its sub-rows
        cells.append(Cell(group, rowspan=_group_length(row, printed)))
        return cells + [Cell(_sub_label(sub, style))]
    if label.startswith("（"):  # （一）予以公开, （六）其他处理 as one row, （七）总计
        if row == "partially_granted" and style.partial_note:
            label += PARTIAL_NOTE
        return cells + [Cell(label, colspan=2)]
    return cells + [Cell(_sub_label(label, style))]  # 2.… 3.… under a group label


def _group_length(first: str, printed: list[str]) -> int:
    """How many rows the group starting at ``first`` has: until the next labelled group row."""
    labels = {r.key: r.label for r in layouts().request_rows}
    start = printed.index(first)
    length = 1
    for row in printed[start + 1:]:
        label = labels[row]
        if " " in label or label.startswith("（"):
            break
        length += 1
    return length


def review_table(report: dict, style: Style) -> TableBlock:
    """Section 四: 行政复议 (5 columns) and 行政诉讼 split into two blocks of 5."""
    lay = layouts()
    values = _cells_by_key(report, "review_litigation", "proceeding", "result")
    procs = lay.proceedings
    review_label = procs[0].label
    suit_group = procs[1].label.split("·")[0]
    results = lay.results
    header = [
        [Cell(review_label, colspan=5, kind="header"), Cell(suit_group, colspan=10, kind="header")],
        [Cell(_spaced(r.label, style), rowspan=2, kind="header") for r in results]
        + [Cell(p.label.split("·")[-1], colspan=5, kind="header") for p in procs[1:]],
        [Cell(_spaced(r.label, style), kind="header") for _ in procs[1:] for r in results],
    ]
    body = [Cell(format_number(values[(p.key, r.key)], style), kind="value", ref=("review_litigation", p.key, r.key))
            for p in procs for r in results]
    return TableBlock("review", [*header, body], [32.0] * 15)
