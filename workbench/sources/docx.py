"""Word (.docx) documents: body paragraphs and table grids in document order.

The body XML's children are walked directly (``w:p``, ``w:tbl``, content controls),
so each table sits between the paragraphs that surround it in the document.

Merged cells follow the grid convention in ``document.py``. The grid is built
from the cell XML rather than python-docx's ``row.cells`` (which repeats the
merged cell object for every position it covers): a ``w:tc`` with
``gridSpan=n`` is its text followed by ``n-1`` None, and a ``w:vMerge``
continuation cell is None, its text being in the restart cell above. Positions
a row leaves out (``w:gridBefore`` / short rows) are None too, so
``origin_rows()`` is exactly the cells the author typed. A table that holds
tables, or has a single cell, is layout: its cells are read as body content.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from io import BytesIO
from pathlib import Path
from typing import Any

import docx
from docx.exceptions import InvalidXmlError
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml.ns import qn
from lxml import etree

from workbench.sources.document import Block, Document, Grid, Paragraph, SourceError, Table

XmlElement = Any  # python-docx oxml elements (lxml-based); no type stubs

_P, _TBL, _SDT, _SDT_CONTENT = qn("w:p"), qn("w:tbl"), qn("w:sdt"), qn("w:sdtContent")
_TR, _TC = qn("w:tr"), qn("w:tc")
_T, _TAB, _CR, _NO_BREAK_HYPHEN, _TYPE = (qn("w:t"), qn("w:tab"), qn("w:cr"),
                                          qn("w:noBreakHyphen"), qn("w:type"))
_NAMESPACES = {"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
               "mc": "http://schemas.openxmlformats.org/markup-compatibility/2006"}
# Text, tabs and breaks of a paragraph, not those of deleted or moved-away text (tracked
# changes), of text boxes anchored in it, or of the fallback copy of alternate content.
_TEXT_NODES = etree.XPath(
    "./descendant::*[self::w:t or self::w:tab or self::w:br or self::w:cr or self::w:noBreakHyphen]"
    "[not(ancestor::w:del or ancestor::w:moveFrom or ancestor::w:txbxContent"
    " or ancestor::mc:Fallback)]",
    namespaces=_NAMESPACES,
)
_WHITESPACE = re.compile(r"[^\S\n]+")
# Titles that Word or a converter fills in, or text decoded with the wrong code page.
_PLACEHOLDER_TITLE = re.compile(r"^(?:microsoft word\s*-|untitled|无标题|标题$|title$|文档\d*$)", re.I)
# Control characters (C0, C1), the replacement character, GBK-decoded U+FFFD runs.
_BROKEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffd]|锟斤拷")
TITLE_MAX_CHARS = 200
MAX_SPAN = 1000  # gridSpan / gridBefore beyond this are damage (or a bomb) that would blow up the grid
MAX_PART_BYTES = 100 * 2**20  # what one zip part may inflate to
MAX_TOTAL_BYTES = 200 * 2**20  # what the whole zip may inflate to


def read(path: Path, data: bytes) -> Document:
    word = _open(path, data)
    blocks: list[Block] = []
    try:
        _read_body(word.element.body, blocks)
    except (ValueError, TypeError, InvalidXmlError) as exc:  # e.g. gridSpan="x"
        raise SourceError(path, f"the Word document's content is damaged ({exc})") from None
    meta: dict[str, str] = {}
    title = _clean_title(word.core_properties.title)
    if title:
        meta["title"] = title
    return Document(path=path, format="docx", blocks=blocks, meta=meta)


def _open(path: Path, data: bytes) -> Any:
    """python-docx's Document, or a SourceError that says in plain words why not."""
    if not zipfile.is_zipfile(BytesIO(data)):
        raise SourceError(path, "not a valid DOCX file (it is not a zip archive)")
    names: set[str] = set()
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            names = _check_inflated_sizes(path, archive)
            if "word/document.xml" in names:
                data = _without_dangling_parts(archive, names) or data
        # zipfile stops every part at the size its header declares (and then fails its
        # CRC check), so a lying header cannot inflate a part past the checked sizes.
        return docx.Document(BytesIO(data))
    except zipfile.BadZipFile:
        raise SourceError(path, "not a valid DOCX file (the zip archive is damaged)") from None
    except (KeyError, PackageNotFoundError) as exc:
        # No [Content_Types].xml / relationships / word/document.xml: some other zip.
        if "word/document.xml" in names:
            raise SourceError(path, f"the Word document is incomplete (a part it needs is missing: {exc})") from None
        raise SourceError(path, "not a Word document (the zip has no word/document.xml)") from None
    except etree.XMLSyntaxError as exc:
        raise SourceError(path, f"the Word document's XML is damaged ({exc.msg})") from None
    except ValueError as exc:
        # python-docx: "file '…' is not a Word file, content type is '…'" (an .xlsx, .pptx …)
        raise SourceError(path, f"not a Word document ({exc})") from None


