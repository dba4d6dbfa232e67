"""Tables 二, 三 and 四 read from table grids (PDF geometry, HTML, DOCX).

Rows are recognised by their labels, not their position: each row's label cells
are matched against the template's rows (by meaning, see ``official.yaml``), and
its values are the run of number-or-blank cells at the end of the row. So a
table split across pages, a label wrapped over three lines or a label column
merged differently from the official template all read the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from workbench.parse.numbers import Number, parse_cell
from workbench.sources.document import UNREAD_MARK, CellSource, Table
from workbench.templates import Layouts, RequestRow

REQUEST_COLUMNS = 7
REVIEW_CELLS = 15

# Parser findings that mean "printed, but could not be read": the cells they leave
# empty are unread, not blank. The key (item, row or proceeding) leads the message;
# a message without one covers the whole section.
UNREAD_RULES = frozenset({"parse.ambiguous_split", "parse.unreadable_run", "parse.duplicate_row"})
UNREAD_MESSAGE = re.compile(r"left blank|cannot be read")
UNREAD_KEY = re.compile(r"^(?:row )?([a-z_]+):")


def unread_keys(findings: list, section: str, keys: set[str]) -> set[str]:
    """The keys (items, rows, proceedings) of ``section`` the parser's findings say it saw printed
    but could not read; a finding that names no key of the section means all of them."""
    unread: set[str] = set()
    for finding in findings:
        if finding.rule not in UNREAD_RULES or finding.section != section:
            continue
        if not UNREAD_MESSAGE.search(finding.message):
            continue  # the parser chose a reading: the cells are filled
        match = UNREAD_KEY.match(finding.message)
        if match and match.group(1) in keys:
            unread.add(match.group(1))
        else:
            return set(keys)
    return unread


@dataclass
class Finding:
    rule: str
    severity: str
    message: str
    section: str


@dataclass
class TableValues:
    """What was read from a report's tables, before it becomes record cells."""

    active: dict[tuple[str, str], Number | None] = field(default_factory=dict)
    requests: dict[str, list[Number | None]] = field(default_factory=dict)
    review: list[Number | None] | None = None
    findings: list[Finding] = field(default_factory=list)
    # Sections with a row the grid prints under a template label but with text where its
    # numbers belong (a stamp, 见附件): printed, so not to be read again from the text.
    unreadable: set[str] = field(default_factory=set)
    # Where each value was read: (section, key, index) → (table, grid row, grid column); and the
    # values an OCR reader marked uncertain (UNREAD_MARK): they become unread cells.
    where: dict[tuple[str, str, int], tuple[Table, int, int]] = field(default_factory=dict)
    uncertain: set[tuple[str, str, int]] = field(default_factory=set)

    def source(self, section: str, key: str, index: int) -> CellSource | None:
        """The OCR provenance of a value, if it was read from an image."""
        place = self.where.get((section, key, index))
        return place[0].sources.get(place[1:]) if place else None

    def note(self, rule: str, severity: str, message: str, section: str) -> None:
        self.findings.append(Finding(rule, severity, message, section))


_CJK = re.compile(r"[\u4e00-\u9fff]")  # a cell with a Chinese word is a heading, not a mark over a number
_DIGITS = re.compile(r"\d")


@dataclass
class _Row:
    label: str
    values: list[Number | None]  # the trailing number-or-blank cells, in order
    raw: list[str]
    label_cells: list[str] = field(default_factory=list)  # the cells the label was joined from
    uncertain: list[bool] = field(default_factory=list)  # per value: the reader marked it unread
    places: list[tuple[Table, int, int]] = field(default_factory=list)  # per value: grid position


def _split_row(cells: list[str]) -> _Row | None:
    """Label = the leading cells up to the trailing run of number-or-blank cells."""
    values: list[Number | None] = []
    uncertain: list[bool] = []
    index = len(cells)
    while index > 0:
        marked = UNREAD_MARK in cells[index - 1]  # printed, but the reader is not sure what
        value, is_number = (None, True) if marked else parse_cell(cells[index - 1])
        if not is_number:
            break
        values.insert(0, value)
        uncertain.insert(0, marked)
        index -= 1
    label = "".join(cells[:index])
    if not values:
        return None
    return _Row(label=label, values=values, raw=cells[index:], label_cells=list(cells[:index]),
                uncertain=uncertain)


