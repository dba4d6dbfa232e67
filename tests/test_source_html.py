"""The HTML reader on the real portal pages in data/real and on generated pages."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from workbench.sources import SourceError, read_document
from workbench.sources.document import Document, Paragraph, Table
from workbench.textnorm import label_key

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT / "data" / "real"
EXPECTED = ROOT / "tests" / "expected"
PINGTAN = ["2022_pingtan", "2023_pingtan", "2024_pingtan", "2025_pingtan"]
REAL_HTML = [*PINGTAN, "2019_shanghai_bgt"]

APPLICANTS = ["natural_person", "commercial", "research", "social_welfare", "legal_services",
              "other_org", "total"]
# A label fragment that names each table-三 row and no other (test-side knowledge only).
REQUEST_ROW_LABELS = {
    "new_received": "本年新收", "carried_over": "上年结转", "granted": "予以公开",
    "partially_granted": "部分公开", "denied_state_secret": "国家秘密",
    "denied_law_prohibited": "禁止公开", "denied_three_security": "三安全一稳定",
    "denied_third_party": "第三方", "denied_internal_affairs": "内部事务",
    "denied_process_info": "过程性信息", "denied_enforcement_file": "执法案卷",
    "denied_admin_query": "行政查询", "unable_no_info": "不掌握",
    "unable_needs_creation": "另行制作", "unable_unclear": "仍不明确",
    "not_processed_petition": "信访举报", "not_processed_duplicate": "重复申请",
    "not_processed_publication": "公开出版物", "not_processed_excessive": "大量反复",
    "not_processed_confirmation": "重新出具",
    # The 2021 template's first 其他处理 sub-row also carries the group label: sub-rows first.
    "other_no_correction": "逾期不补正", "other_fee_unpaid": "缴纳费用",
    "other_misc": "=3.其他",  # "=": the whole label, since 其他 alone is everywhere
    "other_handling": "其他处理",
    "total_processed": "总计", "carried_forward": "结转下年度",
}
CHROME = ["网站地图", "无障碍", "当前位置", "版权所有", "ICP备", "扫一扫", "友情链接", "闽政通APP",
          "function", "var ", "window.", "document."]
# Menu items that a report may also use as words (首页显眼位置, 注册制): no paragraph is one.
MENU_ITEMS = {"首页", "登录", "注册", "搜索", "政务公开", "互动交流"}


@pytest.fixture(scope="module")
def docs() -> dict[str, Document]:
    return {name: read_document(REAL / f"{name}.html") for name in REAL_HTML}


def expected(name: str) -> dict:
    return json.loads((EXPECTED / f"{name}.expected.json").read_text(encoding="utf-8"))


def as_cell(value: int | float | None) -> str:
    return "" if value is None else str(value)


def request_rows(doc: Document) -> dict[str, list[str]]:
    """Table 三's rows (label → its last 7 origin cells), found by label fragments."""
    table = next(t for t in doc.tables if any("予以公开" in (c or "") for r in t.rows for c in r))
    found: dict[str, list[str]] = {}
    for cells in table.origin_rows():
        if len(cells) < 8:
            continue
        label = label_key("".join(cells[:-7]))
        for key, fragment in REQUEST_ROW_LABELS.items():
            hit = label == fragment[1:] if fragment.startswith("=") else fragment in label
            if hit:
                assert key not in found, f"two rows match {key}"
                found[key] = cells[-7:]
                break
    return found


# --- the real pages -------------------------------------------------------------------


@pytest.mark.parametrize("name", REAL_HTML)
def test_real_page_is_html_with_article_and_three_tables(docs: dict[str, Document], name: str) -> None:
    doc = docs[name]
    assert doc.format == "html"
    assert len(doc.tables) == 3  # 二, 三, 四
    text = doc.text()
    for chrome in CHROME:
        assert chrome not in text, f"{chrome!r} leaked from the portal page into {name}"
    assert not any(p.text in MENU_ITEMS for p in doc.paragraphs)
    headings = [p.text for p in doc.paragraphs]
    assert any(h.startswith("一、总体情况") for h in headings)
    assert any(h.startswith("六、其他需要报告的事项") for h in headings)


