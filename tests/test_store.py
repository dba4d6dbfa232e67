"""The store: ingest (incremental, idempotent, revisions, failures), agencies, queries, export, checks."""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
import types
from pathlib import Path

import duckdb
import openpyxl
import polars as pl
import pytest

from workbench.store import (
    StoreError,
    export_tables,
    ingest,
    list_queries,
    run_query,
    stored_findings,
)
from workbench.store.agencies import Registry, canonical_key, derive, split_place

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT / "data" / "real"
REGISTRY = ROOT / "data" / "agencies.csv"
CONTENT_TABLES = ("documents", "reports", "active_disclosure", "requests", "review_litigation", "submitted_info",
                  "narrative_items", "report_sections", "findings", "cell_sources", "agencies", "agency_names",
                  "revision_log")
STORE_QUERIES = ("reports_by_year", "request_outcomes_by_year", "request_outcomes_by_agency", "penalties_trend",
                 "service_items_trend", "submitted_info_by_category", "review_litigation_by_year",
                 "findings_by_agency", "findings_by_rule", "late_reports", "carry_over_breaks", "revisions")


def table_digest(db: Path, tables: tuple[str, ...] = CONTENT_TABLES) -> dict[str, tuple[int, str]]:
    """Row count and an order-independent hash of every row, per table."""
    digests = {}
    with duckdb.connect(str(db), read_only=True) as con:
        for table in tables:
            rows = sorted(repr(r) for r in con.execute(f"SELECT * FROM {table}").fetchall())
            digests[table] = (len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest())
    return digests


def one_current_per_agency_year(db: Path) -> None:
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM (SELECT agency_id, year FROM reports GROUP BY ALL"
                           " HAVING count(*) FILTER (WHERE is_current) <> 1)").fetchone()[0] == 0
        assert con.execute("SELECT count(*) - count(DISTINCT report_id) FROM reports").fetchone()[0] == 0
        assert con.execute("SELECT count(*) - count(DISTINCT (path, sha256)) FROM documents").fetchone()[0] == 0


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """data/real plus generated reports (txt + html) for 6 agencies × 2019–2024."""
    root = tmp_path_factory.mktemp("corpus")
    shutil.copytree(REAL, root / "real")
    from workbench.synth import generate

    generate(root / "synth", agencies=6, years=range(2019, 2025), seed=7, formats=["txt", "html"])
    return root


