"""Chart builders, the shipped CJK font and offline export (workbench.charts).

Frames are built here: the request, review and submitted_info frames come from the
expected records of 平潭综合实验区 2019–2025 (tests/expected), the rest are small
hand-made frames with realistic numbers (淮安市 figures from its 2024 report).
"""

from __future__ import annotations

import base64
import io
import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import altair as alt
import numpy as np
import polars as pl
import pytest
from PIL import Image

from workbench import charts
from workbench.charts import builders, export, font, style

EXPECTED = Path(__file__).parent / "expected"
PINGTAN = sorted(EXPECTED.glob("20*_pingtan.expected.json")) + sorted(
    EXPECTED.glob("20*_pingtan_text.expected.json")
)


def _pingtan_records() -> list[dict]:
    """One record per year (the HTML one where both HTML and text exist)."""
    by_year: dict[int, dict] = {}
    for path in PINGTAN:
        record = json.loads(path.read_text(encoding="utf-8"))
        by_year.setdefault(record["year"], record)
    return [by_year[y] for y in sorted(by_year)]


# --- frames ------------------------------------------------------------------------------


def outcomes_frame() -> pl.DataFrame:
    rows = []
    for record in _pingtan_records():
        for cell in record["requests"]:
            group = style.outcome_group_of_row(cell["row"])
            if cell["applicant"] == "total" and group and cell["value"] is not None:
                rows.append({"year": record["year"], "outcome_group": group,
                             "count": cell["value"]})
    return pl.DataFrame(rows)


def applicants_frame() -> pl.DataFrame:
    names = {g.key: g.label for g in style.APPLICANTS} | {"total": "总计"}
    rows = [
        {"year": r["year"], "applicant": c["applicant"], "applicant_name": names[c["applicant"]],
         "count": c["value"]}
        for r in _pingtan_records() for c in r["requests"] if c["row"] == "new_received"
    ]
    return pl.DataFrame(rows)


def review_frame() -> pl.DataFrame:
    rows = [
        {"year": r["year"], "proceeding": c["proceeding"], "result": c["result"],
         "count": c["value"]}
        for r in _pingtan_records() for c in r["review_litigation"]
    ]
    return pl.DataFrame(rows, schema={"year": pl.Int64, "proceeding": pl.String,
                                      "result": pl.String, "count": pl.Int64})


def submitted_frame() -> pl.DataFrame:
    rows = [
        {"year": r["year"], "category": s["category"], "category_name": s["label"],
         "count": s["count"]}
        for r in _pingtan_records() for s in r["submitted_info"]
        if s["category"] in ("proactive_total", "policy_interpretation", "requests_received")
    ]
    # Category names differ between years (政府信息 / 发布信息): chart by category.
    names = {"proactive_total": "主动公开政府信息", "policy_interpretation": "政策解读",
             "requests_received": "收到公开申请"}
    frame = pl.DataFrame(rows)
    return frame.with_columns(pl.col("category").replace_strict(names).alias("category_name"))


def items_frame(items: dict[str, str]) -> pl.DataFrame:
    values = {  # 平潭综合实验区 2021–2025, 行政许可 …; other_services from a 2019-template year
        "licensing": {2021: 2293, 2022: 10690, 2023: 2629, 2024: 4529, 2025: 2418},
        "other_services": {2019: 312, 2020: 287},
        "penalties": {2021: 1282, 2022: 2113, 2023: 1330, 2024: 1100, 2025: 644},
        "enforcement": {2021: 42, 2022: 0, 2023: 54, 2024: 65, 2025: 64},
    }
    rows = [{"year": y, "item": k, "item_name": n, "decisions": v}
            for k, n in items.items() for y, v in values[k].items()]
    return pl.DataFrame(rows)


def agencies_frame() -> pl.DataFrame:
    return pl.DataFrame({
        "agency": ["淮安市人民政府", "平潭综合实验区", "淮安市洪泽区人民政府",
                   "上海市人民政府办公厅", "攀枝花市东区人力资源和社会保障局"],
        "value": [3119, 218, 95, 859, 12],
        "label": ["3,119件", "218件", "95件", None, "12件"],
    })


def bands_frame() -> pl.DataFrame:
    return pl.DataFrame({"band": ["低于30%", "30%–60%", "高于60%"], "agencies": [14, 37, 9]})


