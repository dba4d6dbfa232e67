"""Compare a parsed record with an expected record, cell by cell (blank vs 0 respected)."""

from __future__ import annotations

from typing import Any

CELL_KEYS = {
    "active_disclosure": ("item", "measure"),
    "requests": ("row", "applicant"),
    "review_litigation": ("proceeding", "result"),
}


def cell_mismatches(actual: dict[str, Any], expected: dict[str, Any]) -> list[str]:
    """Every expected cell the parsed record does not reproduce exactly.

    Expected records leave out the cells a document does not settle; only the
    cells present are compared, as the corpus README asks. ``None`` (blank) and
    ``0`` are different values.
    """
    problems = []
    for section, keys in CELL_KEYS.items():
        got = {tuple(c[k] for k in keys): c["value"] for c in actual[section]}
        for cell in expected[section]:
            key = tuple(cell[k] for k in keys)
            if key not in got:
                problems.append(f"{section} {key}: missing, expected {cell['value']!r}")
            elif not _same(got[key], cell["value"]):
                problems.append(f"{section} {key}: got {got[key]!r}, expected {cell['value']!r}")
    return problems


def _same(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return type(a) is type(b) and abs(a - b) < 1e-6 if isinstance(a, float) else a == b and type(a) is type(b)


def metadata_mismatches(actual: dict[str, Any], expected: dict[str, Any]) -> list[str]:
    return [
        f"{key}: got {actual[key]!r}, expected {expected[key]!r}"
        for key in ("agency", "year", "template", "published_on", "fees_collected_yuan")
        if actual[key] != expected[key] or type(actual[key]) is not type(expected[key])
    ]
