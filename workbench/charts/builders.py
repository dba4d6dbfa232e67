"""Chart builders shared by the notebooks, the Word briefings and the HTML digest.

Each builder takes a polars DataFrame with the columns its docstring names (extra columns
are ignored), aggregates it, and returns an Altair chart with Chinese titles, axis titles
and tooltips. An empty frame gives a chart that says 暂无数据 instead of raising; a
non-empty frame without the named columns is a ValueError naming what is missing.
Blank values (null) are left out of the drawing: a blank cell is not 0. Groups keep the
frame's row order (same frame, same chart bytes).

What stands behind a bar: the year trends take an optional column ``reports`` (how many
reports the row's figure sums; a bar's count is the largest of its rows'). The tooltip then
shows it, and where it differs between the bars of a chart each bar says it too ("n=37",
under its year). Counts follow numfmt's rule; a colour legend lists only the categories the
chart draws, each in its fixed colour (style.py).
"""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import polars as pl

from workbench.charts.basis import (
    REPORTS,
    reports_per_bar,
    reports_tooltip,
    varies,
    with_n_note,
    with_reports,
    year_n,
)
from workbench.charts.pieces import (  # noqa: F401 (YEAR_TITLE, COUNT_TITLE, no_data_chart: public here too)
    COUNT_TITLE,
    YEAR_TITLE,
    chart_title,
    count_labels,
    drawn_groups,
    group_scale,
    no_data_chart,
    order_column,
    panel_width,
    sum_by,
    usable,
    year_totals_text,
    year_x,
)
from workbench.charts.style import (
    APPLICANTS,
    CATEGORY_PALETTE,
    HEIGHT,
    MUTED,
    OUTCOME_DOMAIN,
    OUTCOME_GROUPS,
    PROCEEDINGS,
    REVIEW_RESULTS,
    SEQUENTIAL_SCHEME,
    SEVERITIES,
    TEXT_COLOUR,
    WIDTH,
    Group,
    count_axis,
    group_label,
    outcome_group_of_row,
    share_axis,
)

# Colours of section 二 items, fixed so 行政许可 looks the same in every chart.
ITEM_COLOURS = {
    "licensing": "#4e79a7",
    "other_services": "#76b7b2",
    "penalties": "#e15759",
    "enforcement": "#f28e2b",
}
ITEM_LABELS = {
    "licensing": "行政许可",
    "other_services": "其他对外管理服务事项",
    "penalties": "行政处罚",
    "enforcement": "行政强制",
}


# --- section 一 / 二 ----------------------------------------------------------------------


def submitted_info_trend(
    df: pl.DataFrame, *, title: str = "主动公开信息发布情况", subtitle: str | list[str] | None = None,
    columns: int = 3,
) -> alt.Chart | alt.FacetChart:
    """Counts stated in section 一, one small panel per category, bars over the years.

    Columns: year, category, category_name, count. Categories count different things
    (条 of information, 场 of press conferences), so each panel has its own y scale
    instead of stacking incomparable units. Panels are ordered by total, largest first.
    """
    cols = ["year", "category", "category_name", "count"]
    frame = usable(df, cols, "count", "submitted_info_trend")
    if frame.height == 0:
        return no_data_chart(title, subtitle)
    keys = ["year", "category", "category_name"]
    n = reports_per_bar(frame, keys)
    frame = with_reports(sum_by(frame, keys, "count"), n, keys)
    frame = frame.with_columns(count_labels(frame["count"]).alias("count_label")).sort("year")
    order = (
        sum_by(frame, ["category_name"], "count")
        .sort("count", descending=True)["category_name"].to_list()
    )
    base = alt.Chart().encode(x=year_x(short=True),
                              y=alt.Y("count:Q", axis=count_axis(COUNT_TITLE, "child_y")))
    bars = base.mark_bar(color=CATEGORY_PALETTE[0]).encode(
        tooltip=[alt.Tooltip("year:O", title=YEAR_TITLE),
                 alt.Tooltip("category_name:N", title="类别"),
                 alt.Tooltip("count_label:N", title=COUNT_TITLE), *reports_tooltip(frame)])
    text = base.mark_text(dy=-6, fontSize=10).encode(text="count_label:N")
    layers = [bars, text]
    if varies(n):  # panels share no year axis of their own: n stands above each bar's figure
        frame = frame.with_columns(pl.format("n={}", pl.col(REPORTS)).alias("n_label"))
        layers.append(base.mark_text(dy=-18, fontSize=9, color=MUTED).encode(text="n_label:N"))
    return (
        alt.layer(*layers, data=frame)
        .properties(width=panel_width(frame), height=110)
        .facet(facet=alt.Facet("category_name:N", sort=order, title=None), columns=columns)
        .resolve_scale(y="independent")
        .properties(title=chart_title(title, with_n_note(subtitle, varies(n))))
    )


