"""Strict cell accuracy per layout variant: what share of table cells read exactly as the truth.

Each HTML report (data/real, plus generated reports with --generated N agencies) is rewritten
into every variant of ``workbench.synth.variants`` and parsed. Truth is the record of the HTML
itself for data/real (the suite holds those to their expected records) and the generator's
.expected.json for generated reports. Strict: blank ≠ 0, unread ≠ read. ``wrong`` counts
cells holding a number the truth does not have there: it must be 0.

    .venv/bin/python benchmarks/read_rate.py                # data/real HTML only
    .venv/bin/python benchmarks/read_rate.py --generated 6  # plus 6 agencies × 2019–2024
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--generated", type=int, default=0, help="generated agencies to add (× 2019–2024)")
    args = parser.parse_args()
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
    print(f"{'variant':28} {'reports':>7} {'cells':>7} {'strict accuracy':>16} {'wrong cells':>11}")
    for name in [*VARIANTS, *extra]:
        reports, total, exact, wrong = totals[name]
        print(f"{name:28} {reports:7d} {total:7d} {100 * exact / max(total, 1):15.2f}% {wrong:11d}")


if __name__ == "__main__":
    main()
