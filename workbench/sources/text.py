"""Plain text: PDF-extracted text and portal-crawler text.

Crawler files start with a header of ``key: value`` lines (标题, 发布时间, 发布机构 …)
ended by a ``==== 正文 ====`` rule; the header goes into ``Document.meta``.
The body becomes paragraphs, one per line, and table grids wherever the text
still carries cell boundaries (Markdown pipe rows, tabs, embedded ``<table>``
markup: see ``text_grids``). Tables whose cells were run together stay text,
and the parse stage reads them from the text.
"""

from __future__ import annotations

import re
from pathlib import Path

from workbench.sources import html
from workbench.sources.document import Document, SourceError, Table
from workbench.sources.encoding import decode
from workbench.sources.text_grids import text_blocks

_HEADER_LINE = re.compile(r"^\s*([^\s:：]{1,12})\s*[:：]\s*(.*)$")
_BODY_RULE = re.compile(r"^=+\s*正文\s*=+\s*$")
# Page furniture that PDF-to-text tools leave in the flow: "- 2 -", "— 3 —", "第4页", "5/12".
_PAGE_NUMBER = re.compile(r"^\s*(?:[-—–]\s*\d{1,3}\s*[-—–]|第\s*\d{1,3}\s*页(?:\s*共\s*\d+\s*页)?|\d{1,3}\s*/\s*\d{1,3})\s*$")
_DATE = re.compile(r"(\d{4})[-/年.](\d{1,2})[-/月.](\d{1,2})")
HEADER_KEYS = {"标题": "title", "发布时间": "page_date", "发布日期": "page_date",
               "发布机构": "publisher", "原文链接": "url"}


def read(path: Path, data: bytes) -> Document:
    text = decode(data)
    lines = text.splitlines()
    meta: dict[str, str] = {}
    body_start = next((i + 1 for i, line in enumerate(lines[:40]) if _BODY_RULE.match(line)), 0)
    for line in lines[: max(body_start - 1, 0)]:
        match = _HEADER_LINE.match(line)
        if match and match.group(1) in HEADER_KEYS and match.group(2).strip():
            meta[HEADER_KEYS[match.group(1)]] = match.group(2).strip()
    if "page_date" in meta and (date := _DATE.search(meta["page_date"])):
        meta["page_date"] = f"{date[1]}-{int(date[2]):02d}-{int(date[3]):02d}"
    blocks = text_blocks(lines[body_start:], html_tables=lambda markup: _html_tables(path, markup),
                         keep=lambda line: not _PAGE_NUMBER.match(line))
    return Document(path=path, format="txt", blocks=blocks, meta=meta)


def _html_tables(path: Path, markup: str) -> list[Table]:
    """The grids of a ``<table>`` kept in text, read by the HTML reader (spans and all)."""
    try:
        return html.read(path, f"<html><body>{markup}</body></html>".encode()).tables
    except SourceError:
        return []
