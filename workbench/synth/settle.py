"""Which table cells a crawler text settles, when its cells are run together as digits.

Portal crawlers flatten a table into one string per row (``801000081``); a stray space
is a certain cell boundary. The corpus convention (tests/expected/CORPUS-README.md) is
to leave a cell out of the expected record when the text does not settle it: when
more than one split of the digit run into cells — numbers without leading zeros,
allowed by the table's identities — gives it different values. The generator uses
this module to apply the same convention to its own crawler texts.

Identities used, as a parser may use them: table 三 rows (total = the six applicant
columns) and columns (new + carried = processed + forward, processed = the outcome
rows); table 四 blocks (total = the four results). Section 二 rows have none.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import product

_PATTERNS = {
    "int": re.compile(r"0|[1-9]\d*"),
    "signed": re.compile(r"-?(0|[1-9]\d*)"),
    "decimal": re.compile(r"(0|[1-9]\d*)(\.\d+)?"),
}
MAX_COMBINATIONS = 20000  # beyond this many joint splits, unsure rows are simply left unsettled


def splits(run: str, kinds: list[str]) -> list[tuple[str, ...]]:
    """Every way to cut ``run`` into ``len(kinds)`` cells; spaces are certain boundaries."""
    run = run.strip()
    out: list[tuple[str, ...]] = []

    def go(i: int, index: int, acc: list[str]) -> None:
        while i < len(run) and run[i] == " ":
            i += 1
        if index == len(kinds):
            if i == len(run):
                out.append(tuple(acc))
            return
        end = run.find(" ", i)
        end = len(run) if end < 0 else end
        for j in range(i + 1, end + 1):
            if _PATTERNS[kinds[index]].fullmatch(run[i:j]):
                go(j, index + 1, [*acc, run[i:j]])

    go(0, 0, [])
    return out


def identity_splits(run: str, addends: int) -> list[tuple[int, ...]]:
    """Cuts of ``run`` into ``addends`` numbers and a last number equal to their sum."""
    run = run.strip()
    out: list[tuple[int, ...]] = []
    for start in range(len(run) - 1, 0, -1):
        total_text = run[start:]
        if " " in total_text or not _PATTERNS["int"].fullmatch(total_text):
            continue
        total = int(total_text)
        for parts in _bounded(run[:start].rstrip(), addends, total, len(total_text)):
            out.append((*parts, total))
    return out


def _bounded(run: str, count: int, total: int, width: int) -> Iterator[tuple[int, ...]]:
    """Cuts of ``run`` into ``count`` numbers (each at most ``width`` digits) summing to ``total``."""
    def go(i: int, left: int, budget: int, acc: tuple[int, ...]) -> Iterator[tuple[int, ...]]:
        while i < len(run) and run[i] == " ":
            i += 1
        if left == 0:
            if i == len(run) and budget == 0:
                yield acc
            return
        remaining = len(run) - i - run.count(" ", i)
        if remaining < left or remaining > left * width:
            return
        end = run.find(" ", i)
        end = len(run) if end < 0 else end
        for j in range(i + 1, min(end, i + width) + 1):
            text = run[i:j]
            if not _PATTERNS["int"].fullmatch(text):
                break  # a leading zero makes every longer cut invalid too
            value = int(text)
            if value > budget:
                break
            yield from go(j, left - 1, budget - value, (*acc, value))

    yield from go(0, count, total, acc=())


def unsettled_row(run: str, kinds: list[str]) -> set[int]:
    """Positions in a row without identities (section 二) that the run leaves open."""
    options = splits(run, kinds)
    if len(options) <= 1:
        return set()
    return {i for i in range(len(kinds)) if len({o[i] for o in options}) > 1}


def unsettled_requests(runs: dict[str, str], rows: list[str], columns: int) -> set[tuple[str, int]]:
    """(row, column index) cells of table 三 that the runs and the identities leave open."""
    candidates = {row: identity_splits(runs[row], columns - 1) for row in rows if runs.get(row, "").strip()}
    if len(candidates) < len(rows):  # a blank row: nothing to settle there, and no column identity
        return {(row, c) for row, opts in candidates.items() if len(opts) != 1 for c in range(columns)
                if len({o[c] for o in opts}) != 1}
    open_rows = [row for row, opts in candidates.items() if len(opts) > 1]
    if not open_rows:
        return set()
    total = 1
    for row in open_rows:
        total *= len(candidates[row])
    if total > MAX_COMBINATIONS:
        return {(row, c) for row in open_rows for c in range(columns)
                if len({o[c] for o in candidates[row]}) > 1}
    fixed = {row: opts[0] for row, opts in candidates.items() if len(opts) == 1}
    solutions = []
    for combo in product(*(candidates[row] for row in open_rows)):
        table = {**fixed, **dict(zip(open_rows, combo, strict=True))}
        if _columns_hold(table, rows, columns):
            solutions.append(combo)
    return {(row, c) for k, row in enumerate(open_rows) for c in range(columns)
            if len({s[k][c] for s in solutions}) != 1}


def _columns_hold(table: dict[str, tuple[int, ...]], rows: list[str], columns: int) -> bool:
    outcomes = rows[rows.index("granted"): rows.index("total_processed")]
    for c in range(columns):
        processed = table["total_processed"][c]
        if table["new_received"][c] + table["carried_over"][c] != processed + table["carried_forward"][c]:
            return False
        if sum(table[r][c] for r in outcomes) != processed:
            return False
    return True


def unsettled_review(run: str, blocks: int = 3, size: int = 5) -> set[int]:
    """Positions of table 四's run (blocks of four results and their total) left open."""
    run = run.strip()
    if not run:
        return set()
    solutions: list[tuple[int, ...]] = []

    def go(i: int, left: int, acc: tuple[int, ...]) -> None:
        while i < len(run) and run[i] == " ":
            i += 1
        if left == 0:
            if i == len(run):
                solutions.append(acc)
            return
        for j in range(i + size, len(run) + 1):
            for block in identity_splits(run[i:j], size - 1):
                go(j, left - 1, acc + block)

    go(0, blocks, ())
    if len(solutions) <= 1:
        return set()
    return {i for i in range(blocks * size) if len({s[i] for s in solutions}) > 1}
