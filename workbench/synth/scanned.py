"""Scanned variants of generated reports, each beside its ground truth (issue 15 item 6).

What county and township bodies publish when the signed, stamped paper copy is scanned:

- ``scan_150`` / ``scan_200`` / ``scan_300``: image-only PDFs (no text layer) at that dpi,
  every page slightly rotated (up to ±1.5°), on grey, specked paper, JPEG-compressed; a red
  seal (公章) over the 落款 date with a signature-like scribble beside it, and in most
  documents a second seal stamped across table 三;
- ``scan_mixed``: the text PDF with every page that holds a table scanned (200 dpi);
- ``html_table_image`` / ``html_table_image_datauri``: the portal page whose table 三 is
  an ``<img>``, a PNG in ``<stem>_files/`` beside the page, or inline as a ``data:`` URI;
  the rest of the page is text;
- ``html_table_image_in_cell``: the same picture inside a layout table's cell (alone, beside
  a spacer cell, or under a 单位：件 row: ``CELL_FRAMES``), as some portals publish it;
- ``pdf_table_image``: the text PDF with table 三 pasted as a clean 200 dpi picture where the
  table was (scaled down to fit the page when taller), every page keeping its text layer;
- ``image_png``: the page holding table 三 as a clean PNG (an export or screenshot);
  ``image_jpg``: the same page as scanned (rotation, noise, seal), as a JPEG.

Each document has ``<stem>.expected.json`` (the record it must read to; for the two image
files only the cells printed on that page) and ``<stem>.scan.json``: per page the dpi,
rotation, JPEG quality, where each table part and each seal landed (pixels of the written
image), so tests can check the damage is what it claims. ``manifest.tsv`` lists them all.
The same seed gives the same files.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import io
import json
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
from PIL import Image
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Image as RLImage

from workbench.synth import render_html, render_pdf
from workbench.synth import scan_image as si
from workbench.synth.breaks import IDENTITY
from workbench.synth.generate import _habits, _page_meta
from workbench.synth.layout import Block, Style, TableBlock, TextBlock, build_blocks, make_style
from workbench.synth.report import Report

SCAN_DPIS = (150, 200, 300)
KINDS = ("scan_150", "scan_200", "scan_300", "scan_mixed", "html_table_image", "html_table_image_datauri",
         "image_png", "image_jpg", "pdf_table_image", "html_table_image_in_cell")
SECTIONS = {"active": "active_disclosure", "requests": "requests", "review": "review_litigation"}
MAX_ROTATION = 1.5  # degrees, either way
SEAL_MM = 42.0  # a 公章's diameter
TABLE_SEAL_SHARE = 0.7  # documents with a seal across table 三
MIXED_DPI = 200
IMAGE_DPI = 200
_SENTINEL = "@@TABLE-IMAGE@@"


@dataclass(frozen=True)
class ScannedVariant:
    kind: str
    document: Path
    expected: Path
    damage: Path  # the .scan.json
    agency: str
    year: int


@dataclass
class _Rendered:
    """One report drawn as a text PDF, with where its tables and its date fell."""

    report: Report
    blocks: list[Block]
    pdf: bytes
    placements: list[dict]
    glyphs: list[list[si.Glyph]]  # per page
    sizes: list[tuple[float, float]]  # page sizes in points


def scannable(reports: Sequence[Report]) -> list[Report]:
    """Reports a scan can be scored on: not broken on purpose in table identities (a reader
    that checks a scan's digits against the identities rightly leaves those cells unread)."""
    return [r for r in reports if not r.breaks_kind(IDENTITY)]


def write_scanned(outdir: Path, reports: Sequence[Report], seed: int,
                  kinds: Sequence[str] = KINDS) -> list[ScannedVariant]:
    """Every kind of scanned variant of each report under ``outdir``, with truths and manifest."""
    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        raise ValueError(f"unknown scanned variant(s) {unknown}; choose from {', '.join(KINDS)}")
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    written: list[ScannedVariant] = []
    for report in reports:
        rendered = _render(report, seed)
        stem = f"synthetic_{report.agency.slug}_{report.year}"
        for kind in kinds:
            rng = random.Random(f"{seed}:{report.index}:{report.year}:scan:{kind}")
            written.append(_KIND_WRITERS[_family(kind)](outdir, stem, kind, rendered, rng, seed))
    lines = ["document\texpected\tkind\tagency\tyear"]
    lines += [f"{v.document.name}\t{v.expected.name}\t{v.kind}\t{v.agency}\t{v.year}" for v in written]
    (outdir / "manifest.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return written


def _family(kind: str) -> str:
    if kind.startswith("html_table_image"):
        return "html_table_image"
    return "scan" if kind.startswith("scan_") and kind != "scan_mixed" else kind


def _pdf_style(report: Report, seed: int) -> Style:
    rng = random.Random(f"{seed}:{report.index}:{report.year}:pdf")  # the corpus's own PDF habits
    style = make_style(rng, report.record["template"])
    _habits(style, "pdf", rng)
    return style


def _render(report: Report, seed: int) -> _Rendered:
    style = _pdf_style(report, seed)
    blocks = build_blocks(report.record, report.prose, style)
    placements: list[dict] = []
    title = "".join(report.prose["title"])
    data = render_pdf.render(blocks, style, title, placements)
    document = pdfium.PdfDocument(data)
    try:
        glyphs = [si.page_glyphs(page) for page in document]
        sizes = [(page.get_width(), page.get_height()) for page in document]
    finally:
        document.close()
    return _Rendered(report, blocks, data, placements, glyphs, sizes)


# ------------------------------------------------------------------ scanned pages
def _scan_pages(rendered: _Rendered, dpi: int, rng: random.Random, pages: Sequence[int] | None = None,
                degrade: bool = True) -> tuple[list[Image.Image], list[dict[str, Any]], int]:
    """The pages (all, or ``pages``) as scans at ``dpi``; their damage notes; the JPEG quality."""
    document = pdfium.PdfDocument(rendered.pdf)
    quality = rng.randint(45, 85)
    table_seal = rng.random() < TABLE_SEAL_SHARE
    seal_page, seal_part = _table_seal_target(rendered) if table_seal else (None, None)
    date_page, date_box = _date_box(rendered)
    images, notes = [], []
    try:
        for number in range(len(document)) if pages is None else pages:
            page = document[number]
            image = si.render_page(page, dpi, rendered.glyphs[number])
            scale = dpi / 72
            height = rendered.sizes[number][1]
            note: dict[str, Any] = {"page": number, "dpi": dpi, "size": list(image.size), "seals": []}
            angle = 0.0
            if degrade:
                # The page is turned first and each mark turned with it and stamped where its spot
                # went: the same picture as stamping then turning, at a third of the cost (the
                # page stays greyscale while it turns; only a marked page becomes colour).
                angle = rng.uniform(-MAX_ROTATION, MAX_ROTATION)
                image = si.rotate(image, angle)
                diameter = round(SEAL_MM / 25.4 * dpi)
                name = rendered.report.agency.name

                def mark(layer: Image.Image, spot: tuple[float, float], image: Image.Image,
                         angle: float = angle) -> tuple[Image.Image, list[float]]:
                    moved = si.rotate_point(*spot, image.size, angle)
                    return si.stamp(image, si.turned(layer, angle), moved), list(moved)

                if number == seal_page and seal_part is not None:
                    x0, y0, x1, y1 = seal_part["box"]
                    spot = (rng.uniform(x0 + 0.45 * (x1 - x0), x1 - 0.12 * (x1 - x0)) * scale,
                            (height - rng.uniform(y0 + 0.25 * (y1 - y0), y1 - 0.25 * (y1 - y0))) * scale)
                    image, centre = mark(si.seal(name, diameter, rng), spot, image)
                    note["seals"].append({"over": "requests", "centre": centre, "diameter": diameter})
                if number == date_page and date_box is not None:
                    x0, y0, x1, y1 = date_box
                    spot = ((x0 + x1) / 2 * scale, (height - (y0 + y1) / 2) * scale)
                    image, centre = mark(si.seal(name, diameter, rng), spot, image)
                    note["seals"].append({"over": "date", "centre": centre, "diameter": diameter})
                    width, tall = round(diameter * 0.9), round(diameter * 0.3)
                    spot = (x0 * scale - width * 0.6, (height - y1) * scale - tall * 0.9)
                    image, centre = mark(si.scribble(width, tall, rng), spot, image)
                    note["scribble"] = {"centre": centre, "size": [width, tall]}
                image = si.paper_noise(image, rng, rng.uniform(0.5, 1.3))
                note["jpeg_quality"] = quality
            note["rotation"] = angle
            note["tables"] = [{"section": p["section"], "rows": p["rows"],
                               "box": _rotated_box(p["box"], height, scale, image.size, angle)}
                              for p in rendered.placements if p["page"] == number]
            images.append(image)
            notes.append(note)
    finally:
        document.close()
    return images, notes, quality


def _rotated_box(box: list[float], height: float, scale: float, size: tuple[int, int],
                 angle: float) -> list[float]:
    """A box in PDF points as the axis-aligned pixel bounds it covers after the rotation."""
    x0, y0, x1, y1 = box
    corners = [si.rotate_point(x * scale, (height - y) * scale, size, angle) for x in (x0, x1) for y in (y0, y1)]
    xs, ys = [c[0] for c in corners], [c[1] for c in corners]
    return [min(xs), min(ys), max(xs), max(ys)]


def _table_seal_target(rendered: _Rendered) -> tuple[int | None, dict | None]:
    """The part of table 三 with the most rows: where a stamp across the table lands."""
    parts = [p for p in rendered.placements if p["section"] == "requests"]
    if not parts:
        return None, None
    part = max(parts, key=lambda p: p["rows"][1] - p["rows"][0])
    return part["page"], part


def _date_box(rendered: _Rendered) -> tuple[int | None, tuple[float, float, float, float] | None]:
    """Page and box (points) of the 落款 date's characters, found by the text it was written with."""
    dates = [b.text for b in rendered.blocks if isinstance(b, TextBlock) and b.role == "date"]
    if not dates:
        return None, None
    needle = "".join(dates[-1].split())
    for number in range(len(rendered.glyphs) - 1, -1, -1):
        glyphs = rendered.glyphs[number]
        at = "".join(g.char for g in glyphs).rfind(needle)
        if at >= 0:
            run = glyphs[at: at + len(needle)]
            return number, (min(g.x for g in run), min(g.y for g in run) - 0.2 * run[0].size,
                            max(g.x + g.size for g in run), max(g.y for g in run) + 0.85 * run[0].size)
    return None, None


# ------------------------------------------------------------------ truths and writing
def _truth(rendered: _Rendered, document: Path, data: bytes, fmt: str,
           visible: set[tuple[str, str, str]] | None = None) -> dict[str, Any]:
    """The report's record as the truth of ``document``; ``visible``: only these cells."""
    out = copy.deepcopy(rendered.report.record)
    out["source"] = {"path": document.name, "sha256": hashlib.sha256(data).hexdigest(), "format": fmt}
    if visible is not None:
        keys = {"active_disclosure": ("item", "measure"), "requests": ("row", "applicant"),
                "review_litigation": ("proceeding", "result")}
        for section, (a, b) in keys.items():
            out[section] = [c for c in out[section] if (section, c[a], c[b]) in visible]
    return out


def _cells_on_page(rendered: _Rendered, page: int) -> set[tuple[str, str, str]]:
    """The table cells printed on ``page`` (from where each table part was drawn)."""
    visible: set[tuple[str, str, str]] = set()
    for part in rendered.placements:
        if part["page"] != page:
            continue
        first, end = part["rows"]
        visible |= {cell.ref for row, _, cell in part["block"].positions() if cell.ref and first <= row < end}
    return visible


def _write(outdir: Path, stem: str, kind: str, suffix: str, data: bytes, truth: dict[str, Any],
           damage: dict[str, Any], rendered: _Rendered) -> ScannedVariant:
    document = outdir / f"{stem}.{kind}{suffix}"
    document.write_bytes(data)
    truth["source"] = {"path": document.name, "sha256": hashlib.sha256(data).hexdigest(),
                       "format": truth["source"]["format"]}
    expected = document.with_name(f"{stem}.{kind}.expected.json")
    expected.write_text(json.dumps(truth, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    notes = document.with_name(f"{stem}.{kind}.scan.json")
    notes.write_text(json.dumps({"kind": kind, **damage}, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    report = rendered.report
    return ScannedVariant(kind, document, expected, notes, report.agency.name, report.year)


def _scanned_at(rendered: _Rendered) -> datetime:
    signed = rendered.report.prose["signed"]  # scanned the day it was signed, at ten
    return datetime(signed.year, signed.month, signed.day, 10, 0, 0)


def _fixed_stamps(pdf: bytes, when: datetime) -> bytes:
    """PDFium dates a new document now and gives it a random /ID; both are rewritten in place
    (same lengths, so the cross-reference offsets stay right) to make the bytes reproducible."""
    digits = when.strftime("%Y%m%d%H%M%S").encode("ascii")  # the zone suffix stays as written
    pdf = re.sub(rb"/CreationDate\(D:\d{14}", b"/CreationDate(D:" + digits, pdf, count=1)
    ids = re.compile(rb"/ID\[<[0-9A-F]{32}><[0-9A-F]{32}>\]")
    digest = hashlib.md5(ids.sub(b"", pdf)).hexdigest().upper().encode("ascii")  # an id, not security
    return ids.sub(b"/ID[<" + digest + b"><" + digest + b">]", pdf)


def _write_scan(outdir: Path, stem: str, kind: str, rendered: _Rendered, rng: random.Random,
                seed: int) -> ScannedVariant:
    dpi = int(kind.removeprefix("scan_"))
    images, notes, quality = _scan_pages(rendered, dpi, rng)
    data = si.images_to_pdf(images, dpi, quality, _scanned_at(rendered))
    return _write(outdir, stem, kind, ".pdf", data, _truth(rendered, Path(), data, "pdf"), {"pages": notes}, rendered)


def _write_mixed(outdir: Path, stem: str, kind: str, rendered: _Rendered, rng: random.Random,
                 seed: int) -> ScannedVariant:
    scanned = sorted({p["page"] for p in rendered.placements})
    images, notes, quality = _scan_pages(rendered, MIXED_DPI, rng, scanned)
    text = pdfium.PdfDocument(rendered.pdf)
    scans = pdfium.PdfDocument(si.images_to_pdf(images, MIXED_DPI, quality, _scanned_at(rendered)))
    out = pdfium.PdfDocument.new()
    try:
        for number in range(len(text)):
            if number in scanned:
                out.import_pages(scans, [scanned.index(number)])
            else:
                out.import_pages(text, [number])
        buffer = io.BytesIO()
        out.save(buffer)
    finally:
        for doc in (out, scans, text):
            doc.close()
    data = _fixed_stamps(buffer.getvalue(), _scanned_at(rendered))
    damage = {"pages": notes, "scanned_pages": scanned, "text_pages": [n for n in range(len(rendered.sizes))
                                                                       if n not in scanned]}
    return _write(outdir, stem, kind, ".pdf", data, _truth(rendered, Path(), data, "pdf"), damage, rendered)


def _write_image(outdir: Path, stem: str, kind: str, rendered: _Rendered, rng: random.Random,
                 seed: int) -> ScannedVariant:
    page, _ = _table_seal_target(rendered)
    page = 0 if page is None else page
    visible = _cells_on_page(rendered, page)
    if kind == "image_png":
        images, notes, _ = _scan_pages(rendered, IMAGE_DPI, rng, [page], degrade=False)
        buffer = io.BytesIO()
        images[0].save(buffer, "PNG", dpi=(IMAGE_DPI, IMAGE_DPI))
        suffix, fmt = ".png", "png"
    else:
        images, notes, quality = _scan_pages(rendered, IMAGE_DPI, rng, [page])
        buffer = io.BytesIO()
        images[0].convert("RGB").save(buffer, "JPEG", quality=quality, dpi=(IMAGE_DPI, IMAGE_DPI))
        suffix, fmt = ".jpg", "jpg"
    data = buffer.getvalue()
    damage = {"pages": notes, "truth": "only the table cells printed on this page"}
    return _write(outdir, stem, kind, suffix, data, _truth(rendered, Path(), data, fmt, visible), damage, rendered)


def table_image(table: TableBlock, dpi: int = IMAGE_DPI, margin: float = 12.0) -> Image.Image:
    """One table alone as a picture: what a portal editor pastes in place of table 三."""
    render_pdf._register()
    grid = render_pdf.GridTable(table)
    width, height = grid.wrap(1e6, 1e6)
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(width + 2 * margin, height + 2 * margin), invariant=1)
    grid.drawOn(canvas, margin, margin)
    canvas.showPage()
    canvas.save()
    document = pdfium.PdfDocument(buffer.getvalue())
    try:
        return si.render_page(document[0], dpi)
    finally:
        document.close()


def scan_pdf(pdf: bytes, dpi: int, seed: int | str, when: datetime = datetime(2000, 1, 1, 10)) -> tuple[bytes, list[dict]]:
    """Any text PDF (a real report from ``data/real``) as an image-only scan at ``dpi``: each
    page rotated, on grey paper, JPEG-compressed; no seal, since where its tables lie is not
    known here. Returns the PDF's bytes and the damage notes of its pages."""
    rng = random.Random(f"{seed}:scan_pdf:{dpi}")
    quality = rng.randint(45, 85)
    document = pdfium.PdfDocument(pdf)
    images, notes = [], []
    try:
        for number, page in enumerate(document):
            image = si.paper_noise(si.render_page(page, dpi), rng, rng.uniform(0.5, 1.3))
            angle = rng.uniform(-MAX_ROTATION, MAX_ROTATION)
            images.append(si.rotate(image, angle))
            notes.append({"page": number, "dpi": dpi, "size": list(image.size), "rotation": angle,
                          "jpeg_quality": quality, "seals": [], "tables": []})
    finally:
        document.close()
    return si.images_to_pdf(images, dpi, quality, when), notes


# How portals frame a picture of table 三 in a layout table (html_table_image_in_cell): alone in
# one cell; beside an empty spacer cell; under a row with the table's unit.
CELL_FRAMES = ("one_cell", "spacer_cell", "unit_row")
CELL_FRAME_HTML = {
    "one_cell": '<table width="100%" border="0" cellspacing="0" cellpadding="0"><tr>'
                '<td align="center">{img}</td></tr></table>',
    "spacer_cell": '<table width="100%" border="0" cellspacing="0" cellpadding="0"><tr>'
                   '<td align="center">{img}</td><td width="2%">&nbsp;</td></tr></table>',
    "unit_row": '<table width="100%" border="1" cellspacing="0" cellpadding="2">'
                '<tr><td align="right">单位：件</td></tr><tr><td align="center">{img}</td></tr></table>',
}


def _write_html(outdir: Path, stem: str, kind: str, rendered: _Rendered, rng: random.Random,
                seed: int) -> ScannedVariant:
    report = rendered.report
    html_rng = random.Random(f"{seed}:{report.index}:{report.year}:html")  # the corpus's own page habits
    style = make_style(html_rng, report.record["template"])
    _habits(style, "html", html_rng)
    blocks = build_blocks(report.record, report.prose, style)
    table = next(b for b in blocks if isinstance(b, TableBlock) and b.section == "requests")
    blocks = [TextBlock(_SENTINEL, "body") if b is table else b for b in blocks]
    charset = str(style.extras.get("charset", "utf-8"))
    page = render_html.render(blocks, style, _page_meta(report, html_rng)).decode(charset)
    picture = table_image(table)
    buffer = io.BytesIO()
    picture.save(buffer, "PNG", dpi=(IMAGE_DPI, IMAGE_DPI))
    png = buffer.getvalue()
    damage: dict[str, Any] = {"section": "requests", "image_size": list(picture.size)}
    if kind.endswith("_datauri"):
        src = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
    else:
        folder = outdir / f"{stem}.{kind}_files"  # as a browser saves a page: its images beside it
        folder.mkdir(exist_ok=True)
        (folder / "table3.png").write_bytes(png)
        src = f"{folder.name}/table3.png"
        damage["image"] = src
    width = round(picture.width * 72 / IMAGE_DPI * 4 / 3)  # CSS pixels at the table's printed size
    img = f'<img src="{src}" width="{width}" alt="" style="max-width:100%;">'
    if kind.endswith("_in_cell"):
        frame = CELL_FRAMES[rng.randrange(len(CELL_FRAMES))]
        damage["frame"] = frame
        figure = CELL_FRAME_HTML[frame].format(img=img)
    else:
        figure = f'<p style="text-align:center;">{img}</p>'
    page = page.replace(f'<p style="text-indent:2em;">{_SENTINEL}</p>', figure)
    if _SENTINEL in page:
        raise AssertionError("the table-image placeholder was not replaced")
    data = page.encode(charset, errors="xmlcharrefreplace")
    return _write(outdir, stem, kind, ".html", data, _truth(rendered, Path(), data, "html"), damage, rendered)


class _Picture(RLImage):
    """A table pasted into the PDF as a picture, recording where it was drawn."""

    def __init__(self, png: bytes, width: float, height: float, sink: list[dict]) -> None:
        super().__init__(io.BytesIO(png), width=width, height=height)
        self.sink = sink

    def draw(self) -> None:
        x0, y0 = self.canv.absolutePosition(0, 0)
        self.sink.append({"section": "requests", "page": self.canv.getPageNumber() - 1,
                          "box": [x0, y0, x0 + self.drawWidth, y0 + self.drawHeight]})
        super().draw()


# The frame a picture must fit in (A4 less render_pdf's margins and the frame's own padding).
_FRAME_WIDTH = render_pdf.A4[0] - 2 * render_pdf.MARGIN_X - 14
_FRAME_HEIGHT = render_pdf.A4[1] - 2 * render_pdf.MARGIN_Y - 24


def _write_pdf_picture(outdir: Path, stem: str, kind: str, rendered: _Rendered, rng: random.Random,
                       seed: int) -> ScannedVariant:
    """The text PDF with table 三 pasted as a picture (a clean 200 dpi image) where the table was."""
    report = rendered.report
    drawn: list[dict] = []
    sizes: list[list[int]] = []

    def picture(table: TableBlock) -> _Picture | None:
        if table.section != "requests":
            return None
        image = table_image(table)
        buffer = io.BytesIO()
        image.save(buffer, "PNG")
        sizes.append(list(image.size))
        width, height = image.width * 72 / IMAGE_DPI, image.height * 72 / IMAGE_DPI
        shrink = min(1.0, _FRAME_WIDTH / width, _FRAME_HEIGHT / height)  # a taller table is scaled to fit
        return _Picture(buffer.getvalue(), width * shrink, height * shrink, drawn)

    title = "".join(report.prose["title"])
    data = render_pdf.render(rendered.blocks, _pdf_style(report, seed), title, None, picture=picture)
    damage = {"section": "requests", "image_size": sizes[0], "image_dpi": IMAGE_DPI, "pictures": drawn}
    return _write(outdir, stem, kind, ".pdf", data, _truth(rendered, Path(), data, "pdf"), damage, rendered)


_KIND_WRITERS = {"scan": _write_scan, "scan_mixed": _write_mixed, "image_png": _write_image,
                 "image_jpg": _write_image, "html_table_image": _write_html, "pdf_table_image": _write_pdf_picture}
