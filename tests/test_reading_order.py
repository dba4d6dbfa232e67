"""Reading-order text (pdftotext without -layout) read by the tables' structure (parse.reading_order).

The fixtures are generated reports (workbench.synth) rendered to PDF and put through `pdftotext -enc
UTF-8 FILE.pdf` (no -layout), kept in tests/data/pdftotext/generated as *.reading_order.txt beside
their truth. plain_*: the official column widths, where table 三 prints a cell's labels, then the
numbers of several rows, and table 二 prints a block's numbers before its item labels. narrow_*:
wrapped two-character label columns; one row of table 二 is printed blank, so which of two rows
the three numbers belong to is not settled: they stay unread.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from workbench.parse import ReportRecord, parse_document, parse_file
from workbench.sources import read_document

GENERATED = Path(__file__).parent / "data" / "pdftotext" / "generated"
STEMS = sorted(p.name.removesuffix(".reading_order.txt") for p in GENERATED.glob("*.reading_order.txt"))
PLAIN = [s for s in STEMS if s.startswith("plain_")]
_TABLES = {"active_disclosure": ("ActiveCell", "item", "measure", "active"),
           "requests": ("RequestCell", "row", "applicant", "requests"),
           "review_litigation": ("ReviewCell", "proceeding", "result", "review")}


def _truth(stem: str) -> dict[tuple[str, str, str], object]:
    record = json.loads((GENERATED / f"{stem}.expected.json").read_text("utf-8"))
    return {(kind, c[a], c[b]): c["value"] for table, (kind, a, b, _) in _TABLES.items() for c in record[table]}


def _cells(record: ReportRecord) -> dict[tuple[str, str, str], tuple[object, bool]]:
    return {(type(c).__name__, *list(vars(c).values())[:2]): (c.value, c.unread) for c in record.table_cells}


def _assert_never_guesses(record: ReportRecord, truth: dict) -> None:
    got = _cells(record)
    wrong = [(k, v, truth[k]) for k, (v, _) in got.items() if v is not None and v != truth[k]]
    false_blank = [k for k, (v, unread) in got.items() if v is None and not unread and truth[k] is not None]
    assert wrong == [] and false_blank == []
    sections = {kind: section for kind, _, _, section in _TABLES.values()}
    for (kind, key, _), (_, unread) in got.items():
        if unread:  # what stays unread says so, in a parse.* finding naming the row or the whole table
            assert any(f.rule.startswith("parse.") and f.section == sections[kind]
                       and (f.message.startswith((f"{key}:", f"row {key}")) or not re.match(r"(row )?[a-z_]+[: ]",
                                                                                             f.message))
                       for f in record.findings), (kind, key)


@pytest.mark.parametrize("stem", STEMS)
def test_reading_order_never_puts_a_number_in_a_wrong_cell(stem: str) -> None:
    _assert_never_guesses(parse_file(GENERATED / f"{stem}.reading_order.txt"), _truth(stem))


@pytest.mark.parametrize("stem", PLAIN)
def test_numbers_printed_apart_from_their_labels_are_read_cell_for_cell(stem: str) -> None:
    record = parse_file(GENERATED / f"{stem}.reading_order.txt")
    assert {k: v for k, (v, _) in _cells(record).items()} == _truth(stem)
    assert not any(unread for _, unread in _cells(record).values())
    assert "requests" in {f.section for f in record.findings if f.rule == "parse.reading_order"}


def test_a_blank_row_of_table_two_leaves_its_block_unread() -> None:
    stem = "narrow_dongpoxian-gov_2019"
    record, truth = parse_file(GENERATED / f"{stem}.reading_order.txt"), _truth(stem)
    got = _cells(record)
    assert all(got[k] == (v, False) for k, v in truth.items() if k[0] != "ActiveCell")
    unread = {k[1] for k, (_, u) in got.items() if u}
    assert {"regulations", "normative_documents"} <= unread  # 3 numbers printed for two 3-measure rows
    assert all(k[0] == "ActiveCell" for k, (_, u) in got.items() if u)
    assert all(got[k] == (v, False) for k, v in truth.items() if k[0] == "ActiveCell" and k[1] not in unread)


def _parse_text(tmp_path: Path, text: str) -> ReportRecord:
    path = tmp_path / "report.txt"
    path.write_text(text, "utf-8")
    return parse_document(read_document(path))


def _table_three(text: str) -> tuple[int, int]:
    start = text.index("三、收到和处理政府信息公开申请情况")
    return start, text.index("四、政府信息公开行政复议", start)


@pytest.mark.parametrize("stem", PLAIN)
def test_a_number_missing_from_table_three_leaves_the_rows_apart_from_labels_unread(tmp_path: Path, stem: str) -> None:
    """A cell printed as nothing: the runs are no longer whole rows, so no placement is read."""
    text = (GENERATED / f"{stem}.reading_order.txt").read_text("utf-8")
    start, end = _table_three(text)
    lines = text[start:end].split("\n")
    numbers = [i for i, line in enumerate(lines) if re.fullmatch(r"\d+", line.strip())]
    del lines[numbers[len(numbers) // 2]]
    record = _parse_text(tmp_path, text[:start] + "\n".join(lines) + text[end:])
    _assert_never_guesses(record, _truth(stem))
    assert any(unread for (kind, *_), (_, unread) in _cells(record).items() if kind == "RequestCell")
    assert not [f for f in record.findings if f.rule == "parse.reading_order" and f.section == "requests"]


@pytest.mark.parametrize("stem", PLAIN)
def test_a_broken_column_identity_leaves_the_rows_apart_from_labels_unread(tmp_path: Path, stem: str) -> None:
    """新收's 自然人 and 总计 each one more: the row still adds up, the flow identity does not, so no
    placement of the other runs is sure; only the rows printed after their labels are read."""
    text = (GENERATED / f"{stem}.reading_order.txt").read_text("utf-8")
    start, end = _table_three(text)
    block = text[start:end]
    run = re.search(r"(?:\n\s*\d+\s*){7}", block)
    assert run is not None
    numbers = [int(n) for n in run.group().split()]
    numbers[0] += 1
    numbers[-1] += 1
    changed = block[:run.start()] + "\n\n" + "\n\n".join(map(str, numbers)) + "\n\n" + block[run.end():]
    record = _parse_text(tmp_path, text[:start] + changed + text[end:])
    assert not [f for f in record.findings if f.rule == "parse.reading_order" and f.section == "requests"]
    truth = _truth(stem)
    got = _cells(record)
    assert [got[("RequestCell", "new_received", a)][0] for a in ("natural_person", "total")] == [numbers[0], numbers[-1]]
    assert all(v is None or v == truth[k] for k, (v, _) in got.items() if k[0] == "RequestCell" and k[1] != "new_received")
    assert any(unread for (kind, *_), (_, unread) in got.items() if kind == "RequestCell")
