"""Text that carries cell boundaries (Markdown pipe tables, tabs, kept <table> markup) reads as grids,
and sections are found by their words whatever their numbering.

Each real HTML report in data/real is rewritten by ``workbench.synth.variants`` into the
shapes PDF-to-Markdown converters, copy-paste and renumbered reports produce; every table
cell must come back as the HTML reading has it, blank and unread alike. A report whose
tables cannot be read gives the workbench's own read.* findings, never an agency-facing one.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
from conftest import REAL

from workbench.checks import check_report
from workbench.parse import ReportRecord, parse_file
from workbench.sources.text_grids import is_separator, pipe_cells, text_blocks
from workbench.synth.variants import VARIANTS, Source, markdown, source_from_html

HTML_REPORTS = sorted(p.name for p in REAL.glob("*.html"))


@cache
def _html_record(name: str) -> ReportRecord:
    return parse_file(REAL / name)


@cache
def _source(name: str) -> Source:
    truth = _html_record(name)
    return source_from_html(REAL / name, f"{truth.agency}{truth.year}年政府信息公开工作年度报告")


def _cells(record: ReportRecord) -> set[tuple]:
    return {(type(c).__name__, *list(vars(c).values())[:2], c.value, c.unread) for c in record.table_cells}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
@pytest.mark.parametrize("name", HTML_REPORTS)
def test_variant_reads_as_the_html_does(tmp_path: Path, name: str, variant: str) -> None:
    suffix, build = VARIANTS[variant]
    path = tmp_path / f"report{suffix}"
    path.write_text(build(_source(name)), "utf-8")
    record, truth = parse_file(path), _html_record(name)
    assert (record.agency, record.year, record.template) == (truth.agency, truth.year, truth.template)
    assert _cells(record) == _cells(truth)
    assert record.problems == truth.problems
    assert record.improvements == truth.improvements
    assert record.fees_collected_yuan == truth.fees_collected_yuan


def test_pipe_rows() -> None:
    assert pipe_cells("| 一、本年新收 | 1259 | 36 |") == ["一、本年新收", "1259", "36"]
    assert pipe_cells("| a \\| b | 1 |") == ["a | b", "1"]
    assert pipe_cells("| 一、本年新收<br>政府信息公开<BR/>申请数量 | 12 |") == ["一、本年新收 政府信息公开 申请数量", "12"]
    assert pipe_cells("一、总体情况") is None
    assert is_separator(["---", ":---:", ""]) and not is_separator(["", ""])
    blocks = text_blocks(["| a | 1 |", "|---|---|", "", "| b | 2 | 3 |", "正文"])
    assert [type(b).__name__ for b in blocks] == ["Table", "Paragraph"]
    assert blocks[0].rows == [["a", "1"], ["b", "2", "3"]]  # a short row is not padded


def test_title_markers_are_not_the_agency(tmp_path: Path) -> None:
    name = HTML_REPORTS[-1]
    for marker in ("正文", "当前位置：首页 > 政务公开 > 年度报告\n索引号：123-45\n发布机构：某某"):
        path = tmp_path / "report.txt"
        text = markdown(_source(name), separator_every_row=True).removeprefix("# ")
        path.write_text(marker + "\n" + text, "utf-8")
        assert parse_file(path).agency == _html_record(name).agency


def test_unreadable_tables_are_the_workbenchs_finding_not_the_agencys(tmp_path: Path) -> None:
    """Numbers covered by a stamp: every cell unread, read.* findings, no blank-table error."""
    lines = []
    for line in markdown(_source(HTML_REPORTS[-1]), separator_every_row=True).splitlines():
        cells = pipe_cells(line)
        if cells and not is_separator(cells):
            line = "| " + cells[0] + " | " + "▇" * 6 + " |"
        lines.append(line)
    path = tmp_path / "stamped.md"
    path.write_text("\n".join(lines), "utf-8")
    record = parse_file(path)
    assert record.unread_cells() == len(record.table_cells)
    assert all(c.value is None for c in record.table_cells)
    own = [f for f in record.findings if f.rule.startswith("read.")]
    assert {f.rule for f in own} == {"read.active_unread", "read.requests_unread", "read.review_unread"}
    assert all("本工具未能读取" in f.message and "stamped.md" in f.message for f in own)
    findings = check_report(record)
    assert not [f for f in findings if f.rule == "tables.blank"]
    assert not [f for f in findings if f.severity == "error" and f.rule.startswith(("tables.", "requests.", "review."))]
    assert record.to_dict()["requests"][0]["unread"] is True
    assert "unread" not in parse_file(REAL / HTML_REPORTS[-1]).to_dict()["requests"][0]


def test_synth_variants_read_as_their_truth(tmp_path: Path) -> None:
    """`workbench synth --variants`: every variant of generated HTML reports reads to its truth."""
    import json

    from typer.testing import CliRunner

    from workbench.cli import app

    result = CliRunner().invoke(app, ["synth", str(tmp_path), "--agencies", "2", "--years", "2020-2021",
                                      "--formats", "html", "--breaks", "0", "--variants"])
    assert result.exit_code == 0, result.output
    documents = sorted(p for p in (tmp_path / "variants").iterdir() if not p.name.endswith(".json"))
    assert len(documents) == 4 * len(VARIANTS)
    tables = (("active_disclosure", "item", "measure"), ("requests", "row", "applicant"),
              ("review_litigation", "proceeding", "result"))
    for document in documents:
        truth = json.loads(document.with_name(document.name.rsplit(".", 1)[0] + ".expected.json").read_text("utf-8"))
        got = parse_file(document).to_dict()
        for table, first, second in tables:
            want = {(c[first], c[second]): c["value"] for c in truth[table]}
            assert {(c[first], c[second]): c["value"] for c in got[table]} == want, (document.name, table)
            assert not any(c.get("unread") for c in got[table]), document.name


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_a_table_that_cannot_be_read_is_never_the_agencys_finding(tmp_path: Path, variant: str) -> None:
    """Every variant with each number covered (a stamp, ▇▇▇): every cell unread, the workbench's
    read.* notes, and no error against the agency — no blank table, no broken identity."""
    from workbench.synth.variants import _cells_rewritten

    suffix, build = VARIANTS[variant]
    stamped = _cells_rewritten(_source(HTML_REPORTS[-1]), number=lambda _: "▇▇▇")
    path = tmp_path / f"stamped{suffix}"
    path.write_text(build(stamped), "utf-8")
    record = parse_file(path)
    printed = {(type(c).__name__, *list(vars(c).values())[:2]) for c in _html_record(HTML_REPORTS[-1]).table_cells
               if c.value is not None}
    cells = {(type(c).__name__, *list(vars(c).values())[:2]): c for c in record.table_cells}
    assert all(cells[key].value is None and cells[key].unread for key in printed if key in cells)
    assert {f.rule for f in record.findings if f.rule.startswith("read.")} >= {"read.requests_unread"}
    errors = [f for f in check_report(record) if f.severity == "error"]
    assert not [f for f in errors if f.rule.startswith(("tables.", "requests.", "review."))], errors
