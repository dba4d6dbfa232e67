"""Long digit runs (issue 12 item 1): the split search ends quickly and never guesses.

Crawler text runs a row's cells together; a pathological run (hundreds of zeros,
a page of digits) used to make the split search exponential. Every case here runs
under an alarm, so a regression fails in seconds instead of hanging the suite.
"""

from __future__ import annotations

import random
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

import pytest

from workbench.parse.numbers import run_splits, run_tokens, splits_with_totals
from workbench.parse.text_tables import _readings, read_text_tables
from workbench.templates import layouts

GUARD_SECONDS = 5.0  # generous: the machine is shared; a run should take well under a second


@contextmanager
def time_guard(seconds: float = GUARD_SECONDS) -> Iterator[None]:
    def expire(signum: int, frame: FrameType | None) -> None:
        raise TimeoutError(f"digit-run search still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _digits(seed: int, count: int) -> str:
    rng = random.Random(seed)
    return "".join(rng.choice("0123456789") for _ in range(count))


LONG_RUNS = {
    "40 random digits": (_digits(1, 40), [7]),
    "50 random digits": (_digits(2, 50), [7]),
    "100 zeros": ("0" * 100, [7]),
    "1000 zeros": ("0" * 1000, [7]),
    "1000 random digits": (_digits(3, 1000), [7]),
    "1000 ones": ("1" * 1000, [7]),
    "1000 repeated 10": ("10" * 500, [7]),
    "table 四, 300 digits": (_digits(4, 300), [5, 5, 5]),
    "table 四, 1000 zeros": ("0" * 1000, [5, 5, 5]),
    "table 四, 60 ones": ("1" * 60, [5, 5, 5]),
}


@pytest.mark.parametrize("name", sorted(LONG_RUNS))
def test_long_run_ends_and_has_no_unique_reading(name: str) -> None:
    run, groups = LONG_RUNS[name]
    with time_guard():
        consistent, every = _readings(run, groups)
        totals = splits_with_totals(run_tokens(run), groups)
        general = run_splits(run_tokens(run), sum(groups), limit=5_001)
    assert totals is not None
    assert len(consistent) != 1 and len(every) != 1
    assert all(len(r) == sum(groups) for r in [*consistent, *every, *totals, *general])


@pytest.mark.parametrize("run", [_digits(5, 1000), "0" * 1000, "9" * 1000, _digits(6, 40)])
def test_long_run_in_section_two_ends(run: str) -> None:
    with time_guard():
        readings = run_splits(run_tokens(run), 3)
    assert len(readings) != 1 or len(run) <= 45


def test_long_rows_in_crawler_text_are_left_unread_with_a_finding() -> None:
    """Through the public entry point: the long rows stay blank, each with a parse.* finding."""
    rows = [r for r in layouts().request_rows_for("single")]
    runs = {r.key: "0" * 7 for r in rows}
    runs[rows[0].key] = "0" * 1000
    runs[rows[1].key] = _digits(7, 1000)
    text = "申请人情况自然人法人或其他组织总计商业企业科研机构社会公益组织法律服务机构其他" + "".join(
        r.label.replace(" ", "") + runs[r.key] for r in rows)
    review = "行政复议行政诉讼结果维持结果纠正其他结果尚未审结总计" + _digits(8, 1000)
    with time_guard():
        found = read_text_tables({"requests": text, "review": review}, layouts(), "2019", "single")
    for row in rows[:2]:
        assert found.requests[row.key] == [None] * 7
        assert any(f.rule == "parse.unreadable_run" and f.message.startswith(f"row {row.key}:")
                   for f in found.findings)
    assert found.requests[rows[2].key] == [0] * 7
    assert found.review == [None] * 15
    assert any(f.rule == "parse.unreadable_run" and f.section == "review" for f in found.findings)


def test_normal_row_keeps_its_unique_reading() -> None:
    with time_guard():
        assert splits_with_totals(run_tokens("710000071"), [7]) == [[71, 0, 0, 0, 0, 0, 71]]
        assert _readings("710000071", [7]) == ([[71, 0, 0, 0, 0, 0, 71]],) * 2
        assert _readings("801000081", [7])[0] == [[80, 1, 0, 0, 0, 0, 81]]


def test_kept_space_is_a_boundary() -> None:
    with time_guard():
        assert splits_with_totals(run_tokens("200 000121"), [7]) == [[20, 0, 0, 0, 0, 1, 21]]
        assert splits_with_totals(run_tokens("20000012 1"), [7]) == []
        assert run_splits(run_tokens("12 3"), 2) == [[12, 3]]


def test_table_four_run_reads_uniquely() -> None:
    values = [3, 1, 0, 2, 6, 10, 0, 0, 1, 11, 0, 0, 0, 0, 0]
    run = "".join(map(str, values))
    with time_guard():
        assert _readings(run, [5, 5, 5])[0] == [values]


def test_ambiguous_row_keeps_every_reading_for_the_columns_to_settle() -> None:
    """The callers need every reading of a short run, not just whether there is one."""
    with time_guard():
        readings = splits_with_totals(run_tokens("270020130"), [7])
    assert readings == [[2, 7, 0, 0, 20, 1, 30], [27, 0, 0, 2, 0, 1, 30]]


def _reference_run_splits(tokens: list[str], cells: int) -> list[list[float | int]]:
    """Every split, by brute force over cut positions, in the order run_splits gives them."""
    from itertools import combinations

    from workbench.parse.numbers import _as_number

    def token_splits(token: str, parts: int) -> list[list[float | int]]:
        negative = token.startswith("-")
        digits = token[1:] if negative else token
        out = []
        for cuts in combinations(range(1, len(digits)), parts - 1):
            pieces = [digits[a:b] for a, b in zip((0, *cuts), (*cuts, len(digits)), strict=True)]
            values = [_as_number(p) for p in pieces]
            if all(v is not None for v in values):
                out.append([-values[0], *values[1:]] if negative else values)  # type: ignore[operator]
        return out

    def walk(index: int, remaining: int) -> list[list[float | int]]:
        if index == len(tokens):
            return [[]] if remaining == 0 else []
        return [head + tail for parts in range(1, remaining + 1)
                for head in token_splits(tokens[index], parts) for tail in walk(index + 1, remaining - parts)]

    return walk(0, cells)


@pytest.mark.parametrize("seed", range(60))
def test_run_splits_equals_brute_force_in_order(seed: int) -> None:
    rng = random.Random(seed)
    run = "".join(rng.choice(["0", "0", "1", "5", "12", " ", "-3", "2.5", "07"]) for _ in range(rng.randint(1, 7)))
    tokens = run_tokens(run)
    cells = rng.randint(1, 6)
    assert run_splits(tokens, cells) == _reference_run_splits(tokens, cells)
