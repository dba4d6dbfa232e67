"""The PDF reader on the real reports in data/real and on PDFs drawn inside the tests.

pdfplumber is the reference for the real tables (its lattice output on these
files was checked by eye); the reader itself never uses it.
"""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

import pdfplumber
import pypdfium2 as pdfium
import pytest
from reportlab.lib import pdfencrypt
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas
from reportlab.platypus import Paragraph as Para
from reportlab.platypus import SimpleDocTemplate, Spacer, TableStyle
from reportlab.platypus import Table as RLTable

from workbench.sources import SourceError, read_document
from workbench.sources.document import Document, Paragraph, Table
from workbench.textnorm import compact

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT / "data" / "real"
EXPECTED = ROOT / "tests" / "expected"
REAL_PDF = ["2024_huaian", "2023_hongze", "2024_hongze"]
HEADINGS = ["一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
            "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况",
            "六、其他需要报告的事项"]
ACTIVE_LABELS = {"regulations": "规章", "normative_documents": "行政规范性文件",
                 "licensing": "行政许可", "penalties": "行政处罚", "enforcement": "行政强制",
                 "fees": "行政事业性收费"}
NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
# reportlab's built-in CID font: Chinese without a font file. The file does not embed it,
# and with no Chinese font installed pdfium cannot size its glyphs and skips a text run
# of a single Chinese character, so every Chinese run drawn here has two or more.
FONT = "STSong-Light"

pdfmetrics.registerFont(UnicodeCIDFont(FONT))


@pytest.fixture(scope="module")
def docs() -> dict[str, Document]:
    return {name: read_document(REAL / f"{name}.pdf") for name in REAL_PDF}


def expected(name: str) -> dict:
    return json.loads((EXPECTED / f"{name}.expected.json").read_text(encoding="utf-8"))


def as_cell(value: int | float | None) -> str:
    return "" if value is None else str(value)


def request_data_rows(doc: Document) -> list[list[str]]:
    """Table 三's data rows in order, over the page break: rows ending in 7 numbers."""
    rows = []
    for table in doc.tables:
        if "行政复议" in table.as_text():
            continue  # table 四 also ends in numbers
        rows += [cells for cells in table.origin_rows()
                 if len(cells) >= 8 and all(NUMBER.match(c) for c in cells[-7:])]
    return rows


def compact_rows(rows: list[list[str | None]]) -> list[list[str]]:
    """Rows as their non-empty cell texts, whitespace removed (for comparing with pdfplumber)."""
    return [[compact(c) for c in row if c] for row in rows]


# --- the real reports -------------------------------------------------------------------


@pytest.mark.parametrize("name", REAL_PDF)
def test_request_table_cells_match_expected(docs: dict[str, Document], name: str) -> None:
    """Every cell of table 三, in row and column order, across the page break."""
    record = expected(name)
    row_keys = list(dict.fromkeys(c["row"] for c in record["requests"]))
    rows = request_data_rows(docs[name])
    assert len(rows) == len(row_keys)
    by_row = dict(zip(row_keys, rows, strict=True))
    applicants = list(dict.fromkeys(c["applicant"] for c in record["requests"]))
    for cell in record["requests"]:
        assert by_row[cell["row"]][-7:][applicants.index(cell["applicant"])] == as_cell(cell["value"]), cell
    # The labels travel with their numbers.
    assert "本年新收" in compact("".join(by_row["new_received"][:-7]))
    assert "结转下年度" in compact("".join(by_row["carried_forward"][:-7]))
    assert "总计" in compact("".join(by_row["total_processed"][:-7]))


def test_huaian_new_received_row(docs: dict[str, Document]) -> None:
    rows = request_data_rows(docs["2024_huaian"])
    assert rows[0] == ["一、本年新收政府信息公开申请数量", "3001", "53", "0", "0", "61", "4", "3119"]


