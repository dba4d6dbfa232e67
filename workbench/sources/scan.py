"""Scanned pages and images: OCR into the same characters and ruling lines a text PDF gives.

A page without a usable text layer (a scan, a photo of the signed copy, a table published
as a picture) is rendered to pixels and rebuilt as the PDF reader's own structures, so the
same lattice builder in ``pdf.py`` makes its table grids and paragraphs:

1. red pixels (the 公章 stamped across the table) are whitened first, so a seal never
   becomes digits; the page is deskewed (up to ±1.5°) by the angle that makes its ink rows
   sharpest;
2. ruling lines are found by morphology (an opening with a long thin kernel keeps only
   strokes far longer than any stroke of a character) and become ``Rule`` lines in points;
3. the rules make the grids; every merged cell of a grid, and the rest of the page, is cut
   into text lines and line pieces by ink projection, and only *recognition* runs, on each
   piece alone (``ocr_rec``; detection is the slow half of an OCR engine and a ruled table
   already says where its text is); a piece in a table cell is also read as a number, its
   zero lookalikes folded into 0 (``ocr_digits``);
4. each piece becomes one ``Char`` (its whole text, its box in points) carrying its
   recognition confidence. A cell whose confidence is below ``UNCERTAIN`` reads as
   ``UNREAD_MARK``: the parse stage makes it an unread cell with a finding of the
   workbench's own. Low-confidence prose keeps its words, never its digits.

The OCR engine (rapidocr-onnxruntime, PP-OCRv4 models in its wheel, onnxruntime CPU) is
imported here and in ``ocr_rec`` only, on first use, and kept for the process: the
text-layer path never loads it. ``WORKBENCH_OCR_THREADS`` sets onnxruntime's thread count
(default: its own).
"""

from __future__ import annotations

import os
import re
import threading
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workbench.sources import lattice
from workbench.sources import pdf as pdfmod
from workbench.sources.document import UNREAD_MARK, Block, CellSource, Document, SourceError, Table

if TYPE_CHECKING:
    import numpy as np
    from PIL import Image

DPI = 200  # render dpi: benchmarks/ocr_engines.py and results.md weigh accuracy against speed
# A number cell read with lower confidence is not read. Measured on 1194 OCR'd number cells
# (200 dpi: clean, rotated + JPEG, seal + noise; benchmarks/ocr_engines.py): 0 misread at any
# threshold; correct readings lost 1 at 0.7, 3 at 0.8, 12 at 0.85, 38 at 0.9; real scans read
# "26" right at 0.76 twice. The one misread seen (96 px recognition inputs, not used) had
# 0.6-0.7; the scanned synth variants (seal across table 三, JPEG, rotation) then showed a 0
# read as "10" at 0.707, so the threshold is 0.75 (0.80 lost a right "26" read at 0.758; the margin is thin).
# In tables 三 and 四 a reading below DOUBT (parse/ocr_cells.py) that breaks an
# identity is unread as well, so a misread just above this threshold is still caught there.
UNCERTAIN = 0.75  # below: unread. 0.70 let a 0 read as "10" (0.707) through; a right "26" read at 0.758
MAX_SKEW = 1.5  # degrees
SPECK_PT = 0.65  # an ink blot narrower than this (points) is dust: a 9-pt full stop is ~0.9 pt
FAINT_SPECK_PT = 1.6  # up to this size a blot far paler than the print is dust as well
FAINT_INK = 40  # grey levels above the ink threshold that are still a glyph's faint rim, not paper
# px: the narrowest a recognition input is padded to (rapidocr's 320; ocr_rec.ALONE_WIDTH).
# 96 cuts CPU time by a fifth but lowers the confidence of lone digits (54 of 794 correct
# cells fell below 0.9, one misread at 0.6–0.7); at 320 no misread in 794
# (benchmarks/ocr_engines.py, results.md); 160 read 19 of 1,709 numbers differently
# (benchmarks/ocr_rec_variants.py).
REC_WIDTH = 320
MAX_PIXELS = 60_000_000  # an image larger than this (e.g. 7700 x 7700) is refused, not OCR'd
RULE_PT = 20.0  # a stroke this long (points) is a ruling line, longer than any glyph stroke
SHORT_RULE_PT = 8.0  # a shorter vertical one is a rule only between two horizontal rules
MIN_TABLE_PT = 100.0  # a grid narrower than this is the strokes of a large character, not a table
LONE_RULE_PT = 60.0  # a rule framing no table is kept (cut out of the text) only this long
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff")
IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*")

