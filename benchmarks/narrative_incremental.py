"""The narrative refresh after an ingest of 100 files: incremental vs full, on the same store.

    .venv/bin/python benchmarks/narrative_incremental.py                   # ~3,000 reports
    .venv/bin/python benchmarks/narrative_incremental.py --size 10000
    .venv/bin/python benchmarks/narrative_incremental.py --spread          # the 100 over every year

Corpus: generated HTML and TXT reports (the fastest formats to generate and read), a pool of
up to 200 agencies per format, 2019–2025, and renamed variants of it (ingest_scale.py) up to
about ``--size`` documents. ``--added`` of them (default 100) are held back: by default the
latest year's reports of 100 agencies (what arrives in the spring: each agency's new report, with
its history already in the store), with ``--spread`` as many from every year.

The store of the others is loaded and refreshed once (full: it has no state yet). Then the held
back files are ingested without the refresh; each run copies that store and times, each in a
fresh process (so jieba's dictionary is loaded as in a real run):

* ``refresh(con)`` (incremental) and ``refresh(con, full=True)`` on the copy: the comparison alone;
* ``refresh_if_stale(db)`` (what ``workbench ingest`` runs after the load: lock, copy, the
  incremental refresh, derived tables, checkpoint, swap) and ``refresh_db(db)`` (the same, full).

Medians of ``--runs`` (default 3), the ratio full / incremental, and a check that the two
leave the same rows in every result table.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from ingest_scale import YEARS, _generate, _write_variants, machine

POOL = 200  # agencies per format at most
FORMATS = ("html", "txt")

INGEST = r"""
import json, sys, time
from workbench.store import ingest
if __name__ == "__main__":
    files = [line for line in open(sys.argv[2], encoding="utf-8").read().splitlines() if line]
    started = time.perf_counter()
    result = ingest(files, sys.argv[1], registry=None, workers=int(sys.argv[3]), progress=False)
    print(json.dumps({"seconds": time.perf_counter() - started, "files": result.files, "loaded": result.loaded,
                      "revisions": result.revisions, "failed": result.failed}))
"""

RUN = r"""
import json, sys, time
from dataclasses import asdict
import duckdb
from workbench.narrative.store import refresh, refresh_db, refresh_if_stale
mode, db = sys.argv[1], sys.argv[2]
started = time.perf_counter()
if mode in ("incremental", "full"):
    with duckdb.connect(db) as con:
        counts = refresh(con, full=mode == "full")
elif mode == "incremental-db":
    counts = refresh_if_stale(db)
else:
    counts = refresh_db(db)
print(json.dumps({"seconds": time.perf_counter() - started, **asdict(counts)}))
"""

SAME = r"""
import json, sys
import duckdb
from workbench.narrative.store import RESULT_TABLES
def rows(db):
    with duckdb.connect(db, read_only=True) as con:
        return {t: sorted(map(repr, con.execute(f"SELECT * FROM {t}").fetchall())) for t in RESULT_TABLES}
