"""How an exported table looks to a clerk: Chinese sheet names, headers and values, and the XLSX.

    sheet = sheet_for("requests", frame)           # 表三 依申请公开: 机关 · 年度 · 项目 · 自然人 …
    write_xlsx([sheet, …], Path("workbench.xlsx"))

The words are data: sheet names, generic headers and coded values in ``export_labels.yaml``;
the tables' own labels from the templates (``official.yaml``); rule and severity names from
``checks/names.py``. The workbook has a frozen, bold header row, an autofilter over the data,
column widths from the content (a CJK character counts as two), numbers as numeric cells,
blank cells empty and unread cells the text 未读取 (never 0).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import polars as pl
import yaml

from workbench.checks.names import RULE_SHORT, SEVERITY_ZH
from workbench.templates import layouts, submitted_names

UNREAD = "unread"  # the frames' column listing the row's cells the workbench could not read
UNREAD_TEXT = "未读取"
SHEET_NAME_MAX = 31
SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
WIDTH_MIN, WIDTH_MAX = 6, 50  # Excel column widths, in characters of the default font
# East Asian wide and full-width characters: each takes two columns of a monospaced cell.
_WIDE = r"[\u1100-\u115F\u2E80-\u303E\u3041-\u33FF\u3400-\u4DBF\u4E00-\u9FFF\uA000-\uA4CF\uAC00-\uD7A3\uF900-\uFAFF\uFE30-\uFE4F\uFF00-\uFF60\uFFE0-\uFFE6]"
XLSX_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False,
                "constant_memory": True}  # rows are written in order: memory stays flat for big stores


@dataclass
class Sheet:
    name: str
    frame: pl.DataFrame  # headers as shown; the unread column removed
    unread: dict[str, pl.Series] = field(default_factory=dict)  # header -> which rows are unread


@cache
def _labels() -> dict[str, Any]:
    raw = yaml.safe_load(resources.files(__package__).joinpath("export_labels.yaml").read_text("utf-8"))
    layout = layouts()
    columns = {**raw["columns"],
               **{c.key: c.label for c in layout.request_columns},
               **{r.key: r.label for r in layout.results}}
    values = {**raw["values"], "severity": SEVERITY_ZH, "rule": RULE_SHORT, "category": submitted_names(),
              "item": {i.key: i.label for i in layout.items}, "measure": layout.measure_labels}
    for table, name in raw["sheets"].items():
        if len(name) > SHEET_NAME_MAX or SHEET_NAME_FORBIDDEN.search(name):
            raise ValueError(f"export_labels.yaml: sheet name {name!r} for {table} is not allowed in Excel "
                             f"(at most {SHEET_NAME_MAX} characters, none of []:*?/\\)")
    return {"sheets": raw["sheets"], "columns": columns, "values": values, "twins": raw["label_twins"]}


def sheet_for(table: str, frame: pl.DataFrame, *, keys: bool = False) -> Sheet:
    """The table as one sheet: Chinese (default) or the record's keys (``keys=True``)."""
    unread = _unread_masks(frame)
    frame = frame.drop(UNREAD, strict=False).with_columns(  # an unread cell never shows a value
        pl.when(pl.lit(mask)).then(None).otherwise(pl.col(name)).alias(name) for name, mask in unread.items())
    if keys:
        return Sheet(table[:SHEET_NAME_MAX], frame, unread)
    labels = _labels()
    twins = [key for key, twin in labels["twins"].items() if key in frame.columns and twin in frame.columns]
    frame = frame.drop(twins).with_columns(
        pl.col(name).replace(mapping) for name, mapping in labels["values"].items()
        if name in frame.columns and frame.schema[name] == pl.String)
    headers = {name: labels["columns"].get(name, name) for name in frame.columns}
    if len(set(headers.values())) != len(headers):
        raise ValueError(f"export_labels.yaml gives two columns of {table} the same header: {headers}")
    return Sheet(labels["sheets"].get(table, table)[:SHEET_NAME_MAX], frame.rename(headers),
                 {headers[name]: mask for name, mask in unread.items()})


def _unread_masks(frame: pl.DataFrame) -> dict[str, pl.Series]:
    if UNREAD not in frame.columns:
        return {}
    listed = frame[UNREAD]
    masks = {}
    for name in frame.columns:
        if name == UNREAD:
            continue
        mask = listed.list.contains(name).fill_null(False)
        if mask.any():
            masks[name] = mask
    return masks


def display_widths(frame: pl.DataFrame) -> list[int]:
    """Each column's width in Excel characters: the widest of header and values, CJK as two."""
    widths = []
    for name in frame.columns:
        if frame.schema[name].is_temporal():  # shown as yyyy-mm-dd hh:mm:ss, not as polars prints it
            content = 19 if frame.schema[name] != pl.Date else 10
        else:
            text = frame[name].cast(pl.String)
            content = (text.str.len_chars() + text.str.count_matches(_WIDE)).max() if frame.height else 0
        header = len(name) + len(re.findall(_WIDE, name))
        widths.append(min(WIDTH_MAX, max(WIDTH_MIN, header + 2, int(content or 0) + 2)))
    return widths


def write_xlsx(sheets: list[Sheet], path: Path) -> Path:
    import xlsxwriter

    with xlsxwriter.Workbook(str(path), XLSX_OPTIONS) as workbook:
        formats = {
            "header": workbook.add_format({"bold": True, "bg_color": "#EDEDED", "border": 1, "valign": "vcenter"}),
            "date": workbook.add_format({"num_format": "yyyy-mm-dd"}),
            "datetime": workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"}),
            "unread": workbook.add_format({"font_color": "#9C0006", "align": "right"}),
        }
        for sheet in sheets:
            _write_sheet(workbook.add_worksheet(sheet.name), sheet, formats)
    return path


def _write_sheet(worksheet: Any, sheet: Sheet, formats: dict[str, Any]) -> None:
    frame = sheet.frame
    for index, width in enumerate(display_widths(frame)):
        worksheet.set_column(index, index, width)
    worksheet.freeze_panes(1, 0)
    worksheet.write_row(0, 0, frame.columns, formats["header"])
    unread = {frame.columns.index(name): mask.to_list() for name, mask in sheet.unread.items()}
    for row_index, row in enumerate(frame.iter_rows(), start=1):
        for col, value in enumerate(row):
            if col in unread and unread[col][row_index - 1]:
                worksheet.write_string(row_index, col, UNREAD_TEXT, formats["unread"])
            else:
                _write_cell(worksheet, row_index, col, value, formats)
    if frame.width:
        worksheet.autofilter(0, 0, max(frame.height, 1), frame.width - 1)


def _write_cell(worksheet: Any, row: int, col: int, value: Any, formats: dict[str, Any]) -> None:
    """Numbers as numbers, dates as dates, text as text (never a formula), blanks left empty."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return
    if isinstance(value, bool):
        worksheet.write_boolean(row, col, value)
    elif isinstance(value, int | float):
        worksheet.write_number(row, col, value)
    elif isinstance(value, datetime):
        worksheet.write_datetime(row, col, value, formats["datetime"])
    elif isinstance(value, date):
        worksheet.write_datetime(row, col, value, formats["date"])
    else:
        worksheet.write_string(row, col, str(value))