_CJK = re.compile(r"[\u4e00-\u9fff]")
_ENGINE: Any = None
_ENGINE_LOCK = threading.Lock()


@dataclass(slots=True)
class OcrChar(lattice.Char):
    """A recognised piece of text: one line of a cell or of prose, with its confidence."""

    confidence: float = 1.0


def is_image(data: bytes) -> bool:
    return data.startswith(IMAGE_MAGIC)


def engine() -> Any:
    """The process's full OCR engine (detection too), loaded on first use: for benchmarks that
    compare it with the reader's route. The reader itself uses ``ocr_rec.recogniser()`` only."""
    global _ENGINE
    with _ENGINE_LOCK:
        if _ENGINE is None:
            from rapidocr_onnxruntime import RapidOCR  # benchmarks only; the reader uses ocr_rec

            from workbench.sources.ocr_rec import threads as ocr_threads

            threads = ocr_threads()
            _ENGINE = RapidOCR(intra_op_num_threads=threads, inter_op_num_threads=threads,
                               use_cls=False, print_verbose=False)
            # Batches of 16 similar widths (rapidocr sorts the pieces by width first).
            width = int(os.environ.get("WORKBENCH_OCR_REC_WIDTH", REC_WIDTH))
            _ENGINE.text_rec.rec_image_shape = [3, 48, width]
            _ENGINE.text_rec.rec_batch_num = 16
    return _ENGINE


# --------------------------------------------------------------------------- entry points


def read_image(path: Path, data: bytes) -> Document:
    """An image file (.png, .jpg, .tif): one page per frame."""
    from PIL import Image, ImageSequence

    try:
        image = Image.open(BytesIO(data))
        frames = [frame.convert("RGB") for frame in ImageSequence.Iterator(image)]
    except Exception as exc:  # noqa: BLE001 - a damaged image is a reading failure
        raise SourceError(path, f"图片无法打开（{type(exc).__name__}）") from None
    blocks: list[Block] = []
    for number, frame in enumerate(frames, 1):
        blocks.extend(image_blocks(path, frame, number, image_dpi(image)))
    return Document(path=path, format="image", blocks=blocks)


def image_blocks(path: Path | str, image: Image.Image, page: int, dpi: float | None = None) -> list[Block]:
    """The paragraphs and tables of one page image."""
    import numpy as np

    if image.width * image.height > MAX_PIXELS:
        raise SourceError(path, f"图片过大（{image.width}×{image.height} 像素），未识别")
    pixels = np.asarray(image.convert("RGB"))
    return page_blocks(pixels, dpi or DPI, page)


def pdf_page_blocks(page: Any, number: int, dpi: float = DPI) -> list[Block]:
    """OCR one pdfium page (it has no usable text layer)."""
    dpi = float(os.environ.get("WORKBENCH_OCR_DPI", dpi))
    bitmap = page.render(scale=dpi / 72)
    pixels = bitmap.to_numpy()[:, :, :3][:, :, ::-1].copy()  # BGR(x) → RGB
    return page_blocks(pixels, dpi, number)


