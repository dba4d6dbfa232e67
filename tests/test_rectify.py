"""Rectification lists (workbench rectify): the Word documents and the workbook hold exactly the
findings a supervisor would send to each agency.

The store is built with the real ingest from the real 2019/2020 Pingtan crawler text (2020 breaks
the 表三 outcome sum in two columns and carries the parser's reading notes) and four generated
agencies × 2019–2020 with half their agency-years broken on purpose (a 勾稽 identity, a
carry-over chain, a late report, blank tables). What each list must hold is read from the store
with its own SQL, not from the code under test.
"""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import openpyxl
import pytest
from docx import Document
from docx.oxml.ns import qn
from typer.testing import CliRunner

from workbench.checks import RULES, rule
from workbench.checks.grid import cell_label
from workbench.checks.names import RULE_SHORT
from workbench.cli import app
from workbench.digest.docx_format import settings
from workbench.digest.rectify import (
    NAME_MAX,
    RectifyError,
    cells_label,
    document_name,
    safe_name,
    write_list_xlsx,
    write_rectification,
)
from workbench.store import ingest
from workbench.store.connect import write
from workbench.synth import generate

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT / "data" / "real"
YEAR = 2020
DOC_HEADERS = ["序号", "问题类型", "涉及单元格", "问题说明", "模板要求", "复核意见"]
SHEET_HEADERS = ["机关", "年度", "问题类型", "严重程度", "涉及单元格", "问题说明", "模板要求", "来源文件", "发布日期",
                 "复核意见", "finding_id"]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    corpus = tmp_path_factory.mktemp("rectify-corpus")
    for name in ("2019_pingtan_text.txt", "2020_pingtan_text.txt"):
        shutil.copy(REAL / name, corpus / name)
    generate(corpus / "synth", agencies=4, years=range(2019, 2021), seed=3, formats=["txt"], break_share=0.5)
    db = tmp_path_factory.mktemp("rectify-db") / "wb.duckdb"
    result = ingest([corpus], db, registry=None, workers=1, progress=False)
    assert result.failed == 0, result.failures
    return db


@pytest.fixture
def db(built: Path, tmp_path: Path) -> Path:
    """A private copy: tests that file reviews do not change what the others see."""
    copy = tmp_path / "wb.duckdb"
    shutil.copy(built, copy)
    return copy


