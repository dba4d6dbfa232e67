"""Interactive exploration for notebooks/explore.ipynb: pick agencies, years and a measure.

Widgets (ipywidgets, bundled with JupyterLab: no internet needed) drive two linked charts —
the measure over the years for the picked agencies, and the picked year's ranking of the same
agencies — and a table of the picked reports' section 三 cells. Charts are drawn as PNG with
the shipped font (workbench.charts), because Altair's default renderer loads Vega from a CDN.

``Explorer.render()`` draws the current selection without widgets (what papermill runs).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import altair as alt
import duckdb
import polars as pl

from workbench.charts import export
from workbench.charts.style import CATEGORY_PALETTE, count_axis
from workbench.digest import html as H
from workbench.digest.sections import DigestError, Fragment, drawable
from workbench.store import connect, run_query
from workbench.store.connect import StoreError, upgrade_if_older

MEASURES: dict[str, tuple[str, bool]] = {  # column -> (Chinese name, is a share)
    "new_received": ("本年新收申请（件）", False),
    "total_processed": ("办理结果总计（件）", False),
    "granted_share": ("予以公开（含部分）占比", True),
    "denied": ("不予公开（件）", False),
    "concluded": ("复议诉讼已审结（件）", False),
    "correction_rate": ("复议诉讼纠错率", True),
    "filled_share": ("表格填写率", True),
}
CELL_COLUMNS = {"year": "年度", "agency_id": "机关", "row_label": "办理情况", "natural_person": "自然人",
                "commercial": "商业企业", "research": "科研机构", "social_welfare": "社会公益组织",
                "legal_services": "法律服务机构", "other_org": "其他", "total": "总计"}


def open_explorer(db: str | Path, agencies: list[str] | None = None, years: tuple[int, int] | None = None,
                  measure: str = "new_received") -> Explorer:
    try:
        upgrade_if_older(db)  # a store from an older workbench lacks what the queries use
        con = connect(db)
    except StoreError as exc:
        raise DigestError(str(exc)) from None
    frame = run_query("digest_agency_year", {}, con=con)
    if frame.height == 0:
        raise DigestError("the store holds no reports")
    explorer = Explorer(con, frame)
    explorer.select(agencies, years, measure)
    return explorer


@dataclass
class Explorer:
    con: duckdb.DuckDBPyConnection
    data: pl.DataFrame  # digest_agency_year over every year: one row per agency-year (aggregates)
    agencies: list[str] = field(default_factory=list)
    years: tuple[int, int] = (0, 0)
    measure: str = "new_received"

    @property
    def all_agencies(self) -> list[str]:
        counts = self.data.group_by("agency_id").agg(pl.col("new_received").sum()).sort(
            ["new_received", "agency_id"], descending=[True, False], nulls_last=True)
        return counts["agency_id"].to_list()

    @property
    def year_span(self) -> tuple[int, int]:
        return int(self.data["year"].min()), int(self.data["year"].max())

    def select(self, agencies: list[str] | None = None, years: tuple[int, int] | None = None,
               measure: str | None = None) -> None:
        """Pick agencies (default: the five with most requests), years and a measure."""
        known = self.all_agencies
        picked = [a for a in (known[:5] if agencies is None else agencies) if a in known]
        if agencies and not picked:
            raise DigestError(f"none of {agencies} is in the store")
        self.agencies = picked
        self.years = tuple(years) if years else self.year_span  # type: ignore[assignment]
        if measure:
            if measure not in MEASURES:
                raise DigestError(f"unknown measure {measure!r}; choose from {', '.join(MEASURES)}")
            self.measure = measure

    def picked(self) -> pl.DataFrame:
        first, last = self.years
        return self.data.filter(pl.col("agency_id").is_in(self.agencies)
                                & pl.col("year").is_between(first, last))

    def charts(self) -> alt.VConcatChart:
        """Trend of the measure per agency, and the last year's values: one colour per agency."""
        name, share = MEASURES[self.measure]
        frame = self.picked().select("agency_id", "year", pl.col(self.measure).cast(pl.Float64).alias("value"))
        frame = frame.with_columns(pl.col("agency_id").map_elements(drawable, return_dtype=pl.String)
                                   .alias("agency"))
        axis = alt.Axis(title=name, format=".0%") if share else count_axis(name)
        colour = alt.Color("agency:N", title="机关", scale=alt.Scale(range=CATEGORY_PALETTE),
                           legend=alt.Legend(orient="bottom", columns=2))
        trend = alt.Chart(frame).mark_line(point=True).encode(
            x=alt.X("year:O", title="年度"), y=alt.Y("value:Q", axis=axis), color=colour,
        ).properties(title=f"{name}：历年变化", width=520, height=220)
        last = self.years[1]
        ranking = alt.Chart(frame.filter(pl.col("year") == last)).mark_bar().encode(
            y=alt.Y("agency:N", sort="-x", title=None), x=alt.X("value:Q", axis=axis), color=colour,
        ).properties(title=f"{last}年{name}", width=400, height=alt.Step(22))
        return alt.vconcat(trend, ranking).resolve_scale(color="shared")

    def cells(self) -> pl.DataFrame:
        """Section 三 of the picked reports (current revisions), one row per report × row."""
        first, last = self.years
        return run_query("explore_report_cells", {"agencies": "|".join(self.agencies), "year_from": first,
                                                  "year_to": last}, con=self.con)

    def render(self) -> Fragment:
        if not self.agencies:
            return Fragment(H.paragraph("请至少选择一个机关。"))
        return Fragment(export.chart_html(self.charts())
                        + "<h3>所选报告的表三（依申请公开）数据</h3>"
                        + H.table(self.cells(), CELL_COLUMNS, formats={"year": str}, limit=120))

    def widget(self) -> None:
        """Show the pickers and, below them, the charts and table, redrawn on every change.

        The drawing is a display with an id that each change updates — not an ipywidgets
        Output area, which swallows exceptions and can stall a headless run (papermill).
        """
        import ipywidgets as w
        from IPython.display import display

        first, last = self.year_span
        pick = w.SelectMultiple(options=self.all_agencies, value=tuple(self.agencies), rows=10,
                                description="机关", layout=w.Layout(width="420px"))
        span = w.IntRangeSlider(value=self.years, min=first, max=last, step=1, description="年度")
        measure = w.Dropdown(options=[(v[0], k) for k, v in MEASURES.items()], value=self.measure,
                             description="指标")
        display(w.HBox([pick, w.VBox([span, measure])]))
        handle = display(self.render(), display_id=True)

        def redraw(_change: Any = None) -> None:
            self.select(list(pick.value), span.value, measure.value)
            handle.update(self.render())

        for control in (pick, span, measure):
            control.observe(redraw, names="value")
