"""Numbers as reports print them, and digit runs whose cell boundaries were lost.

Cells carry full-width digits, thousands separators, units (件, 万元, 元) and
blank markers. Crawler text runs a row's cells together (``710000071``); a space
that survives inside a run is a real boundary (``200 000121``), and a minus sign
starts a new cell (``2648-18538``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from workbench.textnorm import nfkc

Number = int | float

# What a blank cell looks like once stripped: nothing, or a dash/slash placeholder.
_BLANK = re.compile(r"^[-—–/\\_·.…]*$")
_UNIT = re.compile(r"(万元|元|件|个|项|条|次|人次|宗|起|%)$")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")
_ZERO_WORDS = {"无", "零", "没有"}
EXACT_DIGITS = 15  # a double is exact to 15 significant digits


# Digits, whitespace, digits inside one cell: two numbers (60 60: a lost cell boundary), or one
# spaced out (1 234, 2 2)? Never decided by joining the digits: the cell is not read.
_TWO_NUMBERS = re.compile(r"\d\s+\d")


@lru_cache(maxsize=16384)  # tables repeat the same cell texts ("0", "", "1") thousands of times
def parse_cell(text: str | None) -> tuple[Number | None, bool]:
    """A table cell's value: ``(value, True)``; blank → ``(None, True)``; text → ``(None, False)``.

    The boolean says whether the cell is a number-or-blank at all, so callers can
    tell a value column from a label column.
    """
    if text is None:
        return None, True
    spaced = nfkc(text).strip()
    if _TWO_NUMBERS.search(spaced):
        return None, False
    value = re.sub(r"\s+", "", spaced)
    if _BLANK.match(value):
        return None, True
    if value in _ZERO_WORDS:
        return 0, True
    in_10k = value.endswith("万元")
    value = _UNIT.sub("", value)
    value = _THOUSANDS.sub("", value)
    if not _NUMBER.match(value) or _too_long(value):
        return None, False
    number = float(value) if "." in value else int(value)
    return (yuan_from_10k(number) if in_10k else _tidy(number)), True


def _too_long(number: str) -> bool:
    """More digits than a double holds exactly (the store keeps table 二 as DOUBLE): such a value
    would come back with other digits than the report prints, so it is not read at all."""
    return sum(ch.isdigit() for ch in number) > EXACT_DIGITS


def yuan_from_10k(number: Number) -> Number:
    """A value printed in 万元, in 元: exact to the fen, and an int when it is whole
    (``840.14万元`` is 8401400, ``0.32万元`` is 3200)."""
    yuan = round(number * 10000, 2)
    return int(yuan) if float(yuan).is_integer() else yuan


def _tidy(number: Number) -> Number:
    if isinstance(number, float):
        number = round(number, 6)
        if number.is_integer() and abs(number) >= 1e4:
            return int(number)
    return number


def parse_number(text: str) -> Number | None:
    value, _ = parse_cell(text)
    return value


# --- digit runs ---------------------------------------------------------------

def run_tokens(run: str) -> list[str]:
    """Split a printed run into tokens that each hold one or more whole cells.

    Whitespace, and a minus sign (which starts a negative cell), are the only
    boundaries the text still shows.
    """
    run = _THOUSANDS.sub("", nfkc(run))
    run = re.sub(r"(?<=[\d.])-", " -", run)
    return [t for t in run.split() if t]


# A cell longer than this is not a value any table prints: the largest amounts are
# yuan with fen (12 digits before the point at most), counts stay far below 10^9.
# Bounding the cells keeps the split search polynomial in the run's length: a run
# with more digits than its cells can hold has no reading at all.
MAX_CELL_DIGITS = 15
MAX_COUNT_DIGITS = 9


def token_splits(token: str, parts: int, max_digits: int = MAX_CELL_DIGITS) -> Iterator[list[Number]]:
    """Every way to cut one token into ``parts`` cells, each a well-formed number.

    Well-formed: no leading zeros (``0`` itself is fine), a minus only at the start
    of the token, a decimal point kept inside one cell, at most ``max_digits`` digits.
    Cuts come in lexicographic order (shortest first cell first); only cuts that
    can still be completed are tried, so the work is proportional to the output.
    """
    negative = token.startswith("-")
    digits = token[1:] if negative else token
    cuttable = _Cuttable(digits, max_digits)
    for values in cuttable.splits(0, parts):
        if negative:
            values[0] = -values[0]
        yield values


class _Cuttable:
    """One token's digits, with memoised answers to 'can digits[pos:] be cut into k cells?'."""

    def __init__(self, digits: str, max_digits: int):
        self.digits = digits
        self.max_digits = max_digits
        self._cells: dict[tuple[int, int], Number | None] = {}
        self._feasible: dict[tuple[int, int], bool] = {}

    def cell(self, a: int, b: int) -> Number | None:
        key = (a, b)
        if key not in self._cells:
            piece = self.digits[a:b]
            too_long = len(piece) - piece.count(".") > self.max_digits
            self._cells[key] = None if too_long else _as_number(piece)
        return self._cells[key]

    def stops(self, pos: int) -> range:
        """Where a cell starting at ``pos`` may end (a point adds one character)."""
        return range(pos + 1, min(len(self.digits), pos + self.max_digits + 1) + 1)

    def feasible(self, pos: int, parts: int) -> bool:
        key = (pos, parts)
        if key not in self._feasible:
            left = len(self.digits) - pos
            if parts == 0:
                ok = left == 0
            elif left < parts or left > parts * (self.max_digits + 1):
                ok = False
            else:
                ok = any(self.cell(pos, stop) is not None and self.feasible(stop, parts - 1)
                         for stop in self.stops(pos))
            self._feasible[key] = ok
        return self._feasible[key]

    def splits(self, pos: int, parts: int) -> Iterator[list[Number]]:
        if not self.feasible(pos, parts):
            return
        if parts == 0:
            yield []
            return
        for stop in self.stops(pos):
            value = self.cell(pos, stop)
            if value is not None and self.feasible(stop, parts - 1):
                for rest in self.splits(stop, parts - 1):
                    yield [value, *rest]


