"""Chart files for the runner (PNG 2x on white, and SVG) and inline HTML for the digest.

Everything goes through vl-convert with the shipped font registered, offline: no CDN, no
browser, and no external data (``allowed_base_urls=[]``). Before drawing, the chart's text
is checked against the font's character map, so a character the font lacks raises
:class:`~workbench.charts.font.MissingGlyphsError` instead of becoming a box or a gap.
"""

from __future__ import annotations

import base64
import copy
import html
import json
import re
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import altair as alt
import vl_convert

from workbench.charts import font
from workbench.charts.style import REGULAR_WEIGHT_CONFIG, THEME_NAME

PNG_SCALE = 2
SPEC_SUFFIX = ".vl.json"  # the spec as drawn, beside each PNG and SVG
# vl-convert names Vega-Lite versions "v6_4"; follow the schema Altair writes.
VL_VERSION = "v" + "_".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])
_DATUM_FIELD = re.compile(r"datum(?:\.(\w+)|\[['\"]([^'\"]+)['\"]\])")


def chart_spec(chart: alt.TopLevelMixin) -> dict[str, Any]:
    """The Vega-Lite spec with the workbench theme applied, whatever theme is active."""
    with alt.theme.enable(THEME_NAME):
        spec = chart.to_dict()
    # The font must be ours even if the chart was configured elsewhere: the glyph check
    # below is only true for the shipped font.
    spec.setdefault("config", {})["font"] = font.FONT_STACK
    return spec


def _strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)


def _split_data(spec: dict[str, Any]) -> tuple[dict[str, Any], list[list[dict[str, Any]]]]:
    """The spec without its data, and the data tables (inline ``values`` and ``datasets``)."""
    tables: list[list[dict[str, Any]]] = list(spec.get("datasets", {}).values())

    def strip(node: Any) -> Any:
        if isinstance(node, dict):
            out = {}
            for key, value in node.items():
                if key == "datasets":
                    continue
                if key == "values" and isinstance(value, list):
                    tables.append([row for row in value if isinstance(row, dict)])
                    continue
                out[key] = strip(value)
            return out
        if isinstance(node, list):
            return [strip(v) for v in node]
        return node

    return strip(spec), tables


def displayed_text(spec: dict[str, Any]) -> list[str]:
    """Every string the chart may draw: titles, labels, expressions' literals, legend
    entries, and the string values of data columns the spec refers to.

    Data columns no encoding or expression mentions are never drawn and are skipped, so
    an unused note column with a rare character does not block an export.
    """
    body, tables = _split_data(spec)
    texts = list(_strings(body))
    referenced = set(texts)
    for text in texts:
        for match in _DATUM_FIELD.finditer(text):
            referenced.add(match.group(1) or match.group(2))
    for rows in tables:
        for row in rows:
            texts.extend(v for k, v in row.items() if k in referenced and isinstance(v, str))
    return texts


def bold_text(spec: dict[str, Any]) -> list[str]:
    """Strings drawn in bold: chart, axis, legend and header titles (or the field name
    that stands in for a missing title)."""
    body, _ = _split_data(spec)
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("title", "field"):
                    found.extend(_strings(value))
                else:
                    walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(body)
    return found


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> None:
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            _merge(base[key], value)
        else:
            base[key] = copy.deepcopy(value)


def prepared_spec(chart: alt.TopLevelMixin) -> dict[str, Any]:
    """The spec ready to draw: font registered, text checked, weights settled."""
    return _prepare(chart_spec(chart))


def _prepare(spec: dict[str, Any]) -> dict[str, Any]:
    """Register the font, refuse text it cannot draw, settle the title weight.

    Bold titles that need a hanzi outside the bold font (GB2312 level 2) are set in the
    regular weight for the whole chart; otherwise the renderer would take the glyph from
    whatever system font has it, so the same chart would look different on each machine.
    """
    font.ensure_registered()
    font.check_text(displayed_text(spec))
    if font.missing_chars(bold_text(spec), weight="bold"):
        _merge(spec.setdefault("config", {}), REGULAR_WEIGHT_CONFIG)
    return spec


def _png(spec: dict[str, Any], scale: float) -> bytes:
    return vl_convert.vegalite_to_png(
        spec, vl_version=VL_VERSION, scale=scale, allowed_base_urls=[]
    )


def _svg(spec: dict[str, Any]) -> str:
    return vl_convert.vegalite_to_svg(spec, vl_version=VL_VERSION, allowed_base_urls=[])


def render_png(chart: alt.TopLevelMixin, scale: float = PNG_SCALE) -> bytes:
    """PNG bytes on a white background (the theme's), scale 2 by default."""
    return _png(prepared_spec(chart), scale)


