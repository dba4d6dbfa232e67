"""Pictures on a PDF's text pages: a table pasted as an image among the text, read by OCR.

Portals and Word users paste table 三 as a picture (a screenshot, a scan of the signed
table) between the text of sections 一 and 二. The page has a text layer, so it is not a
scan, but the picture's cells exist only as pixels. A picture big enough to hold a table,
with no text-layer character over it, is rendered and OCR'd as a page of its own
(``scan.page_blocks``), and its blocks are put among the page's text blocks by where the
picture stands; its cells' provenance boxes are fractions of the whole page.

Finding such pictures costs only the page objects' bounds, which the reader walks anyway
for its ruling lines: a page without one is never rendered.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from typing import Any

from workbench.sources.document import Block, Table
from workbench.sources.lattice import PageContent, placed_blocks

Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in points, y down from the page top
# A picture's box and its own resolution (its pixels per inch as drawn; 0 when unknown).
Picture = tuple[float, float, float, float, float]

# Shares of the page. A picture of a table covers a good part of the page, or spans at least
# half its width and a few rows; a logo, a photo of a seal, a red banner above the title do not.
MIN_AREA = 0.15
MIN_WIDTH = 0.5
MIN_HEIGHT = 0.05  # with MIN_WIDTH: a short wide picture (the table's last rows) still counts
TOUCH = 2.0  # points: picture tiles this close are one picture (generators cut big images into strips)
MAX_DPI = 300  # a picture finer than this is rendered at this (OCR gains nothing above it)


@dataclass
class PdfPageContent(PageContent):
    """A text page's content as the PDF reader sees it, with its width and its pictures' bounds."""

    width: float = 0.0
    pictures: list[Picture] = field(default_factory=list)


def table_pictures(content: PageContent) -> list[Picture]:
    """The pictures on the page that may hold a table and that no text-layer character is on."""
    width, height = getattr(content, "width", 0.0), content.height
    if width <= 0 or height <= 0:
        return []
    found = []
    for x0, y0, x1, y1, dpi in _merged(getattr(content, "pictures", [])):
        x0, y0, x1, y1 = max(x0, 0.0), max(y0, 0.0), min(x1, width), min(y1, height)
        w, h = x1 - x0, y1 - y0
        if w <= 0 or h <= 0:
            continue
        if not (w * h >= MIN_AREA * width * height or (w >= MIN_WIDTH * width and h >= MIN_HEIGHT * height)):
            continue
        # Text over the picture means the picture is a background (letterhead, watermark) or the
        # scan under its own OCR text layer: the text layer already says what it shows.
        if any(x0 < c.xc < x1 and y0 < c.yc < y1 for c in content.chars):
            continue
        found.append((x0, y0, x1, y1, dpi))
    return found


def _merged(pictures: list[Picture]) -> list[Picture]:
    """Pictures that overlap or touch, joined (one picture drawn as several tiles)."""
    merged: list[list[float]] = []
    for box in sorted(pictures, key=lambda b: (b[1], b[0])):
        for other in merged:
            if (box[0] <= other[2] + TOUCH and other[0] <= box[2] + TOUCH
                    and box[1] <= other[3] + TOUCH and other[1] <= box[3] + TOUCH):
                other[:] = [min(box[0], other[0]), min(box[1], other[1]),
                            max(box[2], other[2]), max(box[3], other[3]), max(box[4], other[4])]
                break
        else:
            merged.append(list(box))
    # A join can make a box reach one merged earlier: repeat until nothing changes.
    result = [(b[0], b[1], b[2], b[3], b[4]) for b in merged]
    return result if len(result) == len(pictures) else _merged(result)


def page_blocks(page: Any, number: int, content: PageContent, pictures: list[Picture]) -> list[Block]:
    """The page's text blocks and its pictures' OCR'd blocks, in reading order (top to bottom)."""
    from workbench.sources import scan

    least = float(os.environ.get("WORKBENCH_OCR_DPI", scan.DPI))
    width, height = getattr(content, "width", 0.0), content.height
    placed: list[tuple[float, float, int, Block]] = [(top, left, 0, b) for top, left, b in
                                                      placed_blocks(content, number)]
    for x0, y0, x1, y1, native in pictures:
        # At the picture's own resolution when finer than the scan dpi: its pixels are not
        # resampled (a 200 dpi picture shrunk to fit the page is 216 dpi as drawn).
        dpi = min(max(native, least), MAX_DPI)
        # Only the picture's region is rendered (crop: points cut off left, bottom, right, top
        # of the page as displayed).
        bitmap = page.render(scale=dpi / 72, crop=(x0, height - y1, width - x1, y0))
        region = bitmap.to_numpy()[:, :, :3][:, :, ::-1].copy()  # BGR(x) → RGB
        if min(region.shape[:2]) < 8:
            continue
        for order, block in enumerate(scan.page_blocks(region, dpi, number), 1):
            if isinstance(block, Table):
                _on_page(block, (x0, y0, x1 - x0, y1 - y0), (width, height))
            # The picture's blocks keep their own order, at the picture's place on the page.
            placed.append((y0, x0, order, block))
    placed.sort(key=lambda item: item[:3])
    return [block for *_, block in placed]


def _on_page(table: Table, region: Box, page: tuple[float, float]) -> None:
    """Provenance boxes from fractions of the picture to fractions of the whole page."""
    rx, ry, rw, rh = region
    width, height = page
    for key, source in table.sources.items():
        x, y, w, h = source.box
        box = ((rx + x * rw) / width, (ry + y * rh) / height, w * rw / width, h * rh / height)
        table.sources[key] = replace(source, box=tuple(round(v, 4) for v in box))
