"""Page images of a generated PDF, and what paper and a scanner do to them.

The synthetic PDFs name the PDF-standard font STSong-Light without embedding it, so a
renderer on a machine without a Chinese font (PDFium here) draws no hanzi at all. A page
is therefore rasterised in two layers: PDFium draws the page with its text objects removed
(the ruling lines), then every character is drawn with PIL at the origin and size PDFium
reports for it, in the font the package ships (``workbench/charts/fonts``). The text layer
and the picture thus agree glyph for glyph.

On top: a red seal (公章: ring, ring text, star) multiplied into the page as ink is, a
signature-like scribble, grey background noise with specks, a slight rotation and JPEG
compression. Everything draws from the ``random.Random`` it is given, so a seed gives the
same image (PIL's own noise effects use C's ``rand()`` and are not used).
"""

from __future__ import annotations

import ctypes
import io
import math
import random
from dataclasses import dataclass
from datetime import datetime
from functools import cache

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from PIL import Image, ImageChops, ImageDraw, ImageFont

from workbench.charts.font import font_path

INK = (200, 28, 36)  # 印泥 red
PAPER = 255


@dataclass(frozen=True)
class Glyph:
    char: str
    x: float  # origin on the baseline, PDF points from the bottom left
    y: float
    size: float  # points


def page_glyphs(page: pdfium.PdfPage) -> list[Glyph]:
    """Every visible character of a page with its origin and size."""
    textpage = page.get_textpage()
    try:
        x, y = ctypes.c_double(), ctypes.c_double()
        glyphs = []
        for index in range(textpage.count_chars()):
            char = chr(pdfium_c.FPDFText_GetUnicode(textpage.raw, index))
            if not char.strip() or pdfium_c.FPDFText_IsGenerated(textpage.raw, index) == 1:
                continue
            pdfium_c.FPDFText_GetCharOrigin(textpage.raw, index, ctypes.byref(x), ctypes.byref(y))
            glyphs.append(Glyph(char, x.value, y.value, pdfium_c.FPDFText_GetFontSize(textpage.raw, index)))
        return glyphs
    finally:
        textpage.close()


@cache
def _font(pixels: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(font_path("regular")), pixels)


def _embedded(obj: pdfium.PdfObject) -> bool:
    return bool(pdfium_c.FPDFFont_GetIsEmbedded(pdfium_c.FPDFTextObj_GetFont(obj.raw)))


def render_page(page: pdfium.PdfPage, dpi: int, glyphs: list[Glyph] | None = None) -> Image.Image:
    """The page as a greyscale image at ``dpi``. A page whose fonts are all embedded (a real
    report) is drawn by PDFium as it is; otherwise PDFium draws the lines and PIL the characters
    in the package font (``glyphs``: the page's, when already read), and the page loses its
    text objects."""
    scale = dpi / 72
    texts = [obj for obj in page.get_objects() if obj.type == pdfium_c.FPDF_PAGEOBJ_TEXT]
    if all(_embedded(obj) for obj in texts):
        return page.render(scale=scale, grayscale=True).to_pil().convert("L")
    glyphs = page_glyphs(page) if glyphs is None else glyphs
    for obj in texts:
        page.remove_obj(obj)
    page.gen_content()
    image = page.render(scale=scale, grayscale=True).to_pil().convert("L")
    draw = ImageDraw.Draw(image)
    height = page.get_height()
    for glyph in glyphs:
        draw.text((glyph.x * scale, (height - glyph.y) * scale), glyph.char, fill=0,
                  font=_font(max(4, round(glyph.size * scale))), anchor="ls")
    return image


def missing_glyphs(text: str) -> set[str]:
    """Characters of ``text`` the shipped font cannot draw (they would show as boxes)."""
    from workbench.charts.font import _cmap

    points = _cmap(font_path("regular"))
    return {ch for ch in text if ch.strip() and ord(ch) not in points}