def test_huaian_merged_label_cells_are_origin_plus_none(docs: dict[str, Document]) -> None:
    """The vertical label 三、本年度办理结果 and （三）不予公开 are merged cells."""
    table = next(t for t in docs["2024_huaian"].tables if "申请人情况" in t.as_text())
    granted = next(row for row in table.rows if row[1] == "（一）予以公开")
    assert compact(granted[0] or "") == compact("三、本年度办理结果")
    assert granted[2] is None  # （一）予以公开 spans two label columns
    assert granted[3:] == ["1288", "21", "0", "0", "50", "3", "1362"]
    secret = next(row for row in table.rows if row[2] == "1.属于国家秘密")
    assert secret[0] is None and compact(secret[1] or "") == compact("（三）不予公开")
    law = next(row for row in table.rows if row[2] == "2.其他法律行政法规禁止公开")
    assert law[:2] == [None, None]


def test_huaian_table_three_is_split_at_the_page_break(docs: dict[str, Document]) -> None:
    """Two Table blocks, one per page; （四）无 / 法提供 stays split as printed."""
    parts = [t for t in docs["2024_huaian"].tables if t.page in (4, 5) and "行政复议" not in t.as_text()
             and any("申请" in (c or "") for row in t.rows for c in row)]
    assert [t.page for t in parts] == [4, 5]
    assert parts[0].rows[-1][1] == "（四）无"
    assert parts[1].rows[0][1] == "法提供"
    assert parts[1].rows[-1][0] == "四、结转下年度继续办理"


@pytest.mark.parametrize("name", REAL_PDF)
def test_review_table_row_of_fifteen(docs: dict[str, Document], name: str) -> None:
    table = next(t for t in docs[name].tables if "行政复议" in t.as_text())
    assert table.origin_rows()[-1] == [as_cell(c["value"]) for c in expected(name)["review_litigation"]]
    header = compact_rows(table.rows)[:3]
    assert header[0] == ["行政复议", "行政诉讼"]
    assert header[1][-2:] == ["未经复议直接起诉", "复议后起诉"]


@pytest.mark.parametrize("name", REAL_PDF)
def test_active_disclosure_rows(docs: dict[str, Document], name: str) -> None:
    values: dict[str, list[str]] = {}
    for cell in expected(name)["active_disclosure"]:
        values.setdefault(cell["item"], []).append(as_cell(cell["value"]))
    rows = {cells[0]: cells[1:] for t in docs[name].tables for cells in t.origin_rows() if cells}
    for item, want in values.items():
        assert rows[ACTIVE_LABELS[item]] == want, item


@pytest.mark.parametrize("name", REAL_PDF)
def test_tables_agree_with_pdfplumber(docs: dict[str, Document], name: str) -> None:
    """Every row pdfplumber finds with a number in it, on the same page, with the same texts."""
    mine = {}
    for table in docs[name].tables:
        mine.setdefault(table.page, []).extend(compact_rows(table.rows))
    with pdfplumber.open(REAL / f"{name}.pdf") as pdf:
        for number, page in enumerate(pdf.pages, start=1):
            reference = [row for table in page.extract_tables() for row in compact_rows(table)
                         if any(NUMBER.match(c) for c in row)]
            numeric_mine = [row for row in mine.get(number, []) if any(NUMBER.match(c) for c in row)]
            assert numeric_mine == reference, f"page {number}"


@pytest.mark.parametrize("name", REAL_PDF)
def test_headings_in_order_and_page_numbers_dropped(docs: dict[str, Document], name: str) -> None:
    texts = [compact(p.text) for p in docs[name].paragraphs]
    positions = [next(i for i, t in enumerate(texts) if t.startswith(compact(h))) for h in HEADINGS]
    assert positions == sorted(positions)
    assert not [t for t in texts if re.fullmatch(r"[-—–]*\d+[-—–]*", t)]
    assert all(p.page for p in docs[name].paragraphs)


