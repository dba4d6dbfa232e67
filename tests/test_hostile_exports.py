"""Hostile input (issue 12): report text that looks like a formula, an agency name that looks like a
path, a user's LIKE wildcards, query names outside queries/, deep or UTF-32 HTML, and a database
file that is not a DuckDB database."""

from __future__ import annotations

import errno
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from workbench.store import StoreError, export_tables, ingest, run_query, stored_findings
from workbench.store.parquet import write_chunk

ROOT = Path(__file__).resolve().parent.parent
HOSTILE = ('=HYPERLINK("http://x")', "@SUM(1)", "+1+1", "-2+3")


def workbench(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "workbench.cli", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, encoding="utf-8", timeout=300)


@pytest.fixture(scope="module")
def report_txt(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One generated report (txt), parsed cleanly."""
    from workbench.synth import generate

    folder = tmp_path_factory.mktemp("synth")
    generate(folder, agencies=1, years=range(2024, 2025), seed=7, formats=["txt", "html"], break_share=0)
    return next(folder.glob("*.txt"))


def _with_title(source: Path, folder: Path, title: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    lines = source.read_text("utf-8").splitlines()
    target = folder / "report.txt"
    target.write_text("\n".join([title, *lines[1:]]) + "\n", "utf-8")
    return target


@pytest.fixture(scope="module")
def hostile_db(report_txt: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store whose section 五 items and findings hold formula-like text, and a negative fee."""
    db = tmp_path_factory.mktemp("hostile") / "wb.duckdb"
    assert ingest([report_txt], db, registry=None, workers=1).failed == 0
    with duckdb.connect(str(db)) as con:
        (report_id,) = con.execute("SELECT report_id FROM reports").fetchone()
        con.execute("DELETE FROM narrative_items")
        con.executemany("INSERT INTO narrative_items VALUES (?, 'problems', ?, ?)",
                        [(report_id, i, text) for i, text in enumerate(HOSTILE, start=1)])
        con.execute("INSERT INTO findings VALUES (?, 'check', 'x.rule', 'error', '=1+1', '@A1', '-3', NULL, NULL)",
                    [report_id])
        con.execute("UPDATE reports SET fees_collected_yuan = -5")
    return db


# -- 1. formula injection in exports ------------------------------------------------------------


def _xlsx_cells(workbook: Path) -> dict[str, list[tuple[str, str, object]]]:
    """Each sheet's cells as (reference, kind, value): kind s (text), n (number) or f (formula)."""
    import openpyxl

    sheets = {}
    for sheet in openpyxl.load_workbook(workbook).worksheets:
        sheets[sheet.title] = [(c.coordinate, c.data_type, c.value) for row in sheet.iter_rows() for c in row
                               if c.value is not None]
    return sheets


def test_xlsx_export_keeps_formula_like_text_as_text(hostile_db: Path, tmp_path: Path) -> None:
    (workbook,) = export_tables(hostile_db, "xlsx", tmp_path)
    sheets = _xlsx_cells(workbook)
    cells = [cell for sheet in sheets.values() for cell in sheet]
    assert not [c for c in cells if c[1] == "f"]  # no formula cells at all
    texts = {value for _, kind, value in cells if kind == "s"}
    for text in (*HOSTILE, "=1+1", "@A1", "-3"):
        assert text in texts, text
    header = {value: ref.rstrip("1") for ref, kind, value in sheets["报告"] if ref.endswith("1") and kind == "s"
              and ref[-2].isalpha()}
    fee = next(c for c in sheets["报告"] if c[0] == header["收取信息处理费（元）"] + "2")
    assert fee[1:] == ("n", -5.0)  # numbers stay numbers


def test_csv_export_defuses_formula_like_text_but_not_numbers(hostile_db: Path, tmp_path: Path) -> None:
    files = {p.name: p for p in export_tables(hostile_db, "csv", tmp_path)}
    items = files["narrative_items.csv"].read_text("utf-8-sig")
    assert "'=HYPERLINK(\"\"http://x\"\")" in items
    for text in ("'@SUM(1)", "'+1+1", "'-2+3"):
        assert text in items
    findings = files["findings.csv"].read_text("utf-8-sig")
    assert "'=1+1" in findings and "'@A1" in findings and "'-3" in findings  # text columns
    reports = files["reports.csv"].read_text("utf-8-sig").splitlines()
    fees = reports[0].split(",").index("收取信息处理费（元）")
    assert reports[1].split(",")[fees] == "-5.0"  # a number column: no quote


# -- 2. path traversal in Parquet partitions -------------------------------------------------------


@pytest.mark.parametrize("title", ["../../x/pwn省2024年政府信息公开工作年度报告",
                                   "/../../tmp/pwn省2024年政府信息公开工作年度报告"])
def test_parquet_partition_stays_inside_its_folder(report_txt: Path, tmp_path: Path, title: str) -> None:
    report = _with_title(report_txt, tmp_path / "in", title)
    root = tmp_path / "a" / "b" / "parquet"
    result = workbench("ingest", report, "--db", tmp_path / "wb.duckdb", "--parquet", root,
                       "--registry", tmp_path / "none.csv", "--workers", "1", "--no-narrative")
    assert result.returncode == 0, result.stderr
    written = [p for p in tmp_path.rglob("*.parquet")]
    assert written and all(p.resolve().is_relative_to(root.resolve()) for p in written)
    assert {p.parent.parent.parent for p in written} <= {root / t for t in os.listdir(root)}
    assert not Path("/tmp/pwn省").exists()
    with duckdb.connect(str(tmp_path / "wb.duckdb"), read_only=True) as con:
        assert con.execute("SELECT agency FROM reports").fetchall() == [(title.removesuffix(
            "2024年政府信息公开工作年度报告"),)]


def test_write_chunk_refuses_a_region_that_escapes(tmp_path: Path) -> None:
    from workbench.store.parquet import FILE_COLUMNS, PARSE_TABLES

    row = dict.fromkeys(FILE_COLUMNS)
    row.update(path="x.txt", ordinal=0, year=2024, region="../../../escape", agency="x")
    rows = {"files": [tuple(row.values())], **{t: [] for t in PARSE_TABLES[1:]}}
    write_chunk([rows], tmp_path / "root", "run", 0)
    written = list(tmp_path.rglob("*.parquet"))
    assert written and all(p.is_relative_to(tmp_path / "root" / "files" / "year=2024") for p in written)


def test_dask_engine_keeps_a_report_with_a_path_like_agency(report_txt: Path, tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    report = _with_title(report_txt, tmp_path / "in", "../../x/pwn省2024年政府信息公开工作年度报告")
    db, root = tmp_path / "wb.duckdb", tmp_path / "parquet"
    result = ingest([report], db, registry=None, workers=1, engine="dask", parquet_dir=root)
    assert (result.loaded, result.failed) == (1, 0)
    assert all(p.resolve().is_relative_to(root.resolve()) for p in tmp_path.rglob("*.parquet"))
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT agency FROM reports").fetchall() == [("../../x/pwn省",)]


# -- 3. LIKE wildcards in --agency ------------------------------------------------------------------


def test_agency_filter_takes_wildcards_literally(hostile_db: Path) -> None:
    assert stored_findings(hostile_db)  # there are findings …
    for text in ("%", "_", "\\", "%%"):
        assert stored_findings(hostile_db, agency=text) == [], text  # … but no agency contains these
    assert stored_findings(hostile_db, agency="青岚")
    for name in ("request_outcomes_by_year", "request_outcomes_by_agency"):
        assert run_query(name, {"agency": "青岚"}, db=hostile_db).height > 0
        assert run_query(name, {"agency": "%"}, db=hostile_db).height == 0, name


def test_check_cli_agency_percent_matches_nothing(hostile_db: Path) -> None:
    result = workbench("check", "--db", hostile_db, "--agency", "%")
    assert result.returncode == 0, result.stderr
    assert "共 0 条发现" in result.stdout


# -- 4. queries outside queries/ and writing statements ----------------------------------------------


def test_query_outside_the_queries_folder_is_refused(hostile_db: Path, tmp_path: Path) -> None:
    outside = tmp_path / "evil.sql"
    outside.write_text("SELECT 42 AS answer", "utf-8")
    for name in (str(outside.with_suffix("")), str(outside), "../queries/reports_by_year", "reports_by_year.sql"):
        with pytest.raises(StoreError, match="没有名为") as caught:
            run_query(name, db=hostile_db)
        assert "reports_by_year" in str(caught.value)  # names the choices
    result = workbench("query", outside.with_suffix(""), "--db", hostile_db)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "42" not in result.stdout


def test_a_query_cannot_write_files(hostile_db: Path, tmp_path: Path) -> None:
    folder = tmp_path / "queries"
    folder.mkdir()
    target = tmp_path / "leak.csv"
    (folder / "leak.sql").write_text(f"-- answers: nothing\nCOPY (SELECT * FROM reports) TO '{target}'", "utf-8")
    (folder / "two.sql").write_text(f"SELECT 1;\nCOPY (SELECT 1) TO '{target}'", "utf-8")
    for name in ("leak", "two"):
        with pytest.raises(StoreError, match="只能运行 SELECT"):
            run_query(name, db=hostile_db, queries_dir=folder)
    assert not target.exists()


# -- 5. HTML nested deeply, HTML in UTF-32 -----------------------------------------------------------


@pytest.fixture(scope="module")
def report_html(report_txt: Path) -> Path:
    return next(report_txt.parent.glob("*.html"))


def _html_text(path: Path) -> str:
    """The generated page as text, declaring the encoding it will be written in (utf-8)."""
    from workbench.sources.encoding import declared_charset, decode

    data = path.read_bytes()
    return re.sub(r'charset="?[\w-]+"?', 'charset="utf-8"', decode(data, declared_charset(data)), count=1)


def _tables(path: Path) -> int:
    from workbench.sources import read_document
    from workbench.sources.document import Table

    return sum(isinstance(b, Table) for b in read_document(path).blocks)


def test_deeply_nested_html_still_parses(report_html: Path, tmp_path: Path) -> None:
    from workbench.parse import parse_file

    html = _html_text(report_html)
    start, end = html.index("<body>") + len("<body>"), html.index("</body>")
    deep = tmp_path / "deep.html"
    deep.write_text(html[:start] + "<div>" * 300 + html[start:end] + "</div>" * 300 + html[end:], "utf-8")
    assert _tables(deep) == _tables(report_html) > 0
    assert parse_file(deep).requests == parse_file(report_html).requests


@pytest.mark.parametrize("encoding", ["utf-32", "utf-32-be"])
def test_utf32_html_with_bom_parses(report_html: Path, tmp_path: Path, encoding: str) -> None:
    from workbench.parse import parse_file

    text = _html_text(report_html).replace('charset="utf-8"', 'charset="utf-32"')
    wide = tmp_path / "wide.html"
    data = text.encode(encoding)
    wide.write_bytes(data if encoding == "utf-32" else b"\x00\x00\xfe\xff" + data)
    assert wide.read_bytes()[:4] in (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")
    record = parse_file(wide)
    assert record.agency == parse_file(report_html).agency
    assert record.requests == parse_file(report_html).requests


# -- 6. a database file that is not a DuckDB database; a folder that cannot be written ---------------


@pytest.mark.parametrize("content", [b"", b"this is a spreadsheet, not a database\n" * 200,
                                     b"\x00" * 8 + b"DUCK" + b"\x00" * 4000])
def test_every_command_refuses_a_file_that_is_not_a_database(report_txt: Path, tmp_path: Path,
                                                              content: bytes) -> None:
    db = tmp_path / "wb.duckdb"
    db.write_bytes(content)
    for args in (("check",), ("check", "--rerun"), ("query", "reports_by_year"), ("export",),
                 ("ingest", report_txt, "--registry", tmp_path / "none.csv", "--workers", "1")):
        result = workbench(*args, "--db", db, cwd=tmp_path)
        assert result.returncode != 0, args
        assert "Traceback" not in result.stderr and "╭" not in result.stderr, (args, result.stderr)
        (line,) = result.stderr.strip().splitlines()
        assert "不是 DuckDB 数据库" in line and str(db) in line, line
        assert db.read_bytes() == content, args
    assert sorted(p.name for p in tmp_path.iterdir()) in (["wb.duckdb"], ["wb.duckdb", "wb.duckdb.lock"])


def test_ingest_into_a_folder_that_cannot_be_written(report_txt: Path, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from workbench.cli import app

    folder = tmp_path / "readonly"
    folder.mkdir()
    folder.chmod(0o555)
    real_open = os.open

    def no_write(path: str | os.PathLike[str], flags: int, *args: int, **kwargs: int) -> int:
        if str(path).startswith(str(folder)) and flags & (os.O_CREAT | os.O_WRONLY | os.O_RDWR):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, flags, *args, **kwargs)

    if os.geteuid() == 0:  # root ignores the mode: refuse the way the kernel would
        monkeypatch.setattr(os, "open", no_write)
    try:
        result = CliRunner().invoke(app, ["ingest", str(report_txt), "--db", str(folder / "wb.duckdb"),
                                          "--registry", str(tmp_path / "none.csv"), "--workers", "1"])
    finally:
        folder.chmod(0o755)
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    (line,) = result.output.strip().splitlines()
    assert "无法写入" in line and str(folder) in line, line
    assert not list(folder.iterdir())
    shutil.rmtree(folder)