def _as_number(piece: str) -> Number | None:
    if not piece or piece.startswith(".") or piece.endswith(".") or _too_long(piece):
        return None
    if len(piece) > 1 and piece[0] == "0" and piece[1] != ".":
        return None
    try:
        return _tidy(float(piece)) if "." in piece else int(piece)
    except ValueError:
        return None


def run_splits(tokens: list[str], cells: int, limit: int = 200_000,
               max_digits: int = MAX_CELL_DIGITS) -> list[list[Number]]:
    """Every way to read the tokens as exactly ``cells`` numbers (each token ≥ 1 cell),
    at most ``limit`` of them, each cell at most ``max_digits`` digits.

    Readings come token by token: fewest cells for the first token first, then its
    cuts in lexicographic order. Only branches that still lead to a reading are
    followed, so a run with no reading (a thousand zeros) is answered at once.
    """
    cuttable = [_Cuttable(t[1:] if t.startswith("-") else t, max_digits) for t in tokens]
    negative = [t.startswith("-") for t in tokens]
    # reachable[i]: the cell counts tokens[i:] can be read as
    reachable: list[set[int]] = [set() for _ in range(len(tokens) + 1)]
    reachable[len(tokens)] = {0}
    for i in range(len(tokens) - 1, -1, -1):
        width = len(cuttable[i].digits)
        reachable[i] = {parts + rest for parts in range(1, min(width, cells) + 1)
                        if cuttable[i].feasible(0, parts) for rest in reachable[i + 1] if parts + rest <= cells}
    results: list[list[Number]] = []

    def walk(index: int, remaining: int, acc: list[Number]) -> None:
        if index == len(tokens):
            results.append(acc)
            return
        for parts in range(1, remaining + 1):
            if remaining - parts not in reachable[index + 1] or not cuttable[index].feasible(0, parts):
                continue
            for values in cuttable[index].splits(0, parts):
                if len(results) >= limit:
                    return
                if negative[index]:
                    values[0] = -values[0]
                walk(index + 1, remaining - parts, acc + values)

    if cells in reachable[0]:
        walk(0, cells, [])
    return results


