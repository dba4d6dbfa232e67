"""Tables 二, 三 and 四 read from text, where the grid is gone.

Two kinds of text reach here: PDF-extracted text (labels wrapped over lines,
numbers after the label separated by spaces) and portal-crawler text, where a
row's cells are run together (``一、本年新收政府信息公开申请数量801000081``).

Each template row is found by its label's words, in template order; the row's
printed run is the number text between the label and the next row's label.
A run with fewer boundaries than cells is split every well-formed way, and the
table's identities choose: row total = sum of the applicant columns, then the
per-column identities across rows. Where more than one reading survives, the
cells that differ are left blank and a finding lists the candidates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from itertools import product

from workbench.parse.identities import column_violations, row_total_holds
from workbench.parse.numbers import (
    MAX_COUNT_DIGITS,
    Number,
    run_splits,
    run_tokens,
    splits_with_totals,
    yuan_from_10k,
)
from workbench.parse.reading_order import fill_active, fill_requests, fill_review
from workbench.parse.running_text import dot_ordinals, plausible, running_patterns
from workbench.parse.tables import REQUEST_COLUMNS, REVIEW_CELLS, TableValues
from workbench.templates import Label, Layouts, layouts
from workbench.textnorm import nfkc

_RUN_CHARS = re.compile(r"[-\d.,\s]*")
_FIRST_NUMBER = re.compile(r"-?\d")
_NUMBER_TOKEN = re.compile(r"-?\d[\d,]*(?:\.\d+)?")
_IN_10K = "万元"
_TEN_THOUSAND = re.compile(r"\s*万元")
_MAX_COMBINATIONS = 200_000
_MAX_READINGS = 5_000  # beyond this a run that breaks its identity is left blank
_BLANK_MARK = re.compile(r"^\s*(?:[—–/／\-]+|无)(?![\u4e00-\u9fff\d])")  # right after the label, alone
_SILENT = "\x00"  # a label followed by no number and no blank mark: unread, not blank
_STRAY = "\x00stray"  # key in a runs dict: some number stands outside every row's run
_SILENT_NOTE = "no number printed after the label (the numbers may stand apart from the labels)"



# A group label printed down a narrow column (（三）不予公开, 三、本年度办理结果): one character at
# the start of several lines, set apart from the row label beside it by spaces, or alone.
_VERTICAL_CHAR = re.compile(r"(?:^[\x0c ]*|(?<=  ))([\u4e00-\u9fff（）()、])(?=  |$)")
_VERTICAL_REACH = 2  # the next character of a column stands on one of the next two lines with text


@cache
def _group_labels() -> tuple[str, ...]:
    return tuple(re.sub(r"\s+", "", nfkc(label)) for label in layouts().request_groups)


def _isolated(line: str) -> list[int]:
    """Positions of the lone characters at the start of a line, before its first longer word."""
    positions = []
    for match in _VERTICAL_CHAR.finditer(line):
        if any(len(word) > 1 for word in line[: match.start()].split()):
            break
        positions.append(match.start(1))
    return positions


def _without_vertical_labels(text: str) -> str:
    """The text with table 三's group labels that run down a column blanked out (same length),
    so they no longer interleave with the row labels beside them (保护第三方 read as 保（护第三三
    方）). A group label is blanked where its characters stand alone at the start of successive
    lines with text (every line or every other: pdftotext -layout may put a line between two rows'
    label lines, and two group labels may share a line: 三   供), spelling a group label of the
    template in order; a label's own last character on a line of its own (案 / 卷) stays."""
    lines = text.split("\n")
    marks = [_isolated(line) for line in lines]
    texted = [n for n, line in enumerate(lines) if line.strip(" \x0c")]
    after = {n: texted[i + 1: i + 1 + _VERTICAL_REACH] for i, n in enumerate(texted)}
    out = list(lines)
    used: set[tuple[int, int]] = set()
    for group in _group_labels():
        for first in texted:
            for column in marks[first]:
                if (first, column) in used or lines[first][column] != group[0]:
                    continue
                path, at = [(first, column)], first
                while len(path) < len(group):
                    want = group[len(path)]
                    step = next(((n, c) for n in after[at] for c in marks[n]
                                 if (n, c) not in used and lines[n][c] == want), None)
                    if step is None:
                        break
                    path.append(step)
                    at = step[0]
                if len(path) == len(group):
                    for n, c in path:
                        used.add((n, c))
                        out[n] = out[n][:c] + " " + out[n][c + 1:]
    return "\n".join(out)


