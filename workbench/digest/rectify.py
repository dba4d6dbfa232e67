"""Rectification lists (整改清单): one Word document per agency and one Excel workbook, in Chinese.

    result = write_rectification("data/workbench.duckdb", 2024, out="out/rectify-2024")
    result.documents   # [out/rectify-2024/整改清单-2024-淮安市人民政府.docx, …]
    result.workbook    # out/rectify-2024/整改清单-2024.xlsx (every finding of every list)

What goes in (``queries/rectification_findings.sql``): the findings of the *checks* on each
agency's current report for the year with severity error (``severity="warning"``: error and
warning), plus any finding a supervisor confirmed (``workbench review confirm``) whatever its
severity; never one dismissed on review, and never the workbench's own reading notes (source
``parse``: what it could not read is its problem, not the agency's). An agency without such
findings gets no document. ``agency`` selects agencies as ``workbench check --agency`` does.

File names are safe on Windows (no ``/ \\ : * ? " < > |``, at most 80 characters; a name that
had to be changed carries a short hash of the agency so two agencies never share a file). With
``agency`` the workbook is ``整改清单-{year}-{agency}.xlsx``, so the whole year's workbook is not
replaced by a part of it. Lists of in-scope agencies that an earlier run wrote and that no longer
apply (every finding dismissed, say) are deleted, so a folder never holds a stale list.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import polars as pl
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from workbench.checks import RULES, rule
from workbench.checks.grid import cell_label
from workbench.checks.names import RULE_SHORT, SEVERITY_ZH
from workbench.digest.docx_format import set_style_font
from workbench.digest.sections import DigestError
from workbench.store import connect, run_query
from workbench.store.agencies import canonical_key
from workbench.store.connect import DEFAULT_DB, upgrade_if_older
from workbench.store.export import defuse_formulas
from workbench.store.export_sheets import XLSX_OPTIONS
from workbench.store.findings import scope_notes
from workbench.store.reviews import STATE_ZH
from workbench.templates import layouts

SEVERITY_CHOICES = ("error", "warning")
PREFIX = "整改清单"
NAME_MAX = 80  # characters of a file name, extension included
FORMAT_ZH = {"pdf": "PDF", "html": "网页（HTML）", "docx": "Word", "txt": "文本", "doc": "旧版 Word（.doc）",
             "wps": "WPS 文字（.wps）", "rtf": "RTF", "xlsx": "Excel（.xlsx）", "xls": "Excel（.xls）",
             "image": "图片（扫描件）"}
DOC_COLUMNS = (("序号", 1.2), ("问题类型", 3.4), ("涉及单元格", 5.0), ("问题说明", 7.2), ("模板要求", 6.0),
               ("复核意见", 2.9))  # (header, width in cm): 25.7 cm, A4 landscape inside 2 cm margins
SHEET_NAME = "整改清单"
SHEET_COLUMNS = (("机关", "agency_id", 24), ("年度", "year", 7), ("问题类型", "rule_zh", 22),
                 ("严重程度", "severity_zh", 9), ("涉及单元格", "cells_zh", 36), ("问题说明", "message", 60),
                 ("模板要求", "requirement", 50), ("来源文件", "source_file", 30), ("发布日期", "published", 12),
                 ("复核意见", "review_zh", 30), ("finding_id", "finding_id", 11))
_FORBIDDEN = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]')
_RULE_ORDER = {r.id: i for i, r in enumerate(RULES)}
_SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


class RectifyError(DigestError):
    """A rectification list cannot be made as asked (no reports for the year, no such agency …)."""


@dataclass
class RectifyResult:
    year: int
    severity: str
    out: Path
    documents: list[Path] = field(default_factory=list)  # one .docx per agency with findings
    workbook: Path | None = None                         # every finding of every document
    agencies: list[str] = field(default_factory=list)    # agency_id of each document, in order
    findings: int = 0
    matched: list[str] = field(default_factory=list)     # agencies in scope (a current report that year)
    notes: list[str] = field(default_factory=list)       # what the --agency text matched, in words
    removed: list[Path] = field(default_factory=list)    # stale lists of an earlier run, deleted

    @property
    def files(self) -> list[Path]:
        return [*self.documents, *([self.workbook] if self.workbook else [])]

    def summary(self) -> str:
        what = "错误和警告" if self.severity == "warning" else "错误"
        scope = f"{len(self.matched)}个机关" if len(self.matched) != 1 else self.matched[0]
        if not self.documents:
            lines = [f"{self.year}年度{scope}的报告没有需要整改的问题（检查发现的{what}及复核确认的问题，"
                     "已排除的不计），未写出整改清单。"]
        else:
            who = (f"{len(self.documents)}个机关（共{len(self.matched)}个机关在范围内）" if len(self.matched) > 1
                   else scope)
            lines = [f"{self.year}年度整改清单：{who}，{self.findings}项问题"
                     f"（检查发现的{what}及复核确认的问题），已写入 {self.out}："]
            lines += [f"  {path}" for path in self.files]
        if self.removed:
            lines.append(f"已删除上次生成、现已不再适用的整改清单{len(self.removed)}份："
                         + "、".join(p.name for p in self.removed))
        return "\n".join(lines)


def write_rectification(db: str | Path = DEFAULT_DB, year: int | None = None, out: str | Path | None = None,
                        agency: str | None = None, severity: str = "error") -> RectifyResult:
    """Write the year's rectification lists into ``out`` (default ``out/rectify-{year}``)."""
    if severity not in SEVERITY_CHOICES:
        raise RectifyError(f"未知的严重程度 {severity!r}，可选：{'、'.join(SEVERITY_CHOICES)}")
    if year is None:
        raise RectifyError("请指定年度（--year），例如 --year 2024")
    folder = Path(out) if out is not None else Path("out") / f"rectify-{year}"
    upgrade_if_older(db)  # finding_reviews and the review columns exist only in newer stores
    matched = _matched_agencies(db, year, agency)
    notes = scope_notes(db, year, agency)
    if not matched:
        raise RectifyError("；".join(notes) or f"没有{year}年度的报告")
    rows = rectification_rows(db, year, agency, severity)
    result = RectifyResult(year, severity, folder, matched=matched,
                           notes=[n for n in notes if "匹配" in n], findings=len(rows))
    by_agency: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_agency.setdefault(row["agency_id"], []).append(row)
    workbook = folder / _workbook_name(year, agency)
    if rows:
        folder.mkdir(parents=True, exist_ok=True)
        for agency_id, found in by_agency.items():
            result.documents.append(write_list_docx(folder / document_name(year, agency_id), found))
            result.agencies.append(agency_id)
        result.workbook = write_list_xlsx(workbook, rows)
    stale = [folder / document_name(year, a) for a in matched if a not in by_agency]
    if not rows:
        stale.append(workbook)
    for path in stale:
        if path.is_file():
            path.unlink()
            result.removed.append(path)
    return result


