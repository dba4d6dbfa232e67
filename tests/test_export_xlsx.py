"""`workbench export` as a clerk opens it: Chinese sheets and headers (the template's labels), a frozen
header row, an autofilter, widths from the content, numbers as numbers, unread cells as 未读取."""

from __future__ import annotations

import re

import duckdb
import openpyxl
import polars as pl
import pytest
from openpyxl.utils import get_column_letter

from workbench.store import export_tables, ingest
from workbench.store.connect import reference_labels
from workbench.store.export_sheets import (
    SHEET_NAME_FORBIDDEN,
    UNREAD_TEXT,
    display_widths,
    sheet_for,
)
from workbench.templates import layouts

KEY = re.compile(r"^[a-z][a-z0-9_]*$")  # what an English record key looks like


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Two generated reports, one requests cell marked unread, one left blank, one section 二 cell unread."""
    from workbench.synth import generate

    base = tmp_path_factory.mktemp("export")
    generate(base / "corpus", agencies=1, years=range(2023, 2025), seed=5, formats=["txt"], break_share=0)
    db = base / "wb.duckdb"
    ingest([base / "corpus"], db=db, workers=1, progress=False)
    with duckdb.connect(str(db)) as con:
        report_id, row, applicant, value = con.execute(
            "SELECT report_id, row, applicant, value FROM requests WHERE value > 0 AND row = 'new_received' "
            "ORDER BY report_id, applicant LIMIT 1").fetchone()
        con.execute("UPDATE requests SET value = NULL, unread = true WHERE report_id = ? AND row = ? "
                    "AND applicant = ?", [report_id, row, applicant])
        blank = con.execute("SELECT applicant FROM requests WHERE report_id = ? AND row = 'granted' "
                            "AND applicant <> ? ORDER BY applicant LIMIT 1", [report_id, applicant]).fetchone()[0]
        con.execute("UPDATE requests SET value = NULL WHERE report_id = ? AND row = 'granted' AND applicant = ?",
                    [report_id, blank])
        item, measure = con.execute("SELECT item, measure FROM active_disclosure WHERE report_id = ? "
                                    "AND value IS NOT NULL ORDER BY rowid LIMIT 1", [report_id]).fetchone()
        con.execute("UPDATE active_disclosure SET value = NULL, unread = true WHERE report_id = ? AND item = ? "
                    "AND measure = ?", [report_id, item, measure])
        kept = con.execute("SELECT value FROM requests WHERE report_id = ? AND row = 'carried_over' "
                           "AND applicant = 'total'", [report_id]).fetchone()[0]
    return {"db": db, "base": base, "report_id": report_id, "unread": (row, applicant), "blank": blank,
            "item": (item, measure), "kept": kept}


def _label(key: str, labels) -> str:
    return next(x.label for x in labels if x.key == key)


def _rows(sheet) -> tuple[list[str], list[dict]]:
    header = [c.value for c in sheet[1]]
    return header, [dict(zip(header, (c.value for c in r), strict=True)) for r in sheet.iter_rows(min_row=2)]


def _row_label(row_key: str) -> str:
    # The store's reference table: sub-rows carry their group (（三）不予公开 1.属于国家秘密).
    return next(label for _, key, label in reference_labels()["ref_request_rows"] if key == row_key)


@pytest.fixture(scope="module")
def workbook(store: dict) -> openpyxl.Workbook:
    (path,) = export_tables(store["db"], "xlsx", store["base"] / "xlsx")
    return openpyxl.load_workbook(path)


def test_every_sheet_is_chinese_frozen_and_filtered(workbook: openpyxl.Workbook) -> None:
    assert {"报告", "表二 主动公开", "表三 依申请公开", "表四 复议诉讼", "检查发现"} <= set(workbook.sheetnames)
    for sheet in workbook.worksheets:
        assert len(sheet.title) <= 31 and not SHEET_NAME_FORBIDDEN.search(sheet.title)
        assert not KEY.match(sheet.title)
        assert sheet.freeze_panes == "A2", sheet.title
        last = get_column_letter(sheet.max_column)
        assert sheet.auto_filter.ref == f"A1:{last}{max(sheet.max_row, 2)}", sheet.title
        header = [c.value for c in sheet[1]]
        assert all(isinstance(h, str) and not KEY.match(h) for h in header), (sheet.title, header)
        assert all(c.font.b for c in sheet[1])


def test_request_table_has_template_labels_numbers_blanks_and_unread(workbook: openpyxl.Workbook,
                                                                     store: dict) -> None:
    layout = layouts()
    header, rows = _rows(workbook["表三 依申请公开"])
    applicants = [c.label for c in layout.request_columns]
    assert header[-len(applicants):] == applicants  # 自然人 … 总计, in the template's order
    mine = [r for r in rows if r["报告编号"] == store["report_id"]]
    assert [r["项目"] for r in mine[:2]] == [_row_label("new_received"), _row_label("carried_over")]
    by_row = {r["项目"]: r for r in mine}
    row, applicant = store["unread"]
    assert by_row[_row_label(row)][_label(applicant, layout.request_columns)] == UNREAD_TEXT
    assert by_row[_row_label("granted")][_label(store["blank"], layout.request_columns)] is None  # blank, not 0
    kept = by_row[_row_label("carried_over")]["总计"]
    assert kept == store["kept"] and isinstance(kept, int)  # a number cell, not text
    numbers = [v for r in rows for h, v in r.items() if h in applicants and v not in (None, UNREAD_TEXT)]
    assert numbers and all(isinstance(v, int | float) for v in numbers)


def test_active_disclosure_unread_and_labels(workbook: openpyxl.Workbook, store: dict) -> None:
    layout = layouts()
    header, rows = _rows(workbook["表二 主动公开"])
    item, measure = store["item"]
    label = next(i.label for i in layout.items if i.key == item)
    cell = next(r for r in rows if r["报告编号"] == store["report_id"] and r["事项"] == label
                and r["指标"] == layout.measure_labels[measure])
    assert cell["数值"] == UNREAD_TEXT
    assert not {r["事项"] for r in rows} & {i.key for i in layout.items}  # items in Chinese, not keys


def test_widths_follow_content_and_count_cjk_double() -> None:
    frame = pl.DataFrame({"a": ["ab" * 5], "b": ["中文" * 5], "c": [1]})
    narrow, wide, number = display_widths(frame)
    assert wide == narrow + 10 and number < narrow
    assert display_widths(pl.DataFrame({"x": ["长" * 200]})) == [50]  # capped, long text does not fill the screen


def test_csv_has_bom_chinese_headers_and_unread_text(store: dict) -> None:
    files = {p.name: p for p in export_tables(store["db"], "csv", store["base"] / "csv")}
    data = files["requests.csv"].read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    frame = pl.read_csv(files["requests.csv"], infer_schema_length=0)
    assert "自然人" in frame.columns and "natural_person" not in frame.columns
    row, applicant = store["unread"]
    mine = frame.filter(pl.col("报告编号") == str(store["report_id"]), pl.col("项目") == _row_label(row))
    assert mine[_label(applicant, layouts().request_columns)].to_list() == [UNREAD_TEXT]


def test_keys_mode_and_parquet_keep_machine_names(store: dict) -> None:
    (path,) = export_tables(store["db"], "xlsx", store["base"] / "keys", keys=True)
    sheet = openpyxl.load_workbook(path)["requests"]
    header, rows = _rows(sheet)
    assert {"row", "natural_person", "total"} <= set(header) and sheet.freeze_panes == "A2"
    row, applicant = store["unread"]
    cell = next(r for r in rows if r["report_id"] == store["report_id"] and r["row"] == row)
    assert cell[applicant] == UNREAD_TEXT  # unread is never a blank, for scripts either
    parquet = {p.name: p for p in export_tables(store["db"], "parquet", store["base"] / "pq")}
    frame = pl.read_parquet(parquet["requests.parquet"]).filter(pl.col("report_id") == store["report_id"],
                                                                pl.col("row") == row)
    assert frame["unread"].to_list() == [[applicant]] and frame[applicant].to_list() == [None]


def test_every_table_has_a_chinese_sheet_and_unique_headers() -> None:
    frame = pl.DataFrame({"report_id": [1], "severity": ["error"], "rule": ["tables.blank"], "unread": [None]},
                         schema_overrides={"unread": pl.List(pl.String)})
    sheet = sheet_for("findings", frame)
    assert sheet.frame.columns == ["报告编号", "严重程度", "检查项"]
    assert sheet.frame.row(0)[1:] == ("错误", "表格空白未填")