def _items_trend(
    df: pl.DataFrame, builder: str, title: str, subtitle: str | list[str] | None
) -> alt.Chart | alt.LayerChart:
    cols = ["year", "item", "item_name", "decisions"]
    frame = usable(df, cols, "decisions", builder)
    if frame.height == 0:
        return no_data_chart(title, subtitle)
    keys = ["year", "item", "item_name"]
    n = reports_per_bar(frame, keys)
    frame = with_reports(sum_by(frame, keys, "decisions"), n, keys).sort("year")
    frame = frame.with_columns(count_labels(frame["decisions"]).alias("decisions_label"))
    drawn = drawn_groups(frame, "decisions", "item")
    names = frame.filter(pl.col("item").is_in(drawn)).unique("item", maintain_order=True)
    names = names.select("item", "item_name").rows()
    known = [(key, name) for key, name in names if key in ITEM_COLOURS]
    known.sort(key=lambda pair: list(ITEM_COLOURS).index(pair[0]))
    others = [(key, name) for key, name in names if key not in ITEM_COLOURS]
    domain = [name for _, name in known + others]
    colours = [ITEM_COLOURS[key] for key, _ in known]
    colours += [CATEGORY_PALETTE[(4 + i) % len(CATEGORY_PALETTE)] for i in range(len(others))]
    colour = alt.Color("item_name:N", title="事项", scale=alt.Scale(domain=domain, range=colours),
                       legend=alt.Legend(orient="bottom"))
    frame = frame.filter(pl.col("item").is_in(drawn))  # an item of zeros only: no empty slot
    base = alt.Chart(frame).encode(
        x=year_x(n=year_n(n)), xOffset=alt.XOffset("item_name:N", sort=domain),
        y=alt.Y("decisions:Q", axis=count_axis("处理决定数量", "y")),
    )
    bars = base.mark_bar().encode(
        color=colour,
        tooltip=[alt.Tooltip("year:O", title=YEAR_TITLE), alt.Tooltip("item_name:N", title="事项"),
                 alt.Tooltip("decisions_label:N", title="处理决定数量"), *reports_tooltip(frame)],
    )
    text = base.mark_text(dy=-6, fontSize=10).encode(text="decisions_label:N")
    return alt.layer(bars, text).properties(
        title=chart_title(title, with_n_note(subtitle, year_n(n) is not None)), width=WIDTH, height=HEIGHT
    )


def service_items_trend(
    df: pl.DataFrame, *, title: str = "行政许可及其他对外管理服务事项处理决定",
    subtitle: str | list[str] | None = None,
) -> alt.Chart | alt.LayerChart:
    """Decisions on 行政许可 and 其他对外管理服务事项 per year, side by side.

    Columns: year, item, item_name, decisions. 其他对外管理服务事项 exists only in the 2019
    template, so its bars stop in 2021: absent, not zero.
    """
    return _items_trend(df, "service_items_trend", title, subtitle)


def penalties_trend(
    df: pl.DataFrame, *, title: str = "行政处罚及行政强制处理决定", subtitle: str | list[str] | None = None,
) -> alt.Chart | alt.LayerChart:
    """Decisions on 行政处罚 and 行政强制 per year. Columns: year, item, item_name, decisions."""
    return _items_trend(df, "penalties_trend", title, subtitle)