class _Text:
    """Section text in two aligned forms: ``spaced`` keeps every character (spaces are
    cell boundaries), ``labels`` drops whitespace and value digits, so a label that
    PDF text wraps around its numbers (``逾期不`` / ``3 0 0 0 0 0 3`` / ``补正``) reads
    as one phrase. Ordinals (``2.`` before a label) stay in the label view."""

    def __init__(self, text: str):
        self.spaced = _without_vertical_labels(dot_ordinals(text))
        hidden: set[int] = set()
        for token in _NUMBER_TOKEN.finditer(self.spaced):
            start, end = token.span()
            if _is_ordinal_end(self.spaced, end):
                end -= 1  # "…42." glued to the next label: its last digit is that label's ordinal
            hidden.update(range(start, end))
        keep = [i for i, ch in enumerate(self.spaced) if not ch.isspace() and i not in hidden]
        self.labels = "".join(self.spaced[i] for i in keep)
        self._to_spaced = [*keep, len(self.spaced)]

    def spaced_at(self, label_index: int) -> int:
        return self._to_spaced[label_index]


def _is_ordinal_end(text: str, end: int) -> bool:
    """A number ending at ``end`` whose last digit is an ordinal: followed by . or 、 and a non-digit."""
    return text[end : end + 1] in (".", "、") and not text[end + 1 : end + 2].isdigit()


@dataclass
class _Hit:
    key: str
    start: int  # positions in the label view of the label's matched words
    end: int


def _find_labels(text: _Text, labels: list[Label]) -> list[_Hit]:
    hits: list[_Hit] = []
    position = 0
    for label in labels:
        matches = [m for p in running_patterns(label) if (m := p.search(text.labels, position))]
        if not matches:
            continue
        first = min(matches, key=lambda m: (m.start(), -m.end()))
        start = _label_start(text.labels, first.start(), position, label)
        hits.append(_Hit(label.key, start, first.end()))
        position = first.end()
    return hits


def _label_start(view: str, start: int, floor: int, label: Label) -> int:
    """Where the label's words begin: a pattern may match only their end (执法案卷 of
    7.属于行政执法案卷), and a narrow column wraps the rest onto earlier lines, before the
    row's numbers. Step back over the label's own preceding words as the view prints them."""
    official = re.sub(r"\s+", "", dot_ordinals(label.label))
    matched = view[start : start + 2]
    at = official.find(matched) if matched else -1
    if at <= 0:
        return start
    prefix = official[:at]
    for length in range(min(len(prefix), start - floor), 0, -1):
        if view[start - length : start] == prefix[-length:]:
            return start - length
    return start


