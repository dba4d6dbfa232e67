"""Linked interactive charts for the explore notebook: click a year, then an agency.

    chart = linked_year_agency(frame, title="本年新收申请（件）", share=False, year=2024, agency="某局")
    display_offline(chart)   # JupyterLab: live Vega-Lite, no network; elsewhere: the PNG

One Vega-Lite spec of three views sharing two point selections: the bars of reports per year
(click a year: ``pick_year``) filter the ranking of agencies for that year (click an agency:
``pick_agency``), which filters the third view, that agency over the years. The selections
start on the given year and agency, so the first drawing is never empty, and clicking the
background does not clear them (``clear=False``), so no view goes blank.

Why the widget: Altair 6 writes Vega-Lite 6, which JupyterLab 4's built-in renderer (v5) does
not draw, and Altair's HTML renderer loads Vega from a CDN. ``alt.JupyterChart`` (anywidget)
with ``enable_offline()`` carries the Vega bundle vl-convert ships, so the chart is live in an
offline JupyterLab. The same output also holds the PNG drawn with the shipped font, which is
what papermill, nbconvert and any front end without widgets show.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable
from functools import cache
from typing import Any

import altair as alt
import polars as pl

from workbench.charts import export
from workbench.charts.style import CATEGORY_PALETTE, count_axis, share_axis
from workbench.charts.webfont import embed_fonts

YEAR_PARAM = "pick_year"
AGENCY_PARAM = "pick_agency"
TOP = 25  # agencies in the ranking: a readable column of bars at Step(18)
PICKED = CATEGORY_PALETTE[0]
OTHER = "#c9d3e0"
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
# SVG, not canvas: text in the page's DOM waits for the @font-face below and is redrawn with it.
EMBED_OPTIONS = {"actions": False, "renderer": "svg"}


def linked_year_agency(frame: pl.DataFrame, *, title: str, share: bool, year: int, agency: str,
                       top: int = TOP) -> alt.VConcatChart:
    """Three linked views of ``frame`` (columns year, agency, value: one row per agency-year).

    ``agency`` is the label as drawn (see sections.drawable); ``title`` names the value.
    """
    data = frame.select(pl.col("year").cast(pl.Int64), pl.col("agency").cast(pl.String),
                        pl.col("value").cast(pl.Float64))
    year_pick = alt.selection_point(name=YEAR_PARAM, fields=["year"], value=[{"year": int(year)}],
                                    on="click", clear=False, toggle=False)
    agency_pick = alt.selection_point(name=AGENCY_PARAM, fields=["agency"], value=[{"agency": agency}],
                                      on="click", clear=False, toggle=False)
    axis = share_axis(title) if share else count_axis(title)
    base = alt.Chart(data)

    years = base.mark_bar().encode(
        x=alt.X("year:O", title="年度"),
        y=alt.Y("count():Q", axis=count_axis("报告份数")),
        color=alt.condition(year_pick, alt.value(PICKED), alt.value(OTHER)),
        tooltip=[alt.Tooltip("year:O", title="年度"), alt.Tooltip("count():Q", title="报告份数")],
    ).add_params(year_pick).properties(title="各年度报告份数（点击柱子选择年度）", width=520, height=140)

    ranking = base.transform_filter(year_pick).transform_filter("isValid(datum.value)").transform_window(
        rank="row_number()", sort=[alt.SortField("value", order="descending")],
    ).transform_filter(f"datum.rank <= {int(top)}").mark_bar().encode(
        y=alt.Y("agency:N", sort="-x", title=None),
        x=alt.X("value:Q", axis=axis),
        color=alt.condition(agency_pick, alt.value(PICKED), alt.value(OTHER)),
        tooltip=[alt.Tooltip("agency:N", title="机关"), alt.Tooltip("year:O", title="年度"),
                 alt.Tooltip("value:Q", title=title, format=".1%" if share else ",")],
    ).add_params(agency_pick).properties(
        title=f"所选年度各机关{title}（前{int(top)}名，点击机关查看历年变化）", width=420, height=alt.Step(18))

    trend = base.transform_filter(agency_pick).mark_line(point=True, color=PICKED).encode(
        x=alt.X("year:O", title="年度"),
        y=alt.Y("value:Q", axis=axis),
        tooltip=[alt.Tooltip("agency:N", title="机关"), alt.Tooltip("year:O", title="年度"),
                 alt.Tooltip("value:Q", title=title, format=".1%" if share else ",")],
    ).properties(title=f"所选机关{title}：历年变化", width=520, height=200)

    return alt.vconcat(years, ranking, trend).configure_view(stroke=None)


def picked(selections: dict[str, Any] | None) -> dict[str, Any]:
    """What a click picked, from ``JupyterChart._vl_selections`` (synced from the browser):
    ``{"pick_year": 2022, "pick_agency": "某局"}``, for the point selections that hold a value.

    Vega's signal for a point selection on fields is ``{field: [values]}``.
    """
    fields = {YEAR_PARAM: "year", AGENCY_PARAM: "agency"}
    out: dict[str, Any] = {}
    for name, field_name in fields.items():
        signal = ((selections or {}).get(name) or {}).get("value") or {}
        values = signal.get(field_name) if isinstance(signal, dict) else None
        if isinstance(values, list) and values:
            out[name] = values[0]
    return out


@cache
def enable_offline() -> None:
    """Make JupyterChart load Vega from vl-convert's bundle, not a CDN."""
    alt.JupyterChart.enable_offline(offline=True)


def use_offline_renderer() -> None:
    """In a notebook kernel: any Altair chart an analyst shows is drawn the same way, offline
    (Altair's default "html" renderer would fetch Vega from a CDN and stay blank)."""
    enable_offline()
    alt.renderers.enable("jupyter", offline=True)


def offline_widget(chart: alt.TopLevelMixin) -> alt.JupyterChart:
    enable_offline()
    return alt.JupyterChart(chart, embed_options=EMBED_OPTIONS)


def font_face_css(spec: dict[str, Any], extra: Iterable[str] = ()) -> str:
    """A <style> with the shipped font as @font-face, cut to the characters the chart can show.

    The live chart is drawn by the reader's browser; on a machine without Chinese fonts its
    hanzi would be boxes. A subset (tens of kB, not the 2.8 MB file) travels in the output.
    ``extra``: text a later redraw may show (other measures' names).
    """
    texts = [*export._strings(spec), *extra, "，。、：；（）％〓"]
    return f"<style>{embed_fonts(''.join(texts)).css}</style>"


def mimebundle(widget: alt.JupyterChart, chart: alt.TopLevelMixin, label: str = "联动图表") -> dict[str, Any]:
    """The widget view, the PNG (as first drawn) and a text line, for IPython's display(raw=True)."""
    bundle = widget._repr_mimebundle_()
    data = bundle[0] if isinstance(bundle, tuple) else bundle
    png = export.render_png(chart)
    return {**data, "image/png": base64.b64encode(png).decode("ascii"),
            "text/plain": f"<{label}>"}


def display_offline(chart: alt.TopLevelMixin, label: str = "联动图表",
                    extra_text: Iterable[str] = ()) -> alt.JupyterChart:
    """Show ``chart`` live (offline) with its PNG as the fallback, after the font it needs;
    the widget, to update later (``widget.chart = new_chart``)."""
    from IPython.display import HTML, display

    widget = offline_widget(chart)
    display(HTML(font_face_css(export.chart_spec(chart), extra_text)))
    display(mimebundle(widget, chart, label), raw=True)
    return widget