def crop(path: str | Path, page: int, box: tuple[float, float, float, float], dpi: float = DPI,
         image: str = "") -> Image.Image:
    """The region ``box`` (x, y, w, h as fractions of the page) of page ``page`` (1-based)
    of a PDF or image file, or of the picture ``image`` (``CellSource.image``) of a saved HTML
    page, as a PIL image: to check a number against what the page shows."""
    from PIL import Image, ImageSequence

    path = Path(path)
    if image:
        from workbench.sources import html_images

        picture = html_images.picture(path, image)
        if picture is None:
            raise FileNotFoundError(f"{path}: {image}")
        data, page = picture, 1
    else:
        data = path.read_bytes()
    if image or is_image(data):  # a page's picture may be any format PIL opens (GIF, BMP)
        frames = list(ImageSequence.Iterator(Image.open(BytesIO(data))))
        full = frames[page - 1].convert("RGB")
    else:
        import pypdfium2 as pdfium

        with pdfmod._PDFIUM:
            document = pdfium.PdfDocument(data)
            try:
                full = document[page - 1].render(scale=dpi / 72).to_pil().convert("RGB")
            finally:
                document.close()
    x, y, w, h = box
    return full.crop((round(x * full.width), round(y * full.height),
                      round((x + w) * full.width), round((y + h) * full.height)))


def image_dpi(image: Image.Image) -> float | None:
    dpi = image.info.get("dpi")
    try:
        value = float(dpi[0]) if dpi else 0.0
    except (TypeError, ValueError, IndexError):
        return None
    return value if 50 <= value <= 1200 else None


# --------------------------------------------------------------------------- one page


def page_blocks(rgb: np.ndarray, dpi: float, page: int) -> list[Block]:
    """OCR a page image (RGB array) at ``dpi`` into blocks, through the PDF lattice builder."""
    gray = _deskew(_without_red(rgb))
    threshold = _threshold(gray)
    ink, faint = _despeckle(gray, threshold, dpi)
    scale = 72.0 / dpi
    horizontal, vertical, lines = _rules(ink, dpi)
    horizontal = lattice.join([lattice.Rule(r.pos * scale, r.start * scale, r.end * scale) for r in horizontal])
    vertical = lattice.join([lattice.Rule(r.pos * scale, r.start * scale, r.end * scale) for r in vertical])
    text_ink = ink & ~lines
    pieces, in_cells = _pieces(text_ink, _cell_boxes(horizontal, vertical, dpi, gray.shape), dpi / 72)
    chars = _recognise(_only_text(gray, faint & ~lines), pieces, in_cells, scale)
    height_pt, width_pt = gray.shape[0] * scale, gray.shape[1] * scale
    content = lattice.PageContent(chars, horizontal, vertical, 1, height_pt)

    def on_table(table: Table, cells: dict[tuple[int, int], list[lattice.Char]]) -> None:
        _mark_cells(table, cells, page, width_pt, height_pt)

    return lattice.page_blocks(content, page, on_table=on_table)


def _mark_cells(table: Table, cells: dict[tuple[int, int], list[lattice.Char]], page: int,
                width: float, height: float) -> None:
    """Provenance for every read cell; an uncertain one becomes UNREAD_MARK."""
    for (r, c), chars in cells.items():
        if table.rows[r][c] is None or not chars:
            continue
        confidence = min(getattr(ch, "confidence", 1.0) for ch in chars)
        x0, x1 = min(ch.x0 for ch in chars), max(ch.x1 for ch in chars)
        y0, y1 = min(ch.top for ch in chars), max(ch.bottom for ch in chars)
        box = (x0 / width, y0 / height, (x1 - x0) / width, (y1 - y0) / height)
        text = table.rows[r][c] or ""
        table.sources[(r, c)] = CellSource(page, tuple(round(v, 4) for v in box), round(confidence, 3), text)
        # A label read a little unsure still matches its template row by meaning; a number
        # read unsure is never taken.
        if UNREAD_MARK in text or (not _CJK.search(text) and (confidence < UNCERTAIN or _misshapen(text))):
            table.rows[r][c] = UNREAD_MARK


