"""Provenance of OCR'd cells in the store (cell_sources), its query and the agency notebook's
扫描件识别来源 section: page and box of every OCR'd cell, a picture of the least certain ones.

The fast tests carry provenance through the parse rows and the picture cutter without OCR;
the slow ones ingest one generated report whose table pages are scans (workbench.synth.scanned,
scan_mixed: its agency and year are on text pages) beside a real text PDF.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import unicodedata
from pathlib import Path

import duckdb
import nbformat
import numpy as np
import papermill
import polars as pl
import pytest
from PIL import Image, ImageDraw

from workbench.digest.ocr_sources import cell_picture, ocr_section, with_margin
from workbench.parse import parse_file
from workbench.sources.document import CellSource
from workbench.store import ingest, run_query
from workbench.store.parquet import outcome_from_rows, read_chunk, record_rows, write_chunk
from workbench.store.records import detail_rows

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT / "data" / "real"
REGISTRY = ROOT / "data" / "agencies.csv"
SEED = 5
KEYS = ("table_name", "row_key", "column_key")


# --------------------------------------------------------------------------- fast: no OCR


def test_provenance_travels_through_the_parse_rows_and_parquet(tmp_path: Path) -> None:
    record = parse_file(REAL / "2024_hongze.pdf")
    assert record.cell_sources == {}  # a text layer: nothing was OCR'd
    cell = next(c for c in record.requests if c.value is not None)
    record.cell_sources[("requests", cell.row, cell.applicant)] = CellSource(2, (0.61, 0.38, 0.03, 0.012), 0.81,
                                                                            str(cell.value), "page_files/t3.png")
    rows = record_rows(record, str(REAL / "2024_hongze.pdf"), 0, "sha", 1)
    write_chunk([rows], tmp_path, "run", 0)
    (back,) = read_chunk(tmp_path, "run", 0)
    for got in (rows, back):
        outcome = outcome_from_rows(got)
        stored = detail_rows(7, outcome["record"])["cell_sources"]
        assert stored == [(7, "requests", cell.row, cell.applicant, 2, 0.61, 0.38, 0.03, 0.012, 0.81, str(cell.value),
                           "page_files/t3.png")]
    # Not content: the same report with or without provenance hashes the same.
    plain = record_rows(parse_file(REAL / "2024_hongze.pdf"), str(REAL / "2024_hongze.pdf"), 0, "sha", 1)
    assert outcome_from_rows(plain)["hash"] == outcome_from_rows(rows)["hash"]


def test_margin_stays_on_the_page() -> None:
    x, y, w, h = with_margin((0.95, 0.005, 0.04, 0.01))
    assert x < 0.95 and y == 0.0 and x + w == 1.0 and h > 0.01
    x, y, w, h = with_margin((0.4, 0.5, 0.03, 0.012))
    assert x < 0.4 < 0.43 < x + w and y < 0.5 < 0.512 < y + h


def test_picture_frames_the_cell_of_an_image_file(tmp_path: Path) -> None:
    page = Image.new("RGB", (1000, 1400), "white")
    ImageDraw.Draw(page).rectangle([400, 700, 430, 717], fill="black")  # the "cell" ink
    path = tmp_path / "scan.png"
    page.save(path)
    picture = cell_picture(path, 1, (0.4, 0.5, 0.03, 0.012), fmt="image")
    assert picture.reason is None and picture.png and picture.width > 100
    pixels = np.asarray(Image.open(io.BytesIO(picture.png)).convert("RGB")).reshape(-1, 3).astype(int)
    assert ((pixels[:, 0] > 180) & (pixels[:, 1] < 80) & (pixels[:, 2] < 80)).any()  # the red frame
    assert (pixels.max(axis=1) < 60).any()  # the cell's own ink
    html = cell_picture(tmp_path / "page.html", 1, (0.4, 0.5, 0.03, 0.012), fmt="html")
    assert html.png is None and "网页" in (html.reason or "")
    gone = cell_picture(tmp_path / "gone.png", 1, (0.4, 0.5, 0.03, 0.012), fmt="image")
    assert gone.png is None and "原文件已不在导入时的位置" in (gone.reason or "")


def test_agency_notebook_cell_carries_the_query_file() -> None:
    nb = nbformat.read(ROOT / "notebooks" / "agency.ipynb", as_version=4)
    cell = next(c for c in nb.cells if "queries/ocr_cell_sources.sql" in c.source)
    sql = (ROOT / "queries" / "ocr_cell_sources.sql").read_text("utf-8").rstrip()
    assert sql in cell.source and "p.ocr_sources(sql)" in cell.source  # rebuild if not


# --------------------------------------------------------------------------- slow: one scanned report


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """A store holding a scan_mixed report (tables OCR'd) and a real text PDF, with the parse
    stage's own rows kept as Parquet."""
    from workbench.narrative.store import refresh_db
    from workbench.synth.report import build_reports
    from workbench.synth.scanned import scannable, write_scanned

    os.environ.setdefault("WORKBENCH_OCR_THREADS", "1")
    base = tmp_path_factory.mktemp("cell_sources")
    report = scannable(build_reports(1, range(2021, 2022), SEED))[0]
    (variant,) = write_scanned(base / "scans", [report], SEED, ("scan_mixed",))
    folder = base / "in"
    folder.mkdir()
    document = Path(shutil.copy(variant.document, folder))
    shutil.copy(REAL / "2024_hongze.pdf", folder)
    db = base / "wb.duckdb"
    result = ingest([folder], db, registry=REGISTRY, workers=1, parquet_dir=base / "parquet")
    assert (result.loaded, result.failed) == (2, 0), result.failures
    refresh_db(db)  # the notebook's section 五 reads the narrative tables
    return {"db": db, "folder": folder, "document": document, "parquet": base / "parquet", "base": base,
            "agency": variant.agency, "notes": json.loads(variant.damage.read_text("utf-8"))}


def _stored(db: Path) -> pl.DataFrame:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.sql("SELECT r.source_path, s.* EXCLUDE (report_id) FROM cell_sources s"
                       " JOIN reports r USING (report_id)").pl()


@pytest.mark.slow
def test_every_ocr_cell_is_stored_with_page_box_and_confidence(scanned: dict) -> None:
    stored = _stored(scanned["db"])
    parsed = pl.read_parquet(scanned["parquet"] / "cell_sources" / "*" / "*" / "*.parquet", hive_partitioning=False)
    # Exactly what the parse stage found, for the scanned file only (the text PDF has none).
    assert stored.height > 100 and set(stored["source_path"]) == {str(scanned["document"])}
    assert sorted(stored.drop("source_path").rows()) == sorted(parsed.drop("path").rows())
    assert stored.select(KEYS).is_duplicated().sum() == 0
    scanned_pages = {n + 1 for n in scanned["notes"]["scanned_pages"]}
    assert set(stored["page"]) <= scanned_pages
    for x, y, w, h in stored.select("box_x", "box_y", "box_w", "box_h").rows():
        assert 0 <= x < x + w <= 1 and 0 <= y < y + h <= 1
    # The query: least certain first, every row naming its cell of the record.
    frame = run_query("ocr_cell_sources", {"agency": scanned["agency"], "year": 2021}, db=scanned["db"])
    assert frame.height == stored.height and frame["confidence"].is_sorted()
    assert frame.filter(pl.col("value").is_null() & ~pl.col("unread")).height == 0  # no blank among OCR'd numbers
    for text, value, table in frame.filter(~pl.col("unread")).select("ocr_text", "value", "table_name").rows():
        if table != "active_disclosure":  # counts: the value is the number OCR read there
            assert int(unicodedata.normalize("NFKC", text).replace(",", "").strip()) == value
    assert run_query("ocr_cell_sources", {"agency": "洪泽区"}, db=scanned["db"]).height == 0


@pytest.mark.slow
def test_reingest_and_reparse_keep_one_row_per_cell(scanned: dict, tmp_path: Path) -> None:
    db = tmp_path / "wb.duckdb"
    shutil.copy(scanned["db"], db)
    before = sorted(_stored(db).rows())
    again = ingest([scanned["folder"]], db, registry=REGISTRY, workers=1)
    assert (again.loaded, again.swapped) == (0, False) and sorted(_stored(db).rows()) == before
    # Read again (after an upgrade): the same content is no new revision, and its provenance
    # replaces the stored rows rather than adding to them.
    reparsed = ingest([scanned["folder"]], db, registry=REGISTRY, workers=1, reparse=True)
    assert reparsed.loaded == 0 and reparsed.swapped
    assert sorted(_stored(db).rows()) == before


@pytest.mark.slow
def test_a_correction_keeps_where_the_cells_were_read(scanned: dict, tmp_path: Path) -> None:
    from workbench.store.corrections import correct_cell

    db = tmp_path / "wb.duckdb"
    shutil.copy(scanned["db"], db)
    frame = run_query("ocr_cell_sources", {"agency": scanned["agency"]}, db=db)
    # The least certain OCR'd cell of table 三 (unread or not), as a supervisor checking the crops would pick.
    unread = frame.filter(pl.col("table_name") == "requests").sort("confidence").row(0, named=True)
    filed = correct_cell(db, scanned["agency"], 2021, unread["cell"], 3, by="测试", registry=REGISTRY)
    assert filed.revision == 2
    after = run_query("ocr_cell_sources", {"agency": scanned["agency"]}, db=db)
    assert after.height == frame.height and set(after["report_id"]) != set(frame["report_id"])
    fixed = after.filter(pl.col("cell") == unread["cell"]).row(0, named=True)
    assert (fixed["value"], fixed["corrected"], fixed["ocr_text"]) == (3, True, unread["ocr_text"])
    assert not fixed["unread"]


@pytest.mark.slow
def test_section_says_so_when_the_file_moved_or_changed(scanned: dict, tmp_path: Path) -> None:
    from workbench.digest.profile import open_profile

    document: Path = scanned["document"]
    profile = open_profile(scanned["db"], scanned["agency"])
    html = profile.ocr_sources()._repr_html_()
    assert html.count("data:image/png;base64,") == 6 and "置信度最低的 6 个单元格" in html
    aside = tmp_path / document.name
    shutil.move(document, aside)
    try:
        moved = profile.ocr_sources()._repr_html_()
        assert "data:image/png;base64," not in moved and moved.count("原文件已不在导入时的位置") == 6
        shutil.copy(aside, document)
        with open(document, "ab") as handle:
            handle.write(b"\n% edited\n")
        changed = profile.ocr_sources()._repr_html_()
        assert "data:image/png;base64," not in changed and "在导入后已被修改" in changed
    finally:
        shutil.move(aside, document)


@pytest.mark.slow
def test_a_store_older_than_cell_sources_gets_the_table_and_says_why_it_is_empty(scanned: dict,
                                                                                 tmp_path: Path) -> None:
    from workbench.store.connect import connect, upgrade_if_older

    db = tmp_path / "old.duckdb"
    shutil.copy(scanned["db"], db)
    with duckdb.connect(str(db)) as con:
        con.execute("DROP TABLE cell_sources")
        con.execute("DELETE FROM meta WHERE key = 'cell_sources_since'")
    assert upgrade_if_older(db)
    with connect(db) as con:
        html = ocr_section(con, scanned["agency"])._repr_html_()
        assert con.execute("SELECT count(*) FROM cell_sources").fetchone()[0] == 0
    assert "都不是经图像识别" in html and "1 份报告导入于本工具开始记录识别来源之前" in html


@pytest.mark.slow
@pytest.mark.parametrize("who", ["scanned", "text"])
def test_agency_notebook_shows_the_ocr_section(scanned: dict, tmp_path: Path, who: str) -> None:
    from workbench.digest.runner import NOTEBOOKS, kernelspec

    agency = scanned["agency"] if who == "scanned" else "洪泽区"
    executed = tmp_path / "agency.ipynb"
    with kernelspec() as kernel:
        papermill.execute_notebook(str(NOTEBOOKS / "agency.ipynb"), str(executed),
                                   parameters={"db": str(scanned["db"]), "agency": agency, "out_dir": None},
                                   kernel_name=kernel, progress_bar=False, cwd=str(tmp_path), execution_timeout=240)
    nb = nbformat.read(executed, as_version=4)
    heading = next(i for i, c in enumerate(nb.cells) if c.cell_type == "markdown" and "扫描件识别来源" in c.source)
    cell = nb.cells[heading + 1]
    assert "queries/ocr_cell_sources.sql" in cell.source
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    html = "".join(o.get("data", {}).get("text/html", "") for o in cell.outputs)
    if who == "scanned":
        assert "经图像识别（OCR）读取" in html and html.count("<figure") == 6 and "红框为该格" in html
    else:
        assert "该机关的报告都不是经图像识别（OCR）读取的" in html and "<figure" not in html
