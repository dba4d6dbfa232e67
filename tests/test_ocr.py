"""OCR of scanned pages, image files and pictures in HTML pages (workbench/sources/scan.py).

Fast tests OCR one small drawn table; slow ones scan whole generated and real reports and
compare every cell with the truth: a cell is read exactly or left unread, never a wrong number.
"""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from io import BytesIO
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont
from scan_support import FONT, scanned_pdf

from workbench.checks import check_report
from workbench.parse import parse_file
from workbench.parse.report import parse_document
from workbench.sources import read_document, scan
from workbench.sources.document import UNREAD_MARK, CellSource, Table

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT / "data" / "real"
EXPECTED = ROOT / "tests" / "expected"
TABLES = (("active_disclosure", "item", "measure"), ("requests", "row", "applicant"),
          ("review_litigation", "proceeding", "result"))

ROWS = [["信息内容", "本年新收", "总计"], ["行政许可", "1830", "2030"], ["行政处罚", "75", "9"]]


def table_image(rows: list[list[str]] = ROWS, seal: bool = False, rotate: float = 0.0) -> Image.Image:
    """A ruled table drawn at 200 dpi (10.5 pt text), with a heading line above it."""
    image = Image.new("RGB", (1100, 520), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(FONT), 30)
    draw.text((80, 40), "三、收到和处理政府信息公开申请情况", font=font, fill="black")
    xs, ys = [60, 420, 760, 1040], [120, 220, 320, 420]
    for x in xs:
        draw.line([(x, ys[0]), (x, ys[-1])], fill="black", width=3)
    for y in ys:
        draw.line([(xs[0], y), (xs[-1], y)], fill="black", width=3)
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            draw.text(((xs[c] + xs[c + 1]) / 2, (ys[r] + ys[r + 1]) / 2), text, font=font, fill="black", anchor="mm")
    if seal:  # a red ring and red characters right over the number cells, multiplied like ink
        stamp = Image.new("RGB", image.size, "white")
        sd = ImageDraw.Draw(stamp)
        sd.ellipse([560, 150, 860, 450], outline=(225, 35, 35), width=10)
        sd.text((710, 300), "专用章8", font=ImageFont.truetype(str(FONT), 60), fill=(225, 35, 35), anchor="mm")
        from PIL import ImageChops

        image = ImageChops.multiply(image, stamp)
    if rotate:
        image = image.rotate(rotate, resample=Image.BICUBIC, fillcolor="white")
    return image


def save(image: Image.Image, path: Path, fmt: str = "PNG") -> Path:
    image.save(path, fmt, dpi=(200, 200))
    return path


def test_image_file_reads_as_a_table_with_provenance(tmp_path: Path) -> None:
    document = read_document(save(table_image(), tmp_path / "scan.png"))
    assert document.format == "image"
    assert document.paragraphs[0].text == "三、收到和处理政府信息公开申请情况"
    (table,) = document.tables
    assert table.rows == ROWS
    source = table.sources[(1, 1)]
    assert source.page == 1 and source.text == "1830" and source.confidence >= scan.UNCERTAIN
    x, y, w, h = source.box  # the box is where the number is printed, as page fractions
    assert 420 / 1100 < x < x + w < 760 / 1100 and 220 / 520 < y < y + h < 320 / 520


def test_jpeg_with_a_slight_rotation_reads_the_same(tmp_path: Path) -> None:
    document = read_document(save(table_image(rotate=1.2), tmp_path / "scan.jpg", "JPEG"))
    assert document.tables[0].rows == ROWS


def test_red_seal_over_numbers_never_becomes_digits(tmp_path: Path) -> None:
    (table,) = read_document(save(table_image(seal=True), tmp_path / "sealed.png")).tables
    for r, row in enumerate(ROWS):
        for c, want in enumerate(row):
            assert table.rows[r][c] in (want, UNREAD_MARK), (r, c, table.rows[r][c])
    assert len(table.rows) == len(ROWS)  # the seal's characters add no row, no cell


