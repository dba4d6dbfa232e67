"""The digest runner: the folder it publishes, atomic replacement, the lock, escaping, Word pack."""

from __future__ import annotations

import json
import re
import shutil
import time
import zipfile
from pathlib import Path

import nbformat
import pytest
from digest_support import SCRIPT, published_digest
from PIL import Image

from workbench.digest import html as H
from workbench.digest.runner import (
    DIGEST_NOTEBOOK,
    DigestBusyError,
    DigestResult,
    DigestRunError,
    digest_lock,
    run_digest,
)
from workbench.digest.sections import DigestError, change_text


@pytest.fixture(scope="session")
def published(digest_base: Path) -> DigestResult:
    return published_digest(digest_base)


# --- fast ------------------------------------------------------------------------------------


def test_table_escapes_report_text() -> None:
    import polars as pl

    page = H.table(pl.DataFrame({"agency": [SCRIPT], "n": [12345]}), {"agency": "机关", "n": "数量"})
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "12,345" in page  # numbers by the charts' rule (numfmt: exact below 100,000)
    assert "12.3万" in H.table(pl.DataFrame({"n": [123456]}))


def test_change_text() -> None:
    assert change_text(110.0, 100.0, "count") == "+10.0%（+10）"
    assert change_text(0.45, 0.40, "share") == "+5.0个百分点"
    assert change_text(5.0, None, "count").startswith("—")


def test_unknown_year_and_missing_db(small_db: Path, tmp_path: Path) -> None:
    with pytest.raises(DigestError, match="没有1990年度的报告"):
        run_digest(small_db, 1990, out=tmp_path)
    with pytest.raises(DigestError, match="数据库 .* 不存在"):
        run_digest(tmp_path / "none.duckdb", "latest", out=tmp_path)
    assert not list(tmp_path.glob("digest-*"))


def test_lock_refuses_a_second_run(small_db: Path, tmp_path: Path) -> None:
    started = time.perf_counter()
    with digest_lock(tmp_path), pytest.raises(DigestBusyError, match="另一个综述正在写入"):
        run_digest(small_db, "latest", out=tmp_path)
    assert time.perf_counter() - started < 5  # refused at once, not after running the notebook
    assert not list(tmp_path.glob("digest-*")) and not list(tmp_path.glob(".digest-*.tmp-*"))


# --- end to end ------------------------------------------------------------------------------


@pytest.mark.slow
def test_published_folder(published: DigestResult) -> None:
    folder = published.folder
    assert folder.name == f"digest-{published.year}" and published.year == 2024
    for name in ("digest.ipynb", "digest.html", "digest.json", "briefing.docx"):
        assert (folder / name).is_file(), name
    pngs = sorted((folder / "charts").glob("*.png"))
    assert len(pngs) == published.charts >= 10
    for png in pngs:
        assert png.with_suffix(".svg").read_text("utf-8").lstrip().startswith("<svg")
        with Image.open(png) as image:
            assert image.convert("RGB").getpixel((1, 1)) == (255, 255, 255)  # white background
    executed = nbformat.read(folder / "digest.ipynb", as_version=4)
    assert not [o for c in executed.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    manifest = json.loads((folder / "digest.json").read_text("utf-8"))
    assert manifest["synthetic_reports"] > 0
    received = next(h for h in manifest["headline"] if h["key"] == "new_received")
    assert received["value"] > 0 and received["previous"] > 0
    # A pasted trend chart says how many reports stand behind each year (the small store: 2022–2024).
    for trend in ("request_outcomes", "review_litigation"):
        svg = (folder / "charts" / f"{trend}.svg").read_text("utf-8")
        assert "各年收到的报告" in svg and "2024年" in svg and "份" in svg, trend


@pytest.mark.slow
def test_html_is_offline_and_escaped(published: DigestResult) -> None:
    page = (published.folder / "digest.html").read_text("utf-8")
    assert "<script" not in page.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page  # the hostile agency name, as text
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)  # nothing loaded from the network
    assert page.count("data:image/png;base64,") == published.charts
    assert "def " not in page and "open_digest" not in page  # no code cells
    assert "SYNTHETIC" in page and "予以公开占比" in page


@pytest.mark.slow
def test_briefing_has_images_and_captions(published: DigestResult) -> None:
    from docx import Document

    document = Document(str(published.folder / "briefing.docx"))
    manifest = json.loads((published.folder / "digest.json").read_text("utf-8"))
    key = [c for c in manifest["charts"] if c["key"]]
    assert len(document.inline_shapes) == len(key) >= 4
    captions = [p.text for p in document.paragraphs if p.text.startswith("图")]
    assert len(captions) == len(key) and all(any(c["title"] in t for t in captions) for c in key)
    assert "行政复议纠错率" in "\n".join(p.text for p in document.paragraphs)  # the summary sentences
    assert "SYNTHETIC" in "\n".join(p.text for p in document.paragraphs)
    with zipfile.ZipFile(published.folder / "briefing.docx") as pack:
        assert len([n for n in pack.namelist() if n.startswith("word/media/")]) == len(key)
        text = "".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", pack.read("word/document.xml").decode("utf-8")))
    for chart in key:  # in its caption, not again above or in the picture (tests/test_briefing.py)
        assert text.count(chart["title"]) == 1, chart["title"]
    assert all((published.folder / c["png"].replace(".png", ".vl.json")).is_file() for c in manifest["charts"])


@pytest.mark.slow
def test_failed_run_keeps_previous_digest(published: DigestResult, small_db: Path, tmp_path: Path) -> None:
    out = published.folder.parent
    before = {p: p.stat().st_mtime_ns for p in published.folder.rglob("*")}
    # The real notebook with a failing cell after the first charts: a non-atomic runner would
    # leave a folder with some charts and no HTML.
    nb = nbformat.read(DIGEST_NOTEBOOK, as_version=4)
    after = next(i for i, c in enumerate(nb.cells) if "d.request_outcomes()" in c.source)
    nb.cells.insert(after + 1, nbformat.v4.new_code_cell('raise RuntimeError("forced failure")'))
    broken = tmp_path / "digest.ipynb"
    nbformat.write(nb, broken)
    with pytest.raises(DigestRunError, match=r"第 \d+ 个单元格.*运行失败：RuntimeError: forced failure"):
        run_digest(small_db, "latest", out=out, notebook=broken)
    assert {p: p.stat().st_mtime_ns for p in published.folder.rglob("*")} == before
    assert not list(out.glob(".digest-*"))  # no temp folder left
    assert (out / f"digest-{published.year}.failed.ipynb").exists()
    shutil.rmtree(tmp_path, ignore_errors=True)


def test_lab_command_sets_the_database(small_db: Path, tmp_path: Path) -> None:
    from workbench.digest.lab import ENV_DB, lab_command, lab_environment, launch_lab
    from workbench.digest.runner import NOTEBOOKS

    argv = lab_command(port=8891, no_browser=True, extra=["--allow-root"])
    assert argv[1:3] == ["-m", "jupyterlab"] and f"--notebook-dir={NOTEBOOKS}" in argv
    assert argv[-3:] == ["--port=8891", "--no-browser", "--allow-root"]
    assert lab_environment(small_db)[ENV_DB] == str(small_db.resolve())
    with pytest.raises(DigestError, match="数据库 .* 不存在"):
        launch_lab(tmp_path / "missing.duckdb")
