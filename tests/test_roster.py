"""Who has not reported: the roster of expected bodies, their deadlines and statuses, imports.

One small generated corpus (5 agencies × 2022–2024, TXT, seed 11: a city government, a county
government, a township, a city and a county bureau) in which two agencies left reports out on
purpose (breaks.tsv kind not_published: the county government misses 2023 and 2024, the
township 2024) and the city government published its 2024 report late. It is ingested once
with the real ingest; every test works on its own copy of the database.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from workbench.cli import app
from workbench.store import StoreError, ingest, run_query
from workbench.store.agencies import Registry
from workbench.store.roster import (
    LATE,
    MISSING,
    NOT_DUE,
    PUBLISHED,
    RosterError,
    deadline_for,
    import_roster,
    roster_sources,
    roster_status,
    summary_line,
)
from workbench.synth import generate, read_breaks

YEARS = range(2022, 2025)
FAR = "2026-01-01"  # every 2024 deadline has passed


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("roster-corpus")
    generate(root, agencies=5, years=YEARS, seed=11, formats=["txt"], break_share=0.0, unpublished=2)
    return root


@pytest.fixture(scope="module")
def loaded(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("roster-db") / "wb.duckdb"
    result = ingest([corpus], db, registry=None, workers=1, progress=False)
    assert result.failed == 0 and result.loaded == 12, result.failures
    return db


@pytest.fixture
def db(loaded: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "wb.duckdb"
    shutil.copyfile(loaded, copy)
    return copy


def _breaks(corpus: Path, kind: str, year: int) -> set[str]:
    return {row.agency for row in read_breaks(corpus) if row.kind == kind and row.year == year}


def _by_name(frame) -> dict[str, dict]:
    return {row["name"]: row for row in frame.iter_rows(named=True)}


def _roster_levels(corpus: Path) -> dict[str, tuple[str, str]]:
    lines = (corpus / "roster.csv").read_text("utf-8").splitlines()[1:]
    return {name: (level, kind) for name, level, kind, *_ in (line.split(",") for line in lines)}


def test_deadline_by_level_and_kind_is_the_checks_deadline() -> None:
    assert deadline_for(2024, "county", "government") == date(2025, 3, 31)  # 县级以上地方人民政府
    assert deadline_for(2024, "province", "government") == date(2025, 3, 31)
    assert deadline_for(2024, "city", "department") == date(2025, 1, 31)
    assert deadline_for(2024, "township", "government") == date(2025, 1, 31)  # 乡镇, 街道: as departments
    assert deadline_for(2023, "county", None) == date(2024, 1, 31)  # unknown kind: the earlier deadline


def test_statuses_name_the_bodies_breaks_tsv_left_out_and_the_late_ones(corpus: Path, db: Path) -> None:
    counts = import_roster(db, corpus / "roster.csv", registry=None)
    assert (counts.rows, counts.agencies, counts.with_reports) == (5, 5, 5)
    frame = roster_status(db, 2024, as_of=FAR)
    rows = _by_name(frame)
    missing, late = _breaks(corpus, "not_published", 2024), _breaks(corpus, "late", 2024)
    assert len(missing) == 2 and len(late) == 1
    assert {n for n, r in rows.items() if r["status"] == MISSING} == missing
    assert {n for n, r in rows.items() if r["status"] == LATE} == late
    assert {n for n, r in rows.items() if r["status"] == PUBLISHED} == set(rows) - missing - late
    assert frame["on_roster"].all() and frame.height == 5
    assert summary_line(frame) == "应报送 5 个机关：已发布 2，逾期 1，未发布 2，尚未到期 0"
    levels = _roster_levels(corpus)
    for name, row in rows.items():
        assert row["deadline"] == deadline_for(2024, *levels[name]), name
        if row["status"] == LATE:
            assert row["days_late"] == (row["published_on"] - row["deadline"]).days > 0
        elif row["status"] == MISSING:
            assert row["published_on"] is None and row["report_id"] is None
            assert row["days_late"] == (date(2026, 1, 1) - row["deadline"]).days
        else:
            assert row["published_on"] <= row["deadline"] and row["days_late"] is None
    # the county government 3-31, the township 1-31, a department 1-31
    assert {levels[n]: rows[n]["deadline"] for n in missing} == {
        ("county", "government"): date(2025, 3, 31), ("township", "government"): date(2025, 1, 31)}
    assert {r["deadline"] for n, r in rows.items() if levels[n][1] == "department"} == {date(2025, 1, 31)}
    # the county government also missed 2023
    earlier = roster_status(db, 2023, as_of=FAR)
    assert {r["name"] for r in earlier.iter_rows(named=True) if r["status"] == MISSING} == \
        _breaks(corpus, "not_published", 2023)


def test_as_of_decides_between_not_yet_due_and_not_published(corpus: Path, db: Path) -> None:
    import_roster(db, corpus / "roster.csv", registry=None)
    levels = _roster_levels(corpus)
    missing = _breaks(corpus, "not_published", 2024)
    county = next(n for n in missing if levels[n] == ("county", "government"))
    township = next(n for n in missing if levels[n][0] == "township")

    def status(as_of: str) -> dict[str, dict]:
        return _by_name(roster_status(db, 2024, as_of=as_of))

    on_the_day = status("2025-01-31")  # the deadline day itself is still in time
    assert on_the_day[township]["status"] == NOT_DUE and on_the_day[county]["status"] == NOT_DUE
    day_after = status("2025-02-01")
    assert day_after[township]["status"] == MISSING and day_after[township]["days_late"] == 1
    assert day_after[county]["status"] == NOT_DUE and day_after[county]["days_late"] is None
    april = status("2025-04-01")
    assert april[county]["status"] == MISSING and april[county]["days_late"] == 1
    # early in January most reports are not out yet: a report dated after as_of is not counted
    january = status("2025-01-05")
    assert any(r["status"] == NOT_DUE for r in january.values())
    for row in january.values():
        assert row["status"] in (PUBLISHED, NOT_DUE)
        assert (row["published_on"] is not None) == (row["status"] == PUBLISHED)
        assert row["published_on"] is None or row["published_on"] <= date(2025, 1, 5)


def test_bodies_with_reports_not_on_the_roster_are_listed_apart(corpus: Path, db: Path, tmp_path: Path) -> None:
    names = list(_roster_levels(corpus))
    missing = _breaks(corpus, "not_published", 2024)
    listed = [n for n in names if n not in missing][:2]
    (tmp_path / "two.csv").write_text("name\n" + "\n".join(listed) + "\n", "utf-8")
    import_roster(db, tmp_path / "two.csv", registry=None)
    frame = roster_status(db, 2024, as_of=FAR)
    on = frame.filter(frame["on_roster"])
    off = frame.filter(~frame["on_roster"])
    assert sorted(on["name"]) == sorted(listed)
    assert sorted(off["name"]) == sorted(set(names) - set(listed) - missing)  # no report, not listed: absent
    assert set(off["status"]) <= {PUBLISHED, LATE} and off["sources"].is_null().all()
    out = CliRunner().invoke(app, ["roster", "--db", str(db), "--year", "2024", "--as-of", FAR])
    assert out.exit_code == 0, out.output
    assert "应报送 2 个机关" in out.output and "不在名册中的机关" in out.output
    assert all(name in out.output.split("不在名册中的机关")[1] for name in off["name"])


def test_without_a_roster_it_says_so_and_still_lists_published_reports(corpus: Path, db: Path) -> None:
    assert roster_sources(db) == {}
    frame = roster_status(db, 2024, as_of=FAR)
    assert not frame["on_roster"].any()
    assert set(frame["name"]) == set(_roster_levels(corpus)) - _breaks(corpus, "not_published", 2024)
    assert _by_name(frame)[next(iter(_breaks(corpus, "late", 2024)))]["status"] == LATE
    out = CliRunner().invoke(app, ["roster", "--db", str(db), "--as-of", FAR])  # year: the latest
    assert out.exit_code == 0, out.output
    assert "尚无应报送机关名册" in out.output and "workbench roster --import" in out.output
    assert "2024 年度" in out.output and "已发布的 2024 年度报告：3 份（其中逾期发布 1 份）" in out.output
    assert all(name in out.output for name in frame["name"])


def test_query_file_runs_alone_and_old_stores_get_the_same_deadlines(corpus: Path, db: Path) -> None:
    frame = roster_status(db, 2024, as_of=FAR)
    assert run_query("roster_status", {"year": 2024, "as_of": FAR}, db).equals(frame)
    with duckdb.connect(str(db)) as con:  # a store written before agencies.deadline_kind
        con.execute("UPDATE agencies SET deadline_kind = NULL")
    assert roster_status(db, 2024, as_of=FAR).equals(frame)


def test_import_reads_gb18030_and_bom_and_resolves_names_like_reports(corpus: Path, db: Path,
                                                                     tmp_path: Path) -> None:
    names = _roster_levels(corpus)
    city = next(n for n in names if n.endswith("市人民政府"))
    bureau = next(n for n in names if "区" in n and n.endswith("局"))
    short = bureau.split("市", 1)[1]  # 丰宁市龙溪区文化广电旅游局 listed as 龙溪区文化广电旅游局
    rows = [f"{city.removesuffix('人民政府')}　政府,市级,政府,2022", f"{short},县级,部门,2022", "某某县人民政府,县,政府,2020"]
    gbk = tmp_path / "名册-gbk.csv"
    gbk.write_bytes(("名称,层级,类型,起始年度\n" + "\n".join(rows) + "\n").encode("gb18030"))
    counts = import_roster(db, gbk, registry=None)
    assert (counts.rows, counts.agencies, counts.with_reports) == (3, 3, 2)
    with duckdb.connect(str(db), read_only=True) as con:
        stored = dict(con.execute("SELECT name, agency_id FROM roster").fetchall())
    assert stored[f"{city.removesuffix('人民政府')}人民政府"] == city  # 泰和市政府 = 泰和市人民政府
    assert stored[short] == bureau  # the report prints the longer name
    frame = _by_name(roster_status(db, 2024, as_of=FAR))
    assert frame["某某县人民政府"]["status"] == MISSING and frame["某某县人民政府"]["deadline"] == date(2025, 3, 31)
    # UTF-8 with a BOM, the same file imported twice: its rows are replaced, not doubled
    bom = tmp_path / "roster-bom.csv"
    bom.write_bytes(f"\ufeffname,expected_from\n江苏省{bureau},2022\n{bureau},2022\n".encode())
    first = import_roster(db, bom, registry=None)
    again = import_roster(db, bom, registry=None)
    assert (first.rows, first.agencies, first.replaced, again.replaced) == (2, 1, 0, 2)
    assert first.repeated and "重复列出" in first.summary()
    assert roster_sources(db) == {str(gbk.resolve()): 3, str(bom.resolve()): 2}


def test_a_bad_year_is_a_chinese_error_naming_file_and_line(db: Path, tmp_path: Path) -> None:
    registry = tmp_path / "agencies.csv"
    registry.write_text("name,canonical_name,level,kind,region,parent,expected_from,expected_to\n"
                        "甲市人民政府,,city,government,,,2019,\n乙市财政局,,city,department,,,二〇一九,\n", "utf-8")
    with pytest.raises(ValueError, match=rf"{registry} 第 3 行：expected_from 应为年份.*'二〇一九'"):
        Registry.load(registry)
    old = tmp_path / "old.csv"  # a registry from before the roster columns still loads
    old.write_text("name,canonical_name,level,kind,region,parent\n甲市人民政府,,city,government,,\n", "utf-8")
    assert Registry.load(old).info["甲市人民政府"].expected_from is None
    listed = tmp_path / "名册.csv"
    listed.write_text("name,expected_from,expected_to\n甲市人民政府,2019,\n乙市财政局,2020,2019\n", "utf-8")
    with pytest.raises(RosterError, match=rf"{listed} 第 3 行：expected_to（2019）早于 expected_from（2020）"):
        import_roster(db, listed, registry=None)
    listed.write_text("name,expected_from\n甲市人民政府,2019\n\n乙市财政局,19年\n", "utf-8")
    with pytest.raises(RosterError, match=rf"{listed} 第 4 行：expected_from 应为年份"):
        import_roster(db, listed, registry=None)
    assert roster_sources(db) == {}  # nothing was stored
    (tmp_path / "x.csv").write_text("机关代码\n001\n", "utf-8")
    with pytest.raises(RosterError, match="没有 name 列"):
        import_roster(db, tmp_path / "x.csv", registry=None)
    with pytest.raises(StoreError, match="数据库 .* 不存在"):
        import_roster(tmp_path / "none.duckdb", old, registry=None)
    out = CliRunner().invoke(app, ["roster", "--db", str(db), "--import", str(listed)])
    assert out.exit_code == 1 and "workbench roster:" in out.output and "第 4 行" in out.output
    bad = CliRunner().invoke(app, ["roster", "--db", str(db), "--as-of", "2025-13-01"])
    assert bad.exit_code == 1 and "日期应为 YYYY-MM-DD" in bad.output and "Traceback" not in bad.output


def test_registry_rows_join_the_roster_on_every_ingest_and_imports_stay(corpus: Path, db: Path,
                                                                        tmp_path: Path) -> None:
    names = list(_roster_levels(corpus))
    (tmp_path / "list.csv").write_text(f"name\n{names[0]}\n", "utf-8")
    import_roster(db, tmp_path / "list.csv", registry=None)
    registry = tmp_path / "agencies.csv"
    header = "name,canonical_name,level,kind,region,parent,expected_from,expected_to\n"
    registry.write_text(header + f"{names[1]},,,,,,2023,2023\n新设县人民政府,,county,government,,,2024,\n", "utf-8")
    ingest([corpus], db, registry=registry, workers=1, progress=False)
    assert roster_sources(db) == {"registry": 2, str((tmp_path / "list.csv").resolve()): 1}
    assert set(roster_status(db, 2023, as_of=FAR).filter("on_roster")["name"]) == {names[0], names[1]}
    in_2024 = _by_name(roster_status(db, 2024, as_of=FAR).filter("on_roster"))
    assert set(in_2024) == {names[0], "新设县人民政府"} and in_2024["新设县人民政府"]["status"] == MISSING
    registry.write_text(header + f"{names[1]},,,,,,,\n", "utf-8")  # expected_from removed again
    ingest([corpus], db, registry=registry, workers=1, progress=False)
    assert roster_sources(db) == {str((tmp_path / "list.csv").resolve()): 1}


def test_cli_imports_and_prints_the_names(corpus: Path, db: Path) -> None:
    out = CliRunner().invoke(app, ["roster", "--db", str(db), "--year", "2024", "--as-of", FAR,
                                   "--import", str(corpus / "roster.csv")])
    assert out.exit_code == 0, out.output
    assert "已导入名册" in out.output
    assert "应报送 5 个机关：已发布 2，逾期 1，未发布 2，尚未到期 0" in out.output
    lines = out.output.splitlines()
    for name in _breaks(corpus, "not_published", 2024):
        assert any(name in line and MISSING in line for line in lines), name
    for name in _breaks(corpus, "late", 2024):
        assert any(name in line and LATE in line for line in lines), name
    as_csv = CliRunner().invoke(app, ["roster", "--db", str(db), "--year", "2024", "--as-of", FAR, "--csv"])
    header, *rows = as_csv.stdout.strip().splitlines()
    assert header.startswith("agency_id,name,level,kind,on_roster") and len(rows) == 5