@pytest.mark.parametrize("name", PINGTAN)
def test_pingtan_article_is_the_crawler_body(docs: dict[str, Document], name: str) -> None:
    """The article equals the crawler's text twin (whitespace aside): nothing missing, nothing extra."""
    twin = read_document(REAL / f"{name}_text.txt")
    assert re.sub(r"\s", "", docs[name].text()) == re.sub(r"\s", "", twin.text())


@pytest.mark.parametrize("name", REAL_HTML)
def test_request_table_cells_match_expected(docs: dict[str, Document], name: str) -> None:
    rows = request_rows(docs[name])
    cells = expected(name)["requests"]
    assert cells
    for cell in cells:
        assert cell["row"] in rows, f"row {cell['row']} not found"
        got = rows[cell["row"]][APPLICANTS.index(cell["applicant"])]
        assert got == as_cell(cell["value"]), (cell, got)
    # Every row the record has, and no row it lacks (2019 template: one 其他处理 row).
    assert set(rows) == {c["row"] for c in cells}


@pytest.mark.parametrize("name", REAL_HTML)
def test_review_table_cells_match_expected(docs: dict[str, Document], name: str) -> None:
    table = docs[name].tables[2]
    values = table.origin_rows()[-1]
    assert values == [as_cell(c["value"]) for c in expected(name)["review_litigation"]]


def test_shanghai_blank_cells_are_empty_strings_not_zero(docs: dict[str, Document]) -> None:
    doc = docs["2019_shanghai_bgt"]
    blanks = sum(c == "" for t in doc.tables for row in t.rows for c in row)
    record = expected("2019_shanghai_bgt")
    nulls = sum(c["value"] is None
                for key in ("active_disclosure", "requests", "review_litigation") for c in record[key])
    assert blanks == nulls == 135
    granted = request_rows(doc)["granted"]
    assert granted == ["258", "12", "", "", "1", "1", ""]  # 总计 left blank by the report


def test_shanghai_fragment_meta_and_first_paragraphs(docs: dict[str, Document]) -> None:
    doc = docs["2019_shanghai_bgt"]
    assert doc.meta["title"] == "2019年上海市人民政府办公厅政府信息公开工作年度报告"
    assert doc.meta["page_date"] == "2020-01-31"
    assert doc.blocks[0] == Paragraph("2019年上海市人民政府办公厅政府信息公开工作年度报告")
    # Cell text split by <br> keeps both parts, in order.
    assert doc.tables[0].rows[1][1] == "本年新\n制作数量"
    # &lt;…&gt; in the JS literal is text, not markup.
    assert "《上海市贯彻<长江三角洲区域一体化发展规划纲要>实施方案》" in doc.text()


@pytest.mark.parametrize(("name", "date"), [("2022_pingtan", "2023-02-20"), ("2023_pingtan", "2024-03-08"),
                                            ("2024_pingtan", "2025-03-10"), ("2025_pingtan", "2026-03-10")])
def test_pingtan_meta(docs: dict[str, Document], name: str, date: str) -> None:
    meta = docs[name].meta
    assert meta["page_date"] == date == expected(name)["published_on"]
    assert meta["title"] == f"平潭综合实验区{name[:4]}年度政府信息公开工作年度报告"
    if name != "2022_pingtan":  # 2022's ContentSource meta is empty
        assert meta["publisher"] == "平潭综合实验区管委会办公室"
    else:
        assert "publisher" not in meta


