"""Spreadsheets written from a synthetic report's layout blocks, as portals publish them.

Used by tests/test_source_office.py (variations made at test time) and by
tests/data/office/make_fixtures.py (the committed fixtures).
"""

from __future__ import annotations

import re
import struct
from pathlib import Path
from typing import Any

import openpyxl

from workbench.synth.layout import TableBlock, TextBlock

_NUMBER = re.compile(r"^-?\d{1,3}(,\d{3})*(\.\d+)?$|^-?\d+(\.\d+)?$")


def _write_table(sheet: Any, block: TableBlock, top: int, left: int) -> int:
    """The table at (top, left), merges as the layout spans them; returns the row after it."""
    for r, c, cell in block.positions():
        target = sheet.cell(row=top + r, column=left + c)
        text = cell.text
        if cell.kind == "value" and _NUMBER.match(text):
            number = float(text.replace(",", ""))
            target.value = int(number) if number.is_integer() and "." not in text else number
            target.number_format = "#,##0" if "," in text else ("0.00" if "." in text else "General")
        else:
            target.value = text
        if cell.rowspan > 1 or cell.colspan > 1:
            sheet.merge_cells(start_row=top + r, start_column=left + c,
                              end_row=top + r + cell.rowspan - 1, end_column=left + c + cell.colspan - 1)
    return top + len(block.rows)


def whole_report_sheet(blocks: list, path: Path, top: int = 1, left: int = 1) -> None:
    """Every paragraph a row in column ``left``; each table between blank rows."""
    book = openpyxl.Workbook()
    sheet = book.active
    row = top
    for block in blocks:
        if isinstance(block, TextBlock):
            sheet.cell(row=row, column=left, value=block.text)
            row += 1
        else:
            row = _write_table(sheet, block, row + 1, left) + 1
    book.save(path)


def tables_only_workbook(blocks: list, title: str, path: Path) -> None:
    """A sheet per table, named by the last heading before it; the title merged over the first."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    heading = ""
    for block in blocks:
        if isinstance(block, TextBlock):
            if block.role == "heading":
                heading = block.text
            continue
        name = heading[:31] or f"表{len(book.worksheets) + 1}"  # Excel's sheet-name limit
        while name in book.sheetnames:
            name = f"{name[:28]}（续）"
        sheet = book.create_sheet(name)
        top = 1
        if len(book.worksheets) == 1:
            sheet.cell(row=1, column=1, value=title)
            sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=block.ncols)
            top = 2
        _write_table(sheet, block, top, 2)  # tables often start in column B
    book.save(path)


def ole_file(streams: dict[str, bytes]) -> bytes:
    """A minimal OLE2 compound file (version 3, 512-byte sectors) holding ``streams``.

    Each stream is padded to at least 4096 bytes so it lives in regular sectors (no mini
    stream); enough for tests of what the stream names say (olefile has no writer).
    """
    end, free, fat_sector, no_stream = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF
    padded = {name: data.ljust(max(4096, -(-len(data) // 512) * 512), b"\0") for name, data in streams.items()}
    entries = 1 + len(padded)
    dir_sectors = -(-entries * 128 // 512)
    fat = [fat_sector] + [end if i == dir_sectors - 1 else 2 + i for i in range(dir_sectors)]
    starts, body = [], b""
    for data in padded.values():
        first, count = len(fat), len(data) // 512
        starts.append(first)
        fat += [first + i + 1 for i in range(count - 1)] + [end]
        body += data
    assert len(fat) <= 128, "one FAT sector only"
    fat += [free] * (128 - len(fat))

    def entry(name: str, kind: int, right: int, child: int, start: int, size: int) -> bytes:
        encoded = name.encode("utf-16-le") + b"\0\0"
        return (encoded.ljust(64, b"\0") + struct.pack("<HBB3I", len(encoded), kind, 1, no_stream, right, child)
                + b"\0" * 36 + struct.pack("<IIi", start, size, 0))

    names = list(padded)
    directory = entry("Root Entry", 5, no_stream, 1 if names else no_stream, end, 0)
    for i, name in enumerate(names):  # a right-leaning chain is a valid (if unbalanced) tree
        right = i + 2 if i + 1 < len(names) else no_stream
        directory += entry(name, 2, right, no_stream, starts[i], len(streams[name]))
    directory = directory.ljust(dir_sectors * 512, b"\0")
    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 16
              + struct.pack("<HHHHH6xIIIIIIIII", 0x3E, 3, 0xFFFE, 9, 6, 0, 1, 1, 0, 4096, end, 0, end, 0)
              + struct.pack("<109I", 0, *([free] * 108)))
    return header + struct.pack("<128I", *fat) + directory + body
