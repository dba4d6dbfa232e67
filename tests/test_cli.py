"""The command line as a user runs it: real processes, real files, real exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import REAL

from workbench.parse import parse_file


def workbench(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "workbench.cli", *map(str, args)],
                          capture_output=True, text=True, encoding="utf-8", timeout=120)


def test_json_prints_exactly_the_record() -> None:
    path = REAL / "2024_pingtan_text.txt"
    result = workbench("parse", path, "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == json.loads(json.dumps(parse_file(path).to_dict(), ensure_ascii=False))
    assert "平潭综合实验区" in result.stdout  # Chinese as characters, not \\u escapes


def test_summary_names_agency_year_template_and_identities() -> None:
    result = workbench("parse", REAL / "2019_pingtan_text.txt")
    assert result.returncode == 0, result.stderr
    assert "平潭综合实验区 · 2019 · 模板 2019" in result.stdout
    assert "单元格已填" in result.stdout and "勾稽关系" in result.stdout


def test_bad_files_get_one_line_each_and_the_rest_still_parse(tmp_path: Path) -> None:
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    not_zip = tmp_path / "report.docx"
    not_zip.write_text("这不是一个Word文件", encoding="utf-8")
    truncated = tmp_path / "truncated.pdf"
    truncated.write_bytes((REAL / "2024_huaian.pdf").read_bytes()[:40_000])
    not_report = tmp_path / "notice.html"
    not_report.write_text("<html><body><h1>关于春节放假的通知</h1><p>各单位：春节放假七天。</p></body></html>",
                          encoding="utf-8")
    missing = tmp_path / "missing.txt"
    good = REAL / "2024_pingtan_text.txt"

    result = workbench("parse", empty, not_zip, good, truncated, not_report, missing)

    assert result.returncode == 1
    errors = result.stderr.strip().splitlines()
    assert len(errors) == 5, result.stderr
    for path, reason in [(empty, "文件是空的"), (not_zip, "不是有效的 DOCX"), (truncated, "PDF"),
                         (not_report, "不是政府信息公开工作年度报告"), (missing, "文件不存在")]:
        line = next((e for e in errors if str(path) in e), None)
        assert line is not None and reason in line, (path, errors)
    assert "Traceback" not in result.stderr
    assert "平潭综合实验区 · 2024" in result.stdout


def test_json_for_several_files_is_one_object_per_line() -> None:
    result = workbench("parse", REAL / "2022_pingtan_text.txt", REAL / "2023_pingtan_text.txt", "--json")
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["year"] for r in records] == [2022, 2023]


def test_folder_is_walked_and_summarised() -> None:
    result = workbench("parse", REAL)
    assert result.returncode == 0, result.stderr
    assert f"已解析 {len(list(REAL.iterdir()))} 份报告，失败 0 份" in result.stdout


def test_ingest_check_query_narrative_export_as_a_user_runs_them(tmp_path: Path) -> None:
    db = tmp_path / "store.duckdb"
    loaded = workbench("ingest", REAL, "--db", db, "--workers", "1")
    assert loaded.returncode == 0, loaded.stderr
    assert "失败 0 份" in loaded.stdout and str(db) in loaded.stdout

    again = workbench("ingest", str(REAL / "*.pdf"), "--db", db, "--workers", "1")  # a quoted glob
    assert again.returncode == 0, again.stderr
    assert "载入 0 份" in again.stdout and "数据库未改变" in again.stdout

    found = workbench("check", "--db", db, "--year", "2020", "--severity", "error")
    assert found.returncode == 0, found.stderr
    # 2020 Pingtan's outcomes add up to 26 in the 自然人 column while its （七）总计 says 20.
    assert "requests.outcome_sum" in found.stdout and "平潭综合实验区" in found.stdout

    # Filters say what they did: a year with no reports, a text matching several agencies, a bad severity.
    none = workbench("check", "--db", db, "--year", "2031")
    assert none.returncode == 0 and "没有2031年度的报告" in none.stderr and "2019" in none.stderr
    several = workbench("check", "--db", db, "--agency", "区")
    assert "匹配" in several.stderr and "洪泽区" in several.stderr and "平潭综合实验区" in several.stderr
    bad = workbench("check", "--db", db, "--severity", "fatal")
    assert bad.returncode == 2 and "error、warning、info" in bad.stderr
    assert "本工具读取问题" in workbench("check", "--db", db).stdout  # the reading notes, apart

    outcomes = workbench("query", "request_outcomes_by_year", "-p", "year_from=2024", "--db", db, "--csv")
    assert outcomes.returncode == 0, outcomes.stderr
    header, *rows = outcomes.stdout.strip().splitlines()
    assert header.startswith("year,") and {r.split(",")[0] for r in rows} == {"2024", "2025"}

    unknown = workbench("query", "no_such_question", "--db", db)
    assert unknown.returncode == 1 and "request_outcomes_by_year" in unknown.stderr

    themes = workbench("narrative", "--db", db, "--agency", "平潭")
    assert themes.returncode == 0, themes.stderr
    assert "政策解读" in themes.stdout and "重复出现的问题" in themes.stdout

    exported = workbench("export", "--db", db, "--format", "csv", "--year", "2024", "--out", tmp_path / "x")
    assert exported.returncode == 0, exported.stderr
    assert (tmp_path / "x" / "reports_2024.csv").read_text(encoding="utf-8-sig").count("\n") >= 3


def test_store_commands_without_a_database_say_how_to_make_one(tmp_path: Path) -> None:
    result = workbench("check", "--db", tmp_path / "none.duckdb")
    assert result.returncode == 1
    assert "workbench ingest" in result.stderr and "Traceback" not in result.stderr


def test_narrative_refresh_with_a_missing_taxonomy_names_the_file(tmp_path: Path) -> None:
    db = tmp_path / "store.duckdb"
    assert workbench("ingest", REAL / "2023_pingtan.html", "--db", db, "--workers", "1").returncode == 0
    result = workbench("narrative", "--db", db, "--taxonomy", tmp_path / "missing.yaml")
    assert result.returncode == 1
    assert "missing.yaml" in result.stderr and "Traceback" not in result.stderr


def test_ingest_of_a_glob_matching_nothing_says_so_and_creates_no_database(tmp_path: Path) -> None:
    db = tmp_path / "store.duckdb"
    result = workbench("ingest", str(tmp_path / "nowhere" / "*.pdf"), "--db", db)
    assert result.returncode == 2
    assert "没有找到报告文件" in result.stderr and not db.exists()