def _track(found: TableValues, section: str, key: str, row: _Row, count: int) -> None:
    """Remember where the row's last ``count`` values were read (right-aligned, as stored)."""
    offset = count - min(count, len(row.values))
    for i in range(min(count, len(row.values))):
        j = len(row.values) - min(count, len(row.values)) + i
        if row.places:
            found.where.setdefault((section, key, offset + i), row.places[j])
        if row.uncertain[j]:
            found.uncertain.add((section, key, offset + i))


def _origin_columns(table: Table) -> list[list[int]]:
    return [[c for c, cell in enumerate(row) if cell is not None] for row in table.rows]


def read_grid_tables(tables: list[Table], layouts: Layouts, template: str, layout: str) -> TableValues:
    found = TableValues()
    request_rows = layouts.request_rows_for(layout)
    items = layouts.item_measures(template)
    next_request = 0
    # Every printing of a row or item, in order: a label printed twice with different
    # numbers leaves its cells blank (and unread) rather than picking one of them.
    printed: dict[tuple[str, str], list[list[Number | None]]] = {}
    unmatched: tuple[_Row, int] | None = None  # the last row, when it was table 三's shape but matched no label
    for table in tables:
        for r, (cells, columns) in enumerate(zip(table.origin_rows(), _origin_columns(table), strict=True)):
            row = _split_row(cells)
            before, unmatched = unmatched, None
            if row is None:
                _note_unreadable_row(found, cells, request_rows, items)
                continue
            row.places = [(table, r, c) for c in columns[len(columns) - len(row.values):]]
            if row.label:
                matched = _match_request_row(row.label, request_rows, next_request)
                if matched is not None and len(row.values) >= REQUEST_COLUMNS:
                    index, request_row = matched
                    if before is not None and before[1] == index - 1:
                        _store_between(found, printed, before[0], request_rows[index - 1])
                    values = row.values[-REQUEST_COLUMNS:]
                    printed.setdefault(("requests", request_row.key), []).append(values)
                    if request_row.key not in found.requests:
                        _track(found, "requests", request_row.key, row, REQUEST_COLUMNS)
                    found.requests.setdefault(request_row.key, values)
                    next_request = index + 1
                    continue
                item = next(((i, m) for i, m in items if i.matches(row.label)), None)
                if item is not None and item[0].key not in {k for k, _ in found.active}:
                    _store_item(found, item[0].key, item[1], row)
                    _track(found, "active", item[0].key, row, len(item[1]))
                    printed[("active", item[0].key)] = [[found.active[(item[0].key, m)] for m in item[1]]]
                    continue
                if item is not None and len(row.values) < REQUEST_COLUMNS:
                    # The same item again (not a table 三/四 row that happens to match its words).
                    printed[("active", item[0].key)].append(_item_values(item[1], row))
                    continue
            if len(row.values) >= REVIEW_CELLS and found.review is None:
                found.review = row.values[-REVIEW_CELLS:]
                _track(found, "review", "", row, REVIEW_CELLS)
            elif row.label and REQUEST_COLUMNS <= len(row.values) < REVIEW_CELLS and found.requests:
                unmatched = (row, next_request)
    _blank_duplicates(found, printed, {i.key: m for i, m in items})
    if found.review is None:
        found.review = _review_by_proceeding(tables, layouts)
    return found


def _store_between(found: TableValues, printed: dict, row: _Row, request_row: RequestRow) -> None:
    """A row whose label matched nothing (an OCR'd 以公开 for 予以公开), printed right between the
    rows before and after the one template row ``request_row``: by its place it can be no other
    row. Taken only when most characters of its own label (the last label cell: the ones before
    are the group's, 三、本年度办理结果) are that row's own."""
    own = next((c for c in reversed(row.label_cells) if _CJK.search(c or "")), row.label)
    if request_row.key in found.requests or not _resembles(own, request_row.label):
        return
    values = row.values[-REQUEST_COLUMNS:]
    printed.setdefault(("requests", request_row.key), []).append(values)
    _track(found, "requests", request_row.key, row, REQUEST_COLUMNS)
    found.requests[request_row.key] = values


def _resembles(label: str, template_label: str) -> bool:
    words = _CJK.findall(label)
    own = set(_CJK.findall(template_label))
    return len(words) >= 2 and sum(w in own for w in words) >= 0.6 * len(words)


