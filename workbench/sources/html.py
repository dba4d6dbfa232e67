"""HTML pages and fragments: the report article as paragraphs and table grids.

Reports usually sit inside a full portal page (navigation, search forms, share
buttons, footers, scripts). The reader finds the article and ignores the rest:

1. Known article containers of the common government CMSs (TRS ``div.TRS_Editor``,
   Kaipu ``#UCAP-CONTENT``, ``#zoom``, gov.cn ``.pages_content`` ...), most specific
   first; a match must hold readable text that is not mostly links.
2. Otherwise the element with the densest non-link text (link text counts against
   an element, so menus and footers lose), narrowed to a child that holds nearly
   all of it. A fragment with no ``<html>`` (a report cut from a JS string) is
   wrapped in html/body by the parser and read the same way.

Inside the article, every ``<p>/<div>/<h*>/<li>`` text run becomes a Paragraph
(``<br>`` splits it) and every data ``<table>`` a Table, with rowspan/colspan
expanded into a grid per the convention in ``document.py``. Positions that no
cell reaches in a ragged row are ``None`` as well, so ``origin_rows()`` stays what
the author typed. A table that holds tables, or has a single cell, is layout: its
cells are read as article text.

Speed: lxml.etree (not lxml.html, whose element classes cost a Python call per
element, and not BeautifulSoup) parses and searches in C; the Python work is one
walk over the article. The real pages read in 1.2–1.9 ms (35–120 KB), 3.5 ms for the
260 KB Word-markup page (benchmarks/html_reader_speed.py).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from lxml import etree

from workbench.sources import html_images
from workbench.sources.document import Block, Document, Grid, Paragraph, SourceError, Table
from workbench.sources.encoding import declared_charset, decode

Element = Any  # lxml.etree._Element; lxml ships no type stubs

# Never text: removed from the whole page before anything is measured.
_JUNK_TAGS = ("script", "style", "noscript", "template", "iframe", "object", "embed", "svg",
              "canvas", "select", "button", "input", "textarea", "audio", "video", "map")
# Page chrome that may sit inside a loose article container.
_CHROME_TAGS = ("nav", "header", "footer", "aside", "form")
MIN_ARTICLE_CHARS = 50
MAX_LINK_SHARE = 0.5  # a container whose text is mostly links is a menu
MIN_PAGE_SHARE = 0.1  # a known container must hold this share of the page's text
NARROW_SHARE = 0.9  # a child with this share of its parent's score is the article
LINK_PENALTY = 3  # each character of link text cancels three of plain text


# Known containers by class, id or tag, by rank: most specific first. Ranks from
# GENERIC_RANK on are names that page wrappers also use, so their matches are narrowed.
_CONTAINER_CLASSES = {"TRS_Editor": 0, "TRS_UEDITOR": 1, "pages_content": 4,
                      "article-content": 10, "article_content": 10, "detail-content": 10,
                      "article": 12, "content": 12}
_CONTAINER_IDS = {"UCAP-CONTENT": 2, "zoom": 3, "Zoom": 3, "fontzoom": 3, "js_content": 5,
                  "article-content": 10, "content": 10}
_CONTAINER_TAGS = {"article": 11, "main": 11}
GENERIC_RANK = 10
# Every XPath is a scan of the whole page (0.06 ms for //div[...] on a 260 KB portal
# page, five times that for //*[...]), so a specific name is looked for only when the
# page's text has it, only on <div> (what these CMSs use), with a cheap substring
# predicate (the class token is checked in Python), and only until one is found.
_SPECIFIC_XPATHS = sorted(
    [(rank, name, "class", etree.XPath(f"//div[contains(@class, '{name}')]"))
     for name, rank in _CONTAINER_CLASSES.items() if rank < GENERIC_RANK]
    + [(rank, name, "id", etree.XPath(f"//div[@id='{name}']"))
       for name, rank in _CONTAINER_IDS.items() if rank < GENERIC_RANK]
)
_GENERIC_XPATH = etree.XPath(
    "(//div | //td | //section | //article | //main)[contains(@class, 'article')"
    " or contains(@class, 'content') or @id='content' or @id='article-content'"
    " or self::article or self::main]"
)
_TEXT_LENGTH = etree.XPath("string-length(normalize-space(.))")
_LINK_TEXT = etree.XPath(".//a//text()")
_HAS_TABLE = etree.XPath("boolean(.//table)")
# Filtered in C: only elements with enough text to be the article are measured.
_DENSITY_CANDIDATES = etree.XPath(
    "(//body | //div | //td | //article | //section | //main | //center)"
    f"[string-length(normalize-space(.)) >= {MIN_ARTICLE_CHARS}]"
)
_PRECEDING_TEXT = etree.XPath("preceding::text()[position() <= 80]")
_META = etree.XPath("//meta[@name and @content]")
_TITLE = etree.XPath("string(//title)")
_HEADINGS = etree.XPath("//h1 | //h2 | //h3")
_STRING = etree.XPath("string(.)")

# Elements that end a paragraph. Everything else (span, a, font, strong ...) is inline.
_BLOCK_TAGS = frozenset([
    "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd",
    "blockquote", "section", "article", "main", "center", "address", "pre", "figure",
    "figcaption", "caption", "hr", "table", "tr", "td", "th", "tbody", "thead", "tfoot",
    "aside", "header", "footer", "nav", "form", "fieldset", "legend", "details", "summary",
    "body", "html",
])
_SKIP_TAGS = frozenset(["head", "title", "meta", "link", *_JUNK_TAGS])
_ROW_GROUPS = frozenset(["thead", "tbody", "tfoot"])

_WHITESPACE = re.compile(r"[\s\u200b\ufeff]+")
_CJK = "\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f"
# A source line break between two Chinese characters is not a space (CSS Text 3
# segment-break rule): "政府信息\n公开" is one word.
_CJK_LINE_BREAK = re.compile(rf"(?<=[{_CJK}])[ \t\r\n]*\n[ \t\r\n]*(?=[{_CJK}])")
_MARKUP = re.compile(r"<[A-Za-z!/?]")
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_SPAN = re.compile(r"\d+")
MAX_COLSPAN = 1000  # the HTML limits; larger values are typos that would blow up the grid
MAX_ROWSPAN = 65534

_DATE_TEXT = r"(\d{4}\s*[-/年.]\s*\d{1,2}\s*[-/月.]\s*\d{1,2})"
_DATE = re.compile(r"(\d{4})\s*[-/年.]\s*(\d{1,2})\s*[-/月.]\s*(\d{1,2})")
_LABELLED_DATE = re.compile(r"发布(?:日期|时间)\s*[:：]\s*" + _DATE_TEXT)
# 成文日期 / 印发日期 / 生成日期 are not the publication date.
_LOOSE_DATE = re.compile(r"(?<![成印生])(?:日期|时间)\s*[:：]\s*" + _DATE_TEXT)
_DATE_META = ("pubdate", "publishdate", "firstpublishedtime", "publishtime", "dc.date")
_TITLE_SEPARATOR = re.compile(r"\s*(?:[_|｜]| - | — | – )\s*")
HEADING_MAX_CHARS = 80
DATE_SEARCH_PARAGRAPHS = 6


def read(path: Path, data: bytes) -> Document:
    text = decode(data, declared_charset(data))
    if not _MARKUP.search(text):
        # Plain text saved as .html: no markup, so its line breaks are the paragraphs.
        flow = _Flow()
        flow.add_lines(text)
        if not flow.blocks:
            raise SourceError(path, "the page has no readable text")
        return Document(path=path, format="html", blocks=flow.blocks,
                        meta=_document_meta(None, {}, flow.blocks, ""))
    root = _parse(path, text)
    meta_tags = _meta_tags(root)
    for junk in list(root.iter(*_JUNK_TAGS)):
        _drop(junk)
    article = _find_article(root, text)
    if article is None:
        raise SourceError(path, "the page has no readable text")
    preceding = "".join(_PRECEDING_TEXT(article))
    _drop_chrome(article)
    flow = _Flow(path)
    blocks = flow.read(article)
    if not blocks and flow.remote_images:
        raise SourceError(path, f"页面正文只有网络图片（{flow.remote_images[0]}），本工具不联网下载，"
                                "未能读取：请将图片随页面一并保存后再读取")
    if not blocks:
        raise SourceError(path, "the page has no readable text")
    meta = _document_meta(root, meta_tags, blocks, preceding)
    if flow.remote_images:
        meta["remote_images"] = " ".join(flow.remote_images)
    return Document(path=path, format="html", blocks=blocks, meta=meta)


# --- parsing --------------------------------------------------------------------------


def _parse(path: Path, text: str) -> Element:
    # lxml refuses str input that carries an encoding declaration; the text is decoded.
    text = _XML_DECLARATION.sub("", text, count=1)
    if "\x00" in text:
        text = text.replace("\x00", "")
    if not text.strip():
        raise SourceError(path, "the page has no readable text")
    # huge_tree: libxml2 otherwise stops at 255 levels of nesting and drops the rest of the page.
    parser = etree.HTMLParser(remove_comments=True, remove_pis=True, collect_ids=False, huge_tree=True)
    try:
        # libxml2 wraps fragments (no <html>) in html/body.
        root = etree.fromstring(text, parser)
    except (etree.ParserError, ValueError) as exc:
        raise SourceError(path, f"the HTML cannot be parsed ({exc})") from None
    if root is None:
        raise SourceError(path, "the page has no readable text")
    return root


def _drop(element: Element) -> None:
    """Remove an element but keep its tail text, which belongs to the text around it."""
    parent = element.getparent()
    if parent is None:
        return
    if element.tail:
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)


# --- finding the article ----------------------------------------------------------------


def _find_article(root: Element, text: str) -> Element | None:
    for _, name, attribute, xpath in _SPECIFIC_XPATHS:
        if name not in text:
            continue
        matches = [e for e in xpath(root)
                   if attribute == "id" or name in (e.get("class") or "").split()]
        if (found := _best_container(matches)) is not None and _holds_the_page(found, root):
            return found
    has_generic = any(m in text for m in ("article", "content", "<main"))
    ranked = _generic_containers(root) if has_generic else {}
    scores = _density_scores(root)
    for rank in sorted(ranked):
        if (found := _best_container(ranked[rank])) is not None:
            return _narrow(_best_within(found, scores), scores)
    if scores:
        return _narrow(max(scores, key=scores.__getitem__), scores)
    # A short page: whatever text the body has (the caller rejects a page with none).
    return root.find("body")


def _holds_the_page(container: Element, root: Element) -> bool:
    """A known container that is a sliver of the page (a notice box) is not the article."""
    body = root.find("body")
    page_length = _TEXT_LENGTH(body if body is not None else root)
    return _TEXT_LENGTH(container) >= MIN_PAGE_SHARE * page_length


def _generic_containers(root: Element) -> dict[int, list[Element]]:
    ranked: dict[int, list[Element]] = {}
    for element in _GENERIC_XPATH(root):
        ranks = [_CONTAINER_CLASSES[c] for c in (element.get("class") or "").split()
                 if c in _CONTAINER_CLASSES]
        if (ident := element.get("id")) in _CONTAINER_IDS:
            ranks.append(_CONTAINER_IDS[ident])
        if element.tag in _CONTAINER_TAGS:
            ranks.append(_CONTAINER_TAGS[element.tag])
        if ranks:
            ranked.setdefault(min(ranks), []).append(element)
    return ranked


def _link_chars(element: Element) -> int:
    return sum(len(t.strip()) for t in _LINK_TEXT(element))


def _best_container(matches: list[Element]) -> Element | None:
    """The match with the most text, if it is article-like (enough text, few links)."""
    best, best_length = None, 0.0
    for element in matches:
        length = _TEXT_LENGTH(element)
        if length > best_length:
            best, best_length = element, length
    if best is None:
        return None
    if best_length < MIN_ARTICLE_CHARS and not _HAS_TABLE(best):
        return None
    if _link_chars(best) > MAX_LINK_SHARE * best_length:
        return None
    return best


def _density_scores(root: Element) -> dict[Element, float]:
    """Text minus a penalty for link text, per block element (menus score below 0)."""
    scores: dict[Element, float] = {}
    for element in _DENSITY_CANDIDATES(root):
        scores[element] = _TEXT_LENGTH(element) - LINK_PENALTY * _link_chars(element)
    return scores


def _best_within(container: Element, scores: dict[Element, float]) -> Element:
    """The best-scoring element inside a loosely named container (or the container itself)."""
    best, best_score = container, scores.get(container, float("-inf"))
    for element, score in scores.items():
        if score > best_score and any(a is container for a in element.iterancestors()):
            best, best_score = element, score
    return best


def _narrow(element: Element, scores: dict[Element, float]) -> Element:
    """Step into a child that carries nearly all of the element's score (drops thin wrappers)."""
    while True:
        score = scores.get(element)
        if score is None or score <= 0:
            return element
        inner = next((c for c in element if scores.get(c, 0) >= NARROW_SHARE * score), None)
        if inner is None:
            return element
        element = inner


