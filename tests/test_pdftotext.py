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
    # What stays unread is the workbench's own note, per table (what is read needs none).
    tables = {"ActiveCell": "read.active_unread", "RequestCell": "read.requests_unread", "ReviewCell": "read.review_unread"}
    notes = {f.rule for f in record.findings if f.rule.startswith("read.")}
    assert notes == {tables[kind] for (kind, *_), (_, unread) in got.items() if unread}
    assert notes, "reading-order text leaves some table of these PDFs unread"
    assert not [f for f in check_report(record) if f.rule == "tables.blank"]


# Generated reports (workbench.synth, reportlab PDFs) through pdftotext, beside their truth. In the
# 2019 template's reading order the numbers of table 二's last rows come before their labels, so a
# label's "next numbers" are the next block's: they were once read into 行政事业性收费 (56 → 290).
GENERATED = sorted(p.name.removesuffix(".layout.txt") for p in (TEXTS / "generated").glob("*.layout.txt"))
# PDFs whose table-三 label columns wrap two characters a line, through pdftotext -layout: a
# pattern matches only a label's last words (执法案卷), printed after the row's numbers.
NARROW = sorted(p.name.removesuffix(".narrow_layout.txt") for p in (TEXTS / "generated").glob("*.narrow_layout.txt"))


def _truth(stem: str) -> dict[tuple, object]:
    import json

    record = json.loads((TEXTS / "generated" / f"{stem}.expected.json").read_text("utf-8"))
    names = {"active_disclosure": ("ActiveCell", "item", "measure"), "requests": ("RequestCell", "row", "applicant"),
             "review_litigation": ("ReviewCell", "proceeding", "result")}
    return {(kind, c[a], c[b]): c["value"] for table, (kind, a, b) in names.items() for c in record[table]}


def _never_guessed(record: ReportRecord, truth: dict[tuple, object]) -> dict[tuple, tuple]:
    """The record's cells, after asserting none holds a wrong number and none is blank where the truth is not."""
    got = _values(record)
    wrong = [(k, value, truth[k]) for k, (value, _) in got.items() if value is not None and value != truth[k]]
    false_blank = [k for k, (value, unread) in got.items() if value is None and not unread and truth[k] is not None]
    assert wrong == [] and false_blank == []
    return got


@pytest.mark.parametrize("stem", GENERATED)
def test_generated_layout_text_reads_cell_for_cell(stem: str) -> None:
    got = _values(parse_file(TEXTS / "generated" / f"{stem}.layout.txt"))
    assert {k: v for k, (v, _) in got.items()} == _truth(stem)
    assert not any(unread for _, unread in got.values())


@pytest.mark.parametrize("stem", GENERATED)
def test_generated_reading_order_never_puts_a_number_in_a_wrong_cell(stem: str) -> None:
    record = parse_file(TEXTS / "generated" / f"{stem}.raw.txt")
    _never_guessed(record, _truth(stem))
    assert not [f for f in check_report(record) if f.rule == "tables.blank"]


@pytest.mark.parametrize("stem", NARROW)
def test_narrow_labels_in_layout_text_never_take_the_next_rows_numbers(stem: str) -> None:
    truth = _truth(stem)
    got = _never_guessed(parse_file(TEXTS / "generated" / f"{stem}.narrow_layout.txt"), truth)
    assert got[("RequestCell", "denied_enforcement_file", "total")] == (truth[("RequestCell", "denied_enforcement_file",
                                                                                "total")], False)
    # The group labels run down their own narrow column, one character a line, beside the rows'
    # labels ((三)不予公开 beside 4.保/护第/三方): set apart, they no longer break the rows' words.
    assert got[("RequestCell", "denied_third_party", "total")] == (truth[("RequestCell", "denied_third_party",
                                                                           "total")], False)
    assert not any(unread for _, unread in got.values())  # (四)无法提供 beside 2.没/有现/… and 三   供 on one line