def _check_inflated_sizes(path: Path, archive: zipfile.ZipFile) -> set[str]:
    """Refuse a zip whose parts would inflate past the limits (by their declared sizes)."""
    total = 0
    for info in archive.infolist():
        if info.file_size > MAX_PART_BYTES:
            raise SourceError(path, f"DOCX 中的 {info.filename} 解压后有 {info.file_size / 2**20:.0f} MB，"
                                    f"超过单个部件 {MAX_PART_BYTES / 2**20:g} MB 的上限（疑似压缩炸弹），未读取")
        total += info.file_size
    if total > MAX_TOTAL_BYTES:
        raise SourceError(path, f"DOCX 解压后共 {total / 2**20:.0f} MB，超过 {MAX_TOTAL_BYTES / 2**20:g} MB "
                                "的上限（疑似压缩炸弹），未读取")
    return set(archive.namelist())


def _without_dangling_parts(archive: zipfile.ZipFile, names: set[str]) -> bytes | None:
    """The zip again without relationships to parts it lacks (a DOCX with no word/styles.xml).

    python-docx loads every related part and fails on a missing one; the body is all
    this reader needs. None when nothing dangles (the usual case: the bytes are used as they are).
    """
    dangling: dict[str, list[Any]] = {}
    for name in names:
        if not name.endswith(".rels"):
            continue
        folder = posixpath.dirname(posixpath.dirname(name))  # word/_rels/document.xml.rels → word
        root = etree.fromstring(archive.read(name))
        missing = [rel for rel in root if rel.get("TargetMode") != "External"
                   and _part_name(folder, rel.get("Target", "")) not in names]
        if missing:
            for rel in missing:
                root.remove(rel)
            dangling[name] = root
    if not dangling:
        return None
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        for info in archive.infolist():
            if info.filename in dangling:
                out.writestr(info.filename, etree.tostring(dangling[info.filename], xml_declaration=True,
                                                           encoding="UTF-8", standalone=True))
            else:
                out.writestr(info, archive.read(info))
    return buffer.getvalue()


def _part_name(folder: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(folder, target)).lstrip("/")


def _read_body(container: XmlElement, blocks: list[Block]) -> None:
    """Paragraphs and tables of a body, table cell or content control, in order."""
    for child in container.iterchildren():
        tag = child.tag
        if tag == _P:
            _add_paragraph(child, blocks)
        elif tag == _TBL:
            _add_table(child, blocks)
        elif tag == _SDT:
            content = child.find(_SDT_CONTENT)
            if content is not None:
                _read_body(content, blocks)


