"""What stands behind a chart: how many reports each bar sums, and years one report dominates.

A figure summed over 37 reports next to one summed over 12 is not a trend, and a year whose
total is mostly one agency's report says more about that agency than about the year. The
builders take the optional column ``reports`` (reports behind a row's figure; a bar's count
is the largest of its rows') and say "n=37" where the count differs between bars;
:func:`dominant_lines` gives the subtitle lines naming a report that makes more than half of
a year's total.
"""

from __future__ import annotations

import altair as alt
import polars as pl

from workbench.charts.numfmt import format_count

REPORTS = "reports"  # the optional column: reports behind a row's figure
REPORTS_TITLE = "报告数"
DOMINANT_SHARE = 0.5  # more than half of a year's total from one report
N_NOTE = "n：填有本图数字的报告份数"  # said in the subtitle whenever bars carry n=


def with_n_note(subtitle: str | list[str] | None, shown: bool) -> str | list[str] | None:
    """The subtitle with the line that says what n= means, when the chart shows n= labels."""
    if not shown:
        return subtitle
    lines = [subtitle] if isinstance(subtitle, str) else list(subtitle or [])
    return [*lines, N_NOTE]


def reports_per_bar(frame: pl.DataFrame, keys: list[str]) -> pl.DataFrame | None:
    """Reports behind each bar (keys): the largest ``reports`` of its rows; None without it."""
    if REPORTS not in frame.columns:
        return None
    return frame.group_by(keys, maintain_order=True).agg(pl.col(REPORTS).max())


def with_reports(frame: pl.DataFrame, n: pl.DataFrame | None, keys: list[str]) -> pl.DataFrame:
    """The summed frame with each bar's report count joined on (for the tooltip)."""
    return frame if n is None else frame.join(n, on=keys, how="left", maintain_order="left")


def varies(n: pl.DataFrame | None) -> bool:
    """Whether the bars of a chart stand on different numbers of reports (then each says so)."""
    return n is not None and n[REPORTS].drop_nulls().n_unique() > 1


def year_n(n: pl.DataFrame | None) -> dict[int, int] | None:
    """year -> reports, for the year axis, only when the count varies across the chart."""
    if not varies(n):
        return None
    per_year = n.group_by("year").agg(pl.col(REPORTS).max()).drop_nulls()
    return {int(y): int(r) for y, r in per_year.iter_rows()}


def reports_tooltip(frame: pl.DataFrame) -> list[alt.Tooltip]:
    return [alt.Tooltip(f"{REPORTS}:Q", title=REPORTS_TITLE)] if REPORTS in frame.columns else []




def dominant_reports(per_report: pl.DataFrame, value: str) -> pl.DataFrame:
    """Years in which one report holds more than half of the year's total of ``value``.

    per_report: one row per report with year, agency and the value (blank values are left
    out: a blank is not 0). Returns year, agency, value, total and share, by year.
    """
    frame = per_report.select("year", "agency", pl.col(value).cast(pl.Float64).alias("value"))
    frame = frame.filter(pl.col("value").is_not_null())
    totals = frame.group_by("year").agg(pl.col("value").sum().alias("total"))
    top = frame.sort(["year", "value", "agency"], descending=[False, True, False]).unique("year", keep="first")
    return (top.join(totals, on="year").filter(pl.col("total") > 0)
            .with_columns((pl.col("value") / pl.col("total")).alias("share"))
            .filter(pl.col("share") > DOMINANT_SHARE).sort("year"))


def dominant_lines(per_report: pl.DataFrame, value: str, what: str) -> list[str]:
    """Subtitle lines such as "2021年：办理结果总计的62%来自平潭综合实验区一份报告（3,119件中的1,934件）"."""
    return [f"{r['year']}年：{what}的{r['share']:.0%}来自{r['agency']}一份报告"
            f"（{format_count(r['total'])}中的{format_count(r['value'])}）"
            for r in dominant_reports(per_report, value).iter_rows(named=True)]