def store_findings(db: Path, where: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
    with duckdb.connect(str(db), read_only=True) as con:
        cursor = con.execute(
            "SELECT agency_id, agency, rule, severity, message, cells, source, finding_id, finding_key"
            f" FROM findings_detail WHERE is_current AND year = {YEAR} AND {where} ORDER BY agency_id, finding_id",
            params or [])
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def by_agency(rows: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    grouped: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        grouped.setdefault(row["agency_id"], []).append(row)
    return grouped


def read_docx(path: Path) -> tuple[list[str], list[list[str]]]:
    document = Document(str(path))
    (table,) = document.tables
    return [p.text for p in document.paragraphs], [[c.text for c in row.cells] for row in table.rows]


def review(db: Path, finding: dict[str, Any], decision: str, note: str, who: str = "张三",
           when: datetime = datetime(2025, 4, 2, 9, 30)) -> None:
    with write(db) as con:
        con.execute("INSERT INTO finding_reviews VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [finding["finding_key"], finding["agency_id"], YEAR, finding["rule"], finding["cells"], decision,
                     note, who, when, finding["message"]])


def test_one_document_per_agency_with_errors_listing_exactly_its_errors(db: Path, tmp_path: Path) -> None:
    errors = by_agency(store_findings(db, "source = 'check' AND severity = 'error'"))
    every = {r["agency_id"] for r in store_findings(db, "true")}
    assert len(errors) >= 2 and every - set(errors), "the corpus must have agencies with and without errors"
    out = tmp_path / "lists"

    result = write_rectification(db, YEAR, out=out)

    assert sorted(result.agencies) == sorted(errors)
    assert sorted(p.name for p in out.glob("*.docx")) == sorted(f"整改清单-{YEAR}-{a}.docx" for a in errors)
    assert result.workbook == out / f"整改清单-{YEAR}.xlsx" and result.workbook.is_file()
    assert result.findings == sum(map(len, errors.values()))
    parse_messages = {r["message"] for r in store_findings(db, "source = 'parse'")}
    assert parse_messages, "the corpus must carry reading notes of the workbench's own"
    for agency_id, found in errors.items():
        paragraphs, rows = read_docx(out / f"整改清单-{YEAR}-{agency_id}.docx")
        assert paragraphs[0] == f"{found[0]['agency']} {YEAR}年度政府信息公开工作年度报告 整改清单"
        assert paragraphs[1].startswith("依据报告：") and "格式，发布日期" in paragraphs[1]
        assert any("整改" in p and "＿＿＿＿年＿＿月＿＿日前" in p for p in paragraphs)
        assert rows[0] == DOC_HEADERS
        body = rows[1:]
        assert [r[0] for r in body] == [str(n) for n in range(1, len(found) + 1)]
        assert sorted((r[1], r[3]) for r in body) == sorted((RULE_SHORT[f["rule"]], f["message"]) for f in found)
        for row in body:
            finding = next(f for f in found if f["message"] == row[3])
            assert row[4] == rule(finding["rule"]).zh
            assert row[2] == cells_label(finding["cells"]) and "." not in row[2]  # labels, never raw ids
            assert row[5] == "—"  # not reviewed
        text = "\n".join(paragraphs + [c for r in rows for c in r])
        assert not parse_messages & {line for r in body for line in r}
        assert "parse." not in text and "read." not in text
    assert "2020_pingtan_text.txt" in read_docx(out / f"整改清单-{YEAR}-平潭综合实验区.docx")[0][1]


def test_documents_set_the_chinese_font_on_east_asia(db: Path, tmp_path: Path) -> None:
    result = write_rectification(db, YEAR, out=tmp_path)
    document = Document(str(result.documents[0]))
    fonts = document.styles["Normal"].element.rPr.find(qn("w:rFonts"))
    assert fonts.get(qn("w:eastAsia")) == settings()["styles"]["Normal"]["face"] == "仿宋_GB2312"
    assert document.sections[0].page_width > document.sections[0].page_height  # landscape: six columns


def test_the_workbook_has_one_row_per_finding_chinese_bold_frozen_headers(db: Path, tmp_path: Path) -> None:
    errors = store_findings(db, "source = 'check' AND severity = 'error'")
    result = write_rectification(db, YEAR, out=tmp_path)
    workbook = openpyxl.load_workbook(result.workbook)
    assert workbook.sheetnames == ["整改清单"]
    sheet = workbook["整改清单"]
    header = [c.value for c in sheet[1]]
    assert header == SHEET_HEADERS
    assert all(c.font.bold for c in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert all((sheet.column_dimensions[c].width or 0) > 5 for c in "ABCDEFGHIJK")
    rows = [dict(zip(header, (c.value for c in row), strict=True)) for row in sheet.iter_rows(min_row=2)]
    assert sorted(r["finding_id"] for r in rows) == sorted(f["finding_id"] for f in errors)
    for row in rows:
        finding = next(f for f in errors if f["finding_id"] == row["finding_id"])
        assert (row["机关"], row["年度"], row["严重程度"]) == (finding["agency_id"], YEAR, "错误")
        assert (row["问题类型"], row["问题说明"]) == (RULE_SHORT[finding["rule"]], finding["message"])
        assert row["模板要求"] == rule(finding["rule"]).zh
        assert row["涉及单元格"] == cells_label(finding["cells"])
        assert row["来源文件"].endswith(".txt")


def test_dismissed_findings_leave_confirmed_ones_join_and_stale_lists_go(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "lists"
    write_rectification(db, YEAR, out=out)
    pingtan = store_findings(db, "source = 'check' AND severity = 'error' AND agency_id = '平潭综合实验区'")
    assert len(pingtan) == 2  # the real 2020 report breaks 表三's outcome sum in two columns
    yunxi = store_findings(db, "source = 'check' AND severity = 'error' AND agency_id = '云溪市林业局'")
    warnings = store_findings(db, "source = 'check' AND severity = 'warning' AND agency_id = '桐川市人民政府'")
    assert yunxi and warnings and not store_findings(
        db, "source = 'check' AND severity = 'error' AND agency_id = '桐川市人民政府'")
    assert (out / f"整改清单-{YEAR}-云溪市林业局.docx").is_file()

    review(db, pingtan[0], "dismissed", "原文如此，已电话核实")
    for finding in yunxi:
        review(db, finding, "dismissed", "机构改革，口径不同")
    review(db, warnings[0], "confirmed", "已与原文核对", who="李四")
    result = write_rectification(db, YEAR, out=out)

    _, rows = read_docx(out / f"整改清单-{YEAR}-平潭综合实验区.docx")
    assert [r[3] for r in rows[1:]] == [pingtan[1]["message"]]
    assert not (out / f"整改清单-{YEAR}-云溪市林业局.docx").exists()  # nothing left to rectify: no stale list
    assert out / f"整改清单-{YEAR}-云溪市林业局.docx" in result.removed
    paragraphs, rows = read_docx(out / f"整改清单-{YEAR}-桐川市人民政府.docx")
    assert [r[1:4] for r in rows[1:]] == [[RULE_SHORT[warnings[0]["rule"]], cells_label(warnings[0]["cells"]),
                                           warnings[0]["message"]]]
    assert rows[1][5] == "已确认：已与原文核对（李四，2025-04-02）"
    assert "其中1项经复核确认" in paragraphs[2] + paragraphs[3]
    sheet = openpyxl.load_workbook(result.workbook)["整改清单"]
    ids = {row[10].value for row in sheet.iter_rows(min_row=2)}
    assert warnings[0]["finding_id"] in ids and pingtan[1]["finding_id"] in ids
    assert not ids & {pingtan[0]["finding_id"], *(f["finding_id"] for f in yunxi)}

    # Reopened: the warning is no longer confirmed, so it leaves the error-only list again.
    review(db, warnings[0], "reopened", "", when=datetime(2025, 4, 3))
    again = write_rectification(db, YEAR, out=out)
    assert "桐川市人民政府" not in again.agencies
    assert not (out / f"整改清单-{YEAR}-桐川市人民政府.docx").exists()


def test_warning_severity_adds_warnings_but_never_infos_or_reading_notes(db: Path, tmp_path: Path) -> None:
    wanted = by_agency(store_findings(db, "source = 'check' AND severity IN ('error', 'warning')"))
    parse = store_findings(db, "source = 'parse' AND agency_id = '古城区人民政府'")
    assert parse and not store_findings(db, "source = 'check' AND severity <> 'info' AND agency_id = '古城区人民政府'")
    review(db, parse[0], "confirmed", "确认")  # even a confirmed reading note is the workbench's own problem

    result = write_rectification(db, YEAR, out=tmp_path, severity="warning")

    assert sorted(result.agencies) == sorted(wanted)
    assert "古城区人民政府" not in result.agencies
    for agency_id, found in wanted.items():
        _, rows = read_docx(tmp_path / f"整改清单-{YEAR}-{agency_id}.docx")
        assert sorted(r[3] for r in rows[1:]) == sorted(f["message"] for f in found)
        severities = [f["severity"] for f in sorted(found, key=lambda f: [r[3] for r in rows[1:]].index(f["message"]))]
        assert severities == sorted(severities, key=["error", "warning"].index)  # errors first
    with pytest.raises(RectifyError, match="可选"):
        write_rectification(db, YEAR, out=tmp_path, severity="info")


def test_agency_text_matching_several_agencies_writes_them_all_and_says_so(db: Path, tmp_path: Path) -> None:
    errors = by_agency(store_findings(db, "source = 'check' AND severity = 'error'"))
    with duckdb.connect(str(db), read_only=True) as con:
        cities = [a for (a,) in con.execute(f"SELECT agency_id FROM current_reports WHERE year = {YEAR}"
                                            " AND contains(agency_id, '市') ORDER BY 1").fetchall()]
    assert len(cities) >= 2

    result = write_rectification(db, YEAR, out=tmp_path, agency="市")

    assert result.matched == cities
    assert any(f"匹配{len(cities)}个机关" in note for note in result.notes)
    assert sorted(result.agencies) == sorted(a for a in errors if a in cities)
    assert result.workbook == tmp_path / f"整改清单-{YEAR}-市.xlsx"  # not the whole year's workbook
    with pytest.raises(RectifyError, match="没有名称包含“不存在的机关”"):
        write_rectification(db, YEAR, out=tmp_path, agency="不存在的机关")
    with pytest.raises(RectifyError, match="没有2031年度的报告|数据库中没有2031年度"):
        write_rectification(db, 2031, out=tmp_path)


def test_an_agency_without_findings_gets_nothing_written(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "none"
    result = write_rectification(db, YEAR, out=out, agency="古城区")
    assert result.matched == ["古城区人民政府"] and result.documents == [] and result.workbook is None
    assert not out.exists()
    assert "没有需要整改的问题" in result.summary() and "未写出" in result.summary()


def test_cli_end_to_end(db: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "cli"
    done = runner.invoke(app, ["rectify", "--year", str(YEAR), "--db", str(db), "--out", str(out)])
    assert done.exit_code == 0, done.output
    written = sorted(out.iterdir())
    assert len(written) == len(by_agency(store_findings(db, "source = 'check' AND severity = 'error'"))) + 1
    assert all(str(path) in done.output for path in written)
    assert "整改清单" in done.output

    nothing = runner.invoke(app, ["rectify", "--year", str(YEAR), "--db", str(db), "--out", str(tmp_path / "x"),
                                  "--agency", "古城区"])
    assert nothing.exit_code == 0, nothing.output
    assert "没有需要整改的问题" in nothing.output and not (tmp_path / "x").exists()

    bad = runner.invoke(app, ["rectify", "--year", str(YEAR), "--db", str(db), "--severity", "fatal"])
    assert bad.exit_code == 2 and "可选：error、warning" in bad.output
    unknown = runner.invoke(app, ["rectify", "--year", str(YEAR), "--db", str(db), "--agency", "火星局"])
    assert unknown.exit_code == 1
    (line,) = unknown.output.strip().splitlines()
    assert line.startswith("workbench rectify: ") and "火星局" in line
    missing = runner.invoke(app, ["rectify", "--year", str(YEAR), "--db", str(tmp_path / "no.duckdb")])
    assert missing.exit_code == 1 and "Traceback" not in missing.output


def test_file_names_are_safe_on_windows_short_and_distinct() -> None:
    hostile = ['淮安市/洪泽区:人民政府', '机关*?"<>|名', "a\\b", "点结尾。. ", "长" * 200, "长" * 199 + "短"]
    names = [document_name(2024, name) for name in hostile]
    for name in names:
        assert not set('/\\:*?"<>|') & set(name), name
        assert len(name) <= NAME_MAX and name.endswith(".docx") and name.startswith("整改清单-2024-")
    assert len(set(names)) == len(names)
    assert document_name(2024, "淮安市人民政府") == "整改清单-2024-淮安市人民政府.docx"
    assert safe_name("整改清单-2024-a_b", ".docx") != document_name(2024, "a/b")


def test_workbook_text_that_looks_like_a_formula_stays_text(tmp_path: Path) -> None:
    row = {"agency_id": "=HYPERLINK(\"http://x\",\"点击\")", "year": 2024, "rule_zh": "表三总计≠各项之和",
           "severity_zh": "错误", "cells_zh": "@SUM(A1)", "message": "+1+1", "requirement": "-2",
           "source_file": "r.pdf", "published": "2025-01-01", "review_zh": "", "finding_id": "12345678"}
    sheet = openpyxl.load_workbook(write_list_xlsx(tmp_path / "w.xlsx", [row]))["整改清单"]
    values = [c.value for c in sheet[2]]
    assert values[0] == "'=HYPERLINK(\"http://x\",\"点击\")" and values[4] == "'@SUM(A1)"
    assert values[5] == "'+1+1" and values[6] == "'-2"
    assert values[10] == "12345678" and sheet.cell(2, 11).data_type == "s"  # an id, not a number
    assert all(c.data_type != "f" for c in sheet[2])


def test_cell_labels_and_short_rule_names() -> None:
    assert cell_label("requests.granted.total") == "表三 （一）予以公开 · 总计"
    assert cell_label("review_litigation.review.total") == "表四 行政复议 · 总计"
    assert cell_label("active_disclosure.normative_documents.in_force") == "表二 行政规范性文件 · 现行有效件数"
    assert cell_label("requests") == "表三（整表）"
    assert cell_label("section.problems") == "第五部分 存在的主要问题及改进情况"
    assert cell_label("report.published_on").startswith("发布日期")
    assert cell_label("requests.denied_third_party.total") == "表三 （三）不予公开 4.保护第三方合法权益 · 总计"
    assert cell_label("something.new") == "something.new"  # unknown ids print as they are
    assert cells_label("requests.granted.total,report.published_on,") == (
        "表三 （一）予以公开 · 总计；" + cell_label("report.published_on"))
    assert cells_label(None) == ""
    assert set(RULE_SHORT) == {r.id for r in RULES}  # every rule has a short name, and only rules do