# --- section 三 ---------------------------------------------------------------------------


def request_outcomes_trend(
    df: pl.DataFrame, *, share: bool = False, title: str | None = None,
    subtitle: str | list[str] | None = None,
) -> alt.Chart | alt.LayerChart:
    """How requests were answered each year, stacked by outcome group.

    Columns: year, outcome_group, count. outcome_group is a key (``granted``) or a label
    (予以公开, （三）不予公开); every chart colours a group the same (style.OUTCOME_GROUPS).
    ``share=True`` draws each group's share of the year's total (0–100 %) instead.
    """
    title = title or ("依申请公开办理结果构成" if share else "依申请公开办理结果")
    frame = usable(df, ["year", "outcome_group", "count"], "count", "request_outcomes_trend")
    if frame.height == 0:
        return no_data_chart(title, subtitle)
    frame = frame.with_columns(
        pl.col("outcome_group").map_elements(_outcome_label, return_dtype=pl.String)
        .alias("group_name")
    )
    n = reports_per_bar(frame, ["year"])
    frame = with_reports(sum_by(frame, ["year", "group_name"], "count"), n, ["year"]).sort("year")
    frame = frame.with_columns(
        (pl.col("count") / pl.col("count").sum().over("year")).alias("share"),
        count_labels(frame["count"]).alias("count_label"),
    )
    frame = order_column(frame, "group_name", OUTCOME_DOMAIN)
    present = drawn_groups(frame, "count", "group_name")
    frame = frame.filter(pl.col("group_name").is_in(present))
    value = alt.Y("share:Q", axis=share_axis("占比"), stack="zero") if share else alt.Y(
        "count:Q", axis=count_axis("申请数量", "y"), stack="zero")
    by_year = year_n(n)
    bars = alt.Chart(frame).mark_bar().encode(
        x=year_x(n=by_year),
        y=value,
        # Only the groups drawn, each in its fixed colour (the same in every chart).
        color=alt.Color("group_name:N", title="办理结果", scale=group_scale(OUTCOME_GROUPS, present),
                        legend=alt.Legend(orient="right")),
        order=alt.Order("group_name_order:Q", sort="ascending"),
        tooltip=[alt.Tooltip("year:O", title=YEAR_TITLE),
                 alt.Tooltip("group_name:N", title="办理结果"),
                 alt.Tooltip("count_label:N", title="申请数量"),
                 alt.Tooltip("share:Q", title="占比", format=".1%"), *reports_tooltip(frame)],
    )
    layers = [bars] if share else [bars, year_totals_text(frame, "count", by_year)]
    return alt.layer(*layers).properties(title=chart_title(title, with_n_note(subtitle, by_year is not None)), width=WIDTH, height=HEIGHT)


def _outcome_label(value: object) -> str:
    """Label of an outcome group given as group key, section 三 row key or Chinese label.

    Row keys (``denied_state_secret``, ``other_handling``) fold into their group, so both
    a long frame of table rows and the store's per-group columns unpivoted can be drawn.
    """
    text = str(value)
    return group_label(outcome_group_of_row(text) or text, OUTCOME_GROUPS, "outcome group")