def rectification_rows(db: str | Path, year: int, agency: str | None = None,
                       severity: str = "error") -> list[dict[str, Any]]:
    """The findings of the lists with what the documents show (labels, requirement, review),
    by agency, then most severe first in rules.yaml order."""
    frame = run_query("rectification_findings", {"year": year, "severity": severity,
                                                  "agency": canonical_key(agency) if agency else None}, db)
    rows = frame.to_dicts()
    for row in rows:
        row["rule_zh"] = RULE_SHORT.get(row["rule"], row["rule"])
        row["severity_zh"] = SEVERITY_ZH.get(row["severity"], row["severity"])
        row["requirement"] = _requirement(row["rule"])
        row["cells_zh"] = cells_label(row["cells"])
        row["review_zh"] = review_text(row)
        row["source_file"] = Path(row["source_path"]).name if row["source_path"] else ""
        row["published"] = row["published_on"].isoformat() if isinstance(row["published_on"], date) else ""
    rows.sort(key=lambda r: (r["agency_id"], _SEVERITY_ORDER.get(r["severity"], 3),
                             _RULE_ORDER.get(r["rule"], len(_RULE_ORDER)), r["cells"] or "", r["finding_id"]))
    return rows


def cells_label(cells: str | None) -> str:
    """``requests.granted.total,report.published_on`` → 表三 （一）予以公开 · 总计；发布日期（…）."""
    ids = [c for c in (cells or "").split(",") if c.strip()]
    return "；".join(dict.fromkeys(cell_label(c) for c in ids))


