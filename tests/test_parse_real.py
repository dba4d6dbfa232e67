"""Every expected record of the real corpus, reproduced from the real document.

The documents are real published reports (data/real, copied from the shared
corpus); the expected records were checked by hand and two independent tools
(tests/expected/CORPUS-README.md). Nothing here is known to the parser.
"""

from __future__ import annotations

import difflib
from functools import cache

import pytest
from conftest import REAL, UNNUMBERED, expected_records
from record_compare import cell_mismatches, metadata_mismatches

from workbench.parse import parse_file

EXPECTED = {e["source"]["path"]: e for e in expected_records()}


@cache
def parsed(name: str) -> dict:
    return parse_file(REAL / name).to_dict()


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_table_cell(name: str) -> None:
    assert cell_mismatches(parsed(name), EXPECTED[name]) == []


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_agency_year_template_date_fees(name: str) -> None:
    assert metadata_mismatches(parsed(name), EXPECTED[name]) == []


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_record_covers_the_whole_template(name: str) -> None:
    """Cells the expected record leaves out (unsettled runs) are still present, as blanks."""
    record = parsed(name)
    expected = EXPECTED[name]
    assert len(record["requests"]) == len(expected["requests"])
    assert len(record["review_litigation"]) == 15
    assert record["source"]["sha256"] == expected["source"]["sha256"]
    assert record["source"]["format"] == expected["source"]["format"]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_submitted_info(name: str) -> None:
    got = [(s["label"], s["count"], s["unit"]) for s in parsed(name)["submitted_info"]]
    want = [(s["label"], s["count"], s["unit"]) for s in EXPECTED[name]["submitted_info"]]
    assert got == want


@pytest.mark.parametrize("name", sorted(EXPECTED))
@pytest.mark.parametrize("part", ["problems", "improvements"])
def test_problems_and_improvements(name: str, part: str) -> None:
    got, want = parsed(name)[part], EXPECTED[name][part]
    if (name, part) not in UNNUMBERED:
        assert got == want
        return
    joined = difflib.SequenceMatcher(None, "".join(got), "".join(want)).ratio()
    assert joined >= 0.9, f"{part} text differs: {got} vs {want}"
