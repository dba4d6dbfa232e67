"""Text that still carries cell boundaries, turned into table grids.

Reports converted from PDF to Markdown print their tables as GFM pipe rows
(``| 一、本年新收… | 1259 | 36 | … |``), often with a ``|---|`` separator after
every row, header rows between a group label and its numbers, and one table cut
into several. Text copied out of a spreadsheet or a DOCX separates cells with
tabs, and some crawlers keep a portal table's ``<table>`` markup. Each becomes a
:class:`Table`, so the one grid parser reads it as it reads HTML and DOCX, and
the cell boundaries the text kept are never guessed again from digit runs.

Rows keep the cells they print: a short row is not padded, because a cell the
row does not print is not a blank cell.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from workbench.sources.document import Block, Paragraph, Table

_SEPARATOR_CELL = re.compile(r"^:?-{2,}:?$")
_ESCAPED_PIPE = "\x00"
_HTML_TABLE_START = re.compile(r"<table\b", re.IGNORECASE)
_HTML_TABLE_END = re.compile(r"</table\s*>", re.IGNORECASE)
# Markdown markup around a paragraph's words: heading marks, emphasis, list and quote marks.
_MARKDOWN_LEAD = re.compile(r"^(?:#{1,6}\s+|>\s*|[*+]\s+)+")
_EMPHASIS = re.compile(r"(\*\*|__)(.+?)\1")

HtmlTables = Callable[[str], list[Table]]


# A line break kept inside a cell by PDF-to-Markdown converters (本年新收<br>政府信息公开): a space.
_LINE_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)


def pipe_cells(line: str) -> list[str] | None:
    """The cells of a pipe-table row, or None when the line is not one."""
    stripped = line.strip()
    if stripped.count("|") < 2 or not (stripped.startswith("|") or stripped.endswith("|")):
        return None
    body = stripped.replace("\\|", _ESCAPED_PIPE)
    body = body[1:] if body.startswith("|") else body
    body = body[:-1] if body.endswith("|") else body
    cells = [_LINE_BREAK.sub(" ", _EMPHASIS.sub(r"\2", c.strip())).replace(_ESCAPED_PIPE, "|").strip()
             for c in body.split("|")]
    return cells if len(cells) >= 2 else None


def is_separator(cells: list[str]) -> bool:
    """``|---|:---:|`` (cells that are all dashes, or empty beside dashes)."""
    return any(cells) and all(_SEPARATOR_CELL.match(c) or not c for c in cells)


def tab_cells(line: str) -> list[str] | None:
    """A tab-separated row (indentation is not a cell; an empty field between tabs is a blank one)."""
    stripped = line.strip(" \u3000\r\n")
    if "\t" not in stripped.lstrip("\t"):
        return None
    return [c.strip() for c in stripped.lstrip("\t").split("\t")]


def clean_paragraph(line: str) -> str:
    """A Markdown line's words, without the marks around them (``# 标题``, ``**一、**``)."""
    return _EMPHASIS.sub(r"\2", _MARKDOWN_LEAD.sub("", line.strip())).strip()


def text_blocks(lines: Iterable[str], html_tables: HtmlTables | None = None,
                keep: Callable[[str], bool] = lambda line: True) -> list[Block]:
    """Lines → paragraphs and tables; ``keep`` drops page furniture between rows."""
    blocks: list[Block] = []
    rows: list[list[str]] = []
    kind = ""  # "pipe" | "tab": the row syntax of the table being collected
    html: list[str] | None = None

    def close() -> None:
        nonlocal rows, kind
        if rows:
            blocks.append(Table(rows=[list(r) for r in rows]))
        rows, kind = [], ""

    for line in lines:
        if html is None and html_tables is not None and _HTML_TABLE_START.search(line):
            close()
            html = []
        if html is not None:
            html.append(line)
            if _HTML_TABLE_END.search(line):
                blocks.extend(_html_or_text(html, html_tables))
                html = None
            continue
        if not line.strip():
            continue  # a blank line between pipe rows does not end the table: converters add them
        if not keep(line):
            continue
        row_kind, cells = _row(line)
        if cells is not None:
            if kind not in ("", row_kind):
                close()  # pipe rows then tab rows: two tables
            kind = row_kind
            if not is_separator(cells):
                rows.append(cells)
            continue
        close()
        text = clean_paragraph(line)
        if text:
            blocks.append(Paragraph(text))
    close()
    if html:
        blocks.extend(_html_or_text(html, html_tables))
    return blocks


def _row(line: str) -> tuple[str, list[str] | None]:
    cells = pipe_cells(line)
    return ("pipe", cells) if cells is not None else ("tab", tab_cells(line))


def _html_or_text(lines: list[str], html_tables: HtmlTables | None) -> list[Block]:
    tables = html_tables("\n".join(lines)) if html_tables else []
    if tables:
        return list(tables)
    text = re.sub(r"<[^>]+>", " ", "\n".join(lines))
    return [Paragraph(t.strip()) for t in text.splitlines() if t.strip()]