# What a number cell may print once read: digits, grouped or not, a decimal part, a sign.
_NUMBER_SHAPE = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?%?")


def _misshapen(text: str) -> bool:
    """Digits mixed with marks no number prints (7.0., 0:, .5): a misreading, not a value the
    row can be split at (the parse stage would take the row's label to end there)."""
    return any(ch.isdigit() for ch in text) and not _NUMBER_SHAPE.fullmatch("".join(text.split()))


# --------------------------------------------------------------------------- pixels


def _without_red(rgb: np.ndarray) -> np.ndarray:
    """Gray page with red and pink (seals, red-ink signatures) turned white.

    Clearly red pixels go, and around them (JPEG smears a seal's colour into its rim) the
    faintly red ones and the pale ones too; a dark pixel under the seal is print (black ink
    stays black under a red stamp) and is kept."""
    import cv2
    import numpy as np

    r, g, b = (rgb[:, :, i].astype(np.int16) for i in range(3))
    redness = r - np.maximum(g, b)
    gray = (0.299 * r + 0.587 * g + 0.114 * b).astype(np.uint8)
    red = (redness > 40) & (r > 110)
    if red.any():
        near = cv2.dilate(red.astype(np.uint8), np.ones((5, 5), np.uint8)).astype(bool)
        red |= near & (((redness > 12) & (gray > 120)) | (gray > 150))
    gray[red] = 255
    return gray


def _threshold(gray: np.ndarray) -> float:
    """What is ink: Otsu's threshold, bounded so a blank page is not all ink."""
    import cv2

    threshold, _ = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    return min(max(threshold, 100), 200)


def _despeckle(gray: np.ndarray, threshold: float, dpi: float) -> tuple[np.ndarray, np.ndarray]:
    """Ink (dark pixels) and faint ink (down to FAINT_INK paler) without dust; dust is whitened in
    ``gray`` too. A speck in a number's piece reads as a point (496 → 4.96) or widens the piece.

    Blots are judged whole in the faint mask, where a glyph's pieces that binarising broke apart
    (the bar of a small 4 at 150 dpi) still hang together through their grey rims: a blot
    smaller than SPECK_PT (a 9-pt full stop is ~0.9 pt), or up to FAINT_SPECK_PT and far paler
    than print, is dust. Removing part of a glyph instead would turn a 4 into a confident 1."""
    import cv2
    import numpy as np

    ink = gray < threshold
    faint = gray < min(threshold + FAINT_INK, 250)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(faint.astype(np.uint8), connectivity=8)
    area = stats[:, cv2.CC_STAT_AREA]
    dust = area < (SPECK_PT * dpi / 72) ** 2
    medium = ~dust & (area < (FAINT_SPECK_PT * dpi / 72) ** 2)
    if medium[1:].any() and ink.any():
        darkest = np.full(count, 255, dtype=np.uint8)
        np.minimum.at(darkest, labels[faint], gray[faint])
        print_dark = float(np.percentile(gray[ink], 10))
        dust |= medium & (darkest > (print_dark + threshold) / 2)  # a full stop is as dark as its digits
    dust[0] = False  # the background
    if not dust[1:].any():
        return ink, faint
    specks = dust[labels]
    gray[specks] = 255
    return ink & ~specks, faint & ~specks


