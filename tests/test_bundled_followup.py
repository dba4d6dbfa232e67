"""The bundled data end to end, as `workbench demo` makes it: the digest's 督办事项 lists every
deliberate break of the year, and only what the truth records confirm, before the first chart;
the Word pack's first page has it too; `workbench roster` names who has not reported."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import duckdb
import pytest
from docx import Document
from typer.testing import CliRunner

from workbench.checks import check_report
from workbench.cli import app
from workbench.digest.actions import definitions
from workbench.digest.first_run import first_run
from workbench.store.agencies import canonical_key
from workbench.store.records import record_from_dict
from workbench.synth import read_breaks

ROOT = Path(__file__).resolve().parent.parent
# Which 督办事项 line each kind of deliberate break belongs on.
LINE_OF_BREAK = {"late": "late", "identity": "identities", "carry_over": "carry_over",
                 "copied_section5": "copied", "not_published": "not_published"}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict:
    data = tmp_path_factory.mktemp("bundle") / "data"
    shutil.copytree(ROOT / "data" / "real", data / "real")
    shutil.copy(ROOT / "data" / "agencies.csv", data / "agencies.csv")
    db = data / "workbench.duckdb"
    result = first_run(data, db, data.parent / "out", say=lambda _: None)
    folder = result.digest.folder
    with duckdb.connect(str(db), read_only=True) as con:
        ids = dict(con.execute("SELECT name, agency_id FROM agency_names").fetchall())
    return {"data": data, "db": db, "folder": folder, "ids": ids,
            "manifest": json.loads((folder / "digest.json").read_text("utf-8"))}


def _agency_id(demo: dict, name: str) -> str:
    key = canonical_key(name)
    return demo["ids"].get(key, key)


@pytest.mark.slow
def test_every_deliberate_break_of_the_year_is_on_its_line(demo: dict) -> None:
    year = demo["manifest"]["year"]
    lines = {item["key"]: item for item in demo["manifest"]["action_items"]}
    assert list(lines) == [spec["key"] for spec in definitions()]
    breaks = [b for b in read_breaks(demo["data"] / "synthetic") if b.year == year]
    assert {b.kind for b in breaks} >= {"late", "identity", "not_published"}
    for row in breaks:
        line = lines[LINE_OF_BREAK[row.kind]]
        assert _agency_id(demo, row.agency) in line["agency_ids"], (row, line)


@pytest.mark.slow
def test_nothing_is_listed_that_the_truth_does_not_confirm(demo: dict) -> None:
    """Every agency on a findings line is there for a finding its true record (the generator's
    .expected.json) also raises: no misreading of the workbench ends up as an agency's problem."""
    year = demo["manifest"]["year"]
    synthetic = demo["data"] / "synthetic"
    truth = {}
    with open(synthetic / "manifest.tsv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            truth[(_agency_id(demo, row["agency"]), int(row["year"]))] = synthetic / row["expected"]
    specs = {spec["key"]: spec for spec in definitions()}
    real = {_agency_id(demo, name) for name in ("平潭综合实验区", "淮安市人民政府", "洪泽区人民政府")}
    listed = 0
    for item in demo["manifest"]["action_items"]:
        spec = specs[item["key"]]
        if spec["source"] != "findings":
            continue
        for agency_id in item["agency_ids"]:
            listed += 1
            if agency_id in real:  # a real report: no generated truth to hold it against
                continue
            record = record_from_dict(json.loads(truth[(agency_id, year)].read_text("utf-8")))
            before = truth.get((agency_id, year - 1))
            previous = record_from_dict(json.loads(before.read_text("utf-8"))) if before else None
            rules = {f.rule for f in check_report(record, previous)}
            assert any(rule == p or (p.endswith("*") and rule.startswith(p[:-1]))
                       for p in spec["rules"] for rule in rules), (item["key"], agency_id, rules)
    assert listed >= 8


@pytest.mark.slow
def test_the_block_comes_before_the_first_chart_and_on_the_word_pack_first_page(demo: dict) -> None:
    html = (demo["folder"] / "digest.html").read_text("utf-8")
    block, first_chart = html.find('id="wb-actions"'), html.find("<img")
    assert -1 < block < first_chart
    missing = next(i for i in demo["manifest"]["action_items"] if i["key"] == "not_published")
    assert missing["count"] >= 3
    document = Document(str(demo["folder"] / "briefing.docx"))
    first_page = []
    for paragraph in document.paragraphs:
        first_page.append(paragraph.text)
        if 'w:type="page"' in paragraph._p.xml:
            break
    assert any(text.endswith("督办事项") for text in first_page)  # 一、督办事项: a heading of its own
    table = document.tables[0]
    rows = {r.cells[0].text: r.cells[2].text for r in table.rows[1:]}
    assert all(name.split("（")[0] in rows["未发布（已过期限）"] for name in missing["agencies"])


@pytest.mark.slow
def test_roster_names_who_has_not_reported(demo: dict) -> None:
    result = CliRunner().invoke(app, ["roster", "--year", "2024", "--db", str(demo["db"]), "--as-of", "2025-06-30"])
    assert result.exit_code == 0, result.output
    left_out = [b.agency for b in read_breaks(demo["data"] / "synthetic") if b.kind == "not_published"
                and b.year == 2024]
    assert len(left_out) == 3
    for name in left_out:
        line = next(row for row in result.output.splitlines() if name in row)
        assert "未发布（已过期限）" in line
    late = {b.agency for b in read_breaks(demo["data"] / "synthetic") if b.kind == "late" and b.year == 2024}
    for name in late:
        assert "逾期发布" in next(row for row in result.output.splitlines() if name in row)
