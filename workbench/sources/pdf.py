"""PDF reader: characters with boxes and ruling lines from pdfium, tables by lattice.

Text order in a PDF is the order the generator drew it, which scrambles tables
(WPS draws every number of table 三 before its labels). So nothing here trusts
stream order: every character carries its box, every ruling line its position,
and the page is rebuilt from geometry:

1. ruling lines = stroked straight paths and thin filled rectangles (white
   fills are text backgrounds, not borders, and are ignored);
2. lines that touch form a table; their coordinates, clustered, are the grid;
   a missing interior line between two grid positions means a merged cell;
3. each character goes to the cell that holds its centre; the rest of the
   page's characters are grouped into text lines by their vertical centre.

Steps 2 and 3 live in ``lattice.py``, shared with the OCR reader (``scan.py``), which
OCRs the pages that have no usable text layer (scans), page by page, and on a text page
the pictures big enough to hold a table that no text is drawn on (``pdf_images.py``).

pdfium (pypdfium2's raw bindings) does the PDF work because it is fast: a
five-page report reads in a few tens of milliseconds, where pdfplumber needs
ten times longer. pdfplumber stays the reference in the tests.
"""

from __future__ import annotations

import ctypes
import re
import threading
import unicodedata
from collections.abc import Callable, Iterator
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as raw

from workbench.sources import pdf_images
from workbench.sources.document import Block, Document, SourceError
from workbench.sources.lattice import JOIN, Char, PageContent, Rule, join, page_blocks

# Distances in PDF points (1/72 inch).
THIN = 3.0  # a filled rectangle this thin or thinner is drawn as a line
MIN_RULE = 2.0  # shorter strokes are dots or ticks, not table borders
# Bounds on what one PDF may unpack to (a page's content stream can inflate without limit):
MAX_PAGES = 2000
MAX_PAGE_CHARS = 200_000  # a dense A4 page of CJK text has a few thousand
MAX_PAGE_OBJECTS = 200_000  # text runs, paths and images on one page

Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


# --------------------------------------------------------------------------- entry point


# PDFium is not thread-safe: two threads inside it at once can crash the process (seen with a
# threaded dask worker). Processes parse in parallel; threads of one process take turns.
_PDFIUM = threading.Lock()


def read(path: Path, data: bytes) -> Document:
    _check_container(path, data)
    with _PDFIUM:
        return _read_pdf(path, data)


def _read_pdf(path: Path, data: bytes) -> Document:
    pdf = _open(path, data)
    try:
        blocks: list[Block] = []
        text_chars = unmapped = images = scanned = 0
        for index in range(len(pdf)):
            content = _page_content(path, pdf, index)
            bad = sum(1 for c in content.chars if _unmapped(c.text))
            if content.images and (not content.chars or bad > len(content.chars) / 2):
                blocks.extend(_scanned_page(path, pdf, index))  # a scan: OCR (mixed PDFs page by page)
                scanned += 1
                continue
            text_chars += len(content.chars)
            unmapped += bad
            images += content.images
            pictures = pdf_images.table_pictures(content) if content.images else []
            if pictures:  # a table pasted as a picture among the page's text: OCR just those
                blocks.extend(_page_with_pictures(path, pdf, index, content, pictures))
            else:
                blocks.extend(page_blocks(content, index + 1))
        if scanned:
            return Document(path=path, format="pdf", blocks=blocks, meta=_meta(pdf))
        if text_chars == 0:
            raise SourceError(path, _no_text_reason(images, _count_unembedded_text(pdf)))
        if unmapped > text_chars / 2:
            raise SourceError(path, "the PDF's text layer cannot be decoded (its fonts have no "
                                    "Unicode map); the pages need OCR to be read")
        return Document(path=path, format="pdf", blocks=blocks, meta=_meta(pdf))
    finally:
        pdf.close()


def _scanned_page(path: Path, pdf: pdfium.PdfDocument, index: int) -> list[Block]:
    """A page with no usable text layer, read by OCR (imported here: text PDFs never load it)."""
    from workbench.sources import scan

    page = pdf[index]
    try:
        return scan.pdf_page_blocks(page, index + 1)
    except RuntimeError as exc:  # the OCR engine is missing or cannot start
        raise SourceError(path, f"PDF 第{index + 1}页是扫描图像，需要文字识别：{exc}") from None
    finally:
        page.close()


def _page_with_pictures(path: Path, pdf: pdfium.PdfDocument, index: int, content: PageContent,
                        pictures: list[pdf_images.Picture]) -> list[Block]:
    page = pdf[index]
    try:
        return pdf_images.page_blocks(page, index + 1, content, pictures)
    except RuntimeError as exc:  # the OCR engine is missing or cannot start
        raise SourceError(path, f"PDF 第{index + 1}页有图片形式的表格，需要文字识别：{exc}") from None
    finally:
        page.close()