def _only_text(gray: np.ndarray, text: np.ndarray) -> np.ndarray:
    """What recognition sees: the text's pixels down to faint ink (and their anti-aliased rim),
    white paper elsewhere. Grey paper, what is left of a seal and the ruling lines beside a
    cell's number are not text; the recogniser reads a pale blot between two digits as a point."""
    import cv2
    import numpy as np

    rim = cv2.dilate(text.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
    return np.where(rim, gray, np.uint8(255))


def _deskew(gray: np.ndarray) -> np.ndarray:
    """Rotate by the angle (within ±MAX_SKEW) at which rows of ink are sharpest."""
    import cv2
    import numpy as np

    small = cv2.resize(gray, None, fx=0.25, fy=0.25, interpolation=cv2.INTER_AREA)
    ink = (small < 160).astype(np.float32)
    if ink.sum() < 50:
        return gray
    h, w = ink.shape

    def sharpness(angle: float) -> float:
        m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
        rows = cv2.warpAffine(ink, m, (w, h)).sum(axis=1)
        return float((rows**2).sum())

    coarse = max(np.arange(-MAX_SKEW, MAX_SKEW + 1e-6, 0.25), key=sharpness)
    best = max(np.arange(coarse - 0.2, coarse + 0.2 + 1e-6, 0.05), key=sharpness)
    if abs(best) < 0.08:
        return gray
    m = cv2.getRotationMatrix2D((gray.shape[1] / 2, gray.shape[0] / 2), float(best), 1.0)
    return cv2.warpAffine(gray, m, (gray.shape[1], gray.shape[0]), flags=cv2.INTER_LINEAR,
                          borderValue=255)


@dataclass(slots=True)
class _PxRule:
    pos: float
    start: float
    end: float


def _rules(ink: np.ndarray, dpi: float) -> tuple[list[_PxRule], list[_PxRule], np.ndarray]:
    """Horizontal and vertical ruling lines (pixels) and the mask of their pixels.

    A stroke RULE_PT long is a rule candidate anywhere; a vertical stroke down to
    SHORT_RULE_PT (the edge of a single low row, e.g. the first row of a table continued from
    the last page) only when both its ends meet horizontal rules, which no glyph stroke does.
    A candidate is kept when it frames a grid at least MIN_TABLE_PT wide, or is a lone line
    longer than LONE_RULE_PT (an underline): the strokes of a large title's characters (泰, 二)
    are as long as RULE_PT and would otherwise frame a "table" and be cut out of the title.
    """
    import cv2
    import numpy as np

    k = dpi / 72
    thick = max(int(4 * k), 3)  # a rule is at most this thick (4 pt)
    binary = ink.astype(np.uint8) * 255
    horizontal, hlabels = _strokes(binary, max(int(RULE_PT * k), 15), thick, True, k)
    candidates, vlabels = _strokes(binary, max(int(SHORT_RULE_PT * k), 10), thick, False, k)
    near = max(1.5 * k, 3)  # an edge meets the rule; a glyph stroke stops short of it

    def meets(y: float, x: float) -> bool:
        return any(abs(h.pos - y) <= near and h.start - near <= x <= h.end + near for _, h in horizontal)

    vertical = [(label, rule) for label, rule in candidates
                if rule.end - rule.start >= RULE_PT * k or (meets(rule.start, rule.pos) and meets(rule.end, rule.pos))]
    horizontal, vertical = _framing(horizontal, vertical, k)
    mask = np.zeros(binary.shape, dtype=bool)
    for labels, kept in ((hlabels, horizontal), (vlabels, vertical)):
        if kept:
            mask |= np.isin(labels, [label for label, _ in kept])
    mask = cv2.dilate(mask.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
    return [r for _, r in horizontal], [r for _, r in vertical], mask


def _framing(horizontal: list[tuple[int, _PxRule]], vertical: list[tuple[int, _PxRule]],
             k: float) -> tuple[list[tuple[int, _PxRule]], list[tuple[int, _PxRule]]]:
    """The rules that frame a table-sized grid, and lone long lines."""
    def pt(rule: _PxRule) -> lattice.Rule:
        return lattice.Rule(rule.pos / k, rule.start / k, rule.end / k)

    boxes = [(g.xs[0], g.ys[0], g.xs[-1], g.ys[-1])
             for g in lattice.grids([pt(r) for _, r in horizontal], [pt(r) for _, r in vertical])
             if g.xs[-1] - g.xs[0] >= MIN_TABLE_PT]
    slack = lattice.SNAP + 1

    def framing(rule: lattice.Rule, is_horizontal: bool) -> bool:
        if rule.end - rule.start >= LONE_RULE_PT:
            return True
        for x0, y0, x1, y1 in boxes:
            (lo, hi), (a, b) = ((x0, x1), (y0, y1)) if is_horizontal else ((y0, y1), (x0, x1))
            if a - slack <= rule.pos <= b + slack and lo - slack <= rule.start and rule.end <= hi + slack:
                return True
        return False

    return ([(label, r) for label, r in horizontal if framing(pt(r), True)],
            [(label, r) for label, r in vertical if framing(pt(r), False)])


def _strokes(binary: np.ndarray, length: int, thick: int, horizontal: bool,
             k: float) -> tuple[list[tuple[int, _PxRule]], np.ndarray]:
    """Straight strokes at least ``length`` px long (morphological opening), as rules with
    their component labels, and the label image."""
    import cv2

    kernel = (length, 1) if horizontal else (1, length)
    opened = cv2.morphologyEx(binary, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, kernel))
    # Bridge small breaks (JPEG, a faint scan) along the line, never across it.
    bridge = (max(int(2 * k), 3), 1) if horizontal else (1, max(int(2 * k), 3))
    opened = cv2.morphologyEx(opened, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, bridge))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(opened, connectivity=8)
    rules: list[tuple[int, _PxRule]] = []
    for label in range(1, count):
        x, y, w, h, _area = stats[label]
        if horizontal and h <= thick:
            rules.append((label, _PxRule(y + h / 2, x, x + w)))
        elif not horizontal and w <= thick:
            rules.append((label, _PxRule(x + w / 2, y, y + h)))
    return rules, labels