def _runs(text: _Text, hits: list[_Hit], labels: dict[str, Label], headers: tuple[str, ...] = ()) -> dict[str, str]:
    """Each found label's printed run: the number text after its words, up to the next label.

    ``headers``: the table's header words; a run that starts only after some of them belongs to
    another block (the label's own numbers were printed before it)."""
    runs: dict[str, str] = {}
    before = text.spaced[: text.spaced_at(hits[0].start)] if hits else ""
    if any(not (len(m.group()) <= 2 and _is_ordinal_end(before, m.end())) for m in _NUMBER_TOKEN.finditer(before)):
        runs[_STRAY] = ""  # numbers before the first label: the table prints numbers apart from labels
    for index, hit in enumerate(hits):
        # From the label's words (numbers may sit inside a wrapped label) to the next label.
        start = text.spaced_at(hit.start)
        end = text.spaced_at(hits[index + 1].start) if index + 1 < len(hits) else len(text.spaced)
        region = text.spaced[start:end]
        first = next((m for m in _NUMBER_TOKEN.finditer(region)
                      if not (len(m.group()) <= 2 and _is_ordinal_end(region, m.end()))), None)
        if first is None:
            # Nothing printed after the label: blank, unless the table turns out to print
            # its numbers apart from its labels (see _settle_silent). A blank mark (— / 无)
            # after the label is a blank either way.
            after = text.spaced[text.spaced_at(hit.end) : end] if hit.end < len(text.labels) else ""
            runs[hit.key] = "" if _BLANK_MARK.match(after) else _SILENT
            continue
        gap = re.sub(r"\s+", "", text.spaced[text.spaced_at(hit.end) : start + first.start()]) if hit.end < len(
            text.labels) else ""
        if any(word in gap for word in headers):
            # The table's own header words (另一栏的“采购项目数量”, 第二十条第（九）项) stand between the
            # label and the first number: pdftotext's reading order printed this row's numbers
            # elsewhere (before the label). Those numbers are another block's: unread, never theirs.
            runs[hit.key] = _SILENT
            runs[_STRAY] = ""
            continue
        run = _RUN_CHARS.match(region, first.start()).group()  # type: ignore[union-attr]
        after = region[first.start() + len(run) :]
        next_label = labels[hits[index + 1].key].label if index + 1 < len(hits) else ""
        runs[hit.key] = _drop_next_ordinal(run, after, next_label)
        if any(not (len(m.group()) <= 2 and _is_ordinal_end(after, m.end())) for m in _NUMBER_TOKEN.finditer(after)):
            runs[_STRAY] = ""  # a number after the row's run, before the next label: numbers stand apart
        if _TEN_THOUSAND.match(after):
            runs[hit.key] += _IN_10K  # the run's last cell is printed in 万元 (采购总金额 840.14万元)
    return runs


# Header words of table 三 long enough not to occur inside a row label (自然人/其他/总计 do).
_REQUEST_HEADERS = ("申请人情况", "法人或其他组织", "商业企业", "科研机构", "社会公益组织", "法律服务机构")


def _active_headers(layouts: Layouts) -> tuple[str, ...]:
    """Table 二's header words: each block's measure headings and its clause line."""
    return tuple(nfkc(label) for label in layouts.measure_labels.values()) + ("第二十条", "信息内容")


def _settle_silent(runs: dict[str, str], cells: dict[str, int]) -> dict[str, str]:
    """Silent rows (a label and no number) are blank in a table that prints each row's
    numbers after its label. Where some row's run holds more numbers than the row has
    cells, or a number stands after a run before the next label, the text prints numbers
    apart from their labels (pdftotext's reading order): a silent row's numbers may be
    among them, so it stays unread."""
    stray = runs.pop(_STRAY, None) is not None
    if stray or any(len(run_tokens(run)) > cells[key] for key, run in runs.items() if run not in ("", _SILENT)):
        return runs
    return {key: "" if run == _SILENT else run for key, run in runs.items()}


def _unit(run: str) -> tuple[str, bool]:
    """The run without a trailing 万元, and whether it had one."""
    return (run.removesuffix(_IN_10K), True) if run.endswith(_IN_10K) else (run, False)


def _drop_next_ordinal(run: str, after: str, next_label: str) -> str:
    """``40000042.其他法律…``: the trailing ``2.`` is the next row's ordinal, not a value."""
    ordinal = re.search(r"(\d)\.", next_label)
    if not ordinal:
        return run.rstrip(" .,")
    digit = ordinal.group(1)
    stripped = run.rstrip()
    if stripped.endswith(digit + ".") and not after[:1].isdigit():
        return stripped[:-2]
    if stripped.endswith(digit) and after[:1] in ("、", "."):
        return stripped[:-1]
    return stripped.rstrip(" .,")


def read_text_tables(sections: dict[str, str], layouts: Layouts, template: str, layout: str,
                     hints: dict[str, set[int]] | None = None) -> TableValues:
    found = TableValues()
    if "active" in sections:
        _read_active(found, sections["active"], layouts, template, hints or {})
    if "requests" in sections:
        _read_requests(found, sections["requests"], layouts, layout)
    if "review" in sections:
        _read_review(found, sections["review"], layouts)
    return found


# --- section 二 -----------------------------------------------------------------

