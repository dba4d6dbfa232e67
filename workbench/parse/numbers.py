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
from itertools import combinations

from workbench.textnorm import nfkc

Number = int | float

# What a blank cell looks like once stripped: nothing, or a dash/slash placeholder.
_BLANK = re.compile(r"^[-—–/\\_·.…]*$")
_UNIT = re.compile(r"(万元|元|件|个|项|条|次|人次|宗|起|%)$")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")
_ZERO_WORDS = {"无", "零", "没有"}


@lru_cache(maxsize=16384)  # tables repeat the same cell texts ("0", "", "1") thousands of times
def parse_cell(text: str | None) -> tuple[Number | None, bool]:
    """A table cell's value: ``(value, True)``; blank → ``(None, True)``; text → ``(None, False)``.

    The boolean says whether the cell is a number-or-blank at all, so callers can
    tell a value column from a label column.
    """
    if text is None:
        return None, True
    value = re.sub(r"\s+", "", nfkc(text))
    if _BLANK.match(value):
        return None, True
    if value in _ZERO_WORDS:
        return 0, True
    in_10k = value.endswith("万元")
    value = _UNIT.sub("", value)
    value = _THOUSANDS.sub("", value)
    if not _NUMBER.match(value):
        return None, False
    number = float(value) if "." in value else int(value)
    return (yuan_from_10k(number) if in_10k else _tidy(number)), True


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


def token_splits(token: str, parts: int) -> Iterator[list[Number]]:
    """Every way to cut one token into ``parts`` cells, each a well-formed number.

    Well-formed: no leading zeros (``0`` itself is fine), a minus only at the start
    of the token, a decimal point kept inside one cell.
    """
    negative = token.startswith("-")
    digits = token[1:] if negative else token
    if parts == 1:
        value = _as_number(digits)
        if value is not None:
            yield [-value if negative else value]
        return
    for cuts in combinations(range(1, len(digits)), parts - 1):
        pieces = [digits[a:b] for a, b in zip((0, *cuts), (*cuts, len(digits)), strict=True)]
        values = [_as_number(p) for p in pieces]
        if any(v is None for v in values):
            continue
        if negative:
            values[0] = -values[0]
        yield values  # type: ignore[misc]


def _as_number(piece: str) -> Number | None:
    if not piece or piece.startswith(".") or piece.endswith("."):
        return None
    if len(piece) > 1 and piece[0] == "0" and piece[1] != ".":
        return None
    try:
        return _tidy(float(piece)) if "." in piece else int(piece)
    except ValueError:
        return None


def run_splits(tokens: list[str], cells: int, limit: int = 200_000) -> list[list[Number]]:
    """Every way to read the tokens as exactly ``cells`` numbers (each token ≥ 1 cell)."""
    results: list[list[Number]] = []
    capacity = [0] * (len(tokens) + 1)  # most cells tokens[i:] can hold
    for i in range(len(tokens) - 1, -1, -1):
        capacity[i] = capacity[i + 1] + len(tokens[i].lstrip("-").replace(".", ""))

    def walk(index: int, remaining: int, acc: list[Number]) -> None:
        if len(results) >= limit:
            return
        if index == len(tokens):
            if remaining == 0:
                results.append(acc)
            return
        left = len(tokens) - index - 1  # tokens after this one need ≥ 1 cell each
        digits = len(tokens[index].lstrip("-").replace(".", ""))
        # ... and can hold at most one cell per digit
        fewest = max(1, remaining - capacity[index + 1])
        for parts in range(fewest, min(digits, remaining - left) + 1):
            for values in token_splits(tokens[index], parts):
                walk(index + 1, remaining - parts, acc + values)

    walk(0, cells, [])
    return results


def splits_with_totals(tokens: list[str], groups: list[int], limit: int = 1000) -> list[list[int]] | None:
    """Readings of a run of counts where each group's last cell is the sum of the others.

    Table 三 rows are one group of 7 (six applicant columns, then 总计); table 四 is
    three groups of 5. Building the identity into the search, instead of filtering
    every split afterwards, keeps a 24-digit run to a few hundred branches: the last
    group's total is a suffix of the run, and an earlier group's total must be the
    digits of the sum just read. Returns None for runs that are not plain counts
    (signs, decimals), which the caller splits the general way.
    """
    if any(ch in t for t in tokens for ch in "-."):
        return None
    digits = "".join(tokens)
    ends = [len(t) for t in tokens]
    forced = {sum(ends[: i + 1]) for i in range(len(ends) - 1)}  # spaces the text kept
    results: list[list[int]] = []

    def piece(a: int, b: int) -> int | None:
        """The cell digits[a:b], or None if it has a leading zero or spans a kept space."""
        if b <= a or b > len(digits) or (b - a > 1 and digits[a] == "0"):
            return None
        if any(a < cut < b for cut in forced):
            return None
        return int(digits[a:b])

    def cells(start: int, end: int, count: int, target: int | None) -> list[list[int]]:
        """digits[start:end] (end=None: any end) as ``count`` cells, summing to ``target`` if given."""
        out: list[list[int]] = []

        def walk(pos: int, left: int, total: int, acc: list[int]) -> None:
            if left == 0:
                if pos == end and (target is None or total == target):
                    out.append(acc)
                return
            for stop in range(pos + 1, end - left + 2):
                if any(pos < cut < stop for cut in forced):
                    break  # longer pieces would span a kept space too
                value = piece(pos, stop)
                if value is None:
                    continue
                if target is not None and total + value > target:
                    break  # longer pieces are larger still
                walk(stop, left - 1, total + value, [*acc, value])

        walk(start, count, 0, [])
        return out

    def walk(pos: int, group: int, acc: list[int]) -> None:
        if len(results) >= limit:
            return
        size = groups[group]
        if group == len(groups) - 1:
            for start in range(pos + size - 1, len(digits)):
                total = piece(start, len(digits))
                if total is not None:
                    results.extend([*acc, *c, total] for c in cells(pos, start, size - 1, total))
            return
        later = sum(groups[group + 1 :])
        for end in range(pos + size - 1, len(digits) - later):
            for chosen in cells(pos, end, size - 1, None):
                total = sum(chosen)
                stop = end + len(str(total))
                if piece(end, stop) == total:
                    walk(stop, group + 1, [*acc, *chosen, total])

    walk(0, 0, [])
    return [r for r in results if _respects_forced(r, forced)]


def _respects_forced(cells: list[int], forced: set[int]) -> bool:
    """Every space the text kept is a boundary between two cells of the reading."""
    cuts, position = set(), 0
    for value in cells:
        position += len(str(value))
        cuts.add(position)
    return forced <= cuts