def requests_by_applicant(
    df: pl.DataFrame, *, title: str = "政府信息公开申请人构成", subtitle: str | list[str] | None = None,
) -> alt.Chart | alt.LayerChart:
    """New requests per year stacked by applicant type (自然人, 商业企业 …).

    Columns: year, applicant, applicant_name, count. Rows with applicant ``total`` are
    the sum of the others and are left out so the stack is not counted twice.
    """
    cols = ["year", "applicant", "applicant_name", "count"]
    frame = usable(df, cols, "count", "requests_by_applicant")
    if frame.height:
        frame = frame.filter(pl.col("applicant") != "total")
    if frame.height == 0:
        return no_data_chart(title, subtitle)
    by_key = {g.key: g.label for g in APPLICANTS}
    # The fixed label for known keys, the frame's own name for anything else.
    frame = frame.with_columns(
        pl.col("applicant").replace_strict(by_key, default=pl.col("applicant_name"),
                                           return_dtype=pl.String).alias("applicant_label")
    )
    n = reports_per_bar(frame, ["year"])
    frame = with_reports(sum_by(frame, ["year", "applicant_label"], "count"), n, ["year"]).sort("year")
    frame = frame.with_columns(count_labels(frame["count"]).alias("count_label"))
    present = drawn_groups(frame, "count", "applicant_label")
    frame = frame.filter(pl.col("applicant_label").is_in(present))
    extra = sorted(set(present) - set(by_key.values()))
    groups = list(APPLICANTS) + [
        Group(name, name, CATEGORY_PALETTE[(6 + i) % len(CATEGORY_PALETTE)])
        for i, name in enumerate(extra)
    ]
    frame = order_column(frame, "applicant_label", [g.label for g in groups])
    by_year = year_n(n)
    bars = alt.Chart(frame).mark_bar().encode(
        x=year_x(n=by_year),
        y=alt.Y("count:Q", axis=count_axis("申请数量", "y"), stack="zero"),
        color=alt.Color("applicant_label:N", title="申请人", scale=group_scale(groups, present)),
        order=alt.Order("applicant_label_order:Q", sort="ascending"),
        tooltip=[alt.Tooltip("year:O", title=YEAR_TITLE),
                 alt.Tooltip("applicant_label:N", title="申请人"),
                 alt.Tooltip("count_label:N", title="申请数量"), *reports_tooltip(frame)],
    )
    return alt.layer(bars, year_totals_text(frame, "count", by_year)).properties(
        title=chart_title(title, with_n_note(subtitle, by_year is not None)), width=WIDTH, height=HEIGHT
    )


# --- section 四 ---------------------------------------------------------------------------


def correction_rates(df: pl.DataFrame) -> pl.DataFrame:
    """Per year and proceeding: concluded cases and the correction rate (纠错率).

    Rate = 结果纠正 / (结果维持 + 结果纠正 + 其他结果): pending cases have no result yet,
    so they are not in the denominator. Null where nothing was concluded.
    """
    parts = df.filter(pl.col("result").is_in(["upheld", "corrected", "other"]))
    return (
        parts.group_by("year", "proceeding", maintain_order=True)
        .agg(
            pl.col("count").sum().alias("concluded"),
            pl.col("count").filter(pl.col("result") == "corrected").sum().alias("corrected"),
        )
        .with_columns(
            pl.when(pl.col("concluded") > 0)
            .then(pl.col("corrected") / pl.col("concluded"))
            .otherwise(None)
            .alias("correction_rate")
        )
        .sort("year", "proceeding")
    )


