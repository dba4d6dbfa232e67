"""Write the office fixtures of tests/test_source_office.py (run by hand; needs LibreOffice).

    .venv/bin/python tests/data/office/make_fixtures.py

From two synthetic reports (template 2021 and 2019) rendered as DOCX:
  * report_2021.doc  — LibreOffice "MS Word 97" from the DOCX
  * report_2021.xlsx — the whole report on one sheet: text rows, tables with merged cells,
                       numbers stored as numbers (openpyxl)
  * report_2019_tables.xlsx — tables only: a sheet per table named by its section heading,
                       the report title as a merged title row on the first sheet
  * report_2019_tables.xls  — LibreOffice "MS Excel 97" from the .xlsx above
  * report_<template>.expected.json — the record parsed from the source DOCX
The tests make the .wps (WPS Office saves 文字 files as Word 97 binaries under .wps: the .doc's
bytes) and the RTF (LibreOffice from the .doc; 200 KB, so not committed) at test time.
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import sys
import tempfile
from dataclasses import asdict
from datetime import datetime
from pathlib import Path

from workbench.parse import parse_file
from workbench.synth import render_docx
from workbench.synth.layout import build_blocks, make_style
from workbench.synth.report import build_reports

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parent.parent))  # tests/, for office_support
from office_support import tables_only_workbook, whole_report_sheet  # noqa: E402


def main() -> None:
    soffice = shutil.which("soffice")
    if not soffice:
        sys.exit("LibreOffice (soffice) is needed to write the fixtures")
    reports = {r.record["template"]: r for r in build_reports(2, range(2020, 2024), seed=7)}
    for template, report in sorted(reports.items()):
        style = make_style(random.Random(f"office:{template}"), template)
        blocks = build_blocks(report.record, report.prose, style)
        title = "".join(report.prose["title"])
        signed = report.prose["signed"]
        data = render_docx.render(blocks, style, title, datetime(signed.year, signed.month, signed.day, 9))
        with tempfile.TemporaryDirectory() as tmp:
            source = Path(tmp) / f"report_{template}.docx"
            source.write_bytes(data)
            record = asdict(parse_file(source))
            (HERE / f"report_{template}.expected.json").write_text(
                json.dumps(record, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
            if template == "2021":
                _convert(soffice, source, "doc:MS Word 97", HERE)
                whole_report_sheet(blocks, HERE / "report_2021.xlsx")
            else:
                tables_only_workbook(blocks, title, HERE / "report_2019_tables.xlsx")
                _convert(soffice, HERE / "report_2019_tables.xlsx", "xls:MS Excel 97", HERE)


def _convert(soffice: str, source: Path, target: str, outdir: Path) -> None:
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run([soffice, f"-env:UserInstallation={Path(profile).as_uri()}", "--headless",
                        "--convert-to", target, "--outdir", str(outdir), str(source)],
                       check=True, capture_output=True, timeout=120)


if __name__ == "__main__":
    main()