@pytest.fixture(scope="module")
def loaded(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("db") / "wb.duckdb"
    result = ingest([corpus], db, registry=REGISTRY, workers=2)
    assert result.failed == 0, result.failures
    return db


def test_ingest_loads_every_agency_year_once_and_twice_changes_nothing(corpus: Path, loaded: Path) -> None:
    one_current_per_agency_year(loaded)
    with duckdb.connect(str(loaded), read_only=True) as con:
        years = con.execute("SELECT count(*) FROM current_reports").fetchone()[0]
        # 12 real agency-years (the Pingtan html/txt twins are one report each) + 6 × 6 generated.
        assert years == 12 + 36
        documents = con.execute("SELECT count(*) FROM documents").fetchone()[0]
        assert documents == len([p for p in corpus.rglob("*") if p.suffix in (".txt", ".html", ".pdf")])
        twins = con.execute("SELECT count(*) FROM documents WHERE status = 'same_record'"
                            " AND path LIKE '%pingtan%'").fetchone()[0]
        assert twins == 4
        # The wide view has one row per report × row with the 7 applicant columns.
        wide = con.execute("SELECT natural_person, total FROM current_requests_wide r"
                           " WHERE agency_id = '淮安市人民政府' AND year = 2024 AND row = 'new_received'").fetchone()
        assert wide is not None and wide[1] is not None
    before = table_digest(loaded)
    stat = loaded.stat()
    again = ingest([corpus], loaded, registry=REGISTRY, workers=2)
    assert (again.loaded, again.failed, again.swapped) == (0, 0, False)
    assert again.unchanged == again.files
    assert table_digest(loaded) == before
    assert (loaded.stat().st_ino, loaded.stat().st_mtime_ns) == (stat.st_ino, stat.st_mtime_ns)


def test_changed_file_makes_one_revision_with_a_log(tmp_path: Path) -> None:
    folder = tmp_path / "real"
    shutil.copytree(REAL, folder)
    db = tmp_path / "wb.duckdb"
    ingest([folder], db, registry=REGISTRY, workers=1)
    before = table_digest(db, ("reports",))["reports"][0]
    target = folder / "2023_pingtan_text.txt"
    text = target.read_text("utf-8")
    assert text.count("行政处罚1330") == 1
    target.write_text(text.replace("行政处罚1330", "行政处罚1331"), "utf-8")

    result = ingest([folder], db, registry=REGISTRY, workers=1)
    assert (result.loaded, result.revisions, result.failed) == (1, 1, 0)
    one_current_per_agency_year(db)
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM reports").fetchone()[0] == before + 1
        revisions = con.execute("SELECT revision, is_current, report_id FROM reports"
                                " WHERE agency_id = '平潭综合实验区' AND year = 2023 ORDER BY revision").fetchall()
        assert [(r, c) for r, c, _ in revisions] == [(1, False), (2, True)]
        old_id, new_id = revisions[0][2], revisions[1][2]
        log = con.execute("SELECT from_report, to_report, changed_cells, summary FROM revision_log").fetchall()
        assert len(log) == 1 and log[0][:2] == (old_id, new_id)
        assert json.loads(log[0][2]) == [{"table": "active_disclosure", "key": "penalties.decisions",
                                          "old": 1330, "new": 1331}]
        # The old revision stays queryable.
        values = dict(con.execute("SELECT report_id, value FROM active_disclosure WHERE item = 'penalties'"
                                  " AND measure = 'decisions' AND report_id IN (?, ?)", [old_id, new_id]).fetchall())
        assert values == {old_id: 1330, new_id: 1331}
    assert ingest([folder], db, registry=REGISTRY, workers=1).loaded == 0


def test_corrupt_file_is_recorded_and_nothing_else_changes(tmp_path: Path) -> None:
    folder = tmp_path / "real"
    shutil.copytree(REAL, folder)
    db = tmp_path / "wb.duckdb"
    ingest([folder], db, registry=REGISTRY, workers=1)
    kept = tuple(t for t in CONTENT_TABLES if t != "documents")
    before = table_digest(db, kept)
    (folder / "broken.pdf").write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 40)
    (folder / "empty.txt").write_bytes(b"   \n")
    (folder / "notes.txt").write_text("会议纪要：今天讨论了食堂菜单。", "utf-8")

    result = ingest([folder], db, registry=REGISTRY, workers=2)
    assert (result.loaded, result.failed) == (0, 3)
    assert table_digest(db, kept) == before
    with duckdb.connect(str(db), read_only=True) as con:
        failed = dict(con.execute("SELECT regexp_extract(path, '[^/]+$'), error FROM documents"
                                  " WHERE status = 'failed'").fetchall())
    assert set(failed) == {"broken.pdf", "empty.txt", "notes.txt"}
    assert all(failed.values()) and "empty" in failed["empty.txt"]
    assert not any("Traceback" in e for e in failed.values())
    # Failed files are not parsed again unless asked.
    assert ingest([folder], db, registry=REGISTRY).swapped is False


def test_agency_names_normalise() -> None:
    assert canonical_key(" 淮安市\u3000政府 ") == "淮安市人民政府"
    assert canonical_key("淮安市政府采购中心") == "淮安市政府采购中心"
    assert canonical_key("平潭综合实验区（ＰＴ）") == "平潭综合实验区(PT)"
    assert split_place("攀枝花市东区人力资源和社会保障局") == (["攀枝花市", "东区"], "人力资源和社会保障局")
    assert split_place("云溪市住房和城乡建设局") == (["云溪市"], "住房和城乡建设局")
    assert split_place("苏州市昆山市人民政府")[0] == ["苏州市", "昆山市"]
    levels = {name: (derive(name).level, derive(name).kind) for name in
              ("江苏省人民政府", "淮安市人民政府", "洪泽区人民政府", "柏林镇人民政府", "柏林街道办事处",
               "淮安市财政局", "攀枝花市东区人力资源和社会保障局", "上海市人民政府办公厅")}
    assert levels == {"江苏省人民政府": ("province", "government"), "淮安市人民政府": ("city", "government"),
                      "洪泽区人民政府": ("county", "government"), "柏林镇人民政府": ("township", "government"),
                      "柏林街道办事处": ("township", "government"), "淮安市财政局": ("city", "department"),
                      "攀枝花市东区人力资源和社会保障局": ("county", "department"),
                      "上海市人民政府办公厅": ("province", "department")}
    assert derive("淮安市财政局").parent == "淮安市人民政府"
    empty = Registry({}, {})
    assert empty.resolve("淮安市洪泽区人民政府", {"洪泽区人民政府"}) == "洪泽区人民政府"
    assert empty.resolve("江苏省淮安市洪泽区人民政府", {"洪泽区人民政府"}) == "洪泽区人民政府"
    assert empty.resolve("淮安市洪泽区人民政府", set()) == "淮安市洪泽区人民政府"
    # A registry region that contradicts the prefix keeps the two apart.
    other = Registry.from_rows([{"name": "东区人民政府", "canonical_name": "", "level": "county",
                                 "kind": "government", "region": "四川省攀枝花市东区", "parent": ""}])
    assert other.resolve("某某市东区人民政府", {"东区人民政府"}) == "某某市东区人民政府"
    assert other.resolve("攀枝花市东区人民政府", {"东区人民政府"}) == "东区人民政府"


