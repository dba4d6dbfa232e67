"""Province scale: ingest 1k / 10k / 100k generated reports; query latency and the digest at 100k.

    .venv/bin/python benchmarks/ingest_scale.py --sizes 1000,10000,100000 --out /tmp/scale
    .venv/bin/python benchmarks/ingest_scale.py --sizes 10000 --engine dask     # local dask cluster
    .venv/bin/python benchmarks/ingest_scale.py --queries-only /tmp/scale/100k.duckdb

Corpus (``build_corpus``): running the generator 100k times would take longer than the
ingest (PDF ~75/s, DOCX ~13/s per core), so each size is a *pool* of generated
documents plus cheap *variants*. The mix is roughly what portals publish:
HTML 55 %, TXT (crawled pages) 30 %, PDF 10 %, DOCX 5 %. PDFs are all generated (their
text is compressed and font-encoded, so they cannot be rewritten). HTML, TXT and DOCX
come from a small generated pool; variant *k* of a pool document renames every place in
it (云溪 → 云溪甲, 东湖 → 东湖甲 …), consistently across an agency's years, so each variant is
a different agency with its own 2019–2025 series (carry-over chains intact), different
bytes (sha256) and the parse work of a real document. Each format uses its own range of
*k*, so agency-years do not collide across formats.

Each ingest runs in a fresh process and does what ``workbench ingest`` does: load, then
refresh the section 五 narrative tables (both times are printed). A sampler adds up the RSS of that process and
all its children (parse workers, dask nannies and workers) every 0.2 s: "peak RSS" is
the peak of that sum. Goals (issue 7): 100k in < 15 min on 2 cores, peak < 2 GB,
query p95 < 300 ms, digest < 60 s.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
import zipfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

MIX = {"html": 0.55, "txt": 0.30, "pdf": 0.10, "docx": 0.05}
YEARS = range(2019, 2026)
POOL_AGENCIES = {"html": 200, "txt": 200, "docx": 50}  # at most; smaller sizes use fewer
# Suffix characters for renamed places: variant k appends k written in this base.
SUFFIX = "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥金木水火土日月星山川林泉松柏桃李梅兰竹菊春夏秋冬"

RUN = r"""
import json, resource, sys, time
from workbench.narrative.store import refresh_db
from workbench.store import ingest
corpus, db, workers, engine = sys.argv[1], sys.argv[2], int(sys.argv[3]) or None, sys.argv[4]
started = time.perf_counter()
# what `workbench ingest` does (narrative.store.ingest_and_compare), timed step by step
result = ingest([corpus], db, registry=None, workers=workers, progress=False, engine=engine)
loaded = time.perf_counter()
refresh_db(db)
print(json.dumps({"files": result.files, "loaded": result.loaded, "revisions": result.revisions,
                  "unchanged": result.unchanged, "failed": result.failed, "findings": result.findings,
                  "seconds": time.perf_counter() - started, "load_seconds": loaded - started,
                  "narrative_seconds": time.perf_counter() - loaded,
                  # CPU seconds of this process and its reaped children (the local engine's workers):
                  # on a machine shared with other work, wall time alone says little.
                  "cpu_seconds": sum(getattr(resource.getrusage(who), f) for who in
                                     (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN) for f in ("ru_utime", "ru_stime"))}))
