"""Write synthetic reports in every format, each beside its expected record.

For each agency × year the record is built first; then each format renders it with
its own habits (a per-document :class:`~workbench.synth.layout.Style`). Files are named
``synthetic_<agency-slug>_<year>_<format>.<ext>`` with ``<same stem>.expected.json``
beside them; ``source.sha256`` is the hash of the written file.

A crawler text runs table cells together; cells it cannot settle are left out of its
expected record, as the real corpus does (see :mod:`workbench.synth.settle`).

``manifest.tsv`` lists every document; ``breaks.tsv`` every report broken on purpose
(document, agency, year, kind, rules, detail — see :mod:`workbench.synth.breaks`), so tests
and the digest can tell a deliberate break from a finding in a clean report, and every report
left out on purpose (kind ``not_published``, no document). ``roster.csv`` lists every agency of
the batch as expected to report from the first year (``workbench roster --import``).
"""

from __future__ import annotations

import copy
import hashlib
import json
import random
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from workbench.synth import render_docx, render_html, render_pdf, render_txt
from workbench.synth.breaks import ABSENCE_KINDS, BREAK_KINDS, DEFAULT_BREAK_SHARE, IDENTITY, Break
from workbench.synth.layout import Style, build_blocks, make_style
from workbench.synth.report import Report, build_reports, leave_out

FORMATS = ("pdf", "html", "docx", "txt")
PDF_ENGINES = ("reportlab", "soffice", "auto")


@dataclass(frozen=True)
class GeneratedReport:
    document: Path
    expected: Path
    agency: str
    year: int
    format: str
    variant: str  # how this document was made: crawler / pdftext txt, gbk / utf-8 html …
    breaks: tuple[Break, ...] = ()  # what the report breaks on purpose (also in breaks.tsv)


def generate(outdir: Path, agencies: int, years: range, seed: int,
             formats: Sequence[str] = FORMATS, pdf_engine: str = "reportlab",
             break_share: float = DEFAULT_BREAK_SHARE, unpublished: int = 0) -> list[GeneratedReport]:
    """Write ``agencies`` × ``years`` reports in each of ``formats`` under ``outdir``.

    ``pdf_engine``: "reportlab" (default: fast and byte-reproducible), "soffice" (convert
    the DOCX with LibreOffice; PDF bytes then carry conversion timestamps, so hashes
    differ between runs), or "auto" (soffice when installed, else reportlab).
    ``break_share``: the share of agency-years broken on purpose (:mod:`workbench.synth.breaks`);
    ``breaks.tsv`` lists them, with every late report, beside ``manifest.tsv``.
    ``unpublished``: agencies whose last year's report is left out (the first also misses the
    year before; :func:`workbench.synth.report.leave_out`), listed in ``breaks.tsv`` as
    ``not_published``; the other reports are the same as without.
    """
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise ValueError(f"unknown format(s) {unknown or formats}; choose from {', '.join(FORMATS)}")
    check_range(agencies, years)
    reports, left_out = leave_out(build_reports(agencies, years, seed, break_share), unpublished, seed)
    return write_reports(outdir, [(r, fmt) for r in reports for fmt in dict.fromkeys(formats)], seed, pdf_engine,
                         unpublished=left_out)


def check_range(agencies: int, years: range) -> None:
    if agencies < 1 or len(years) == 0:
        raise ValueError("need at least one agency and one year")
    if min(years) < 2019:
        raise ValueError("the annual report templates cover 2019 onwards")


def write_reports(outdir: Path, jobs: Sequence[tuple[Report, str]], seed: int,
                  pdf_engine: str = "reportlab", unpublished: Sequence[Report] = ()) -> list[GeneratedReport]:
    """Render each (report, format) into ``outdir`` with its expected record; write the manifests
    (``unpublished``: the reports left out on purpose, for ``breaks.tsv`` and ``roster.csv``)."""
    if pdf_engine not in PDF_ENGINES:
        raise ValueError(f"pdf_engine must be one of {', '.join(PDF_ENGINES)}")
    soffice = shutil.which("soffice") if pdf_engine in ("soffice", "auto") else None
    if pdf_engine == "soffice" and not soffice:
        raise ValueError("LibreOffice (soffice) is not installed")
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    written = [_write(outdir, report, fmt, seed, soffice) for report, fmt in jobs]
    write_manifests(outdir, written, unpublished)
    write_roster(outdir, [report for report, _ in jobs] + list(unpublished))
    return written


