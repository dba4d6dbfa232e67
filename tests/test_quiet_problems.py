"""Quiet data problems (issue 12, item 10): each must now leave a finding.

(a) a report year that cannot be right for its publication date;
(b) a table the parser mostly lost is the workbench's own warning, never the agency's blank;
(c) a row printed twice with different numbers is left unread, with a finding, not read
    silently as one of the two printings.
"""

from __future__ import annotations

import copy
from datetime import date
from functools import cache
from pathlib import Path

import pytest
from conftest import REAL

from workbench.checks import check_report, timeliness
from workbench.parse import ReportRecord, parse_file
from workbench.parse.report import _note_unread_tables
from workbench.parse.tables import read_grid_tables
from workbench.sources.document import Table
from workbench.synth.variants import markdown, source_from_html
from workbench.templates import layouts

NAME = "2024_pingtan.html"


@cache
def _parsed(name: str) -> ReportRecord:
    return parse_file(REAL / name)


def real(name: str = NAME) -> ReportRecord:
    return copy.deepcopy(_parsed(name))


def year_findings(record: ReportRecord) -> list:
    return [f for f in check_report(record) if f.rule == "timeliness.year_vs_date"]


# (a) year against publication date ---------------------------------------------------------


@pytest.fixture
def pinned_today(monkeypatch: pytest.MonkeyPatch) -> date:
    today = date(2026, 12, 4)
    monkeypatch.setattr(timeliness, "today", lambda: today)
    return today


def test_a_report_published_before_its_year_ended(pinned_today: date) -> None:
    record = real()
    record.year, record.published_on = 2022, "2022-02-08"
    (finding,) = year_findings(record)
    assert finding.severity == "warning"
    assert finding.message.startswith("报告年度2022年与发布日期2022-02-08不符：年度报告应在次年发布")
    assert (finding.expected, finding.actual) == ("> 2022-12-31", "2022-02-08")


def test_a_year_far_past_its_publication_date(pinned_today: date) -> None:
    record = real()
    record.year, record.published_on = 2092, "2023-03-01"
    (finding,) = year_findings(record)  # one finding, not one per reason
    assert "报告年度2092年与发布日期2023-03-01不符" in finding.message


def test_a_future_year_without_a_date(pinned_today: date) -> None:
    record = real()
    record.year, record.published_on = 2092, None
    (finding,) = year_findings(record)
    assert finding.message.startswith("报告年度2092年晚于当前年份2026年")
    assert (finding.expected, finding.actual) == ("≤ 2027", "2092")
    record.year = 2027  # next year: within the rule's tolerance (years_ahead: 1)
    assert year_findings(record) == []


@pytest.mark.parametrize("published", ["2023-01-01", "2025-03-10", None, "not a date"])
def test_plausible_or_unknown_dates_pass(pinned_today: date, published: str | None) -> None:
    record = real()
    record.year, record.published_on = 2022, published
    assert year_findings(record) == []


def test_year_vs_date_is_silent_on_the_real_corpus() -> None:
    for path in sorted(REAL.iterdir()):
        assert year_findings(real(path.name)) == [], path.name


# (b) a table the parser mostly lost ---------------------------------------------------------


def test_a_mostly_unread_table_is_a_workbench_warning_not_a_blank_table() -> None:
    record = real()
    assert len(record.active_disclosure) == 10
    for cell in record.active_disclosure[:9]:  # a damaged file: 9 of 10 table-二 cells lost
        cell.value, cell.unread = None, True
    _note_unread_tables(record)
    (own,) = [f for f in record.findings if f.rule == "read.active_unread"]
    assert own.severity == "warning"
    assert "本工具未能读取表二的9/10格" in own.message and NAME in own.message
    # The agency is not blamed: no blank-table finding for cells that were not read.
    assert [f for f in check_report(record) if f.rule == "tables.blank"] == []


# (c) a row printed twice ---------------------------------------------------------------------

ACTIVE_ROWS: list[list[str | None]] = [
    ["信息内容", "本年处理决定数量"],
    ["行政许可", "4529"],
    ["行政处罚", "2647"],
    ["行政强制", "65"],
]
REQUEST_ROW = ["一、本年新收政府信息公开申请数量", "217", "1", "0", "0", "0", "0", "218"]


def _read(rows: list[list[str | None]]):  # -> TableValues
    return read_grid_tables([Table(rows=rows)], layouts(), "2021", "split")


def test_an_item_printed_twice_with_different_numbers_is_left_unread() -> None:
    found = _read([*ACTIVE_ROWS, ["行政处罚", "68"]])
    assert found.active[("penalties", "decisions")] is None  # neither printing is certain
    assert found.active[("licensing", "decisions")] == 4529
    (finding,) = found.findings
    assert (finding.rule, finding.severity, finding.section) == ("parse.duplicate_row", "warning", "active")
    assert finding.message == "penalties: printed twice with different numbers (2647 / 68); left blank"


