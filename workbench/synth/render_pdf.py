"""PDF with reportlab: text in the built-in CID font STSong-Light, tables drawn as ruled grids.

No font file is needed (STSong-Light is one of the PDF-standard CJK fonts that readers
supply), and text extracts as real Chinese: pdfminer and PDFium both map the
UniGB-UCS2-H encoding back to Unicode.

Tables are a custom flowable rather than platypus ``Table``, because ``Table`` refuses to
split a table inside a row span, and real reports break table 三 anywhere — often in
the middle of 三、本年度办理结果 or （四）无法提供, whose merged label is then cut in two
(2024_huaian.pdf, pages 4–5). Every cell gets its own rectangle, so a merged cell has
no interior lines; labels wrap over several lines in narrow cells.

``invariant=1`` fixes the creation date and document id, so the same report gives the
same bytes.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from xml.sax.saxutils import escape

from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer

from workbench.synth.layout import Block, Cell, Style, TableBlock, TextBlock

FONT = "STSong-Light"
CELL_SIZE = 9.0
CELL_LEADING = 11.5
PAD = 3.0
MARGIN_X, MARGIN_Y = 55.0, 60.0


def _register() -> None:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def wrap_text(text: str, width: float, size: float = CELL_SIZE) -> list[str]:
    """Break text into lines no wider than ``width``: anywhere between Chinese characters,
    never inside a run of ASCII letters and digits."""
    lines: list[str] = []
    line = ""
    for token in _tokens(text):
        if line and pdfmetrics.stringWidth(line + token, FONT, size) > width:
            lines.append(line.rstrip())
            line = token.lstrip()
        else:
            line += token
    if line.strip() or not lines:
        lines.append(line.rstrip())
    return lines


def _tokens(text: str) -> list[str]:
    tokens: list[str] = []
    for char in text:
        if tokens and char.isascii() and char.isalnum() and tokens[-1][-1:].isascii() and tokens[-1][-1:].isalnum():
            tokens[-1] += char
        else:
            tokens.append(char)
    return tokens


@dataclass
class _Placed:
    row: int
    col: int
    cell: Cell
    x: float
    width: float
    lines: list[str]
    size: float


class GridTable(Flowable):
    """A ruled table that can break between any two rows, merged cells included."""

    def __init__(self, table: TableBlock, rows: tuple[int, int] | None = None,
                 layout: tuple[list[_Placed], list[float]] | None = None, sink: list[dict] | None = None):
        super().__init__()
        self.table = table
        self.sink = sink  # where each drawn part is recorded (page, box, rows), for scanned variants
        self.placed, self.heights = layout or self._layout(table)
        self.start, self.end = rows or (0, len(self.heights))

    @staticmethod
    def _layout(table: TableBlock) -> tuple[list[_Placed], list[float]]:
        xs = [0.0]
        for w in table.widths:
            xs.append(xs[-1] + w)
        placed = []
        for r, c, cell in table.positions():
            width = xs[c + cell.colspan] - xs[c]
            size = CELL_SIZE
            if cell.kind == "value":  # numbers never wrap: shrink the type instead
                while size > 5 and pdfmetrics.stringWidth(cell.text, FONT, size) > width - 2 * PAD:
                    size -= 0.5
                lines = [cell.text]
            else:
                lines = wrap_text(cell.text, width - 2 * PAD)
            placed.append(_Placed(r, c, cell, xs[c], width, lines, size))
        heights = [CELL_LEADING + 2 * PAD] * len(table.rows)
        for p in placed:
            if p.cell.rowspan == 1:
                heights[p.row] = max(heights[p.row], len(p.lines) * CELL_LEADING + 2 * PAD)
        for p in placed:  # a merged label taller than its rows stretches the last of them
            if p.cell.rowspan > 1:
                need = len(p.lines) * CELL_LEADING + 2 * PAD
                have = sum(heights[p.row: p.row + p.cell.rowspan])
                if need > have:
                    heights[p.row + p.cell.rowspan - 1] += need - have
        return placed, heights

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return sum(self.table.widths), sum(self.heights[self.start: self.end])

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        used, cut = 0.0, self.start
        while cut < self.end and used + self.heights[cut] <= available_height:
            used += self.heights[cut]
            cut += 1
        if cut == self.start or cut == self.end:
            return [] if cut == self.start else [self]
        layout = (self.placed, self.heights)
        return [GridTable(self.table, (self.start, cut), layout, self.sink),
                GridTable(self.table, (cut, self.end), layout, self.sink)]

    def draw(self) -> None:
        canvas = self.canv
        top = sum(self.heights[self.start: self.end])
        if self.sink is not None:
            x0, y0 = canvas.absolutePosition(0, 0)
            self.sink.append({"block": self.table, "section": self.table.section, "page": canvas.getPageNumber() - 1,
                              "box": [x0, y0, x0 + sum(self.table.widths), y0 + top],
                              "rows": [self.start, self.end]})
        canvas.setLineWidth(0.6)
        text = canvas.beginText()
        for p in self.placed:
            first, last = max(p.row, self.start), min(p.row + p.cell.rowspan, self.end)
            if first >= last:
                continue
            y_top = top - sum(self.heights[self.start: first])
            height = sum(self.heights[first:last])
            canvas.rect(p.x, y_top - height, p.width, height, stroke=1, fill=0)
            self._place_text(text, p, first, last, y_top)
        canvas.drawText(text)

    def _place_text(self, text, p: _Placed, first: int, last: int, y_top: float) -> None:  # noqa: ANN001
        """Lines sit vertically centred in the whole merged cell; a page break keeps each
        line on the page where it falls, so a cut label reads （四）无 / 法提供."""
        span_height = sum(self.heights[p.row: p.row + p.cell.rowspan])
        before = sum(self.heights[p.row: first])  # part of the cell on earlier pages
        visible = sum(self.heights[first:last])
        offset = (span_height - len(p.lines) * CELL_LEADING) / 2
        centred = p.cell.kind != "label" or p.width < 60
        text.setFont(FONT, p.size)
        for index, line in enumerate(p.lines):
            baseline = offset + index * CELL_LEADING + CELL_LEADING * 0.8  # from the cell top
            if not line or not before <= baseline - CELL_LEADING * 0.5 < before + visible:
                continue
            width = pdfmetrics.stringWidth(line, FONT, p.size)
            x = p.x + (p.width - width) / 2 if centred else p.x + PAD
            text.setTextOrigin(x, y_top - (baseline - before))
            text.textOut(_shown(line))


def _shown(line: str) -> str:
    """PDFium sizes a string from its glyph boxes, which it cannot get for a font that is not
    embedded; a string of one CJK character then has zero width and is dropped from the
    text (a lone 果 or ７ would vanish for pypdfium2). A trailing space gives it width."""
    return line + " " if len(line) == 1 and not line.isascii() else line


def _styles(size: float) -> dict[str, ParagraphStyle]:
    """Body text in ``size`` points (reports use 三号 16 pt 仿宋; smaller sizes are common too)."""
    base = {"fontName": FONT, "wordWrap": "CJK"}
    leading = round(size * 1.75)
    return {
        "title": ParagraphStyle("title", fontSize=size + 6, leading=leading + 10, alignment=TA_CENTER, **base),
        "heading": ParagraphStyle("heading", fontSize=size + 1, leading=leading, firstLineIndent=2 * size, **base),
        "subheading": ParagraphStyle("subheading", fontSize=size, leading=leading, firstLineIndent=2 * size, **base),
        "body": ParagraphStyle("body", fontSize=size, leading=leading, firstLineIndent=2 * size,
                               alignment=TA_JUSTIFY, **base),
        "sign": ParagraphStyle("sign", fontSize=size, leading=leading, alignment=TA_RIGHT, spaceBefore=size, **base),
        "date": ParagraphStyle("date", fontSize=size, leading=leading, alignment=TA_RIGHT, **base),
    }


def _fitted(block: TextBlock, style: ParagraphStyle) -> ParagraphStyle:
    """A title that would wrap one lone character onto its second line in a smaller size: that
    character (a CJK glyph alone on a line has zero width, see ``_shown``) would be lost from the
    page, and the report's title would no longer name what the truth says (…年度报 for …年度报告)."""
    if block.role != "title":
        return style
    width = A4[0] - 2 * MARGIN_X - 12  # the frame pads 6 pt each side
    lines = pdfmetrics.stringWidth(block.text, style.fontName, style.fontSize) / width
    if lines <= 1 or lines - int(lines) > 2 * style.fontSize / width:
        return style
    size = style.fontSize * int(lines) / lines * 0.98
    return ParagraphStyle(f"{style.name}-fitted", parent=style, fontSize=size)