def _paragraph_lines(p: XmlElement) -> list[str]:
    """The paragraph's visible text, split at manual line breaks.

    Read from the XML rather than python-docx's ``Paragraph.text``, which keeps only
    runs that are direct children (or in hyperlinks) and so drops text in tracked
    insertions, content controls, smart tags and field results.
    """
    parts: list[str] = []
    for node in _TEXT_NODES(p):
        tag = node.tag
        if tag == _T:
            parts.append(node.text or "")
        elif tag == _TAB:
            parts.append("\t")
        elif tag == _NO_BREAK_HYPHEN:
            parts.append("-")
        elif tag == _CR or node.get(_TYPE) in (None, "textWrapping"):
            parts.append("\n")  # a page or column break is not a line break
    text = "".join(parts)
    return [line for line in (_WHITESPACE.sub(" ", x).strip() for x in text.split("\n")) if line]


def _add_paragraph(p: XmlElement, blocks: list[Block]) -> None:
    # A manual line break splits a paragraph, as <br> does in HTML.
    blocks.extend(Paragraph(line) for line in _paragraph_lines(p))


def _add_table(tbl: XmlElement, blocks: list[Block]) -> None:
    rows = [list(tr.iterchildren(_TC)) for tr in tbl.iterchildren(_TR)]
    if sum(len(cells) for cells in rows) <= 1 or tbl.find(".//" + _TBL) is not None:
        for cells in rows:  # layout table: its cells are body content
            for tc in cells:
                _read_body(tc, blocks)
        return
    grid = _grid(tbl, rows)
    if any(c for row in grid for c in row):
        blocks.append(Table(grid))


def _grid(tbl: XmlElement, rows: list[list[XmlElement]]) -> Grid:
    grid: Grid = []
    for tr, cells in zip(tbl.iterchildren(_TR), rows, strict=True):
        row: list[str | None] = [None] * _grid_before(tr)
        for tc in cells:
            span = min(max(tc.grid_span, 1), MAX_SPAN)
            column = len(row)
            if tc.vMerge == "continue" and _covered_from_above(grid, column):
                row.extend([None] * span)
            else:
                row.append(_cell_text(tc))
                row.extend([None] * (span - 1))
        grid.append(row)
    width = max((len(row) for row in grid), default=0)
    return [row + [None] * (width - len(row)) for row in grid]


def _grid_before(tr: XmlElement) -> int:
    try:
        return min(max(int(tr.grid_before), 0), MAX_SPAN)
    except (AttributeError, TypeError, ValueError):
        return 0


def _covered_from_above(grid: Grid, column: int) -> bool:
    """A continuation needs a merged region above it; a stray one at the top is a real cell."""
    return bool(grid) and column < len(grid[-1])


def _cell_text(tc: XmlElement) -> str:
    """The cell's paragraphs (nested tables' too), a line each; a blank cell is ""."""
    lines: list[str] = []
    _content_lines(tc, lines)
    return "\n".join(lines)


def _content_lines(container: XmlElement, lines: list[str]) -> None:
    # Direct content only: paragraphs inside text boxes (w:txbxContent) are drawings.
    for child in container.iterchildren():
        if child.tag == _P:
            lines.extend(_paragraph_lines(child))
        elif child.tag == _TBL:
            for tr in child.iterchildren(_TR):
                for tc in tr.iterchildren(_TC):
                    _content_lines(tc, lines)
        elif child.tag == _SDT and (content := child.find(_SDT_CONTENT)) is not None:
            _content_lines(content, lines)


def _clean_title(title: str | None) -> str | None:
    """Core-properties titles are often leftovers (a template's, a converter's); keep real ones."""
    if not title:
        return None
    title = _WHITESPACE.sub(" ", title).strip()
    if not title or len(title) > TITLE_MAX_CHARS or "\n" in title:
        return None
    if _PLACEHOLDER_TITLE.match(title) or _BROKEN.search(title) or _is_misdecoded_utf8(title):
        return None
    return title


def _is_misdecoded_utf8(text: str) -> bool:
    """UTF-8 bytes read as Latin-1 / cp1252 ("æ–‡ä»¶" for 文件) turn back into other text."""
    for codec in ("latin-1", "cp1252"):
        try:
            if text.encode(codec).decode("utf-8") != text:
                return True
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
    return False
