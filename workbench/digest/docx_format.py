"""Page, type and fields for the Word briefing pack (python-docx), after GB/T 9704-2012.

    document = official_document(office="某某市政务公开办公室", title="2024年度…摘要")
    caption(document, "图", "依申请公开办理结果")     # 图 {SEQ 图 \\* ARABIC}　依申请公开办理结果
    right_aligned_table(document, header, rows, numeric={1, 2}, widths_mm=[…])

Sizes, faces and margins are data (``briefing.yaml``); this module only applies them. Word
draws Chinese text with the ``w:eastAsia`` face of ``w:rFonts``, which python-docx does not set,
and a theme font attribute (``w:eastAsiaTheme``) beats an explicit one, so both are handled here.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from typing import Any
from xml.sax.saxutils import escape

import yaml
from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor, Twips

ALIGN = {"left": WD_ALIGN_PARAGRAPH.LEFT, "center": WD_ALIGN_PARAGRAPH.CENTER,
         "right": WD_ALIGN_PARAGRAPH.RIGHT, "justify": WD_ALIGN_PARAGRAPH.JUSTIFY}
BLACK = RGBColor(0, 0, 0)
_THEME_FONT_ATTRS = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")


@cache
def settings() -> dict[str, Any]:
    return yaml.safe_load(resources.files(__package__).joinpath("briefing.yaml").read_text("utf-8"))


def official_document(office: str, title: str, subject: str = "政府信息公开工作年度报告") -> Any:
    """A new document: A4 with 公文 margins, the styles in 公文 faces, properties naming the office."""
    document = Document()
    _page(document)
    _defaults(document)
    for name, style in settings()["styles"].items():
        _style(document, name, style)
    _font_table(document)
    _properties(document, office, title, subject)
    _page_numbers(document)
    return document


def _page(document: Any) -> None:
    page = settings()["page"]
    for section in document.sections:
        section.page_width, section.page_height = Twips(page["width_twips"]), Twips(page["height_twips"])
        margins = page["margins_mm"]
        # Twips from millimetres: python-docx rounds EMU to twips on write, so give it whole twips.
        section.top_margin, section.bottom_margin = _mm(margins["top"]), _mm(margins["bottom"])
        section.left_margin, section.right_margin = _mm(margins["left"]), _mm(margins["right"])
        section.footer_distance = _mm(page["footer_mm"])
        section.header_distance = _mm(15)


def _mm(value: float) -> Twips:
    return Twips(round(value * 1440 / 25.4))


def _defaults(document: Any) -> None:
    """Document defaults: Chinese as the east-Asian language, no theme fonts to override ours."""
    defaults = document.styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _set_fonts(rpr, settings()["styles"]["Normal"]["face"])
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")
    # Styles left as the template has them (Heading 3, the linked character styles …) would still
    # draw in the theme's fonts: without the theme attributes they inherit the defaults above.
    for fonts in document.styles.element.iter(qn("w:rFonts")):
        for attr in _THEME_FONT_ATTRS:
            fonts.attrib.pop(qn(attr), None)


def _set_fonts(rpr: Any, face: str) -> None:
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in _THEME_FONT_ATTRS:
        fonts.attrib.pop(qn(attr), None)
    latin = settings()["latin"]
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:eastAsia"), face)
    fonts.set(qn("w:cs"), latin)
    fonts.set(qn("w:hint"), "eastAsia")


def set_style_font(style: Any, size: float | None = None, face: str | None = None) -> None:
    """Give an existing style the pack's Chinese face (Normal's unless named) and, if given, a size."""
    if size:
        style.font.size = Pt(size)
    _set_fonts(style.element.get_or_add_rPr(), face or settings()["styles"]["Normal"]["face"])


def _style(document: Any, name: str, spec: dict[str, Any]) -> None:
    styles = document.styles
    try:
        style = styles[name]
    except KeyError:
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = styles["Normal"]
    pPr = style.element.get_or_add_pPr()
    border = pPr.find(qn("w:pBdr"))  # the default Title's blue rule
    if border is not None:
        pPr.remove(border)
    font = style.font
    font.size = Pt(spec["size"])
    font.bold = spec.get("bold", False)
    font.italic = False
    font.color.rgb = BLACK
    _set_fonts(style.element.get_or_add_rPr(), spec["face"])
    paragraph = style.paragraph_format
    paragraph.alignment = ALIGN[spec.get("align", "justify")]
    paragraph.first_line_indent = Pt(spec["size"] * spec.get("indent", 0)) if "indent" in spec else None
    paragraph.space_before = Pt(spec.get("before", 0))
    paragraph.space_after = Pt(spec.get("after", 0))
    if spec.get("line") == "single":
        paragraph.line_spacing_rule = WD_LINE_SPACING.SINGLE
    else:
        paragraph.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        paragraph.line_spacing = Pt(spec["line"])


def _font_table(document: Any) -> None:
    """Declare each face with the name Word looks for when it is missing (w:altName), GB2312 charset."""
    part = _part(document, "/word/fontTable.xml")
    if part is None:
        return
    xml = part.blob.decode("utf-8")
    for face in settings()["faces"]:  # a face the template already declares is replaced, not doubled
        xml = re.sub(rf'<w:font w:name="{re.escape(face)}">.*?</w:font>', "", xml, flags=re.S)
    entries = "".join(
        f'<w:font w:name="{escape(face)}"><w:altName w:val="{escape(spec["alt"])}"/><w:charset w:val="86"/>'
        f'<w:family w:val="{spec["family"]}"/><w:pitch w:val="variable"/></w:font>'
        for face, spec in settings()["faces"].items())
    closing = xml.rindex("</w:fonts>")
    part._blob = (xml[:closing] + entries + xml[closing:]).encode("utf-8")


def _part(document: Any, name: str) -> Any:
    """A package part python-docx keeps as plain bytes (font table, extended properties)."""
    return next((p for p in document.part.package.parts if str(p.partname) == name), None)


def _properties(document: Any, office: str, title: str, subject: str) -> None:
    """Core and extended properties name the office and the briefing, never the library."""
    now = datetime.now(UTC).replace(microsecond=0, tzinfo=None)
    props = document.core_properties
    props.author = props.last_modified_by = office
    props.title, props.subject = title, subject
    props.comments = props.category = ""
    props.keywords = "政府信息公开;年度报告"
    props.created = props.modified = now
    props.revision = 1
    package = document.part.package
    for key, rel in list(package.rels.items()):  # the template's preview picture is not this document
        if rel.reltype.endswith("/thumbnail"):
            del package.rels[key]
    app = _part(document, "/docProps/app.xml")
    if app is not None:
        xml = app.blob.decode("utf-8")
        xml = re.sub(r"<Application>.*?</Application>", "<Application>Microsoft Office Word</Application>", xml)
        xml = re.sub(r"<Company>.*?</Company>|<Company/>", "", xml)
        xml = xml.replace("</Properties>", f"<Company>{escape(office)}</Company></Properties>")
        app._blob = xml.encode("utf-8")


def _page_numbers(document: Any) -> None:
    """— 1 — centred in the footer (4号 宋体), as 公文 number their pages."""
    for section in document.sections:
        paragraph = section.footer.paragraphs[0]
        paragraph.style = document.styles["Footer"]
        paragraph.add_run("— ")
        paragraph._p.append(_simple_field("PAGE", "1"))
        paragraph.add_run(" —")


def _simple_field(instruction: str, shown: str) -> Any:
    """A w:fldSimple with its cached result, so readers that do not update fields still show a number."""
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), f" {instruction} ")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = shown
    run.append(text)
    field.append(run)
    return field


def caption(document: Any, label: str, title: str, number: int) -> Any:
    """``label`` + a SEQ field numbering it (cached result ``number``) + a full-width space + title."""
    paragraph = document.add_paragraph(style="Caption")
    paragraph.add_run(f"{label} ")
    paragraph._p.append(_simple_field(f"SEQ {label} \\* ARABIC", str(number)))
    if title:
        paragraph.add_run(f"\u3000{title}")
    return paragraph


def table(document: Any, header: tuple[str, ...], rows: list[tuple[str, ...]], *, numeric: set[int],
          widths_mm: tuple[float, ...]) -> Any:
    """A ruled table in the table face; the header row repeats on each page; ``numeric`` columns
    are right-aligned (their header too, so it stands over its figures)."""
    grid = document.add_table(rows=1, cols=len(header))
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    grid.autofit = False
    _repeat_header(grid.rows[0])
    # LibreOffice lays a table out by its grid, Word by the cells' widths: set both.
    for column, width in zip(grid.columns, widths_mm, strict=True):
        column.width = Mm(width)
    for values in ((header, True), *((row, False) for row in rows)):
        texts, bold = values
        cells = grid.rows[0].cells if bold else grid.add_row().cells
        for index, (cell, text) in enumerate(zip(cells, texts, strict=True)):
            cell.width = Mm(widths_mm[index])
            paragraph = cell.paragraphs[0]
            paragraph.style = document.styles["Table Text"]
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT if index in numeric else (
                WD_ALIGN_PARAGRAPH.CENTER if bold else WD_ALIGN_PARAGRAPH.LEFT)
            run = paragraph.add_run(text)
            run.bold = bold
    return grid


def _repeat_header(row: Any) -> None:
    properties = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)