def _note_unreadable_row(found: TableValues, cells: list[str], request_rows: tuple[RequestRow, ...],
                         items: list) -> None:
    """A row whose first cell is a template label and whose other cells hold text, not numbers;
    or table 四's row of values (15 cells) printed as marks without a single word of a heading."""
    if len(cells) >= REVIEW_CELLS and all(c.strip() and not _CJK.search(c) for c in cells[-REVIEW_CELLS:]):
        found.unreadable.add("review")
        found.note("parse.unreadable_run", "warning",
                   f"the grid prints '{' '.join(cells[-REVIEW_CELLS:])[:40]}' where table 四's numbers belong;"
                   " cannot be read", "review")
        return
    if len(cells) < 2 or not all(c.strip() for c in cells[1:]):
        return
    label = cells[0]
    request_row = next((r for r in request_rows if r.matches(label)), None)
    item = next((i for i, _ in items if i.matches(label)), None)
    if request_row is not None:
        section, key = "requests", request_row.key
    elif item is not None:
        section, key = "active", item.key
    else:
        return
    found.unreadable.add(section)
    found.note("parse.unreadable_run", "warning",
               f"{key}: the grid prints '{' '.join(cells[1:])[:40]}' where numbers belong; cannot be read", section)


def _match_request_row(label: str, rows: tuple[RequestRow, ...], start: int) -> tuple[int, RequestRow] | None:
    """The first template row at or after ``start`` whose words the label carries.

    Walking in template order keeps 3.其他 (under 其他处理) from being read as an
    earlier row, and a row the report skipped does not stop the rest.
    """
    for index in range(start, len(rows)):
        if rows[index].matches(label):
            return index, rows[index]
    # A row printed out of order (rare): accept any match rather than lose it.
    for index in range(0, start):
        if rows[index].matches(label):
            return index, rows[index]
    return None


def _item_values(measures: tuple[str, ...], row: _Row) -> list[Number | None]:
    """The row's values for the item's measures, as _store_item reads them (short rows padded)."""
    values = row.values[-len(measures) :]
    return [None] * (len(measures) - len(values)) + values


def _blank_duplicates(found: TableValues, printed: dict[tuple[str, str], list[list[Number | None]]],
                      measures: dict[str, tuple[str, ...]]) -> None:
    """A row or item printed more than once with different numbers: neither printing is certain."""
    for (section, key), readings in printed.items():
        distinct = list(dict.fromkeys(tuple(r) for r in readings))
        if len(distinct) < 2:
            continue
        shown = " / ".join(", ".join(_shown(v) for v in r) for r in distinct)
        times = "twice" if len(readings) == 2 else f"{len(readings)} times"
        if section == "requests":
            found.requests[key] = [None] * REQUEST_COLUMNS
        else:
            for measure in measures[key]:
                found.active[(key, measure)] = None
        found.note("parse.duplicate_row", "warning",
                   f"{key}: printed {times} with different numbers ({shown}); left blank", section)


def _shown(value: Number | None) -> str:
    if value is None:
        return "blank"
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def _store_item(found: TableValues, item: str, measures: tuple[str, ...], row: _Row) -> None:
    values = row.values[-len(measures) :]
    stray = [c for c in row.label_cells[1:] if _DIGITS.search(c)]
    if len(values) < len(measures) and stray:
        # A cell with digits among the label cells where this row's numbers belong ("60 60":
        # two numbers in one cell, a lost cell boundary): the row cannot be read.
        found.note("parse.unreadable_run", "warning",
                   f"{item}: the grid prints '{' '.join(stray)[:40]}' where numbers belong; cannot be read", "active")
        values = [None] * len(measures)
    elif len(values) < len(measures):
        found.note("parse.short_row", "warning",
                   f"{item}: {len(values)} value(s) for {len(measures)} columns", "active")
        values = [None] * (len(measures) - len(values)) + values
    for measure, value in zip(measures, values, strict=True):
        found.active[(item, measure)] = value


def _review_by_proceeding(tables: list[Table], layouts: Layouts) -> list[Number | None] | None:
    """Section 四 printed as one row per proceeding (5 cells each) instead of one row of 15."""
    blocks: dict[str, list[Number | None]] = {}
    words = {"review": ("复议",), "litigation_direct": ("直接起诉", "未经复议"),
             "litigation_after_review": ("复议后",)}
    for table in tables:
        for cells in table.origin_rows():
            row = _split_row(cells)
            if row is None or len(row.values) != 5 or not row.label:
                continue
            for key in ("litigation_after_review", "litigation_direct", "review"):
                if any(w in row.label for w in words[key]) and key not in blocks:
                    blocks[key] = row.values
                    break
    if len(blocks) != 3:
        return None
    return [v for p in layouts.proceedings for v in blocks[p.key]]
