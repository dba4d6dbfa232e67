"""Seconds per scanned page on ONE core, peak memory, and the text-layer floor of the same run.

A generated report is written as a text PDF and as its scanned variants
(``workbench.synth.scanned``); each file is parsed in a fresh child process pinned to one CPU
(``os.sched_setaffinity``) with ``OMP_NUM_THREADS=1`` and ``WORKBENCH_OCR_THREADS=1``, so the
reader cannot borrow the second core. The child times ``parse_file`` twice: *cold* (the
first file a worker reads, OCR models loaded) and *warm* (the same file again in that
process), as wall time and as the CPU time of the child (``time.process_time``: on a machine
shared with other work the wall time includes waiting for the core, the CPU time does not).
Peak memory is the child's maximum resident set (``os.wait4``'s rusage of that one
child, the per-child form of ``RUSAGE_CHILDREN``). Each figure is the median of ``--runs``
children. The floor is the same measurement on the text-layer PDF of the same report: the
path that must not slow down. The issue's goal: ≤ 2 s per scanned page.

A file the reader refuses (SourceError) shows the refusal time and says "refused".

    .venv/bin/python benchmarks/scan_speed.py            # 3 runs per file
    .venv/bin/python benchmarks/scan_speed.py --runs 5
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOAL_SECONDS_PER_PAGE = 2.0
ONE_CORE_ENV = {"OMP_NUM_THREADS": "1", "WORKBENCH_OCR_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
                "MKL_NUM_THREADS": "1"}


def child(path: Path) -> None:
    """Runs in the child: pin to one CPU, then parse ``path`` twice and print the timings."""
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    import pypdfium2 as pdfium

    from workbench.parse import parse_file
    from workbench.sources.document import SourceError

    pages = len(pdfium.PdfDocument(path)) if path.suffix == ".pdf" else 1
    timings, cpu, outcome = [], [], "read"
    for _ in range(2):
        started, cpu_started = time.perf_counter(), time.process_time()
        try:
            record = parse_file(path).to_dict()
            unread = sum(bool(c.get("unread")) for t in ("active_disclosure", "requests", "review_litigation")
                         for c in record[t])
            outcome = f"read ({unread} unread)"
        except SourceError as error:
            outcome = f"refused: {error.reason[:60]}"
        timings.append(time.perf_counter() - started)
        cpu.append(time.process_time() - cpu_started)
    print(json.dumps({"pages": pages, "cold": timings[0], "warm": timings[1], "warm_cpu": cpu[1], "outcome": outcome,
                      "cpus": len(os.sched_getaffinity(0))}))


def measure(path: Path) -> dict:
    """One child on ``path``: its timings and its own peak RSS in MB."""
    env = {**os.environ, **ONE_CORE_ENV}
    proc = subprocess.Popen([sys.executable, __file__, "--child", str(path)], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, env=env)
    out = proc.stdout.read() if proc.stdout else b""
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"the reader child failed on {path.name} (exit {proc.returncode})")
    result = json.loads(out.decode("utf-8").strip().splitlines()[-1])
    result["peak_mb"] = usage.ru_maxrss / 1024  # Linux: kilobytes
    return result


def files(workdir: Path, kinds: list[str], seed: int) -> list[tuple[str, Path]]:
    """The text PDF of one generated 2021 report and its scanned variants ``kinds``."""
    from workbench.synth import generate
    from workbench.synth.report import build_reports
    from workbench.synth.scanned import scan_pdf, write_scanned

    text = generate(workdir / "text", agencies=1, years=range(2021, 2022), seed=seed, formats=["pdf"],
                    break_share=0.0)[0].document
    report = build_reports(1, range(2021, 2022), seed)[0]
    scans = write_scanned(workdir / "scanned", [report], seed, kinds)
    real = ROOT / "data/real/2024_huaian.pdf"  # a real report, its fonts embedded, scanned at 200 dpi
    out = [("text_pdf (floor)", text)] + [(v.kind, v.document) for v in scans]
    if real.exists():
        (workdir / "real_scan_200.pdf").write_bytes(scan_pdf(real.read_bytes(), 200, seed=real.stem)[0])
        out += [("real_text (floor)", real), ("real_scan_200", workdir / "real_scan_200.pdf")]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="children per file (the median is shown)")
    parser.add_argument("--kinds", default="scan_150,scan_200,scan_300,scan_mixed,image_jpg",
                        help="scanned variants to time (workbench.synth.scanned.KINDS)")
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    with tempfile.TemporaryDirectory() as tmp:
        rows = []
        for name, path in files(Path(tmp), [k.strip() for k in args.kinds.split(",") if k.strip()], args.seed):
            runs = [measure(path) for _ in range(max(1, args.runs))]
            pages = runs[0]["pages"]
            rows.append((name, pages, statistics.median(r["cold"] for r in runs) / pages,
                         statistics.median(r["warm"] for r in runs) / pages,
                         statistics.median(r["warm_cpu"] for r in runs) / pages, max(r["peak_mb"] for r in runs),
                         runs[0]["cpus"], runs[-1]["outcome"]))
    peak_all = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"one core per child (cpus seen: {rows[0][6]}), median of {args.runs} runs; "
          f"goal ≤ {GOAL_SECONDS_PER_PAGE:.0f} s per scanned page")
    print(f"{'file':18} {'pages':>5} {'cold s/page':>11} {'warm s/page':>11} {'warm CPU s/page':>15} "
          f"{'peak MB':>8}  outcome")
    for name, pages, cold, warm, warm_cpu, peak, _, outcome in rows:
        print(f"{name:18} {pages:5d} {cold:11.3f} {warm:11.3f} {warm_cpu:15.3f} {peak:8.0f}  {outcome}")
    floor, floor_cpu = rows[0][3], rows[0][4]
    for name, _, _, warm, warm_cpu, _, _, outcome in rows[1:]:
        if "floor" in name:  # the real report's own text layer is the floor of its scan
            floor, floor_cpu = warm, warm_cpu
        elif outcome.startswith("read"):
            print(f"{name}: {warm / max(floor, 1e-9):.0f}× the text-layer floor per page "
                  f"({warm_cpu / max(floor_cpu, 1e-9):.0f}× in CPU time)"
                  + ("" if min(warm, warm_cpu) <= GOAL_SECONDS_PER_PAGE else " — over the goal"))
    print(f"peak RSS of any child (RUSAGE_CHILDREN): {peak_all:.0f} MB")


if __name__ == "__main__":
    main()