Box = tuple[int, int, int, int]  # x0, y0, x1, y1 in pixels


def _cell_boxes(horizontal: list[lattice.Rule], vertical: list[lattice.Rule], dpi: float,
                shape: tuple[int, ...]) -> list[Box]:
    """Pixel boxes of every merged cell of every grid the rules make."""
    k = dpi / 72
    boxes: list[Box] = []
    for grid in lattice.grids(horizontal, vertical):
        regions = lattice.cell_regions(grid)
        spans: dict[tuple[int, int], list[int]] = {}
        for r, row in enumerate(regions):
            for c, origin in enumerate(row):
                span = spans.setdefault(origin, [c, r, c + 1, r + 1])
                span[0], span[1] = min(span[0], c), min(span[1], r)
                span[2], span[3] = max(span[2], c + 1), max(span[3], r + 1)
        for c0, r0, c1, r1 in spans.values():
            x0, x1 = int(grid.xs[c0] * k), int(grid.xs[c1] * k)
            y0, y1 = int(grid.ys[r0] * k), int(grid.ys[r1] * k)
            if x1 > x0 and y1 > y0:
                boxes.append((max(x0, 0), max(y0, 0), min(x1, shape[1]), min(y1, shape[0])))
    return boxes


def _pieces(ink: np.ndarray, cells: list[Box], k: float = DPI / 72) -> tuple[list[Box], list[bool]]:
    """Text pieces within each cell, then on the rest of the page (cells blanked); and for each
    piece whether it lies in a cell (``k``: pixels per point)."""
    rest = ink.copy()
    pieces: list[Box] = []
    for x0, y0, x1, y1 in cells:
        for px0, py0, px1, py1 in _text_pieces(ink[y0:y1, x0:x1]):
            # A hairline along the cell's top or bottom edge is what is left of a thick or
            # doubled rule, not text (a dash placeholder sits mid-cell and stays).
            if py1 - py0 <= 1.2 * k and (py0 <= 2.5 * k or (y1 - y0) - py1 <= 2.5 * k):
                continue
            pieces.append((px0 + x0, py0 + y0, px1 + x0, py1 + y0))
        rest[y0:y1, x0:x1] = False
    in_cells = [True] * len(pieces)
    prose = _text_pieces(rest)
    return pieces + prose, in_cells + [False] * len(prose)