def _check_container(path: Path, data: bytes) -> None:
    """Refuse what is not a whole PDF before pdfium tries to repair it.

    pdfium rebuilds a missing cross-reference table, so a file cut off halfway
    through a download still opens and silently loses its last pages. A PDF ends
    with ``%%EOF``; without it in the file's tail the file is incomplete.
    """
    if b"%PDF-" not in data[:1024]:
        raise SourceError(path, "not a PDF file (it does not start with a %PDF header)")
    if b"%%EOF" not in data[-4096:]:
        raise SourceError(path, "damaged or incomplete PDF: the file ends before the PDF's "
                                "end-of-file marker (it was probably cut short)")


def _open(path: Path, data: bytes) -> pdfium.PdfDocument:
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        code = getattr(exc, "err_code", None)
        if code == raw.FPDF_ERR_PASSWORD:
            raise SourceError(path, "the PDF is encrypted with a password and cannot be opened") from None
        if code == raw.FPDF_ERR_SECURITY:
            raise SourceError(path, "the PDF is encrypted with an unsupported security handler "
                                    "and cannot be opened") from None
        raise SourceError(path, "damaged or incomplete PDF: pdfium cannot open it") from None
    if len(pdf) == 0:
        pdf.close()
        raise SourceError(path, "damaged or incomplete PDF: it has no pages")
    if len(pdf) > MAX_PAGES:
        pages = len(pdf)
        pdf.close()
        raise SourceError(path, f"PDF 页数过多（{pages}页，上限 {MAX_PAGES}页），未读取")
    return pdf


def _no_text_reason(images: int, unplaced_text: int) -> str:
    # pdfium skips text whose glyphs it cannot load (a font neither embedded in
    # the file nor installed on this computer): the text is there but unplaced.
    fonts = "its text uses fonts that are not embedded and not installed here (install a Chinese font such as Noto CJK)"
    if unplaced_text and images:
        return f"the PDF has no readable text: its pages are images (a scan needs OCR) or {fonts}"
    if unplaced_text:
        return f"the PDF has text, but none of it can be read: {fonts}"
    if images:
        return ("the PDF has no text layer: its pages are scanned images, so the text needs "
                "OCR before it can be read")
    return "the PDF has no text layer (no readable text on any page); a scan would need OCR"


def _count_unembedded_text(pdf: pdfium.PdfDocument) -> int:
    """Text objects drawn in fonts the file does not embed (asked only when no text was read)."""
    count = 0
    for index in range(len(pdf)):
        page = pdf[index]
        try:
            for obj, kind, _ in _page_objects(page.raw, IDENTITY):
                if kind == raw.FPDF_PAGEOBJ_TEXT:
                    font = raw.FPDFTextObj_GetFont(obj)
                    count += bool(font) and raw.FPDFFont_GetIsEmbedded(font) == 0
        finally:
            page.close()
    return count


def _unmapped(text: str) -> bool:
    """Characters pdfium could not map to Unicode: replacement, private use, controls."""
    category = unicodedata.category(text[0])
    return text == "\ufffd" or category in ("Co", "Cc", "Cs")


# --------------------------------------------------------------------------- metadata

# Scripts a clean Chinese title is written in; anything else (Latin-1 letters such as
# "ÿþ" from a mis-declared UTF-16 string) means the metadata decoded to mojibake.
_CLEAN_TITLE = re.compile(
    r"^[\u0020-\u007e\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef\u2010-\u2027\u00b7]+$"
)


# Titles generators fill in when the author gave none.
_PLACEHOLDER_TITLES = {"(anonymous)", "anonymous", "untitled", "untitled document", "title", "无标题"}


def _meta(pdf: pdfium.PdfDocument) -> dict[str, str]:
    try:
        title = (pdf.get_metadata_value("Title") or "").strip()
    except Exception:  # a broken Info dictionary is not worth failing the report for
        return {}
    if not _CLEAN_TITLE.match(title) or title.casefold() in _PLACEHOLDER_TITLES:
        return {}
    return {"title": title}


# --------------------------------------------------------------------------- page content


