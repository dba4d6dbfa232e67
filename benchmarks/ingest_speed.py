"""Ingest throughput: generated reports → a fresh store, in parallel; reports/s and peak memory.

    .venv/bin/python benchmarks/ingest_speed.py                       # 1k and 10k reports
    .venv/bin/python benchmarks/ingest_speed.py --sizes 1000 --formats txt,html

Each size gets its own corpus: the formats share the reports equally, each format
generated with its own seed (so the same agency-year in two formats is sometimes a
twin, sometimes a revision, as in real collections). Every ingest runs in a fresh
process, so peak RSS is that run's: the ingest process itself and the largest
parse worker. A second ingest of the same files measures the unchanged-file skip.

Goal (issue 7): 100k reports in < 15 min on 2 cores, i.e. ≥ 111 reports/s.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RUN = r"""
import json, resource, sys, time
from workbench.store import ingest
corpus, db, workers = sys.argv[1], sys.argv[2], int(sys.argv[3]) or None
started = time.perf_counter()
result = ingest([corpus], db, registry=None, workers=workers, progress=False)
seconds = time.perf_counter() - started
print(json.dumps({
    "files": result.files, "loaded": result.loaded, "revisions": result.revisions,
    "unchanged": result.unchanged, "failed": result.failed, "findings": result.findings,
    "seconds": seconds,
    "rss_main_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "rss_worker_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
}))
"""


def generate_corpus(root: Path, size: int, formats: list[str]) -> float:
    from workbench.synth import generate

    started = time.perf_counter()
    per_format = math.ceil(size / len(formats))
    for index, fmt in enumerate(formats):
        generate(root / fmt, agencies=math.ceil(per_format / 6), years=range(2019, 2025), seed=100 + index,
                 formats=[fmt])
    return time.perf_counter() - started


def run_ingest(corpus: Path, db: Path, workers: int) -> dict:
    output = subprocess.run([sys.executable, "-c", RUN, str(corpus), str(db), str(workers)],
                            check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated numbers of reports")
    parser.add_argument("--formats", default="txt,html,docx,pdf")
    parser.add_argument("--workers", type=int, default=0, help="parse processes (0: all cores)")
    parser.add_argument("--keep", type=Path, help="keep corpora and databases under this folder")
    args = parser.parse_args()
    formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    print(f"machine: {platform.machine()} · {os.cpu_count()} cores · Python {platform.python_version()}"
          f" · formats {','.join(formats)} · workers {args.workers or os.cpu_count()}")
    base = args.keep or Path(tempfile.mkdtemp(prefix="wb-ingest-bench-"))
    try:
        for size in (int(s) for s in args.sizes.split(",")):
            corpus, db = base / f"corpus-{size}", base / f"bench-{size}.duckdb"
            shutil.rmtree(corpus, ignore_errors=True)
            db.unlink(missing_ok=True)
            generated = generate_corpus(corpus, size, formats)
            first = run_ingest(corpus, db, args.workers)
            second = run_ingest(corpus, db, args.workers)
            rate = first["files"] / first["seconds"]
            print(f"\n{size} reports requested: {first['files']} files generated in {generated:.0f} s")
            print(f"  ingest:  {first['seconds']:.1f} s, {rate:.1f} reports/s "
                  f"({first['loaded']} loaded, {first['revisions']} as revisions, {first['unchanged']} twins, "
                  f"{first['failed']} failed, {first['findings']} findings)")
            print(f"  peak RSS: ingest process {first['rss_main_mb']:.0f} MB, largest parse worker "
                  f"{first['rss_worker_mb']:.0f} MB; database {db.stat().st_size / 2**20:.1f} MB")
            print(f"  again (nothing changed): {second['seconds']:.1f} s, {second['loaded']} loaded")
            print(f"  100k at this rate: {100_000 / rate / 60:.1f} min (goal < 15 min)")
    finally:
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
