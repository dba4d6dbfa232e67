"""Two kinds of plain text, as the corpus has them.

``pdftext``: what text extraction makes of a PDF (data/real/2019_panzhihua_dongqu_rsj.txt,
pdfplumber on 2024_huaian.pdf): prose wrapped at the page width, table labels broken
over several lines at the cell width, numbers after the first label line, on a line of
their own in the middle of a wrapped label, or one per line; merged labels
(三、本年度办理结果) either interleaved with the rows they span or printed before them;
page numbers between pages; sometimes a blank line after every line.

``crawler``: what a portal crawler saved (data/real/2024_pingtan_text.txt): a header
(标题 / 发布时间 / … / ==== 正文 ====), then the article with table cells run together
and no separator, so ``801000081`` is a row of numbers. Stray spaces are cell
boundaries. :func:`crawler_unsettled` says which cells such a text cannot settle.
"""

from __future__ import annotations

import re

from workbench.synth import settle
from workbench.synth.layout import Block, Cell, Style, TableBlock, TextBlock
from workbench.templates import layouts
from workbench.textnorm import nfkc

CHARS_PER_POINT = 1 / 11.0  # cell text capacity: about one Chinese character per 11 pt of width
_NUMBERS = re.compile(r"[\d０-９,.\-\s元万]+")
# Punctuation that typesetting never puts at the start of a line (it hangs at the end instead).
_NO_LINE_START = set("，。、；：）》”’！？〕」")


def _width(text: str) -> float:
    return sum(0.5 if ch.isascii() else 1.0 for ch in text)


def wrap(text: str, capacity: float) -> list[str]:
    """Wrap at a capacity in Chinese-character widths (ASCII counts half), keeping digit runs whole."""
    lines, line = [], ""
    for token in re.findall(r"[A-Za-z0-9.,\-]+|.", text):
        if line and _width(line + token) > capacity and token not in _NO_LINE_START:
            lines.append(line)
            line = token
        else:
            line += token
    if line or not lines:
        lines.append(line)
    return lines


# ---------------------------------------------------------------- PDF-extracted text
def render_pdftext(blocks: list[Block], style: Style) -> str:
    capacity = float(style.extras.get("line_chars", 30))
    units: list[list[str]] = []  # what one printed line (or one table row) turns into
    for block in blocks:
        if isinstance(block, TableBlock):
            units += _table_lines(block, str(style.extras.get("value_mode", "first")))
        elif block.role in ("title", "heading", "subheading", "sign", "date"):
            units.append([block.text])
        else:
            text = _spaced_numbers(block.text) if style.extras.get("spaced_numbers") else block.text
            units += [[line] for line in wrap(text, capacity)]
    lines = _paginate(units, int(style.extras.get("page_lines", 36)), bool(style.extras.get("page_numbers", True)))
    joiner = "\n\n" if style.extras.get("blank_lines") else "\n"
    return joiner.join(lines) + "\n"


def _spaced_numbers(text: str) -> str:
    """pdfplumber puts spaces around ASCII numbers set in another font: 受理申请 3119 件."""
    return re.sub(r"(?<=[^\x00-\x7f])([0-9][0-9,.]*)(?=[^\x00-\x7f])", r" \1 ", text)


def _paginate(units: list[list[str]], per_page: int, numbered: bool) -> list[str]:
    """Page breaks by printed height: a table row counts as its label lines, not its numbers."""
    out: list[str] = []
    used, page = 0, 1
    for unit in units:
        height = max(1, sum(1 for line in unit if not _NUMBERS.fullmatch(line)))
        if used + height > per_page:
            out.append(f"- {page} -" if numbered else "\f")
            used, page = 0, page + 1
        out += unit
        used += height
    return out


def _table_lines(table: TableBlock, mode: str) -> list[list[str]]:
    placed = table.positions()
    by_row: dict[int, list[tuple[int, Cell]]] = {}
    spans: list[tuple[int, int, Cell]] = []
    for r, c, cell in placed:
        if cell.rowspan > 1 and cell.kind == "label":
            spans.append((r, c, cell))
        else:
            by_row.setdefault(r, []).append((c, cell))
    row_lines = [_row_lines(table, by_row.get(r, []), mode) for r in range(len(table.rows))]
    # Inner merged labels first, so the outer one ends up in front: 三、本 （三）不予 1.属于国家秘密 …
    for r, c, cell in sorted(spans, key=lambda s: -s[1]):
        chunks = wrap(cell.text, max(2.0, table.widths[c] * CHARS_PER_POINT))
        _place_span(row_lines, r, cell.rowspan, chunks, before=mode == "own")
    return [lines for lines in row_lines if lines]


def _capacity(table: TableBlock, col: int, cell: Cell) -> float:
    return max(2.0, sum(table.widths[col: col + cell.colspan]) * CHARS_PER_POINT)