@pytest.mark.parametrize("name", ["2023_hongze", "2024_hongze"])
def test_hongze_framed_body_text_is_paragraphs(docs: dict[str, Document], name: str) -> None:
    """WPS draws white boxes behind the body lines; pdfplumber turns page 2 into a 4-column table."""
    doc = docs[name]
    page2 = [b for b in doc.blocks if b.page == 2]
    assert isinstance(page2[0], Paragraph)
    first_table = next(b for b in page2 if isinstance(b, Table))
    assert compact(first_table.rows[0][0] or "") == compact("第二十条第（一）项")
    assert any("（四）政府信息公开平台建设情况" in p.text for p in page2 if isinstance(p, Paragraph))
    # The body text reads in order across the frame: no line lost or repeated.
    overview = "".join(p.text for p in doc.paragraphs if p.page in (1, 2))
    assert overview.index("（三）政府信息管理情况") < overview.index("（四）") < overview.index("（五）")


def test_text_lines_keep_reading_order_and_spacing(docs: dict[str, Document]) -> None:
    doc = docs["2024_huaian"]
    assert doc.blocks[0] == Paragraph("淮安市人民政府", page=1)
    assert Paragraph("子邮箱：hazwgkc@163.com）。", page=1) in doc.blocks
    assert "全年收取政府信息公开信息处理费3940元。" in doc.text()


def test_metadata_title_is_clean_or_absent(docs: dict[str, Document]) -> None:
    """The Info titles are UTF-16 with a little-endian BOM; pdfium decodes them, never as mojibake."""
    assert docs["2023_hongze"].meta["title"] == "洪泽区人民政府2023年政府信息公开工作年度报告"
    for doc in docs.values():
        title = doc.meta.get("title", "")
        assert not re.search(r"[\u0080-\u00ff]", title)


def test_reads_the_three_reports_fast(docs: dict[str, Document]) -> None:
    """A loose floor (the goal is 20 reports/s; benchmarks/pdf_reader_speed.py measures it)."""
    start = time.perf_counter()
    for name in REAL_PDF:
        read_document(REAL / f"{name}.pdf")
    assert time.perf_counter() - start < 1.0


# --- PDFs drawn here ---------------------------------------------------------------------


def draw_table(c: canvas.Canvas, x: float, top: float, widths: list[float], height: float,
               cells: dict[tuple[int, int], str], rows: int,
               merges: list[tuple[int, int, int, int]] = ()) -> None:
    """A ruled grid; merges are (row, col, last_row, last_col) with no rule inside them."""
    xs = [x + sum(widths[:i]) for i in range(len(widths) + 1)]
    ys = [top - i * height for i in range(rows + 1)]

    def inside(r: int, col: int) -> tuple[int, int, int, int] | None:
        return next((m for m in merges if m[0] <= r <= m[2] and m[1] <= col <= m[3]), None)

    for r in range(rows):
        for col in range(len(widths)):
            here = inside(r, col)
            if col + 1 < len(widths) and not (here and here == inside(r, col + 1)):
                c.line(xs[col + 1], ys[r], xs[col + 1], ys[r + 1])
            if r + 1 < rows and not (here and here == inside(r + 1, col)):
                c.line(xs[col], ys[r + 1], xs[col + 1], ys[r + 1])
    c.line(xs[0], ys[0], xs[-1], ys[0])
    c.line(xs[0], ys[-1], xs[-1], ys[-1])
    c.line(xs[0], ys[0], xs[0], ys[-1])
    c.line(xs[-1], ys[0], xs[-1], ys[-1])
    c.setFont(FONT, 10)
    for (r, col), text in cells.items():
        for k, part in enumerate(text.split("\n")):
            c.drawString(xs[col] + 4, ys[r] - 14 - 12 * k, part)


def draw_lines(c: canvas.Canvas, x: float, top: float, lines: list[str], size: float = 12) -> None:
    c.setFont(FONT, size)
    for i, line in enumerate(lines):
        c.drawString(x, top - i * size * 1.6, line)


