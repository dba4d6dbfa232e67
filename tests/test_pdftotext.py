"""Text that pdftotext (poppler 22) prints from the real PDFs in data/real, with and without -layout.

With -layout every row keeps its numbers beside its label: every cell reads as the PDF does.
Without it (reading order) the numbers of a table come in blocks apart from their labels:
what the text does not settle is unread, never a blank and never a number in a wrong cell,
and no check blames the agency for a blank the PDF does not print.
The texts were made with `pdftotext [-layout] FILE.pdf` and are kept in tests/data/pdftotext.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
from conftest import REAL

from workbench.checks import check_report
from workbench.parse import ReportRecord, parse_file

TEXTS = Path(__file__).parent / "data" / "pdftotext"
PDFS = sorted(p.stem for p in REAL.glob("*.pdf"))


@cache
def _pdf(stem: str) -> ReportRecord:
    return parse_file(REAL / f"{stem}.pdf")


def _values(record: ReportRecord) -> dict[tuple, tuple]:
    return {(type(c).__name__, *list(vars(c).values())[:2]): (c.value, c.unread) for c in record.table_cells}


@pytest.mark.parametrize("stem", PDFS)
def test_layout_text_reads_as_the_pdf(stem: str) -> None:
    record = parse_file(TEXTS / f"{stem}.layout.txt")
    assert (record.agency, record.year) == (_pdf(stem).agency, _pdf(stem).year)
    assert _values(record) == _values(_pdf(stem))


@pytest.mark.parametrize("stem", PDFS)
def test_reading_order_text_never_guesses_and_never_blames(stem: str) -> None:
    record, truth = parse_file(TEXTS / f"{stem}.raw.txt"), _values(_pdf(stem))
    got = _values(record)
    wrong = [k for k, (value, _) in got.items() if value is not None and value != truth[k][0]]
    false_blank = [k for k, (value, unread) in got.items() if value is None and not unread and truth[k][0] is not None]
    assert wrong == [] and false_blank == []
    assert sum(value is not None for value, _ in got.values()) >= 8  # the rows printed in line are read
    assert {f.rule for f in record.findings if f.rule.startswith("read.")} >= {"read.requests_unread"}
    assert not [f for f in check_report(record) if f.rule == "tables.blank"]