def _runs(profile: np.ndarray, gap: int) -> list[tuple[int, int]]:
    """Runs of non-zero entries, joined across gaps of at most ``gap`` zeros."""
    import numpy as np

    on = np.flatnonzero(profile > 0)
    if on.size == 0:
        return []
    breaks = np.flatnonzero(np.diff(on) > gap + 1)
    starts = np.concatenate(([on[0]], on[breaks + 1]))
    ends = np.concatenate((on[breaks], [on[-1]])) + 1
    return list(zip(starts.tolist(), ends.tolist(), strict=True))


def _text_pieces(ink: np.ndarray) -> list[Box]:
    """Lines by row projection, pieces of a line split at gaps wider than the line is tall."""
    import numpy as np

    if ink.size == 0 or not ink.any():
        return []
    pieces: list[Box] = []
    rows = _runs(ink.sum(axis=1), 1)
    heights = sorted(b - a for a, b in rows if b - a >= 4)
    typical = heights[len(heights) // 2] if heights else 0
    # Strokes of one character stacked with gaps (二, 三, hyphens): rejoin bands too thin to be lines.
    merged: list[list[int]] = []
    for a, b in rows:
        if merged and typical and (b - a < 0.45 * typical or merged[-1][1] - merged[-1][0] < 0.45 * typical) \
                and a - merged[-1][1] < 0.4 * typical and max(b, merged[-1][1]) - merged[-1][0] < 1.8 * typical:
            merged[-1][1] = b
        else:
            merged.append([a, b])
    for a, b in merged:
        band = ink[a:b]
        if band.sum() < 6:
            continue  # specks
        height = b - a
        for c0, c1 in _runs(band.sum(axis=0), max(int(1.2 * height), 4)):
            cols = band[:, c0:c1]
            ys = np.flatnonzero(cols.any(axis=1))
            if cols.sum() >= 6:
                pieces.append((c0, a + int(ys[0]), c1, a + int(ys[-1]) + 1))
    return pieces


def _recognise(gray: np.ndarray, pieces: list[Box], in_cells: list[bool], scale: float) -> list[lattice.Char]:
    """Recognition only (``ocr_rec``): each piece read alone, so its reading never depends
    on what else is on the page."""
    from workbench.sources import ocr_rec

    if not pieces:
        return []
    crops = []
    for x0, y0, x1, y1 in pieces:
        pad = max(2, (y1 - y0) // 4)
        crops.append(gray[max(y0 - pad, 0):y1 + pad, max(x0 - pad, 0):x1 + pad])
    chars: list[lattice.Char] = []
    for (x0, y0, x1, y1), reading, in_cell in zip(pieces, ocr_rec.recognise(crops, in_cells), in_cells, strict=True):
        text, confidence = reading.text, reading.confidence
        text = "".join(text.split()) if _numeric(text) else text.strip()
        if not text:
            text, confidence = UNREAD_MARK, 0.0  # ink that reads as nothing: not a blank
        char = OcrChar(text, x0 * scale, x1 * scale, y0 * scale, y1 * scale, float(confidence))
        chars.append(char if in_cell else _guard_prose(char))
    return chars


def _numeric(text: str) -> bool:
    return any(ch.isdigit() for ch in text) and all(ch.isdigit() or ch in " ,.-" for ch in text)


def _guard_prose(char: lattice.Char) -> lattice.Char:
    """An uncertain piece keeps its words, never its digits (prose counts and fees)."""
    if getattr(char, "confidence", 1.0) >= UNCERTAIN:
        return char
    char.text = "".join(UNREAD_MARK if ch.isdigit() else ch for ch in char.text)
    return char