def tags_frame() -> pl.DataFrame:
    counts = {"公开平台建设": [3, 4, 2, 5], "政策解读质量": [2, 3, 3, 1],
              "依申请公开答复规范": [1, 2, 4, 3], "队伍建设与培训": [4, 1, 2, 2]}
    rows = [{"tag_name": t, "year": 2021 + i, "items": n}
            for t, ns in counts.items() for i, n in enumerate(ns)]
    return pl.DataFrame(rows)


def findings_frame() -> pl.DataFrame:
    return pl.DataFrame({
        "rule": ["requests.column_flow", "requests.outcome_sum", "tables.blank",
                 "tables.blank", "timeliness.deadline"],
        "rule_name": ["表三：新收+结转=办理+结转下年", "表三：总计=各项结果之和", "表格留空未填",
                      "表格留空未填", "年报发布逾期（1月31日前）"],
        "severity": ["error", "error", "warning", "info", "warning"],
        "count": [6, 3, 41, 17, 12],
    })


BUILDERS = {
    "submitted_info_trend": (builders.submitted_info_trend, submitted_frame),
    "service_items_trend": (
        builders.service_items_trend,
        lambda: items_frame({"licensing": "行政许可", "other_services": "其他对外管理服务事项"}),
    ),
    "penalties_trend": (
        builders.penalties_trend,
        lambda: items_frame({"penalties": "行政处罚", "enforcement": "行政强制"}),
    ),
    "request_outcomes_trend": (builders.request_outcomes_trend, outcomes_frame),
    "request_outcomes_share": (
        lambda df: builders.request_outcomes_trend(df, share=True), outcomes_frame
    ),
    "requests_by_applicant": (builders.requests_by_applicant, applicants_frame),
    "review_litigation_trend": (builders.review_litigation_trend, review_frame),
    "top_agencies": (lambda df: builders.top_agencies(df, n=4, title="新收申请数量"),
                     agencies_frame),
    "agencies_by_band": (builders.agencies_by_band, bands_frame),
    "tag_year_heatmap": (builders.tag_year_heatmap, tags_frame),
    "findings_by_rule": (builders.findings_by_rule, findings_frame),
}


# --- helpers -----------------------------------------------------------------------------


def pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=np.int16)


def ink(image: np.ndarray) -> np.ndarray:
    """Pixels that are not (nearly) white."""
    return (image < 200).any(axis=2)


def titled_chart(title: str) -> alt.LayerChart:
    frame = pl.DataFrame({"year": [2023, 2024], "outcome_group": ["granted", "granted"],
                          "count": [22, 71]})
    return builders.request_outcomes_trend(frame, title=title)


def title_band(png: bytes) -> np.ndarray:
    """The top rows of the image, where the chart title is drawn."""
    image = pixels(png)
    return image[: 30 * export.PNG_SCALE + 24]


# --- the font ----------------------------------------------------------------------------


def test_font_files_ship_with_the_package_and_cover_report_text():
    regular, bold = font.font_path("regular"), font.font_path("bold")
    assert regular.parent == Path(charts.__file__).parent / "fonts"
    size = regular.stat().st_size + bold.stat().st_size
    assert size < 4.6e6, f"fonts grew to {size / 1e6:.2f} MB"
    assert (regular.parent / "OFL.txt").is_file()
    have = font.covered("regular")
    gb2312 = {bytes([hi, lo]).decode("gb2312", errors="ignore")
              for hi in range(0xB0, 0xF8) for lo in range(0xA1, 0xFF)} - {""}
    assert len(gb2312) == 6763
    assert not [c for c in gb2312 if ord(c) not in have]
    # Level 1 (the 3755 most used hanzi) is in the bold weight too.
    level1 = {bytes([hi, lo]).decode("gb2312", errors="ignore")
              for hi in range(0xB0, 0xD8) for lo in range(0xA1, 0xFF)} - {""}
    assert not [c for c in level1 if ord(c) not in font.covered("bold")]
    punctuation = "，。、；：？！“”‘’（）《》【】—…·％＋－０１２３４５６７８９〇℃×÷≤≥±‰①⑩Ⅰ Ⅻ¥−–"
    assert font.missing_chars([punctuation]) == {}


