"""Hostile inputs (issue 12): files that spin, eat memory, or inflate; limits hold and the batch goes on."""

from __future__ import annotations

import io
import os
import signal
import struct
import sys
import time
import zipfile
from pathlib import Path
from typing import Any

import docx
import pytest
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from typer.testing import CliRunner

from workbench.sources import SourceError, read_document
from workbench.sources import docx as docx_reader
from workbench.store import ingest
from workbench.store.parquet import parse_one

sys.path.insert(0, str(Path(__file__).parent))
from test_store import REGISTRY  # noqa: E402

# -- per-file limits in ingest ---------------------------------------------------------------


def hostile_parse_one(path: str, sha256: str | None = None, size: int | None = None, ordinal: int = 0) -> Any:
    """Stands in for parse_one in the workers (spawned workers import it from this module)."""
    if path.endswith(".spin"):
        while True:  # a parser stuck in a loop
            time.sleep(0.1)
    if path.endswith(".crash"):
        os.kill(os.getpid(), signal.SIGKILL)  # a reader library crashing the process
    if path.endswith(".hog"):
        hog = bytearray(8 << 30)  # 8 GB: over any sane per-file memory cap
        return hog
    return parse_one(path, sha256, size, ordinal)


@pytest.fixture(scope="module")
def good_reports(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    from workbench.synth import generate

    root = tmp_path_factory.mktemp("good")
    generate(root, agencies=8, years=range(2023, 2024), seed=3, formats=["txt"])
    files = sorted(p for p in root.rglob("*.txt"))
    assert len(files) == 8
    return files


def test_spinning_crashing_and_memory_hungry_files_fail_and_the_batch_goes_on(
        good_reports: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys.modules["workbench.store.ingest"], "parse_one", hostile_parse_one)
    spin = tmp_path / "stuck.spin"
    spin.write_text("spin")
    hog = tmp_path / "greedy.hog"
    hog.write_text("hog")
    crash = tmp_path / "fatal.crash"
    crash.write_text("crash")
    files = [*good_reports[:4], spin, crash, *good_reports[4:], hog]
    started = time.perf_counter()
    result = ingest(files, tmp_path / "wb.duckdb", registry=REGISTRY, workers=2, file_timeout=3,
                    file_memory=1024, progress=False)
    elapsed = time.perf_counter() - started
    assert elapsed < 30
    assert result.loaded == 8
    assert result.failed == 3
    reasons = dict(result.failures)
    assert reasons[str(spin.resolve())] == "解析超时（超过3秒）"
    assert reasons[str(hog.resolve())].startswith("内存超限")
    assert "crashed" in reasons[str(crash.resolve())]


def test_memory_error_inside_parse_one_is_reported_as_over_the_memory_cap() -> None:
    from workbench.store.workers import _memory_reason

    assert _memory_reason("the parser failed (MemoryError: )", 1536) == "内存超限（超过1536 MB）"
    assert _memory_reason("the PDF is encrypted", 1536) == "the PDF is encrypted"


# -- workbench parse: one line per failed file, the others still parsed ----------------------


def test_parse_command_reports_every_failure_on_one_line_and_goes_on(
        good_reports: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import workbench.cli as cli

    real_parse = cli.parse_file
    bomb = tmp_path / "bomb.txt"
    bomb.write_text("x")
    buggy = tmp_path / "buggy.txt"
    buggy.write_text("y")

    def fake_parse(path: Path) -> Any:
        if Path(path).name == "bomb.txt":
            raise MemoryError
        if Path(path).name == "buggy.txt":
            raise RuntimeError("boom")
        return real_parse(path)

    monkeypatch.setattr(cli, "parse_file", fake_parse)
    outcome = CliRunner().invoke(cli.app, ["parse", str(bomb), str(good_reports[0]), str(buggy),
                                           str(good_reports[1])])
    assert outcome.exit_code == 1
    text = outcome.output
    assert "Traceback" not in text
    assert text.count(str(good_reports[0])) == 1 and str(good_reports[1]) in text
    lines = [line for line in text.splitlines() if "bomb.txt" in line or "buggy.txt" in line]
    assert len(lines) == 2
    assert "MemoryError" in lines[0] and "内存" in lines[0]
    assert "RuntimeError" in lines[1] and "boom" in lines[1]
    assert "已解析 2 份报告，失败 2 份" in text


# -- memory bombs in the readers ----------------------------------------------------------------


def _report_docx() -> docx.document.Document:
    word = docx.Document()
    word.add_paragraph("某某局2023年政府信息公开工作年度报告")
    table = word.add_table(rows=3, cols=3)
    for r in range(3):
        for c in range(3):
            table.cell(r, c).text = f"{r}{c}"
    return word


def _docx_bytes(word: docx.document.Document) -> bytes:
    buffer = io.BytesIO()
    word.save(buffer)
    return buffer.getvalue()


def test_huge_grid_span_and_grid_before_are_capped(tmp_path: Path) -> None:
    word = _report_docx()
    table = word.tables[0]
    table.rows[0].cells[0]._tc.get_or_add_tcPr()
    span = OxmlElement("w:gridSpan")
    span.set(qn("w:val"), "100000000")
    table.rows[0].cells[0]._tc.tcPr.append(span)
    tr_pr = table.rows[1]._tr.get_or_add_trPr()
    before = OxmlElement("w:gridBefore")
    before.set(qn("w:val"), "100000000")
    tr_pr.append(before)
    path = tmp_path / "span.docx"
    path.write_bytes(_docx_bytes(word))
    started = time.perf_counter()
    document = read_document(path)
    assert time.perf_counter() - started < 5
    (grid,) = document.tables
    assert max(len(row) for row in grid.rows) <= 2 * docx_reader.MAX_SPAN + 3
    assert grid.rows[0][0] == "00"


def _patch_declared_size(data: bytes, name: str, size: int) -> bytes:
    """Rewrite the uncompressed size of ``name`` in its local and central headers."""
    out = bytearray(data)
    encoded = name.encode()
    # (signature, offset of the name's length, offset of the name, offset of the size)
    for signature, name_length_at, name_at, size_at in ((b"PK\x03\x04", 26, 30, 22), (b"PK\x01\x02", 28, 46, 24)):
        header = out.find(signature)
        while header != -1:
            name_len = struct.unpack_from("<H", out, header + name_length_at)[0]
            if out[header + name_at:header + name_at + name_len] == encoded:
                struct.pack_into("<I", out, header + size_at, size)
            header = out.find(signature, header + 4)
    return bytes(out)


def test_docx_part_declared_huge_is_refused_before_inflating(tmp_path: Path) -> None:
    data = _patch_declared_size(_docx_bytes(_report_docx()), "word/document.xml", 3_000_000_000)
    path = tmp_path / "bomb.docx"
    path.write_bytes(data)
    started = time.perf_counter()
    with pytest.raises(SourceError) as error:
        read_document(path)
    assert time.perf_counter() - started < 5
    assert "解压" in error.value.reason and "word/document.xml" in error.value.reason
    assert str(path) in str(error.value)


def test_docx_parts_inflating_past_the_total_cap_are_refused(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(docx_reader, "MAX_TOTAL_BYTES", 50_000)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        with zipfile.ZipFile(io.BytesIO(_docx_bytes(_report_docx()))) as source:
            for info in source.infolist():
                archive.writestr(info.filename, source.read(info.filename))
        for n in range(3):
            archive.writestr(f"word/media/filler{n}.bin", b"\0" * 30_000)
    path = tmp_path / "total.docx"
    path.write_bytes(buffer.getvalue())
    with pytest.raises(SourceError, match="解压后"):
        read_document(path)


def test_lying_zip_header_cannot_inflate_past_what_it_declares(tmp_path: Path) -> None:
    # The central directory says 100 bytes, the stream holds far more: reading stops, the read fails.
    data = _patch_declared_size(_docx_bytes(_report_docx()), "word/document.xml", 100)
    path = tmp_path / "liar.docx"
    path.write_bytes(data)
    with pytest.raises(SourceError) as error:
        read_document(path)
    assert str(path) in str(error.value)


def test_docx_without_styles_still_reads(tmp_path: Path) -> None:
    with zipfile.ZipFile(io.BytesIO(_docx_bytes(_report_docx()))) as source:
        parts = {name: source.read(name) for name in source.namelist() if name != "word/styles.xml"}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    path = tmp_path / "nostyles.docx"
    path.write_bytes(buffer.getvalue())
    document = read_document(path)
    assert document.paragraphs[0].text == "某某局2023年政府信息公开工作年度报告"
    assert document.tables[0].rows[2][2] == "22"


def test_input_over_the_size_limit_is_refused_before_reading(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORKBENCH_MAX_FILE_MB", "1")
    path = tmp_path / "noise.txt"
    with open(path, "wb") as handle:
        handle.truncate(2 << 20)  # sparse: 2 MB that take no disk space
    started = time.perf_counter()
    with pytest.raises(SourceError) as error:
        read_document(path)
    assert time.perf_counter() - started < 1
    assert error.value.reason.startswith("文件过大")
    assert str(path) in str(error.value)


def test_pdf_page_over_the_char_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    from workbench.sources import pdf

    real = Path(__file__).parents[1] / "data" / "real" / "2023_hongze.pdf"
    monkeypatch.setattr(pdf, "MAX_PAGE_CHARS", 10)
    with pytest.raises(SourceError) as error:
        read_document(real)
    assert "字符" in error.value.reason and "第1页" in error.value.reason