def splits_with_totals(tokens: list[str], groups: list[int], limit: int = 1000,
                       max_digits: int = MAX_COUNT_DIGITS) -> list[list[int]] | None:
    """Readings of a run of counts where each group's last cell is the sum of the others.

    Table 三 rows are one group of 7 (six applicant columns, then 总计); table 四 is
    three groups of 5. Building the identity into the search, instead of filtering
    every split afterwards, keeps it small: each group is a choice of where its
    total starts and ends, and the cells before it must add up to that total. The
    readings from a position on are memoised, so the search is polynomial in the
    run's length; at most ``limit`` readings are returned, each cell at most
    ``max_digits`` digits. Returns None for runs that are not plain counts (signs,
    decimals), which the caller splits the general way.
    """
    if any(ch in t for t in tokens for ch in "-."):
        return None
    digits = "".join(tokens)
    ends = [len(t) for t in tokens]
    forced = {sum(ends[: i + 1]) for i in range(len(ends) - 1)}  # spaces the text kept
    if not groups or len(digits) > sum(groups) * max_digits or len(digits) < sum(groups):
        return []
    # next_forced[i]: the first kept space after position i (a cell from i may end there, not beyond)
    next_forced = [len(digits)] * (len(digits) + 1)
    for i in range(len(digits) - 1, -1, -1):
        next_forced[i] = i + 1 if i + 1 in forced else next_forced[i + 1]

    def piece(a: int, b: int) -> int | None:
        """The cell digits[a:b], or None if it has a leading zero, is too long or spans a kept space."""
        if b <= a or b > len(digits) or b - a > max_digits or (b - a > 1 and digits[a] == "0"):
            return None
        if b > next_forced[a]:
            return None
        return int(digits[a:b])

    def cells(start: int, end: int, count: int, target: int) -> list[list[int]]:
        """digits[start:end] as ``count`` cells summing to ``target``, shortest first cell first."""
        out: list[list[int]] = []

        def walk(pos: int, left: int, rest: int, acc: list[int]) -> None:
            if left == 0:
                if pos == end and rest == 0:
                    out.append(acc)
                return
            # every cell is at most ``rest``, so it has at most len(str(rest)) digits
            if end - pos < left or end - pos > left * len(str(rest)):
                return
            for stop in range(pos + 1, min(end - left + 1, next_forced[pos]) + 1):
                value = piece(pos, stop)
                if value is None:
                    continue
                if value > rest:
                    break  # longer pieces are larger still
                walk(stop, left - 1, rest - value, [*acc, value])

        walk(start, count, target, [])
        return out

    memo: dict[tuple[int, int], list[list[int]]] = {}

    def suffixes(pos: int, group: int) -> list[list[int]]:
        """Readings of digits[pos:] as groups[group:], at most ``limit``, in search order."""
        if group == len(groups):
            return [[]] if pos == len(digits) else []
        key = (pos, group)
        if key in memo:
            return memo[key]
        size, later = groups[group], sum(groups[group + 1:])
        out: list[list[int]] = []
        left = len(digits) - pos
        if sum(groups[group:]) <= left <= sum(groups[group:]) * max_digits:
            last = group == len(groups) - 1
            # where this group's total starts: after its size-1 cells, before the later groups
            highest = min(pos + (size - 1) * max_digits, len(digits) - later - 1)
            for end in range(pos + size - 1, highest + 1):
                found: list[tuple[list[int], int]] = []  # (this group's cells, where its total ends)
                stops = [len(digits)] if last else range(end + 1, min(end + max_digits, len(digits) - later) + 1)
                for stop in stops:
                    total = piece(end, stop)
                    if total is not None:
                        found += [([*chosen, total], stop) for chosen in cells(pos, end, size - 1, total)]
                # the cells' own search order (shortest first cell first), whatever the total's length
                found.sort(key=lambda f: [len(str(v)) for v in f[0][:-1]])
                for chosen, stop in found:
                    out += [[*chosen, *rest] for rest in suffixes(stop, group + 1)[: limit - len(out)]]
                    if len(out) >= limit:
                        break
                if len(out) >= limit:
                    break
        memo[key] = out
        return out

    return [r for r in suffixes(0, 0) if _respects_forced(r, forced)]


def _respects_forced(cells: list[int], forced: set[int]) -> bool:
    """Every space the text kept is a boundary between two cells of the reading."""
    cuts, position = set(), 0
    for value in cells:
        position += len(str(value))
        cuts.add(position)
    return forced <= cuts
