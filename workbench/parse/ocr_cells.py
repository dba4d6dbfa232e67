"""OCR'd cells in the record: provenance, uncertain readings left unread, remote pictures.

A reader that OCRs a page marks a cell it could not read with certainty as UNREAD_MARK and
keeps, for every cell, where it was read (``Table.sources``). Here those become the record's
unread cells, each with a finding of the workbench's own naming page and cell, and
``record.cell_sources`` (not in the spec's JSON). The tables' identities may confirm an OCR
reading, never invent one: where an identity fails and one of its cells was read with less
than DOUBT confidence, that cell is left unread rather than the agency accused; and a reading
below DOUBT that no identity can confirm (each of its identities lost another cell) is unread too.
"""

from __future__ import annotations

import re
import unicodedata

from workbench.parse.identities import OUTCOME_END_BEFORE, OUTCOME_START
from workbench.parse.record import ActiveCell, ReportRecord, RequestCell, ReviewCell
from workbench.parse.tables import REQUEST_COLUMNS, TableValues
from workbench.sources.document import CellSource, Document

_CJK = re.compile(r"[\u4e00-\u9fff]")  # a label cell, not a number beside the cell
DOUBT = 0.97  # an OCR reading below this is not trusted against a failing identity
# Counts (tables 三 and 四, and every measure of table 二 but its amounts of money): a whole
# number, thousands grouped right or not at all, signed only for 本年增/减. OCR text of another
# shape there (a speck read as a point: 496 → 4.96, 95 → 9.5) is a misreading, never a value.
_COUNT = re.compile(r"[+-]?(?:\d+|\d{1,3}(?:,\d{3})+)")

# The workbench's own finding for a cell OCR could not read with certainty (page and cell named).
_OCR_UNCERTAIN = ("本工具未能识别第{page}页表格第{row}行第{col}列单元格（{label}，识别置信度{confidence:.2f}），"
                  "该格按未读处理，不作为空白或数字，请人工核对原件（{file}）")


def mark_uncertain(record: ReportRecord, values: TableValues, measure_keys: dict[str, tuple[str, ...]],
                   amounts: frozenset[str] = frozenset()) -> None:
    """OCR'd cells: provenance on the record (not in the spec's JSON); uncertain ones, and counts
    read in another shape than a whole number, are unread. ``amounts``: table 二's measures of money."""
    cells: list[tuple[str, str, str, int, ActiveCell | RequestCell | ReviewCell]] = []
    for cell in record.active_disclosure:
        index = measure_keys[cell.item].index(cell.measure)
        cells.append(("active", "active_disclosure", cell.item, index, cell))
    for i, cell in enumerate(record.requests):
        cells.append(("requests", "requests", cell.row, i % REQUEST_COLUMNS, cell))
    for i, cell in enumerate(record.review_litigation):
        cells.append(("review", "review_litigation", "", i, cell))
    for section, table, key, index, cell in cells:
        source = values.source(section, key, index)
        if source is not None:
            record.cell_sources[(table, *_cell_key(cell))] = source
        counts = not (isinstance(cell, ActiveCell) and cell.measure in amounts)
        misshapen = (counts and source is not None and cell.value is not None
                     and not _COUNT.fullmatch("".join(unicodedata.normalize("NFKC", source.text).split())))
        if (section, key, index) not in values.uncertain and not misshapen:
            continue
        cell.value, cell.unread = None, True
        grid, r, c = values.where[(section, key, index)]
        label = "".join(x for x in grid.rows[r][:c] if x and _CJK.search(x))[:30] or "行标签未识别"
        record.note("read.ocr_uncertain", "warning", _OCR_UNCERTAIN.format(
            page=source.page if source else grid.page, row=r + 1, col=c + 1, label=label,
            confidence=source.confidence if source else 0.0, file=record.source.path), section)


def _cell_key(cell: ActiveCell | RequestCell | ReviewCell) -> tuple[str, str]:
    if isinstance(cell, ActiveCell):
        return cell.item, cell.measure
    if isinstance(cell, RequestCell):
        return cell.row, cell.applicant
    return cell.proceeding, cell.result


_OCR_DOUBTED = ("本工具对第{page}页{table}的识别把握不足（{key}/{column}格读作「{text}」，置信度{confidence:.2f}），"
                "且该表勾稽关系按此读数不成立：该格按未读处理，不据此判断填报对错，请人工核对原件（{file}）")


_OCR_UNCONFIRMED = ("本工具对第{page}页{table}的识别把握不足（{key}/{column}格读作「{text}」，置信度{confidence:.2f}），"
                    "且该格所在的勾稽关系因其他格未读而无法核对：该格按未读处理，请人工核对原件（{file}）")


