"""Mutated reports of every format: only the workbench's own errors, bounded time, no invented numbers.

Hypothesis mutates the bytes of real reports (PDF, HTML, text, and Markdown rewritten from
HTML) and of a generated DOCX by flipping, deleting, duplicating and inserting spans (digit runs
among them), and parses each result in process. Each file must stay within the ingest's per-file
budgets (time, and the process's peak memory within the worker's cap). Bounded to about a minute.
"""

from __future__ import annotations

import io
import re
import resource
import tempfile
import time
import zipfile
from functools import cache
from pathlib import Path

import pytest
from conftest import REAL

from workbench.parse import parse_file
from workbench.sources import SourceError
from workbench.store.workers import FILE_MEMORY_MB
from workbench.synth.variants import markdown, source_from_html
from workbench.textnorm import nfkc

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

SEEDS = ["2024_pingtan.html", "2019_pingtan_text.txt", "2024_huaian.pdf", "2023_pingtan_text.txt",
         "2019_shanghai_bgt.html"]
PER_FILE_SECONDS = 20.0


@cache
def seed_bytes(name: str) -> bytes:
    if name == "generated.docx":
        from workbench.synth import generate

        folder = Path(tempfile.mkdtemp(prefix="fuzz-docx-"))
        [report] = generate(folder, agencies=1, years=range(2024, 2025), seed=3, formats=["docx"])
        return report.document.read_bytes()
    if name.endswith(".md"):
        html = REAL / name.removesuffix(".md")
        return markdown(source_from_html(html, "平潭综合实验区2024年政府信息公开工作年度报告"),
                        separator_every_row=True).encode()
    return (REAL / name).read_bytes()


@st.composite
def mutated(draw: st.DrawFn) -> tuple[str, bytes]:
    name = draw(st.sampled_from([*SEEDS, "2024_pingtan.html.md", "generated.docx"]))
    seed = seed_bytes(name)
    # A DOCX is a zip: mutating its bytes only breaks the archive; mutate the body it carries.
    data = bytearray(_docx_body(seed) if name.endswith(".docx") else seed)
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(data)))
        kind = draw(st.sampled_from(["flip", "delete", "duplicate", "digits", "truncate"]))
        if kind == "flip" and at < len(data):
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif kind == "delete":
            del data[at : at + draw(st.integers(1, 400))]
        elif kind == "duplicate":
            data[at:at] = data[at : at + draw(st.integers(1, 400))]
        elif kind == "digits":
            data[at:at] = draw(st.text("0123456789 ", min_size=1, max_size=300)).encode()
        elif kind == "truncate":
            del data[at:]
    return name, _docx_with_body(seed, bytes(data)) if name.endswith(".docx") else bytes(data)


def _docx_body(docx: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(docx)) as archive:
        return archive.read("word/document.xml")


def _docx_with_body(docx: bytes, body: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(docx)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, body if info.filename == "word/document.xml" else source.read(info))
    return out.getvalue()


def printed_digits(path: Path) -> str:
    """Every digit the file could print, in order, whatever separates them (a DOCX: its body's text)."""
    data = path.read_bytes()
    if path.suffix == ".docx":
        with zipfile.ZipFile(path) as archive:
            data = re.sub(rb"<[^>]+>", b"", archive.read("word/document.xml"))
    return re.sub(r"\D", "", nfkc(data.decode("utf-8", "ignore")))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(case=mutated())
def test_mutated_reports(tmp_path: Path, case: tuple[str, bytes]) -> None:
    name, data = case
    path = tmp_path / Path(name).name
    path.write_bytes(data)
    started = time.monotonic()
    try:
        record = parse_file(path)
    except SourceError:
        return  # the workbench's own, one-line error
    finally:
        assert time.monotonic() - started < PER_FILE_SECONDS
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
        assert peak_mb < FILE_MEMORY_MB, f"{name}: the process peaked at {peak_mb:.0f} MB"
    if path.suffix == ".pdf":
        return  # compressed: the digits it prints are not in its bytes
    digits = printed_digits(path)
    for cell in record.table_cells:
        if isinstance(cell.value, int) and cell.value >= 0:
            assert str(cell.value) in digits, f"{cell} is not printed in the mutated file"