def test_cmap_reader_agrees_with_fonttools():
    ttlib = pytest.importorskip("fontTools.ttLib")
    for weight in ("regular", "bold"):
        path = font.font_path(weight)
        expected = set(ttlib.TTFont(str(path))["cmap"].getBestCmap())
        assert set(font.covered(weight)) == expected


def test_font_has_its_own_family_name():
    # The name vl-convert matches; a system Noto can never be taken for it.
    data = font.font_path("regular").read_bytes()
    assert font.FONT_FAMILY.encode("utf-16-be") in data
    assert font.FONT_STACK.startswith(f'"{font.FONT_FAMILY}"')


def test_missing_font_fails_loudly(tmp_path):
    (tmp_path / font.FONT_FILES["regular"]).write_bytes(font.font_path("regular").read_bytes())
    with pytest.raises(charts.FontMissingError, match="WorkbenchSansSC-Bold.otf"):
        font.ensure_registered(tmp_path)
    (tmp_path / font.FONT_FILES["bold"]).write_bytes(b"not a font")
    with pytest.raises(charts.FontMissingError, match="unreadable"):
        font.ensure_registered(tmp_path)


def test_missing_characters_raise_before_anything_is_written(tmp_path):
    # 𠮷 (U+20BB7) and 한 are outside the subset; 淮安 and 洪泽 are inside.
    frame = pl.DataFrame({"agency": ["淮安市人民政府", "𠮷安县人民政府", "한국"],
                          "value": [3119, 40, 3]})
    chart = builders.top_agencies(frame, title="洪泽区比较")
    with pytest.raises(charts.MissingGlyphsError) as caught:
        charts.export_chart(chart, tmp_path / "x")
    assert set(caught.value.missing) == {"𠮷", "한", "국"}
    assert "U+20BB7" in str(caught.value)
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(charts.MissingGlyphsError):
        charts.chart_html(builders.top_agencies(frame.head(1), title="𠮷"))


def test_only_drawn_data_columns_are_checked():
    # A column no encoding uses is never drawn: its rare characters must not block export.
    frame = agencies_frame().with_columns(pl.lit("𠮷").alias("note"))
    spec = export.chart_spec(builders.top_agencies(frame))
    text = "".join(export.displayed_text(spec))
    assert "淮安市人民政府" in text and "𠮷" not in text


def test_bold_titles_beyond_the_bold_font_use_the_regular_weight():
    # 亳 is GB2312 level 2: in the regular font only.
    plain = export.prepared_spec(titled_chart("平潭综合实验区申请办理结果"))
    assert plain["config"]["title"]["fontWeight"] == "bold"
    rare = export.prepared_spec(titled_chart("亳州市申请办理结果"))
    assert rare["config"]["title"]["fontWeight"] == "normal"
    assert rare["config"]["axis"]["titleFontWeight"] == "normal"


# --- CJK glyphs really drawn -------------------------------------------------------------


def test_chinese_title_is_drawn_with_glyphs_not_boxes(tmp_path):
    chinese = charts.export_chart(titled_chart("依申请公开办理结果"), tmp_path / "zh")
    boxes = charts.export_chart(titled_chart("□□□□□□□□"), tmp_path / "boxes")
    zh_png, box_png = chinese["png"].read_bytes(), boxes["png"].read_bytes()
    zh, box = title_band(zh_png), title_band(box_png)
    assert zh.shape == box.shape
    zh_ink, box_ink = ink(zh), ink(box)
    assert zh_ink.sum() > 1500, "the title drew (almost) nothing"
    differing = (np.abs(zh - box).max(axis=2) > 60).sum()
    assert differing > 0.5 * min(zh_ink.sum(), box_ink.sum()), differing
    # Below the title the two charts are the same drawing.
    assert np.array_equal(pixels(zh_png)[zh.shape[0] + 40:], pixels(box_png)[zh.shape[0] + 40:])
    svg = chinese["svg"].read_text(encoding="utf-8")
    assert "依申请公开办理结果" in svg
    assert re.search(r'font-family="[^"]*Workbench Sans SC', svg.replace("&quot;", ""))