def test_registry_csv_is_respected_and_edits_apply_on_next_ingest(tmp_path: Path) -> None:
    db = tmp_path / "wb.duckdb"
    ingest([REAL], db, registry=None, workers=1)
    with duckdb.connect(str(db), read_only=True) as con:
        # Without the registry: derived from the name; Hongze's two names still meet (prefix stripping).
        assert con.execute("SELECT level FROM agencies WHERE agency_id = '平潭综合实验区'").fetchone() == ("county",)
        hongze = con.execute("SELECT DISTINCT agency_id FROM reports WHERE agency LIKE '%洪泽区%'").fetchall()
        assert hongze == [("洪泽区人民政府",)]
        assert con.execute("SELECT region, parent FROM agencies WHERE agency_id = '洪泽区人民政府'").fetchone() \
            == ("淮安市洪泽区", "淮安市人民政府")
    registry = tmp_path / "agencies.csv"
    shutil.copyfile(REGISTRY, registry)
    with registry.open("a", encoding="utf-8") as handle:  # a rename: Shanghai's office under a new canonical name
        handle.write("上海市人民政府办公厅,上海市政府办公厅（新）,province,department,上海市,上海市人民政府\n")
    result = ingest([REAL], db, registry=registry, workers=1)
    assert result.swapped and result.loaded == 0
    one_current_per_agency_year(db)
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT level, origin FROM agencies WHERE agency_id = '平潭综合实验区'").fetchone() \
            == ("city", "registry")
        assert con.execute("SELECT agency_id FROM reports WHERE agency = '上海市人民政府办公厅'").fetchone() \
            == ("上海市人民政府办公厅(新)",)


def test_checks_get_the_previous_year_and_recheck_when_it_arrives_late(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[int, int | None, str | None]] = []

    def check_report(record, previous=None, agency_kind=None):  # a stand-in for workbench.checks
        calls.append((record.year, previous.year if previous else None, agency_kind))
        finding = types.SimpleNamespace(rule="stub.rule", severity="info", message=f"{record.year}",
                                        expected=previous.year if previous else None, actual=record.year)
        return [finding]

    monkeypatch.setitem(sys.modules, "workbench.checks", types.SimpleNamespace(check_report=check_report))
    db = tmp_path / "wb.duckdb"
    ingest([REAL / "2021_pingtan_text.txt"], db, registry=REGISTRY, workers=1)
    assert calls == [(2021, None, "government")]
    calls.clear()
    ingest([REAL / "2020_pingtan_text.txt"], db, registry=REGISTRY, workers=1)
    assert sorted(calls, key=lambda c: c[0]) == [(2020, None, "government"), (2021, 2020, "government")]
    with duckdb.connect(str(db), read_only=True) as con:
        stub = con.execute("SELECT r.year, f.expected FROM findings f JOIN reports r USING (report_id)"
                           " WHERE f.rule = 'stub.rule' ORDER BY r.year").fetchall()
    assert stub == [(2020, None), (2021, "2020")]  # 2021's old finding was replaced, not duplicated


def test_every_store_query_returns_a_frame(loaded: Path) -> None:
    names = {q.name for q in list_queries()}
    assert set(STORE_QUERIES) <= names
    for query in list_queries():
        assert query.answers, f"{query.name}.sql has no header saying what it answers"
    for name in STORE_QUERIES:
        frame = run_query(name, db=loaded)
        assert isinstance(frame, pl.DataFrame)
    by_year = run_query("reports_by_year", {"year_from": 2020, "year_to": "2021"}, db=loaded)
    assert by_year["year"].to_list() == [2020, 2021]
    outcomes = run_query("request_outcomes_by_agency", {"year": 2024, "agency": "淮安市"}, db=loaded)
    # Any name of an agency matches: 洪泽区人民政府 also goes by 淮安市洪泽区人民政府 (the registry's alias).
    assert sorted(outcomes["agency_id"].to_list()) == ["洪泽区人民政府", "淮安市人民政府"]
    alias = run_query("request_outcomes_by_agency", {"year": 2024, "agency": "淮安市洪泽区"}, db=loaded)
    assert alias["agency_id"].to_list() == ["洪泽区人民政府"]
    assert outcomes["new_received"].dtype == pl.Int64
    with pytest.raises(StoreError, match=r"\$yaer"):
        run_query("reports_by_year", {"yaer": 2020}, db=loaded)
    with pytest.raises(StoreError, match="没有名为"):
        run_query("no_such_question", db=loaded)


