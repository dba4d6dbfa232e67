"""One look for every chart: the Altair theme, the fixed colours, the axes for counts.

Importing this module registers and enables the Altair theme ``"workbench"`` (font, white
background, title and axis styles), so notebooks get the same look as the exports.
"""

from __future__ import annotations

from dataclasses import dataclass

import altair as alt

from workbench.charts.font import FONT_STACK
from workbench.charts.numfmt import YI_FROM, axis_expr, count_expr, format_count  # noqa: F401 (re-exported)
from workbench.textnorm import compact

THEME_NAME = "workbench"
WIDTH = 520  # px at scale 1; a 2x PNG is 1040 px, about 15 cm in a Word page at 175 dpi
HEIGHT = 260
NO_DATA = "暂无数据"
TEXT_COLOUR = "#333333"
MUTED = "#8c8c8c"


@dataclass(frozen=True)
class Group:
    key: str  # the record's key (spec: report-record.md)
    label: str  # what charts show
    colour: str


# Outcome groups of section 三 (依申请公开办理结果), in template order. The colours carry
# meaning (green = information given, red/orange = refused or unavailable) and are the
# same in every chart, because each builder uses OUTCOME_DOMAIN/OUTCOME_RANGE as its scale.
OUTCOME_GROUPS: tuple[Group, ...] = (
    Group("granted", "予以公开", "#1a9850"),
    Group("partially_granted", "部分公开", "#91cf60"),
    Group("denied", "不予公开", "#d73027"),
    Group("unable", "无法提供", "#fc8d59"),
    Group("not_processed", "不予处理", "#7b3294"),
    Group("other", "其他处理", "#969696"),
    Group("carried_forward", "结转下年度", "#4575b4"),
)
OUTCOME_COLOURS: dict[str, str] = {g.label: g.colour for g in OUTCOME_GROUPS}
OUTCOME_DOMAIN = [g.label for g in OUTCOME_GROUPS]
OUTCOME_RANGE = [g.colour for g in OUTCOME_GROUPS]

APPLICANTS: tuple[Group, ...] = (
    Group("natural_person", "自然人", "#4e79a7"),
    Group("commercial", "商业企业", "#f28e2b"),
    Group("research", "科研机构", "#59a14f"),
    Group("social_welfare", "社会公益组织", "#b07aa1"),
    Group("legal_services", "法律服务机构", "#edc948"),
    Group("other_org", "其他", "#9c755f"),
)

# Section 四 results; "total" is never drawn (it is the sum of the others).
REVIEW_RESULTS: tuple[Group, ...] = (
    Group("upheld", "结果维持", "#4575b4"),
    Group("corrected", "结果纠正", "#d73027"),
    Group("other", "其他结果", "#969696"),
    Group("pending", "尚未审结", "#fdae61"),
)
PROCEEDINGS: dict[str, str] = {
    "review": "行政复议",
    "litigation_direct": "行政诉讼（直接起诉）",
    "litigation_after_review": "行政诉讼（复议后起诉）",
}

SEVERITIES: tuple[Group, ...] = (
    Group("error", "错误", "#d73027"),
    Group("warning", "警告", "#fdae61"),
    Group("info", "提示", "#74add1"),
)

# Sequential colours for counts (heatmaps, bands) and the categorical cycle for the rest.
SEQUENTIAL_SCHEME = "blues"
CATEGORY_PALETTE = [
    "#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2",
    "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac",
]

_DENIED_PREFIXES = ("denied_", "unable_", "not_processed_", "other_")
_ROW_GROUP = {"granted": "granted", "partially_granted": "partially_granted",
              "other_handling": "other", "carried_forward": "carried_forward"}


def outcome_group_of_row(row: str) -> str | None:
    """The outcome group key of a section 三 row key, None for rows that are no outcome.

    ``denied_state_secret`` -> ``denied``; ``new_received`` and ``total_processed`` -> None.
    """
    if row in _ROW_GROUP:
        return _ROW_GROUP[row]
    for prefix in _DENIED_PREFIXES:
        if row.startswith(prefix):
            return prefix.rstrip("_")
    return None


