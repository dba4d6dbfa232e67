"""The lattice: characters with boxes and ruling lines → table grids and paragraphs.

Format-neutral geometry shared by the PDF reader (pdfium's characters and stroked paths) and
the OCR reader (recognised text pieces and ruling lines found in the page image), so both make
their tables the same way:

1. lines that touch form a table; their coordinates, clustered, are the grid;
   a missing interior line between two grid positions means a merged cell;
2. each character goes to the cell that holds its centre; the rest of the
   page's characters are grouped into text lines by their vertical centre.

Distances are in PDF points (1/72 inch), y down from the page top.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field

from workbench.sources.document import Block, Paragraph, Table

SNAP = 3.0  # ruling lines closer than this are one grid line (line widths, double rules)
JOIN = 1.0  # collinear pieces of a ruling line with gaps up to this are one line
EDGE = 8.0  # a rule running this far past the outermost vertical is a missing border
COVER = 0.5  # share of a cell edge a rule must cover to separate two cells


@dataclass(slots=True)
class Char:
    """One character, in display coordinates: x to the right, y down from the page top."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float

    @property
    def xc(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def yc(self) -> float:
        return (self.top + self.bottom) / 2

    @property
    def height(self) -> float:
        return self.bottom - self.top


@dataclass(slots=True)
class Rule:
    """A straight ruling line: ``pos`` is y for a horizontal rule, x for a vertical one."""

    pos: float
    start: float
    end: float


@dataclass(slots=True)
class Line:
    text: str
    top: float
    bottom: float
    x0: float


@dataclass
class Grid:
    """The lattice of one table: grid lines and the rules that draw its cell edges."""

    xs: list[float]
    ys: list[float]
    horizontal: list[Rule]
    vertical: list[Rule]
    chars: list[Char] = field(default_factory=list)

    def contains(self, char: Char) -> bool:
        return self.xs[0] < char.xc < self.xs[-1] and self.ys[0] < char.yc < self.ys[-1]


@dataclass
class PageContent:
    chars: list[Char]
    horizontal: list[Rule]
    vertical: list[Rule]
    images: int
    height: float


def join(rules: list[Rule]) -> list[Rule]:
    """Join collinear rules that touch or overlap (cell-by-cell borders become one line)."""
    lanes: list[list[Rule]] = []  # rules at (nearly) the same position
    for rule in sorted(rules, key=lambda r: r.pos):
        if lanes and rule.pos - lanes[-1][-1].pos <= JOIN:
            lanes[-1].append(rule)
        else:
            lanes.append([rule])
    joined: list[Rule] = []
    for lane in lanes:
        pos = sum(r.pos for r in lane) / len(lane)
        current: Rule | None = None
        for rule in sorted(lane, key=lambda r: r.start):
            if current and rule.start <= current.end + JOIN:
                current.end = max(current.end, rule.end)
            else:
                current = Rule(pos, rule.start, rule.end)
                joined.append(current)
    return joined


# --------------------------------------------------------------------------- lattice


def grids(horizontal: list[Rule], vertical: list[Rule]) -> list[Grid]:
    """One grid per group of touching rules that has at least two lines each way."""
    parent = list(range(len(horizontal) + len(vertical)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, h in enumerate(horizontal):
        for j, v in enumerate(vertical):
            if h.start - SNAP <= v.pos <= h.end + SNAP and v.start - SNAP <= h.pos <= v.end + SNAP:
                parent[find(i)] = find(len(horizontal) + j)
    groups: dict[int, tuple[list[Rule], list[Rule]]] = {}
    for i, h in enumerate(horizontal):
        groups.setdefault(find(i), ([], []))[0].append(h)
    for j, v in enumerate(vertical):
        groups.setdefault(find(len(horizontal) + j), ([], []))[1].append(v)
    grids = [_grid(hs, vs) for hs, vs in groups.values() if hs and vs]
    return [g for g in grids if len(g.xs) >= 2 and len(g.ys) >= 2]


def _grid(horizontal: list[Rule], vertical: list[Rule]) -> Grid:
    xs = _cluster([v.pos for v in vertical])
    ys = _cluster([h.pos for h in horizontal])
    # A table drawn without outer side borders: its rules still show where it ends.
    left, right = min(h.start for h in horizontal), max(h.end for h in horizontal)
    top, bottom = min(v.start for v in vertical), max(v.end for v in vertical)
    if xs[0] - left > EDGE:
        xs.insert(0, left)
    if right - xs[-1] > EDGE:
        xs.append(right)
    if ys[0] - top > EDGE:
        ys.insert(0, top)
    if bottom - ys[-1] > EDGE:
        ys.append(bottom)
    return Grid(xs, ys, horizontal, vertical)


def _cluster(values: list[float]) -> list[float]:
    """Sorted values with runs closer than SNAP replaced by their mean."""
    clusters: list[list[float]] = []
    for value in sorted(values):
        if clusters and value - clusters[-1][-1] <= SNAP:
            clusters[-1].append(value)
        else:
            clusters.append([value])
    return [sum(c) / len(c) for c in clusters]


def _lanes(rules: list[Rule], lines: list[float]) -> list[list[tuple[float, float]]]:
    """For each grid line, the (start, end) of the rules drawn along it."""
    lanes: list[list[tuple[float, float]]] = [[] for _ in lines]
    for rule in rules:
        k = min(range(len(lines)), key=lambda i: abs(lines[i] - rule.pos))
        if abs(lines[k] - rule.pos) <= SNAP:
            lanes[k].append((rule.start, rule.end))
    for lane in lanes:
        lane.sort()
    return lanes


def _covered(lane: list[tuple[float, float]], start: float, end: float) -> bool:
    """Whether the rules of one grid line draw at least COVER of the edge from start to end."""
    length, reach = 0.0, start
    for a, b in lane:
        a, b = max(a, reach), min(b, end)
        if b > a:
            length += b - a
            reach = b
    return length >= COVER * (end - start)


def cell_regions(grid: Grid) -> list[list[tuple[int, int]]]:
    """For each grid position, the (row, col) of the merged cell it belongs to (its origin).

    Two neighbouring positions are one cell when no rule separates them.
    """
    xs, ys = grid.xs, grid.ys
    rows, cols = len(ys) - 1, len(xs) - 1
    vertical, horizontal = _lanes(grid.vertical, xs), _lanes(grid.horizontal, ys)
    parent = {(r, c): (r, c) for r in range(rows) for c in range(cols)}

    def find(cell: tuple[int, int]) -> tuple[int, int]:
        while parent[cell] != cell:
            cell = parent[cell]
        return cell

    def union(a: tuple[int, int], b: tuple[int, int]) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:  # the top-left cell stays the root: it is the merged cell's origin
            parent[max(ra, rb)] = min(ra, rb)

    for r in range(rows):
        for c in range(cols):
            if c + 1 < cols and not _covered(vertical[c + 1], ys[r], ys[r + 1]):
                union((r, c), (r, c + 1))
            if r + 1 < rows and not _covered(horizontal[r + 1], xs[c], xs[c + 1]):
                union((r, c), (r + 1, c))
    return [[find((r, c)) for c in range(cols)] for r in range(rows)]


def _cell_of(grid: Grid, char: Char) -> tuple[int, int]:
    row = min(bisect_right(grid.ys, char.yc) - 1, len(grid.ys) - 2)
    col = min(bisect_right(grid.xs, char.xc) - 1, len(grid.xs) - 2)
    return row, col


def _cell_chars(grid: Grid, regions: list[list[tuple[int, int]]]) -> dict[tuple[int, int], list[Char]]:
    """The characters of each merged cell, by the cell's origin."""
    cell_chars: dict[tuple[int, int], list[Char]] = {}
    for char in grid.chars:
        row, col = _cell_of(grid, char)
        cell_chars.setdefault(regions[row][col], []).append(char)
    return cell_chars


def _table_rows(regions: list[list[tuple[int, int]]],
                cell_chars: dict[tuple[int, int], list[Char]]) -> list[list[str | None]]:
    """The grid as rows of cells: text in each merged cell's origin, None elsewhere."""
    rows: list[list[str | None]] = []
    for r, region_row in enumerate(regions):
        rows.append([
            "\n".join(line.text for line in _lines(cell_chars.get((r, c), [])))
            if origin == (r, c) else None
            for c, origin in enumerate(region_row)
        ])
    return rows


def _is_prose(rows: list[list[str | None]]) -> bool:
    """A frame around ordinary text: no row has text anywhere but its first cell.

    WPS draws boxes around body paragraphs; a table has at least one row (its
    header) with text in a second column. A row whose label is followed by
    drawn but empty cells is a table row too: the last row of a table that
    broke across pages (其他对外管理服务事项 with blank values) arrives alone.
    """
    return not any(_is_table_row(row) for row in rows)


def _is_table_row(row: list[str | None]) -> bool:
    if any(cell for cell in row[1:]):
        return True
    drawn = [cell for cell in row if cell is not None]
    return len(drawn) >= 2 and bool(drawn[0])


def _peel_prose(grid: Grid) -> list[Char]:
    """Cut running text off the top and bottom of a grid; return its characters.

    A frame drawn around body text that touches a table becomes part of the
    table's lattice: one cell as wide as the table holding several lines of
    prose. Such bands are text, not table rows. A short full-width row (a
    caption such as 第二十条第（一）项) stays in the table.
    """
    regions = cell_regions(grid)
    top = _band_rows(regions)
    bottom = _band_rows(regions[::-1])
    if top and top < len(regions) and not _looks_like_prose(grid, grid.ys[0], grid.ys[top]):
        top = 0
    if bottom and bottom < len(regions) and not _looks_like_prose(grid, grid.ys[-1 - bottom], grid.ys[-1]):
        bottom = 0
    if not (top or bottom) or top + bottom >= len(regions):
        return []
    grid.ys = grid.ys[top:len(grid.ys) - bottom]
    peeled = [c for c in grid.chars if not grid.contains(c)]
    grid.chars = [c for c in grid.chars if grid.contains(c)]
    return peeled


def _band_rows(regions: list[list[tuple[int, int]]]) -> int:
    """How many leading rows are one merged cell spanning the full width, and nothing else."""
    root = regions[0][0]
    count = 0
    while count < len(regions) and all(cell == root for cell in regions[count]):
        count += 1
    if count < len(regions) and root in regions[count]:
        return 0  # the cell goes on below in part of the width: not a band
    return count


def _looks_like_prose(grid: Grid, top: float, bottom: float) -> bool:
    chars = [c for c in grid.chars if top < c.yc < bottom]
    return len(chars) >= 40 or len(_lines(chars)) >= 2


# --------------------------------------------------------------------------- text lines


def _lines(chars: list[Char]) -> list[Line]:
    """Group characters into lines by vertical centre, each line read left to right."""
    groups: list[list[Char]] = []
    centre = height = 0.0
    for char in sorted(chars, key=lambda c: c.yc):
        if groups and abs(char.yc - centre) <= 0.45 * max(height, char.height):
            group = groups[-1]
            group.append(char)
            centre += (char.yc - centre) / len(group)
            height = max(height, char.height)
        else:
            groups.append([char])
            centre, height = char.yc, char.height
    return [_line(group) for group in groups]


def _line(chars: list[Char]) -> Line:
    chars.sort(key=lambda c: c.x0)
    parts: list[str] = []
    previous: Char | None = None
    for char in chars:
        if previous is not None:
            if char.text == previous.text and abs(char.x0 - previous.x0) < 0.3 * (previous.x1 - previous.x0):
                continue  # the same glyph drawn twice, slightly offset (fake bold): keep one
            gap = char.x0 - previous.x1
            if gap > _space_gap(previous.text, char.text) * max(char.height, previous.height):
                parts.append(" ")
        parts.append(char.text)
        previous = char
    return Line("".join(parts), min(c.top for c in chars), max(c.bottom for c in chars), chars[0].x0)


def _space_gap(before: str, after: str) -> float:
    """The gap, as a share of the line height, that separates words.

    Between Latin letters or digits a word space is about a quarter of an em;
    between Chinese characters only a wide gap (a tab, a justified field) counts.
    """
    if before.isascii() and after.isascii() and before.isalnum() and after.isalnum():
        return 0.15
    return 1.0


# Page numbers: "- 1 -", "— 2 —", "第 3 页", "4/6", "3" (in a margin, see _is_furniture).
_PAGE_NUMBER = re.compile(r"^[-—–－−~～_\s]*(第\s*)?\d{1,4}(\s*页)?(\s*[/／共]\s*\d{1,4}\s*页?)?[-—–－−~～_\s]*$")


def _is_furniture(line: Line, page_height: float, is_last: bool) -> bool:
    """A page number printed in the top or bottom margin.

    A bare number counts only as the last line of the page: above that it may
    be a figure that wrapped onto a line of its own.
    """
    in_margin = line.top > 0.85 * page_height or line.bottom < 0.10 * page_height
    if not (in_margin and _PAGE_NUMBER.match(line.text)):
        return False
    return is_last or not line.text.strip().isdigit()


# --------------------------------------------------------------------------- page assembly


TableHook = Callable[[Table, dict[tuple[int, int], list[Char]]], None]


def page_blocks(content: PageContent, page: int, on_table: TableHook | None = None) -> list[Block]:
    """The page's paragraphs and tables, ordered top to bottom.

    ``on_table`` sees each table with its cells' characters (OCR adds provenance there)."""
    return [block for _, _, block in placed_blocks(content, page, on_table)]


Placed = tuple[float, float, Block]  # top, left (points), block


def placed_blocks(content: PageContent, page: int, on_table: TableHook | None = None) -> list[Placed]:
    """``page_blocks`` with where each block starts, so other blocks (a picture's OCR) can be
    put among them in reading order."""
    # Innermost grid first, so a frame drawn around a whole page keeps only its own text.
    found = sorted(grids(content.horizontal, content.vertical),
                   key=lambda g: (g.xs[-1] - g.xs[0]) * (g.ys[-1] - g.ys[0]))
    loose: list[Char] = []
    if not found:
        loose = list(content.chars)
    for char in content.chars if found else ():
        grid = next((g for g in found if g.contains(char)), None)
        (grid.chars if grid else loose).append(char)
    placed: list[Placed] = []
    for grid in found:
        if not grid.chars:
            continue  # a decorative box or a rule pair with nothing inside
        loose.extend(_peel_prose(grid))
        regions = cell_regions(grid)
        cell_chars = _cell_chars(grid, regions)
        rows = _table_rows(regions, cell_chars)
        if _is_prose(rows):
            loose.extend(grid.chars)
        else:
            table = Table(rows=rows, page=page)
            if on_table is not None:
                on_table(table, cell_chars)
            placed.append((grid.ys[0], grid.xs[0], table))
    lines = sorted(_lines(loose), key=lambda line: (line.top, line.x0))
    for i, line in enumerate(lines):
        if not _is_furniture(line, content.height, i == len(lines) - 1):
            placed.append((line.top, line.x0, Paragraph(text=line.text, page=page)))
    placed.sort(key=lambda item: (item[0], item[1]))
    return placed