def _write(outdir: Path, report: Report, fmt: str, seed: int, soffice: str | None) -> GeneratedReport:
    rng = random.Random(f"{seed}:{report.index}:{report.year}:{fmt}")
    style = make_style(rng, report.record["template"])
    # A crawler text is read back through the table identities; one broken on purpose would be
    # settled wrongly, so such a report is extracted text instead (the draw is the same).
    variant = _habits(style, fmt, rng, crawler_ok=not report.breaks_kind(IDENTITY))
    blocks = build_blocks(report.record, report.prose, style)
    meta = _page_meta(report, rng)
    unsettled: set = set()
    if fmt == "html":
        data = render_html.render(blocks, style, meta)
    elif fmt == "docx":
        data = render_docx.render(blocks, style, meta["title"], _signed_at(report))
    elif fmt == "pdf":
        data = _pdf(blocks, style, meta["title"], report, soffice)
    elif variant == "crawler":
        data = render_txt.render_crawler(blocks, style, meta).encode("utf-8")
        unsettled = render_txt.crawler_unsettled(blocks, style)
    else:
        data = render_txt.render_pdftext(blocks, style).encode("utf-8")
    stem = f"synthetic_{report.agency.slug}_{report.year}_{fmt}"
    document = outdir / f"{stem}.{fmt}"
    document.write_bytes(data)
    record = _expected(report.record, document, data, fmt, unsettled)
    expected = outdir / f"{stem}.expected.json"
    expected.write_text(json.dumps(record, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return GeneratedReport(document, expected, report.agency.name, report.year, fmt, variant, tuple(report.breaks))


def _habits(style: Style, fmt: str, rng: random.Random, crawler_ok: bool = True) -> str:
    """Format-specific habits of this document; returns a short name for the variant."""
    extras = style.extras
    if fmt == "html":
        extras.update(charset="gbk" if rng.random() < 0.25 else "utf-8", container=rng.randrange(4),
                      title_in_body=rng.random() < 0.6, h3_headings=rng.random() < 0.3,
                      split_p=rng.random() < 0.25)
        return str(extras["charset"])
    if fmt == "pdf":
        extras.update(page_numbers=rng.random() < 0.8, body_size=rng.choice((12, 14, 15, 16, 16)))
        return "reportlab"
    if fmt == "docx":
        return "python-docx"
    if rng.random() < 0.45 and crawler_ok:
        style.thousands = False  # crawler runs digits together; a comma would read as a boundary
        extras.update(one_line=rng.random() < 0.7, split_p=rng.random() < 0.3,
                      stray_spaces=rng.choice((0.0, 0.0, 0.05, 0.15)))
        return "crawler"
    extras.update(blank_lines=rng.random() < 0.4, value_mode=rng.choice(("first", "middle", "own")),
                  line_chars=rng.randint(26, 32), page_lines=rng.randint(30, 45),
                  spaced_numbers=rng.random() < 0.3, page_numbers=rng.random() < 0.7)
    return "pdftext"


def _page_meta(report: Report, rng: random.Random) -> dict[str, str]:
    """What a portal shows around the report: posted on or a few days after the 落款 date."""
    posted = report.prose["signed"] + timedelta(days=rng.choice((0, 0, 1, 2, 3, 5, 8)))
    title = "".join(report.prose["title"])
    agency = report.agency
    return {
        "title": title, "site": agency.site, "publisher": agency.publisher,
        "page_date": posted.isoformat(), "page_time": f"{rng.randint(8, 17):02d}:{rng.randint(0, 59):02d}",
        "url": f"https://synthetic.invalid/{agency.slug}/zfxxgknb/{posted:%Y%m}/t{posted:%Y%m%d}_{rng.randint(10000, 99999)}.html",
    }


def _signed_at(report: Report) -> datetime:
    signed = report.prose["signed"]
    return datetime(signed.year, signed.month, signed.day, 9, 0, 0)


def _pdf(blocks: list, style: Style, title: str, report: Report, soffice: str | None) -> bytes:
    if not soffice:
        return render_pdf.render(blocks, style, title)
    docx = render_docx.render(blocks, style, title, _signed_at(report))
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "report.docx"
        source.write_bytes(docx)
        subprocess.run([soffice, "--headless", "--convert-to", "pdf", "--outdir", tmp, str(source)],
                       check=True, capture_output=True, timeout=120)
        return (Path(tmp) / "report.pdf").read_bytes()


def _expected(record: dict[str, Any], document: Path, data: bytes, fmt: str,
              unsettled: set) -> dict[str, Any]:
    out = copy.deepcopy(record)
    out["source"] = {"path": document.name, "sha256": hashlib.sha256(data).hexdigest(), "format": fmt}
    keys = {"active_disclosure": ("item", "measure"), "requests": ("row", "applicant"),
            "review_litigation": ("proceeding", "result")}
    for section, (a, b) in keys.items():
        out[section] = [c for c in out[section] if (section, c[a], c[b]) not in unsettled]
    return out


BREAKS_FILE = "breaks.tsv"
BREAKS_HEADER = ("document", "agency", "year", "kind", "rules", "detail")


def write_manifests(outdir: Path, written: Sequence[GeneratedReport], unpublished: Sequence[Report] = ()) -> None:
    """``manifest.tsv`` (every document) and ``breaks.tsv`` (every deliberate break, one row
    per document and break; ``rules`` lists the check rule ids it triggers, comma-separated;
    then one row per report left out, with an empty ``document``)."""
    lines = ["document\texpected\tagency\tyear\tformat\tvariant"]
    lines += [f"{g.document.name}\t{g.expected.name}\t{g.agency}\t{g.year}\t{g.format}\t{g.variant}" for g in written]
    (outdir / "manifest.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    rows = ["\t".join(BREAKS_HEADER)]
    rows += ["\t".join((g.document.name, g.agency, str(g.year), b.kind, ",".join(b.rules), b.detail))
             for g in written for b in g.breaks]
    rows += ["\t".join(("", r.agency.name, str(r.year), b.kind, ",".join(b.rules), b.detail))
             for r in sorted(unpublished, key=lambda r: (r.year, r.index)) for b in r.breaks]
    (outdir / BREAKS_FILE).write_text("\n".join(rows) + "\n", encoding="utf-8")


ROSTER_FILE = "roster.csv"
# The synthetic levels as the registry and the roster write them.
_ROSTER_LEVELS = {"city_gov": ("city", "government"), "county_gov": ("county", "government"),
                  "township": ("township", "government"), "city_bureau": ("city", "department"),
                  "county_bureau": ("county", "department")}


def write_roster(outdir: Path, reports: Sequence[Report]) -> None:
    """``roster.csv``: every agency of the batch (name, level, kind), expected to report from the
    batch's first year on (``workbench roster --import``)."""
    if not reports:
        return
    first = min(r.year for r in reports)
    agencies = {r.index: r.agency for r in sorted(reports, key=lambda r: r.index)}
    lines = ["name,level,kind,expected_from,expected_to"]
    lines += [f"{a.name},{','.join(_ROSTER_LEVELS[a.level])},{first}," for a in agencies.values()]
    (outdir / ROSTER_FILE).write_text("\n".join(lines) + "\n", encoding="utf-8")


@dataclass(frozen=True)
class BreakRow:
    document: str  # empty for a report left out on purpose (kind not_published)
    agency: str
    year: int
    kind: str
    rules: tuple[str, ...]
    detail: str


def read_breaks(path: Path) -> list[BreakRow]:
    """The rows of a ``breaks.tsv`` (a file or the folder holding it)."""
    path = Path(path)
    if path.is_dir():
        path = path / BREAKS_FILE
    lines = path.read_text("utf-8").splitlines()
    if not lines or tuple(lines[0].split("\t")) != BREAKS_HEADER:
        raise ValueError(f"{path} is not a breaks manifest")
    out = []
    for line in lines[1:]:
        document, agency, year, kind, rules, detail = line.split("\t")
        if kind not in BREAK_KINDS + ABSENCE_KINDS:
            raise ValueError(f"{path}: unknown break kind {kind!r}")
        out.append(BreakRow(document, agency, int(year), kind, tuple(r for r in rules.split(",") if r), detail))
    return out
