"""A supervisor's review of findings: dismissed stays dismissed across re-ingests and re-checks."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from workbench.cli import app
from workbench.store import StoreError, ingest, recheck_findings, stored_findings
from workbench.store.reviews import finding_id, finding_key, list_findings, review_findings

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT / "data" / "real"
REGISTRY = ROOT / "data" / "agencies.csv"
PINGTAN_2020 = "2020_pingtan_text.txt"


def _outcome_sums(db: Path) -> list[dict]:
    return [f for f in list_findings(db, year=2020, agency="平潭") if f["rule"] == "requests.outcome_sum"]


def test_a_dismissed_finding_stays_dismissed_after_a_new_revision_and_a_recheck(real_store: tuple[Path, Path]) -> None:
    folder, db = real_store
    first, second = _outcome_sums(db)  # the real 2020 Pingtan report breaks this identity in two columns
    done = review_findings(db, [first["finding_id"][:6]], "dismiss", note="原文如此，已电话核实", reviewer="张三")
    assert [d["finding_key"] for d in done] == [first["finding_key"]]

    # The agency re-publishes its page a few days later: a new revision, checked again.
    target = folder / PINGTAN_2020
    text = target.read_text("utf-8")
    assert text.count("发布时间: 2021-03-05") == 1
    target.write_text(text.replace("发布时间: 2021-03-05", "发布时间: 2021-03-08"), "utf-8")
    assert ingest([folder], db, registry=REGISTRY, workers=1).revisions == 1

    after = {f["finding_key"]: f for f in _outcome_sums(db)}
    assert after[first["finding_key"]]["review"] == "dismissed"
    assert after[first["finding_key"]]["review_note"] == "原文如此，已电话核实"
    assert after[first["finding_key"]]["reviewer"] == "张三"
    assert after[second["finding_key"]]["review"] is None
    with duckdb.connect(str(db), read_only=True) as con:  # it is about the new revision's finding
        reports = con.execute("SELECT DISTINCT report_id FROM findings_detail WHERE finding_key = ?"
                              " AND is_current", [first["finding_key"]]).fetchall()
        assert len(reports) == 1
    rechecked = [r for r in recheck_findings(db, 2020, "平潭") if r["rule"] == "requests.outcome_sum"]
    assert sorted(r["review"] or "" for r in rechecked) == ["", "dismissed"]
    assert {r["finding_id"] for r in rechecked} == {first["finding_id"], second["finding_id"]}


def test_the_python_key_is_the_store_key(real_store: tuple[Path, Path]) -> None:
    _, db = real_store
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute("SELECT agency_id, year, rule, cells, section, message, finding_key, finding_id"
                           " FROM findings_detail").fetchall()
    assert rows
    for agency_id, year, rule, cells, section, message, key, short in rows:
        assert finding_key(agency_id, year, rule, cells, section, message) == key
        assert finding_id(key) == short
    # Every finding of the checks names its cells (the parser's notes may go by section).
    assert all(cells for _, _, rule, cells, *_ in rows if not rule.startswith(("read.", "parse.")))

def test_dismissing_needs_a_reason_and_ids_must_name_one_finding(real_store: tuple[Path, Path]) -> None:
    _, db = real_store
    target = _outcome_sums(db)[0]["finding_id"]
    with pytest.raises(StoreError, match="理由"):
        review_findings(db, [target], "dismiss")
    with pytest.raises(StoreError, match="没有编号"):
        review_findings(db, ["ffffffffff"], "confirm")
    ids = [f["finding_id"] for f in list_findings(db)]
    shared = next(c for c in "0123456789abcdef" if sum(i.startswith(c) for i in ids) > 1)
    with pytest.raises(StoreError, match="多条"):
        review_findings(db, [shared], "confirm")

def test_the_cli_shows_the_review_in_check_and_reopens(real_store: tuple[Path, Path]) -> None:
    _, db = real_store
    runner = CliRunner()
    target = _outcome_sums(db)[0]["finding_id"]
    result = runner.invoke(app, ["review", "dismiss", target, "--db", str(db), "--note", "口径不同", "--by", "李四"])
    assert result.exit_code == 0, result.output
    assert "已排除" in result.output and "李四" in result.output
    check = runner.invoke(app, ["check", "--db", str(db), "--year", "2020", "--agency", "平潭"])
    line = next(row for row in check.output.splitlines() if row.startswith(target))
    assert "已排除" in line
    assert "复核已排除 1 条" in check.output
    listed = runner.invoke(app, ["review", "list", "--db", str(db), "--state", "dismissed"])
    assert target in listed.output and "口径不同" in listed.output
    runner.invoke(app, ["review", "reopen", target, "--db", str(db)])
    assert all(f["review"] is None for f in _outcome_sums(db))
    assert [f["rule"] for f in stored_findings(db, 2020, "平潭") if f["review"]] == []


def test_an_agency_is_found_by_any_of_its_names(real_store: tuple[Path, Path]) -> None:
    """The registry's alias (平潭综合实验区管理委员会) finds the agency in every command: one macro."""
    _, db = real_store
    by_alias = {f["finding_id"] for f in list_findings(db, agency="平潭综合实验区管理委员会")}
    assert by_alias and by_alias == {f["finding_id"] for f in list_findings(db, agency="平潭综合实验区")}
    assert {r["agency"] for r in stored_findings(db, agency="平潭综合实验区管理委员会")} == {"平潭综合实验区"}
