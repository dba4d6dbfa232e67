"""Altair chart builders and offline export (PNG, SVG, inline HTML) with a shipped CJK font.

Importing the package registers and enables the Altair theme "workbench". Builders take
polars frames (see each docstring for the columns) and return Altair charts;
``export_chart`` writes PNG (2x, white) and SVG, ``chart_html`` gives a fragment for the
HTML digest. See font.py for the font and what happens to characters it lacks.
"""

from workbench.charts.builders import (
    agencies_by_band,
    correction_rates,
    findings_by_rule,
    no_data_chart,
    penalties_trend,
    request_outcomes_trend,
    requests_by_applicant,
    review_litigation_trend,
    service_items_trend,
    submitted_info_trend,
    tag_year_heatmap,
    top_agencies,
)
from workbench.charts.export import (
    chart_html,
    chart_spec,
    displayed_text,
    export_chart,
    render_png,
    render_svg,
)
from workbench.charts.font import (
    FONT_FAMILY,
    FontMissingError,
    MissingGlyphsError,
    ensure_registered,
    missing_chars,
)
from workbench.charts.style import (
    OUTCOME_COLOURS,
    OUTCOME_GROUPS,
    THEME_NAME,
    count_expr,
    format_count,
    outcome_group_of_row,
)

__all__ = [
    "FONT_FAMILY", "OUTCOME_COLOURS", "OUTCOME_GROUPS", "THEME_NAME",
    "FontMissingError", "MissingGlyphsError",
    "agencies_by_band", "chart_html", "chart_spec", "correction_rates", "count_expr",
    "displayed_text", "ensure_registered", "export_chart", "findings_by_rule", "format_count",
    "missing_chars", "no_data_chart", "outcome_group_of_row", "penalties_trend",
    "render_png", "render_svg", "request_outcomes_trend", "requests_by_applicant",
    "review_litigation_trend", "service_items_trend", "submitted_info_trend",
    "tag_year_heatmap", "top_agencies",
]
