"""Spreadsheets (.xlsx with openpyxl, .xls with xlrd): each sheet's tables and title rows.

Portals publish the report's tables as a workbook, often with no prose at all.
Each visible sheet's used range becomes blocks: rows are cut into groups at fully
empty rows; in a group, the rows before the first row with two or more filled cells
are titles (the report's title, a section heading), read as paragraphs, and so are
the rows from a note merged across the table's width ("注：…") on; the rest is a
Table. A row with one filled cell below the table that does not span it stays in the
table: it is a row whose values the report left blank. A sheet's own name is a heading
paragraph before its first table unless it is a default name (Sheet1, 工作表1).

Cells follow the grid convention in ``document.py``: a merged range's text is in
its top-left cell and every other position it covers is None. Numbers are their
printed text without float noise (12, not 12.0; 0.3, not 0.30000000000000004);
a percentage keeps its % sign; a date reads as 2024年1月20日. A formula whose
result the file does not hold, or an error value (#DIV/0!), is UNREAD_MARK:
something is printed there that the workbench could not read (never a blank).
"""

from __future__ import annotations

import re
import struct
import warnings
import zipfile
from collections.abc import Iterable
from datetime import date, datetime, time
from io import BytesIO, StringIO
from pathlib import Path
from typing import Any

import openpyxl
import xlrd
from openpyxl.utils.exceptions import InvalidFileException

from workbench.sources.document import (
    UNREAD_MARK,  # the one marker: the cell was not read
    Block,
    Document,
    Grid,
    Paragraph,
    SourceError,
    Table,
)
from workbench.sources.docx import MAX_PART_BYTES, MAX_TOTAL_BYTES
from workbench.sources.docx import _clean_title as clean_title

MAX_CELLS = 2_000_000  # content bounds beyond this are damage, not a report's tables
_DEFAULT_SHEET_NAME = re.compile(r"^(?:sheet|工作表|表)\s*\d*$", re.I)
_WHITESPACE = re.compile(r"[^\S\n]+")
DIGITS = 15  # significant digits a double holds exactly: more is float noise
DECIMALS = 9  # decimals kept: amounts go to the fen of 万元 (6), far below this

Cell = str | None


# --- xlsx ---------------------------------------------------------------------

def read_xlsx(path: Path, data: bytes) -> Document:
    _check_zip(path, data)
    try:
        with warnings.catch_warnings():  # "unsupported extension", "no default style": not the reader's concern
            warnings.simplefilter("ignore", UserWarning)
            values = openpyxl.load_workbook(BytesIO(data), data_only=True)
            formulas = openpyxl.load_workbook(BytesIO(data), data_only=False)
    except (InvalidFileException, KeyError, zipfile.BadZipFile) as exc:
        raise SourceError(path, f"不是有效的 Excel 工作簿（{type(exc).__name__}: {exc}）") from None
    blocks: list[Block] = []
    for sheet in values.worksheets:
        if sheet.sheet_state != "visible":
            continue  # hidden sheets hold helpers and lookups, not what the report prints
        grid = _xlsx_grid(path, sheet, formulas[sheet.title])
        blocks.extend(sheet_blocks(sheet.title, grid))
    return Document(path=path, format="xlsx", blocks=blocks, meta=_meta(values.properties.title))


def _meta(title: str | None) -> dict[str, str]:
    cleaned = clean_title(title)
    return {"title": cleaned} if cleaned else {}


def _check_zip(path: Path, data: bytes) -> None:
    """Refuse a workbook whose parts would inflate past the DOCX reader's limits (a zip bomb)."""
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            sizes = [info.file_size for info in archive.infolist()]
    except zipfile.BadZipFile:
        raise SourceError(path, "不是有效的 Excel 工作簿（zip 压缩包已损坏）") from None
    if max(sizes, default=0) > MAX_PART_BYTES or sum(sizes) > MAX_TOTAL_BYTES:
        raise SourceError(path, f"工作簿解压后共 {sum(sizes) / 2**20:.0f} MB，超过上限（疑似压缩炸弹），未读取")