# 2021 layout: yearly flows (issued, repealed) and the stock in force are of
# similar magnitude in real reports (88/55/698, 77/132/470, 62/33/440), so among
# the readings left, the one with the most even digit lengths is taken, and the
# finding says so. The 2019 layout has no such regularity, so it stays blank.
_EVEN_FLOWS = {("issued", "repealed", "in_force")}


def _read_active(found: TableValues, text: str, layouts: Layouts, template: str,
                 hints: dict[str, set[int]]) -> None:
    items = layouts.item_measures(template)
    spaced = _Text(text)
    hits = _find_labels(spaced, [i for i, _ in items])
    runs = _runs(spaced, hits, {i.key: i for i, _ in items}, _active_headers(layouts))
    runs = _settle_silent(runs, {i.key: len(m) for i, m in items})
    for item, measures in items:
        if item.key not in runs:
            continue
        if runs[item.key] == _SILENT:
            found.note("parse.unreadable_run", "warning", f"{item.key}: {_SILENT_NOTE}; left blank", "active")
            for measure in measures:
                found.active[(item.key, measure)] = None
            continue
        run, in_10k = _unit(runs[item.key])
        if not run.strip():
            for measure in measures:
                found.active[(item.key, measure)] = None
            continue
        candidates = run_splits(run_tokens(run), len(measures))
        chosen = _choose_active(found, item.key, measures, run, candidates, hints.get(item.key, set()))
        if in_10k and chosen[-1] is not None:
            chosen[-1] = yuan_from_10k(chosen[-1])  # as a grid cell "840.14万元" reads
        for measure, value in zip(measures, chosen, strict=True):
            found.active[(item.key, measure)] = value
    fill_active(found, text, items, layouts.measure_labels)


def _choose_active(found: TableValues, item: str, measures: tuple[str, ...], run: str,
                   candidates: list[list[Number]], hints: set[int]) -> list[Number | None]:
    if len(candidates) == 1:
        return list(candidates[0])
    if not candidates:
        found.note("parse.unreadable_run", "warning",
                   f"{item}: the printed run '{run.strip()}' cannot be read as {len(measures)} cells", "active")
        return [None] * len(measures)
    plausible_ones = [c for c in candidates if plausible(measures, c)] or candidates
    # Counts the report states in prose (e.g. 制发行政规范性文件62件) confirm a reading.
    best_hint = max(sum(v in hints for v in c) for c in plausible_ones)
    plausible_ones = [c for c in plausible_ones if sum(v in hints for v in c) == best_hint]
    if measures in _EVEN_FLOWS:
        spread = [_length_spread(c) for c in plausible_ones]
        plausible_ones = [c for c, s in zip(plausible_ones, spread, strict=True) if s == min(spread)]
    shown = ", ".join("/".join(str(v) for v in c) for c in candidates[:12])
    if len(plausible_ones) == 1:
        found.note("parse.ambiguous_split", "warning",
                   f"{item}: the run '{run.strip()}' fits {len(candidates)} splits ({shown}); "
                   f"chose {'/'.join(str(v) for v in plausible_ones[0])} as the only plausible one", "active")
        return list(plausible_ones[0])
    found.note("parse.ambiguous_split", "warning",
               f"{item}: the run '{run.strip()}' fits {len(candidates)} splits ({shown}); left blank", "active")
    return [None] * len(measures)


def _length_spread(values: list[Number]) -> int:
    lengths = [len(str(abs(v))) for v in values]
    return max(lengths) - min(lengths)


# --- section 三 -----------------------------------------------------------------