a, b = rows(sys.argv[1]), rows(sys.argv[2])
print(json.dumps({t: a[t] == b[t] for t in a} | {"rows": sum(map(len, a.values()))}))
"""


def build_corpus(root: Path, size: int) -> list[Path]:
    """About ``size`` documents under ``root``: renamed variants of a generated pool per format."""
    per_format = math.ceil(size / len(FORMATS))
    agencies = min(POOL, math.ceil(per_format / len(YEARS)))
    variants = max(1, round(per_format / (agencies * len(YEARS))))
    first = 1
    for seed, fmt in enumerate(FORMATS, 2):
        pool = root / "pool" / fmt
        _generate(str(pool), fmt, agencies, seed)
        _write_variants(str(pool), str(root / fmt), list(range(first, first + variants)))
        first += variants  # each format its own variants: no agency-year in two formats
    shutil.rmtree(root / "pool")
    return sorted(p for fmt in FORMATS for p in (root / fmt).glob(f"*.{fmt}"))


def hold_back(files: list[Path], count: int, spread: bool) -> tuple[list[Path], list[Path]]:
    """(the store's files, the ``count`` files ingested later): one file per agency, of the
    latest year, or (``spread``) of every year in turn."""
    latest = str(max(YEARS))
    by_agency: dict[str, list[Path]] = {}
    for path in files:
        by_agency.setdefault(path.name.rsplit("_", 2)[0], []).append(path)
    later: list[Path] = []
    for index, agency in enumerate(sorted(by_agency)):
        if len(later) == count:
            break
        year = str(YEARS[index % len(YEARS)]) if spread else latest
        later += [p for p in by_agency[agency] if f"_{year}_" in p.name][:1]
    held = set(later)
    return [p for p in files if p not in held], later


def run(script: str, *args: str | Path) -> dict:
    done = subprocess.run([sys.executable, "-c", script, *map(str, args)], capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"{args[0]} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def ingest(db: Path, files: list[Path], work: Path, workers: int) -> dict:
    listing = work / f"{db.stem}.files"
    listing.write_text("\n".join(map(str, files)), "utf-8")
    return run(INGEST, db, listing, workers)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=3000, help="reports in the store (about)")
    parser.add_argument("--added", type=int, default=100, help="files ingested after the store was refreshed")
    parser.add_argument("--spread", action="store_true", help="hold back files of every year, not the latest")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="parse processes")
    parser.add_argument("--work", type=Path, default=Path("/tmp/narrative-incremental"))
    parser.add_argument("--reuse", action="store_true", help="reuse the corpus and stores under --work")
    args = parser.parse_args()
    print(f"machine: {machine()}")
    print(f"date: {time.strftime('%Y-%m-%d %H:%M')} · load average before: {os.getloadavg()}")
    label = f"{args.size}{'-spread' if args.spread else ''}"
    corpus, base, after = args.work / f"corpus-{args.size}", args.work / f"base-{label}.duckdb", args.work / f"after-{label}.duckdb"
    args.work.mkdir(parents=True, exist_ok=True)
    if not (args.reuse and corpus.exists()):
        shutil.rmtree(corpus, ignore_errors=True)
        started = time.perf_counter()
        build_corpus(corpus, args.size)
        print(f"corpus built in {time.perf_counter() - started:.0f} s")
    files = sorted(p for fmt in FORMATS for p in (corpus / fmt).glob(f"*.{fmt}"))
    kept, later = hold_back(files, args.added, args.spread)
    years = sorted({int(p.name.rsplit("_", 2)[1]) for p in later})
    if not (args.reuse and after.exists()):
        base.unlink(missing_ok=True)
        loaded = ingest(base, kept, args.work, args.workers)
        first = run(RUN, "full-db", base)
        print(f"store: {loaded['loaded']} reports loaded in {loaded['seconds']:.1f} s; first (full) refresh "
              f"{first['seconds']:.1f} s: {first['items']} items ({first['distinct_texts']} distinct), "
              f"{first['narrative_matches']} matches, {first['section_similarity']} section scores")
        shutil.copyfile(base, after)
        added = ingest(after, later, args.work, args.workers)
        print(f"then {added['files']} files ({added['loaded']} loaded, {added['revisions']} revisions, "
              f"years {years[0]}–{years[-1]}) ingested in {added['seconds']:.1f} s without the refresh")

    times: dict[str, list[float]] = {mode: [] for mode in ("incremental", "full", "incremental-db", "full-db")}
    last: dict[str, dict] = {}
    for number in range(args.runs):
        for mode in times:
            copy = args.work / f"run-{mode}.duckdb"
            shutil.copyfile(after, copy)
            last[mode] = run(RUN, mode, copy)
            times[mode].append(last[mode]["seconds"])
        print(f"run {number + 1}: " + ", ".join(f"{mode} {t[-1]:.2f} s" for mode, t in times.items()))
    same = run(SAME, args.work / "run-incremental.duckdb", args.work / "run-full.duckdb")
    inc = last["incremental"]
    median = {mode: statistics.median(t) for mode, t in times.items()}
    print(f"\nincremental: {inc['reports_added']} reports added, {inc['reports_removed']} removed; compared again: "
          f"{inc['agencies']} agencies, {inc['years']} years; {inc['texts_coded']} texts shingled, "
          f"{inc['texts_tagged']} tagged; boilerplate moved: {inc['boilerplate_moved'] or 'none'}"
          + ("" if inc["incremental"] else f" — NOT incremental: {inc['full_because']}"))
    print(f"full:        {last['full']['texts_coded']} texts shingled, {last['full']['texts_tagged']} tagged, "
          f"{last['full']['agencies']} agencies, {last['full']['years']} years")
    print(f"same rows as the full refresh: {all(v for k, v in same.items() if k != 'rows')} ({same['rows']} rows)")
    print(f"refresh(con), median of {args.runs}: incremental {median['incremental']:.2f} s, full {median['full']:.2f} s"
          f" → {median['full'] / median['incremental']:.1f}× faster")
    print(f"refresh on the file (lock, copy, swap), median of {args.runs}: incremental {median['incremental-db']:.2f} s,"
          f" full {median['full-db']:.2f} s → {median['full-db'] / median['incremental-db']:.1f}× faster")
    sizes = {mode: (args.work / f"run-{mode}.duckdb").stat().st_size / 2**20 for mode in ("incremental-db", "full-db")}
    print(f"database after: {sizes['incremental-db']:.1f} MB (incremental), {sizes['full-db']:.1f} MB (full); "
          f"load average after: {os.getloadavg()}")
    print("  json: " + json.dumps({"size": args.size, "added": args.added, "spread": args.spread, "median": median,
                                   "times": times, "incremental": inc, "same": same, "db_mb": sizes}))


if __name__ == "__main__":
    main()