def _row_lines(table: TableBlock, cells: list[tuple[int, Cell]], mode: str) -> list[str]:
    labels = [(c, cell) for c, cell in cells if cell.kind != "value"]
    values = [cell.text for _, cell in cells if cell.kind == "value" and cell.text]
    if labels and all(cell.kind == "header" for _, cell in labels) and not values:
        chunked = [wrap(cell.text, _capacity(table, c, cell)) for c, cell in labels]
        if all(len(ch) == 1 for ch in chunked):
            return [" ".join(ch[0] for ch in chunked)]
        return [line for ch in chunked for line in ch]
    label_lines = [line for c, cell in labels for line in wrap(cell.text, _capacity(table, c, cell))]
    if not values:
        return label_lines or [""]
    if not label_lines:
        return values if mode == "own" else [" ".join(values)]
    if mode == "own":
        return label_lines + values
    if mode == "middle" and len(label_lines) >= 2:
        middle = len(label_lines) // 2
        return label_lines[:middle] + [" ".join(values)] + label_lines[middle:]
    return [label_lines[0] + " " + " ".join(values)] + label_lines[1:]


def _place_span(row_lines: list[list[str]], first: int, count: int, chunks: list[str], before: bool) -> None:
    """Put a merged label's lines beside the rows it covers (centred), or before them."""
    if before:
        row_lines[first][:0] = chunks
        return
    covered = [(r, i) for r in range(first, first + count) for i in range(len(row_lines[r]))]
    start = max(0, (len(covered) - len(chunks)) // 2)
    for k, chunk in enumerate(chunks):
        if start + k < len(covered):
            r, i = covered[start + k]
            row_lines[r][i] = chunk + " " + row_lines[r][i]
        else:
            row_lines[first + count - 1].append(chunk)


# ---------------------------------------------------------------- crawler text
def render_crawler(blocks: list[Block], style: Style, meta: dict[str, str]) -> str:
    header = [f"标题: {meta['title']}", f"发布时间: {meta['page_date']} {meta['page_time']}", "文号: ",
              f"发布机构: {meta['publisher']}", "栏目: 政府信息公开年报", f"原文链接: {meta['url']}",
              "==================== 正文 ===================="]
    pieces = [_crawler_table(b, style) if isinstance(b, TableBlock) else b.text
              for b in blocks if not (isinstance(b, TextBlock) and b.role == "title")]
    joiner = "" if style.extras.get("one_line", True) else "\n"
    return "\n".join(header) + "\n" + joiner.join(pieces) + "\n"


def _crawler_table(table: TableBlock, style: Style) -> str:
    out = []
    for row in table.rows:
        for index, cell in enumerate(row):
            text = cell.text
            if cell.kind == "header" and style.extras.get("split_p") and 3 <= len(text) <= 8:
                text = text[: len(text) // 2] + " " + text[len(text) // 2:] + " "
            gap = cell.kind == "value" and index > 0 and row[index - 1].kind == "value" and _stray(cell, style)
            out.append((" " if gap else "") + text)
    return "".join(out)


def _stray(cell: Cell, style: Style) -> bool:
    """A stray space before this value cell, decided from the cell itself so it is reproducible."""
    rate = float(style.extras.get("stray_spaces", 0.0))
    if not rate or cell.ref is None:
        return False
    return (sum(map(ord, "".join(cell.ref))) % 97) / 97 < rate


def crawler_unsettled(blocks: list[Block], style: Style) -> set[tuple[str, str, str]]:
    """Refs of the cells a crawler text leaves open, by the corpus convention."""
    out: set[tuple[str, str, str]] = set()
    for table in (b for b in blocks if isinstance(b, TableBlock)):
        rows = [[c for c in row if c.kind == "value"] for row in table.rows]
        rows = [r for r in rows if r]
        if table.section == "active":
            for cells in rows:
                run = _run(cells, style)
                kinds = [c.numeric for c in cells]
                out.update(cells[i].ref for i in settle.unsettled_row(run, kinds))  # type: ignore[misc]
        elif table.section == "requests":
            by_key = {cells[0].ref[1]: cells for cells in rows}  # type: ignore[index]
            runs = {key: _run(cells, style) for key, cells in by_key.items()}
            open_cells = settle.unsettled_requests(runs, list(by_key), len(layouts().request_columns))
            out.update(by_key[row][c].ref for row, c in open_cells)  # type: ignore[misc]
        else:
            cells = rows[0]
            out.update(cells[i].ref for i in settle.unsettled_review(_run(cells, style)))  # type: ignore[misc]
    return out


def _run(cells: list[Cell], style: Style) -> str:
    """A row's digits as the crawler text holds them (units dropped, stray spaces kept)."""
    run = "".join((" " if i and _stray(cell, style) else "") + cell.text for i, cell in enumerate(cells))
    return nfkc(run).replace("万元", "").replace("元", "")