def _xlsx_grid(path: Path, sheet: Any, formula_sheet: Any) -> Grid:
    # openpyxl keeps the cells the file holds in ``_cells``; its public iterators walk the whole
    # declared rectangle, which a sheet formatted down to row 1048576 makes a million rows.
    filled = {key: cell for key, cell in sheet._cells.items() if cell.value is not None}
    formula_keys = {key for key, cell in formula_sheet._cells.items() if cell.data_type == "f"}
    merges = [(r.min_row, r.min_col, r.max_row, r.max_col) for r in sheet.merged_cells.ranges]
    texts: dict[tuple[int, int], str] = {key: _xlsx_text(cell) for key, cell in filled.items()}
    for key in formula_keys - filled.keys():
        texts[key] = UNREAD_MARK  # a formula saved without its result (written by a program, never opened)
    return sheet_grid(path, texts, merges)


def _xlsx_text(cell: Any) -> str:
    if cell.data_type == "e":
        return UNREAD_MARK
    return cell_text(cell.value, cell.number_format or "")


# --- xls ------------------------------------------------------------------------

def read_xls(path: Path, data: bytes) -> Document:
    log = StringIO()  # xlrd writes its warnings to stdout otherwise
    try:
        try:
            book = xlrd.open_workbook(file_contents=data, formatting_info=True, ragged_rows=True, logfile=log)
        except NotImplementedError:  # formatting_info is not supported for this BIFF version
            book = xlrd.open_workbook(file_contents=data, ragged_rows=True, logfile=log)
    except (xlrd.XLRDError, xlrd.compdoc.CompDocError) as exc:
        raise SourceError(path, f"不是有效的 Excel 97-2003 工作簿（{exc}）") from None
    except (IndexError, KeyError, ValueError, AssertionError, struct.error) as exc:  # xlrd on a cut-off file
        raise SourceError(path, f"Excel 97-2003 工作簿已损坏或不完整（{type(exc).__name__}: {exc}）") from None
    blocks: list[Block] = []
    for sheet in book.sheets():
        if sheet.visibility != 0:
            continue
        texts = {}
        for r in range(sheet.nrows):
            for c in range(sheet.row_len(r)):  # ragged rows: a far-out styled cell widens one row only
                text = _xls_text(book, sheet, r, c)
                if text is not None:
                    texts[(r + 1, c + 1)] = text
        merges = [(rlo + 1, clo + 1, rhi, chi) for rlo, rhi, clo, chi in sheet.merged_cells]
        blocks.extend(sheet_blocks(sheet.name, sheet_grid(path, texts, merges)))
    return Document(path=path, format="xls", blocks=blocks, meta={})  # xlrd does not read the summary properties


def _xls_text(book: Any, sheet: Any, r: int, c: int) -> str | None:
    kind = sheet.cell_type(r, c)
    value = sheet.cell_value(r, c)
    if kind in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return None
    if kind == xlrd.XL_CELL_ERROR:
        return UNREAD_MARK
    if kind == xlrd.XL_CELL_BOOLEAN:
        return "TRUE" if value else "FALSE"
    if kind == xlrd.XL_CELL_DATE:
        try:
            return cell_text(xlrd.xldate_as_datetime(value, book.datemode), "")
        except (ValueError, OverflowError, xlrd.xldate.XLDateError):
            return UNREAD_MARK
    if kind == xlrd.XL_CELL_NUMBER:
        return cell_text(value, _xls_number_format(book, sheet, r, c))
    return cell_text(value, "")


def _xls_number_format(book: Any, sheet: Any, r: int, c: int) -> str:
    if not book.formatting_info:
        return ""
    try:
        xf = book.xf_list[sheet.cell_xf_index(r, c)]
        return book.format_map[xf.format_key].format_str
    except (IndexError, KeyError, AttributeError):
        return ""


# --- shared: cell text, grid, blocks ------------------------------------------