def _drop_chrome(article: Element) -> None:
    for element in list(article.iter(*_CHROME_TAGS)):
        if element is article or _HAS_TABLE(element):
            continue
        # Some ASP.NET portals wrap the whole page, report included, in one <form>.
        if len(element.findall(".//p")) >= 3:
            continue
        _drop(element)


# --- the article as blocks --------------------------------------------------------------


def _clean(text: str) -> str:
    if "\n" in text:
        text = _CJK_LINE_BREAK.sub("", text)
    return _WHITESPACE.sub(" ", text).strip()


class _Flow:
    """Walks the article in document order: text runs become paragraphs, tables grids."""

    def __init__(self, path: Path | None = None) -> None:
        self.blocks: list[Block] = []
        self._buffer: list[str] = []
        self.path = path  # the page's file: pictures beside it are read, remote ones listed
        self.images = 0
        self.remote_images: list[str] = []
        self._pictures: dict[Element, list[Block] | None] = {}  # each <img> is OCR'd once

    def read(self, element: Element) -> list[Block]:
        self._walk(element)
        self._flush()
        return self.blocks

    def _flush(self) -> None:
        if self._buffer:
            text = _clean("".join(self._buffer))
            self._buffer.clear()
            if text:
                self.blocks.append(Paragraph(text))

    def _walk(self, element: Element) -> None:
        if element.text:
            self._buffer.append(element.text)
        for child in element:
            tag = child.tag
            if not isinstance(tag, str) or tag in _SKIP_TAGS:
                pass
            elif tag == "br":
                self._flush()
            elif tag == "img":
                self._image(child)
            elif tag == "table":
                self._flush()
                self._table(child)
            elif tag == "pre":  # preformatted: its line breaks are the paragraphs
                self._flush()
                self.add_lines(_STRING(child))
            elif tag in _BLOCK_TAGS:
                self._flush()
                self._walk(child)
                self._flush()
            else:
                self._walk(child)
            if child.tail:
                self._buffer.append(child.tail)

    def _image(self, img: Element) -> None:
        blocks = self._picture(img)
        if blocks is None:
            self.remote_images.append((img.get("src") or "")[:200])
        elif blocks:
            self._flush()
            self.blocks.extend(blocks)

    def _picture(self, img: Element) -> list[Block] | None:
        """The blocks a picture shows; None when it is remote or past MAX_IMAGES (not read)."""
        if img in self._pictures:
            return self._pictures[img]
        src = img.get("src") or ""
        blocks: list[Block] | None = []
        if self.path is not None and src:
            if self.images >= html_images.MAX_IMAGES:
                blocks = None
            else:
                blocks = html_images.image_blocks(self.path, src, self.images + 1)
                self.images += bool(blocks)
        self._pictures[img] = blocks
        return blocks

    def _frames_a_picture(self, rows: list[list[Element]]) -> bool:
        """Whether a cell holds a picture of a table: portals put table 三 as an <img> in a
        layout table's cell (beside a spacer cell, under a 单位：件 row). The table then frames the
        picture and is read as layout, the picture in its place; a picture that shows no table
        (an icon, a photo) leaves the table a data table, as it was."""
        return any(isinstance(block, Table) for cells in rows for cell in cells
                   for img in cell.iter("img") for block in self._picture(img) or ())

    def add_lines(self, text: str) -> None:
        self.blocks.extend(Paragraph(line) for line in map(_clean, text.splitlines()) if line)

    def _table(self, table: Element) -> None:
        caption = table.find("caption")
        if caption is not None:
            self._walk(caption)
            self._flush()
        rows = [list(row.iterchildren("td", "th")) for row in _rows(table)]
        if _is_layout(table, rows) or self._frames_a_picture(rows):
            for cells in rows:
                for cell in cells:
                    self._walk(cell)
                    self._flush()
            return
        # A remote picture in a data table's cell is not fetched, but it may hold a table too.
        self.remote_images += [(img.get("src") or "")[:200] for cells in rows for cell in cells
                               for img in cell.iter("img") if self._picture(img) is None]
        grid = _grid(rows)
        if any(c for row in grid for c in row):  # a table with no text at all is decoration
            self.blocks.append(Table(grid))