def _read_requests(found: TableValues, text: str, layouts: Layouts, layout: str) -> None:
    rows = list(layouts.request_rows_for(layout))
    spaced = _Text(text)
    hits = _find_labels(spaced, rows)
    runs = _runs(spaced, hits, {r.key: r for r in rows}, _REQUEST_HEADERS)
    runs = _settle_silent(runs, dict.fromkeys((r.key for r in rows), REQUEST_COLUMNS))
    options: dict[str, list[list[Number | None]]] = {}
    for row in rows:
        if row.key not in runs:
            found.note("parse.missing_row", "warning", f"row {row.key} ({row.label}) not found", "requests")
            continue
        run = runs[row.key]
        if run == _SILENT:
            found.note("parse.unreadable_run", "warning", f"row {row.key}: {_SILENT_NOTE}; left blank", "requests")
            options[row.key] = [[None] * REQUEST_COLUMNS]
            continue
        if not run.strip():
            options[row.key] = [[None] * REQUEST_COLUMNS]
            continue
        consistent, every = _readings(run, [REQUEST_COLUMNS])
        if consistent:
            options[row.key] = consistent  # type: ignore[assignment]
        elif every:
            found.note("parse.row_total", "warning",
                       f"row {row.key}: no reading of '{run.strip()}' has 总计 = sum of columns", "requests")
            options[row.key] = every  # type: ignore[assignment]
        else:
            found.note("parse.unreadable_run", "warning",
                       f"row {row.key}: '{run.strip()}' cannot be read as {REQUEST_COLUMNS} cells", "requests")
            options[row.key] = [[None] * REQUEST_COLUMNS]
    found.requests.update(_settle(found, options, [r.key for r in rows], "requests"))
    fill_requests(found, text, rows)


def _readings(run: str, groups: list[int]) -> tuple[list[list[Number]], list[list[Number]]]:
    """(readings where every group's 总计 is the sum of the group, all readings if none is).

    All readings are only enumerated when no consistent one exists (the report
    itself breaks its identity), and only while there are few of them.
    """
    tokens = run_tokens(run)
    cells = sum(groups)
    consistent = splits_with_totals(tokens, groups)
    if consistent is None:  # signs or decimals: not plain counts
        every = run_splits(tokens, cells, limit=_MAX_READINGS, max_digits=MAX_COUNT_DIGITS)
        starts = [sum(groups[:i]) for i in range(len(groups))]
        consistent = [s for s in every
                      if all(row_total_holds(s[a:a + n]) for a, n in zip(starts, groups, strict=True))]
        return consistent, every
    if consistent:
        return consistent, consistent  # type: ignore[return-value]
    every = run_splits(tokens, cells, limit=_MAX_READINGS + 1, max_digits=MAX_COUNT_DIGITS)
    return [], every if len(every) <= _MAX_READINGS else []


def _settle(found: TableValues, options: dict[str, list[list[Number | None]]],
            row_order: list[str], section: str) -> dict[str, list[Number | None]]:
    """Pick, for every ambiguous row, the reading that breaks the fewest column identities."""
    ambiguous = [k for k, o in options.items() if len(o) > 1]
    fixed = {k: o[0] for k, o in options.items() if len(o) == 1}
    if not ambiguous:
        return fixed
    winners = _consistent_choices(options, row_order)
    if winners:
        return _agree(found, winners, ambiguous, section)
    # No reading satisfies every identity (the report itself is inconsistent):
    # take the readings that break the fewest.
    combinations = 1
    for key in ambiguous:
        combinations *= len(options[key])
    if combinations > _MAX_COMBINATIONS:
        found.note("parse.ambiguous_split", "warning",
                   f"{len(ambiguous)} rows fit too many readings ({combinations}); left blank", section)
        return {**fixed, **{k: [None] * REQUEST_COLUMNS for k in ambiguous}}
    scored: list[tuple[int, dict[str, list[Number | None]]]] = []
    for choice in product(*(options[k] for k in ambiguous)):
        rows = {**fixed, **dict(zip(ambiguous, choice, strict=True))}
        scored.append((column_violations(rows, row_order), rows))
    best = min(score for score, _ in scored)
    return _agree(found, [rows for score, rows in scored if score == best], ambiguous, section)


def _agree(found: TableValues, winners: list[dict[str, list[Number | None]]], ambiguous: list[str],
           section: str) -> dict[str, list[Number | None]]:
    """Keep the cells every winning reading agrees on; blank the rest, with a finding."""
    settled = dict(winners[0])
    for key in ambiguous:
        readings = {tuple(w[key]) for w in winners}
        if len(readings) > 1:
            settled[key] = [v if len({r[i] for r in readings}) == 1 else None
                            for i, v in enumerate(winners[0][key])]
            shown = "; ".join(",".join(map(str, r)) for r in sorted(readings, key=str)[:6])
            found.note("parse.ambiguous_split", "warning",
                       f"row {key}: {len(readings)} readings fit every identity ({shown}); "
                       "differing cells left blank", section)
    return settled


