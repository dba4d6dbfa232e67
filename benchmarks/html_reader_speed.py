"""How many HTML reports per second the HTML reader turns into Documents, on one core.

Run: .venv/bin/python benchmarks/html_reader_speed.py [--seconds 2] [pages.html ...]

Defaults to the real pages in data/real. Pins the process to one CPU where the OS
allows it, reads every file once, then times ``workbench.sources.html.read`` on the
bytes (no disk I/O) and ``read_document`` (with the file read and format sniffing).
The target is >= 200 reports/s for the whole parse, so the reader should stay
around 2 ms per page.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from workbench.sources import html, read_document

ROOT = Path(__file__).resolve().parents[1]
TARGET_PER_SECOND = 200


def pin_to_one_core() -> str:
    if hasattr(os, "sched_setaffinity"):
        core = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {core})
        return f"pinned to CPU {core}"
    return "not pinned (no sched_setaffinity on this OS)"


def per_call_ms(call: Callable[[], object], seconds: float) -> float:
    """Median over rounds of ~0.1 s of CPU time each, in milliseconds per call.

    CPU time of this process, not wall time, so other work on the machine does not count.
    """
    call()  # warm-up: imports, XPath compilation, caches
    rounds: list[float] = []
    deadline = time.process_time() + seconds
    while time.process_time() < deadline or len(rounds) < 3:
        count, start = 0, time.process_time()
        while time.process_time() - start < 0.1:
            call()
            count += 1
        rounds.append((time.process_time() - start) / count * 1000)
    return statistics.median(rounds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pages", nargs="*", type=Path)
    parser.add_argument("--seconds", type=float, default=2.0, help="time per page and mode")
    args = parser.parse_args()
    pages = args.pages or sorted((ROOT / "data" / "real").glob("*.html"))
    print(pin_to_one_core())
    print(f"{'page':28} {'KB':>6} {'blocks':>6} {'read() ms':>10} {'read_document ms':>17}")
    reader_ms: list[float] = []
    document_ms: list[float] = []
    for page in pages:
        data = page.read_bytes()
        blocks = len(html.read(page, data).blocks)
        reader_ms.append(per_call_ms(lambda p=page, d=data: html.read(p, d), args.seconds))
        document_ms.append(per_call_ms(lambda p=page: read_document(p), args.seconds))
        print(f"{page.name:28} {len(data) / 1024:6.0f} {blocks:6d} {reader_ms[-1]:10.3f}"
              f" {document_ms[-1]:17.3f}")
    mean_reader = statistics.mean(reader_ms)
    mean_document = statistics.mean(document_ms)
    print(f"mean per page: read() {mean_reader:.3f} ms, read_document {mean_document:.3f} ms")
    print(f"reports/second on one core: read() {1000 / mean_reader:.0f},"
          f" read_document {1000 / mean_document:.0f} (target for the full parse: {TARGET_PER_SECOND})")


if __name__ == "__main__":
    main()
