"""The DOCX reader on Word documents built here with python-docx."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx
import pytest
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

from workbench.sources import SourceError, read_document
from workbench.sources import docx as docx_reader
from workbench.sources.document import Paragraph


def save(document: docx.document.Document, path: Path) -> Path:
    document.save(str(path))
    return path


def report_docx() -> docx.document.Document:
    word = docx.Document()
    word.core_properties.title = "某某局2023年政府信息公开工作年度报告"
    word.add_paragraph("某某局2023年政府信息公开工作年度报告")
    word.add_paragraph("三、收到和处理政府信息公开申请情况")
    table = word.add_table(rows=5, cols=4)
    texts = [["项目", "申请人情况", "", "总计"],
             ["", "自然人", "商业企业", ""],
             ["（一）予以公开", "3", "", "3"],
             ["（二）部分公开", "", "1", "1"],
             ["", "0", "0", "   "]]
    for r, row in enumerate(texts):
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    # merge() joins the texts of the merged cells; set the merged text afterwards.
    table.cell(0, 1).merge(table.cell(0, 2)).text = "申请人情况"  # horizontal (gridSpan)
    table.cell(0, 3).merge(table.cell(1, 3)).text = "总计"  # vertical (vMerge)
    table.cell(3, 0).merge(table.cell(4, 0)).text = "（二）部分公开"  # vertical label cell
    paragraph = word.add_paragraph("四、因政府信息公开工作被申请行政复议")
    paragraph.add_run().add_break()
    paragraph.add_run("和提起行政诉讼情况")
    word.add_paragraph("   ")  # an empty paragraph is no block
    word.add_paragraph("五、存在的主要问题")
    return word


def test_paragraphs_and_table_in_document_order(tmp_path: Path) -> None:
    doc = read_document(save(report_docx(), tmp_path / "report.docx"))
    assert doc.format == "docx"
    kinds = [b.text if isinstance(b, Paragraph) else "TABLE" for b in doc.blocks]
    assert kinds == [
        "某某局2023年政府信息公开工作年度报告",
        "三、收到和处理政府信息公开申请情况",
        "TABLE",
        "四、因政府信息公开工作被申请行政复议",  # a manual line break splits the paragraph
        "和提起行政诉讼情况",
        "五、存在的主要问题",
    ]


def test_merged_and_blank_cells_follow_the_grid_convention(tmp_path: Path) -> None:
    doc = read_document(save(report_docx(), tmp_path / "report.docx"))
    (table,) = doc.tables
    assert table.rows == [
        ["项目", "申请人情况", None, "总计"],
        ["", "自然人", "商业企业", None],
        ["（一）予以公开", "3", "", "3"],
        ["（二）部分公开", "", "1", "1"],
        [None, "0", "0", ""],
    ]
    assert table.origin_rows()[0] == ["项目", "申请人情况", "总计"]


def test_block_merge_keeps_one_origin(tmp_path: Path) -> None:
    word = docx.Document()
    table = word.add_table(rows=3, cols=3)
    for r in range(3):
        for c in range(3):
            table.cell(r, c).text = f"{r}{c}"
    table.cell(0, 0).merge(table.cell(1, 1)).text = "合并"  # 2×2: gridSpan and vMerge together
    doc = read_document(save(word, tmp_path / "block.docx"))
    assert doc.tables[0].rows == [["合并", None, "02"], [None, None, "12"], ["20", "21", "22"]]


def test_row_starting_later_leaves_none_before_its_cells(tmp_path: Path) -> None:
    word = docx.Document()
    table = word.add_table(rows=2, cols=3)
    for r in range(2):
        for c in range(3):
            table.cell(r, c).text = f"{r}{c}"
    row = table._tbl.tr_lst[1]
    row.remove(row.tc_lst[0])  # w:gridBefore: the row's first cell sits in grid column 1
    row.insert(0, parse_xml(f'<w:trPr {nsdecls("w")}><w:gridBefore w:val="1"/></w:trPr>'))
    doc = read_document(save(word, tmp_path / "before.docx"))
    assert doc.tables[0].rows == [["00", "01", "02"], [None, "11", "12"]]


def test_text_in_tracked_insertions_and_content_controls_is_kept(tmp_path: Path) -> None:
    word = docx.Document()
    paragraph = word.add_paragraph("全年受理申请")
    w = nsdecls("w")
    paragraph._p.append(parse_xml(
        f'<w:ins {w} w:id="1" w:author="a"><w:r><w:t>12</w:t></w:r></w:ins>'))
    paragraph._p.append(parse_xml(
        f'<w:del {w} w:id="2" w:author="a"><w:r><w:delText>21</w:delText></w:r></w:del>'))
    paragraph._p.append(parse_xml(
        f'<w:sdt {w}><w:sdtContent><w:r><w:t>件</w:t></w:r></w:sdtContent></w:sdt>'))
    paragraph._p.append(parse_xml(f'<w:r {w}><w:br w:type="page"/><w:t>。</w:t></w:r>'))
    doc = read_document(save(word, tmp_path / "tracked.docx"))
    assert [p.text for p in doc.paragraphs] == ["全年受理申请12件。"]


def test_layout_table_is_read_as_body(tmp_path: Path) -> None:
    word = docx.Document()
    outer = word.add_table(rows=1, cols=1)
    cell = outer.cell(0, 0)
    cell.paragraphs[0].text = "一、总体情况"
    inner = cell.add_table(rows=2, cols=2)
    for r, row in enumerate([["行政许可", "12"], ["行政处罚", ""]]):
        for c, text in enumerate(row):
            inner.cell(r, c).text = text
    cell.add_paragraph("二、其他")
    doc = read_document(save(word, tmp_path / "layout.docx"))
    assert [type(b).__name__ for b in doc.blocks] == ["Paragraph", "Table", "Paragraph"]
    assert doc.tables[0].rows == [["行政许可", "12"], ["行政处罚", ""]]


def test_title_from_core_properties_only_when_clean(tmp_path: Path) -> None:
    doc = read_document(save(report_docx(), tmp_path / "report.docx"))
    assert doc.meta == {"title": "某某局2023年政府信息公开工作年度报告"}
    for leftover in ["Microsoft Word - 年报.doc", "锟斤拷锟斤拷", "æ\u0096\u0087ä»¶", "æ–‡ä»¶", "   "]:
        word = report_docx()
        word.core_properties.title = leftover
        assert "title" not in read_document(save(word, tmp_path / "leftover.docx")).meta, leftover


def zip_bytes(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def docx_parts() -> dict[str, bytes]:
    buffer = io.BytesIO()
    report_docx().save(buffer)
    with zipfile.ZipFile(buffer) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def read_error(path: Path, data: bytes) -> str:
    path.write_bytes(data)
    with pytest.raises(SourceError) as error:
        read_document(path)
    return error.value.reason


def test_zip_without_document_xml(tmp_path: Path) -> None:
    parts = docx_parts()
    del parts["word/document.xml"]
    reason = read_error(tmp_path / "nodoc.docx", zip_bytes(parts))
    assert reason == "not a Word document (the zip has no word/document.xml)"
    other_zip = zip_bytes({"data.csv": b"a,b\n1,2\n"})
    assert read_error(tmp_path / "other.docx", other_zip) == reason


def test_plain_text_named_docx(tmp_path: Path) -> None:
    data = "2023年政府信息公开工作年度报告\n一、总体情况\n".encode()
    assert read_error(tmp_path / "text.docx", data) == "not a valid DOCX file (it is not a zip archive)"
    with pytest.raises(SourceError, match="not a zip archive"):  # the reader itself says so too
        docx_reader.read(tmp_path / "text.docx", data)


def test_corrupt_document_xml(tmp_path: Path) -> None:
    parts = docx_parts()
    parts["word/document.xml"] = parts["word/document.xml"][:200]
    reason = read_error(tmp_path / "corrupt.docx", zip_bytes(parts))
    assert reason.startswith("the Word document's XML is damaged")