def review_text(row: dict[str, Any]) -> str:
    """已确认：已与原文核对（张三，2025-04-02）; empty when the finding was not reviewed."""
    if not row.get("review"):
        return ""
    text = STATE_ZH.get(row["review"], row["review"])
    if row.get("review_note"):
        text += f"：{row['review_note']}"
    who = [str(row["reviewer"])] if row.get("reviewer") else []
    if isinstance(row.get("reviewed_at"), datetime):
        who.append(f"{row['reviewed_at']:%Y-%m-%d}")
    return text + (f"（{'，'.join(who)}）" if who else "")


def safe_name(stem: str, suffix: str, key: str | None = None) -> str:
    """``stem + suffix`` safe as a Windows file name, at most NAME_MAX characters. A stem that had
    to be changed gets ``-`` and 8 hex of ``key`` (default: the stem), so names stay distinct."""
    cleaned = _FORBIDDEN.sub("_", stem).strip().rstrip(". ")
    if cleaned == stem and len(stem) + len(suffix) <= NAME_MAX:
        return stem + suffix
    tag = "-" + hashlib.md5((key or stem).encode("utf-8")).hexdigest()[:8]
    room = NAME_MAX - len(suffix) - len(tag)
    return cleaned[:room].rstrip(". ") + tag + suffix


def document_name(year: int, agency_id: str) -> str:
    return safe_name(f"{PREFIX}-{year}-{agency_id}", ".docx", key=agency_id)


def _workbook_name(year: int, agency: str | None) -> str:
    return safe_name(f"{PREFIX}-{year}" + (f"-{agency.strip()}" if agency else ""), ".xlsx")


def _requirement(rule_id: str) -> str:
    try:
        return rule(rule_id).zh
    except KeyError:
        return ""


def _matched_agencies(db: str | Path, year: int, agency: str | None) -> list[str]:
    """The agencies in scope: a current report for the year, name matching as ``workbench check``."""
    with connect(db) as con:
        rows = con.execute(
            "SELECT DISTINCT agency_id FROM current_reports WHERE year = $year"
            " AND agency_matches(agency_id, agency, $agency) ORDER BY agency_id",
            {"year": year, "agency": canonical_key(agency) if agency else None}).fetchall()
    return [a for (a,) in rows]


# --- Word ---------------------------------------------------------------------------------------

def write_list_docx(path: Path, rows: list[dict[str, Any]]) -> Path:
    """One agency's list: title, the report it comes from, the findings table, the request to rectify."""
    first = rows[0]
    document = Document()
    for style_name, size in (("Normal", 10.5), ("Title", 16)):
        set_style_font(document.styles[style_name], size)
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2))

    title = document.add_paragraph(f"{first['agency']} {first['year']}年度政府信息公开工作年度报告 整改清单",
                                   style="Title")
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    document.add_paragraph(f"依据报告：{source_line(first)}")
    if first.get("synthetic"):
        warning = document.add_paragraph().add_run(
            "注意：该报告读自合成（SYNTHETIC）文件，不是真实机关发布的报告，本清单仅供演示。")
        warning.bold = True
        warning.font.color.rgb = RGBColor(0xB2, 0x18, 0x2B)
    document.add_paragraph(_count_line(rows))

    table = document.add_table(rows=1, cols=len(DOC_COLUMNS))
    table.style = "Table Grid"
    table.autofit = False
    _repeat_header(table.rows[0])
    for cell, (header, _) in zip(table.rows[0].cells, DOC_COLUMNS, strict=True):
        cell.text = header
        cell.paragraphs[0].runs[0].bold = True
    for number, row in enumerate(rows, 1):
        values = (str(number), row["rule_zh"], row["cells_zh"] or "—", row["message"] or "",
                  row["requirement"] or "—", row["review_zh"] or "—")
        for cell, text in zip(table.add_row().cells, values, strict=True):
            cell.text = text
    for column, (_, width) in zip(table.columns, DOC_COLUMNS, strict=True):
        for cell in column.cells:
            cell.width = Cm(width)

    document.add_paragraph()
    document.add_paragraph("请你单位对照上述问题逐项核实：属实的，予以整改并更正年度报告；有异议的，说明理由并附相关材料。"
                           "请于＿＿＿＿年＿＿月＿＿日前将整改情况书面报送。")
    note = document.add_paragraph(
        "说明：“涉及单元格”指年度报告中的位置，如“表三 （一）予以公开 · 总计”为第三部分表格“（一）予以公开”行、"
        f"“总计”列。本清单根据报告原文逐项校验生成（{datetime.now():%Y-%m-%d}）。")
    note.runs[0].font.size = Pt(9)
    return _save(path, document.save)


