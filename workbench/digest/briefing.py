"""The Word briefing pack: 督办事项, headline figures and the key charts, laid out as a 公文 brief.

Made from the digest folder's ``digest.json`` and ``charts/`` (so it says exactly what the HTML
digest says). A4 with GB/T 9704 margins and faces (``briefing.yaml``, applied by
``docx_format.py``); figures numbered by Word SEQ fields in real captions; numbers right-aligned
in the tables; the document's author, last editor and company are the office
(``$WORKBENCH_OFFICE``), its title the briefing's.

Each chart title is printed once, in its caption ("图 1　依申请公开办理结果"), and the picture
is drawn again from the chart's spec without the title (``charts.export.untitled_png``): Word's
list of figures and cross-references read captions, and a title typed above a picture, inside it
and again in the caption reads three times. A chart written without a spec (an older digest
folder) keeps the title in its picture and its caption says only the figure number.
"""

from __future__ import annotations

import io
import os
from datetime import date
from pathlib import Path
from typing import Any

from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.shared import Cm, RGBColor

from workbench.digest.docx_format import caption, official_document, table

OFFICE_ENV = "WORKBENCH_OFFICE"
DEFAULT_OFFICE = "政府信息公开工作主管部门"  # said when no office is configured; never the library's name
PICTURE_WIDTH = Cm(15)
# The order a briefing reads in: requests first, then reviews, agencies, checks.
KEY_ORDER = ("request_outcomes", "review_litigation", "top_requests", "granted_bands", "findings_by_rule",
             "penalties")
SUMMARY_KEYS = ("new_received", "same_new_received", "granted", "review_rate")
SHOWN_AGENCIES = 20  # per line of 督办事项; the digest lists them all further down
HEADLINE_WIDTHS_MM = (62, 24, 24, 46)  # 156 mm: A4 less the 28 + 26 mm margins
ACTION_WIDTHS_MM = (48, 20, 88)
WARNING_RED = RGBColor(0xB2, 0x18, 0x2B)


def office_name() -> str:
    """The office the pack is from: ``$WORKBENCH_OFFICE``, e.g. 某某市人民政府办公室."""
    return os.environ.get(OFFICE_ENV, "").strip() or DEFAULT_OFFICE


def briefing_title(manifest: dict[str, Any]) -> str:
    return f"{manifest['year']}年度政府信息公开工作年度报告摘要"


def write_briefing(folder: Path, manifest: dict[str, Any], name: str = "briefing.docx") -> Path:
    """Write ``folder/name`` and return its path."""
    title = briefing_title(manifest)
    document = official_document(office_name(), title)
    document.add_paragraph(title, style="Title")
    day = date.fromisoformat(manifest["generated_at"][:10])
    generated = f"{day.year}年{day.month}月{day.day}日"
    configured = os.environ.get(OFFICE_ENV, "").strip()
    document.add_paragraph(f"{configured}　{generated}" if configured else generated, style="Subtitle")
    document.add_paragraph(f"范围：{manifest['scope']}；本年度报告{manifest['year_reports']}份。")
    if manifest.get("synthetic_reports"):
        warning = document.add_paragraph().add_run(
            f"注意：数据包含合成（SYNTHETIC）报告（{manifest['reports']}份中有{manifest['synthetic_reports']}份），"
            "不是真实机关发布的报告，数字仅供演示。")
        warning.bold = True
        warning.font.color.rgb = WARNING_RED
    year = manifest["year"]
    _action_items(document, manifest.get("action_items") or [], year)
    _headline(document, manifest["headline"], year)
    _charts(document, folder, manifest["charts"])
    path = folder / name
    document.save(str(path))
    return path


def _action_items(document: Any, items: list[dict[str, Any]], year: int) -> None:
    """督办事项 on the first page: one row per line of the digest's block, the agencies named."""
    if not items:
        return
    document.add_paragraph("一、督办事项", style="Heading 1")
    total = sum(item["count"] for item in items if not item.get("unavailable"))
    document.add_paragraph(f"{year}年度需要跟进的事项共{total}项（按机关计）；已在复核中排除的发现不列入，"
                           "本工具未能读取的内容不列入。详见摘要（digest.html）第六部分。")
    rows = []
    for item in items:
        names = item["agencies"]
        if item.get("unavailable"):
            rows.append((item["label"], "—", item["unavailable"]))
            continue
        shown = "、".join(names[:SHOWN_AGENCIES]) + (f" 等{len(names)}个" if len(names) > SHOWN_AGENCIES else "")
        rows.append((item["label"], str(item["count"]), shown or "无"))
    table(document, ("事项", "机关数", "机关"), rows, numeric={1}, widths_mm=ACTION_WIDTHS_MM)
    document.add_page_break()


def _headline(document: Any, rows: list[dict[str, Any]], year: int) -> None:
    from workbench.charts.style import format_count

    document.add_paragraph("二、主要指标", style="Heading 1")
    document.add_paragraph("（一）主要数字", style="Heading 2")
    by_key = {row["key"]: row for row in rows}
    for key in SUMMARY_KEYS:  # one sentence per figure a briefing usually quotes
        row = by_key.get(key)
        if row and row["shown"]:
            document.add_paragraph(f"{row['label']}：{row['shown']}，与上年相比{row['change']}。")
    document.add_paragraph("（二）与上年比较", style="Heading 2")
    shown = []
    for row in rows:
        previous = row["previous"]
        if previous is None:
            shown_previous = "—"
        elif row["kind"] == "share":
            shown_previous = f"{previous * 100:.1f}%"
        else:
            shown_previous = format_count(previous)
        shown.append((row["label"], row["shown"] or "—", shown_previous, row["change"] or "—"))
    table(document, ("指标", f"{year}年", f"{year - 1}年", "变化"), shown, numeric={1, 2, 3},
          widths_mm=HEADLINE_WIDTHS_MM)


def _charts(document: Any, folder: Path, charts: list[dict[str, Any]]) -> None:
    from workbench.charts.export import SPEC_SUFFIX, untitled_png

    document.add_paragraph("三、主要图表", style="Heading 1")
    key_charts = [c for c in charts if c.get("key")] or list(charts)
    rank = {name: i for i, name in enumerate(KEY_ORDER)}
    key_charts.sort(key=lambda c: rank.get(c["name"], len(rank)))
    for number, chart in enumerate(key_charts, 1):
        png = folder / chart["png"]
        spec = png.with_name(png.stem + SPEC_SUFFIX)
        picture = document.add_paragraph()
        picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
        picture.paragraph_format.first_line_indent = Cm(0)
        picture.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE  # exact spacing clips pictures
        picture.paragraph_format.keep_with_next = True  # the caption stays under its picture
        image = io.BytesIO(untitled_png(spec)) if spec.is_file() else str(png)
        picture.add_run().add_picture(image, width=PICTURE_WIDTH)
        titled = caption(document, "图", chart["title"] if spec.is_file() else "", number)
        titled.paragraph_format.keep_with_next = bool(chart.get("caption"))
        note = _note(chart["caption"], chart["title"])
        if note:
            document.add_paragraph(note, style="Figure Note")


def _note(text: str, title: str) -> str:
    """The chart's explanation, less a first clause that only restates its title."""
    text = (text or "").strip()
    if title and text.startswith(title):
        text = text[len(title):].lstrip("，。：:, ")
    return text
