"""Numbers that text in reading order prints apart from their labels, read by the tables' structure.

``pdftotext`` without ``-layout`` prints a table cell by cell in its own reading order: a row's
label lines, then the numbers of several rows; a wrapped label around its numbers; a block's
numbers before its item labels. ``text_tables`` reads a label's run of numbers when that is
unambiguous and leaves the rest unread; here the rows and items it left unread are read when
the template's fixed order of rows and columns settles them *without doubt*:

* 表三: the section's numbers fall into runs (numbers with only whitespace between them). A
  run must hold whole rows (a multiple of 7 numbers, each row's 总计 the sum of its applicant
  columns) and the runs follow the rows' template order. Labels standing right before a run
  pin it: k labels of consecutive rows before a run of at least k rows are among that run's
  rows. Every placement of the runs on the rows that keeps those pins, agrees with the rows
  already read and breaks no column identity (新收 + 上年结转 = 总计 + 结转下年度; 总计 = sum
  of the outcome rows) is enumerated; a row is read only when every placement gives it the
  same numbers.
* 表二: each block prints its header line of measures, then its item rows, the numbers before
  or after the labels. Between one header line and the next, the numbers are read in template
  order onto the items of that header's measures whose labels stand there, when their count is
  exactly items × measures.
* 表四: the section's 15 numbers, when each proceeding's 总计 holds row by row and reading them
  result by result would not also fit.

Anything else stays unread, with its finding: a number is never put in a cell on a guess.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from workbench.parse.identities import column_violations, review_totals_hold, row_total_holds
from workbench.parse.numbers import Number, parse_cell
from workbench.parse.running_text import dot_ordinals, plausible, running_patterns
from workbench.parse.tables import (
    REQUEST_COLUMNS,
    REVIEW_CELLS,
    UNREAD_RULES,
    TableValues,
    unread_keys,
)
from workbench.templates import Item, Label, RequestRow, layouts
from workbench.textnorm import nfkc

_PAGE = re.compile(r"(?m)^[ \t]*[-—–][ \t]*\d{1,3}[ \t]*[-—–][ \t]*$")  # page footer "-2-"
_VALUE = re.compile(r"(?<![\d.])-?\d[\d,]*(?:\.\d+)?(?:万元|元)?")
_MAX_PLACEMENTS = 500
_NOTE = "read from numbers printed apart from their labels (reading order), as the only placement the table allows"


@dataclass
class _Token:
    text: str
    start: int
    end: int


@dataclass
class _Run:
    tokens: list[_Token]
    chunk: str  # label view of the text between the previous run and this one


class _View:
    """Section text as printed (page footers blanked), its value numbers, and a label view:
    the text without whitespace and value numbers, where a label wrapped around numbers reads whole."""

    def __init__(self, text: str):
        spaced = dot_ordinals(text)
        self.spaced = _PAGE.sub(lambda m: " " * len(m.group()), spaced)
        self.tokens = [_Token(m.group(), m.start(), m.end()) for m in _VALUE.finditer(self.spaced)
                       if not _is_ordinal(self.spaced, m)]

    def labels(self, start: int, end: int) -> str:
        """Label view of spaced[start:end]."""
        hidden = {i for t in self.tokens if t.end > start and t.start < end for i in range(t.start, t.end)}
        return "".join(ch for i, ch in enumerate(self.spaced[start:end], start)
                       if not ch.isspace() and i not in hidden)

    def runs(self) -> list[_Run]:
        runs: list[_Run] = []
        previous_end = 0
        for token in self.tokens:
            if runs and not self.spaced[previous_end:token.start].strip():
                runs[-1].tokens.append(token)
            else:
                runs.append(_Run([token], self.labels(previous_end, token.start)))
            previous_end = token.end
        return runs


def _is_ordinal(text: str, match: re.Match[str]) -> bool:
    """``2.`` before a label: a one- or two-digit number followed by a full stop and no digit."""
    value = match.group()
    return (len(value) <= 2 and value.isdigit() and text[match.end():match.end() + 1] == "."
            and not text[match.end() + 1:match.end() + 2].isdigit())


def _labels_in(chunk: str, labels: Sequence[Label], whole_cell: bool) -> list[int]:
    """Indexes of the labels found in ``chunk``, in the order they stand (each by its last place)."""
    places: dict[int, int] = {}
    for index, label in enumerate(labels):
        ends = [m.end() for p in running_patterns(label, whole_cell=whole_cell) for m in p.finditer(chunk)]
        if ends:
            places[index] = max(ends)
    return sorted(places, key=places.__getitem__)


def _count(token: _Token) -> int | None:
    value, _ = parse_cell(token.text)
    return value if isinstance(value, int) and value >= 0 and not token.text.endswith("元") else None


def _retire(found: TableValues, section: str, keys: set[str]) -> None:
    """Drop the unread / not-found findings of the keys now read."""
    def names(message: str) -> str | None:
        match = re.match(r"^(?:row )?([a-z_]+)[: ]", message)
        return match.group(1) if match else None

    found.findings = [f for f in found.findings
                      if not (f.section == section and f.rule in {*UNREAD_RULES, "parse.missing_row"}
                              and names(f.message) in keys)]


# --- 表三 -------------------------------------------------------------------------

def fill_requests(found: TableValues, text: str, rows: Sequence[RequestRow]) -> None:
    keys = [r.key for r in rows]
    unread = unread_keys(found.findings, "requests", set(keys))
    read = {k: v for k, v in found.requests.items() if k not in unread and None not in v}
    todo = [k for k in keys if k not in read]
    if not todo:
        return
    view = _View(text)
    spans = _request_spans(view.runs(), rows)
    if spans is None:
        return
    placements = _placements(spans, keys, read)
    if not placements:
        return
    filled: dict[str, list[Number | None]] = {}
    for key in todo:
        readings = {tuple(p[key]) if key in p else None for p in placements}
        if len(readings) == 1 and (reading := readings.pop()) is not None:
            filled[key] = list(reading)
    if not filled:
        return
    found.requests.update(filled)
    _retire(found, "requests", set(filled))
    found.note("parse.reading_order", "info", f"rows {', '.join(filled)}: {_NOTE}", "requests")


@dataclass
class _Span:
    rows: list[list[Number | None]]  # the run's rows, 7 numbers each
    lowest: int  # the run's first row lies in [lowest, highest]
    highest: int


def _request_spans(runs: list[_Run], rows: Sequence[RequestRow]) -> list[_Span] | None:
    """The runs as whole rows with where their first row may stand, or None when some run is not
    whole rows (a blank cell printed as nothing, a number that is not a count)."""
    spans: list[_Span] = []
    for run in runs:
        values = [_count(t) for t in run.tokens]
        if None in values or len(values) % REQUEST_COLUMNS:
            return None
        groups: list[list[Number | None]] = [
            list(values[i:i + REQUEST_COLUMNS]) for i in range(0, len(values), REQUEST_COLUMNS)]
        if not all(row_total_holds(g) for g in groups):
            return None
        lowest, highest = 0, len(rows) - len(groups)
        chain = _chain(_labels_in(run.chunk, rows, whole_cell=False))
        if chain and len(chain) <= len(groups):
            # k labels of consecutive rows stand right before the run: they are among its rows.
            lowest, highest = max(lowest, chain[-1] - len(groups) + 1), min(highest, chain[0])
        if lowest > highest:
            return None
        spans.append(_Span(groups, lowest, highest))
    return spans


def _chain(order: list[int]) -> list[int]:
    """The labels standing last before a run that are consecutive rows, in row order."""
    chain = order[-1:]
    for index in reversed(order[:-1]):
        if index != chain[0] - 1:
            break
        chain.insert(0, index)
    return chain


def _placements(spans: list[_Span], keys: list[str],
                read: dict[str, list[Number | None]]) -> list[dict[str, list[Number | None]]]:
    """Every placement of the runs on the rows, in order, that agrees with the rows already
    read and breaks no column identity; [] when there are none or too many to be sure."""
    placements: list[dict[str, list[Number | None]]] = []
    chosen: dict[str, list[Number | None]] = {}
    overflow = False

    def walk(index: int, first_free: int) -> None:
        nonlocal overflow
        if overflow:
            return
        if index == len(spans):
            table = {**read, **chosen}
            if column_violations({k: table[k] for k in keys if k in table}, keys) == 0:
                placements.append(dict(chosen))
                overflow = len(placements) > _MAX_PLACEMENTS
            return
        span = spans[index]
        room = len(keys) - sum(len(s.rows) for s in spans[index + 1:])
        for start in range(max(first_free, span.lowest), min(span.highest, room - len(span.rows)) + 1):
            placed = dict(zip(keys[start:start + len(span.rows)], span.rows, strict=True))
            if any(k in read and read[k] != v for k, v in placed.items()):
                continue
            chosen.update(placed)
            walk(index + 1, start + len(span.rows))
            for key in placed:
                del chosen[key]

    walk(0, 0)
    return [] if overflow else placements


# --- 表二 -------------------------------------------------------------------------

_SIGNED = {"change"}  # 本年增/减 may be negative
_AMOUNTS = layouts().amount_measures  # money; every other measure counts


def fill_active(found: TableValues, text: str, items: Sequence[tuple[Item, tuple[str, ...]]],
                measure_labels: dict[str, str]) -> None:
    keys = {i.key for i, _ in items}
    unread = unread_keys(found.findings, "active", keys)

    def is_read(item: Item, measures: tuple[str, ...]) -> bool:
        return item.key not in unread and all((item.key, m) in found.active for m in measures)

    if all(is_read(i, m) for i, m in items):
        return
    view = _View(text)
    filled: dict[str, list[Number]] = {}
    for measures, start, end in _blocks(view, {m for _, m in items}, measure_labels):
        block = [(n, i) for n, (i, m) in enumerate(items) if m == measures]
        standing = set(_labels_in(view.labels(start, end), [i for _, i in block], whole_cell=True))
        members = [block[n] for n in sorted(standing)]
        if not members or [n for n, _ in members] != list(range(members[0][0], members[0][0] + len(members))):
            continue  # the labels standing here are not consecutive items of the template
        tokens = [t for t in view.tokens if start <= t.start < end]
        if len(tokens) != len(members) * len(measures):
            continue
        values = [_active_value(t, measures[n % len(measures)]) for n, t in enumerate(tokens)]
        if None in values:
            continue
        rows = [values[n * len(measures):(n + 1) * len(measures)] for n in range(len(members))]
        if not all(plausible(measures, r) for r in rows):
            continue
        if _column_major_fits(tokens, measures, len(members), rows):
            continue  # printed column by column would fit as well: not the only reading
        if any(is_read(item, measures) and [found.active[(item.key, m)] for m in measures] != row
               for (_, item), row in zip(members, rows, strict=True)):
            continue  # disagrees with what was read after the labels: not the only reading
        for (_, item), row in zip(members, rows, strict=True):
            if not is_read(item, measures):
                filled[item.key] = row  # type: ignore[assignment]
                found.active.update({(item.key, m): v for m, v in zip(measures, row, strict=True)})
    if filled:
        _retire(found, "active", set(filled))
        found.note("parse.reading_order", "info", f"items {', '.join(filled)}: {_NOTE}", "active")


def _column_major_fits(tokens: list[_Token], measures: tuple[str, ...], items: int,
                       rows: list[list[Number | None]]) -> bool:
    """Whether the same numbers read down the columns (pdftotext sometimes prints a table so)
    give other, equally valid rows: then the row-by-row reading is not the only one."""
    if items < 2 or len(measures) < 2:
        return False
    other = [[_active_value(tokens[column * items + item], measure) for column, measure in enumerate(measures)]
             for item in range(items)]
    if other == rows or any(None in row for row in other):
        return False
    return all(plausible(measures, row) for row in other)


def _blocks(view: _View, kinds: set[tuple[str, ...]],
            measure_labels: dict[str, str]) -> list[tuple[tuple[str, ...], int, int]]:
    """(measures, start, end) of each block: from a header line of measures to the next one."""
    found: list[tuple[int, int, tuple[str, ...]]] = []
    for measures in kinds:
        words = [re.sub(r"\s+", "", nfkc(measure_labels[m])) for m in measures]
        pattern = r"\s*".join(re.escape(ch) for ch in "".join(words))
        found += [(m.start(), m.end(), measures) for m in re.finditer(pattern, view.spaced)]
    found.sort(key=lambda f: (f[0], -(f[1] - f[0])))
    headers: list[tuple[int, int, tuple[str, ...]]] = []
    for header in found:
        if not headers or header[0] >= headers[-1][1]:
            headers.append(header)  # a shorter header inside a longer one is part of it
    return [(measures, end, headers[n + 1][0] if n + 1 < len(headers) else len(view.spaced))
            for n, (_, end, measures) in enumerate(headers)]


def _active_value(token: _Token, measure: str) -> Number | None:
    value, _ = parse_cell(token.text)
    if value is None or (token.text.endswith("元") and measure not in _AMOUNTS):
        return None
    if measure in _AMOUNTS:
        return value if value >= 0 else None
    if not isinstance(value, int) or (value < 0 and measure not in _SIGNED):
        return None
    return value


# --- 表四 -------------------------------------------------------------------------

def fill_review(found: TableValues, text: str) -> None:
    """The 15 numbers of 表四 when they are all the section prints and read row by row only."""
    if found.review is not None and any(v is not None for v in found.review):
        return
    values = [_count(t) for t in _View(text).tokens]
    if len(values) != REVIEW_CELLS or None in values or not review_totals_hold(values):
        return
    by_result = [values[r * 3 + p] for p in range(3) for r in range(5)]  # printed result by result
    if by_result != values and review_totals_hold(by_result):
        return
    found.review = values
    found.findings = [f for f in found.findings if not (f.section == "review" and f.rule in UNREAD_RULES)]
    found.note("parse.reading_order", "info", f"the table's {REVIEW_CELLS} numbers: {_NOTE}", "review")