def group_label(value: str, groups: tuple[Group, ...], what: str) -> str:
    """The display label for a group given as key (``granted``) or label (（一）予以公开).

    Labels are matched after NFKC and whitespace removal, and may carry an ordinal or a
    suffix (（三）不予公开, 结转下年度继续办理). An unknown value is a ValueError, because a
    silently grey bar would hide a mismatch between the store and the charts.
    """
    for group in groups:
        if value == group.key:
            return group.label
    key = compact(value)
    for group in groups:
        if group.label in key:
            return group.label
    known = "、".join(f"{g.key}/{g.label}" for g in groups)
    raise ValueError(f"unknown {what} {value!r}; expected one of {known}")


def count_axis(title: str, scale: str | None = None, **kwargs: object) -> alt.Axis:
    """An axis for counts: Chinese title, whole numbers only, tick labels by numfmt's rule, in
    one unit for the whole axis when ``scale`` names its Vega scale (``y``, ``child_y`` …)."""
    return alt.Axis(title=title, labelExpr=axis_expr(scale), tickMinStep=1, **kwargs)


def share_axis(title: str) -> alt.Axis:
    return alt.Axis(title=title, format=".0%")


def theme_config() -> dict:
    """The Vega-Lite config of the theme; the font is set for every kind of text."""
    font = FONT_STACK
    return {
        "config": {
            "font": font,
            "background": "white",
            "padding": 12,
            "view": {"stroke": None, "continuousWidth": WIDTH, "continuousHeight": HEIGHT},
            "title": {
                "font": font, "subtitleFont": font, "fontSize": 16, "fontWeight": "bold",
                "subtitleFontSize": 12, "color": "#1f1f1f", "subtitleColor": "#595959",
                "anchor": "start", "offset": 12,
            },
            "axis": {
                "labelFont": font, "titleFont": font, "labelFontSize": 11, "titleFontSize": 12,
                "titleFontWeight": "bold", "labelColor": TEXT_COLOUR, "titleColor": TEXT_COLOUR,
                "gridColor": "#e5e5e5", "domainColor": "#8c8c8c", "tickColor": "#8c8c8c",
                "labelLimit": 220,
            },
            "axisX": {"labelAngle": 0},
            # Chinese reads badly on its side: y titles stand upright above the axis line,
            # as in most Chinese statistical charts.
            "axisY": {"titleAngle": 0, "titleAnchor": "end", "titleAlign": "center",
                      "titleBaseline": "bottom", "titleX": 0, "titleY": -10},
            "legend": {
                "labelFont": font, "titleFont": font, "labelFontSize": 11, "titleFontSize": 12,
                "titleFontWeight": "bold", "labelColor": TEXT_COLOUR, "titleColor": TEXT_COLOUR,
                "labelLimit": 240,
            },
            "header": {
                "labelFont": font, "titleFont": font, "labelFontSize": 12, "titleFontSize": 12,
                "titleFontWeight": "bold", "labelColor": TEXT_COLOUR,
            },
            "mark": {"font": font},
            "text": {"font": font, "fontSize": 11, "color": TEXT_COLOUR},
            "range": {"category": CATEGORY_PALETTE},
            # Chinese number locale: same separators as en-US, but ¥ for currency.
            "locale": {"number": {"decimal": ".", "thousands": ",", "grouping": [3],
                                  "currency": ["¥", ""]}},
        },
    }


# Why not "normal" for every title from the start: bold titles read better, and the bold
# font covers 3755 hanzi; export.py switches a chart to these only when it needs more.
REGULAR_WEIGHT_CONFIG = {
    "title": {"fontWeight": "normal", "subtitleFontWeight": "normal"},
    "axis": {"titleFontWeight": "normal"},
    "legend": {"titleFontWeight": "normal"},
    "header": {"titleFontWeight": "normal", "labelFontWeight": "normal"},
}


@alt.theme.register(THEME_NAME, enable=True)
def _workbench_theme() -> alt.theme.ThemeConfig:
    return alt.theme.ThemeConfig(theme_config())