def test_mso_header_cells_keep_every_character(docs: dict[str, Document]) -> None:
    """2022 is Word markup: one character per <p>, padded with &nbsp;."""
    review = docs["2022_pingtan"].tables[2]
    header = review.rows[1]
    assert label_key(header[1]) == "结果纠正"
    assert all(c is None or "\xa0" not in c for row in review.rows for c in row)
    # The single-value rows of table 二 are one cell spanning three columns.
    active = docs["2022_pingtan"].tables[0]
    licensing = next(row for row in active.rows if row[0] == "行政许可")
    assert licensing == ["行政许可", "10690", None, None]


# --- generated pages --------------------------------------------------------------------

PORTAL = """<!DOCTYPE html>
<html><head>
<meta http-equiv="Content-Type" content="text/html; charset={charset}">
<title>某某县2023年政府信息公开工作年度报告_年报专栏_某某县人民政府</title>
<script>var nav = "网站地图"; function go() {{ window.location = "/"; }}</script>
<style>.nav {{ color: red }}</style>
</head><body>
<div class="top"><ul class="menu">
  <li><a href="/">首页</a></li><li><a href="/zwgk">政务公开</a></li><li><a href="/hd">互动交流</a></li>
  <li><a href="/a">无障碍浏览</a></li><li><a href="/m">网站地图</a></li><li><a href="/b">办事服务</a></li>
  <li><a href="/c">走进某某</a></li><li><a href="/d">政策文件库</a></li><li><a href="/e">新闻发布会</a></li>
</ul>
<form action="/search"><input name="q" value="请输入关键字"><button>搜索</button></form></div>
<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk">政务公开</a> &gt; <a href="/nb">年报</a></div>
<div class="wrap">
 <h1>某某县2023年政府信息公开工作年度报告</h1>
 <div class="info">成文日期：2024-01-05　发布时间：2024年1月18日　来源：县政府办</div>
 <div class="main-text">
  <p>　　本报告根据《中华人民共和国政府
  信息公开条例》编制。</p>
  <p>一、总体情况<br>（一）主动公开<br/>全年主动公开政府信息1200条。</p>
  <div>二、主动公开政府信息情况</div>
  <table border="1">
   <tr><td rowspan="2">信息内容</td><td colspan="2">数量</td></tr>
   <tr><td>本年制发件数</td><td>现行有效件数</td></tr>
   <tr><td>规章</td><td>&nbsp;</td><td> 3 </td></tr>
   <tr><td>行政规范性文件</td><td>12</td><td>　</td></tr>
  </table>
  <p>三、收到和处理政府信息公开申请情况</p>
  <ul><li>第一项说明</li><li>第二项<b>说明</b></li></ul>
  <p>六、其他需要报告的事项</p><p>本年度未收取信息处理费。</p>
 </div>
 <div class="share">分享到：<a href="#">微信</a> <a href="#">微博</a></div>
 <div class="related">相关链接：<ul><li><a href="/1">某某县2022年政府信息公开工作年度报告</a></li>
  <li><a href="/2">某某县2021年政府信息公开工作年度报告</a></li></ul></div>
</div>
<div class="footer"><a href="/m">网站地图</a> | <a href="/l">联系我们</a> | <a href="/w">无障碍</a>
 <p>主办单位：某某县人民政府办公室 版权所有 ICP备00000000号</p></div>
<script>document.write("统计代码");</script>
</body></html>
"""


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def check_portal(doc: Document) -> None:
    text = doc.text()
    for chrome in CHROME + ["首页", "搜索", "相关链接", "分享到", "主办单位", "统计代码"]:
        assert chrome not in text, chrome
    paragraphs = [p.text for p in doc.paragraphs]
    assert paragraphs == [
        "本报告根据《中华人民共和国政府信息公开条例》编制。",
        "一、总体情况", "（一）主动公开", "全年主动公开政府信息1200条。",
        "二、主动公开政府信息情况",
        "三、收到和处理政府信息公开申请情况", "第一项说明", "第二项说明",
        "六、其他需要报告的事项", "本年度未收取信息处理费。",
    ]
    (table,) = doc.tables
    assert table.rows == [
        ["信息内容", "数量", None],
        [None, "本年制发件数", "现行有效件数"],
        ["规章", "", "3"],
        ["行政规范性文件", "12", ""],
    ]
    # The table sits between the paragraphs around it.
    kinds = ["T" if isinstance(b, Table) else b.text[:2] for b in doc.blocks]
    assert kinds.index("T") == kinds.index("二、") + 1
    assert doc.meta["title"] == "某某县2023年政府信息公开工作年度报告"
    assert doc.meta["page_date"] == "2024-01-18"  # 发布时间, not 成文日期