def _page_content(path: Path, pdf: pdfium.PdfDocument, index: int) -> PageContent:
    try:
        page = pdf[index]
    except pdfium.PdfiumError:
        raise SourceError(path, f"damaged or incomplete PDF: page {index + 1} cannot be read") from None
    try:
        return _read_page(page)
    except _PageTooBig as exc:
        raise SourceError(path, f"PDF 第{index + 1}页的{exc.what}过多（{exc.count}，上限 {exc.limit}），"
                                "疑似异常或恶意文件，未读取") from None
    except pdfium.PdfiumError:
        raise SourceError(path, f"damaged or incomplete PDF: the text of page {index + 1} "
                                "cannot be read") from None
    finally:
        page.close()


class _PageTooBig(Exception):
    def __init__(self, what: str, count: int, limit: int) -> None:
        super().__init__(what)
        self.what, self.count, self.limit = what, count, limit


def _read_page(page: pdfium.PdfPage) -> pdf_images.PdfPageContent:
    """The characters, ruling lines and picture bounds of one page, in display coordinates."""
    to_display, height = _display_transform(page)
    objects = raw.FPDFPage_CountObjects(page.raw)
    if objects > MAX_PAGE_OBJECTS:
        raise _PageTooBig("页面对象", objects, MAX_PAGE_OBJECTS)
    textpage = page.get_textpage()
    try:
        count = raw.FPDFText_CountChars(textpage.raw)
        if count > MAX_PAGE_CHARS:
            raise _PageTooBig("字符", count, MAX_PAGE_CHARS)
        chars = _chars(textpage.raw, to_display)
    finally:
        textpage.close()
    horizontal, vertical, pictures = _rules(page.raw, to_display)
    x0, y0, x1, y1 = page.get_mediabox()
    width = y1 - y0 if page.get_rotation() % 180 == 90 else x1 - x0
    return pdf_images.PdfPageContent(chars, horizontal, vertical, len(pictures), height, width, pictures)


def _display_transform(page: pdfium.PdfPage) -> tuple[Matrix, float]:
    """The matrix from PDF user space (y up) to the page as displayed (y down, rotation applied)."""
    x0, y0, x1, y1 = page.get_mediabox()
    rotation = page.get_rotation() % 360
    if rotation == 90:  # the page's bottom-left corner is displayed top-left
        return (0.0, 1.0, 1.0, 0.0, -x0, -y0), x1 - x0
    if rotation == 180:
        return (-1.0, 0.0, 0.0, 1.0, x1, -y0), y1 - y0
    if rotation == 270:
        return (0.0, -1.0, -1.0, 0.0, x1, y1), x1 - x0
    return (1.0, 0.0, 0.0, -1.0, -x0, y1), y1 - y0


def _apply(m: Matrix, x: float, y: float) -> tuple[float, float]:
    return m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]


def _box(m: Matrix, left: float, bottom: float, right: float, top: float) -> tuple[float, float, float, float]:
    """Transform a rectangle and return it as (x0, y0, x1, y1) with x0 <= x1 and y0 <= y1."""
    ax, ay = _apply(m, left, bottom)
    bx, by = _apply(m, right, top)
    return min(ax, bx), min(ay, by), max(ax, bx), max(ay, by)


def _compose(inner: Matrix, outer: Matrix) -> Matrix:
    """The matrix that applies ``inner`` first, then ``outer``."""
    a, b, c, d, e, f = inner
    A, B, C, D, E, F = outer  # noqa: N806 - matrix entries
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D,
            e * A + f * C + E, e * B + f * D + F)


def _chars(textpage: raw.FPDF_TEXTPAGE, to_display: Matrix) -> list[Char]:
    """Every drawn, non-blank character with its box in display coordinates.

    Spaces pdfium invents between words are skipped; blanks in the file are
    dropped too and spacing is rebuilt from gaps when lines are assembled.
    """
    boxes = _CharBoxes(textpage)
    # The common unrotated page: a plain flip, done inline (this loop runs per character).
    upright = to_display[:4] == (1.0, 0.0, 0.0, -1.0)
    dx, dy = -to_display[4], to_display[5]
    chars: list[Char] = []
    for i in range(max(raw.FPDFText_CountChars(textpage), 0)):
        code = raw.FPDFText_GetUnicode(textpage, i)
        if code <= 0x20 or code in (0xA0, 0x3000, 0xFEFF) or raw.FPDFText_IsGenerated(textpage, i):
            continue
        box = boxes.get(i)
        if box is None:
            continue
        left, bottom, right, top = box
        x0, y0, x1, y1 = (_box(to_display, left, bottom, right, top) if not upright
                          else (left - dx, dy - top, right - dx, dy - bottom))
        try:
            text = chr(code)
        except ValueError:
            text = "\ufffd"
        chars.append(Char(text, x0, x1, y0, y1))
    return chars


