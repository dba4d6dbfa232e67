"""Old Word (.doc), WPS (.wps), RTF and spreadsheet (.xlsx, .xls) reports.

The fixtures in tests/data/office/ were made from synthetic DOCX reports
(make_fixtures.py there); each must give every cell of the record parsed from its
source DOCX. Files that need LibreOffice are read once per session, and those tests
skip when it is not installed; the missing-converter error is tested with a fake
environment, so it runs everywhere.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict
from datetime import datetime
from pathlib import Path

import duckdb
import openpyxl
import pytest
from office_support import ole_file, tables_only_workbook, whole_report_sheet
from record_compare import cell_mismatches, metadata_mismatches

from workbench.parse import parse_file
from workbench.sources import SourceError, office, read_document, sniff_format
from workbench.sources.document import Paragraph, Table
from workbench.sources.sheets import UNREAD_MARK, cell_text, sheet_blocks, sheet_grid
from workbench.store import ingest
from workbench.synth import render_docx
from workbench.synth.layout import build_blocks, make_style
from workbench.synth.report import build_reports

DATA = Path(__file__).parent / "data" / "office"
REGISTRY = Path(__file__).resolve().parent.parent / "data" / "agencies.csv"
TABLE_ONLY_KEYS = ("agency", "year", "template")


def expected(template: str) -> dict:
    return json.loads((DATA / f"report_{template}.expected.json").read_text("utf-8"))


def soffice_or_skip() -> Path:
    try:
        return office.find_soffice()
    except office.ConverterMissing:
        pytest.skip("LibreOffice (soffice) is not installed")


def wps_copy(folder: Path) -> Path:
    """What WPS Office saves a 文字 file as: a Word 97 binary under .wps."""
    return Path(shutil.copyfile(DATA / "report_2021.doc", folder / "report_2021.wps"))


@pytest.fixture(scope="session")
def converted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    """The records of the files LibreOffice reads, each converted once per session."""
    soffice = soffice_or_skip()
    folder = tmp_path_factory.mktemp("office")
    wps = wps_copy(folder)
    # A second report, of the other template, made now: DOCX → Word 97 .doc.
    docx_2019 = next(docx for _, _, docx, template in synthetic_reports(4) if template == "2019")
    (folder / "report_2019.docx").write_bytes(docx_2019)
    wanted_2019 = asdict(parse_file(folder / "report_2019.docx"))
    jobs = [("rtf:Rich Text Format", DATA / "report_2021.doc"), ("doc:MS Word 97", folder / "report_2019.docx")]
    with ThreadPoolExecutor(len(jobs)) as pool:
        list(pool.map(lambda job: convert_with(soffice, job[0], job[1], folder), jobs))
    files = {"doc": DATA / "report_2021.doc", "wps": wps, "rtf": folder / "report_2021.rtf",
             "doc_2019": folder / "report_2019.doc"}
    # At the same time, as parallel ingest workers would: each conversion has its own profile.
    with ThreadPoolExecutor(len(files)) as pool:
        records = dict(zip(files, pool.map(lambda p: asdict(parse_file(p)), files.values()), strict=True))
    return {**records, "expected_2019": wanted_2019}


def convert_with(soffice: Path, target: str, source: Path, outdir: Path) -> None:
    """Make a test input with LibreOffice. Its first start builds a fresh profile and, two at once
    on a loaded single core (CI), may exit 1 without a word: one more try, then its stderr."""
    profile = outdir / f"profile-{source.name}"
    command = [str(soffice), f"-env:UserInstallation={profile.as_uri()}", "--headless", "--invisible",
               "--nologo", "--norestore", "--nodefault", "--nolockcheck",  # as office.py starts it
               "--convert-to", target, "--outdir", str(outdir), str(source)]
    for _attempt in (1, 2):
        done = subprocess.run(command, capture_output=True, timeout=120)
        if done.returncode == 0:
            return
    raise AssertionError(f"soffice failed twice ({done.returncode}): {done.stderr.decode(errors='replace')[-500:]}")


def assert_same_report(actual: dict, wanted: dict, keys: tuple[str, ...] | None = None) -> None:
    assert cell_mismatches(actual, wanted) == []
    assert sum(len(actual[s]) for s in ("active_disclosure", "requests", "review_litigation")) == \
        sum(len(wanted[s]) for s in ("active_disclosure", "requests", "review_litigation"))
    if keys is None:
        assert metadata_mismatches(actual, wanted) == []
        assert (actual["problems"], actual["improvements"]) == (wanted["problems"], wanted["improvements"])
        assert actual["sections"] == wanted["sections"]
    else:
        assert {k: actual[k] for k in keys} == {k: wanted[k] for k in keys}


# --- old Word, WPS, RTF (LibreOffice) ------------------------------------------

@pytest.mark.parametrize("name, fmt", [("doc", "doc"), ("wps", "wps"), ("rtf", "rtf"), ("doc_2019", "doc")])
def test_word_binaries_read_every_cell(converted: dict[str, dict], name: str, fmt: str) -> None:
    record = converted[name]
    assert record["source"]["format"] == fmt
    wanted = converted["expected_2019"] if name.endswith("2019") else expected("2021")
    assert record["template"] == wanted["template"]
    assert_same_report(record, wanted)


def test_missing_converter_is_one_line_naming_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(office.SOFFICE_ENV, str(DATA / "no-such-soffice"))
    with pytest.raises(SourceError) as caught:
        read_document(DATA / "report_2021.doc")
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(str(DATA / "report_2021.doc"))
    assert "LibreOffice" in message and "apt install libreoffice-writer-nogui" in message
    assert "Windows" in message and office.SOFFICE_ENV in message


def test_missing_converter_when_nowhere_to_be_found(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(office.SOFFICE_ENV, raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(office, "INSTALL_LOCATIONS", (str(tmp_path / "program" / "soffice"),))
    with pytest.raises(SourceError) as caught:
        read_document(wps_copy(tmp_path))
    assert "WPS" in caught.value.reason and "本机未找到 LibreOffice" in caught.value.reason
    assert "apt install libreoffice-writer-nogui" in caught.value.reason


def test_converter_found_in_an_install_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    program = tmp_path / "libreoffice7" / "program"
    program.mkdir(parents=True)
    fake = program / "soffice"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    monkeypatch.delenv(office.SOFFICE_ENV, raising=False)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.setattr(office, "INSTALL_LOCATIONS", (str(tmp_path / "libreoffice*" / "program" / "soffice"),))
    assert office.find_soffice() == fake


def fake_soffice(tmp_path: Path, body: str) -> Path:
    script = tmp_path / "soffice"
    script.write_text(f"#!/bin/sh\n{body}\n")
    script.chmod(0o755)
    return script


@pytest.mark.skipif(sys.platform.startswith("win"), reason="a POSIX shell script stands in for soffice")
def test_hung_converter_times_out_and_is_killed(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    marker = tmp_path / "still-running"
    # The launcher starts a child, as soffice starts soffice.bin: the whole group must go.
    script = fake_soffice(tmp_path, f"(sleep 1; touch {marker}) &\nsleep 30")
    monkeypatch.setenv(office.SOFFICE_ENV, str(script))
    monkeypatch.setenv(office.TIMEOUT_ENV, "0.5")
    started = time.monotonic()
    with pytest.raises(SourceError, match="超时"):
        read_document(DATA / "report_2021.doc")
    assert time.monotonic() - started < 1
    time.sleep(1.5 - (time.monotonic() - started))
    assert not marker.exists()


@pytest.mark.skipif(sys.platform.startswith("win"), reason="a POSIX shell script stands in for soffice")
def test_converter_that_writes_nothing(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(office.SOFFICE_ENV, str(fake_soffice(tmp_path, "echo 'Error: source file could not be loaded' >&2")))
    with pytest.raises(SourceError) as caught:
        read_document(DATA / "report_2021.doc")
    assert "LibreOffice 未能转换" in caught.value.reason and "could not be loaded" in caught.value.reason


def test_ingest_batch_goes_on_without_the_converter(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    folder = tmp_path / "batch"
    folder.mkdir()
    for name in ("report_2021.doc", "report_2019_tables.xlsx"):
        shutil.copyfile(DATA / name, folder / name)
    monkeypatch.setenv(office.SOFFICE_ENV, str(tmp_path / "nothing"))
    result = ingest([folder], tmp_path / "store.duckdb", registry=REGISTRY, workers=1, progress=False)
    assert (result.files, result.loaded, result.failed) == (2, 1, 1)
    [(path, error)] = result.failures
    assert path.endswith("report_2021.doc") and "\n" not in error
    assert "apt install libreoffice-writer-nogui" in error
    with duckdb.connect(str(tmp_path / "store.duckdb"), read_only=True) as con:
        rows = con.execute("SELECT format, status FROM documents ORDER BY path").fetchall()
    assert sorted(rows) == [("doc", "failed"), ("xlsx", "loaded")]


# --- spreadsheets ----------------------------------------------------------------

def test_whole_report_xlsx_reads_every_cell() -> None:
    record = asdict(parse_file(DATA / "report_2021.xlsx"))
    assert record["source"]["format"] == "xlsx"
    assert_same_report(record, expected("2021"))


@pytest.mark.parametrize("name, fmt", [("report_2019_tables.xlsx", "xlsx"), ("report_2019_tables.xls", "xls")])
def test_tables_only_workbook_reads_its_tables(name: str, fmt: str) -> None:
    record = asdict(parse_file(DATA / name))
    assert record["source"]["format"] == fmt
    assert_same_report(record, expected("2019"), TABLE_ONLY_KEYS)


def synthetic_reports(count: int) -> list[tuple[list, str, bytes, str]]:
    """(layout blocks, title, DOCX bytes, template) of synthetic reports of both templates."""
    out = []
    for report in build_reports(count, range(2020, 2024), seed=31)[::3][:count]:
        template = report.record["template"]
        style = make_style(random.Random(f"sheet:{report.index}:{report.year}"), template)
        blocks = build_blocks(report.record, report.prose, style)
        title = "".join(report.prose["title"])
        docx = render_docx.render(blocks, style, title, datetime(2024, 1, 20))
        out.append((blocks, title, docx, template))
    return out


def test_generated_workbooks_read_as_their_docx(tmp_path: Path) -> None:
    """Variations: where the sheet starts, whole report vs tables only, both templates."""
    templates = set()
    for i, (blocks, title, docx, _) in enumerate(synthetic_reports(4)):
        (tmp_path / f"{i}.docx").write_bytes(docx)
        wanted = asdict(parse_file(tmp_path / f"{i}.docx"))
        templates.add(wanted["template"])
        whole_report_sheet(blocks, tmp_path / f"{i}.xlsx", top=1 + 3 * i, left=1 + i)
        assert_same_report(asdict(parse_file(tmp_path / f"{i}.xlsx")), wanted)
        tables_only_workbook(blocks, title, tmp_path / f"{i}_tables.xlsx")
        assert_same_report(asdict(parse_file(tmp_path / f"{i}_tables.xlsx")), wanted, TABLE_ONLY_KEYS)
    assert templates == {"2019", "2021"}


def test_merged_cells_and_title_rows(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "工作表1"  # a default name: no heading
    sheet["B2"] = "某局2023年政府信息公开工作年度报告"
    sheet.merge_cells("B2:E2")
    sheet["B3"], sheet["C3"], sheet["E3"] = "项目", "申请人情况", "总计"
    sheet.merge_cells("C3:D3")
    sheet.merge_cells("E3:E4")
    sheet["C4"], sheet["D4"] = "自然人", "商业企业"
    sheet["B5"], sheet["C5"], sheet["D5"], sheet["E5"] = "（一）予以公开", 3, 0.0, 3
    sheet["B6"] = "（二）部分公开"  # its values left blank: a table row, not a note
    sheet["B7"] = "注：本表单位为件"
    sheet.merge_cells("B7:E7")
    sheet.cell(row=200, column=30).number_format = "0.00"  # formatting far out, no value
    book.save(tmp_path / "t.xlsx")
    document = read_document(tmp_path / "t.xlsx")
    assert document.format == "xlsx"
    assert [type(b) for b in document.blocks] == [Paragraph, Table, Paragraph]
    assert document.blocks[0].text == "某局2023年政府信息公开工作年度报告"
    assert document.blocks[1].rows == [["项目", "申请人情况", None, "总计"],
                                       ["", "自然人", "商业企业", None],
                                       ["（一）予以公开", "3", "0", "3"],
                                       ["（二）部分公开", "", "", ""]]
    assert document.blocks[2].text == "注：本表单位为件"


def test_merges_are_clipped_to_the_content_and_hide_stale_values() -> None:
    texts = {(2, 2): "a", (2, 3): "b", (3, 2): "1", (3, 3): "stale under the merge"}
    started = time.monotonic()
    # Two whole columns merged beside the table (xlrd hands merges over as ranges): no 2M-cell grid.
    grid = sheet_grid(Path("x.xls"), texts, [(1, 5, 1048576, 6), (2, 3, 3, 3)])
    assert time.monotonic() - started < 0.5
    assert grid == [["a", "b"], ["1", None]]


def test_sheet_name_heads_its_table_unless_a_row_says_it() -> None:
    grid = [["一、标题", None], ["项目", "数量"], ["规章", "1"]]
    blocks = sheet_blocks("三、收到和处理政府信息公开申请情况", grid)
    assert [b.text for b in blocks if isinstance(b, Paragraph)] == ["一、标题", "三、收到和处理政府信息公开申请情况"]
    assert isinstance(blocks[-1], Table)
    said = sheet_blocks("二、主动公开", [["二、主动公开政府信息情况", None], ["项目", "数量"]])
    assert [b.text for b in said if isinstance(b, Paragraph)] == ["二、主动公开政府信息情况"]
    assert [type(b) for b in sheet_blocks("Sheet1", [["项目", "数量"]])] == [Table]


def test_empty_rows_split_tables_and_spacer_columns_go() -> None:
    grid = [["a", "", "b"], ["1", "", "2"], ["", "", ""], ["c", "", "d"]]
    blocks = sheet_blocks("Sheet2", grid)
    assert [b.rows for b in blocks] == [[["a", "b"], ["1", "2"]], [["c", "d"]]]


@pytest.mark.parametrize("value, number_format, text", [
    (12.0, "General", "12"), (0.1 + 0.2, "General", "0.3"), (22376 + 1e-11, "General", "22376"),
    (1234567.89 + 2e-10, "0.00", "1234567.89"), (0.000125, "General", "0.000125"), (840.14, "0.00", "840.14"),
    (-3, "General", "-3"), (0.125, "0.0%", "12.5%"), (24496300, "#,##0", "24496300"),
    (datetime(2024, 1, 20), "yyyy-mm-dd", "2024年1月20日"),
    ("  一是\n  加强  培训 ", "@", "一是\n加强 培训"), (None, "General", ""),
])
def test_cell_text(value: object, number_format: str, text: str) -> None:
    assert cell_text(value, number_format) == text


def test_formula_without_a_result_and_error_values_are_unread(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["项目", "自然人", "总计"])
    sheet.append(["（一）予以公开", 3, "=SUM(B2:B2)"])  # openpyxl stores no result for it
    sheet.append(["（二）部分公开", 1, "#DIV/0!"])
    sheet["C3"].data_type = "e"
    hidden = book.create_sheet("helper")
    hidden.sheet_state = "hidden"
    hidden["A1"], hidden["B1"] = "隐藏", "表"
    book.save(tmp_path / "f.xlsx")
    [table] = read_document(tmp_path / "f.xlsx").blocks
    assert table.rows == [["项目", "自然人", "总计"], ["（一）予以公开", "3", UNREAD_MARK],
                          ["（二）部分公开", "1", UNREAD_MARK]]


def test_unresulted_formula_in_a_report_is_unread_never_a_number(tmp_path: Path) -> None:
    book = openpyxl.load_workbook(DATA / "report_2021.xlsx")
    sheet = book.active
    [label] = [c for row in sheet.iter_rows() for c in row if c.value == "（一）予以公开"]
    numbers = [c for c in sheet[label.row] if isinstance(c.value, int)]
    numbers[-1].value = f"=SUM({numbers[0].coordinate}:{numbers[-2].coordinate})"
    book.save(tmp_path / "f.xlsx")
    record = asdict(parse_file(tmp_path / "f.xlsx"))
    [total] = [c for c in record["requests"] if (c["row"], c["applicant"]) == ("granted", "total")]
    assert total["value"] is None and total.get("unread")
    unread = {(c["row"], c["applicant"]) for c in record["requests"] if c.get("unread")}
    for problem in cell_mismatches(record, expected("2021")):  # only unread cells differ
        assert any(f"requests {key!r}" in problem for key in unread), problem


def formula_workbook(path: Path) -> Path:
    book = openpyxl.Workbook()
    book.active.append(["项目", "自然人", "商业企业", "总计"])
    book.active.append(["（一）予以公开", 3, 4, "=SUM(B2:C2)"])
    book.save(path)
    return path


def test_saved_formula_results_are_read_xlsx(tmp_path: Path) -> None:
    # As Excel saves it: the formula and its last result (<v>), which openpyxl cannot write.
    source = formula_workbook(tmp_path / "f.xlsx")
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(tmp_path / "saved.xlsx", "w") as new:
        for item in old.infolist():
            part = old.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                assert b"<f>SUM(B2:C2)</f><v></v>" in part or b"<f>SUM(B2:C2)</f><v />" in part
                part = part.replace(b"<f>SUM(B2:C2)</f><v></v>", b"<f>SUM(B2:C2)</f><v>7</v>")
                part = part.replace(b"<f>SUM(B2:C2)</f><v />", b"<f>SUM(B2:C2)</f><v>7</v>")
            new.writestr(item, part)
    [table] = read_document(tmp_path / "saved.xlsx").blocks
    assert table.rows[1] == ["（一）予以公开", "3", "4", "7"]


def test_saved_formula_results_are_read_xls(tmp_path: Path) -> None:
    soffice = soffice_or_skip()
    source = formula_workbook(tmp_path / "f.xlsx")
    subprocess.run([str(soffice), f"-env:UserInstallation={(tmp_path / 'p').as_uri()}", "--headless",
                    "--convert-to", "xls:MS Excel 97", "--outdir", str(tmp_path), str(source)],
                   check=True, capture_output=True, timeout=120)
    if not (tmp_path / "f.xls").exists():
        pytest.skip("LibreOffice Calc is not installed (apt install libreoffice-calc-nogui)")
    [table] = read_document(tmp_path / "f.xls").blocks
    assert table.rows[1] == ["（一）予以公开", "3", "4", "7"]


# --- sniffing --------------------------------------------------------------------

@pytest.mark.parametrize("source, named, fmt", [
    ("report_2021.doc", "x.xls", "doc"), ("report_2021.doc", "x.wps", "wps"), ("report_2021.doc", "x", "doc"),
    ("report_2019_tables.xls", "x.doc", "xls"), ("report_2019_tables.xls", "x", "xls"),
    ("report_2021.xlsx", "x.xls", "xlsx"), ("report_2021.xlsx", "x.docx", "xlsx"), ("report_2021.xlsx", "x", "xlsx"),
])
def test_sniff_by_content(source: str, named: str, fmt: str) -> None:
    assert sniff_format(Path(named), (DATA / source).read_bytes()) == fmt


def test_sniff_from_the_head_only_falls_back_on_the_suffix() -> None:
    head = (DATA / "report_2019_tables.xls").read_bytes()[:4096]
    assert sniff_format(Path("a.xls"), head) == "xls"
    assert sniff_format(Path("a.wps"), head) == "wps"
    assert sniff_format(Path("a.xlsx"), (DATA / "report_2021.xlsx").read_bytes()[:4096]) == "xlsx"


def test_html_or_rtf_saved_as_doc_or_xls() -> None:
    assert sniff_format(Path("a.xls"), b"<html><table><tr><td>1</td></tr></table>") == "html"
    assert sniff_format(Path("a.doc"), b"{\\rtf1\\ansi hello}") == "rtf"


def test_not_a_workbook_under_xlsx(tmp_path: Path) -> None:
    (tmp_path / "a.xlsx").write_text("这不是工作簿", encoding="utf-8")
    with pytest.raises(SourceError, match="Excel"):
        read_document(tmp_path / "a.xlsx")
    (tmp_path / "b.xls").write_bytes(office.OLE_MAGIC + os.urandom(600))
    with pytest.raises(SourceError):
        read_document(tmp_path / "b.xls")


@pytest.mark.parametrize("name", ["a.docx", "a.xlsx", "a.doc"])
def test_password_protected_files_say_so(tmp_path: Path, name: str) -> None:
    # Word and Excel keep a password-protected DOCX/XLSX in an OLE2 file: EncryptionInfo + EncryptedPackage.
    (tmp_path / name).write_bytes(ole_file({"EncryptionInfo": b"\x04\x00\x04\x00", "EncryptedPackage": b"\x01" * 5000}))
    with pytest.raises(SourceError, match="已加密"):
        read_document(tmp_path / name)


@pytest.mark.parametrize("streams, named, fmt", [
    ({"WordDocument": b"w", "1Table": b"t"}, "a.xls", "doc"), ({"Workbook": b"b"}, "a.doc", "xls"),
    ({"Book": b"b"}, "a", "xls"), ({"CONTENTS": b"c"}, "a.wps", "wps"),  # MS Works .wps: LibreOffice reads it
    ({"WordDocument": b"w"}, "a.wps", "wps"), ({"PowerPoint Document": b"p"}, "a", "doc"),
])
def test_ole_streams_decide_the_format(streams: dict[str, bytes], named: str, fmt: str) -> None:
    assert sniff_format(Path(named), ole_file(streams)) == fmt


def test_other_ole_files_are_named_not_converted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(office.SOFFICE_ENV, str(tmp_path / "must-not-be-needed"))
    (tmp_path / "slides").write_bytes(ole_file({"PowerPoint Document": b"p"}))
    with pytest.raises(SourceError, match="不是 Word 文件"):
        read_document(tmp_path / "slides")
