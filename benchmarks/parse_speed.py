"""Parse throughput per format, on one core: reports per second, file → report record.

    .venv/bin/python benchmarks/parse_speed.py                 # real reports in data/real
    .venv/bin/python benchmarks/parse_speed.py --synthetic 20  # + 20 generated agencies × 2019–2024

Goal (issue 2): ≥ 20 PDF and ≥ 200 HTML/text reports per second on one core.
Each file is parsed once to warm up, then repeatedly for at least --seconds.
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from workbench.parse import parse_file
from workbench.sources import iter_report_files, sniff_format

ROOT = Path(__file__).resolve().parent.parent


def measure(files: list[Path], seconds: float) -> dict[str, tuple[int, float]]:
    by_format: dict[str, list[Path]] = defaultdict(list)
    for path in files:
        by_format[sniff_format(path, path.read_bytes()[:4096])].append(path)
    results = {}
    for fmt, paths in sorted(by_format.items()):
        for path in paths:
            parse_file(path)  # warm-up: imports, caches
        done, start = 0, time.perf_counter()
        while time.perf_counter() - start < seconds:
            for path in paths:
                parse_file(path)
            done += len(paths)
        results[fmt] = (len(paths), done / (time.perf_counter() - start))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--synthetic", type=int, default=0, help="also generate N agencies × 2019–2024")
    parser.add_argument("--seconds", type=float, default=3.0)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core, as the goal says
    print(f"machine: {platform.machine()} · {os.cpu_count()} cores · Python {platform.python_version()}")
    sets = {"real": iter_report_files([ROOT / "data" / "real"])}
    if args.synthetic:
        from workbench.synth import generate

        outdir = Path(tempfile.mkdtemp(prefix="wb-synth-"))
        generate(outdir, agencies=args.synthetic, years=range(2019, 2025), seed=1,
                 formats=["pdf", "html", "docx", "txt"])
        sets["synthetic"] = iter_report_files([outdir])
    for name, files in sets.items():
        for fmt, (count, rate) in measure(files, args.seconds).items():
            print(f"{name:10} {fmt:5} {count:4} files  {rate:8.1f} reports/s (one core)")


if __name__ == "__main__":
    main()
