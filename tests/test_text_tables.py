"""Run-together table text (portal crawler style) read back through the identities."""

from __future__ import annotations

import random

import pytest

from workbench.parse.numbers import run_splits, run_tokens
from workbench.parse.tables import REQUEST_COLUMNS
from workbench.parse.text_tables import read_text_tables
from workbench.templates import layouts


def random_request_table(rng: random.Random, layout: str, scale: int) -> dict[str, list[int]]:
    """A table that satisfies every identity, with mostly small numbers and many zeros."""
    rows = [r.key for r in layouts().request_rows_for(layout)]
    outcomes = rows[rows.index("granted") : rows.index("total_processed")]
    table: dict[str, list[int]] = {}
    for key in outcomes:
        table[key] = [rng.choice([0, 0, 0, rng.randint(0, scale)]) for _ in range(6)]
    processed = [sum(table[k][c] for k in outcomes) for c in range(6)]
    carried_over = [rng.choice([0, rng.randint(0, scale // 4 + 1)]) for _ in range(6)]
    forward = [min(rng.randint(0, scale // 4 + 1), p) for p in processed]
    new = [p + f - c for p, f, c in zip(processed, forward, carried_over, strict=True)]
    carried_over = [c + max(0, -n) for c, n in zip(carried_over, new, strict=True)]
    new = [max(0, n) for n in new]
    table.update(new_received=new, carried_over=carried_over, total_processed=processed,
                 carried_forward=forward)
    return {k: [*table[k], sum(table[k])] for k in rows}


def crawler_text(table: dict[str, list[int]], layout: str) -> str:
    labels = {r.key: r.label.replace(" ", "") for r in layouts().request_rows_for(layout)}
    return "申请人情况自然人法人或其他组织总计商业企业科研机构社会公益组织法律服务机构其他" + "".join(
        labels[k] + "".join(str(v) for v in values) for k, values in table.items()
    )


@pytest.mark.parametrize("seed", range(40))
def test_run_together_rows_are_read_or_left_blank_never_wrong(seed: int) -> None:
    rng = random.Random(seed)
    layout = rng.choice(["single", "split"])
    template = "2019" if layout == "single" else "2021"
    truth = random_request_table(rng, layout, scale=rng.choice([5, 30, 300]))
    found = read_text_tables({"requests": crawler_text(truth, layout)}, layouts(), template, layout)
    ambiguous = {f.message.split(":")[0].removeprefix("row ") for f in found.findings}
    for key, values in truth.items():
        got = found.requests[key]
        for col, value in enumerate(values):
            if got[col] is None:
                assert key in ambiguous, f"{key}[{col}] blank without a finding"
            else:
                assert got[col] == value, f"{key}[{col}]: read {got[col]}, truth {value}"
    filled = sum(v is not None for row in found.requests.values() for v in row)
    assert filled >= 0.8 * len(truth) * REQUEST_COLUMNS


def test_pingtan_2021_granted_row_settled_by_columns() -> None:
    """The corpus README: 270020130 fits the row total two ways; the columns pick 27,0,0,2,0,1,30."""
    row_readings = [s for s in run_splits(run_tokens("270020130"), 7) if sum(s[:6]) == s[6]]
    assert [27, 0, 0, 2, 0, 1, 30] in row_readings and len(row_readings) == 2


def test_spaces_and_minus_are_boundaries() -> None:
    assert run_splits(run_tokens("123"), 2) == [[1, 23], [12, 3]]
    assert run_splits(run_tokens("12 3"), 2) == [[12, 3]]
    assert run_splits(run_tokens("35-15"), 2) == [[35, -15]]
    assert run_splits(run_tokens("1,234 5"), 2) == [[1234, 5]]


def test_ambiguous_section_two_row_is_left_blank_with_a_finding() -> None:
    text = "信息内容本年新制作数量本年新公开数量对外公开总数量规章000规范性文件898989"
    found = read_text_tables({"active": text}, layouts(), "2019", "single")
    assert found.active[("regulations", "new_made")] == 0
    assert found.active[("normative_documents", "new_made")] is None
    assert any("898989" in f.message and "10 splits" in f.message for f in found.findings)


@pytest.mark.parametrize("seed", range(200))
def test_identity_search_finds_exactly_the_consistent_splits(seed: int) -> None:
    """The pruned search equals brute force (every split, then filter) on runs small enough for both."""
    from workbench.parse.numbers import splits_with_totals

    rng = random.Random(seed)
    groups = rng.choice([[7], [5, 5, 5], [3, 3]])
    values: list[int] = []
    big = 150 if len(groups) == 1 else 30  # keeps brute force (every split) affordable
    for size in groups:
        cells = [rng.choice([0, 0, rng.randint(0, 12), rng.randint(0, big)]) for _ in range(size - 1)]
        values += [*cells, sum(cells)]
    run = "".join(str(v) + (" " if rng.random() < 0.15 else "") for v in values).strip()
    tokens = run_tokens(run)
    starts = [sum(groups[:i]) for i in range(len(groups))]
    brute = [s for s in run_splits(tokens, sum(groups))
             if all(sum(s[a:a + n - 1]) == s[a + n - 1] for a, n in zip(starts, groups, strict=True))]
    found = splits_with_totals(tokens, groups)
    assert sorted(found) == sorted(brute)
    assert values in found
