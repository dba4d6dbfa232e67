"""Findings as a plain-text table for the terminal (``workbench check``)."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

COLUMNS = ("agency", "year", "rule", "severity", "message")
_HEADERS = {"agency": "agency", "year": "year", "rule": "rule", "severity": "severity",
            "message": "message"}


def format_findings_table(rows: Iterable[Any]) -> str:
    """A plain-text table with columns agency, year, rule, severity, message.

    Each row is a mapping with those keys, an object with those attributes, or a
    tuple ``(agency, year, finding)`` where ``finding`` carries rule, severity and
    message (a CheckFinding). Columns are padded by display width, so Chinese text
    (two columns per character in a terminal) lines up; the message is last and
    never cut.
    """
    table = [[_text(v) for v in _fields(row)] for row in rows]
    if not table:
        return "no findings"
    header = [_HEADERS[c] for c in COLUMNS]
    widths = [max(_width(r[i]) for r in [header, *table]) for i in range(len(COLUMNS) - 1)]
    lines = [_line(header, widths), _line(["-" * w for w in widths] + ["-" * 7], widths)]
    lines += [_line(r, widths) for r in table]
    return "\n".join(lines)


def _fields(row: Any) -> list[Any]:
    if isinstance(row, Mapping):
        return [row.get(c) for c in COLUMNS]
    if isinstance(row, tuple) and len(row) == 3:
        agency, year, finding = row
        return [agency, year, *(_get(finding, c) for c in COLUMNS[2:])]
    return [_get(row, c) for c in COLUMNS]


def _get(obj: Any, name: str) -> Any:
    return obj.get(name) if isinstance(obj, Mapping) else getattr(obj, name, None)


def _text(value: Any) -> str:
    return "" if value is None else " ".join(str(value).split())


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _line(cells: list[str], widths: list[int]) -> str:
    padded = [cell + " " * (width - _width(cell)) for cell, width in zip(cells, widths, strict=False)]
    return "  ".join([*padded, cells[-1]]).rstrip()
