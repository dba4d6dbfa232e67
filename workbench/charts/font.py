"""The CJK font every chart is drawn with, shipped inside the package.

Offline machines may have no Chinese font at all; vl-convert then draws nothing (or boxes)
where the hanzi should be. So the package carries "Workbench Sans SC" (a subset of Noto Sans
CJK SC, SIL OFL 1.1, built by ``fonts/make_subset.py``) and registers it with vl-convert
before the first export. The family name is the package's own, so a system copy of Noto can
never stand in for a missing file unnoticed.

Coverage: the regular weight has all of GB2312 (6763 hanzi) plus ASCII, CJK and full-width
punctuation; the bold weight (titles) only GB2312 level 1 (3755 hanzi). Text that needs a
character outside the regular font is refused with :class:`MissingGlyphsError` (never
drawn as a box); bold text that needs a character outside the bold font is drawn in the
regular weight (see ``export.py``).
"""

from __future__ import annotations

import struct
import threading
from collections.abc import Iterable
from functools import cache
from pathlib import Path

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT_FAMILY = "Workbench Sans SC"
# The first family is always found by vl-convert (we register it); the others only help an
# SVG opened on another machine (browser, Word), which does not have our font installed.
FONT_STACK = f'"{FONT_FAMILY}", "Microsoft YaHei", "PingFang SC", "Noto Sans CJK SC", sans-serif'
FONT_FILES = {
    "regular": "WorkbenchSansSC-Regular.otf",
    "bold": "WorkbenchSansSC-Bold.otf",
}

_lock = threading.Lock()
_registered: set[Path] = set()


class FontMissingError(RuntimeError):
    """The shipped chart font is not where the package put it (broken install)."""


class MissingGlyphsError(ValueError):
    """Chart text uses characters the shipped font cannot draw."""

    def __init__(self, missing: dict[str, str]) -> None:
        self.missing = missing  # character -> one text it occurs in
        listing = "、".join(f"{ch} (U+{ord(ch):04X}, in {text!r})" for ch, text in missing.items())
        super().__init__(
            f"the chart font {FONT_FAMILY} has no glyph for {len(missing)} character(s): "
            f"{listing}. They would be drawn as boxes or left out. Add them to "
            "workbench/charts/fonts/extra_chars.txt and run "
            "workbench/charts/fonts/make_subset.py, or change the text."
        )


def font_path(weight: str = "regular", font_dir: Path | None = None) -> Path:
    """Path of one shipped font file; FontMissingError if it is not there."""
    path = (font_dir or FONT_DIR) / FONT_FILES[weight]
    if not path.is_file() or path.stat().st_size == 0:
        raise FontMissingError(
            f"chart font file missing: {path}. Chinese text would not be drawn. "
            "Reinstall the package (pip install -e .) or rebuild the font with "
            "workbench/charts/fonts/make_subset.py."
        )
    return path


@cache
def _cmap(path: Path) -> frozenset[int]:
    """Code points mapped by the font's Unicode cmap (formats 4 and 12).

    Read with struct rather than fontTools so that the check costs no runtime dependency.
    """
    data = path.read_bytes()
    subtables = _unicode_subtables(data, _table_offset(data, b"cmap"))
    if not subtables:
        raise ValueError("no Unicode cmap subtable")
    points: set[int] = set()
    for offset in subtables:
        points |= _read_subtable(data, offset)
    return frozenset(points)


def _table_offset(data: bytes, tag: bytes) -> int:
    (num_tables,) = struct.unpack_from(">H", data, 4)
    for i in range(num_tables):
        entry_tag, _checksum, offset, _length = struct.unpack_from(">4sIII", data, 12 + 16 * i)
        if entry_tag == tag:
            return offset
    raise ValueError(f"no {tag.decode()} table")


def _unicode_subtables(data: bytes, cmap: int) -> list[int]:
    _version, count = struct.unpack_from(">HH", data, cmap)
    found = []
    for i in range(count):
        platform, encoding, offset = struct.unpack_from(">HHI", data, cmap + 4 + 8 * i)
        # Unicode platform, or Windows Unicode BMP (1) / full repertoire (10).
        if platform == 0 or (platform == 3 and encoding in (1, 10)):
            found.append(cmap + offset)
    return found


def _read_subtable(data: bytes, offset: int) -> set[int]:
    (fmt,) = struct.unpack_from(">H", data, offset)
    if fmt == 4:
        return _format4(data, offset)
    if fmt == 12:
        (groups,) = struct.unpack_from(">I", data, offset + 12)
        points: set[int] = set()
        for g in range(groups):
            start, end, _glyph = struct.unpack_from(">III", data, offset + 16 + 12 * g)
            points.update(range(start, end + 1))
        return points
    return set()  # other formats hold no Unicode text we draw


def _format4(data: bytes, offset: int) -> set[int]:
    (seg_x2,) = struct.unpack_from(">H", data, offset + 6)
    segs = seg_x2 // 2
    ends = struct.unpack_from(f">{segs}H", data, offset + 14)
    starts_at = offset + 16 + seg_x2
    starts = struct.unpack_from(f">{segs}H", data, starts_at)
    deltas = struct.unpack_from(f">{segs}h", data, starts_at + seg_x2)
    range_at = starts_at + 2 * seg_x2
    range_offsets = struct.unpack_from(f">{segs}H", data, range_at)
    points: set[int] = set()
    for i in range(segs):
        for cp in range(starts[i], ends[i] + 1):
            if cp == 0xFFFF:
                continue
            if range_offsets[i] == 0:
                glyph = (cp + deltas[i]) & 0xFFFF
            else:
                at = range_at + 2 * i + range_offsets[i] + 2 * (cp - starts[i])
                (glyph,) = struct.unpack_from(">H", data, at)
                glyph = (glyph + deltas[i]) & 0xFFFF if glyph else 0
            if glyph:  # glyph 0 is .notdef: the box we must not draw
                points.add(cp)
    return points


def covered(weight: str = "regular") -> frozenset[int]:
    """Code points the shipped font of that weight can draw."""
    return _cmap(font_path(weight))


def missing_chars(texts: Iterable[str], weight: str = "regular") -> dict[str, str]:
    """Characters of texts that the font cannot draw, each with the first text using it.

    Whitespace and control characters are not drawn, so they never count as missing.
    """
    have = covered(weight)
    missing: dict[str, str] = {}
    for text in texts:
        for ch in text:
            if ord(ch) in have or ch.isspace() or not ch.isprintable() or ch in missing:
                continue
            missing[ch] = text
    return missing


def check_text(texts: Iterable[str]) -> None:
    """Raise MissingGlyphsError if any text needs a character outside the regular font."""
    missing = missing_chars(texts)
    if missing:
        raise MissingGlyphsError(missing)


def ensure_registered(font_dir: Path | None = None) -> Path:
    """Register the shipped fonts with vl-convert once per process; return the directory.

    Fails loudly (FontMissingError) when a font file is missing or unreadable, instead of
    letting vl-convert fall back to whatever the machine has (often nothing for hanzi).
    """
    directory = (font_dir or FONT_DIR).resolve()
    with _lock:
        if directory in _registered:
            return directory
        for weight in FONT_FILES:
            path = font_path(weight, directory)
            try:
                _cmap(path)
            except (ValueError, struct.error) as exc:  # a truncated or damaged file
                raise FontMissingError(f"chart font file unreadable: {path} ({exc})") from exc
        import vl_convert

        vl_convert.register_font_directory(str(directory))
        _registered.add(directory)
    return directory
