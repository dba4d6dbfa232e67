"""The Word briefing pack: headline figures and the key charts with short Chinese captions.

Made from the digest folder's ``digest.json`` and ``charts/*.png`` (2x PNGs, placed 15 cm wide
so they stay sharp when printed), so it says exactly what the HTML digest says.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

CJK_FONT = "Microsoft YaHei"  # Word substitutes a local CJK font where this one is missing
PICTURE_WIDTH = Cm(15)
# The order a briefing reads in: requests first, then reviews, agencies, checks.
KEY_ORDER = ("request_outcomes", "review_litigation", "top_requests", "granted_bands", "findings_by_rule",
             "penalties")
SUMMARY_KEYS = ("new_received", "same_new_received", "granted", "review_rate")
SHOWN_AGENCIES = 20  # per line of 督办事项; the digest lists them all further down


def _set_font(style: Any, size: float | None = None) -> None:
    style.font.name = CJK_FONT
    if size:
        style.font.size = Pt(size)
    # python-docx sets only the Latin font; Chinese text uses the eastAsia slot.
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    fonts.set(qn("w:eastAsia"), CJK_FONT)


def _action_items(document: Any, items: list[dict[str, Any]], year: int) -> None:
    """督办事项 on the first page: one row per line of the digest's block, the agencies named."""
    if not items:
        return
    document.add_heading("督办事项", level=1)
    total = sum(item["count"] for item in items)
    document.add_paragraph(f"{year}年度需要跟进的事项共{total}项（按机关计）；已在复核中排除的发现不列入，"
                           "本工具未能读取的内容不列入。详见摘要（digest.html）第六部分。")
    table = document.add_table(rows=1, cols=3)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ("事项", "机关数", "机关"), strict=True):
        cell.text = text
        cell.paragraphs[0].runs[0].bold = True
    for item in items:
        names = item["agencies"]
        shown = (item["unavailable"] or "—") if item.get("unavailable") else (
            "、".join(names[:SHOWN_AGENCIES]) + (f" 等{len(names)}个" if len(names) > SHOWN_AGENCIES else "") or "无")
        cells = table.add_row().cells
        for cell, text in zip(cells, (item["label"], "—" if item.get("unavailable") else str(item["count"]), shown),
                              strict=True):
            cell.text = text
    document.add_page_break()


def write_briefing(folder: Path, manifest: dict[str, Any], name: str = "briefing.docx") -> Path:
    """Write ``folder/name`` and return its path."""
    document = Document()
    for style_name, size in (("Normal", 10.5), ("Title", 20), ("Heading 1", 14), ("Caption", 9),
                             ("List Bullet", 10.5)):
        _set_font(document.styles[style_name], size)
    year = manifest["year"]
    document.add_paragraph(f"{year}年度政府信息公开工作年度报告摘要", style="Title")
    document.add_paragraph(f"范围：{manifest['scope']}；本年度报告 {manifest['year_reports']} 份。"
                           f"生成时间：{manifest['generated_at'].replace('T', ' ')}。")
    if manifest.get("synthetic_reports"):
        warning = document.add_paragraph().add_run(
            f"注意：数据包含合成（SYNTHETIC）报告（{manifest['reports']} 份中有 {manifest['synthetic_reports']} 份），"
            "不是真实机关发布的报告，数字仅供演示。")
        warning.bold = True
        warning.font.color.rgb = RGBColor(0xB2, 0x18, 0x2B)

    _action_items(document, manifest.get("action_items") or [], year)
    document.add_heading("一、主要指标", level=1)
    rows = manifest["headline"]
    by_key = {row["key"]: row for row in rows}
    for key in SUMMARY_KEYS:  # one sentence per figure a briefing usually quotes
        if key in by_key and by_key[key]["shown"]:
            row = by_key[key]
            document.add_paragraph(f"{row['label']}：{row['shown']}，与上年相比 {row['change']}。",
                                   style="List Bullet")
    table = document.add_table(rows=1, cols=4)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ("指标", f"{year}年", f"{year - 1}年", "变化"), strict=True):
        cell.text = text
        cell.paragraphs[0].runs[0].bold = True
    for row in rows:
        previous = row["previous"]
        if previous is None:
            shown_previous = "—"
        elif row["kind"] == "share":
            shown_previous = f"{previous * 100:.1f}%"
        else:
            from workbench.charts.style import format_count

            shown_previous = format_count(previous)
        cells = table.add_row().cells
        for cell, text in zip(cells, (row["label"], row["shown"], shown_previous, row["change"]), strict=True):
            cell.text = text or "—"

    document.add_heading("二、主要图表", level=1)
    key_charts = [c for c in manifest["charts"] if c.get("key")] or manifest["charts"]
    rank = {name: i for i, name in enumerate(KEY_ORDER)}
    key_charts.sort(key=lambda c: rank.get(c["name"], len(rank)))
    for number, chart in enumerate(key_charts, 1):
        picture = document.add_paragraph()
        picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
        picture.add_run().add_picture(str(folder / chart["png"]), width=PICTURE_WIDTH)
        caption = document.add_paragraph(f"图{number}　{chart['title']}。{chart['caption']}", style="Caption")
        caption.alignment = WD_ALIGN_PARAGRAPH.CENTER
    path = folder / name
    document.save(str(path))
    return path