def test_portal_page_without_a_known_container(tmp_path: Path) -> None:
    page = PORTAL.format(charset="utf-8").encode("utf-8")
    check_portal(read_document(write(tmp_path, "portal.html", page)))


@pytest.mark.parametrize(("old", "new"), [
    ('class="main-text"', 'id="UCAP-CONTENT"'),  # a known CMS container
    ('class="wrap"', 'class="content"'),  # a generic name on a wrapper: narrowed to the text
])
def test_portal_page_in_a_known_container(tmp_path: Path, old: str, new: str) -> None:
    page = PORTAL.format(charset="utf-8").replace(old, new)
    check_portal(read_document(write(tmp_path, "portal.htm", page.encode("utf-8"))))


def test_known_container_that_is_a_sliver_of_the_page_is_ignored(tmp_path: Path) -> None:
    notice = "温馨提示：本网站已支持IPv6访问，欢迎各位用户体验使用新版网站功能，如有问题请及时反馈给我们，谢谢！"
    body = "".join(f"<p>第{i}段：本机关认真落实政府信息公开条例，主动公开政府信息。</p>" for i in range(30))
    page = f"""<html><body><div class="TRS_Editor">{notice}</div>
    <div class="txt">{body}</div></body></html>"""
    doc = read_document(write(tmp_path, "notice.html", page.encode("utf-8")))
    assert len(doc.paragraphs) == 30
    assert "温馨提示" not in doc.text()


def test_gbk_page_reads_without_mojibake(tmp_path: Path) -> None:
    # 镕 and 堃 are in GBK but not in GB2312, which the page claims.
    page = PORTAL.format(charset="gb2312").replace("1200条", "1200条（朱镕基、王堃）")
    doc = read_document(write(tmp_path, "gbk.html", page.encode("gbk")))
    assert "全年主动公开政府信息1200条（朱镕基、王堃）。" in doc.text()
    assert doc.meta["title"] == "某某县2023年政府信息公开工作年度报告"
    assert doc.tables[0].rows[3][0] == "行政规范性文件"


def test_gbk_page_without_declaration(tmp_path: Path) -> None:
    page = "<p>某某县2023年政府信息公开工作年度报告</p><p>发布日期：2024-02-01</p><p>一、总体情况</p>"
    doc = read_document(write(tmp_path, "nodecl.html", page.encode("gb18030")))
    assert [p.text for p in doc.paragraphs][2] == "一、总体情况"
    assert doc.meta == {"title": "某某县2023年政府信息公开工作年度报告", "page_date": "2024-02-01"}


def test_layout_table_does_not_swallow_data_tables(tmp_path: Path) -> None:
    # Word-converted articles often wrap everything in a layout table inside the CMS container.
    page = """<html><body><div class="nav"><a href="/">首页</a></div><div class="TRS_Editor">
    <table width="100%"><tr><td align="center"><b>某某局2020年政府信息公开工作年度报告</b></td></tr>
    <tr><td><table><tr><td>
      <p>一、总体情况</p><p>全年答复申请5件。</p>
      <table border="1"><tr><th>项目</th><th>自然人</th><th>总计</th></tr>
        <tr><td>（一）予以公开</td><td>3</td><td>3</td></tr>
        <tr><td>（二）部分公开</td><td colspan="2">&nbsp;</td></tr></table>
      <p>二、其他需要报告的事项</p>
    </td></tr></table></td></tr></table></div></body></html>"""
    doc = read_document(write(tmp_path, "layout.html", page.encode("utf-8")))
    (table,) = doc.tables
    assert table.rows == [["项目", "自然人", "总计"], ["（一）予以公开", "3", "3"], ["（二）部分公开", "", None]]
    texts = [b.text if isinstance(b, Paragraph) else "TABLE" for b in doc.blocks]
    assert texts == ["某某局2020年政府信息公开工作年度报告", "一、总体情况", "全年答复申请5件。",
                     "TABLE", "二、其他需要报告的事项"]
    assert doc.meta["title"] == "某某局2020年政府信息公开工作年度报告"