def doubt_broken_identities(record: ReportRecord) -> None:
    """For each failing identity of tables 三 and 四 among OCR'd cells: the least certain cell
    below DOUBT is left unread (a misread digit, not the agency's arithmetic, is then the likelier)."""
    if not record.cell_sources:
        return
    rows: dict[str, dict[str, RequestCell]] = {}
    for cell in record.requests:
        rows.setdefault(cell.row, {})[cell.applicant] = cell
    order = list(rows)
    groups: list[tuple[list, list]] = []  # (left cells, right cells) whose sums must match
    for cells in rows.values():
        values = list(cells.values())
        groups.append((values[:-1], values[-1:]))
    outcomes = (order[order.index(OUTCOME_START):order.index(OUTCOME_END_BEFORE)]
                if OUTCOME_START in order and OUTCOME_END_BEFORE in order else [])
    applicants = list(next(iter(rows.values()))) if rows else []
    for applicant in applicants:
        def at(key: str, applicant: str = applicant) -> list[RequestCell]:
            return [rows[key][applicant]] if key in rows else []
        groups.append((at("new_received") + at("carried_over"), at("total_processed") + at("carried_forward")))
        if outcomes:
            groups.append(([c for k in outcomes for c in at(k)], at("total_processed")))
    review: dict[str, dict[str, ReviewCell]] = {}
    for cell in record.review_litigation:
        review.setdefault(cell.proceeding, {})[cell.result] = cell
    for results in review.values():
        parts = [results[k] for k in ("upheld", "corrected", "other", "pending") if k in results]
        groups.append((parts, [results["total"]] if "total" in results else []))
    for left, right in groups:
        _doubt(record, left, right)
    _unconfirmed(record, groups)


def _testable(left: list, right: list) -> bool:
    return bool(left and right) and all(c.value is not None for c in left + right)


def _holds(left: list, right: list) -> bool:
    return _testable(left, right) and abs(sum(c.value for c in left) - sum(c.value for c in right)) < 1e-6


def _doubt(record: ReportRecord, left: list, right: list) -> None:
    if not _testable(left, right) or _holds(left, right):
        return
    cells = left + right
    doubtful = [(s, c) for s, c in _sources(record, cells) if s.confidence < DOUBT]
    if not doubtful:
        return  # read with confidence: the identity's failure is the report's, for the checks
    source, cell = min(doubtful, key=lambda sc: sc[0].confidence)
    _unread(record, source, cell, _OCR_DOUBTED)


def _unconfirmed(record: ReportRecord, groups: list[tuple[list, list]]) -> None:
    """A reading below DOUBT that no identity confirms (each identity it is part of lost
    another of its cells, e.g. under a seal) is left unread too: a misread such as 33 → 3 at
    0.96 would otherwise stand unchecked. Zeros read as zeros are far above DOUBT."""
    confirmed = {id(c) for left, right in groups if _holds(left, right) for c in left + right}
    for left, right in groups:
        for source, cell in _sources(record, left + right):
            if cell.value is not None and id(cell) not in confirmed and source.confidence < DOUBT:
                _unread(record, source, cell, _OCR_UNCONFIRMED)


def _sources(record: ReportRecord, cells: list) -> list[tuple[CellSource, RequestCell | ReviewCell]]:
    table = "requests" if cells and isinstance(cells[0], RequestCell) else "review_litigation"
    return [(record.cell_sources[(table, *_cell_key(c))], c) for c in cells
            if (table, *_cell_key(c)) in record.cell_sources]


def _unread(record: ReportRecord, source: CellSource, cell: RequestCell | ReviewCell, message: str) -> None:
    requests = isinstance(cell, RequestCell)
    cell.value, cell.unread = None, True
    key, column = _cell_key(cell)
    record.note("read.ocr_uncertain", "warning", message.format(
        page=source.page, table="表三" if requests else "表四", key=key, column=column,
        text=source.text, confidence=source.confidence, file=record.source.path),
        "requests" if requests else "review")


def note_remote_images(record: ReportRecord, document: Document) -> None:
    """Tables missing from a page that shows pictures it links from the web (never fetched)."""
    remote = document.meta.get("remote_images", "").split()
    tables = {"表二": record.active_disclosure, "表三": record.requests, "表四": record.review_litigation}
    missing = [name for name, cells in tables.items() if not cells or all(c.unread for c in cells)]
    if not remote or not missing:
        return
    shown = "、".join(remote[:3]) + (f" 等{len(remote)}张" if len(remote) > 3 else "")
    record.note("read.remote_image", "warning",
                f"本工具未能读取{'、'.join(missing)}（{record.source.path}）：页面中的图片 {shown} 是网络地址，"
                "本工具不联网下载；这些表格可能以图片形式发布，请将图片随页面一并保存后再读取")