def _consistent_choices(options: dict[str, list[list[Number | None]]], row_order: list[str],
                        limit: int = 64) -> list[dict[str, list[Number | None]]]:
    """Every choice of readings under which all column identities hold (up to ``limit``).

    Depth-first over the rows: the flow identity (new + carried over = processed +
    carried forward) is tested as soon as its four rows are chosen, and the outcome
    rows are pruned by column bounds (cells are counts, never negative), so only a
    handful of branches are ever explored.
    """
    flow = ["new_received", "carried_over", "total_processed", "carried_forward"]
    outcomes = [k for k in row_order[row_order.index("granted"): row_order.index("total_processed")]
                if k in options] if "granted" in row_order and "total_processed" in row_order else []
    if not all(k in options for k in flow) or not outcomes:
        return []
    width = len(options[flow[0]][0])
    order = flow + outcomes
    known = [all(r[c] is not None for k in order for r in options[k]) for c in range(width)]
    lowest = {k: [min((r[c] or 0) for r in options[k]) for c in range(width)] for k in outcomes}
    highest = {k: [max((r[c] or 0) for r in options[k]) for c in range(width)] for k in outcomes}
    solutions: list[dict[str, list[Number | None]]] = []
    chosen: dict[str, list[Number | None]] = {}

    def fits_flow() -> bool:
        new, old, done, forward = (chosen[k] for k in flow)
        return all(not known[c] or new[c] + old[c] == done[c] + forward[c] for c in range(width))  # type: ignore[operator]

    def walk(depth: int, partial: list[Number]) -> None:
        if len(solutions) >= limit:
            return
        if depth == len(order):
            if all(not known[c] or partial[c] == chosen["total_processed"][c] for c in range(width)):
                solutions.append(dict(chosen))
            return
        key = order[depth]
        rest = order[depth + 1:]
        for reading in options[key]:
            chosen[key] = reading
            if depth < len(flow):
                if depth == len(flow) - 1 and not fits_flow():
                    continue
                walk(depth + 1, partial)
                continue
            total = chosen["total_processed"]
            summed = [p + (v or 0) for p, v in zip(partial, reading, strict=True)]
            if any(known[c] and (summed[c] + sum(lowest[k][c] for k in rest) > total[c]  # type: ignore[operator]
                                 or summed[c] + sum(highest[k][c] for k in rest) < total[c])  # type: ignore[operator]
                   for c in range(width)):
                continue
            walk(depth + 1, summed)
        chosen.pop(key, None)

    walk(0, [0] * width)
    for solution in solutions:
        solution.update({k: v[0] for k, v in options.items() if k not in solution})
    return solutions


# --- section 四 -----------------------------------------------------------------

def _read_review(found: TableValues, text: str, layouts: Layouts) -> None:
    spaced = _Text(text)
    header_end = max((m.end() for m in re.finditer("总计|审结", spaced.labels)), default=0)
    # Just past the header's last character: numbers after it are hidden from the label view.
    region = spaced.spaced[spaced.spaced_at(header_end - 1) + 1:] if header_end else spaced.spaced
    first = _FIRST_NUMBER.search(region)
    if first is None:
        found.review = [None] * REVIEW_CELLS
        fill_review(found, text)
        return
    run = _RUN_CHARS.match(region, first.start()).group()  # type: ignore[union-attr]
    consistent, every = _readings(run, [5, 5, 5])
    consistent = consistent or every
    if not consistent:
        found.note("parse.unreadable_run", "warning",
                   f"'{run.strip()}' cannot be read as {REVIEW_CELLS} cells", "review")
        found.review = [None] * REVIEW_CELLS
        fill_review(found, text)
        return
    if len(consistent) > 1:
        found.note("parse.ambiguous_split", "warning",
                   f"'{run.strip()}' fits {len(consistent)} readings; differing cells left blank", "review")
    found.review = [c[0] if len(set(c)) == 1 else None for c in zip(*consistent, strict=True)]