def review_litigation_trend(
    df: pl.DataFrame, *, title: str = "行政复议和行政诉讼情况", subtitle: str | list[str] | None = None,
) -> alt.Chart | alt.HConcatChart:
    """Cases per year by result, one panel per proceeding, with the correction rate line.

    Columns: year, proceeding, result, count (keys of report-record.md section 四; the
    ``total`` result is the sum of the others and is not drawn). Bars use the left axis,
    the red line and its labels the right axis (纠错率, see :func:`correction_rates`).
    """
    frame = usable(df, ["year", "proceeding", "result", "count"], "count",
                    "review_litigation_trend")
    if frame.height:
        frame = frame.filter(pl.col("result") != "total")
    if frame.height == 0:
        return no_data_chart(title, subtitle)
    result_names = {g.key: g.label for g in REVIEW_RESULTS}
    n = reports_per_bar(frame, ["year", "proceeding"])
    frame = with_reports(sum_by(frame, ["year", "proceeding", "result"], "count"), n, ["year", "proceeding"])
    rates = correction_rates(frame).select("year", "proceeding", "correction_rate")
    frame = (
        frame.join(rates, on=["year", "proceeding"], how="left")
        .with_columns(
            pl.col("result").replace_strict(result_names, default=pl.col("result"),
                                            return_dtype=pl.String).alias("result_name"),
            pl.col("proceeding").replace_strict(PROCEEDINGS, default=pl.col("proceeding"),
                                                return_dtype=pl.String).alias("proceeding_name"),
            count_labels(frame["count"]).alias("count_label"),
        )
        .sort("year")
    )
    frame = order_column(frame, "result_name", [g.label for g in REVIEW_RESULTS])
    present = drawn_groups(frame, "count", "result_name")
    names = set(frame["proceeding_name"].to_list())
    known = list(PROCEEDINGS.values())
    order = [name for name in known if name in names] + sorted(names - set(known))
    # n varies if it differs anywhere in the chart; each panel's years then say their own.
    any_varies = varies(n)
    panels = []
    for index, name in enumerate(order):
        data = frame.filter(pl.col("proceeding_name") == name)
        panel_n = reports_per_bar(data, ["year"]) if any_varies else None
        by_year = None if panel_n is None else {int(y): int(r) for y, r in panel_n.drop_nulls().iter_rows()}
        panels.append(
            _review_panel(data.filter(pl.col("result_name").is_in(present)), present, by_year,
                          f"concat_{index}_layer_0_y")
            .properties(width=panel_width(frame), height=HEIGHT - 40,
                        title=alt.TitleParams(name, fontSize=13)))
    return alt.hconcat(*panels, spacing=24).properties(title=chart_title(title, with_n_note(subtitle, any_varies)))


def _review_panel(frame: pl.DataFrame, present: list[str], n: dict[int, int] | None,
                  scale: str) -> alt.LayerChart:
    """One proceeding: stacked results (left axis, Vega scale ``scale``) and the rate line.

    Not .facet(): Vega-Lite cannot facet a layer whose y scales are independent (bars in
    cases, line in %), so the panels are concatenated.
    """
    x = year_x(short=True, n=n)
    bars = alt.Chart().mark_bar().encode(
        x=x,
        y=alt.Y("count:Q", axis=count_axis("案件数量", scale), stack="zero"),
        color=alt.Color("result_name:N", title="结果", scale=group_scale(REVIEW_RESULTS, present),
                        legend=alt.Legend(orient="bottom")),
        order=alt.Order("result_name_order:Q", sort="ascending"),
        tooltip=[alt.Tooltip("year:O", title=YEAR_TITLE),
                 alt.Tooltip("proceeding_name:N", title="类别"),
                 alt.Tooltip("result_name:N", title="结果"),
                 alt.Tooltip("count_label:N", title="案件数量"), *reports_tooltip(frame)],
    )
    rate_y = alt.Y("mean(correction_rate):Q", scale=alt.Scale(domain=[0, 1]),
                   axis=alt.Axis(title="纠错率", format=".0%", orient="right", grid=False))
    line = alt.Chart().mark_line(color="#b2182b", point=alt.OverlayMarkDef(color="#b2182b")).encode(
        x=x, y=rate_y,
        tooltip=[alt.Tooltip("year:O", title=YEAR_TITLE),
                 alt.Tooltip("mean(correction_rate):Q", title="纠错率", format=".1%")],
    )
    # The rate labels may stand on a bar: a white halo keeps the red text legible there.
    rate_text = alt.Chart().mark_text(dy=-9, fontSize=10, color="#b2182b", fontWeight="bold",
                                      stroke="white", strokeWidth=3, strokeOpacity=0.9).encode(
        x=x, y=rate_y, text=alt.Text("mean(correction_rate):Q", format=".0%"))
    rate_fill = alt.Chart().mark_text(dy=-9, fontSize=10, color="#b2182b", fontWeight="bold").encode(
        x=x, y=rate_y, text=alt.Text("mean(correction_rate):Q", format=".0%"))
    return alt.layer(bars, alt.layer(line, rate_text, rate_fill), data=frame).resolve_scale(y="independent")


# --- comparisons across agencies ----------------------------------------------------------


