"""Scanned test inputs with ground truth: text PDFs turned into image-only PDFs and images.

The generated PDFs use reportlab's STSong-Light, a CID font PDFs may leave unembedded; this
machine has no CJK system font, so pdfium renders their Chinese as nothing. So a page is
"printed" from its text layer instead: every character pdfium places is drawn at its box with
the project's bundled CJK font, every ruling line as a line, at the requested dpi. Real PDFs
(fonts embedded) are rendered by pdfium directly. Options add what scanners add: rotation,
JPEG compression, grey noise, a red seal across the table.
"""

from __future__ import annotations

import math
import random
from io import BytesIO
from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image, ImageChops, ImageDraw, ImageFont

from workbench.sources import lattice
from workbench.sources import pdf as pdfmod

FONT = Path(__file__).resolve().parents[1] / "workbench/charts/fonts/WorkbenchSansSC-Regular.otf"


def page_images(path: Path, dpi: int, *, redraw: bool = True, rotate: float = 0.0, jpeg: int | None = None,
                noise: bool = False, seal: bool = False, seed: int = 0) -> list[Image.Image]:
    pdf = pdfium.PdfDocument(path.read_bytes())
    rng = random.Random(seed)
    images = []
    try:
        for index in range(len(pdf)):
            page = pdf[index]
            if redraw:
                image = _redraw(pdfmod._read_page(page), page.get_size(), dpi)
            else:
                image = page.render(scale=dpi / 72).to_pil().convert("RGB")
            page.close()
            if seal:
                image = _seal(image, rng)
            if rotate:
                image = image.rotate(rotate, resample=Image.BICUBIC, expand=False, fillcolor="white")
            if noise:
                image = _noise(image, rng)
            if jpeg:
                buffer = BytesIO()
                image.save(buffer, "JPEG", quality=jpeg)
                image = Image.open(BytesIO(buffer.getvalue())).convert("RGB")
            images.append(image)
    finally:
        pdf.close()
    return images


def scanned_pdf(source: Path, target: Path, dpi: int, **options) -> Path:
    """An image-only PDF (no text layer) of ``source``'s pages."""
    images = page_images(source, dpi, **options)
    images[0].save(target, "PDF", resolution=dpi, save_all=True, append_images=images[1:])
    return target


def _redraw(content: lattice.PageContent, size: tuple[float, float], dpi: int) -> Image.Image:
    k = dpi / 72
    image = Image.new("RGB", (round(size[0] * k), round(size[1] * k)), "white")
    draw = ImageDraw.Draw(image)
    width = max(1, round(0.6 * k))
    for rule in content.horizontal:
        draw.line([(rule.start * k, rule.pos * k), (rule.end * k, rule.pos * k)], fill="black", width=width)
    for rule in content.vertical:
        draw.line([(rule.pos * k, rule.start * k), (rule.pos * k, rule.end * k)], fill="black", width=width)
    fonts: dict[int, ImageFont.FreeTypeFont] = {}
    for char in content.chars:
        size = max(6, round(char.height * k * 0.86))
        font = fonts.setdefault(size, ImageFont.truetype(str(FONT), size))
        draw.text((char.xc * k, char.yc * k), char.text, font=font, fill=(20, 20, 20), anchor="mm")
    return image


def _seal(image: Image.Image, rng: random.Random) -> Image.Image:
    """A red ring with red characters, semi-transparent, somewhere over the page's middle."""
    overlay = Image.new("RGBA", image.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    r = image.width // 8
    cx = rng.randint(image.width // 3, 2 * image.width // 3)
    cy = rng.randint(image.height // 4, 3 * image.height // 4)
    red = (220, 30, 30, 150)
    draw.ellipse([cx - r, cy - r, cx + r, cy + r], outline=red, width=max(3, r // 15))
    font = ImageFont.truetype(str(FONT), r // 3)
    for i, ch in enumerate("政府信息公开专用章"):
        angle = math.pi * (0.85 + 1.3 * i / 8)
        draw.text((cx + 0.72 * r * math.cos(angle), cy + 0.72 * r * math.sin(angle)), ch, font=font,
                  fill=red, anchor="mm")
    draw.text((cx, cy), "★", font=font, fill=red, anchor="mm")
    # Ink on paper multiplies: black text under the red seal stays black.
    paper = Image.new("RGB", image.size, "white")
    stamp = Image.alpha_composite(paper.convert("RGBA"), overlay).convert("RGB")
    return ImageChops.multiply(image, stamp)


def _noise(image: Image.Image, rng: random.Random) -> Image.Image:
    import numpy as np

    pixels = np.asarray(image).astype(np.int16)
    grain = np.random.default_rng(rng.randint(0, 2**31)).normal(0, 12, pixels.shape[:2])[:, :, None]
    return Image.fromarray(np.clip(pixels - 18 + grain, 0, 255).astype(np.uint8))
