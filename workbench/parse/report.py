"""Document → report record: the parse stage's entry point."""

from __future__ import annotations

import re
from pathlib import Path

from workbench.parse import metadata, ocr_cells, prose
from workbench.parse.record import (
    SECTION_KEYS,
    ActiveCell,
    ReportRecord,
    RequestCell,
    ReviewCell,
    Source,
)
from workbench.parse.sections import find_sections
from workbench.parse.tables import (
    REQUEST_COLUMNS,
    REVIEW_CELLS,
    TableValues,
    read_grid_tables,
    unread_keys,
)
from workbench.parse.text_tables import read_text_tables
from workbench.sources import Document, SourceError, read_document
from workbench.templates import Layouts, layouts
from workbench.textnorm import compact

_NORMATIVE_HINT = re.compile(r"规范性文件[^\d，。；,;]{0,8}?(\d+)件|(\d+)件[^，。；,;\d]{0,4}规范性文件")


class NotAReportError(SourceError):
    """The file was read, but it is not a 政府信息公开工作年度报告."""


def parse_file(path: str | Path) -> ReportRecord:
    """Read any supported file and parse it; raises SourceError with a plain reason."""
    return parse_document(read_document(path))


def parse_document(document: Document) -> ReportRecord:
    text = document.text()
    official = layouts()
    spans = find_sections(text)
    template = official.detect_template(text)
    _refuse_non_reports(document, text, template, len(spans))

    sections = dict.fromkeys(SECTION_KEYS, "")
    for span in spans:
        sections[span.key] = text[span.body_start : span.end].strip()
    preamble = text[: spans[0].heading_start] if spans else text

    agency, year = metadata.agency_and_year(metadata.title_candidates(document.meta.get("title"), preamble))
    year = year or metadata.statistics_year(text)
    signature = metadata.signature(text, year)
    if signature and spans:
        last = spans[-1]
        sections[last.key] = text[last.body_start : max(signature.start, last.body_start)].strip()

    record = ReportRecord(
        agency=agency or document.meta.get("publisher"),
        year=year,
        template=template,
        published_on=signature.date if signature else document.meta.get("page_date"),
        source=Source(path=document.path.name, sha256=document.sha256, format=document.format),
        sections=sections,
    )
    _note_gaps(record)
    if template is not None:
        _fill_tables(record, document, official, template, sections)
    ocr_cells.note_remote_images(record, document)
    record.submitted_info = prose.submitted_info(sections["overview"])
    record.problems, record.improvements = prose.split_problems(sections["problems"])
    record.fees_collected_yuan = prose.fees_collected_yuan(sections["other"])
    return record


def _refuse_non_reports(document: Document, text: str, template: str | None, sections: int) -> None:
    key = compact(text)
    looks_like_report = "政府信息公开" in key and ("年度报告" in key or sections >= 3)
    if template is None and (sections < 3 or not looks_like_report):
        raise NotAReportError(
            document.path,
            "not a 政府信息公开工作年度报告: found neither the official tables nor the report's sections",
        )


def _note_gaps(record: ReportRecord) -> None:
    # Missing sections and a missing date are compliance findings (checks: sections.missing,
    # timeliness.no_date), not parse decisions, so they are not repeated here.
    if record.agency is None:
        record.note("parse.no_agency", "warning", "no agency name found in the title")
    if record.year is None:
        record.note("parse.no_year", "error", "the year the report covers was not found")
    if record.template is None:
        record.note("parse.no_template", "error", "neither official table layout was recognised")


def _fill_tables(record: ReportRecord, document: Document, official: Layouts, template: str,
                 sections: dict[str, str]) -> None:
    layout = official.detect_request_layout(sections["requests"] or document.text())
    if layout not in official.request_layouts[template]:
        layout = official.request_layouts[template][0]
    values = read_grid_tables(document.tables, official, template, layout) if document.tables else TableValues()
    # Sections the grids did not carry (text files, or a table the reader could not
    # rebuild) are read from the section's text instead.
    missing = {
        "active": not values.active and "active" not in values.unreadable,
        "requests": not values.requests and "requests" not in values.unreadable,
        "review": values.review is None and "review" not in values.unreadable,
    }
    if any(missing.values()):
        from_text = read_text_tables(
            {k: v for k, v in sections.items() if missing.get(k)}, official, template, layout,
            hints={"normative_documents": _normative_hints(sections["overview"])},
        )
        if missing["active"]:
            values.active = from_text.active
        if missing["requests"]:
            values.requests = from_text.requests
        if missing["review"]:
            values.review = from_text.review
        values.findings += from_text.findings
    _to_cells(record, values, official, template, layout)
    for finding in values.findings:
        record.note(finding.rule, finding.severity, finding.message, finding.section)


def _normative_hints(overview: str) -> set[int]:
    return {int(a or b) for a, b in _NORMATIVE_HINT.findall(compact(overview))}


def _to_cells(record: ReportRecord, values: TableValues, official: Layouts, template: str, layout: str) -> None:
    for item, measures in official.item_measures(template):
        found = any((item.key, m) in values.active for m in measures)
        if not found:
            record.note("parse.missing_row", "warning", f"row {item.key} ({item.label}) not found", "active")
        for measure in measures:
            record.active_disclosure.append(
                ActiveCell(item.key, measure, values.active.get((item.key, measure)), unread=not found))
    applicants = official.applicant_keys
    for row in official.request_rows_for(layout):
        found = row.key in values.requests
        row_values = values.requests.get(row.key, [None] * REQUEST_COLUMNS)
        if not found and values.requests:
            record.note("parse.missing_row", "warning", f"row {row.key} ({row.label}) not found", "requests")
        record.requests.extend(RequestCell(row.key, a, v, unread=not found)
                               for a, v in zip(applicants, row_values, strict=True))
    review = values.review or [None] * REVIEW_CELLS
    record.review_litigation = [
        ReviewCell(p, r, v, unread=values.review is None)
        for (p, r), v in zip(official.review_cells(), review, strict=True)
    ]
    ocr_cells.mark_uncertain(record, values, {item.key: ms for item, ms in official.item_measures(template)},
                             official.amount_measures)
    ocr_cells.doubt_broken_identities(record)
    _mark_unreadable_runs(record, values)
    _note_unread_tables(record)


def _mark_unreadable_runs(record: ReportRecord, values: TableValues) -> None:
    """Cells of a run the parser saw printed but could not read are unread, not blank."""
    tables = {"active": (record.active_disclosure, "item"), "requests": (record.requests, "row"),
              "review": (record.review_litigation, "proceeding")}
    for section, (cells, key) in tables.items():
        unread = unread_keys(values.findings, section, {getattr(c, key) for c in cells})
        for cell in cells:
            if cell.value is None and getattr(cell, key) in unread:
                cell.unread = True


def _note_unread_tables(record: ReportRecord) -> None:
    """A reading failure is the workbench's own finding, worded as such, never the agency's."""
    tables = {"active": ("表二", record.active_disclosure), "requests": ("表三", record.requests),
              "review": ("表四", record.review_litigation)}
    for section, (name, cells) in tables.items():
        unread = sum(c.unread for c in cells)
        if not unread:
            continue
        if unread == len(cells):
            message = f"本工具未能读取{name}（{record.source.path}）：{len(cells)}格均未读出，不作为空白处理，请人工核对原文"
        else:
            message = (f"本工具未能读取{name}的{unread}/{len(cells)}格（{record.source.path}），"
                       "这些格不作为空白处理，请人工核对原文")
        record.note(f"read.{section}_unread", "warning", message, section)
