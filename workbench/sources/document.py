"""The format-neutral document every source reader produces.

A document is an ordered list of blocks: paragraphs of text and table grids.
Readers know about files (PDF geometry, HTML markup, DOCX XML, text encodings)
and nothing about annual reports; the parse stage knows about reports and
nothing about file formats. This module is the contract between the two.

Grid convention (the same one pdfplumber uses):
  * a cell that holds content, even empty content, is a ``str``;
    ``""`` is a blank cell (the report left it empty, e.g. ``&nbsp;``);
  * ``None`` marks a grid position covered by a merged cell (rowspan/colspan
    or a vertically merged DOCX cell) whose text sits in the origin cell.
So ``[c for c in row if c is not None]`` are the cells as the author typed them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

Grid = list[list[str | None]]

# The text of a cell a reader saw printed but could not read with certainty (an OCR reading
# below its confidence threshold): the parse stage makes such a cell unread, never a number.
UNREAD_MARK = "\ufffd"


@dataclass(frozen=True)
class CellSource:
    """Where an OCR'd cell was read: page (1-based), box as fractions of the page
    (x, y, w, h from the top left), the recogniser's confidence and the text it read.
    ``image``: for a picture in an HTML page, which one (``html_images.locator``); the box is
    then on that picture, and ``page`` is its number among the page's pictures read."""

    page: int
    box: tuple[float, ...]
    confidence: float
    text: str
    image: str = ""


@dataclass
class Paragraph:
    text: str
    page: int | None = None


@dataclass
class Table:
    rows: Grid
    page: int | None = None
    # OCR provenance of cells, by (grid row, grid column); empty for text-layer sources.
    sources: dict[tuple[int, int], CellSource] = field(default_factory=dict)

    def origin_rows(self) -> list[list[str]]:
        """Each row's cells as the author typed them (merged-cell copies dropped)."""
        return [[c for c in row if c is not None] for row in self.rows]

    def as_text(self) -> str:
        return "\n".join(" ".join(c for c in row if c) for row in self.origin_rows())


Block = Paragraph | Table


@dataclass
class Document:
    path: Path
    format: str  # pdf | html | docx | txt | doc | wps | rtf | xlsx | xls | image
    blocks: list[Block] = field(default_factory=list)
    sha256: str = ""  # of the file's bytes, set by read_document
    # What the container says about the report, outside its body text:
    # "title" (page title / crawler header), "page_date" (portal publication
    # date, YYYY-MM-DD), "publisher" ...
    meta: dict[str, str] = field(default_factory=dict)

    @property
    def paragraphs(self) -> list[Paragraph]:
        return [b for b in self.blocks if isinstance(b, Paragraph)]

    @property
    def tables(self) -> list[Table]:
        return [b for b in self.blocks if isinstance(b, Table)]

    def text(self) -> str:
        """The whole document as text in reading order, tables rendered row by row."""
        parts = [b.text if isinstance(b, Paragraph) else b.as_text() for b in self.blocks]
        return "\n".join(p for p in parts if p)


class SourceError(Exception):
    """A file could not be read as a report. The message names the reason in plain words."""

    def __init__(self, path: Path | str, reason: str):
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")
