"""One number format for counts: chart axes, labels on marks, tooltips, the HTML digest's
tables and the Word pack's tables all write a count the same way.

The rule
--------
* **A number read on its own** (a table cell, the label on a bar, a tooltip, a caption) is
  written exactly below 100,000, with thousands separators: ``3,450``, ``99,999``. From
  100,000 it is written in 万 with one decimal, a trailing ``.0`` dropped: ``12.3万``,
  ``398.6万``, ``12万``; from 1亿 in 亿 the same way (``1.5亿``). The unit follows the rounded
  value, so 99,999,999 is ``1亿``, never ``10000万``.

  Why 100,000 and not 10,000: a briefing quotes the figures of single agencies, which are
  mostly below 10万; written exactly they can be checked against the report. Above 10万 the
  exact figure is long and the one decimal of 万 rounds by at most 500 (under 0.5 %).
* **An axis is in one unit.** Every tick label of an axis uses the unit of the axis's
  largest end (read from the scale's domain when the chart is drawn), so an axis never reads
  ``50,000`` under ``10万``. Ticks are round numbers, so nothing is lost (``5万``, ``2.5万``).
* Negative numbers use the minus sign U+2212, as d3 does; ``None`` and NaN give ``""`` (a
  blank cell stays blank, it is not 0). Fractions keep at most two decimals (``2.5``).
* Not counts: years are printed as they are (``2024``, see ``digest.html.YEAR_COLUMNS``) and
  shares as percentages with one decimal (``digest.html.percent``), axes ``.0%``.

:func:`format_count` is the Python side, :func:`count_expr` and :func:`axis_expr` the Vega
expressions that give the same text inside a chart.
"""

from __future__ import annotations

import math

WAN_FROM = 100_000
# From here on 万 would round to 10000万, so the text switches to 亿.
YI_FROM = 99_995_000
MINUS = "\u2212"


def format_count(value: float | int | None) -> str:
    """The text of one count by the rule above: 3,450 · 99,999 · 12.3万 · 1.5亿 · −1,204."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    sign = MINUS if value < 0 else ""
    size = abs(value)
    if size >= YI_FROM:
        return f"{sign}{_one_decimal(size / 1e8)}亿"
    if size >= WAN_FROM:
        return f"{sign}{_one_decimal(size / 1e4)}万"
    if float(size).is_integer():
        return f"{sign}{int(size):,}"
    return f"{sign}{size:,.2f}".rstrip("0").rstrip(".")


def _one_decimal(x: float) -> str:
    text = f"{round(x, 1):,.1f}"
    return text[:-2] if text.endswith(".0") else text


def count_expr(field: str = "datum.value") -> str:
    """The Vega expression twin of :func:`format_count` (one value on its own).

    d3's "~" drops insignificant zeros (1.0 -> 1); the thresholds are format_count's.
    """
    v = field
    return (
        f"abs({v}) >= {YI_FROM:.0f} ? format({v} / 1e8, ',.1~f') + '亿' : "
        f"abs({v}) >= {WAN_FROM:.0f} ? format({v} / 1e4, ',.1~f') + '万' : "
        f"format({v}, ',.2~f')"
    )


def axis_expr(scale: str | None, field: str = "datum.value") -> str:
    """Tick labels of an axis on ``scale`` (the Vega scale name, e.g. ``y`` or ``child_y``),
    all in the unit of the domain's largest end; per value (count_expr) without a scale name
    or where the scale is not found (its domain is then empty and the peak not a number).

    Ticks get up to two decimals of the unit (2.5万, 1.25万): a tick is a reading, it must be exact.
    """
    if not scale:
        return count_expr(field)
    v = field
    ends = f"extent(domain('{scale}'))"
    peak = f"max(abs({ends}[0]), abs({ends}[1]))"
    return (
        f"!isValid({peak}) ? ({count_expr(v)}) : {v} == 0 ? '0' : "
        f"{peak} >= {YI_FROM:.0f} ? format({v} / 1e8, ',.2~f') + '亿' : "
        f"{peak} >= {WAN_FROM:.0f} ? format({v} / 1e4, ',.2~f') + '万' : "
        f"format({v}, ',.2~f')"
    )