"""


# -- corpus ----------------------------------------------------------------------------------


def _generate(outdir: str, fmt: str, agencies: int, seed: int) -> int:
    from workbench.synth import generate

    return len(generate(Path(outdir), agencies=agencies, years=YEARS, seed=seed, formats=[fmt]))


def _places() -> re.Pattern[str]:
    from workbench.synth.agencies import CITIES, COUNTIES, TOWNS

    names = sorted({name for name, _ in (*CITIES, *COUNTIES, *TOWNS)}, key=len, reverse=True)
    return re.compile("|".join(map(re.escape, names)))


def _suffix(k: int) -> str:
    digits = ""
    while True:
        k, rest = divmod(k, len(SUFFIX))
        digits = SUFFIX[rest] + digits
        if k == 0:
            return digits
        k -= 1


def _variant(source: Path, target: Path, k: int, places: re.Pattern[str]) -> None:
    suffix = _suffix(k)

    def rename(text: str) -> str:
        return places.sub(lambda m: m.group(0) + suffix, text)

    if source.suffix == ".docx":
        with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
            for info in src.infolist():
                data = src.read(info)
                if info.filename.endswith(".xml"):
                    data = rename(data.decode("utf-8")).encode("utf-8")
                dst.writestr(info, data)
        return
    data = source.read_bytes()
    charset = "gbk" if re.search(rb"charset=[\"']?gbk", data[:2048], re.IGNORECASE) else "utf-8"
    text = rename(data.decode(charset))
    target.write_bytes(text.encode(charset, errors="xmlcharrefreplace"))


def _write_variants(pool: str, outdir: str, ks: list[int]) -> int:
    places = _places()
    sources = [p for p in sorted(Path(pool).iterdir()) if p.suffix in (".html", ".txt", ".docx")]
    Path(outdir).mkdir(parents=True, exist_ok=True)
    for k in ks:
        for source in sources:
            _variant(source, Path(outdir) / f"v{k}_{source.name}", k, places)
    return len(ks) * len(sources)


def build_corpus(root: Path, size: int) -> dict[str, int]:
    """About ``size`` documents under ``root`` (see the module docstring); returns counts per format."""
    years = len(YEARS)
    want = {fmt: round(size * share) for fmt, share in MIX.items()}
    pdf_agencies = max(1, round(want["pdf"] / years))
    pools = {fmt: min(POOL_AGENCIES[fmt], max(1, round(want[fmt] / years))) for fmt in ("html", "txt", "docx")}
    variants = {fmt: max(1, round(want[fmt] / (pools[fmt] * years))) for fmt in pools}
    counts: dict[str, int] = {}
    with ProcessPoolExecutor(2) as pool:
        pdf = pool.submit(_generate, str(root / "pdf"), "pdf", pdf_agencies, 1)
        made = {fmt: pool.submit(_generate, str(root / "pool" / fmt), fmt, pools[fmt], 2 + i)
                for i, fmt in enumerate(pools)}
        for fmt in pools:
            made[fmt].result()
        first = 1
        jobs = []
        for fmt in pools:  # each format its own range of k: no agency-year appears in two formats
            ks = list(range(first, first + variants[fmt]))
            first += variants[fmt]
            half = math.ceil(len(ks) / 2)
            jobs += [(fmt, pool.submit(_write_variants, str(root / "pool" / fmt), str(root / fmt / f"{i}"), part))
                     for i, part in enumerate((ks[:half], ks[half:])) if part]
        for fmt, job in jobs:
            counts[fmt] = counts.get(fmt, 0) + job.result()
        counts["pdf"] = pdf.result()
    shutil.rmtree(root / "pool")
    for path in root.rglob("*"):
        if path.name.endswith((".expected.json", "manifest.tsv")):
            path.unlink()
    return counts


# -- measuring ---------------------------------------------------------------------------------


def run_ingest(corpus: Path, db: Path, workers: int, engine: str) -> dict:
    result = run_measured([sys.executable, "-c", RUN, str(corpus), str(db), str(workers), engine])
    result["db_mb"] = db.stat().st_size / 2**20
    return result


def run_measured(command: list[str]) -> dict:
    """Run a Python command that prints one JSON line last; add the peak RSS of its whole process
    tree (parse workers, dask nannies) and of the process itself, sampled every 0.2 s."""
    import psutil

    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    main = psutil.Process(proc.pid)
    peak_tree = peak_main = 0
    while proc.poll() is None:
        try:
            tree = [main, *main.children(recursive=True)]
            rss = 0
            for member in tree:
                with_rss = member.memory_info().rss
                rss += with_rss
                if member.pid == proc.pid:
                    peak_main = max(peak_main, with_rss)
            peak_tree = max(peak_tree, rss)
        except psutil.Error:
            pass
        time.sleep(0.2)
    out, err = proc.communicate()
    if proc.returncode:
        raise SystemExit(f"{command[-1]} failed:\n{err[-3000:]}")
    result = json.loads(out.strip().splitlines()[-1])
    result.update(peak_tree_mb=peak_tree / 2**20, peak_main_mb=peak_main / 2**20)
    return result


def query_latency(db: Path, repeat: int) -> dict[str, dict[str, Any]]:
    from workbench.store import StoreError, list_queries, run_query

    timings: dict[str, dict[str, Any]] = {}
    for query in list_queries():
        samples = []
        rows = 0
        try:
            for _ in range(repeat):
                started = time.perf_counter()
                rows = len(run_query(query.name, db=db))
                samples.append((time.perf_counter() - started) * 1000)
        except StoreError as exc:  # e.g. a table another stage (narrative, digest) has not built yet
            timings[query.name] = {"error": str(exc).splitlines()[0]}
            continue
        samples.sort()
        timings[query.name] = {"p50_ms": statistics.median(samples),
                               "p95_ms": samples[min(len(samples) - 1, math.ceil(0.95 * len(samples)) - 1)],
                               "rows": rows}
    return timings


def digest_time(db: Path, out: Path) -> dict | None:
    try:
        from workbench.digest import run_digest
    except ImportError:
        try:  # the package may not re-export it (yet)
            from workbench.digest.runner import run_digest
        except ImportError:
            return None
    import inspect

    started = time.perf_counter()
    params = inspect.signature(run_digest).parameters
    kwargs = {"db": db} if "db" in params else {}
    for name in ("out", "outdir", "output", "out_dir"):
        if name in params:
            kwargs[name] = out
    run_digest(**kwargs)
    return {"seconds": time.perf_counter() - started, "call": f"run_digest({', '.join(kwargs)})"}


def machine() -> str:
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor())
    mem = next((int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                if line.startswith("MemTotal")), 0)
    return (f"{model} · nproc {os.cpu_count()} · RAM {mem / 2**20:.1f} GiB · Python {platform.python_version()}"
            f" · {platform.system()} {platform.release()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--out", type=Path, default=Path("/tmp/scale"))
    parser.add_argument("--workers", type=int, default=0, help="parse processes / dask workers (0: all cores)")
    parser.add_argument("--engine", default="local", choices=("local", "dask"))
    parser.add_argument("--repeat", type=int, default=20, help="runs of each query")
    parser.add_argument("--reuse", action="store_true", help="reuse a corpus already built under --out")
    parser.add_argument("--queries-only", type=Path, help="only time the queries (and digest) on this database")
    args = parser.parse_args()
    print(f"machine: {machine()}")
    print(f"date: {time.strftime('%Y-%m-%d %H:%M')} · load average before: {os.getloadavg()}")
    if args.queries_only:
        report_queries(args.queries_only, args.repeat, args.out)
        return
    for size in (int(s) for s in args.sizes.split(",")):
        label = f"{size // 1000}k" if size % 1000 == 0 else str(size)
        corpus, db = args.out / f"corpus-{label}", args.out / f"{label}{'' if args.engine == 'local' else '-dask'}.duckdb"
        if not (args.reuse and corpus.exists()):
            shutil.rmtree(corpus, ignore_errors=True)
            started = time.perf_counter()
            counts = build_corpus(corpus, size)
            print(f"\n{label}: corpus {counts} ({sum(counts.values())} files) built in "
                  f"{time.perf_counter() - started:.0f} s")
        db.unlink(missing_ok=True)
        first = run_ingest(corpus, db, args.workers, args.engine)
        rate = first["files"] / first["seconds"]
        print(f"{label} [{args.engine}]: {first['files']} files in {first['seconds']:.1f} s = {rate:.1f} reports/s"
              f" (load {first['load_seconds']:.1f} s, then narrative refresh {first['narrative_seconds']:.1f} s);"
              f" {first['loaded']} loaded ({first['revisions']} revisions), {first['unchanged']} unchanged,"
              f" {first['failed']} failed, {first['findings']} findings; CPU {first['cpu_seconds']:.0f} s"
              f" = {first['files'] / first['cpu_seconds']:.1f} reports per CPU-second")
        print(f"  peak RSS: process tree {first['peak_tree_mb']:.0f} MB (ingest process {first['peak_main_mb']:.0f} MB);"
              f" database {first['db_mb']:.1f} MB; load average {os.getloadavg()}")
        print("  json: " + json.dumps({"size": size, "engine": args.engine, **first}))
        if size >= 100_000:
            report_queries(db, args.repeat, args.out)


def report_queries(db: Path, repeat: int, out: Path) -> None:
    timings = query_latency(db, repeat)
    print(f"\nqueries on {db} ({repeat} runs each, run_query with default params):")
    for name, t in timings.items():
        if "error" in t:
            print(f"  {name:32} not run: {t['error']}")
            continue
        print(f"  {name:32} p50 {t['p50_ms']:7.1f} ms  p95 {t['p95_ms']:7.1f} ms  ({t['rows']} rows)")
    print("  json: " + json.dumps(timings))
    digest = digest_time(db, out / "digest")
    print("digest: " + ("workbench.digest.run_digest not available" if digest is None else json.dumps(digest)))


if __name__ == "__main__":
    main()