def _rows(table: Element) -> list[Element]:
    """The table's own rows in order (not those of tables nested in its cells)."""
    rows = []
    for child in table:
        if child.tag == "tr":
            rows.append(child)
        elif child.tag in _ROW_GROUPS:
            rows.extend(child.iterchildren("tr"))
    return rows


def _is_layout(table: Element, rows: list[list[Element]]) -> bool:
    """A table that holds tables, or a single cell, frames content instead of tabulating it."""
    if sum(len(cells) for cells in rows) <= 1:
        return True
    return table.find(".//table") is not None


def _cell_text(cell: Element) -> str:
    """All the cell's text; a line per paragraph or <br> (MSO splits headers one char per <p>)."""
    if len(cell) == 0:
        return _clean(cell.text or "")
    if len(cell) == 1:  # the usual <td><p>text</p></td>, without the walk
        child = cell[0]
        if (len(child) == 0 and child.tag not in _SKIP_TAGS and child.tag != "br"
                and not (cell.text or "").strip() and not (child.tail or "").strip()):
            return _clean(child.text or "")
    lines: list[str] = []
    buffer: list[str] = []
    _cell_walk(cell, buffer, lines)
    _cell_line(buffer, lines)
    return "\n".join(lines)


def _cell_line(buffer: list[str], lines: list[str]) -> None:
    if buffer:
        text = _clean("".join(buffer))
        buffer.clear()
        if text:
            lines.append(text)


