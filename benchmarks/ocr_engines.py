"""OCR of scanned reports: strict cell accuracy, wrong numbers, seconds per page, peak memory.

Generated PDF reports (both templates) are turned into image-only PDFs (tests/scan_support.py:
each page redrawn at the dpi, optionally rotated, JPEG-compressed, noisy, with a red seal) and
parsed; every table cell is compared with the generator's truth. Strict: blank ≠ 0, unread ≠
read; ``wrong`` = cells holding a number the truth does not have there (must be 0).

Engines compared on the same pages (``--engine``):
  cells   the workbench's route: rules by morphology, recognition only on per-cell pieces;
  det     rapidocr's full pipeline (detection + recognition) on the whole page, its boxes
          assigned to the rule grid's cells — the usual way to run an OCR engine.

    .venv/bin/python benchmarks/ocr_engines.py --agencies 1 --dpi 150,200,300
    WORKBENCH_OCR_THREADS=1 .venv/bin/python benchmarks/ocr_engines.py --engine cells,det --dpi 200
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import pypdfium2 as pdfium  # noqa: E402
from scan_support import scanned_pdf  # noqa: E402

from workbench.parse import parse_file  # noqa: E402
from workbench.sources import scan  # noqa: E402

TABLES = (("active_disclosure", "item", "measure"), ("requests", "row", "applicant"),
          ("review_litigation", "proceeding", "result"))
VARIANTS = {
    "clean": {},
    "rot1.2_jpeg": {"rotate": 1.2, "jpeg": 75},
    "seal_noise": {"seal": True, "noise": True, "rotate": -0.7, "jpeg": 80},
}


def cells(record: dict) -> dict[tuple[str, str, str], tuple[object, bool]]:
    return {(t, c[a], c[b]): (c["value"], bool(c.get("unread"))) for t, a, b in TABLES for c in record[t]}


def _det_recognise(gray, pieces, in_cells, scale):  # noqa: ANN001 - the alternative engine, same signature
    """Full detection + recognition on the page; each detected box is one piece."""
    import numpy as np


    result, _ = scan.engine()(np.repeat(gray[:, :, None], 3, axis=2), use_det=True, use_cls=False)
    chars = []
    for box, text, confidence in result or []:
        xs, ys = [p[0] for p in box], [p[1] for p in box]
        chars.append(scan.OcrChar("".join(text.split()) if scan._numeric(text) else text.strip(),
                                  min(xs) * scale, max(xs) * scale, min(ys) * scale, max(ys) * scale,
                                  float(confidence)))
    # Pieces are ignored: detection finds its own. Keep the caller's per-piece flag list aligned.
    del pieces, in_cells
    return chars


def run(engine: str, reports: list[Path], dpis: list[int], variants: list[str], workdir: Path) -> None:
    original_recognise, original_pieces = scan._recognise, scan._pieces
    if engine == "det":
        scan._recognise = _det_recognise
        scan._pieces = lambda ink, boxes, k=0: ([], [])  # detection finds the text itself
    try:
        for dpi in dpis:
            for variant in variants:
                total = exact = wrong = unread = pages = 0
                seconds = cpu = 0.0
                for report in reports:
                    truth = cells(json.loads(report.with_suffix(".expected.json").read_text("utf-8")))
                    scanned = scanned_pdf(report, workdir / f"{report.stem}_{dpi}_{variant}.pdf", dpi,
                                          **VARIANTS[variant])
                    start, start_cpu = time.perf_counter(), time.process_time()
                    try:
                        record = parse_file(scanned)
                        got = cells(record.to_dict())
                        _confidences(record, truth)
                    except Exception as exc:  # noqa: BLE001 - a report that fails scores 0
                        print(f"  {report.name}: {type(exc).__name__}: {exc}", file=sys.stderr)
                        got = {}
                    seconds += time.perf_counter() - start
                    cpu += time.process_time() - start_cpu
                    pages += len(pdfium.PdfDocument(scanned))
                    total += len(truth)
                    exact += sum(got.get(k) == v for k, v in truth.items())
                    wrong += sum(got.get(k, (None, True))[0] is not None and got[k][0] != v[0]
                                 for k, v in truth.items())
                    unread += sum(got.get(k, (None, True))[1] and not v[1] for k, v in truth.items())
                print(f"| {engine} | {dpi} | {variant} | {len(reports)} | {total} | "
                      f"{100 * exact / max(total, 1):.2f} % | {wrong} | {unread} | {seconds / max(pages, 1):.2f} | "
                      f"{cpu / max(pages, 1):.2f} |",
                      flush=True)
    finally:
        scan._recognise, scan._pieces = original_recognise, original_pieces
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {peak:.0f} MB")
    _threshold_table()


READINGS: list[tuple[float, bool]] = []  # (confidence, the reading equals the truth) per OCR'd number cell


def _confidences(record, truth: dict) -> None:  # noqa: ANN001
    """What each OCR'd cell read, uncertain or not, against the truth: to choose UNCERTAIN."""
    from workbench.parse.numbers import parse_cell

    for key, source in record.cell_sources.items():
        want = truth.get(key)
        if want is None or want[0] is None:
            continue
        value, is_number = parse_cell(source.text)
        READINGS.append((source.confidence, is_number and value == want[0]))


def _threshold_table() -> None:
    if not READINGS:
        return
    print(f"\nthreshold choice over {len(READINGS)} OCR'd number cells "
          f"({sum(not ok for _, ok in READINGS)} misread):")
    print("| UNCERTAIN | misread kept (wrong numbers) | correct readings lost (unread) |")
    print("|---|---|---|")
    for t in (0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95):
        kept = sum(c >= t and not ok for c, ok in READINGS)
        lost = sum(c < t and ok for c, ok in READINGS)
        print(f"| {t} | {kept} | {lost} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agencies", type=int, default=1)
    parser.add_argument("--years", default="2020-2021", help="2020 → template 2019, 2021 → 2021")
    parser.add_argument("--dpi", default="200")
    parser.add_argument("--variants", default="clean")
    parser.add_argument("--engine", default="cells")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "synth"
        subprocess.run([sys.executable, "-m", "workbench.cli", "synth", str(out), "--agencies", str(args.agencies),
                        "--years", args.years, "--formats", "pdf", "--breaks", "0"], check=True, capture_output=True)
        reports = sorted(out.glob("*.pdf"))
        print("| engine | dpi | variant | reports | cells | strict exact | wrong | unread | s/page | CPU s/page |")
        print("|---|---|---|---|---|---|---|---|---|---|")
        for engine in args.engine.split(","):
            run(engine, reports, [int(d) for d in args.dpi.split(",")], args.variants.split(","), Path(tmp))


if __name__ == "__main__":
    main()