def test_png_is_2x_on_white_and_svg_matches(tmp_path):
    paths = charts.export_chart(titled_chart("依申请公开办理结果"), tmp_path / "sub" / "c")
    assert set(paths) == {"png", "svg"} and all(p.is_file() for p in paths.values())
    png = paths["png"].read_bytes()
    image = Image.open(io.BytesIO(png))
    svg = paths["svg"].read_text(encoding="utf-8")
    width, height = (float(v) for v in re.search(r'<svg[^>]*width="([\d.]+)" height="([\d.]+)"',
                                                  svg).groups())
    assert image.size == (round(width * 2), round(height * 2))
    rgb = np.asarray(image.convert("RGBA"))
    assert (rgb[0, :, :3] == 255).all() and (rgb[..., 3] == 255).all()  # opaque white edge


SHIPPED_FONT_ONLY = """
import io, sys
import numpy as np, vl_convert
from PIL import Image
spec = {"$schema": "https://vega.github.io/schema/vega-lite/v6.json",
        "title": "淮安市人民政府", "config": {"font": sys.argv[1], "background": "white"},
        "data": {"values": [{"a": 1}]}, "mark": {"type": "point", "opacity": 0}}
def ink(png):
    return int((np.asarray(Image.open(io.BytesIO(png)).convert("L")) < 200).sum())
before = ink(vl_convert.vegalite_to_png(spec, scale=2))
from workbench import charts
from workbench.charts import builders
frame = {"year": [2024], "outcome_group": ["granted"], "count": [71]}
import polars as pl
chart = builders.request_outcomes_trend(pl.DataFrame(frame), title="淮安市人民政府")
after = ink(charts.render_png(chart)[:])
print(before, after)
"""


