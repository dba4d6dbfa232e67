"""Build the chart fonts shipped in this folder (a dev-time tool, not run by the workbench).

Why: charts are exported on offline machines that may have no Chinese font at all, where
vl-convert would draw every hanzi as a box. So the package carries its own CJK font, subset
from Noto Sans CJK SC (SIL OFL 1.1) to what government reports use, and renamed
"Workbench Sans SC" so a system copy of Noto can never stand in for it unnoticed.

Character sets:
  * Regular: all of GB2312 (6763 hanzi, levels 1 and 2, plus its symbol rows: CJK and
    full-width punctuation, Greek, Roman numerals, circled numbers ...);
  * Bold (titles): GB2312 level 1 (3755 most used hanzi) plus the same symbols, to keep the
    two files near 4 MB; a bold character outside it is drawn with the regular weight;
  * both: printable ASCII and Latin-1, general punctuation, CJK symbols and punctuation,
    full-width forms, every non-ASCII character of the project's own label files and
    expected records (so rare place names in the bundled corpus are covered), and the
    characters listed in extra_chars.txt (one or more per line, # starts a comment): the
    place to add a rare character an export refused (MissingGlyphsError).

Re-run after adding label files or agencies with rare characters:

    apt-get install -y fonts-noto-cjk          # dev machine only
    .venv/bin/pip install fonttools            # dev-time only
    .venv/bin/python workbench/charts/fonts/make_subset.py

It prints the sizes and the characters added beyond GB2312.
"""

from __future__ import annotations

import argparse
import unicodedata
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection, TTFont

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
NOTO_DIR = Path("/usr/share/fonts/opentype/noto")
SC_INDEX = 2  # index of "Noto Sans CJK SC" inside the Debian .ttc collections
FAMILY = "Workbench Sans SC"

# Blocks besides GB2312 that charts and reports use (ranges are inclusive).
EXTRA_RANGES = [
    (0x0020, 0x007E),  # ASCII
    (0x00A0, 0x00FF),  # Latin-1: ·, ×, °, ±
    (0x2010, 0x2027),  # dashes, quotes, …
    (0x2030, 0x203B),  # ‰, ※
    (0x2212, 0x2212),  # − (d3-format's minus sign in axis labels)
    (0x2160, 0x216B),  # Ⅰ–Ⅻ
    (0x2190, 0x2193),  # arrows
    (0x2460, 0x249B),  # ①–⑳, ⑴–⒇
    (0x3000, 0x303F),  # CJK symbols and punctuation, 〇
    (0xFF01, 0xFF5E),  # full-width forms
    (0xFFE0, 0xFFE6),  # full-width ￥ ￡ ...
]

# Project files whose characters must all be drawable (labels, agency names).
LABEL_GLOBS = [
    "workbench/**/*.yaml",
    "workbench/**/*.txt",
    "workbench/synth/agencies.py",
    "workbench/charts/*.py",
    "tests/expected/*.json",
]


def gb2312(lead_bytes: range) -> set[str]:
    """Characters of GB2312 whose first byte is in lead_bytes (0xB0–0xD7 is level 1)."""
    chars = set()
    for hi in lead_bytes:
        for lo in range(0xA1, 0xFF):
            try:
                chars.add(bytes([hi, lo]).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return chars


def project_chars() -> set[str]:
    chars: set[str] = set()
    for pattern in LABEL_GLOBS:
        for path in REPO.glob(pattern):
            text = unicodedata.normalize("NFC", path.read_text(encoding="utf-8", errors="ignore"))
            # Only characters a chart may show: letters, numbers, punctuation, symbols.
            chars.update(c for c in text if ord(c) > 0x7E and unicodedata.category(c)[0] in "LNPS")
    return chars


def extra_chars() -> set[str]:
    chars = {chr(cp) for lo, hi in EXTRA_RANGES for cp in range(lo, hi + 1)}
    listed = HERE / "extra_chars.txt"
    if listed.is_file():
        for line in listed.read_text(encoding="utf-8").splitlines():
            chars.update(c for c in line.split("#", 1)[0] if not c.isspace())
    return chars


def rename(font: TTFont, style: str) -> None:
    """Give the subset its own family name (OFL: a modified font is not the original)."""
    names = font["name"]
    ps_name = f"WorkbenchSansSC-{style}"
    full = f"{FAMILY} {style}" if style != "Regular" else FAMILY
    for name_id, value in {
        1: FAMILY,
        2: style,
        3: f"{ps_name};subset of Noto Sans CJK SC 2.004",
        4: full,
        6: ps_name,
        16: FAMILY,
        17: style,
    }.items():
        names.setName(value, name_id, 3, 1, 0x409)
        names.setName(value, name_id, 1, 0, 0)
    # The Mac/Unicode duplicates of the original names would keep the old family alive.
    renamed = (1, 2, 3, 4, 6, 16, 17)
    names.names = [
        n for n in names.names if not (n.nameID in renamed and n.langID not in (0, 0x409))
    ]
    if "CFF " in font:
        cff = font["CFF "].cff
        cff.fontNames = [ps_name]
        top = cff.topDictIndex[0]
        top.FullName = full
        top.FamilyName = FAMILY


def build(style: str, chars: set[str], out: Path) -> int:
    collection = TTCollection(str(NOTO_DIR / f"NotoSansCJK-{style}.ttc"))
    font = collection.fonts[SC_INDEX]
    options = subset.Options()
    # Hinting is wasted on 2x PNG exports and costs ~15 % of the file.
    options.hinting = False
    options.layout_features = ["kern", "liga", "locl", "palt"]
    # Vertical metrics are for vertical text, which charts never set.
    options.drop_tables += ["vhea", "vmtx", "VORG", "BASE"]
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(ord(c) for c in chars))
    subsetter.subset(font)
    rename(font, style)
    # Keep the source's timestamp: the same input gives the same bytes (no git churn).
    font.recalcTimestamp = False
    font.save(str(out))
    return out.stat().st_size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=HERE)
    args = parser.parse_args()
    symbols = gb2312(range(0xA1, 0xB0))
    common = extra_chars() | project_chars()
    regular = gb2312(range(0xA1, 0xF8)) | common
    bold = symbols | gb2312(range(0xB0, 0xD8)) | common
    beyond = sorted(c for c in project_chars() if c not in gb2312(range(0xA1, 0xF8)))
    print("project characters beyond GB2312:", "".join(beyond) or "none")
    for style, chars in (("Regular", regular), ("Bold", bold)):
        out = args.out / f"WorkbenchSansSC-{style}.otf"
        size = build(style, chars, out)
        cmap = TTFont(str(out))["cmap"].getBestCmap()
        print(f"{out.name}: {size / 1e6:.2f} MB, {len(cmap)} characters")


if __name__ == "__main__":
    main()
