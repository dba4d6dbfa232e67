"""How many PDF reports per second the PDF reader handles on one core.

Run: .venv/bin/python benchmarks/pdf_reader_speed.py [--rounds N] [--reference]

Each round reads every real PDF report once (bytes already in memory, so disk
speed does not count). The best and median rounds are printed; the goal is
at least 20 reports per second. ``--reference`` also times pdfplumber's
extract_tables() on the same files for comparison.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

from workbench.sources import pdf

REPORTS = ["2024_huaian.pdf", "2023_hongze.pdf", "2024_hongze.pdf"]
DATA = Path(__file__).resolve().parent.parent / "data" / "real"


def pin_to_one_core() -> None:
    """Run on a single CPU so the number is per core, even if a library spawns threads."""
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})


def time_rounds(files: list[tuple[Path, bytes]], rounds: int, read_one) -> list[float]:
    """Reports per second for each round."""
    rates = []
    for _ in range(rounds):
        start = time.perf_counter()
        for path, data in files:
            read_one(path, data)
        rates.append(len(files) / (time.perf_counter() - start))
    return rates


def pdfplumber_tables(path: Path, data: bytes) -> None:
    import pdfplumber

    with pdfplumber.open(path) as document:
        for page in document.pages:
            page.extract_tables()
            page.extract_text()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--reference", action="store_true", help="also time pdfplumber")
    args = parser.parse_args()
    pin_to_one_core()
    files = [(DATA / name, (DATA / name).read_bytes()) for name in REPORTS]
    time_rounds(files, 2, pdf.read)  # warm-up: imports, pdfium initialisation
    for name, reader, rounds in [("workbench pdf reader", pdf.read, args.rounds)] + (
        [("pdfplumber extract_tables+text", pdfplumber_tables, max(args.rounds // 10, 2))]
        if args.reference else []
    ):
        rates = time_rounds(files, rounds, reader)
        print(f"{name}: best {max(rates):.1f} reports/s, median {statistics.median(rates):.1f} "
              f"reports/s ({rounds} rounds x {len(files)} reports, one core)")
    for path, data in files:
        start = time.perf_counter()
        document = pdf.read(path, data)
        elapsed = (time.perf_counter() - start) * 1000
        print(f"  {path.name}: {elapsed:.1f} ms, {len(document.paragraphs)} paragraphs, "
              f"{len(document.tables)} tables")


if __name__ == "__main__":
    main()
