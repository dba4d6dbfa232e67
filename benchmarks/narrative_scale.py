"""The section 五 narrative refresh on a big store: wall time, CPU time and peak RSS.

    .venv/bin/python benchmarks/narrative_scale.py /tmp/scale/100k.duckdb
    .venv/bin/python benchmarks/narrative_scale.py /tmp/scale/100k.duckdb --distinct

The refresh runs on a copy of the store (``refresh_db``: lock, copy, swap — what
``workbench ingest`` does after loading), in a fresh process whose RSS is sampled every
0.2 s (ingest_scale.run_measured).

Generated reports draw section 五 items from a phrase bank, so a generated 100k store has
only ~1,000 distinct item texts, and the refresh tags and shingles each distinct text once.
Real provinces copy a lot too, but not that much. ``--distinct`` is the worst case: before
the refresh, every item and every compared section gets its agency's name written into
each sentence, so no two texts are the same (copies across agencies become near-duplicates
instead of identical ones, which LSH then has to find).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from pathlib import Path

from ingest_scale import machine, run_measured

RUN = r"""
import json, resource, sys, time
from dataclasses import asdict
from workbench.narrative.store import refresh_db
started = time.perf_counter()
counts = refresh_db(sys.argv[1])
print(json.dumps({**asdict(counts), "seconds": time.perf_counter() - started,
                  "cpu_seconds": sum(getattr(resource.getrusage(resource.RUSAGE_SELF), f)
                                     for f in ("ru_utime", "ru_stime"))}))
"""

# every sentence of an item or section names its agency: no two texts stay identical
DISTINCT = r"""
UPDATE narrative_items i SET text = r.agency || i.text
FROM reports r WHERE r.report_id = i.report_id;
UPDATE report_sections s SET text = replace(s.text, '。', r.agency || '。')
FROM reports r WHERE r.report_id = s.report_id AND s.section IN ('overview', 'problems');
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("db", type=Path, help="a store made by ingest_scale.py (it is copied, not changed)")
    parser.add_argument("--distinct", action="store_true", help="make every text distinct first (worst case)")
    parser.add_argument("--work", type=Path, default=Path("/tmp/scale/narrative"))
    args = parser.parse_args()
    import duckdb

    print(f"machine: {machine()}")
    print(f"date: {time.strftime('%Y-%m-%d %H:%M')} · load average before: {os.getloadavg()}")
    args.work.mkdir(parents=True, exist_ok=True)
    copy = args.work / f"{args.db.stem}{'-distinct' if args.distinct else ''}.duckdb"
    shutil.copyfile(args.db, copy)
    if args.distinct:
        started = time.perf_counter()
        with duckdb.connect(str(copy)) as con:
            con.execute(DISTINCT)
            distinct = con.execute("SELECT count(DISTINCT text), count(*) FROM narrative_items").fetchone()
        print(f"texts made distinct in {time.perf_counter() - started:.0f} s: {distinct[0]} distinct of {distinct[1]} items")
    result = run_measured([sys.executable, "-c", RUN, str(copy)])
    print(f"{copy.name}: refresh {result['seconds']:.1f} s wall, {result['cpu_seconds']:.0f} CPU s, "
          f"peak RSS {result['peak_tree_mb']:.0f} MB; {result['items']} items "
          f"({result['distinct_texts']} distinct), {result['narrative_matches']} matches, "
          f"{result['section_similarity']} section scores, {result['repeated_problems']} repeated problems; "
          f"load average {os.getloadavg()}")
    print("  json: " + json.dumps(result))


if __name__ == "__main__":
    main()