def test_generated_table_with_merged_and_blank_cells(tmp_path: Path) -> None:
    path = tmp_path / "merged.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    draw_lines(c, 72, 780, ["一、总体情况", "正文第一行。"])
    cells = {(0, 0): "项目", (0, 1): "数量", (0, 3): "备注",
             (1, 0): "（一）不予\n公开", (1, 1): "1.属于国家秘密", (1, 2): "12", (1, 3): "说明文字",
             (2, 1): "2.保护第三方", (2, 2): "7",
             (3, 0): "合计", (3, 2): "19"}
    # 数量 spans columns 1-2, （一）不予公开 rows 1-2, 说明文字 rows 1-2; 合计 row 3's 备注 is blank.
    draw_table(c, 72, 700, [110, 130, 60, 120], 36, cells, rows=4,
               merges=[(0, 1, 0, 2), (1, 0, 2, 0), (1, 3, 2, 3)])
    draw_lines(c, 72, 520, ["六、其他需要报告的事项"])
    c.setFont(FONT, 10)
    c.drawString(290, 40, "- 1 -")
    c.save()

    doc = read_document(path)
    assert [type(b).__name__ for b in doc.blocks] == ["Paragraph", "Paragraph", "Table", "Paragraph"]
    assert [p.text for p in doc.paragraphs] == ["一、总体情况", "正文第一行。", "六、其他需要报告的事项"]
    assert doc.tables[0].rows == [
        ["项目", "数量", None, "备注"],
        ["（一）不予\n公开", "1.属于国家秘密", "12", "说明文字"],
        [None, "2.保护第三方", "7", None],
        ["合计", "", "19", ""],
    ]
    assert doc.tables[0].page == 1


def test_generated_table_without_side_borders(tmp_path: Path) -> None:
    """Only horizontal rules and the inner column lines: the rules' ends close the grid."""
    path = tmp_path / "open.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    xs, ys = [72, 200, 300, 400], [700, 670, 640, 610]
    for y in ys:
        c.line(xs[0], y, xs[-1], y)
    for x in xs[1:-1]:
        c.line(x, ys[0], x, ys[-1])
    c.setFont(FONT, 10)
    for (r, col), text in {(0, 0): "项目", (0, 1): "本年", (0, 2): "上年", (1, 0): "甲类",
                           (1, 1): "3", (2, 0): "乙类", (2, 2): "5"}.items():
        c.drawString(xs[col] + 4, ys[r] - 18, text)
    c.save()
    assert read_document(path).tables[0].rows == [["项目", "本年", "上年"], ["甲类", "3", ""], ["乙类", "", "5"]]


def test_generated_platypus_table_and_page_numbers(tmp_path: Path) -> None:
    """A reportlab platypus table (GRID style) split over two pages, with page numbers."""
    style = ParagraphStyle("cn", fontName=FONT, fontSize=11, leading=16)
    data = [["行号", "甲列", "乙列"]] + [[f"第{i}行", str(i), "" if i % 5 == 0 else str(i * 2)] for i in range(1, 60)]
    table = RLTable(data, colWidths=[90, 80, 80])
    table.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), FONT),
                               ("GRID", (0, 0), (-1, -1), 0.8, (0, 0, 0))]))

    def number(c: canvas.Canvas, _doc: object) -> None:
        c.setFont(FONT, 9)
        c.drawCentredString(297, 30, str(c.getPageNumber()))

    path = tmp_path / "platypus.pdf"
    SimpleDocTemplate(str(path), pagesize=A4).build(
        [Para("正文。", style), Spacer(1, 12), table, Para("结尾。", style)],
        onFirstPage=number, onLaterPages=number)
    doc = read_document(path)
    assert [p.text for p in doc.paragraphs] == ["正文。", "结尾。"]  # bare page numbers dropped
    assert [t.page for t in doc.tables] == [1, 2]
    rows = [row for t in doc.tables for row in t.rows]
    assert rows == data  # each split part is a grid; the blanks stay ""