def test_thin_wrapper_around_the_article_is_stepped_over(tmp_path: Path) -> None:
    body = "".join(f"<p>第{i}段：本机关认真落实政府信息公开条例，主动公开政府信息。</p>" for i in range(8))
    page = f"""<html><body><div class="box"><div class="txt">{body}</div>
    <div class="tools">【打印本页】【关闭窗口】</div></div></body></html>"""
    doc = read_document(write(tmp_path, "wrapper.html", page.encode("utf-8")))
    assert len(doc.paragraphs) == 8
    assert "打印本页" not in doc.text()


def test_rowspan_grid_and_ragged_rows(tmp_path: Path) -> None:
    page = """<table><tr><td rowspan="3">三、本年度办理结果</td><td rowspan="2">（三）不予公开</td>
      <td>1.属于国家秘密</td><td>1</td></tr>
      <tr><td>2.其他</td><td>0</td></tr>
      <tr><td colspan="2">（四）无法提供</td><td>7</td><td>extra</td></tr>
      <tr><td>short</td></tr></table>"""
    doc = read_document(write(tmp_path, "grid.html", page.encode("utf-8")))
    assert doc.tables[0].rows == [
        ["三、本年度办理结果", "（三）不予公开", "1.属于国家秘密", "1", None],
        [None, None, "2.其他", "0", None],
        [None, "（四）无法提供", None, "7", "extra"],
        ["short", None, None, None, None],
    ]
    assert doc.tables[0].origin_rows()[3] == ["short"]


@pytest.mark.parametrize("page", [
    b"<html><head><title></title><script>var a = 1;</script></head><body>  \xc2\xa0 </body></html>",
    b"<html><body><div><img src='scan.png'></div><style>p {}</style></body></html>",
    b"<!-- nothing -->",
])
def test_page_without_text_is_a_source_error(tmp_path: Path, page: bytes) -> None:
    with pytest.raises(SourceError) as error:
        read_document(write(tmp_path, "empty.html", page))
    assert error.value.reason == "the page has no readable text"


def test_plain_text_saved_as_html_keeps_its_lines(tmp_path: Path) -> None:
    text = "某某县2023年政府信息公开工作年度报告\n发布日期：2024-01-20\n\n一、总体情况\n全年主动公开信息300条。\n"
    doc = read_document(write(tmp_path, "plain.html", text.encode("utf-8")))
    assert [p.text for p in doc.paragraphs] == ["某某县2023年政府信息公开工作年度报告", "发布日期：2024-01-20",
                                                "一、总体情况", "全年主动公开信息300条。"]
    assert doc.meta == {"title": "某某县2023年政府信息公开工作年度报告", "page_date": "2024-01-20"}


def test_pre_lines_and_generic_page_title(tmp_path: Path) -> None:
    page = """<html><head><title>某某县人民政府</title></head><body>
    <h2>某某县2021年政府信息公开工作年度报告</h2><pre>一、总体情况
    全年主动公开信息300条。</pre></body></html>"""
    doc = read_document(write(tmp_path, "pre.html", page.encode("utf-8")))
    assert [p.text for p in doc.paragraphs] == ["某某县2021年政府信息公开工作年度报告", "一、总体情况",
                                                "全年主动公开信息300条。"]
    assert doc.meta["title"] == "某某县2021年政府信息公开工作年度报告"  # not the site name
