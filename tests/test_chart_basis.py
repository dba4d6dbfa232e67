"""Charts that do not mislead (issue 14 item 5): one number format, n per bar, dominant reports,
legends without empty entries, legible labels. Checked on the Vega-Lite specs and their SVG text,
not on pixels.
"""

from __future__ import annotations

import re

import polars as pl
import pytest
import vl_convert
from test_charts import (
    agencies_frame,
    applicants_frame,
    bands_frame,
    findings_frame,
    items_frame,
    outcomes_frame,
    review_frame,
    submitted_frame,
    tags_frame,
)

from workbench import charts
from workbench.charts import basis, builders, export, numfmt, style
from workbench.digest import html as H


def svg_texts(chart) -> list[str]:
    svg = charts.render_svg(chart)
    texts = re.findall(r">([^<>]+)</text>", svg) + re.findall(r">([^<>]+)</tspan>", svg)
    return [t.strip() for t in texts if t.strip()]


def spec_json(chart) -> str:
    import json

    return json.dumps(export.chart_spec(chart), ensure_ascii=False)


# --- one number format ----------------------------------------------------------------------


def test_one_rule_for_tables_labels_and_tooltips():
    values = [0, 3450, 99_999, 100_000, 123_456, 3_985_758, 150_000_000]
    texts = [numfmt.format_count(v) for v in values]
    assert texts == ["0", "3,450", "99,999", "10万", "12.3万", "398.6万", "1.5亿"]
    # The HTML table and the Word pack's headline use the same function.
    table = H.table(pl.DataFrame({"n": values}))
    assert all(f'<td class="num" style="text-align:right">{t}</td>' in table for t in texts)
    # Mark labels and tooltips of a chart say the same.
    frame = pl.DataFrame({"agency": ["甲", "乙"], "value": [123_456, 3450]})
    rows = next(iter(export.chart_spec(builders.top_agencies(frame))["datasets"].values()))
    assert [r["label"] for r in rows] == ["12.3万", "3,450"]


def test_an_axis_never_mixes_units():
    """Ticks of 0–150,000 all read 万 (not "50,000" under "10万"); a 0–60,000 axis has no 万."""
    big = pl.DataFrame({"agency": ["甲", "乙"], "value": [150_000, 80_000]})
    ticks = [t for t in svg_texts(builders.top_agencies(big, title="图")) if re.fullmatch(r"[\d,.]+万?", t)]
    ticks = [t for t in ticks if t not in ("15万", "80,000")]  # the two bar labels (exact below 10万)
    assert ticks and all(t.endswith("万") or t == "0" for t in ticks), ticks
    small = pl.DataFrame({"agency": ["甲", "乙"], "value": [60_000, 8_000]})
    assert not any(t.endswith("万") for t in svg_texts(builders.top_agencies(small, title="图")))


def test_facet_panels_choose_their_own_axis_unit():
    frame = pl.DataFrame({"year": [2023, 2024, 2023, 2024], "category": ["a", "a", "b", "b"],
                          "category_name": ["主动公开政府信息", "主动公开政府信息", "财政信息", "财政信息"],
                          "count": [120_000, 160_000, 900, 1_200]})
    texts = svg_texts(builders.submitted_info_trend(frame))
    assert "15万" in texts or "10万" in texts  # the big panel in 万
    assert "1,000" in texts  # the small one exact


@pytest.mark.parametrize("chart", [
    builders.submitted_info_trend(submitted_frame()),
    builders.service_items_trend(items_frame({"licensing": "行政许可", "other_services": "其他对外管理服务事项"})),
    builders.request_outcomes_trend(outcomes_frame()),
    builders.requests_by_applicant(applicants_frame()),
    builders.review_litigation_trend(review_frame()),
    builders.top_agencies(agencies_frame()),
    builders.agencies_by_band(bands_frame()),
    builders.findings_by_rule(findings_frame()),
], ids=["submitted", "items", "outcomes", "applicants", "review", "top", "bands", "findings"])
def test_axis_unit_reads_a_scale_that_exists(chart):
    """Each count axis names its Vega scale; a name Vega-Lite does not produce would silently
    fall back to per-tick units, so the names are checked against the compiled Vega."""
    spec = export.prepared_spec(chart)
    named = set(re.findall(r"domain\('([^']+)'\)", spec_json(chart)))
    assert named
    vega = vl_convert.vegalite_to_vega(spec, vl_version=export.VL_VERSION)
    scales: set[str] = set()

    def walk(node):
        if isinstance(node, dict):
            scales.update(s["name"] for s in node.get("scales", []))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(vega)
    assert named <= scales, (named, scales)


# --- how many reports stand behind a bar ----------------------------------------------------


def _with_reports(frame: pl.DataFrame, per_year: dict[int, int]) -> pl.DataFrame:
    return frame.with_columns(pl.col("year").replace_strict(per_year, return_dtype=pl.Int64).alias("reports"))


def test_n_labels_when_the_number_of_reports_varies():
    frame = outcomes_frame()
    years = sorted(frame["year"].unique().to_list())
    varying = _with_reports(frame, {y: 30 + i for i, y in enumerate(years)})
    text = spec_json(builders.request_outcomes_trend(varying))
    assert all(f"n={30 + i}" in text for i in range(len(years)))
    assert "报告数" in text  # the tooltip
    assert basis.N_NOTE in text  # the subtitle says what n is
    drawn = svg_texts(builders.request_outcomes_trend(varying))
    assert f"n={30 + len(years) - 1}" in drawn
    same = _with_reports(frame, dict.fromkeys(years, 41))
    text = spec_json(builders.request_outcomes_trend(same))
    assert "n=41" not in text and "报告数" in text  # the same everywhere: tooltip only
    assert basis.N_NOTE not in text
    assert "n=" not in spec_json(builders.request_outcomes_trend(frame))  # not known: nothing said