def test_generated_frame_around_prose_is_paragraphs(tmp_path: Path) -> None:
    """A visible box around body text, and a box touching a table's top: text, not table rows."""
    path = tmp_path / "framed.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    prose = ["第一行正文，框里的段落。", "第二行正文，仍在框里。", "第三行。"]
    draw_lines(c, 80, 790, prose)
    c.rect(72, 730, 450, 76)  # frame around three lines
    draw_lines(c, 80, 690, ["第四行正文，贴着表格的框。", "第五行正文。"])
    c.rect(72, 664, 450, 40)  # its bottom edge is the table's top border
    draw_table(c, 72, 664, [150, 150, 150], 30, {(0, 0): "名称", (0, 1): "数量", (1, 0): "甲类", (1, 1): "3"}, rows=2)
    c.save()

    doc = read_document(path)
    assert [b.text for b in doc.blocks if isinstance(b, Paragraph)] == prose + ["第四行正文，贴着表格的框。", "第五行正文。"]
    assert doc.tables[0].rows == [["名称", "数量", ""], ["甲类", "3", ""]]
    assert isinstance(doc.blocks[-1], Table)


def test_generated_white_text_backgrounds_are_not_tables(tmp_path: Path) -> None:
    """WPS's white rectangles behind each line (filled, some with a white outline) draw no rule."""
    path = tmp_path / "white.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    c.setFillColorRGB(1, 1, 1)
    c.setStrokeColorRGB(1, 1, 1)
    for i in range(4):
        c.rect(72, 700 - 27 * i, 450, 27, stroke=i % 2, fill=1)
        c.line(300, 700 - 27 * i, 300, 727 - 27 * i)  # an invisible column line
    c.setFillColorRGB(0, 0, 0)
    c.setFont(FONT, 12)
    for i in range(4):
        c.drawString(80, 708 - 27 * i, f"第{i + 1}行左边，")
        c.drawString(320, 708 - 27 * i, "右边。")
    c.save()
    doc = read_document(path)
    assert not doc.tables
    assert [p.text for p in doc.paragraphs] == [f"第{i}行左边， 右边。" for i in range(1, 5)]


def test_generated_rotated_page_reads_as_displayed(tmp_path: Path) -> None:
    """A page with /Rotate 90: lines and cells come out as the reader sees them.

    (Latin text: pdfium drops rotated glyphs of a non-embedded CID font.)
    """
    path = tmp_path / "rotated.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    c.setPageRotation(90)  # reportlab swaps the media box: drawing happens on a landscape box
    for i, text in enumerate(["First line 2024", "Second line"]):
        c.saveState()
        c.translate(100 + 30 * i, 300)
        c.rotate(90)
        c.setFont("Helvetica", 14)
        c.drawString(0, 0, text)
        c.restoreState()
    c.saveState()
    c.translate(300, 100)
    c.rotate(90)
    for y in (0, -20, -40):
        c.line(0, y, 200, y)
    for x in (0, 100, 200):
        c.line(x, 0, x, -40)
    c.setFont("Helvetica", 10)
    c.drawString(5, -15, "top left")
    c.drawString(105, -15, "top right")
    c.drawString(105, -35, "12")
    c.restoreState()
    c.saveState()
    c.translate(800, 300)
    c.rotate(90)
    c.drawString(0, 0, "- 3 -")
    c.restoreState()
    c.save()
    doc = read_document(path)
    assert [p.text for p in doc.paragraphs] == ["First line 2024", "Second line"]
    assert doc.tables[0].rows == [["top left", "top right"], ["", "12"]]


def test_generated_clean_and_mojibake_titles(tmp_path: Path) -> None:
    for title, want in [("某县2024年政府信息公开工作年度报告", "某县2024年政府信息公开工作年度报告"),
                        # GBK bytes in a PDFDocEncoding string: decodes to Latin-1 mojibake
                        ("政府信息公开".encode("gbk").decode("latin-1"), None),
                        ("(anonymous)", None)]:
        path = tmp_path / "titled.pdf"
        c = canvas.Canvas(str(path))
        c.setTitle(title)
        draw_lines(c, 72, 700, ["正文。"])
        c.save()
        assert read_document(path).meta.get("title") == want


# --- bad inputs ---------------------------------------------------------------------------


def reason(path: Path) -> str:
    with pytest.raises(SourceError) as info:
        read_document(path)
    return info.value.reason