def render_svg(chart: alt.TopLevelMixin) -> str:
    """SVG text; its text elements name the shipped font first, then common CJK fonts."""
    return _svg(prepared_spec(chart))


def export_chart(chart: alt.TopLevelMixin, path_stem: str | Path) -> dict[str, Path]:
    """Write ``<path_stem>.png`` (2x, white) and ``<path_stem>.svg``; return both paths.

    Also writes ``<path_stem>.vl.json``, the Vega-Lite spec as drawn (no network needed to
    draw it again): the Word pack draws the chart from it without its title, which the
    pack's numbered caption carries (see :func:`untitled_png`).

    Raises MissingGlyphsError (before writing anything) if the chart has text the font
    cannot draw, FontMissingError if the shipped font is not installed.
    """
    stem = Path(path_stem)
    spec = prepared_spec(chart)
    png, svg = _png(spec, PNG_SCALE), _svg(spec)
    stem.parent.mkdir(parents=True, exist_ok=True)
    paths = {"png": stem.with_name(stem.name + ".png"), "svg": stem.with_name(stem.name + ".svg")}
    paths["png"].write_bytes(png)
    paths["svg"].write_text(svg, encoding="utf-8")
    spec_path(stem).write_text(json.dumps(spec, ensure_ascii=False), encoding="utf-8")
    return paths


def spec_path(path_stem: str | Path) -> Path:
    stem = Path(path_stem)
    return stem.with_name(stem.name + SPEC_SUFFIX)


def untitled_png(spec_file: Path, scale: float = PNG_SCALE) -> bytes:
    """The chart of a written spec drawn without its title; subtitle lines (the SYNTHETIC
    note, the reports each year rests on) stay, set where the title was, in the subtitle's style.

    For documents that number and title their figures in a caption: the title then appears
    once, in the caption, and not again in the picture.
    """
    spec = json.loads(spec_file.read_text("utf-8"))
    title = spec.pop("title", None)
    subtitle = title.get("subtitle") if isinstance(title, dict) else None
    if subtitle:
        style = spec.get("config", {}).get("title", {})
        spec["title"] = {"text": subtitle, "anchor": title.get("anchor", style.get("anchor", "start")),
                         "fontSize": title.get("subtitleFontSize", style.get("subtitleFontSize", 12)),
                         "fontWeight": title.get("subtitleFontWeight", style.get("subtitleFontWeight", "normal")),
                         "color": title.get("subtitleColor", style.get("subtitleColor", "#595959")),
                         "font": style.get("subtitleFont", style.get("font"))}
        spec["title"] = {k: v for k, v in spec["title"].items() if v is not None}
    return _png(_prepare(spec), scale)


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height in pixels, from the PNG header."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def _title_of(spec: dict[str, Any]) -> str:
    title = spec.get("title")
    if isinstance(title, dict):
        title = title.get("text")
    if isinstance(title, list):
        title = " ".join(str(t) for t in title)
    return str(title or "图表")


def chart_html(chart: alt.TopLevelMixin, *, css_class: str = "wb-chart") -> str:
    """An offline-safe HTML fragment: the 2x PNG as a data URI, shown at 1x size.

    A PNG rather than inline SVG: SVG text is drawn by the reader's browser with the
    reader's fonts, and the digest must look the same on a machine without Chinese fonts.
    No script, no external URL.
    """
    spec = prepared_spec(chart)
    data = _png(spec, PNG_SCALE)
    width, height = png_size(data)
    encoded = base64.b64encode(data).decode("ascii")
    alt_text = html.escape(_title_of(spec), quote=True)
    return (
        f'<figure class="{html.escape(css_class, quote=True)}">'
        f'<img alt="{alt_text}" width="{width // PNG_SCALE}" height="{height // PNG_SCALE}" '
        f'src="data:image/png;base64,{encoded}"></figure>'
    )


def _png_renderer(spec: dict[str, Any], **_metadata: Any) -> dict[str, bytes]:
    """Altair renderer "workbench-png": notebooks show the exported PNG, offline.

    Altair's default HTML renderer loads Vega from a CDN, which an offline machine cannot
    reach; this one draws with vl-convert and the shipped font, exactly as the exports.
    Enable it with ``alt.renderers.enable("workbench-png")``.
    """
    spec = copy.deepcopy(spec)
    spec.setdefault("config", {})["font"] = font.FONT_STACK
    return {"image/png": _png(_prepare(spec), PNG_SCALE)}


RENDERER_NAME = "workbench-png"
alt.renderers.register(RENDERER_NAME, _png_renderer)
