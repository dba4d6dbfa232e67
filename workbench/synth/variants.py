"""Layout variants: one report rewritten into the text shapes real corpora show.

A report read from HTML (one of ``data/real`` or a generated one) is rewritten as
the text that PDF-to-Markdown converters, copy-paste and hand-renumbered reports
produce. The parsed HTML record is each variant's ground truth: a variant must read
cell for cell as the HTML does. Used by ``tests/test_text_grids.py`` and
``benchmarks/read_rate.py``.

Shapes so far: Markdown with a ``|---|`` after every row, GFM Markdown (one
separator under the header), a table split across pages with a repeated header
row, tab-separated text, ``<table>`` markup kept in text, headings renumbered
(narrative first, tables from 一 again), a missing 五、 heading; and in the cells: full-width
digits, thousands separators, 1、 for 1. (and (一) for （一）), spaces inside labels, a page's
footer and running header as rows inside a table, table 二's blocks in reverse order, and
labels with the <br> line breaks some converters keep inside cells.
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


# --- what hands and converters do to the cells themselves (rendered as GFM Markdown) --------

_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?$")
_FULL_WIDTH = str.maketrans("0123456789.-", "０１２３４５６７８９．－")
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]{5,}")


def _cells_rewritten(source: Source, number: Callable[[str], str] = str, label: Callable[[str], str] = str,
                     extra_rows: Callable[[list[list[str]]], list[list[str]]] | None = None) -> Source:
    pieces: list[Piece] = []
    for kind, content in source.pieces:
        if kind == "p":
            pieces.append((kind, content))
            continue
        rows = [[number(c) if _NUMBER.match(c) else label(c) for c in row] for row in content]  # type: ignore[union-attr]
        pieces.append((kind, extra_rows(rows) if extra_rows else rows))
    markup = []
    for table in source.tables_markup:  # the same cells in the kept <table> markup
        soup = BeautifulSoup(table, "lxml")
        for cell in soup.find_all(["td", "th"]):
            text = cell.get_text(" ", strip=True)
            if text:
                cell.string = number(text) if _NUMBER.match(text) else label(text)
        markup.append(str(soup.table))
    return Source(pieces, markup, source.title)


def _thousands(text: str) -> str:
    return f"{int(text):,}" if text.lstrip("-").isdigit() and abs(int(text)) >= 1000 else text


def _ordinals_swapped(text: str) -> str:
    """1. ↔ 1、 and （一） ↔ (一): the two ways reports number their rows."""
    text = re.sub(r"^(\d+)\.(?!\d)", r"\1<、>", text)
    text = re.sub(r"^(\d+)、", r"\1.", text).replace("<、>", "、")
    text = re.sub(r"^（([一二三四五六七八九十]+)）", r"(\1)", text)
    return text


def _spaced(text: str) -> str:
    """Spaces a PDF's justified table cells leave inside long labels."""
    return _CJK_RUN.sub(lambda m: " ".join(m.group(0)[i:i + 4] for i in range(0, len(m.group(0)), 4)), text)


def _page_furniture(title: str) -> Callable[[list[list[str]]], list[list[str]]]:
    """A long table broken by a page: its footer and the next page's running header as rows."""
    def insert(rows: list[list[str]]) -> list[list[str]]:
        if len(rows) < 10:
            return rows
        return [*rows[:7], ["— 3 —"], [title], *rows[7:]]
    return insert


def fullwidth_digits(source: Source) -> str:
    return markdown(_cells_rewritten(source, number=lambda c: c.translate(_FULL_WIDTH)), separator_every_row=False)


def thousands_separators(source: Source) -> str:
    return markdown(_cells_rewritten(source, number=_thousands), separator_every_row=False)


def ordinal_style(source: Source) -> str:
    return markdown(_cells_rewritten(source, label=_ordinals_swapped), separator_every_row=False)


def spaced_labels(source: Source) -> str:
    return markdown(_cells_rewritten(source, label=_spaced), separator_every_row=False)


def page_furniture_in_table(source: Source) -> str:
    return markdown(_cells_rewritten(source, extra_rows=_page_furniture(source.title)), separator_every_row=True)


def _active_blocks_reversed(source: Source) -> Source:
    """Table 二's blocks (第二十条第（X）项, its header row, its items) in the opposite order."""
    pieces = list(source.pieces)
    heading = next((n for n, (kind, text) in enumerate(pieces) if kind == "p" and str(text).startswith("二、")), None)
    table = next((n for n in range(heading + 1, len(pieces)) if pieces[n][0] == "table"), None) if heading is not None \
        else None
    if table is None:
        return source
    rows: list[list[str]] = pieces[table][1]  # type: ignore[assignment]
    starts = [n for n, row in enumerate(rows) if row and row[0].startswith("第二十条")]
    if len(starts) < 2:
        return source
    blocks = [rows[a:b] for a, b in zip(starts, [*starts[1:], len(rows)], strict=True)]
    pieces[table] = ("table", rows[: starts[0]] + [row for block in reversed(blocks) for row in block])
    return Source(pieces, source.tables_markup, source.title)


def reordered_active_blocks(source: Source) -> str:
    return markdown(_active_blocks_reversed(source), separator_every_row=False)


def _broken_label(text: str) -> str:
    """What converters that keep a PDF cell's line breaks write: <br> every six characters."""
    if any(ch.isdigit() for ch in text) or len(text) <= 6:  # values (465399700元) keep their line
        return text
    return "<br>".join(text[i:i + 6] for i in range(0, len(text), 6))


def md_cell_line_breaks(source: Source) -> str:
    """Markdown from a converter that keeps the line breaks inside cells as <br>."""
    return markdown(_cells_rewritten(source, label=_broken_label), separator_every_row=False)


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
    "fullwidth_digits": (".md", fullwidth_digits),
    "thousands_separators": (".md", thousands_separators),
    "ordinal_style": (".md", ordinal_style),
    "spaced_labels": (".md", spaced_labels),
    "page_furniture_in_table": (".md", page_furniture_in_table),
    "reordered_active_blocks": (".md", reordered_active_blocks),
    "md_cell_line_breaks": (".md", md_cell_line_breaks),
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


def narrow_label_pdfs(outdir: Path, agencies: int, years: range, seed: int) -> list[tuple[Path, dict]]:
    """Generated reports as PDFs whose table-三 label columns are so narrow that each label wraps
    two characters a line over many lines (2.没 / 有现 / 成信 / 息需 …), each with its truth record."""
    import dataclasses
    import random

    from workbench.synth import render_pdf
    from workbench.synth.layout import build_blocks, make_style
    from workbench.synth.report import build_reports

    outdir.mkdir(parents=True, exist_ok=True)
    written = []
    for report in build_reports(agencies, years, seed=seed):
        style = make_style(random.Random(f"{seed}:{report.index}:{report.year}:narrow"), report.record["template"])
        style = dataclasses.replace(style, narrow_labels=True)
        title = f"{report.agency.name}{report.year}年政府信息公开工作年度报告"
        path = outdir / f"narrow_{report.agency.slug}_{report.year}.pdf"
        path.write_bytes(render_pdf.render(build_blocks(report.record, report.prose, style), style, title))
        written.append((path, report.record))
    return written
