"""The tables' own identities (勾稽关系), for the parser to settle digit runs.

The checks stage reports broken identities; here they only help choose between
the ways a run-together row can be read.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

Number = int | float
Row = Sequence[Number | None]

OUTCOME_START = "granted"
OUTCOME_END_BEFORE = "total_processed"


def row_total_holds(values: Row) -> bool:
    """Section 三 rows: the 总计 column is the sum of the six applicant columns."""
    if any(v is None for v in values):
        return True
    return abs(sum(values[:-1]) - values[-1]) < 1e-6  # type: ignore[operator]


def review_totals_hold(values: Row) -> bool:
    """Section 四: each proceeding's 总计 = 维持 + 纠正 + 其他 + 尚未审结 (3 blocks of 5)."""
    return all(row_total_holds(values[i : i + 5]) for i in range(0, len(values), 5))


def column_violations(rows: Mapping[str, Row], row_order: Sequence[str]) -> int:
    """How many per-column identities of table 三 fail (cells missing make an identity untestable).

    new_received + carried_over = total_processed + carried_forward, and
    total_processed = the sum of the outcome rows (granted … last 其他处理 row).
    """
    outcomes = _outcome_rows(row_order)
    width = len(next(iter(rows.values()))) if rows else 0
    failures = 0
    for col in range(width):
        def cell(key: str, col: int = col) -> Number | None:
            row = rows.get(key)
            return None if row is None else row[col]

        flow = [cell("new_received"), cell("carried_over"), cell("total_processed"), cell("carried_forward")]
        if None not in flow and abs(flow[0] + flow[1] - flow[2] - flow[3]) > 1e-6:  # type: ignore[operator]
            failures += 1
        parts = [cell(k) for k in outcomes]
        total = cell("total_processed")
        if total is not None and parts and None not in parts and abs(sum(parts) - total) > 1e-6:  # type: ignore[arg-type]
            failures += 1
    return failures


def _outcome_rows(row_order: Sequence[str]) -> list[str]:
    if OUTCOME_START not in row_order or OUTCOME_END_BEFORE not in row_order:
        return []
    return list(row_order[row_order.index(OUTCOME_START) : row_order.index(OUTCOME_END_BEFORE)])


# --- identities of a finished record (for summaries and the checks stage) --------

def request_grid(cells: Sequence) -> tuple[dict[str, list[Number | None]], list[str], list[str]]:
    """Record request cells → row -> values by applicant, plus row and applicant order."""
    rows: dict[str, dict[str, Number | None]] = {}
    applicants: list[str] = []
    for cell in cells:
        rows.setdefault(cell.row, {})[cell.applicant] = cell.value
        if cell.applicant not in applicants:
            applicants.append(cell.applicant)
    return {k: [v.get(a) for a in applicants] for k, v in rows.items()}, list(rows), applicants


def identity_results(record) -> list[tuple[str, bool | None]]:
    """Every 勾稽 identity of tables 三 and 四: (name, True/False, or None when a cell is blank)."""
    results: list[tuple[str, bool | None]] = []
    rows, order, applicants = request_grid(record.requests)
    outcomes = _outcome_rows(order)

    def check(name: str, left: list[Number | None], right: list[Number | None]) -> None:
        if not left or None in left or None in right:
            results.append((name, None))
        else:
            results.append((name, abs(sum(left) - sum(right)) < 1e-6))  # type: ignore[arg-type]

    for col, applicant in enumerate(applicants):
        def at(key: str, col: int = col) -> Number | None:
            return rows[key][col] if key in rows else None

        check(f"{applicant}: new + carried over = processed + carried forward",
             [at("new_received"), at("carried_over")], [at("total_processed"), at("carried_forward")])
        check(f"{applicant}: 总计 = sum of outcomes", [at(k) for k in outcomes], [at("total_processed")])
    for key in order:
        check(f"{key}: 总计 = sum of applicant columns", rows[key][:-1], rows[key][-1:])
    review: dict[str, dict[str, Number | None]] = {}
    for cell in record.review_litigation:
        review.setdefault(cell.proceeding, {})[cell.result] = cell.value
    for proceeding, values in review.items():
        parts = [values.get(k) for k in ("upheld", "corrected", "other", "pending")]
        check(f"{proceeding}: 总计 = sum of results", parts, [values.get("total")])
    return results