def test_an_item_printed_twice_alike_is_read() -> None:
    found = _read([*ACTIVE_ROWS, ["行政处罚", "2647"]])
    assert found.active[("penalties", "decisions")] == 2647
    assert found.findings == []


def test_a_request_row_printed_twice_with_different_numbers_is_left_unread() -> None:
    changed = [*REQUEST_ROW[:2], "9", *REQUEST_ROW[3:]]
    found = _read([REQUEST_ROW, changed])
    assert found.requests["new_received"] == [None] * 7
    (finding,) = found.findings
    assert finding.rule == "parse.duplicate_row" and finding.section == "requests"
    assert finding.message.startswith("new_received: printed twice with different numbers (")
    assert "217, 1, 0, 0, 0, 0, 218 / 217, 9, 0, 0, 0, 0, 218" in finding.message
    assert _read([REQUEST_ROW, list(REQUEST_ROW)]).requests["new_received"] == [217, 1, 0, 0, 0, 0, 218]


def _markdown_with(tmp_path: Path, duplicate: list[str], after: str) -> Path:
    truth = _parsed(NAME)
    source = source_from_html(REAL / NAME, f"{truth.agency}{truth.year}年政府信息公开工作年度报告")
    for kind, content in source.pieces:
        if kind == "table":
            index = next((i for i, row in enumerate(content) if row and row[0] == after), None)
            if index is not None:
                content.insert(index + 1, duplicate)
    path = tmp_path / "report.md"
    path.write_text(markdown(source, separator_every_row=True), "utf-8")
    return path


def test_a_duplicated_penalties_row_end_to_end(tmp_path: Path) -> None:
    record = parse_file(_markdown_with(tmp_path, ["行政处罚", "68"], after="行政处罚"))
    (cell,) = [c for c in record.active_disclosure if c.item == "penalties"]
    assert cell.value is None and cell.unread
    assert [c for c in record.active_disclosure if c.unread] == [cell]
    assert {f.rule for f in record.findings} == {"parse.duplicate_row", "read.active_unread"}
    (duplicate,) = [f for f in record.findings if f.rule == "parse.duplicate_row"]
    assert duplicate.message == "penalties: printed twice with different numbers (1100 / 68); left blank"
    assert [f for f in check_report(record) if f.rule == "tables.blank"] == []


def test_a_duplicated_row_printed_alike_end_to_end(tmp_path: Path) -> None:
    record = parse_file(_markdown_with(tmp_path, ["行政处罚", "1100"], after="行政处罚"))
    assert record.findings == []
    assert [c.value for c in record.active_disclosure] == [c.value for c in _parsed(NAME).active_disclosure]


def test_two_numbers_in_one_cell_are_not_one_number(tmp_path: Path) -> None:
    """A lost cell boundary (a fuzzing campaign's find: `<td>60</td><td colspan="2">60</td>` damaged
    into one cell holding "60 60") was read as 6060. Two numbers in a cell are not read at all."""
    from workbench.parse.numbers import parse_cell

    assert parse_cell("60 60") == (None, False) and parse_cell("1,234") == (1234, True)
    html = (REAL / "2019_shanghai_bgt.html").read_text("utf-8")
    cell = '<p align="center">60</p></td><td colspan="2" nowrap="nowrap" style="width:101px;"><p align="center">60</p>'
    assert html.count(cell) == 1
    damaged = tmp_path / "damaged.html"
    damaged.write_text(html.replace(cell, '<p align="center">60 60</p>'), "utf-8")
    record = parse_file(damaged)
    values = {(c.item, c.measure): c for c in record.active_disclosure}
    assert 6060 not in [c.value for c in record.table_cells]
    assert all(values[("normative_documents", m)].value is None and values[("normative_documents", m)].unread
               for m in ("new_made", "new_published"))
    assert values[("regulations", "total_published")].value == 524  # the rest of the table still reads


def test_a_number_longer_than_a_double_holds_is_not_read(tmp_path: Path) -> None:
    """A campaign's find: digits inserted before 5949.08 made 81081847509645949.088667, stored as
    81081847509645952 — digits the report does not print. Beyond 15 digits a value is not read."""
    from workbench.parse.numbers import EXACT_DIGITS, parse_cell

    assert parse_cell("9" * EXACT_DIGITS) == (int("9" * EXACT_DIGITS), True)
    assert parse_cell("81081847509645949.088667") == (None, False)
    text = (REAL / "2023_pingtan_text.txt").read_text("utf-8")
    assert text.count("行政事业性收费5949.08") == 1
    damaged = tmp_path / "damaged.txt"
    damaged.write_text(text.replace("行政事业性收费5949.08", "行政事业性收费810818475096459" + "49.08"), "utf-8")
    fees = next(c for c in parse_file(damaged).active_disclosure if c.item == "fees")
    assert fees.value is None and fees.unread
