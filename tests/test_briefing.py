"""The Word briefing pack as an office files it: A4 with 公文 margins and faces, SEQ-numbered
captions, each chart title once, numbers right-aligned, properties naming the office."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import altair as alt
import polars as pl
import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from PIL import Image

from workbench.charts.export import export_chart
from workbench.digest.briefing import OFFICE_ENV, write_briefing

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
TITLES = ("依申请公开办理结果", "行政复议和行政诉讼情况", "2024年新收申请最多的机关")


def _chart(title: str, index: int) -> alt.Chart:
    frame = pl.DataFrame({"年度": ["2023年", "2024年"], "件数": [12 + index, 30]})
    return alt.Chart(frame).mark_bar().encode(x="年度:N", y="件数:Q").properties(
        title=alt.Title(title, subtitle=["含合成（SYNTHETIC）报告数据，仅供演示"]), width=200, height=120)


def _manifest(folder: Path, spec_files: bool = True) -> dict:
    charts = []
    for index, title in enumerate(TITLES):
        name = f"chart{index}"
        export_chart(_chart(title, index), folder / "charts" / name)
        if not spec_files:
            (folder / "charts" / f"{name}.vl.json").unlink()
        # The first explanation restates its title, as the digest's captions sometimes do.
        charts.append({"name": name, "title": title, "png": f"charts/{name}.png", "key": True,
                       "caption": f"{title}，按结果类别堆叠。" if index == 0 else "各机关合计。"})
    headline = [{"key": "new_received", "label": "本年新收政府信息公开申请（件）", "kind": "count", "value": 2809.0,
                 "previous": 2578.0, "shown": "2,809", "change": "+9.0%（+231）"},
                {"key": "granted", "label": "予以公开占比", "kind": "share", "value": 0.24, "previous": 0.2366,
                 "shown": "24.0%", "change": "+0.4个百分点"}]
    actions = [{"key": "late", "label": "逾期发布", "count": 1, "agencies": ["清源市安平区人民政府"],
                "unavailable": None},
               {"key": "roster", "label": "未发布（已过期限）", "count": 0, "agencies": [],
                "unavailable": "未导入应报机关名单"}]
    return {"year": 2024, "scope": "全部机关", "year_reports": 3, "reports": 9, "synthetic_reports": 9,
            "generated_at": "2025-02-03T10:00:00", "headline": headline, "charts": charts, "action_items": actions}


@pytest.fixture(scope="module")
def pack(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("digest")
    with pytest.MonkeyPatch.context() as env:
        env.setenv(OFFICE_ENV, "清源市人民政府办公室")
        return write_briefing(folder, _manifest(folder))


def _xml(path: Path, name: str) -> str:
    with zipfile.ZipFile(path) as archive:
        return archive.read(name).decode("utf-8")


def test_page_is_a4_with_official_margins(pack: Path) -> None:
    section = Document(str(pack)).sections[0]._sectPr
    size, margins = section.find(f"{W}pgSz"), section.find(f"{W}pgMar")
    assert (size.get(f"{W}w"), size.get(f"{W}h")) == ("11906", "16838")
    # 37 / 35 / 28 / 26 mm in twips (1 mm = 1440 / 25.4 twips)
    assert [round(int(margins.get(f"{W}{side}")) * 25.4 / 1440) for side in ("top", "bottom", "left", "right")] \
        == [37, 35, 28, 26]


def test_captions_are_seq_fields_and_each_title_appears_once(pack: Path) -> None:
    document = Document(str(pack))
    captions = [p for p in document.paragraphs if p.style.name == "Caption"]
    assert len(captions) == len(TITLES) == len(document.inline_shapes)
    for number, paragraph in enumerate(captions, 1):
        fields = paragraph._p.findall(f"{W}fldSimple")
        assert [f.get(f"{W}instr").strip() for f in fields] == ["SEQ 图 \\* ARABIC"]
        assert "".join(t.text for t in fields[0].iter(f"{W}t")) == str(number)  # cached result
        assert paragraph.text.startswith("图 ")
    text = "".join(t.text or "" for t in document.element.body.iter(f"{W}t"))
    for title in TITLES:
        assert text.count(title) == 1, title
    assert "按结果类别堆叠" in text  # the explanation stays, without the title it restated


def test_pictures_are_drawn_without_their_title(pack: Path) -> None:
    with zipfile.ZipFile(pack) as archive:
        media = sorted(n for n in archive.namelist() if n.startswith("word/media/"))
        embedded = [Image.open(io.BytesIO(archive.read(n))).size for n in media]
    titled = [Image.open(pack.parent / "charts" / f"chart{i}.png").size for i in range(len(TITLES))]
    assert len(embedded) == len(titled)
    # Same width, shorter by the title line: the title is in the caption only.
    assert sorted(w for w, _ in embedded) == sorted(w for w, _ in titled)
    assert sum(h for _, h in embedded) < sum(h for _, h in titled) - 20 * len(TITLES)


def test_faces_are_the_customary_ones_without_theme_fonts(pack: Path) -> None:
    document = Document(str(pack))
    faces = {name: document.styles[name].element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia"))
             for name in ("Normal", "Title", "Heading 1", "Heading 2")}
    assert faces == {"Normal": "仿宋_GB2312", "Title": "方正小标宋简体", "Heading 1": "黑体", "Heading 2": "楷体_GB2312"}
    assert document.styles["Normal"].font.size.pt == 16 and document.styles["Title"].font.size.pt == 22
    styles = _xml(pack, "word/styles.xml")
    assert "eastAsiaTheme" not in styles and 'w:eastAsia="zh-CN"' in styles
    fonts = _xml(pack, "word/fontTable.xml")
    assert re.search(r'w:name="仿宋_GB2312"><w:altName w:val="仿宋"/>', fonts)


def test_numbers_are_right_aligned_in_both_tables(pack: Path) -> None:
    actions, headline = Document(str(pack)).tables
    for table, numeric in ((actions, {1}), (headline, {1, 2, 3})):
        for row in table.rows[1:]:
            for index, cell in enumerate(row.cells):
                right = cell.paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.RIGHT
                assert right == (index in numeric), (cell.text, index)
    assert [c.text for c in headline.rows[1].cells] == ["本年新收政府信息公开申请（件）", "2,809", "2,578",
                                                         "+9.0%（+231）"]
    assert actions.rows[2].cells[1].text == "—"  # a line that cannot be counted is not a 0


def test_properties_name_the_office_not_the_library(pack: Path) -> None:
    properties = Document(str(pack)).core_properties
    assert properties.author == properties.last_modified_by == "清源市人民政府办公室"
    assert properties.title == "2024年度政府信息公开工作年度报告摘要"
    core, app = _xml(pack, "docProps/core.xml"), _xml(pack, "docProps/app.xml")
    assert "python-docx" not in core + app and "<Company>清源市人民政府办公室</Company>" in app
    with zipfile.ZipFile(pack) as archive:
        assert not [n for n in archive.namelist() if "thumbnail" in n]


def test_a_chart_without_its_spec_keeps_the_title_in_the_picture_only(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(OFFICE_ENV, raising=False)
    document = Document(str(write_briefing(tmp_path, _manifest(tmp_path, spec_files=False))))
    text = "".join(t.text or "" for t in document.element.body.iter(f"{W}t"))
    assert not [title for title in TITLES if title in text]  # the picture carries it
    assert len([p for p in document.paragraphs if p.style.name == "Caption"]) == len(TITLES)
    assert document.core_properties.author and document.core_properties.author != "python-docx"