# ------------------------------------------------------------------ seal and signature
def seal(name: str, diameter: int, rng: random.Random) -> Image.Image:
    """A round 公章: a red ring, ``name`` around the upper arc, a star in the middle (RGBA,
    drawn at twice the size and reduced, for smooth edges). Ink is uneven: some of it is thin."""
    big = diameter * 2
    layer = Image.new("L", (big, big), 0)  # coverage; coloured at the end
    draw = ImageDraw.Draw(layer)
    ring = max(4, big // 28)
    draw.ellipse((ring // 2, ring // 2, big - ring // 2, big - ring // 2), outline=255, width=ring)
    _star(draw, big / 2, big / 2, big * 0.17)
    chars = list(name)[:18] or ["章"]
    sweep = min(250.0, 14.0 * len(chars) + 40)  # degrees of arc the name covers, centred on the top
    per_char = (big / 2 - ring) * 0.8 * math.radians(sweep) / len(chars)  # arc length per character
    size = max(8, min(int(big * 0.15), int(per_char * 0.9)))
    font = _font(size)
    radius = big / 2 - ring * 1.5 - size * 0.55
    for index, char in enumerate(chars):
        angle = -sweep / 2 + sweep * (index + 0.5) / len(chars)  # 0 = top, clockwise
        tile = Image.new("L", (size * 2, size * 2), 0)
        ImageDraw.Draw(tile).text((size, size), char, fill=255, font=font, anchor="mm")
        tile = tile.rotate(-angle, resample=Image.Resampling.BICUBIC)
        cx = big / 2 + radius * math.sin(math.radians(angle))
        cy = big / 2 - radius * math.cos(math.radians(angle))
        layer.paste(255, (round(cx - size), round(cy - size)), tile)
    layer = layer.resize((diameter, diameter), Image.Resampling.LANCZOS)
    strength = rng.uniform(0.7, 0.95)
    thin = Image.frombytes("L", (diameter, diameter), rng.randbytes(diameter * diameter))
    thin = thin.point(lambda v: round(255 * strength * (0.75 + 0.25 * v / 255)))
    alpha = ImageChops.multiply(layer, thin)
    out = Image.new("RGBA", (diameter, diameter), (*INK, 0))
    out.putalpha(alpha)
    return out


def _star(draw: ImageDraw.ImageDraw, cx: float, cy: float, outer: float) -> None:
    inner = outer * 0.382
    points = []
    for k in range(10):
        radius = outer if k % 2 == 0 else inner
        angle = math.radians(-90 + 36 * k)
        points.append((cx + radius * math.cos(angle), cy + radius * math.sin(angle)))
    draw.polygon(points, fill=255)


def scribble(width: int, height: int, rng: random.Random) -> Image.Image:
    """A hand signature's look: a few looping strokes in blue-black ink (RGBA)."""
    out = Image.new("RGBA", (width, height), (20, 30, 70, 0))
    draw = ImageDraw.Draw(out)
    pen = max(2, height // 18)
    x = width * 0.05
    for _ in range(rng.randint(2, 4)):
        points = []
        loops = rng.randint(2, 5)
        span = width * rng.uniform(0.15, 0.3)
        slant = rng.uniform(0.2, 0.6)
        for step in range(loops * 12 + 1):
            t = step / 12 * 2 * math.pi
            dy = height * 0.32 * math.sin(t + rng.uniform(-0.2, 0.2)) * (1 - 0.6 * step / (loops * 12))
            points.append((x + span * step / (loops * 12) + width * 0.04 * math.cos(t) - slant * dy,
                           height / 2 + dy))
        draw.line(points, fill=(20, 30, 70, 235), width=pen, joint="curve")
        x += span * rng.uniform(0.8, 1.1)
    return out


def turned(layer: Image.Image, degrees: float) -> Image.Image:
    """An ink layer (one colour, RGBA) rotated like :func:`rotate`, grown to hold its corners.
    Only the coverage turns: blending the colour with the transparent fill would darken the rim."""
    alpha = layer.getchannel("A").rotate(degrees, resample=Image.Resampling.BICUBIC, expand=True)
    out = Image.new("RGBA", alpha.size, layer.getpixel((0, 0))[:3])
    out.putalpha(alpha)
    return out


def stamp(image: Image.Image, layer: Image.Image, centre: tuple[float, float]) -> Image.Image:
    """``layer`` (RGBA ink) multiplied into ``image`` at ``centre``: ink darkens paper, black
    print stays black under it, as with a real stamp."""
    base = image.convert("RGB")
    ink = Image.new("RGB", base.size, (255, 255, 255))
    left, top = round(centre[0] - layer.width / 2), round(centre[1] - layer.height / 2)
    white = Image.new("RGB", layer.size, (255, 255, 255))
    ink.paste(Image.composite(layer.convert("RGB"), white, layer.getchannel("A")), (left, top))
    return ImageChops.multiply(base, ink)


# ------------------------------------------------------------------ the scanner
def paper_noise(image: Image.Image, rng: random.Random, level: float) -> Image.Image:
    """Grey, uneven paper with dark specks: the page is multiplied by a noise field drawn
    from ``rng`` (``level`` ~ 0.5–1.5: how grey)."""
    width, height = image.size
    field_ = Image.frombytes("L", (width, height), rng.randbytes(width * height))
    shade = round(10 * level)

    def lut(v: int) -> int:
        if v >= 254:  # about one pixel in 128: a speck of dust
            return 110
        return 255 - shade - (v * 10 * level) // 255

    noise = field_.point([int(lut(v)) for v in range(256)])
    return ImageChops.multiply(image, noise.convert(image.mode))


def rotate(image: Image.Image, degrees: float) -> Image.Image:
    """Counter-clockwise by ``degrees`` about the centre, same size, the corners filled white."""
    fill = 255 if image.mode == "L" else (255, 255, 255)
    return image.rotate(degrees, resample=Image.Resampling.BICUBIC, fillcolor=fill)


def rotate_point(x: float, y: float, size: tuple[int, int], degrees: float) -> tuple[float, float]:
    """Where pixel (x, y) goes under :func:`rotate` (y grows downward)."""
    cx, cy = size[0] / 2, size[1] / 2
    a = math.radians(degrees)
    dx, dy = x - cx, y - cy
    return cx + dx * math.cos(a) + dy * math.sin(a), cy - dx * math.sin(a) + dy * math.cos(a)


def jpeg(image: Image.Image, quality: int) -> Image.Image:
    """The image after a round trip through JPEG at ``quality``."""
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    return Image.open(io.BytesIO(buffer.getvalue())).convert(image.mode)


def images_to_pdf(images: list[Image.Image], dpi: int, quality: int, when: datetime) -> bytes:
    """An image-only PDF, one JPEG page per image, sized so that ``dpi`` gives the page back,
    dated ``when`` (not now: the same pages give the same bytes)."""
    buffer = io.BytesIO()
    first, *rest = [im if im.mode in ("L", "RGB") else im.convert("RGB") for im in images]
    first.save(buffer, "PDF", resolution=dpi, save_all=True, append_images=rest, quality=quality,
               creationDate=when.timetuple(), modDate=when.timetuple(), producer="workbench synth (scanned)")
    return buffer.getvalue()
