"""DOCX with python-docx: title, sections as paragraphs, tables with real merged cells.

Merges use ``cell.merge`` (gridSpan for columns, vMerge for rows), as Word writes them.
python-docx stamps the current time into the core properties and the zip entries; both
are fixed here so that the same report gives the same bytes.
"""

from __future__ import annotations

import io
import zipfile
from datetime import datetime

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

from workbench.synth.layout import Block, Style, TableBlock, TextBlock

SIZES = {"title": 18, "heading": 14, "subheading": 12, "body": 12, "sign": 12, "date": 12}
ZIP_TIME = (2000, 1, 1, 0, 0, 0)


def render(blocks: list[Block], style: Style, title: str, when: datetime) -> bytes:
    document = Document()
    _default_font(document)
    document.styles["Table Grid"].font.size = Pt(9)  # once, rather than on every cell's run
    for block in blocks:
        if isinstance(block, TableBlock):
            _table(document, block)
        elif isinstance(block, TextBlock):
            _paragraph(document, block)
    props = document.core_properties
    props.title, props.author, props.last_modified_by = title, "synthetic", "synthetic"
    props.created = props.modified = props.last_printed = when
    props.revision = 1
    buffer = io.BytesIO()
    document.save(buffer)
    return _fixed_zip(buffer.getvalue())


def _default_font(document) -> None:  # noqa: ANN001 - python-docx Document
    normal = document.styles["Normal"]
    normal.font.name = "FangSong"
    normal.font.size = Pt(12)
    rpr = normal.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    fonts.set(qn("w:eastAsia"), "仿宋_GB2312")


def _paragraph(document, block: TextBlock) -> None:  # noqa: ANN001
    paragraph = document.add_paragraph()
    run = paragraph.add_run(block.text)
    run.font.size = Pt(SIZES[block.role])
    if block.role in ("title", "heading"):
        run.bold = True
    if block.role == "title":
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    elif block.role in ("sign", "date"):
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    else:
        paragraph.paragraph_format.first_line_indent = Pt(24)


def _table(document, block: TableBlock) -> None:  # noqa: ANN001
    table = document.add_table(rows=len(block.rows), cols=block.ncols)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for column, width in zip(table.columns, block.widths, strict=True):
        column.width = Pt(width)
    grid = [row.cells for row in table.rows]  # fetched once: every lookup walks the XML
    for r, c, cell in block.positions():
        target = grid[r][c]
        if cell.rowspan > 1 or cell.colspan > 1:
            target = target.merge(grid[r + cell.rowspan - 1][c + cell.colspan - 1])
        paragraph = target.paragraphs[0]
        paragraph.add_run(cell.text)
        if cell.kind != "label":
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER


def _fixed_zip(data: bytes) -> bytes:
    """Rewrite the package with fixed entry times (python-docx writes the current time)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(entry, source.read(info.filename))
    return out.getvalue()