def top_agencies(
    df: pl.DataFrame, *, n: int = 10, title: str = "各机关比较", value_title: str = COUNT_TITLE,
    subtitle: str | list[str] | None = None, colour: str = CATEGORY_PALETTE[0],
) -> alt.Chart | alt.LayerChart:
    """The n agencies with the largest value, as horizontal bars, largest on top.

    Columns: agency, value, and optionally label (the text written at the bar's end, e.g.
    "62.5%" or "3,001件"; format_count(value) where absent or null).
    """
    cols = ["agency", "value"] + (["label"] if "label" in df.columns else [])
    frame = usable(df, cols, "value", "top_agencies")
    if frame.height == 0:
        return no_data_chart(title, subtitle)
    if "label" not in frame.columns:
        frame = frame.with_columns(pl.lit(None, dtype=pl.String).alias("label"))
    frame = frame.with_columns(pl.col("label").cast(pl.String).fill_null(count_labels(frame["value"])))
    frame = frame.sort("value", descending=True).head(n)
    base = alt.Chart(frame).encode(
        y=alt.Y("agency:N", sort="-x", title=None),
        x=alt.X("value:Q", axis=count_axis(value_title, "x")),
    )
    bars = base.mark_bar(color=colour).encode(
        tooltip=[alt.Tooltip("agency:N", title="机关"), alt.Tooltip("label:N", title=value_title)]
    )
    text = base.mark_text(align="left", dx=4, fontSize=11).encode(text="label:N")
    return alt.layer(bars, text).properties(
        title=chart_title(title, subtitle), width=WIDTH - 120, height=alt.Step(24)
    )


def agencies_by_band(
    df: pl.DataFrame, *, title: str = "各机关分布", band_title: str = "区间",
    subtitle: str | list[str] | None = None, colours: Sequence[str] | None = None,
) -> alt.Chart | alt.LayerChart:
    """How many agencies fall in each band (e.g. 予以公开占比 <30% / 30%–60% / >60%).

    Columns: band, agencies. Bands are drawn in the frame's row order, which is the
    order the caller defined them in; ``colours`` gives one colour per band if wanted.
    """
    frame = usable(df, ["band", "agencies"], "agencies", "agencies_by_band")
    if frame.height == 0:
        return no_data_chart(title, subtitle)
    bands = frame["band"].cast(pl.String).unique(maintain_order=True).to_list()
    frame = frame.with_columns(pl.col("band").cast(pl.String))
    frame = sum_by(frame, ["band"], "agencies")
    frame = frame.with_columns(count_labels(frame["agencies"]).alias("agencies_label"))
    colour: alt.Color | alt.ColorValue = alt.ColorValue(CATEGORY_PALETTE[0])
    if colours:
        colour = alt.Color("band:N", legend=None,
                           scale=alt.Scale(domain=bands, range=list(colours)[: len(bands)]))
    base = alt.Chart(frame).encode(
        x=alt.X("band:N", sort=bands, title=band_title),
        y=alt.Y("agencies:Q", axis=count_axis("机关数量", "y")),
    )
    bars = base.mark_bar(size=48).encode(
        color=colour,
        tooltip=[alt.Tooltip("band:N", title=band_title),
                 alt.Tooltip("agencies_label:N", title="机关数量")],
    )
    text = base.mark_text(dy=-7, fontSize=12).encode(text="agencies_label:N")
    return alt.layer(bars, text).properties(
        title=chart_title(title, subtitle), width=min(WIDTH, 120 * len(bands) + 80), height=HEIGHT
    )


# --- narrative and checks -----------------------------------------------------------------