class _CharBoxes:
    """Character boxes in PDF user space as (left, bottom, right, top).

    The loose box (advance width x font ascent-descent) is the one wanted: its
    vertical centre is the same for every glyph on a line (一 and 口 alike) and
    its width keeps digits of one number touching. But pdfium sometimes forgets
    the text matrix's scale for it (WPS draws text at size 199 scaled by 0.05 and
    gets 199-point boxes), so it is checked against the em size the character
    really has; a broken one is replaced by the glyph's outline box, stretched
    vertically to the em square around the baseline.
    """

    def __init__(self, textpage: raw.FPDF_TEXTPAGE):
        self.textpage = textpage
        self.rect = raw.FS_RECTF()
        self.matrix = raw.FS_MATRIX()
        self.edges = [ctypes.c_double() for _ in range(4)]
        self.origin = (ctypes.c_double(), ctypes.c_double())

    def get(self, i: int) -> tuple[float, float, float, float] | None:
        tp, rect = self.textpage, self.rect
        if not raw.FPDFText_GetLooseCharBox(tp, i, rect):
            return None
        height, width = rect.top - rect.bottom, rect.right - rect.left
        em = self._em(i)
        if height > 0 and (em <= 0 or (height <= 1.6 * em and width <= 2.5 * em)):
            return rect.left, rect.bottom, rect.right, rect.top
        if em <= 0:
            return None
        left, right, bottom, top = self.edges
        ox, oy = self.origin
        if not (raw.FPDFText_GetCharBox(tp, i, left, right, bottom, top)
                and raw.FPDFText_GetCharOrigin(tp, i, ox, oy)):
            return None
        return left.value, oy.value - 0.2 * em, right.value, oy.value + 0.9 * em

    def _em(self, i: int) -> float:
        """Font size times the scale of the character's matrix: its em in points."""
        size = raw.FPDFText_GetFontSize(self.textpage, i)
        m = self.matrix
        if size <= 0 or not raw.FPDFText_GetMatrix(self.textpage, i, m):
            return 0.0
        return size * abs(m.a * m.d - m.b * m.c) ** 0.5


# --------------------------------------------------------------------------- ruling lines


def _rules(page: raw.FPDF_PAGE, to_display: Matrix) -> tuple[list[Rule], list[Rule], list[pdf_images.Picture]]:
    """Horizontal and vertical ruling lines of a page, joined, and its images (bounds, dpi)."""
    horizontal: list[Rule] = []
    vertical: list[Rule] = []
    images: list[pdf_images.Picture] = []
    for obj, kind, matrix in _page_objects(page, to_display):
        if kind == raw.FPDF_PAGEOBJ_IMAGE:
            images.append(_picture(obj, matrix))
        elif kind == raw.FPDF_PAGEOBJ_PATH:
            _path_rules(obj, matrix, horizontal, vertical)
    return join(horizontal), join(vertical), images


def _picture(obj: raw.FPDF_PAGEOBJECT, matrix: Matrix) -> pdf_images.Picture:
    """An image's bounds on the displayed page and its pixels per inch as drawn (0 if unknown)."""
    x0, y0, x1, y1 = _bounds(obj, matrix) or (0.0, 0.0, 0.0, 0.0)
    w, h = ctypes.c_uint(), ctypes.c_uint()
    area = (x1 - x0) * (y1 - y0)
    if area <= 0 or not raw.FPDFImageObj_GetImagePixelSize(obj, ctypes.byref(w), ctypes.byref(h)):
        return x0, y0, x1, y1, 0.0
    return x0, y0, x1, y1, 72 * (w.value * h.value / area) ** 0.5  # the mean of both ways: turned images too


def _bounds(obj: raw.FPDF_PAGEOBJECT, matrix: Matrix) -> tuple[float, float, float, float] | None:
    """An object's bounds on the displayed page (x0, y0, x1, y1), or None if pdfium has none."""
    left, bottom, right, top = (ctypes.c_float() for _ in range(4))
    if not raw.FPDFPageObj_GetBounds(obj, *(ctypes.byref(v) for v in (left, bottom, right, top))):
        return None
    return _box(matrix, left.value, bottom.value, right.value, top.value)


PageObject = tuple[raw.FPDF_PAGEOBJECT, int, Matrix]


def _page_objects(page: raw.FPDF_PAGE, to_display: Matrix) -> Iterator[PageObject]:
    """Page objects, their type, and the matrix from their parent's space to the display.

    Form XObjects are flattened into the objects they draw.
    """
    get_type, get_object = raw.FPDFPageObj_GetType, raw.FPDFPage_GetObject
    for i in range(raw.FPDFPage_CountObjects(page)):
        obj = get_object(page, i)
        kind = get_type(obj)
        if kind == raw.FPDF_PAGEOBJ_FORM:
            yield from _form_objects(obj, to_display, 1)
        else:
            yield obj, kind, to_display


