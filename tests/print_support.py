"""Print the HTML digest with headless Chromium and read the PDF back (pypdfium2).

Used by test_digest_print.py: which line ends each page, and which fonts draw the text.
"""

from __future__ import annotations

import ctypes
import re
import shutil
import subprocess
import unicodedata
from html import unescape
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as raw

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


def print_pdf(html: Path, pdf: Path, timeout: int = 120) -> Path:
    """The page printed as Chromium prints it (A4 from the page's @page rule, no header/footer)."""
    assert CHROMIUM, "chromium is not installed"
    subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                    f"--print-to-pdf={pdf}", html.resolve().as_uri()],
                   check=True, capture_output=True, timeout=timeout)
    return pdf


def screenshot(html: Path, png: Path, width: int = 1200, height: int = 1600, timeout: int = 120) -> Path:
    assert CHROMIUM, "chromium is not installed"
    subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                    f"--window-size={width},{height}", f"--screenshot={png}", html.resolve().as_uri()],
                   check=True, capture_output=True, timeout=timeout)
    return png


def _norm(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def headings(html: str) -> set[str]:
    """The texts of the page's h1–h4 headings, normalised (NFKC, no whitespace)."""
    found = re.findall(r"<h[1-4][^>]*>(.*?)</h[1-4]>", html, flags=re.S)
    return {_norm(unescape(re.sub(r"<[^>]+>", "", h))) for h in found} - {""}


def last_lines(pdf: Path) -> list[str]:
    """The last non-empty text line of each page, normalised."""
    document = pdfium.PdfDocument(str(pdf))
    lines = []
    for page in document:
        text = page.get_textpage().get_text_range()
        rows = [_norm(row) for row in text.splitlines()]
        rows = [row for row in rows if row]
        lines.append(rows[-1] if rows else "")
    return lines


def page_fonts(pdf: Path) -> dict[str, int]:
    """Base font name -> text objects drawn with it, over every page."""
    document = pdfium.PdfDocument(str(pdf))
    counts: dict[str, int] = {}
    for page in document:
        for obj in page.get_objects(filter=[raw.FPDF_PAGEOBJ_TEXT]):
            font = raw.FPDFTextObj_GetFont(obj)
            name = ctypes.create_string_buffer(256)
            raw.FPDFFont_GetBaseFontName(font, name, 256)
            key = name.value.decode("latin-1")
            counts[key] = counts.get(key, 0) + 1
    return counts


def render_pages(pdf: Path, stem: Path, pages: int = 2, scale: float = 1.5) -> list[Path]:
    document = pdfium.PdfDocument(str(pdf))
    out = []
    for index in range(min(pages, len(document))):
        path = stem.with_name(f"{stem.name}{index + 1}.png")
        document[index].render(scale=scale).to_pil().save(path)
        out.append(path)
    return out
