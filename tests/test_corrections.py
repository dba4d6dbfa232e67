"""Corrections of misread cells: the current record is the parsed one plus corrections; they survive
re-ingest, the checks judge the corrected figures, and the revision log shows both values."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from workbench.cli import app
from workbench.store import StoreError, ingest, recheck_findings, stored_findings
from workbench.store.corrections import correct_cell, list_corrections, report_cells

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT / "data" / "real"
REGISTRY = ROOT / "data" / "agencies.csv"
CELL = "review_litigation.review.total"  # Hongze 2023 prints 10 upheld + 1 corrected; its total reads 0


def _review_total_findings(db: Path) -> list[str]:
    return [f["message"] for f in stored_findings(db, 2023, "洪泽") if f["rule"] == "review.total"]


def _current_value(db: Path) -> tuple[int, object]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("SELECT rep.revision, v.value FROM review_litigation v JOIN current_reports rep"
                           " USING (report_id) WHERE rep.agency_id = '洪泽区人民政府' AND rep.year = 2023"
                           " AND v.proceeding = 'review' AND v.result = 'total'").fetchone()


def test_a_correction_is_checked_logged_and_survives_reingest(real_store: tuple[Path, Path]) -> None:
    folder, db = real_store
    assert any("行政复议：" in m for m in _review_total_findings(db))
    filed = correct_cell(db, "洪泽", 2023, CELL, 11, note="原文总计11", by="王五", registry=REGISTRY)
    assert (filed.read, filed.value, filed.revision) == (0, 11, 2)
    assert _current_value(db) == (2, 11)
    # The checks judge the corrected record: that identity holds now, the other one still fails.
    assert not any("行政复议：" in m for m in _review_total_findings(db))
    assert any("复议后起诉" in m for m in _review_total_findings(db))
    assert not any("行政复议：" in r["message"] for r in recheck_findings(db, 2023, "洪泽") if r["rule"] == "review.total")
    with duckdb.connect(str(db), read_only=True) as con:
        summary, changed = con.execute("SELECT summary, changed_cells FROM revision_log").fetchone()
    assert "人工更正" in summary
    assert json.loads(changed) == [{"table": "review_litigation", "key": "review.total", "old": 0, "new": 11}]
    note = next(f["message"] for f in stored_findings(db, 2023, "洪泽") if f["rule"] == "read.corrected")
    assert "王五" in note and "原文总计11" in note

    again = ingest([folder], db, registry=REGISTRY, workers=1, reparse=True)
    assert (again.loaded, again.revisions) == (0, 0)  # the reading plus the correction is the current record
    [kept] = again.corrected
    assert (kept.cell, kept.read, kept.value, kept.agrees) == (CELL, 0, 11, False)
    assert "保留更正" in again.summary() and "不一致" in again.summary()
    assert _current_value(db) == (2, 11)

    cleared = correct_cell(db, "洪泽", 2023, CELL, None, clear=True, registry=REGISTRY)
    assert (cleared.cleared, cleared.revision) == (True, 3)
    assert _current_value(db) == (3, 0)
    assert any("行政复议：" in m for m in _review_total_findings(db))
    assert not [f for f in stored_findings(db, 2023, "洪泽") if f["rule"] == "read.corrected"]
    assert [c["cleared"] for c in list_corrections(db)] == [True, False]


def test_bad_corrections_change_nothing(real_store: tuple[Path, Path]) -> None:
    _, db = real_store
    before = db.read_bytes()
    with pytest.raises(StoreError, match="表.行.列"):
        correct_cell(db, "洪泽", 2023, "review.total", 1)
    with pytest.raises(StoreError, match="非负整数"):
        correct_cell(db, "洪泽", 2023, CELL, 2.5)
    with pytest.raises(StoreError, match="多个机关"):
        correct_cell(db, "区", 2024, "requests.granted.total", 1)
    with pytest.raises(StoreError, match="没有可撤销"):
        correct_cell(db, "洪泽", 2023, CELL, None, clear=True)
    with pytest.raises(StoreError, match="没有名称包含"):
        correct_cell(db, "洪泽", 2031, CELL, 1)
    assert db.read_bytes() == before


def test_the_cli_shows_cells_and_corrects(real_store: tuple[Path, Path]) -> None:
    _, db = real_store
    runner = CliRunner()
    shown = runner.invoke(app, ["correct", "--db", str(db), "--agency", "洪泽", "--year", "2023", "--show",
                                "--cell", "review_litigation.review"])
    assert shown.exit_code == 0, shown.output
    assert CELL in shown.output and "表四 行政复议 · 总计" in shown.output
    assert [c for c, *_ in report_cells(db, "洪泽", 2023, "review_litigation.review")][-1] == CELL
    done = runner.invoke(app, ["correct", "--db", str(db), "--agency", "洪泽", "--year", "2023", "--cell", CELL,
                               "--value", "11", "--note", "核对原文", "--registry", str(REGISTRY)])
    assert done.exit_code == 0, done.output
    assert "0 → 11" in done.output and "第2版" in done.output
    listed = runner.invoke(app, ["correct", "--db", str(db)])
    assert "洪泽区人民政府" in listed.output and "核对原文" in listed.output
    both = runner.invoke(app, ["correct", "--db", str(db), "--agency", "洪泽", "--year", "2023", "--cell", CELL,
                               "--value", "11", "--clear"])
    assert both.exit_code == 2 and "三者选一" in both.output
