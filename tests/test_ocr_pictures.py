"""Tables published as pictures inside text documents (issue 15 item 2): a picture on a text
PDF page (workbench/sources/pdf_images.py) and an <img> in an HTML table cell (html.py).

Each OCRs the small drawn table of test_ocr; whole generated reports are in test_synth_scanned.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas
from test_ocr import ROWS, save, table_image

from workbench.sources import pdf_images, read_document
from workbench.sources.document import Paragraph, Table
from workbench.synth.scanned import CELL_FRAME_HTML, CELL_FRAMES

FONT = "STSong-Light"
WIDTH, HEIGHT = A4
PICTURE_DPI = 200  # table_image is drawn at 200 dpi


def _pdf(path: Path, picture: Image.Image | None, *, tiles: int = 1, text_over: bool = False,
         scale: float = 1.0) -> tuple[Path, tuple[float, float, float, float]]:
    """A text page: two lines, the picture (as ``tiles`` horizontal strips), a line below.
    Returns the file and where the picture stands (x0, y0, x1, y1 in points from the top left)."""
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    canvas = Canvas(str(path), pagesize=A4, invariant=1)
    canvas.setFont(FONT, 14)
    canvas.drawString(72, HEIGHT - 80, "二、主动公开政府信息情况")
    canvas.drawString(72, HEIGHT - 110, "本机关全年主动公开政府信息。")
    top = 130.0
    box = (72.0, top, 72.0, top)
    if picture is not None:
        w = picture.width * 72 / PICTURE_DPI * scale
        h = picture.height * 72 / PICTURE_DPI * scale
        for i in range(tiles):  # strips drawn edge to edge, as some generators cut a big image
            strip = picture.crop((0, picture.height * i // tiles, picture.width, picture.height * (i + 1) // tiles))
            sh = h * strip.height / picture.height
            sy = top + h * (picture.height * i // tiles) / picture.height
            canvas.drawImage(ImageReader(strip), 72, HEIGHT - sy - sh, width=w, height=sh)
        box = (72.0, top, 72.0 + w, top + h)
        if text_over:  # a letterhead or watermark picture with the text drawn on it
            canvas.drawString(120, HEIGHT - top - h / 2, "本页文字写在图片之上。")
    canvas.drawString(72, HEIGHT - box[3] - 40, "四、政府信息公开行政复议、行政诉讼情况")
    canvas.showPage()
    canvas.save()
    return path, box


def _texts(blocks: list) -> list[str]:
    return ["<table>" if isinstance(b, Table) else b.text for b in blocks]


# Drawn as one image, as three strips, and shrunk (250 dpi as drawn: read at its own resolution).
@pytest.mark.parametrize(("tiles", "scale"), [(1, 1.0), (3, 1.0), (1, 0.8)])
def test_table_picture_on_a_text_page_reads_in_place(tmp_path: Path, tiles: int, scale: float) -> None:
    path, (x0, y0, x1, y1) = _pdf(tmp_path / "page.pdf", table_image(), tiles=tiles, scale=scale)
    document = read_document(path)
    assert _texts(document.blocks) == ["二、主动公开政府信息情况", "本机关全年主动公开政府信息。",
                                       "三、收到和处理政府信息公开申请情况", "<table>",
                                       "四、政府信息公开行政复议、行政诉讼情况"]
    (table,) = document.tables
    assert table.rows == ROWS and table.page == 1
    assert all(isinstance(b, Paragraph) and b.page == 1 for b in document.paragraphs)
    # Provenance is a box on the whole page: where 1830 is printed (picture pixels 420–760 x
    # 220–320 of 1100 x 520), not a fraction of the picture.
    source = table.sources[(1, 1)]
    assert source.page == 1 and source.text == "1830"
    x, y, w, h = source.box
    k = (x1 - x0) / 1100  # points per picture pixel
    assert (x0 + 420 * k) / WIDTH < x < x + w < (x0 + 760 * k) / WIDTH
    assert (y0 + 220 * k) / HEIGHT < y < y + h < (y0 + 320 * k) / HEIGHT


def test_pictures_that_cannot_hold_a_table_are_never_rendered(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object) -> None:
        raise AssertionError("a page without a table picture was rendered for OCR")

    monkeypatch.setattr(pdf_images, "page_blocks", refuse)
    logo = table_image().resize((220, 104))  # a small picture: a logo, a seal photo
    banner = table_image().crop((0, 0, 1100, 100)).resize((1400, 60))  # as wide as the page, one line tall
    for name, picture, over in (("logo", logo, False), ("banner", banner, False),
                                ("background", table_image(), True)):
        path, _ = _pdf(tmp_path / f"{name}.pdf", picture, text_over=over)
        document = read_document(path)
        assert not document.tables, name
        assert "二、主动公开政府信息情况" in _texts(document.blocks), name


def test_a_page_without_pictures_has_none_found(tmp_path: Path) -> None:
    import pypdfium2 as pdfium

    from workbench.sources import pdf as pdfmod

    path, _ = _pdf(tmp_path / "plain.pdf", None)
    document = pdfium.PdfDocument(path)
    try:
        content = pdfmod._read_page(document[0])
    finally:
        document.close()
    assert content.images == 0 and pdf_images.table_pictures(content) == []
    assert content.width == pytest.approx(WIDTH)


@pytest.mark.parametrize("frame", CELL_FRAMES)
def test_html_picture_in_a_table_cell_reads_in_place(tmp_path: Path, frame: str) -> None:
    (tmp_path / "page_files").mkdir()
    save(table_image(), tmp_path / "page_files" / "t3.png")
    figure = CELL_FRAME_HTML[frame].format(img='<img src="page_files/t3.png" width="530">')
    page = tmp_path / "page.html"
    page.write_text(f"""<html><body><div class="article"><p>二、主动公开政府信息情况</p><p>正文第一段。</p>
        {figure}<p>四、政府信息公开行政复议、行政诉讼情况</p></div></body></html>""", "utf-8")
    document = read_document(page)
    texts = [t for t in _texts(document.blocks) if t != "单位：件"]
    assert texts == ["二、主动公开政府信息情况", "正文第一段。", "三、收到和处理政府信息公开申请情况",
                     "<table>", "四、政府信息公开行政复议、行政诉讼情况"]
    (table,) = document.tables
    assert table.rows == ROWS
    assert table.sources[(1, 1)].text == "1830"


def test_html_data_table_with_a_picture_that_is_no_table_stays_a_table(tmp_path: Path) -> None:
    (tmp_path / "page_files").mkdir()
    Image.new("RGB", (300, 200), "white").save(tmp_path / "page_files" / "blank.png")
    page = tmp_path / "page.html"
    page.write_text("""<html><body><div class="article"><p>正文。</p><table border="1">
        <tr><td>信息内容</td><td>总计</td></tr>
        <tr><td>行政许可<img src="page_files/blank.png"></td><td>3<img src="https://x.gov.cn/a.png"></td></tr>
        </table></div></body></html>""", "utf-8")
    document = read_document(page)
    (table,) = document.tables
    assert table.rows == [["信息内容", "总计"], ["行政许可", "3"]]
    assert document.meta["remote_images"] == "https://x.gov.cn/a.png"  # listed, never fetched
