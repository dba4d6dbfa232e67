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
    assert "平潭综合实验区 · 2019 · template 2019" in result.stdout
    assert "cells filled" in result.stdout and "identities" in result.stdout


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
    for path, reason in [(empty, "empty"), (not_zip, "not a valid DOCX"), (truncated, "PDF"),
                         (not_report, "not a 政府信息公开工作年度报告"), (missing, "not found")]:
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
    assert f"{len(list(REAL.iterdir()))} report(s) parsed, 0 failed" in result.stdout