def test_export_keeps_chinese_in_csv_xlsx_parquet(loaded: Path, tmp_path: Path) -> None:
    csv_files = export_tables(loaded, "csv", tmp_path / "csv")
    reports = next(p for p in csv_files if p.name == "reports.csv")
    data = reports.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8
    assert "平潭综合实验区" in data.decode("utf-8-sig")
    assert pl.read_csv(reports)["机关"].str.contains("洪泽区人民政府").any()  # Chinese headers by default
    keyed = export_tables(loaded, "csv", tmp_path / "keys", keys=True)
    assert pl.read_csv(next(p for p in keyed if p.name == "reports.csv"))["agency_id"].str.contains("洪泽区").any()

    parquet = export_tables(loaded, "parquet", tmp_path / "pq", year=2024)
    requests = pl.read_parquet(next(p for p in parquet if p.name == "requests_2024.parquet"))
    assert set(requests["year"].to_list()) == {2024}
    assert "（七）总计" in requests["row_label"].to_list()

    (workbook,) = export_tables(loaded, "xlsx", tmp_path / "xlsx")
    sheets = openpyxl.load_workbook(workbook, read_only=True)
    assert len(sheets.sheetnames) >= 8
    strings = {c for ws in sheets.worksheets for row in ws.iter_rows(values_only=True) for c in row}
    assert "淮安市人民政府" in strings and "（四）无法提供 1.本机关不掌握相关政府信息" in strings
    with pytest.raises(StoreError):
        export_tables(loaded, "ods", tmp_path / "x")


def test_stored_findings_feed_the_findings_table(loaded: Path) -> None:
    rows = stored_findings(loaded)
    assert rows and {"agency", "year", "rule", "severity", "message"} <= set(rows[0])
    assert any(r["rule"].startswith("parse.") for r in rows)
    only = stored_findings(loaded, year=2020, agency="平潭")
    assert only and {(r["agency"], r["year"]) for r in only} == {("平潭综合实验区", 2020)}


def test_request_outcomes_sum_the_total_column_of_every_report(loaded: Path) -> None:
    """request_outcomes is a table the writers keep up to date (a view cost ~400 ms a query at
    100k reports): it must hold exactly the sums a reader would compute from the cells."""
    groups = {"granted": lambda row: row == "granted",
              "denied": lambda row: row.startswith("denied_"),
              "total_processed": lambda row: row == "total_processed"}
    expected: dict[int, dict[str, int | None]] = {}
    with duckdb.connect(str(loaded), read_only=True) as con:
        for report_id, row, value in con.execute(
                "SELECT report_id, row, value FROM requests WHERE applicant = 'total'").fetchall():
            sums = expected.setdefault(report_id, dict.fromkeys(groups))
            for group, member in groups.items():
                if member(row) and value is not None:
                    sums[group] = (sums[group] or 0) + value
        stored = {r[0]: dict(zip(groups, r[1:], strict=True)) for r in con.execute(
            "SELECT report_id, granted, denied, total_processed FROM request_outcomes").fetchall()}
    assert len(expected) > 40 and stored == expected


def test_a_store_made_when_request_outcomes_was_a_view_is_upgraded_by_any_writer(loaded: Path,
                                                                                 tmp_path: Path) -> None:
    from workbench.store.connect import write

    db = tmp_path / "old.duckdb"
    shutil.copy(loaded, db)
    with duckdb.connect(str(db)) as con:
        rows = con.execute("SELECT count(*) FROM request_outcomes").fetchone()[0]
        con.execute("DROP TABLE request_outcomes")
        con.execute("CREATE VIEW request_outcomes AS SELECT report_id, sum(value) AS granted FROM requests"
                    " WHERE applicant = 'total' AND row = 'granted' GROUP BY report_id")
    with write(db):  # e.g. `workbench narrative --refresh`: no new report, still a writer
        pass
    with duckdb.connect(str(db), read_only=True) as con:
        kind = con.execute("SELECT table_type FROM information_schema.tables"
                           " WHERE table_name = 'request_outcomes'").fetchone()[0]
        assert kind == "BASE TABLE"
        assert con.execute("SELECT count(*) FROM request_outcomes").fetchone()[0] == rows > 0
    assert len(run_query("request_outcomes_by_agency", db=db)) == rows
