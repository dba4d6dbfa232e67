"""Strict cell accuracy per layout variant: what share of table cells read exactly as the truth.

Each HTML report (data/real, plus generated reports with --generated N agencies) is rewritten
into every variant of ``workbench.synth.variants`` and parsed. Truth is the record of the HTML
itself for data/real (the suite holds those to their expected records) and the generator's
.expected.json for generated reports. Strict: blank ≠ 0, unread ≠ read. ``wrong`` counts
cells holding a number the truth does not have there: it must be 0.

    .venv/bin/python benchmarks/read_rate.py                # data/real HTML only
    .venv/bin/python benchmarks/read_rate.py --generated 6  # plus 6 agencies × 2019–2024
    .venv/bin/python benchmarks/read_rate.py --scanned 2    # plus scanned variants of 2 agencies × 2019–2024
    .venv/bin/python benchmarks/read_rate.py --scanned 2 --scanned-kinds scan_200,real_scan_200

``--scanned N`` adds a second table: one row per scanned variant (``workbench.synth.scanned``:
image-only PDFs at 150/200/300 dpi, a mixed PDF, HTML with table 三 as an image, page images)
and template, with the unread cells (flagged unread, or not in the record at all) beside the
wrong ones; and ``real_scan_<dpi>``: the real PDFs of data/real rasterised
(``workbench.synth.scanned.scan_pdf``) and scored against their expected records. A file the reader refuses (SourceError) counts all its cells unread and none wrong.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

from workbench.parse import parse_file
from workbench.sources.document import SourceError
from workbench.synth.variants import VARIANTS, narrow_label_pdfs, source_from_html, write_variants

ROOT = Path(__file__).resolve().parents[1]
TABLES = (("active_disclosure", "item", "measure"), ("requests", "row", "applicant"),
          ("review_litigation", "proceeding", "result"))


def cells(record: dict) -> dict[tuple[str, str, str], tuple[object, bool]]:
    return {(t, c[a], c[b]): (c["value"], bool(c.get("unread"))) for t, a, b in TABLES for c in record[t]}


def corpus(generated: int, workdir: Path) -> list[tuple[Path, dict]]:
    reports = [(p, parse_file(p).to_dict()) for p in sorted((ROOT / "data/real").glob("*.html"))]
    if generated:
        out = workdir / "generated"
        subprocess.run([sys.executable, "-m", "workbench.cli", "synth", str(out), "--agencies", str(generated),
                        "--formats", "html", "--breaks", "0"], check=True, capture_output=True)
        for path in sorted(out.rglob("*.html")):
            expected = path.with_suffix(".expected.json")
            if expected.exists():
                reports.append((path, json.loads(expected.read_text("utf-8"))))
    return reports


def _score(row: list[int], want: dict, document: Path) -> None:
    """Add one document to a variant's row: reports, cells, exact cells, cells with a wrong number."""
    try:
        got = cells(parse_file(document).to_dict())
    except Exception:  # noqa: BLE001  (a variant that fails to parse scores 0)
        got = {}
    row[0] += 1
    row[1] += len(want)
    row[2] += sum(got.get(k) == v for k, v in want.items())
    row[3] += sum(got.get(k, (None, True))[0] is not None and got[k][0] != v[0] for k, v in want.items())


def score_scanned(row: list[int], want: dict, document: Path) -> None:
    """Add one scanned document to its row: reports, cells, exact, wrong, unread, read blank,
    refused (SourceError), failed (any other exception: a reader bug, all its cells unread).

    Unread: the record flags the cell unread or lacks it. Read blank: the record says the report
    printed the cell blank (null, not unread) where the truth has a number — as bad as a wrong
    number for the checks, so it is counted apart rather than hidden among the unread."""
    try:
        got = cells(parse_file(document).to_dict())
        refused = 0
    except SourceError:
        got, refused = {}, 1
    except Exception:  # noqa: BLE001  (a crash scores 0, counted apart from a refusal)
        got, refused = {}, 0
        row[7] += 1
    row[0] += 1
    row[1] += len(want)
    for key, (value, _) in want.items():
        read, unread = got.get(key, (None, True))
        if unread:
            row[4] += 1
        elif (read, unread) == (value, False):
            row[2] += 1
        elif read is not None:
            row[3] += 1
            if SHOW_WRONG:
                print(f"wrong: {document.name} {'/'.join(key)} read {read}, truth {value}", file=sys.stderr)
        else:
            row[5] += 1
            if SHOW_WRONG:
                print(f"read blank: {document.name} {'/'.join(key)}, truth {value}", file=sys.stderr)
    row[6] += refused


SHOW_WRONG = False  # --show-wrong: every wrong or read-blank scanned cell on stderr


REAL_SCAN_DPIS = (150, 200, 300)


def scanned_kinds() -> list[str]:
    from workbench.synth.scanned import KINDS

    return [*KINDS, *(f"real_scan_{dpi}" for dpi in REAL_SCAN_DPIS)]