def render(blocks: list[Block], style: Style, title: str, placements: list[dict] | None = None,
           picture: Callable[[TableBlock], Flowable | None] | None = None) -> bytes:
    """The PDF's bytes; ``placements``, when given, receives one entry per drawn table part:
    ``{"block" (the TableBlock), "section", "page" (0-based), "box" [x0, y0, x1, y1] in points from the bottom left,
    "rows" [first, end)}`` (the same bytes either way). ``picture``, when given, may return a
    flowable to draw in a table's place (the table pasted as an image)."""
    _register()
    styles = _styles(float(style.extras.get("body_size", 14)))
    story: list[Flowable] = []
    for block in blocks:
        if isinstance(block, TableBlock):
            drawn = picture(block) if picture is not None else None
            story += [Spacer(1, 4), drawn or GridTable(block, sink=placements), Spacer(1, 6)]
        elif isinstance(block, TextBlock):
            story.append(Paragraph(escape(block.text), _fitted(block, styles[block.role])))
    buffer = io.BytesIO()
    page_numbers = bool(style.extras.get("page_numbers", True))

    def footer(canvas, doc) -> None:  # noqa: ANN001 - reportlab's callback signature
        if page_numbers:
            canvas.setFont(FONT, 10)
            canvas.drawCentredString(A4[0] / 2, MARGIN_Y / 2, f"- {doc.page} -")

    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=MARGIN_X, rightMargin=MARGIN_X,
                            topMargin=MARGIN_Y, bottomMargin=MARGIN_Y, invariant=1, title=title,
                            author="synthetic", creator="workbench synth")
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()
