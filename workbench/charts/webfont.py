"""The shipped CJK font inside HTML (the digest page, the live charts of explore.ipynb), so its text reads on a machine without one.

An intranet PC may have no Chinese font; a digest page would then show boxes (tofu) wherever
the charts, drawn with the shipped font, show hanzi. So the page carries the font itself, as
``@font-face`` rules with ``data:`` URIs: the page stays one file that can be mailed or copied.
Only the characters the page uses are embedded (fontTools subset, WOFF): a digest uses a
thousand or two of the 7,000 characters, some 300 KB instead of 4 MB.

Weights: the regular font has all of GB2312; the bold one (headings, table headers) only
level 1. Bold characters beyond it come from the regular font (a third face, weight 700,
limited by ``unicode-range`` to those characters; the browser emboldens it). Characters that
neither font has (a rare hanzi in an agency name) are reported by :func:`embed_fonts`; the
``font-family`` list then falls back to the reader's system fonts (微软雅黑 …), and the page
says which characters may show as boxes where no such font exists.
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass, field
from functools import lru_cache
from html.parser import HTMLParser

from workbench.charts import font

FAMILY = font.FONT_FAMILY
# After our font: the fonts Chinese Windows, macOS and Linux desktops have, for characters
# the shipped font lacks (never instead of it: ours comes first and covers the rest).
CSS_STACK = (f'"{FAMILY}", "Microsoft YaHei", "微软雅黑", "PingFang SC", "Noto Sans CJK SC", '
             '"Noto Sans SC", "WenQuanYi Micro Hei", "SimSun", sans-serif')
ALWAYS = "".join(chr(c) for c in range(0x20, 0x7F))  # digits and Latin: cheap, and CSS may need them


@dataclass
class EmbeddedFonts:
    css: str  # the @font-face rules
    missing: list[str] = field(default_factory=list)  # characters no shipped font covers
    bytes: int = 0  # size of the embedded font data


class _Text(HTMLParser):
    """The text nodes of a page (what the browser draws with the page's fonts); not style or script."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("style", "script"):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def page_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    parser.close()
    return "".join(parser.parts)


@lru_cache(maxsize=64)  # explore.ipynb redraws the same charts' text on every pick
def _subset(weight: str, points: frozenset[int]) -> bytes:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.flavor = "woff"  # zlib: no brotli needed
    options.name_IDs = ["*"]  # keep the family name (and the OFL notice)
    options.name_legacy = True
    options.notdef_outline = True
    options.hinting = False  # CFF hints matter little on screen and in print; they cost bytes
    with TTFont(str(font.font_path(weight))) as source:
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=sorted(points))
        subsetter.subset(source)
        out = io.BytesIO()
        source.flavor = "woff"
        source.save(out)
    return out.getvalue()


def _unicode_range(points: set[int]) -> str:
    """CSS unicode-range of the code points, runs merged (U+4E00-4E05, U+3002)."""
    runs: list[tuple[int, int]] = []
    for cp in sorted(points):
        if runs and cp == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], cp)
        else:
            runs.append((cp, cp))
    return ", ".join(f"U+{a:04X}" if a == b else f"U+{a:04X}-{b:04X}" for a, b in runs)


def _face(data: bytes, weight: int, unicode_range: str | None = None) -> str:
    uri = "data:font/woff;base64," + base64.b64encode(data).decode("ascii")
    limit = f" unicode-range: {unicode_range};" if unicode_range else ""
    return (f'@font-face {{ font-family: "{FAMILY}"; font-style: normal; font-weight: {weight};'
            f' font-display: block; src: url("{uri}") format("woff");{limit} }}')


def embed_fonts(text: str) -> EmbeddedFonts:
    """@font-face rules for the characters of text, and the characters no shipped font has."""
    wanted = {ord(ch) for ch in text + ALWAYS if ch.isprintable() and not ch.isspace()}
    wanted |= {0x20, 0xA0, 0x3000}  # the spaces between words and cells are drawn with the font too
    regular, bold = font.covered("regular"), font.covered("bold")
    missing = sorted(chr(cp) for cp in wanted - regular)
    drawn = wanted & regular
    faces = []
    regular_data = _subset("regular", frozenset(drawn))
    faces.append(_face(regular_data, 400))
    size = len(regular_data)
    in_bold = drawn & bold
    if in_bold:
        bold_data = _subset("bold", frozenset(in_bold))
        faces.append(_face(bold_data, 700, _unicode_range(in_bold)))
        size += len(bold_data)
    rest = drawn - bold
    if rest:  # bold text beyond the bold font: the regular glyphs, emboldened by the browser
        rest_data = _subset("regular", frozenset(rest))
        faces.append(_face(rest_data, 700, _unicode_range(rest)))
        size += len(rest_data)
    return EmbeddedFonts("\n".join(faces), missing, size)