def source_line(row: dict[str, Any]) -> str:
    """《file》（网页（HTML）格式，发布日期 2025-03-05，2021年版模板（国办公开办函〔2021〕30号））."""
    name = row.get("source_file") or "（未记录文件名）"
    fmt = FORMAT_ZH.get(row.get("source_format") or "", row.get("source_format") or "未知")
    published = row.get("published") or "未注明"
    template = row.get("template")
    shown = (f"{template}年版模板（{layouts().names[template]}）" if template in layouts().names
             else "模板未识别")
    return f"{name}（{fmt}格式，发布日期 {published}，{shown}）"


def _count_line(rows: list[dict[str, Any]]) -> str:
    counts = {s: sum(r["severity"] == s for r in rows) for s in ("error", "warning", "info")}
    parts = "，".join(f"{SEVERITY_ZH[s]}{n}项" for s, n in counts.items() if n)
    confirmed = sum(r["review"] == "confirmed" for r in rows)
    return (f"经对该报告逐项校验，需整改的问题共{len(rows)}项（{parts}）"
            + (f"，其中{confirmed}项经复核确认" if confirmed else "") + "：")


def _repeat_header(row: Any) -> None:
    """Repeat the header row at the top of every page the table runs onto."""
    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(flag)


# --- Excel --------------------------------------------------------------------------------------

def write_list_xlsx(path: Path, rows: list[dict[str, Any]]) -> Path:
    """One sheet 整改清单, a row per finding; header bold and frozen; report text stays text."""
    import xlsxwriter

    frame = defuse_formulas(pl.DataFrame(
        [{key: row[key] for _, key, _ in SHEET_COLUMNS} for row in rows],
        schema={key: (pl.Int64 if key == "year" else pl.String) for _, key, _ in SHEET_COLUMNS}, orient="row"))

    def write(target: str) -> None:
        with xlsxwriter.Workbook(target, XLSX_OPTIONS) as workbook:
            sheet = workbook.add_worksheet(SHEET_NAME)
            header = workbook.add_format({"bold": True, "bg_color": "#F2F2F2", "border": 1, "valign": "top",
                                          "text_wrap": True})
            wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
            for col, (title, _, width) in enumerate(SHEET_COLUMNS):
                sheet.set_column(col, col, width, wrap)
                sheet.write_string(0, col, title, header)
            for number, values in enumerate(frame.iter_rows(), 1):
                _write_row(sheet, number, values, wrap)
            sheet.freeze_panes(1, 0)
            sheet.autofilter(0, 0, max(frame.height, 1), len(SHEET_COLUMNS) - 1)

    return _save(path, write)


def _write_row(sheet: Any, number: int, values: Iterable[Any], style: Any) -> None:
    for col, value in enumerate(values):
        if value is None:
            sheet.write_blank(number, col, None, style)
        elif isinstance(value, str):
            sheet.write_string(number, col, value, style)
        else:
            sheet.write_number(number, col, value, style)


def _save(path: Path, save: Any) -> Path:
    """Write through a temporary file beside ``path``: a reader never opens half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.stem}.tmp{path.suffix}")
    try:
        save(str(temp))
        os.replace(temp, path)
    finally:
        temp.unlink(missing_ok=True)
    return path