def _cell_walk(element: Element, buffer: list[str], lines: list[str]) -> None:
    if element.text:
        buffer.append(element.text)
    for child in element:
        tag = child.tag
        if not isinstance(tag, str) or tag in _SKIP_TAGS:
            pass
        elif tag == "br":
            _cell_line(buffer, lines)
        elif tag in _BLOCK_TAGS:
            _cell_line(buffer, lines)
            _cell_walk(child, buffer, lines)
            _cell_line(buffer, lines)
        else:
            _cell_walk(child, buffer, lines)
        if child.tail:
            buffer.append(child.tail)


def _span(cell: Element, name: str, limit: int) -> int:
    value = cell.get(name)
    if not value:
        return 1
    match = _SPAN.search(value)
    return min(int(match.group()), limit) if match else 1  # 0 is handled by the caller


_MISSING = object()  # a grid position no cell reaches (yet)


def _grid(rows: list[list[Element]]) -> Grid:
    """Expand rowspan/colspan: the origin cell holds the text, covered positions None."""
    height = len(rows)
    grid: list[list[object]] = [[] for _ in range(height)]
    for r, cells in enumerate(rows):
        row = grid[r]
        column = 0
        for cell in cells:
            while column < len(row) and row[column] is not _MISSING:
                column += 1
            rowspan = _span(cell, "rowspan", MAX_ROWSPAN)
            colspan = max(_span(cell, "colspan", MAX_COLSPAN), 1)
            text = _cell_text(cell)
            if rowspan == 1 and colspan == 1 and column == len(row):
                row.append(text)  # the common case, without the span bookkeeping
            else:
                # rowspan="0" spans the rest of the table; spans never reach past the last row.
                last_row = height if rowspan == 0 else min(r + rowspan, height)
                _place(grid, r, last_row, column, colspan, text)
            column += colspan
    width = max((len(row) for row in grid), default=0)
    return [[c if isinstance(c, str) else None for c in row] + [None] * (width - len(row))
            for row in grid]


