"""Numbers as reports print them, and digit runs whose cell boundaries were lost.

Cells carry full-width digits, thousands separators, units (件, 万元, 元) and
blank markers. Crawler text runs a row's cells together (``710000071``); a space
that survives inside a run is a real boundary (``200 000121``), and a minus sign
starts a new cell (``2648-18538``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import combinations

from workbench.textnorm import nfkc

Number = int | float

# What a blank cell looks like once stripped: nothing, or a dash/slash placeholder.
_BLANK = re.compile(r"^[-—–/\\_·.…]*$")
_UNIT = re.compile(r"(万元|元|件|个|项|条|次|人次|宗|起|%)$")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")
_ZERO_WORDS = {"无", "零", "没有"}


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
    multiplier = 10000 if value.endswith("万元") else 1
    value = _UNIT.sub("", value)
    value = _THOUSANDS.sub("", value)
    if not _NUMBER.match(value):
        return None, False
    number = float(value) * multiplier if "." in value else int(value) * multiplier
    return _tidy(number), True


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
