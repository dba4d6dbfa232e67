"""Findings as a plain-text table for the terminal (``workbench check``)."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

COLUMNS = ("finding_id", "agency", "year", "rule", "severity", "review", "message")
_HEADERS = {"finding_id": "id", "agency": "agency", "year": "year", "rule": "rule", "severity": "severity",
            "review": "review", "message": "message"}
_REVIEW_ZH = {"confirmed": "已确认", "dismissed": "已排除"}


def format_findings_table(rows: Iterable[Any], headers: Mapping[str, str] | None = None,
                          severities: Mapping[str, str] | None = None, empty: str = "no findings") -> str:
    """A plain-text table with columns id, agency, year, rule, severity, review, message.

    Each row is a mapping with those keys, an object with those attributes, or a
    tuple ``(agency, year, finding)`` where ``finding`` carries rule, severity and
    message (a CheckFinding). Columns are padded by display width, so Chinese text
    (two columns per character in a terminal) lines up; the message is last and
    never cut. The id and review columns appear only when some row has them (stored findings:
    the id names the finding for ``workbench review``). ``headers``, ``severities`` and ``empty``
    word the table in the user's language (the CLI passes them from workbench.i18n).
    """
    at = COLUMNS.index("severity")
    table = [[_text((severities or {}).get(v, v) if i == at else v) for i, v in enumerate(_fields(row))]
             for row in rows]
    if not table:
        return empty
    shown = [i for i, c in enumerate(COLUMNS) if c not in ("finding_id", "review") or any(r[i] for r in table)]
    table = [[r[i] for i in shown] for r in table]
    header = [(headers or _HEADERS)[COLUMNS[i]] for i in shown]
    widths = [max(_width(r[i]) for r in [header, *table]) for i in range(len(shown) - 1)]
    lines = [_line(header, widths), _line(["-" * w for w in widths] + ["-" * 7], widths)]
    lines += [_line(r, widths) for r in table]
    return "\n".join(lines)


def _fields(row: Any) -> list[Any]:
    if isinstance(row, Mapping):
        return [_REVIEW_ZH.get(row.get(c), row.get(c)) if c == "review" else row.get(c) for c in COLUMNS]
    if isinstance(row, tuple) and len(row) == 3:
        agency, year, finding = row
        given = {"agency": agency, "year": year}
        return [given[c] if c in given else _get(finding, c) for c in COLUMNS]
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