def _place(grid: list[list[object]], first_row: int, last_row: int, column: int, colspan: int,
           text: str) -> None:
    for r in range(first_row, last_row):
        row = grid[r]
        if len(row) < column + colspan:
            row.extend([_MISSING] * (column + colspan - len(row)))
        for c in range(column, column + colspan):
            if row[c] is _MISSING:  # overlapping spans: the earlier cell keeps its place
                row[c] = text if (r == first_row and c == column) else None


# --- metadata -------------------------------------------------------------------------


def _meta_tags(root: Element) -> dict[str, str]:
    tags: dict[str, str] = {}
    for element in _META(root):
        name = element.get("name", "").strip().lower()
        content = _clean(element.get("content", ""))
        if name and content and name not in tags:
            tags[name] = content
    return tags


def _document_meta(root: Element | None, tags: dict[str, str], blocks: list[Block],
                   preceding: str) -> dict[str, str]:
    meta: dict[str, str] = {}
    if title := _title(root, tags, blocks):
        meta["title"] = title
    if page_date := _page_date(tags, blocks, preceding):
        meta["page_date"] = page_date
    if tags.get("contentsource"):
        meta["publisher"] = tags["contentsource"]
    return meta


def _title(root: Element | None, tags: dict[str, str], blocks: list[Block]) -> str | None:
    """ArticleTitle, else the report's name from <title>, a heading or a heading-like line."""
    if tags.get("articletitle"):
        return tags["articletitle"]
    page_title = _clean(_TITLE(root)) if root is not None else ""
    # "报告标题_栏目_网站" → the part that names the report.
    parts = [p for p in _TITLE_SEPARATOR.split(page_title) if p]
    if named := next((p for p in parts if "年度报告" in p or "年报" in p), None):
        return named
    headings = [_clean(_STRING(h)) for h in _HEADINGS(root)] if root is not None else []
    paragraphs = [b.text for b in blocks if isinstance(b, Paragraph)]
    return next((t for t in headings + paragraphs if _is_heading_like(t)), page_title or None)


def _is_heading_like(text: str) -> bool:
    return "年度报告" in text and len(text) <= HEADING_MAX_CHARS and not text.endswith(("。", "；"))


def _page_date(tags: dict[str, str], blocks: list[Block], preceding: str) -> str | None:
    for name in _DATE_META:
        if name in tags and (date := _iso_date(tags[name])):
            return date
    # The portal's "发布时间：…" line just above the article, else one in its first lines.
    head = [b.text for b in blocks[:DATE_SEARCH_PARAGRAPHS] if isinstance(b, Paragraph)]
    for pattern in (_LABELLED_DATE, _LOOSE_DATE):
        found = pattern.findall(preceding)
        if found and (date := _iso_date(found[-1])):
            return date
        for text in head:
            match = pattern.search(text)
            if match and (date := _iso_date(match.group(1))):
                return date
    return None


def _iso_date(text: str) -> str | None:
    match = _DATE.search(text)
    if not match:
        return None
    year, month, day = int(match[1]), int(match[2]), int(match[3])
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"