def scanned_rows(agencies: int, workdir: Path, kinds: list[str]) -> dict[tuple[str, str], list[int]]:
    """(variant, template) -> [reports, cells, exact, wrong, unread, read blank, refused, failed]."""
    from workbench.synth.report import build_reports
    from workbench.synth.scanned import KINDS, scannable, write_scanned

    rows: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0] * 8)
    reports = scannable(build_reports(agencies, range(2019, 2025), seed=11))
    synth = [k for k in kinds if k in KINDS]
    for variant in write_scanned(workdir / "scanned", reports, seed=11, kinds=synth) if synth else []:
        truth = json.loads(variant.expected.read_text("utf-8"))
        score_scanned(rows[(variant.kind, truth["template"])], cells(truth), variant.document)
    dpis = [dpi for dpi in REAL_SCAN_DPIS if f"real_scan_{dpi}" in kinds]
    real_scans(rows, workdir / "real_scans", dpis)
    return rows


def real_scans(rows: dict[tuple[str, str], list[int]], workdir: Path, dpis: list[int]) -> None:
    """The real PDFs of data/real rasterised (rotation, noise, JPEG; no seal), scored against
    their expected records in tests/expected: rows real_scan_<dpi>."""
    from workbench.synth.scanned import scan_pdf

    workdir.mkdir(parents=True, exist_ok=True)
    for path in sorted((ROOT / "data/real").glob("*.pdf")):
        truth = json.loads((ROOT / "tests/expected" / f"{path.stem}.expected.json").read_text("utf-8"))
        for dpi in dpis:
            scan = workdir / f"{path.stem}.scan_{dpi}.pdf"
            scan.write_bytes(scan_pdf(path.read_bytes(), dpi, seed=path.stem)[0])
            score_scanned(rows[(f"real_scan_{dpi}", truth["template"])], cells(truth), scan)


def print_scanned(rows: dict[tuple[str, str], list[int]]) -> None:
    print()
    print(f"{'scanned variant':26} {'template':>8} {'reports':>7} {'cells':>6} {'strict accuracy':>16} "
          f"{'wrong':>6} {'unread':>7} {'read blank':>10} {'refused':>7} {'failed':>6}")
    for kind in scanned_kinds():
        for template in ("2019", "2021"):
            if (kind, template) not in rows:
                continue
            reports, total, exact, wrong, unread, blank, refused, failed = rows[(kind, template)]
            print(f"{kind:26} {template:>8} {reports:7d} {total:6d} {100 * exact / max(total, 1):15.2f}% "
                  f"{wrong:6d} {unread:7d} {blank:10d} {refused:7d} {failed:6d}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--generated", type=int, default=0, help="generated agencies to add (× 2019–2024)")
    parser.add_argument("--scanned", type=int, default=0,
                        help="generated agencies (× 2019–2024) whose scanned variants to score")
    parser.add_argument("--show-wrong", action="store_true", help="list wrong and read-blank scanned cells on stderr")
    parser.add_argument("--scanned-kinds", default=",".join(scanned_kinds()),
                        help="which scanned rows to make (comma-separated; default all)")
    args = parser.parse_args()
    kinds = [k.strip() for k in args.scanned_kinds.split(",") if k.strip()]
    global SHOW_WRONG
    SHOW_WRONG = args.show_wrong
    if unknown := [k for k in kinds if k not in scanned_kinds()]:
        parser.error(f"unknown scanned kind(s) {unknown}; choose from {', '.join(scanned_kinds())}")
    scanned: dict[tuple[str, str], list[int]] = {}
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])  # reports, cells, exact, wrong
    with tempfile.TemporaryDirectory() as tmp:
        for path, truth in corpus(args.generated, Path(tmp)):
            title = f"{truth['agency']}{truth['year']}年政府信息公开工作年度报告"
            written = write_variants(source_from_html(path, title), Path(tmp) / "variants", path.stem)
            want = cells(truth)
            for name, variant in written.items():
                _score(totals[name], want, variant)
        extra = []
        if args.generated:  # PDFs with narrow, wrapped table-三 label columns, from generated reports
            extra.append("pdf_narrow_labels")
            pdftotext = shutil.which("pdftotext")  # poppler; the rows are left out where it is missing
            extra += ["pdftotext_layout", "pdftotext_reading_order"] if pdftotext else []
            for path, truth in narrow_label_pdfs(Path(tmp) / "narrow", args.generated, range(2019, 2025), seed=5):
                _score(totals["pdf_narrow_labels"], cells(truth), path)
                for name, flags in (("pdftotext_layout", ["-layout"]), ("pdftotext_reading_order", [])):
                    if pdftotext:
                        text = path.with_suffix(f".{name}.txt")
                        subprocess.run([pdftotext, *flags, "-enc", "UTF-8", str(path), str(text)], check=True)
                        _score(totals[name], cells(truth), text)
        if args.scanned:
            scanned = scanned_rows(args.scanned, Path(tmp), kinds)
    print(f"{'variant':28} {'reports':>7} {'cells':>7} {'strict accuracy':>16} {'wrong cells':>11}")
    for name in [*VARIANTS, *extra]:
        reports, total, exact, wrong = totals[name]
        print(f"{name:28} {reports:7d} {total:7d} {100 * exact / max(total, 1):15.2f}% {wrong:11d}")
    if scanned:
        print_scanned(scanned)


if __name__ == "__main__":
    main()