def test_n_labels_in_every_year_trend():
    years = {2022: 12, 2023: 30, 2024: 41}
    items = items_frame({"penalties": "行政处罚", "enforcement": "行政强制"}).filter(pl.col("year").is_in(list(years)))
    review = review_frame().filter(pl.col("year").is_in(list(years)))
    tags = tags_frame().filter(pl.col("year").is_in(list(years)))
    for chart in (builders.penalties_trend(_with_reports(items, years)),
                  builders.review_litigation_trend(_with_reports(review, years)),
                  builders.tag_year_heatmap(_with_reports(tags, years)),
                  builders.submitted_info_trend(_with_reports(submitted_frame().filter(
                      pl.col("year").is_in(list(years))), years))):
        text = spec_json(chart)
        present = [n for y, n in years.items() if str(y) in text]
        assert present and all(f"n={n}" in text for n in present), text[:300]
        assert basis.N_NOTE in text


# --- one report that makes a year -----------------------------------------------------------


def test_dominant_report_is_named():
    per_report = pl.DataFrame({
        "year": [2023, 2023, 2023, 2024, 2024, 2024],
        "agency": ["甲市人民政府", "乙县人民政府", "丙区人民政府"] * 2,
        "penalty_decisions": [100.0, 120.0, 90.0, 4_074_000.0, 150_000.0, None],
    })
    lines = basis.dominant_lines(per_report, "penalty_decisions", "行政处罚决定")
    assert lines == ["2024年：行政处罚决定的96%来自甲市人民政府一份报告（422.4万中的407.4万）"]
    assert basis.dominant_reports(per_report.filter(pl.col("year") == 2023), "penalty_decisions").height == 0
    # Exactly half is not "more than half".
    half = pl.DataFrame({"year": [2024, 2024], "agency": ["甲", "乙"], "v": [50, 50]})
    assert basis.dominant_lines(half, "v", "x") == []


# --- legends and labels ---------------------------------------------------------------------


def _nodes(node):
    """Every dict of a Vega-Lite spec, depth first."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _nodes(value)
    elif isinstance(node, list):
        for value in node:
            yield from _nodes(value)


def _colour_domains(spec: dict) -> list[list[str]]:
    return [colour["scale"]["domain"] for node in _nodes(spec)
            if isinstance(colour := node.get("color"), dict) and isinstance(colour.get("scale"), dict)
            and "domain" in colour["scale"]]


def test_legend_lists_only_categories_with_data():
    frame = pl.DataFrame({"year": [2023, 2023, 2023, 2024, 2024, 2024],
                          "outcome_group": ["granted", "denied", "unable"] * 2,
                          "count": [10, 3, 0, 12, 4, 0]})  # 无法提供: zeros only, nothing drawn
    for share in (False, True):
        domains = _colour_domains(export.chart_spec(builders.request_outcomes_trend(frame, share=share)))
        assert domains and all(d == ["予以公开", "不予公开"] for d in domains)
    applicants = applicants_frame()
    present = set(applicants.filter((pl.col("applicant") != "total") & (pl.col("count") > 0))["applicant_name"])
    domains = _colour_domains(export.chart_spec(builders.requests_by_applicant(applicants)))
    assert domains and set(domains[0]) == present
    findings = findings_frame()
    domains = _colour_domains(export.chart_spec(builders.findings_by_rule(findings)))
    assert set(domains[0]) == {g.label for g in style.SEVERITIES if g.key in set(findings["severity"])}
    # The same category keeps its colour in a chart that lists fewer.
    spec = export.chart_spec(builders.request_outcomes_trend(frame))
    scale = next(layer["encoding"]["color"]["scale"] for layer in spec["layer"] if "color" in layer["encoding"])
    assert dict(zip(scale["domain"], scale["range"], strict=True)) == {
        k: style.OUTCOME_COLOURS[k] for k in ("予以公开", "不予公开")}


def test_labels_stand_outside_bars_or_contrast_with_them():
    """Value labels are written beyond the bar's end (dy/dx offset, dark on white); the heatmap's
    numbers on dark cells are white; the rate labels over bars carry a white halo."""
    def text_marks(spec):
        return [node for node in _nodes(spec)
                if isinstance(mark := node.get("mark"), dict) and mark.get("type") == "text"]

    for chart in (builders.penalties_trend(items_frame({"penalties": "行政处罚", "enforcement": "行政强制"})),
                  builders.request_outcomes_trend(outcomes_frame()), builders.top_agencies(agencies_frame()),
                  builders.agencies_by_band(bands_frame())):
        for node in text_marks(export.chart_spec(chart)):
            mark = node["mark"]
            assert mark.get("dy", 0) < 0 or mark.get("dx", 0) > 0, mark
    heat = export.chart_spec(builders.tag_year_heatmap(tags_frame()))
    assert any("white" in str(node["encoding"].get("color")) for node in text_marks(heat))
    review = text_marks(export.chart_spec(builders.review_litigation_trend(review_frame())))
    assert any(node["mark"].get("stroke") == "white" for node in review)


def test_word_pack_tables_use_the_same_rule(tmp_path):
    from docx import Document
    from test_briefing import _manifest

    from workbench.digest.briefing import write_briefing

    manifest = _manifest(tmp_path)
    manifest["headline"][0] |= {"value": 123_456.0, "previous": 99_999.0, "shown": numfmt.format_count(123_456)}
    document = Document(str(write_briefing(tmp_path, manifest)))
    cells = {cell.text for table in document.tables for row in table.rows for cell in row.cells}
    assert {"12.3万", "99,999"} <= cells