def _form_objects(form: raw.FPDF_PAGEOBJECT, matrix: Matrix, depth: int) -> Iterator[PageObject]:
    if depth > 8:  # a form drawing itself: stop rather than recurse forever
        return
    form_matrix = _compose(_object_matrix(form), matrix)
    for i in range(raw.FPDFFormObj_CountObjects(form)):
        obj = raw.FPDFFormObj_GetObject(form, i)
        kind = raw.FPDFPageObj_GetType(obj)
        if kind == raw.FPDF_PAGEOBJ_FORM:
            yield from _form_objects(obj, form_matrix, depth + 1)
        else:
            yield obj, kind, form_matrix


def _object_matrix(obj: raw.FPDF_PAGEOBJECT) -> Matrix:
    m = raw.FS_MATRIX()
    if not raw.FPDFPageObj_GetMatrix(obj, ctypes.byref(m)):
        return IDENTITY
    return (m.a, m.b, m.c, m.d, m.e, m.f)


def _path_rules(obj: raw.FPDF_PAGEOBJECT, matrix: Matrix, horizontal: list[Rule], vertical: list[Rule]) -> None:
    """Add the ruling lines a path draws: a thin visible shape, or straight stroked segments."""
    fill_mode, stroked = ctypes.c_int(), ctypes.c_int()
    raw.FPDFPath_GetDrawMode(obj, ctypes.byref(fill_mode), ctypes.byref(stroked))
    stroke_visible = bool(stroked.value) and _visible(obj, raw.FPDFPageObj_GetStrokeColor)
    fill_visible = bool(fill_mode.value) and _visible(obj, raw.FPDFPageObj_GetFillColor)
    if not (stroke_visible or fill_visible):
        return  # white text backgrounds and invisible paths: not borders
    bounds = _bounds(obj, matrix)
    if bounds is None:
        return
    x0, y0, x1, y1 = bounds
    thickness = min(x1 - x0, y1 - y0)
    # Bounds include half the stroke width, so a stroked line is a little thicker.
    if thickness <= THIN or (stroke_visible and thickness <= THIN + 1):
        _add_rule(x0, y0, x1, y1, horizontal, vertical)
    elif stroke_visible:  # a stroked rectangle or polyline: its straight segments are rules
        full = _compose(_object_matrix(obj), matrix)
        for ax, ay, bx, by in _segments(obj):
            (px, py), (qx, qy) = _apply(full, ax, ay), _apply(full, bx, by)
            if abs(px - qx) < JOIN or abs(py - qy) < JOIN:
                _add_rule(min(px, qx), min(py, qy), max(px, qx), max(py, qy), horizontal, vertical)


def _visible(obj: raw.FPDF_PAGEOBJECT, get_color: Callable[..., int]) -> bool:
    """Whether a stroke or fill colour shows on white paper (not white, not transparent)."""
    r, g, b, a = (ctypes.c_uint() for _ in range(4))
    if not get_color(obj, *(ctypes.byref(v) for v in (r, g, b, a))):
        return True
    return a.value > 0 and min(r.value, g.value, b.value) < 240


def _segments(obj: raw.FPDF_PAGEOBJECT) -> Iterator[tuple[float, float, float, float]]:
    """The straight segments of a path, in the path's own space (curves are skipped)."""
    x, y = ctypes.c_float(), ctypes.c_float()
    start = last = (0.0, 0.0)
    for i in range(raw.FPDFPath_CountSegments(obj)):
        segment = raw.FPDFPath_GetPathSegment(obj, i)
        raw.FPDFPathSegment_GetPoint(segment, ctypes.byref(x), ctypes.byref(y))
        point = (x.value, y.value)
        kind = raw.FPDFPathSegment_GetType(segment)
        if kind == raw.FPDF_SEGMENT_MOVETO:
            start = point
        elif kind == raw.FPDF_SEGMENT_LINETO:
            yield (*last, *point)
        if raw.FPDFPathSegment_GetClose(segment) and point != start:
            yield (*point, *start)
        last = point


def _add_rule(x0: float, y0: float, x1: float, y1: float, horizontal: list[Rule], vertical: list[Rule]) -> None:
    if x1 - x0 >= y1 - y0:
        if x1 - x0 >= MIN_RULE:
            horizontal.append(Rule((y0 + y1) / 2, x0, x1))
    elif y1 - y0 >= MIN_RULE:
        vertical.append(Rule((x0 + x1) / 2, y0, y1))
