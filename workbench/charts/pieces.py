"""Pieces every chart builder uses: the no-data chart, frame checks and sums, the year axis
(with "n=…" under each year when the reports behind the bars differ), fixed-colour scales that
list only the groups drawn, and the totals written above stacked bars.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import altair as alt
import polars as pl

from workbench.charts.basis import REPORTS
from workbench.charts.style import HEIGHT, MUTED, NO_DATA, TEXT_COLOUR, WIDTH, Group, format_count

YEAR_TITLE = "年度"
COUNT_TITLE = "数量"


def no_data_chart(title: str, subtitle: str | list[str] | None = None) -> alt.Chart:
    """A chart of the normal size that says 暂无数据 (what every builder gives for no rows)."""
    frame = pl.DataFrame({"message": [NO_DATA]})
    return (
        alt.Chart(frame)
        .mark_text(fontSize=16, color=MUTED)
        .encode(text="message:N")
        .properties(title=chart_title(title, subtitle), width=WIDTH, height=HEIGHT / 2)
    )


def chart_title(text: str, subtitle: str | list[str] | None) -> alt.TitleParams:
    """A subtitle of several lines is a list (a pasted chart keeps what stands behind it)."""
    return alt.TitleParams(text=text, subtitle=subtitle) if subtitle else alt.TitleParams(text)


def require(df: pl.DataFrame, columns: Sequence[str], builder: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(
            f"{builder}: the frame lacks column(s) {', '.join(missing)}; "
            f"it needs {', '.join(columns)} (has {', '.join(df.columns) or 'none'})"
        )


def usable(df: pl.DataFrame, columns: Sequence[str], value: str, builder: str) -> pl.DataFrame:
    """The named columns of the rows whose value is not blank (empty frame: no columns needed)."""
    if df.height == 0:
        return pl.DataFrame()
    require(df, columns, builder)
    extra = [REPORTS] if REPORTS in df.columns and REPORTS not in columns else []
    return df.select([*columns, *extra]).filter(pl.col(value).is_not_null())


def sum_by(frame: pl.DataFrame, keys: list[str], value: str) -> pl.DataFrame:
    """Sum of value per key combination, groups in the frame's row order (deterministic)."""
    return frame.group_by(keys, maintain_order=True).agg(pl.col(value).sum())


def count_labels(values: pl.Series) -> pl.Series:
    """1.2万-style text for each value (for tooltips and value labels)."""
    return pl.Series([format_count(v) for v in values.to_list()], dtype=pl.String)


def year_x(*, short: bool = False, n: dict[int, int] | None = None, **kwargs: object) -> alt.X:
    """Years on x: "2024年", or "2024" in narrow panels where 年 would collide; with ``n``
    (year -> reports) a second line under each year says how many reports stand behind it."""
    label = "'' + datum.value" if short else "datum.value + '年'"
    if n:
        lookup = json.dumps({str(year): f"n={count}" for year, count in n.items()})
        label = f"[{label}, {lookup}['' + datum.value] || '']"
    return alt.X("year:O", title=YEAR_TITLE, axis=alt.Axis(labelExpr=label), **kwargs)


def panel_width(frame: pl.DataFrame) -> int:
    """Width of a small panel: room for a four-digit year label per year."""
    return max(150, 36 * frame["year"].n_unique())


def group_scale(groups: Sequence[Group], present: Sequence[str] | None = None) -> alt.Scale:
    """A colour scale with a fixed colour per group label; only present labels when given
    (the legend then lists only what the chart draws, each group still in its own colour)."""
    pairs = [(g.label, g.colour) for g in groups if present is None or g.label in present]
    return alt.Scale(domain=[p[0] for p in pairs], range=[p[1] for p in pairs])


def order_column(df: pl.DataFrame, column: str, order: Sequence[str]) -> pl.DataFrame:
    """Add ``<column>_order``: the position of each label in order (for stack order)."""
    rank = {label: i for i, label in enumerate(order)}
    return df.with_columns(
        pl.col(column).replace_strict(rank, default=len(rank), return_dtype=pl.Int32)
        .alias(f"{column}_order")
    )


def drawn_groups(frame: pl.DataFrame, value: str, column: str) -> list[str]:
    """Labels of the groups with something to draw (a group of zeros has no legend entry)."""
    sums = sum_by(frame, [column], value)
    return sums.filter(pl.col(value) != 0)[column].to_list()


def year_totals_text(frame: pl.DataFrame, value: str, n: dict[int, int] | None = None) -> alt.Chart:
    """Total of each year's stack, written above the bar (dark text on the white background)."""
    totals = frame.group_by("year", maintain_order=True).agg(pl.col(value).sum()).sort("year")
    totals = totals.with_columns(count_labels(totals[value]).alias("total_label"))
    return (
        alt.Chart(totals)
        .mark_text(dy=-7, fontSize=11, color=TEXT_COLOUR)
        .encode(x=year_x(n=n), y=alt.Y(f"{value}:Q"), text="total_label:N")
    )
