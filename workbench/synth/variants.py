"""Layout variants: one report rewritten into the text shapes real corpora show.

A report read from HTML (one of ``data/real`` or a generated one) is rewritten as
the text that PDF-to-Markdown converters, copy-paste and hand-renumbered reports
produce. The parsed HTML record is each variant's ground truth: a variant must read
cell for cell as the HTML does. Used by ``tests/test_text_grids.py`` and
``benchmarks/read_rate.py``.

Shapes so far: Markdown with a ``|---|`` after every row, GFM Markdown (one
separator under the header), a table split across pages with a repeated header
row, tab-separated text, ``<table>`` markup kept in text, headings renumbered
(narrative first, tables from 一 again) and a missing 五、 heading.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bs4 import BeautifulSoup

Piece = tuple[str, "str | list[list[str]]"]  # ("p", text) | ("table", rows of cells)
_SECTION_HEADING = re.compile(r"^([一二三四五六])、")


@dataclass(frozen=True)
class Source:
    """What a variant is made from: the report's pieces in reading order, and its title."""

    pieces: list[Piece]
    tables_markup: list[str]
    title: str


def source_from_html(path: Path, title: str) -> Source:
    soup = BeautifulSoup(path.read_bytes(), "lxml")
    pieces: list[Piece] = []
    for element in soup.find_all(["p", "h1", "h2", "h3", "table"]):
        if element.find_parent("table") is not None:
            continue
        if element.name == "table":
            rows = [[c.get_text(" ", strip=True) for c in tr.find_all(["td", "th"])] for tr in element.find_all("tr")]
            pieces.append(("table", rows))
        elif text := element.get_text(" ", strip=True):
            pieces.append(("p", text))
    markup = [str(t) for t in soup.find_all("table") if t.find_parent("table") is None]
    return Source(pieces, markup, title)


def markdown(source: Source, *, separator_every_row: bool, split_every: int = 0, header_row: bool = False) -> str:
    lines = [f"# {source.title}", ""]
    for kind, content in source.pieces:
        if kind == "p":
            lines += [str(content), ""]
            continue
        for index, cells in enumerate(content):
            if split_every and index and index % split_every == 0:
                lines += ["", "第3页", ""]  # a page break between the parts of one table
                if header_row:
                    lines.append("| 类别 | " + " | ".join(f"数据{i}" for i in range(1, len(cells))) + " |")
                    lines.append("|" + "---|" * len(cells))
            lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
            if separator_every_row or index == 0:
                lines.append("|" + "---|" * len(cells))
        lines.append("")
    return "\n".join(lines)


def tab_separated(source: Source) -> str:
    lines = [source.title]
    for kind, content in source.pieces:
        lines += [str(content)] if kind == "p" else ["\t".join(cells) for cells in content]
    return "\n".join(lines)


def html_tables_in_text(source: Source) -> str:
    """Crawler text that kept each table's markup where the table stands."""
    markup = iter(source.tables_markup)
    lines = [source.title]
    for kind, content in source.pieces:
        lines.append(str(content) if kind == "p" else next(markup, ""))
    return "\n".join(lines)


def _chunks(text: str) -> tuple[list[str], list[list[str]]]:
    """The lines before the first section heading, and each section's lines (heading first)."""
    head: list[str] = []
    chunks: list[list[str]] = []
    for line in text.splitlines():
        if _SECTION_HEADING.match(line) and len(chunks) < 6:
            chunks.append([line])
        elif chunks:
            chunks[-1].append(line)
        else:
            head.append(line)
    if len(chunks) != 6:
        raise ValueError(f"expected the six section headings, found {len(chunks)}")
    return head, chunks


def _renumber(chunk: list[str], ordinal: str) -> list[str]:
    return [_SECTION_HEADING.sub(ordinal + "、", chunk[0]), *chunk[1:]]


def restarted_numbering(source: Source) -> str:
    """Narrative sections numbered first (一 总体, 二 问题, 三 其他), then the tables from 一 again."""
    head, (overview, active, requests, review, problems, other) = _chunks(markdown(source, separator_every_row=True))
    order = [overview, _renumber(problems, "二"), _renumber(other, "三"),
             _renumber(active, "一"), _renumber(requests, "二"), _renumber(review, "三")]
    return "\n".join(head + [line for chunk in order for line in chunk])


def no_problems_heading(source: Source) -> str:
    """No 五、 heading: section 五 opens with （一）存在的主要问题, and 其他 is numbered 五、."""
    head, (overview, active, requests, review, problems, other) = _chunks(markdown(source, separator_every_row=True))
    order = [overview, active, requests, review, ["（一）存在的主要问题", *problems[1:]], _renumber(other, "五")]
    return "\n".join(head + [line for chunk in order for line in chunk])


# name -> (file suffix, builder)
VARIANTS: dict[str, tuple[str, Callable[[Source], str]]] = {
    "md_separator_every_row": (".md", lambda s: markdown(s, separator_every_row=True)),
    "md_gfm": (".md", lambda s: markdown(s, separator_every_row=False)),
    "md_split_with_header_rows": (".md", lambda s: markdown(s, separator_every_row=True, split_every=7,
                                                            header_row=True)),
    "tab_separated": (".txt", tab_separated),
    "html_tables_in_text": (".txt", html_tables_in_text),
    "restarted_numbering": (".md", restarted_numbering),
    "no_problems_heading": (".md", no_problems_heading),
}


def write_variants(source: Source, outdir: Path, stem: str) -> dict[str, Path]:
    outdir.mkdir(parents=True, exist_ok=True)
    written = {}
    for name, (suffix, build) in VARIANTS.items():
        path = outdir / f"{stem}.{name}{suffix}"
        path.write_text(build(source), "utf-8")
        written[name] = path
    return written


def write_variants_beside_truth(reports: list[tuple[Path, Path]], outdir: Path) -> list[Path]:
    """Every variant of each (HTML document, expected record), each with a copy of its truth.

    The truth's ``source`` names the HTML it was made from; the cells, sections and prose are
    what each variant must read to.
    """
    import json

    written: list[Path] = []
    for document, expected in reports:
        truth = json.loads(expected.read_text("utf-8"))
        title = f"{truth['agency']}{truth['year']}年政府信息公开工作年度报告"
        for path in write_variants(source_from_html(document, title), outdir, document.stem).values():
            path.with_name(path.name.rsplit(".", 1)[0] + ".expected.json").write_text(
                json.dumps(truth, ensure_ascii=False, indent=1), "utf-8")
            written.append(path)
    return written