def tag_year_heatmap(
    df: pl.DataFrame, *, title: str = "问题与改进措施主题年度分布", subtitle: str | list[str] | None = None,
) -> alt.Chart | alt.LayerChart:
    """Narrative themes (tags of section 五 items) by year: colour and number = items.

    Columns: tag_name, year, items. Themes are ordered by their total, largest on top.
    """
    frame = usable(df, ["tag_name", "year", "items"], "items", "tag_year_heatmap")
    if frame.height == 0:
        return no_data_chart(title, subtitle)
    n = reports_per_bar(frame, ["year"])
    frame = with_reports(sum_by(frame, ["tag_name", "year"], "items"), n, ["year"]).sort("year")
    frame = frame.with_columns(
        count_labels(frame["items"]).alias("items_label"),
        # Dark cells get white numbers; the threshold is half of the largest cell.
        (pl.col("items") > pl.col("items").max() / 2).alias("dark"),
    )
    order = (
        sum_by(frame, ["tag_name"], "items")
        .sort(["items", "tag_name"], descending=[True, False])["tag_name"].to_list()
    )
    base = alt.Chart(frame).encode(
        x=year_x(n=year_n(n)), y=alt.Y("tag_name:N", sort=order, title=None)
    )
    cells = base.mark_rect(stroke="white", strokeWidth=1).encode(
        color=alt.Color("items:Q", title="条数", scale=alt.Scale(scheme=SEQUENTIAL_SCHEME),
                        legend=alt.Legend(format="d")),
        tooltip=[alt.Tooltip("tag_name:N", title="主题"), alt.Tooltip("year:O", title=YEAR_TITLE),
                 alt.Tooltip("items_label:N", title="条数"), *reports_tooltip(frame)],
    )
    text = base.mark_text(fontSize=11).encode(
        text="items_label:N",
        color=alt.condition("datum.dark", alt.value("white"), alt.value(TEXT_COLOUR)),
    )
    years = frame["year"].n_unique()
    return alt.layer(cells, text).properties(
        title=chart_title(title, with_n_note(subtitle, year_n(n) is not None)), width=max(200, 64 * years), height=alt.Step(26)
    )


def findings_by_rule(
    df: pl.DataFrame, *, title: str = "合规检查发现问题（按规则）", subtitle: str | list[str] | None = None,
) -> alt.Chart | alt.LayerChart:
    """Findings per check rule, coloured by severity (错误 / 警告 / 提示), most frequent on top.

    Columns: rule, rule_name, severity (error | warning | info, or the Chinese label), count.
    """
    cols = ["rule", "rule_name", "severity", "count"]
    frame = usable(df, cols, "count", "findings_by_rule")
    if frame.height == 0:
        return no_data_chart(title, subtitle)
    frame = frame.with_columns(
        pl.col("severity").map_elements(
            lambda v: group_label(str(v), SEVERITIES, "severity"), return_dtype=pl.String
        ).alias("severity_name"),
        # A rule the frame gives no name is shown by its id.
        pl.col("rule_name").fill_null(pl.col("rule")).alias("rule_name"),
    )
    frame = sum_by(frame, ["rule", "rule_name", "severity_name"], "count")
    frame = frame.with_columns(count_labels(frame["count"]).alias("count_label"))
    frame = order_column(frame, "severity_name", [g.label for g in SEVERITIES])
    totals = sum_by(frame, ["rule_name"], "count")
    order = totals.sort(["count", "rule_name"], descending=[True, False])["rule_name"].to_list()
    totals = totals.with_columns(count_labels(totals["count"]).alias("total_label"))
    y = alt.Y("rule_name:N", sort=order, title=None)
    bars = alt.Chart(frame).mark_bar().encode(
        y=y,
        x=alt.X("count:Q", axis=count_axis("发现数量", "x"), stack="zero"),
        color=alt.Color("severity_name:N", title="严重程度",
                        scale=group_scale(SEVERITIES, drawn_groups(frame, "count", "severity_name")),
                        legend=alt.Legend(orient="bottom")),
        order=alt.Order("severity_name_order:Q", sort="ascending"),
        tooltip=[alt.Tooltip("rule:N", title="规则"), alt.Tooltip("rule_name:N", title="说明"),
                 alt.Tooltip("severity_name:N", title="严重程度"),
                 alt.Tooltip("count_label:N", title="发现数量")],
    )
    text = alt.Chart(totals).mark_text(align="left", dx=4, fontSize=11).encode(
        y=y, x=alt.X("count:Q"), text="total_label:N"
    )
    return alt.layer(bars, text).properties(
        title=chart_title(title, subtitle), width=WIDTH - 160, height=alt.Step(24)
    )
