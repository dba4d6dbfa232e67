"""Small HTML pieces for the digest: escaped tables, notes, figures, and the page around them.

Everything that comes from a report (agency names, problem items, findings' messages) goes
through :func:`html.escape` here, so a report that contains ``<script>`` shows the text and
never runs it. The page has its own CSS and no script at all: the digest must display offline. It embeds the
shipped font (webfont.py) and prints on A4: headings stay with what follows them, charts and
short tables are not split, long tables break between rows and repeat their header.
"""

from __future__ import annotations

import base64
import html
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl

from workbench.charts.style import format_count

Formatter = Callable[[Any], str]


@dataclass(repr=False)
class Fragment:
    """HTML that Jupyter shows as is (``_repr_html_``)."""

    html: str

    def _repr_html_(self) -> str:
        return self.html

    def __str__(self) -> str:
        return self.html

    def __repr__(self) -> str:
        # The plain-text twin of the HTML output: short, or the notebook doubles in size.
        return f"<HTML fragment, {len(self.html)} characters>"


LONG_TABLE = 25  # rows from which a table may break across pages (shorter ones move whole)

CSS = """
body { font-family: FONT_STACK; color: #1f1f1f; max-width: 1120px; margin: 24px auto;
       padding: 0 24px; line-height: 1.6; background: white; }
h1 { font-size: 26px; border-bottom: 3px solid #4e79a7; padding-bottom: 6px; }
h2 { font-size: 20px; margin-top: 36px; border-left: 5px solid #4e79a7; padding-left: 10px; }
h3 { font-size: 16px; margin-top: 24px; }
table.wb-table { border-collapse: collapse; margin: 8px 0 16px; font-size: 13px; }
table.wb-table th { background: #eef2f7; text-align: left; padding: 4px 8px;
                    border: 1px solid #d0d7e2; }
table.wb-table td { padding: 4px 8px; border: 1px solid #e1e5eb; vertical-align: top; }
table.wb-table td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.wb-table th { word-break: keep-all; }
table.wb-actions td:last-child { white-space: nowrap; }
.wb-note { background: #fff7e6; border: 1px solid #f0c36d; padding: 8px 12px; margin: 12px 0; }
.wb-synthetic { background: #fde2e1; border: 2px solid #d73027; padding: 10px 14px;
                margin: 12px 0; font-weight: bold; }
.wb-muted { color: #6b6b6b; font-size: 13px; }
figure.wb-chart { margin: 12px 0 20px; }
figure.wb-chart img { max-width: 100%; height: auto; }
figure.wb-chart figcaption { color: #595959; font-size: 13px; }
.up { color: #b2182b; } .down { color: #1a9850; }
.jp-OutputArea-output pre { white-space: pre-wrap; }
.wb-font-note { color: #6b6b6b; font-size: 12px; margin-top: 32px; }
/* Printed: A4, headings never alone at a page foot, charts and short tables in one piece. */
@page { size: A4; margin: 18mm 16mm 18mm 16mm; }
@media print {
  body { max-width: none; margin: 0; padding: 0; font-size: 10.5pt; line-height: 1.5; }
  h1, h2, h3, h4 { break-after: avoid; page-break-after: avoid; break-inside: avoid; }
  h2 { margin-top: 18pt; } h3 { margin-top: 12pt; }
  /* A heading is a notebook cell of its own: keep that cell with the next one. */
  .text_cell, .jp-MarkdownCell { break-after: avoid; page-break-after: avoid; }
  figure.wb-chart, .wb-note, .wb-synthetic, tr, p { break-inside: avoid; page-break-inside: avoid; }
  figure.wb-chart img { max-width: 100%; height: auto; }
  table.wb-table:not(.wb-long) { break-inside: avoid; page-break-inside: avoid; }
  table.wb-table thead { display: table-header-group; }
  .wb-keep { break-inside: avoid; page-break-inside: avoid; }
  table.wb-table { font-size: 9pt; }
  a { color: inherit; text-decoration: none; }
  .wb-synthetic { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  table.wb-table th { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""


def esc(value: Any) -> str:
    """Text for HTML: escaped, None as empty."""
    return "" if value is None else html.escape(str(value), quote=True)


# Columns holding years: printed as 2024, not 2,024.
YEAR_COLUMNS = {"year", "since", "compared_year", "from_year", "to_year"}


def _cell(value: Any, fmt: Formatter | None) -> tuple[str, bool]:
    """The escaped text of one cell and whether it is a number (right-aligned)."""
    if fmt is not None:
        return esc(fmt(value)), isinstance(value, int | float)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "", False
    if isinstance(value, bool):
        return ("是" if value else "否"), False
    if isinstance(value, int | float):
        return esc(format_count(value)), True
    return esc(value), False


def table(frame: pl.DataFrame, columns: dict[str, str] | None = None, *,
          formats: dict[str, Formatter] | None = None, empty: str = "无",
          limit: int | None = None, numeric: set[str] | None = None) -> str:
    """An HTML table of frame; ``columns`` maps column -> Chinese header (and picks/orders).

    Every cell is escaped. ``formats`` gives a formatter per column (e.g. percentages).
    Number cells are right-aligned; ``numeric`` names columns of figures already written as
    text (2,450、+3.4%) that are right-aligned too.
    An empty frame gives a one-line note instead of an empty table.
    """
    if frame.height == 0:
        return f'<p class="wb-muted">{esc(empty)}</p>'
    columns = columns or {c: c for c in frame.columns}
    formats = {name: str for name in columns if name in YEAR_COLUMNS} | (formats or {})
    shown = frame.head(limit) if limit else frame
    # Alignment inline as well as in CSS: JupyterLab right-aligns every cell of an output
    # table (and its sanitiser keeps style attributes, not <style> blocks).
    head = "".join(f'<th style="text-align:left">{esc(title)}</th>' for title in columns.values())
    rows = []
    for record in shown.select(list(columns)).iter_rows(named=True):
        cells = []
        for name in columns:
            text, is_number = _cell(record[name], formats.get(name))
            is_number = is_number or name in (numeric or ())
            cells.append(f'<td class="num" style="text-align:right">{text}</td>' if is_number
                         else f'<td style="text-align:left">{text}</td>')
        rows.append("<tr>" + "".join(cells) + "</tr>")
    more = ""
    if limit and frame.height > limit:
        more = f'<p class="wb-muted">另有 {frame.height - limit} 行未列出（完整列表见执行后的 digest.ipynb）。</p>'
    css_class = "wb-table wb-long" if shown.height >= LONG_TABLE else "wb-table"
    return (f'<table class="{css_class}"><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table>{more}')


def note(text: str, css_class: str = "wb-note") -> str:
    return f'<div class="{esc(css_class)}">{esc(text)}</div>'


def paragraph(text: str) -> str:
    return f"<p>{esc(text)}</p>"


def bullets(items: Sequence[str]) -> str:
    return "<ul>" + "".join(f"<li>{esc(item)}</li>" for item in items) + "</ul>"


def figure(png: bytes, width: int, height: int, title: str, caption: str) -> str:
    """A chart as a PNG data URI (shown at 1x size), with its caption; no script, no URL."""
    encoded = base64.b64encode(png).decode("ascii")
    return (f'<figure class="wb-chart"><img alt="{esc(title)}" width="{width}" height="{height}" '
            f'src="data:image/png;base64,{encoded}"><figcaption>{esc(caption)}</figcaption></figure>')


_CELL = re.compile(r'(?=<div class="cell border-box-sizing )')
_HEADING = re.compile(r"<h[1-4][ >]")


def keep_headings(body: str) -> str:
    """Each run of heading cells wrapped with the cell after it in ``div.wb-keep``, which
    printing keeps on one page: a heading never ends a page.

    nbconvert puts each heading in a notebook cell of its own, and Chromium does not carry
    ``break-after: avoid`` from a heading across to the next cell's content. A cell is a
    heading cell when it is a markdown cell that holds a heading.
    """
    cells = _CELL.split(body)
    out: list[str] = []
    held: list[str] = []
    for cell in cells:
        if "text_cell" in cell[:80] and _HEADING.search(cell):
            held.append(cell)
            continue
        if held:
            long = "wb-long" in cell
            out.append(f'<div class="wb-keep{" wb-keep-long" if long else ""}">' + "".join(held) + cell + "</div>")
            held = []
        else:
            out.append(cell)
    out.extend(held)
    return "".join(out)


def page(title: str, body: str, *, embed_font: bool = True) -> str:
    """A complete, self-contained HTML page (inline CSS, no script), with the shipped font
    embedded for the characters the body uses; a note at the end names any it lacks."""
    from workbench.charts.webfont import CSS_STACK, embed_fonts, page_text

    faces = ""
    if embed_font:
        fonts = embed_fonts(page_text(body) + title)
        faces = fonts.css + "\n"
        if fonts.missing:
            body += note(f"本页有 {len(fonts.missing)} 个字符不在内置字体中（{'、'.join(fonts.missing)}），"
                         "由本机字体显示；没有中文字体的电脑上可能显示为方框。", "wb-font-note")
    return (f'<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{esc(title)}</title><style>{faces}{CSS.replace('FONT_STACK', CSS_STACK)}</style></head>"
            f"<body>{body}</body></html>\n")


def percent(value: Any, digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return f"{value * 100:.{digits}f}%"