def test_shipped_font_alone_draws_the_hanzi(tmp_path):
    """With every system font hidden, the package's own font still draws the title.

    vl-convert reads system fonts through fontconfig; pointing FONTCONFIG_FILE at an
    empty font folder hides them, which is what an offline machine without CJK fonts
    looks like. Before our font is registered the title is not drawn at all.
    """
    empty = tmp_path / "fonts"
    empty.mkdir()
    conf = tmp_path / "fonts.conf"
    conf.write_text(f'<?xml version="1.0"?><fontconfig><dir>{empty}</dir></fontconfig>')
    env = dict(os.environ, FONTCONFIG_FILE=str(conf))
    script = textwrap.dedent(SHIPPED_FONT_ONLY)
    result = subprocess.run([sys.executable, "-c", script, font.FONT_FAMILY], env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    before, after = (int(n) for n in result.stdout.split())
    if before > 0:
        pytest.skip("this vl-convert build ignores FONTCONFIG_FILE; system fonts stay visible")
    assert after > 5000


# --- builders ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_every_builder_renders_realistic_data(name, tmp_path):
    build, frame = BUILDERS[name]
    data = frame()
    assert data.height > 0
    chart = build(data)
    spec = export.chart_spec(chart)
    assert "暂无数据" not in json.dumps(spec, ensure_ascii=False)
    paths = charts.export_chart(chart, tmp_path / name)
    image = pixels(paths["png"].read_bytes())
    assert image.shape[1] > 400 and ink(image).sum() > 10000
    svg = paths["svg"].read_text(encoding="utf-8")
    title = spec["title"]["text"] if isinstance(spec["title"], dict) else spec["title"]
    assert title in svg and re.search(r"[\u4e00-\u9fff]", title)


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_every_builder_says_no_data_for_an_empty_frame(name, tmp_path):
    build, frame = BUILDERS[name]
    for empty in (frame().clear(), pl.DataFrame()):
        chart = build(empty)
        svg = charts.render_svg(chart)
        assert "暂无数据" in svg
    image = pixels(charts.export_chart(chart, tmp_path / name)["png"].read_bytes())
    assert ink(image).sum() > 500


def test_missing_columns_are_named():
    with pytest.raises(ValueError, match="count"):
        builders.request_outcomes_trend(
            pl.DataFrame({"year": [2024], "outcome_group": ["granted"]})
        )


def test_unknown_outcome_group_is_an_error():
    frame = pl.DataFrame({"year": [2024], "outcome_group": ["approved"], "count": [3]})
    with pytest.raises(ValueError, match="approved"):
        builders.request_outcomes_trend(frame)


def test_outcome_groups_accept_keys_and_report_labels():
    keys = pl.DataFrame({"year": [2024, 2024], "outcome_group": ["granted", "denied"],
                         "count": [71, 39]})
    labels = keys.with_columns(pl.Series("outcome_group", ["（一）予以公开", "（三）不予公开"]))
    rows = keys.with_columns(pl.Series("outcome_group", ["granted", "denied_internal_affairs"]))
    specs = [export.chart_spec(builders.request_outcomes_trend(f)) for f in (keys, labels, rows)]
    assert _datasets(specs[0]) == _datasets(specs[1]) == _datasets(specs[2])
    # The store's column name for 其他处理, and every 其他处理 sub-row, fold into one group.
    other = pl.DataFrame({"year": [2024] * 3, "count": [1, 2, 4],
                          "outcome_group": ["other_handling", "other_misc", "其他处理"]})
    spec = export.chart_spec(builders.request_outcomes_trend(other))
    rows = next(iter(spec["datasets"].values()))
    assert [(r["group_name"], r["count"]) for r in rows] == [("其他处理", 7)]


def _datasets(spec: dict) -> list:
    tables = spec["datasets"].values()
    return sorted(json.dumps(v, ensure_ascii=False, sort_keys=True) for v in tables)


def _colour_scales(spec: dict) -> dict[str, str]:
    """label -> colour of every colour scale with an explicit domain in the spec."""
    found: dict[str, str] = {}

    def walk(node):
        if isinstance(node, dict):
            scale = node.get("scale") if "field" in node else None
            if isinstance(scale, dict) and "domain" in scale and "range" in scale:
                found.update(zip(scale["domain"], scale["range"], strict=True))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(spec.get("encoding", {}))
    for layer in spec.get("layer", []):
        walk(layer.get("encoding", {}))
    return found


def test_outcome_colours_are_the_same_in_every_chart(tmp_path):
    full = outcomes_frame()
    only_two = full.filter(pl.col("outcome_group").is_in(["denied", "unable"]))
    counts = _colour_scales(export.chart_spec(builders.request_outcomes_trend(full)))
    shares_chart = builders.request_outcomes_trend(only_two, share=True)
    shares = _colour_scales(export.chart_spec(shares_chart))
    # Each chart's legend lists what it draws; a group has the same colour wherever it is.
    assert counts.items() <= style.OUTCOME_COLOURS.items()
    assert shares == {k: style.OUTCOME_COLOURS[k] for k in ("不予公开", "无法提供")}
    assert len(set(style.OUTCOME_COLOURS.values())) == 7
    # And in the drawing: the 不予公开 colour appears in both PNGs.
    red = tuple(int(style.OUTCOME_COLOURS["不予公开"][i:i + 2], 16) for i in (1, 3, 5))
    for chart in (builders.request_outcomes_trend(full),
                  builders.request_outcomes_trend(only_two, share=True)):
        image = pixels(charts.render_png(chart))
        assert (np.abs(image - np.array(red)).max(axis=2) <= 2).sum() > 200


def test_outcome_group_of_row():
    assert style.outcome_group_of_row("denied_state_secret") == "denied"
    assert style.outcome_group_of_row("unable_unclear") == "unable"
    assert style.outcome_group_of_row("not_processed_duplicate") == "not_processed"
    assert style.outcome_group_of_row("other_fee_unpaid") == "other"
    assert style.outcome_group_of_row("other_handling") == "other"
    assert style.outcome_group_of_row("carried_forward") == "carried_forward"
    assert style.outcome_group_of_row("new_received") is None
    assert style.outcome_group_of_row("total_processed") is None


def test_correction_rate_leaves_pending_cases_out():
    frame = pl.DataFrame({
        "year": [2024] * 5, "proceeding": ["review"] * 5,
        "result": ["upheld", "corrected", "other", "pending", "total"],
        "count": [72, 64, 178, 37, 351],
    })
    rates = builders.correction_rates(frame)
    assert rates["concluded"].to_list() == [314]
    assert rates["correction_rate"][0] == pytest.approx(64 / 314)
    none_concluded = frame.with_columns(pl.Series("count", [0, 0, 0, 2, 2]))
    assert builders.correction_rates(none_concluded)["correction_rate"][0] is None


def test_applicant_total_is_not_stacked_twice():
    spec = export.chart_spec(builders.requests_by_applicant(applicants_frame()))
    rows = [r for rows in spec["datasets"].values() for r in rows if "applicant_label" in r]
    assert "总计" not in {r["applicant_label"] for r in rows}
    y2024 = sum(r["count"] for r in rows if r["year"] == 2024)
    assert y2024 == 218  # 平潭 2024: 217 natural persons + 1 enterprise


def test_top_agencies_keeps_the_largest_and_fills_labels():
    spec = export.chart_spec(builders.top_agencies(agencies_frame(), n=3))
    rows = next(iter(spec["datasets"].values()))
    assert [r["agency"] for r in rows] == [
        "淮安市人民政府", "上海市人民政府办公厅", "平潭综合实验区"
    ]
    assert [r["label"] for r in rows] == ["3,119件", "859", "218件"]


# --- number formats ----------------------------------------------------------------------


@pytest.mark.parametrize(("value", "text"), [
    (12000, "12,000"), (3450, "3,450"), (150000000, "1.5亿"), (0, "0"), (9999, "9,999"),
    (99_999, "99,999"), (100_000, "10万"), (120000, "12万"), (123_456, "12.3万"),
    (99_999_999, "1亿"), (3985758, "398.6万"), (-12000, "\u221212,000"), (-250_000, "\u221225万"),
    (2.5, "2.5"), (None, ""), (float("nan"), ""),
])
def test_format_count(value, text):
    assert charts.format_count(value) == text


def test_axis_labels_use_the_same_format(tmp_path):
    """The Vega expression on the axes gives what format_count gives (checked in the SVG)."""
    frame = pl.DataFrame({"agency": ["淮安市人民政府", "平潭综合实验区"], "value": [3985758, 1100]})
    svg = charts.render_svg(builders.top_agencies(frame, title="行政处罚决定"))
    texts = set(re.findall(r">([^<>]+)</text>", svg))
    assert {"100万", "200万", "300万"} <= texts
    assert "398.6万" in texts and "1,100" in texts


# --- HTML --------------------------------------------------------------------------------


def test_chart_html_is_offline_png_data_uri():
    fragment = charts.chart_html(builders.request_outcomes_trend(outcomes_frame()))
    assert "<script" not in fragment and "http" not in fragment
    match = re.search(r'<img alt="依申请公开办理结果" width="(\d+)" height="(\d+)" '
                      r'src="data:image/png;base64,([^"]+)"', fragment)
    assert match
    image = Image.open(io.BytesIO(base64.b64decode(match.group(3))))
    assert image.size == (2 * int(match.group(1)), 2 * int(match.group(2)))


def test_theme_is_registered_and_uses_the_shipped_font():
    assert alt.theme.active == charts.THEME_NAME
    config = style.theme_config()["config"]
    fonts = [config["font"], config["title"]["font"], config["axis"]["labelFont"],
             config["axis"]["titleFont"], config["legend"]["labelFont"],
             config["legend"]["titleFont"], config["header"]["labelFont"], config["text"]["font"]]
    assert all(f.startswith(f'"{charts.FONT_FAMILY}"') for f in fonts)
    assert config["background"] == "white"
    # Another active theme does not change what export draws with.
    with alt.theme.enable("dark"):
        spec = export.chart_spec(titled_chart("依申请公开办理结果"))
    assert spec["config"]["font"] == font.FONT_STACK
    assert spec["config"]["background"] == "white"


def test_offline_notebook_renderer_draws_the_export_png():
    frame = pl.DataFrame({"agency": ["淮安市人民政府", "平潭综合实验区"], "value": [3119, 218]})
    chart = builders.top_agencies(frame, title="新收申请数量")
    with alt.renderers.enable(export.RENDERER_NAME):
        bundle = chart._repr_mimebundle_()
        bundle = bundle[0] if isinstance(bundle, tuple) else bundle
        assert set(bundle) == {"image/png"}
        assert bundle["image/png"] == charts.render_png(chart)
        with pytest.raises(charts.MissingGlyphsError):
            builders.top_agencies(frame, title="𠮷")._repr_mimebundle_()