@pytest.mark.slow
def test_scanned_pdf_is_read_by_ocr(tmp_path: Path) -> None:
    """A page that is only an image (no text layer) is no longer refused: it is OCR'd."""
    page = pdfium.PdfDocument(REAL / "2024_huaian.pdf")[0]
    image = page.render(scale=150 / 72).to_pil().convert("RGB")
    path = tmp_path / "scan.pdf"
    image.save(path, format="PDF", resolution=150)
    document = read_document(path)
    assert document.format == "pdf"
    assert "政府信息公开" in document.text()


def test_truncated_pdf_is_damaged_or_incomplete(tmp_path: Path) -> None:
    data = (REAL / "2024_hongze.pdf").read_bytes()
    path = tmp_path / "half.pdf"
    path.write_bytes(data[: len(data) // 2])
    assert "damaged or incomplete" in reason(path)


def test_random_bytes_are_not_a_pdf(tmp_path: Path) -> None:
    path = tmp_path / "noise.pdf"
    path.write_bytes(os.urandom(4096))
    assert "not a PDF" in reason(path)
    path.write_bytes(b"%PDF-1.7\n" + os.urandom(4096) + b"\n%%EOF\n")  # a header, garbage inside
    assert "damaged or incomplete" in reason(path)


def test_encrypted_pdf(tmp_path: Path) -> None:
    locked = tmp_path / "locked.pdf"
    c = canvas.Canvas(str(locked), encrypt=pdfencrypt.StandardEncryption("secret", ownerPassword="owner"))
    draw_lines(c, 72, 700, ["加密的报告。"])
    c.save()
    assert "encrypted" in reason(locked) and "password" in reason(locked)
    # Owner-password only (no password to open): readable.
    open_ = tmp_path / "restricted.pdf"
    c = canvas.Canvas(str(open_), encrypt=pdfencrypt.StandardEncryption("", ownerPassword="owner", canCopy=0))
    draw_lines(c, 72, 700, ["可以打开的报告。"])
    c.save()
    assert [p.text for p in read_document(open_).paragraphs] == ["可以打开的报告。"]


def test_unembedded_chinese_drawn_glyph_by_glyph(tmp_path: Path) -> None:
    """Text whose glyphs pdfium cannot load is skipped: say so instead of blaming a scan.

    Skipped only without a Chinese font installed; with one, the text simply reads.
    """
    path = tmp_path / "glyphs.pdf"
    c = canvas.Canvas(str(path))
    c.setFont(FONT, 12)
    for i, char in enumerate("政府信息公开"):
        c.drawString(100 + 14 * i, 700, char)
    c.save()
    try:
        doc = read_document(path)
    except SourceError as error:
        assert "fonts" in error.reason and "not embedded" in error.reason
    else:
        assert [p.text for p in doc.paragraphs] == ["政府信息公开"]


def test_blank_pdf_has_no_text_layer(tmp_path: Path) -> None:
    path = tmp_path / "blank.pdf"
    c = canvas.Canvas(str(path))
    c.showPage()
    c.save()
    assert "no text layer" in reason(path)



THREADED_READS = """
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from workbench.sources import read_document
files = [p for folder in sys.argv[1:] for p in sorted(Path(folder).glob("*.pdf"))] * 4
with ThreadPoolExecutor(8) as pool:
    texts = [d.text() for d in pool.map(read_document, files)]
print(len(set(texts)), len(texts))
"""


def test_pdfs_read_from_many_threads_at_once_do_not_crash_the_process(tmp_path: Path) -> None:
    # PDFium is not thread-safe; a threaded dask worker died of heap corruption here. The reads
    # run in a child process, so that a crash is this test failing rather than pytest dying.
    import subprocess
    import sys

    from workbench.synth import generate

    generated = generate(tmp_path, agencies=12, years=range(2020, 2024), seed=3, formats=["pdf"])
    real = Path(__file__).resolve().parents[1] / "data" / "real"
    result = subprocess.run([sys.executable, "-c", THREADED_READS, str(real), str(tmp_path)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-500:]
    distinct, total = map(int, result.stdout.split())
    files = 3 + len(generated)
    assert total == 4 * files and distinct == files  # every read of a file gives the same text
