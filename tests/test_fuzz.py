"""Mutated reports of every format: only the workbench's own errors, bounded time, no invented numbers.

Hypothesis mutates the bytes of real reports (PDF, HTML, text, and Markdown rewritten from
HTML) by flipping, deleting, duplicating and inserting spans (digit runs among them), and
parses each result in process. Bounded to about a minute in all.
"""

from __future__ import annotations

import re
import time
from functools import cache
from pathlib import Path

import pytest
from conftest import REAL

from workbench.parse import parse_file
from workbench.sources import SourceError
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
    if name.endswith(".md"):
        html = REAL / name.removesuffix(".md")
        return markdown(source_from_html(html, "平潭综合实验区2024年政府信息公开工作年度报告"),
                        separator_every_row=True).encode()
    return (REAL / name).read_bytes()


@st.composite
def mutated(draw: st.DrawFn) -> tuple[str, bytes]:
    name = draw(st.sampled_from([*SEEDS, "2024_pingtan.html.md"]))
    data = bytearray(seed_bytes(name))
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
    return name, bytes(data)


def printed_digits(path: Path) -> str:
    """Every digit the file could print, in order, whatever separates them."""
    text = nfkc(path.read_bytes().decode("utf-8", "ignore"))
    return re.sub(r"\D", "", text)


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
    if path.suffix in (".pdf",):
        return  # a PDF's text is compressed: its digits are not in the bytes
    digits = printed_digits(path)
    for cell in record.table_cells:
        if isinstance(cell.value, int) and cell.value >= 0:
            assert str(cell.value) in digits, f"{cell} is not printed in the mutated file"