def cell_text(value: Any, number_format: str) -> str:
    """A cell's value as the sheet prints it, near enough for the parser."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        if "%" in number_format.replace('"%"', "").replace("\\%", ""):
            return f"{_plain_number(value * 100)}%"
        return _plain_number(value)
    if isinstance(value, datetime | date):
        return f"{value.year}年{value.month}月{value.day}日"
    if isinstance(value, time):
        return value.isoformat()
    lines = (_WHITESPACE.sub(" ", line).strip() for line in str(value).replace("\r", "\n").split("\n"))
    return "\n".join(line for line in lines if line)


def _plain_number(value: float) -> str:
    if abs(value) < 10**DIGITS:
        # A formula's sum carries binary noise (22376.000000000004); no report prints 10 decimals.
        value = round(value, DECIMALS)
        if float(value).is_integer():
            return str(int(value))
    return f"{value:.{DIGITS}g}"


def sheet_grid(path: Path, texts: dict[tuple[int, int], str], merges: Iterable[tuple[int, int, int, int]]) -> Grid:
    """The used range as a grid (1-based keys in, 0-based grid out); merged copies are None."""
    bounds = _content_bounds(texts)
    if bounds is None:
        return []
    top, left, bottom, right = bounds
    if (bottom - top + 1) * (right - left + 1) > MAX_CELLS:
        raise SourceError(path, "工作表的已用区域过大（文件可能已损坏），未读取")
    covered: set[tuple[int, int]] = set()
    for min_row, min_col, max_row, max_col in merges:  # clipped: a merge may run down a whole column
        covered.update((r, c) for r in range(max(min_row, top), min(max_row, bottom) + 1)
                       for c in range(max(min_col, left), min(max_col, right) + 1) if (r, c) != (min_row, min_col))
    for key in covered:
        texts.pop(key, None)  # spreadsheet programs keep stale values under a merge; they are not shown
    bounds = _content_bounds(texts)
    if bounds is None:
        return []
    top, left, bottom, right = bounds
    return [[None if (r, c) in covered else texts.get((r, c), "") for c in range(left, right + 1)]
            for r in range(top, bottom + 1)]


def _content_bounds(texts: dict[tuple[int, int], str]) -> tuple[int, int, int, int] | None:
    content = [key for key, text in texts.items() if text]
    if not content:
        return None
    rows, cols = [r for r, _ in content], [c for _, c in content]
    return min(rows), min(cols), max(rows), max(cols)


def sheet_blocks(name: str, grid: Grid) -> list[Block]:
    """A sheet's grid as paragraphs (titles, notes) and tables, in order.

    The sheet's name heads its first table: after the title rows above that table (the
    report's title comes before any section heading), and left out when a row above
    already says it or it is a default name.
    """
    blocks: list[Block] = []
    for group in _row_groups(grid):
        filled = [sum(1 for c in row if c) for row in group]
        tabular = [i for i, n in enumerate(filled) if n >= 2]
        if not tabular:
            blocks.extend(_paragraphs(group))
            continue
        rows = _without_empty_columns(group)
        first = tabular[0]
        end = next((i for i in range(tabular[-1] + 1, len(rows)) if _spans_the_table(rows[i])), len(rows))
        blocks.extend(_paragraphs(rows[:first]))
        blocks.append(Table(rows[first:end]))
        blocks.extend(_paragraphs(rows[end:]))
    heading = cell_text(name, "")
    if not heading or _DEFAULT_SHEET_NAME.match(heading):
        return blocks
    first_table = next((i for i, b in enumerate(blocks) if isinstance(b, Table)), 0)
    if any(isinstance(b, Paragraph) and heading in b.text for b in blocks[:first_table]):
        return blocks
    return [*blocks[:first_table], Paragraph(heading), *blocks[first_table:]]


def _row_groups(grid: Grid) -> list[Grid]:
    """Rows cut at fully empty rows (a row of merged copies belongs to the rows above it)."""
    groups: list[Grid] = [[]]
    for row in grid:
        if all(c == "" for c in row):
            if groups[-1]:
                groups.append([])
        else:
            groups[-1].append(row)
    return [g for g in groups if g]


def _spans_the_table(row: list[Cell]) -> bool:
    """One cell merged across the whole width: a note below the table ("注：…"). A row with one
    filled cell that does not span it is the table's, e.g. a row the report left blank."""
    return bool(row[0]) and len(row) > 1 and all(c is None for c in row[1:])


def _paragraphs(rows: Grid) -> list[Paragraph]:
    return [Paragraph(line) for row in rows for c in row if c for line in c.split("\n")]


def _without_empty_columns(rows: Grid) -> Grid:
    """Spacer columns (nothing typed in them) go; merged copies that cross them go with them."""
    # Every row loses the same positions, so origin_rows() and each cell's column order are unchanged.
    keep = [i for i in range(len(rows[0])) if any(row[i] for row in rows)]
    return [[row[i] for i in keep] for row in rows]
