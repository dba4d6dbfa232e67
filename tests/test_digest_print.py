"""The digest printed (issue 14 item 6): A4, no heading at a page foot, the shipped font embedded.

The slow test runs ``workbench demo``'s first_run on a copy of data/ (the bundled synthetic corpus
with data/real), prints its digest.html with headless Chromium and reads the PDF with pypdfium2.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from print_support import CHROMIUM, headings, last_lines, print_pdf

from workbench.charts import webfont
from workbench.digest import html as H

DATA = Path(__file__).resolve().parent.parent / "data"
A4_PT = (595.3, 841.9)


# --- fast ------------------------------------------------------------------------------------


def test_page_embeds_the_font_for_its_characters() -> None:
    page = H.page("摘要", "<h1>2024年度摘要</h1><p>信阳市浉河区人民政府</p>")
    faces = re.findall(r"@font-face \{[^}]*\}", page)
    assert len(faces) >= 2  # regular and bold
    assert all('font-family: "Workbench Sans SC"' in f and "data:font/woff;base64," in f for f in faces)
    assert re.search(r'body \{ font-family: "Workbench Sans SC", "Microsoft YaHei"', page)
    assert "wb-font-note\">" not in page  # every character covered: no note


def test_characters_beyond_the_font_fall_back_and_are_named() -> None:
    fonts = webfont.embed_fonts("淮安市𠮷野家")
    assert fonts.missing == ["𠮷"]
    page = H.page("摘要", "<p>淮安市𠮷野家</p>")
    assert "𠮷野家" in page  # the text itself is never changed
    assert re.search(r'wb-font-note">本页有 1 个字符不在内置字体中（𠮷）', page)


def test_bold_text_beyond_the_bold_font_uses_the_regular_glyphs() -> None:
    from workbench.charts import font

    level2 = next(ch for ch in "浉淝郯" if ord(ch) in font.covered("regular") and ord(ch) not in font.covered("bold"))
    css = webfont.embed_fonts("标题" + level2).css
    bold_faces = [f for f in css.split("\n") if "font-weight: 700" in f]
    assert any(f"U+{ord(level2):04X}" in f for f in bold_faces)


def test_headings_are_kept_with_the_cell_after_them() -> None:
    cell = '<div class="cell border-box-sizing {kind}"><div>{html}</div></div>\n'
    body = (cell.format(kind="text_cell rendered", html="<h2>二、主动公开</h2>")
            + cell.format(kind="text_cell rendered", html="<h3>小节</h3>")
            + cell.format(kind="code_cell rendered", html="<table class=\"wb-table\"></table>")
            + cell.format(kind="code_cell rendered", html="<p>后文</p>"))
    kept = H.keep_headings(body)
    match = re.search(r'<div class="wb-keep">(.*?)</div>\s*</div>\s*</div>', kept, flags=re.S)
    assert match and "<h2>" in kept.split('<div class="wb-keep">')[1].split("后文")[0]
    assert kept.count('class="wb-keep"') == 1 and kept.index("wb-keep") < kept.index("<h2>")
    assert kept.index("<h3>") < kept.index("wb-table") < kept.index("后文")
    assert "@page { size: A4" in H.CSS and "break-inside: avoid" in H.CSS


# --- slow: the demo digest printed ----------------------------------------------------------


@pytest.fixture(scope="module")
def demo_digest(tmp_path_factory: pytest.TempPathFactory):
    from workbench.digest.first_run import first_run

    base = tmp_path_factory.mktemp("demo")
    data = base / "data"
    shutil.copytree(DATA / "real", data / "real")
    shutil.copy(DATA / "agencies.csv", data / "agencies.csv")
    result = first_run(data, data / "workbench.duckdb", base / "out", workers=1, say=lambda _: None)
    return result.digest


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")
def test_printed_demo_digest_keeps_headings_and_has_no_tofu(demo_digest, tmp_path: Path) -> None:
    html_path = demo_digest.folder / "digest.html"
    html = html_path.read_text("utf-8")
    pdf = print_pdf(html_path, tmp_path / "digest.pdf")
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(pdf))
    assert len(document) >= 5
    for page in document:
        width, height = page.get_size()
        assert abs(width - A4_PT[0]) < 2 and abs(height - A4_PT[1]) < 2
    titles = headings(html)
    assert {"一、主要指标及与上年比较", "督办事项", "七、“存在的主要问题”比较"} <= titles
    ends = last_lines(pdf)
    stranded = [(i + 1, line) for i, line in enumerate(ends) if line in titles]
    assert not stranded, f"pages ending with a heading: {stranded}"
    # Every font the PDF embeds is the workbench's: no fallback font (boxes, or another face).
    names = set(re.findall(rb"/FontName\s*/[A-Z]{6}\+([A-Za-z0-9_-]+)", pdf.read_bytes()))
    assert names and names <= {b"WorkbenchSansSC-Regular", b"WorkbenchSansSC-Bold"}, names
    assert "wb-font-note\">" not in html  # the bundled corpus's names are all in the font


@pytest.mark.slow
def test_demo_chart_names_the_report_that_makes_the_year(demo_digest) -> None:
    """The bundled corpus has 淮安市's 2024 report with 4 million 行政处罚 decisions: the penalties
    chart says so in its subtitle and caption; bars say n= because the reports per year vary."""
    import json

    manifest = json.loads((demo_digest.folder / "digest.json").read_text("utf-8"))
    penalties = next(c for c in manifest["charts"] if c["name"] == "penalties")
    assert re.search(r"2024年：行政处罚和行政强制处理决定的\d+%来自淮安市人民政府一份报告", penalties["caption"])
    spec = (demo_digest.folder / "charts" / "penalties.vl.json").read_text("utf-8")
    assert "来自淮安市人民政府一份报告" in spec and "n=" in spec