def test_uncertain_number_cells_read_as_unread_mark(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(scan, "UNCERTAIN", 1.01)  # nothing is certain enough
    (table,) = read_document(save(table_image(), tmp_path / "scan.png")).tables
    assert table.rows[1] == ["行政许可", UNREAD_MARK, UNREAD_MARK]  # labels keep their words
    assert table.sources[(1, 1)].text == "1830"  # provenance keeps what was seen


def test_image_suffix_with_other_bytes_is_a_plain_error(tmp_path: Path) -> None:
    path = tmp_path / "fake.png"
    path.write_bytes(b"not an image at all")
    with pytest.raises(Exception, match="图片无法打开"):
        read_document(path)


def page_with_pictures(folder: Path, body: str) -> Path:
    """A saved page whose ``body`` shows {local} (page_files/t3.png, the table ROWS) and {data_uri}
    (an embedded picture of another small table)."""
    (folder / "page_files").mkdir()
    save(table_image(), folder / "page_files" / "t3.png")
    buffer = BytesIO()
    table_image(rows=[["信息内容", "本年新收", "总计"], ["行政许可", "12", "34"], ["行政处罚", "5", "6"]]).save(buffer, "PNG")
    data_uri = "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()
    page = folder / "page.html"
    page.write_text("<html><body><div class=\"article\"><p>一、总体情况</p>"
                    + body.format(local='<img src="page_files/t3.png">', data_uri=f'<img src="{data_uri}">')
                    + "</div></body></html>", "utf-8")
    return page


def test_html_img_local_file_and_data_uri_become_tables_in_place(tmp_path: Path) -> None:
    page = page_with_pictures(tmp_path, """<p>正文第一段。</p><p>{local}</p><p>中间一段。</p>{data_uri}
        <img src="https://example.gov.cn/t4.png"><p>最后一段。</p>""")
    document = read_document(page)
    kinds = [type(b).__name__ if isinstance(b, Table) else b.text for b in document.blocks]
    first, second = kinds.index("Table"), len(kinds) - 1 - kinds[::-1].index("Table")
    assert kinds.index("正文第一段。") < first < kinds.index("中间一段。") < second < kinds.index("最后一段。")
    assert document.tables[0].rows == ROWS
    assert document.tables[1].rows[1] == ["行政许可", "12", "34"]
    assert document.meta["remote_images"] == "https://example.gov.cn/t4.png"  # listed, never fetched


@pytest.fixture(scope="module")
def synth_html(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("synth_html")
    subprocess.run([sys.executable, "-m", "workbench.cli", "synth", str(out), "--agencies", "1", "--years", "2021",
                    "--formats", "html", "--breaks", "0"], check=True, capture_output=True)
    return next(out.glob("*.html"))


def test_cells_of_a_pages_pictures_say_which_picture_and_crop_from_it(tmp_path: Path) -> None:
    """A cell OCR'd from a picture in a saved page names that picture (its src, or the digest of an
    embedded one), and the crop is cut from the picture itself, for the agency notebook."""
    from workbench.digest.ocr_sources import cell_picture

    page = page_with_pictures(tmp_path, "{local}<p>中间一段。</p>{data_uri}")
    local, embedded = read_document(page).tables
    assert {s.image for s in local.sources.values()} == {"page_files/t3.png"}
    (where,) = {s.image for s in embedded.sources.values()}
    assert where.startswith("data:sha256:")
    for table, number in ((local, "1830"), (embedded, "12")):
        source = next(s for s in table.sources.values() if s.text == number)
        crop = scan.crop(page, source.page, source.box, image=source.image)
        assert 20 < crop.width < 200 and 10 < crop.height < 80  # the number's box on a 1100 × 520 picture
        shown = cell_picture(page, source.page, source.box, fmt="html", image_ref=source.image)
        assert shown.reason is None and shown.png
    (tmp_path / "page_files" / "t3.png").unlink()
    gone = next(iter(local.sources.values()))
    assert cell_picture(page, gone.page, gone.box, fmt="html", image_ref=gone.image).png is None


def test_page_of_only_a_remote_picture_says_so(tmp_path: Path) -> None:
    page = tmp_path / "only.html"
    page.write_text('<html><body><div><img src="https://x.gov.cn/report.jpg"></div></body></html>', "utf-8")
    with pytest.raises(Exception, match="网络图片（https://x.gov.cn/report.jpg）"):
        read_document(page)


def _html_report(tmp_path: Path, source: Path) -> tuple[Path, dict]:
    path = tmp_path / source.name
    path.write_bytes(source.read_bytes())
    return path, json.loads(source.with_suffix(".expected.json").read_text("utf-8"))


def test_unread_mark_cell_is_unread_with_a_finding_naming_page_and_cell(tmp_path: Path, synth_html: Path) -> None:
    path, truth = _html_report(tmp_path, synth_html)
    document = read_document(path)
    table = next(t for t in document.tables if any("本年新收" in (c or "") for row in t.rows for c in row))
    r = next(i for i, row in enumerate(table.rows) if "本年新收" in (row[0] or ""))
    c = len(table.rows[r]) - 1  # the 总计 column
    table.rows[r][c] = UNREAD_MARK
    table.sources[(r, c)] = CellSource(3, (0.8, 0.3, 0.05, 0.01), 0.42, "2O30")
    record = parse_document(document)
    cell = next(x for x in record.requests if x.row == "new_received" and x.applicant == "total")
    assert cell.value is None and cell.unread
    others = [x for x in record.requests if x is not cell]
    want = {(x["row"], x["applicant"]): x["value"] for x in truth["requests"]}
    assert all(x.value == want[(x.row, x.applicant)] and not x.unread for x in others)
    (finding,) = [f for f in record.findings if f.rule == "read.ocr_uncertain"]
    assert finding.message.startswith(f"本工具未能识别第3页表格第{r + 1}行第{c + 1}列单元格")
    assert "0.42" in finding.message and finding.section == "requests"
    assert record.cell_sources[("requests", "new_received", "total")].confidence == 0.42
    assert "cell_sources" not in json.dumps(record.to_dict(), ensure_ascii=False)  # the JSON stays the spec
    assert "read.requests_unread" in {f.rule for f in record.findings}


def test_remote_picture_with_tables_missing_is_the_workbenchs_own_finding(tmp_path: Path, synth_html: Path) -> None:
    path, _ = _html_report(tmp_path, synth_html)
    html = path.read_bytes()  # bytes: the generated page may be GBK
    start, end = html.index(b"<table"), html.rindex(b"</table>") + len(b"</table>")
    path.write_bytes(html[:start] + b'<img src="http://example.gov.cn/biao.jpg">' + html[end:])
    record = parse_file(path)
    (finding,) = [f for f in record.findings if f.rule == "read.remote_image"]
    assert finding.message.startswith("本工具未能读取表二、表三、表四") and "biao.jpg" in finding.message


def test_text_pdfs_never_load_the_ocr_engine() -> None:
    code = ("import sys; from workbench.parse import parse_file; parse_file(sys.argv[1]);"
            "assert 'rapidocr_onnxruntime' not in sys.modules and 'cv2' not in sys.modules, 'loaded'")
    subprocess.run([sys.executable, "-c", code, str(REAL / "2024_hongze.pdf")], check=True)


def test_crop_returns_the_region_of_the_page(tmp_path: Path) -> None:
    path = save(table_image(), tmp_path / "scan.png")
    (table,) = read_document(path).tables
    piece = scan.crop(path, 1, table.sources[(1, 1)].box)
    assert 50 < piece.width < 340 and 15 < piece.height < 100


# --------------------------------------------------------------------------- whole reports (slow)


def cells(record: dict) -> dict[tuple[str, str, str], tuple[object, bool]]:
    return {(t, c[a], c[b]): (c["value"], bool(c.get("unread"))) for t, a, b in TABLES for c in record[t]}


def score(got: dict, want: dict) -> tuple[float, int]:
    exact = sum(got.get(k) == v for k, v in want.items())
    wrong = sum(got.get(k, (None, True))[0] is not None and got[k][0] != v[0] for k, v in want.items())
    return exact / len(want), wrong


@pytest.fixture(scope="module")
def synth_pdfs(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    out = tmp_path_factory.mktemp("synth")
    subprocess.run([sys.executable, "-m", "workbench.cli", "synth", str(out), "--agencies", "1",
                    "--years", "2020-2021", "--formats", "pdf", "--breaks", "0", "--seed", "7"],
                   check=True, capture_output=True)
    return sorted(out.glob("*.pdf"))


@pytest.mark.slow
@pytest.mark.parametrize(("dpi", "options", "goal"), [
    (200, {}, 0.995), (300, {"rotate": 0.8, "jpeg": 80}, 0.995), (150, {}, 0.98),
])
def test_scanned_generated_reports_both_templates(synth_pdfs: list[Path], tmp_path: Path, dpi: int,
                                                  options: dict, goal: float) -> None:
    for report in synth_pdfs:  # one report per template (2020 → 2019, 2021 → 2021)
        scanned = scanned_pdf(report, tmp_path / f"{report.stem}.pdf", dpi, **options)
        want = cells(json.loads(report.with_suffix(".expected.json").read_text("utf-8")))
        accuracy, wrong = score(cells(parse_file(scanned).to_dict()), want)
        assert wrong == 0 and accuracy >= goal, (report.name, accuracy, wrong)


@pytest.mark.slow
def test_mixed_pdf_reads_text_pages_and_scanned_pages(synth_pdfs: list[Path], tmp_path: Path) -> None:
    import pypdfium2 as pdfium

    report = synth_pdfs[-1]
    scanned = pdfium.PdfDocument(scanned_pdf(report, tmp_path / "scan.pdf", 200))
    mixed = pdfium.PdfDocument(report)
    mixed.del_page(1)
    mixed.import_pages(scanned, [1], index=1)  # page 2 (tables) is a scan, the others text
    path = tmp_path / "mixed.pdf"
    mixed.save(path)
    record = parse_file(path)
    want = cells(json.loads(report.with_suffix(".expected.json").read_text("utf-8")))
    accuracy, wrong = score(cells(record.to_dict()), want)
    assert wrong == 0 and accuracy >= 0.995
    assert {s.page for s in record.cell_sources.values()} == {2}


@pytest.mark.slow
@pytest.mark.parametrize("name", ["2024_huaian.pdf", "2024_hongze.pdf", "2023_hongze.pdf"])
def test_rasterised_real_pdf_matches_its_expected_record(tmp_path: Path, name: str) -> None:
    scanned = scanned_pdf(REAL / name, tmp_path / name, 200, redraw=False)  # fonts embedded: pdfium renders
    want = cells(json.loads((EXPECTED / name.replace(".pdf", ".expected.json")).read_text("utf-8")))
    accuracy, wrong = score(cells(parse_file(scanned).to_dict()), want)
    assert wrong == 0 and accuracy >= 0.98, (accuracy, wrong)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["2024_huaian.pdf", "2024_hongze.pdf", "2023_hongze.pdf"])
def test_real_pdf_scanned_at_150_dpi_with_damage_puts_no_number_in_a_wrong_cell(tmp_path: Path, name: str) -> None:
    """The real PDFs as a poor scan (150 dpi, grey specked paper, JPEG, a slight turn): their small
    table digits break into pieces when binarised, and taking a piece of a 4 for dust read 34 as
    31 and 447 as 147 with 0.99 confidence. Whatever is not read is unread, never another number."""
    from workbench.synth.scanned import scan_pdf

    scanned = tmp_path / name
    scanned.write_bytes(scan_pdf((REAL / name).read_bytes(), 150, seed=Path(name).stem)[0])
    want = cells(json.loads((EXPECTED / name.replace(".pdf", ".expected.json")).read_text("utf-8")))
    accuracy, wrong = score(cells(parse_file(scanned).to_dict()), want)
    assert wrong == 0 and accuracy >= 0.9, (accuracy, wrong)


@pytest.mark.parametrize(("confidence", "doubted"), [(0.91, True), (0.995, False)])
def test_failing_identity_leaves_a_doubtful_ocr_cell_unread(tmp_path: Path, synth_html: Path,
                                                            confidence: float, doubted: bool) -> None:
    """The identity may confirm a reading, never invent one: a misread digit of lowish confidence
    that breaks 总计 = sum of the applicant columns is unread; a confident one stands (for the checks)."""
    path, truth = _html_report(tmp_path, synth_html)
    document = read_document(path)
    table = next(t for t in document.tables if any("本年新收" in (c or "") for row in t.rows for c in row))
    r = next(i for i, row in enumerate(table.rows) if "本年新收" in (row[0] or ""))
    c = len(table.rows[r]) - 1
    misread = str(int(table.rows[r][c]) + 10)
    table.rows[r][c] = misread
    table.sources[(r, c)] = CellSource(2, (0.8, 0.3, 0.05, 0.01), confidence, misread)
    record = parse_document(document)
    cell = next(x for x in record.requests if x.row == "new_received" and x.applicant == "total")
    if doubted:
        assert cell.value is None and cell.unread
        (finding,) = [f for f in record.findings if f.rule == "read.ocr_uncertain"]
        assert finding.message.startswith("本工具对第2页表三的识别把握不足") and misread in finding.message
    else:
        assert cell.value == int(misread) and not cell.unread
        assert not [f for f in record.findings if f.rule == "read.ocr_uncertain"]


@pytest.mark.parametrize(("confidence", "kept"), [(0.9, False), (0.99, True)])
def test_an_unsure_reading_no_identity_can_check_is_unread(tmp_path: Path, synth_html: Path,
                                                          confidence: float, kept: bool) -> None:
    """本年新收/自然人 read at 0.9 while its row's 总计 and its column's 结转下年度 are unread: every
    identity it is part of is untestable, so nothing confirms it and it is not taken."""
    path, truth = _html_report(tmp_path, synth_html)
    document = read_document(path)
    table = next(t for t in document.tables if any("本年新收" in (c or "") for row in t.rows for c in row))
    new = next(i for i, row in enumerate(table.rows) if "本年新收" in (row[0] or ""))
    forward = next(i for i, row in enumerate(table.rows) if "结转下年度" in (row[0] or ""))
    first = next(c for c, cell in enumerate(table.rows[new]) if cell and cell.strip().isdigit())
    table.rows[new][-1] = UNREAD_MARK
    table.rows[forward][first] = UNREAD_MARK
    read = table.rows[new][first]
    table.sources[(new, first)] = CellSource(2, (0.4, 0.3, 0.05, 0.01), confidence, read)
    record = parse_document(document)
    cell = next(x for x in record.requests if x.row == "new_received" and x.applicant == "natural_person")
    messages = [f.message for f in record.findings if f.rule == "read.ocr_uncertain"]
    if kept:
        assert cell.value == int(read) and not cell.unread
        assert not any("无法核对" in m for m in messages)
    else:
        assert cell.value is None and cell.unread
        assert any("无法核对" in m and f"「{read}」" in m for m in messages)


@pytest.mark.parametrize(("label", "taken"), [("（一）以公开", True), ("（一）合计", False)])
def test_a_row_label_that_lost_a_character_is_read_by_its_place(tmp_path: Path, synth_html: Path,
                                                                label: str, taken: bool) -> None:
    """OCR dropped 予 from （一）予以公开: the row sits between 二、上年结转 and （二）部分公开, where
    only 予以公开 can stand, and its words are that row's own, so it is read. A label of other
    words in the same place is not taken for it (the row is missing, with a finding)."""
    path, truth = _html_report(tmp_path, synth_html)
    document = read_document(path)
    table = next(t for t in document.tables if any("本年新收" in (c or "") for row in t.rows for c in row))
    r, c = next((r, c) for r, row in enumerate(table.rows) for c, cell in enumerate(row) if "予以公开" in (cell or ""))
    table.rows[r][c] = label
    record = parse_document(document)
    granted = {x.applicant: x.value for x in record.requests if x.row == "granted"}
    want = {x["applicant"]: x["value"] for x in truth["requests"] if x["row"] == "granted"}
    if taken:
        assert granted == want
    else:
        assert all(v is None for v in granted.values())
        assert any(f.rule == "parse.missing_row" and "granted" in f.message for f in record.findings)


def test_parse_summary_shows_where_ocr_cells_were_read(tmp_path: Path, synth_html: Path) -> None:
    from workbench.cli import summary_line

    path, _ = _html_report(tmp_path, synth_html)
    record = parse_file(path)
    assert "OCR" not in summary_line(path, record, dict.fromkeys(("reports", "cells", "filled", "passed", "failed"), 0))
    record.cell_sources[("requests", "new_received", "total")] = CellSource(2, (0.8, 0.31, 0.05, 0.012), 0.93, "2030")
    text = summary_line(path, record, dict.fromkeys(("reports", "cells", "filled", "passed", "failed"), 0))
    assert "从第 2 页的图像识别出 1 个单元格" in text
    assert "表三 本年新收政府信息公开申请数量 · 总计：识别自第 2 页（0.800,0.310,0.050,0.012），置信度 0.93，读作「2030」" in text


@pytest.mark.parametrize("misread", ["4.96", "49,6", "4 96"])
def test_a_count_of_another_shape_is_unread_not_a_number(tmp_path: Path, synth_html: Path, misread: str) -> None:
    """Table 三 counts cases: OCR text that is not a whole number there (a speck read as a point,
    496 → 4.96, seen on a stamped scan at 0.87 confidence) is a misreading, never a value."""
    path, _ = _html_report(tmp_path, synth_html)
    document = read_document(path)
    table = next(t for t in document.tables if any("本年新收" in (c or "") for row in t.rows for c in row))
    r = next(i for i, row in enumerate(table.rows) if "本年新收" in (row[0] or ""))
    c = len(table.rows[r]) - 1
    table.rows[r][c] = misread
    table.sources[(r, c)] = CellSource(2, (0.8, 0.3, 0.05, 0.01), 0.99, misread)  # above DOUBT: not the identity rule
    record = parse_document(document)
    cell = next(x for x in record.requests if x.row == "new_received" and x.applicant == "total")
    assert cell.value is None and cell.unread
    assert any(f.rule.startswith(("read.", "parse.")) for f in record.findings)  # the workbench's own note
    if misread == "4.96":  # read as a number by the table parser: the OCR rule is what stops it
        assert any(f.rule == "read.ocr_uncertain" and "第2页" in f.message for f in record.findings)
    assert not [f for f in check_report(record) if "requests.new_received.total" in f.cells]  # never judged on it
