"""Several files of one agency-year: another reading of the same report, or a new version?

The same report often arrives twice: the PDF and the portal page, or a crawler's text of it.
Their readings can differ where one format was harder to read (a text's digit run split in
the wrong place: 规范性文件 2/65/2 for the PDF's 2/6/52). Such a file is a *twin*: the
better reading of the two is the current record, the other is kept as an alternate, and
the cells on which they disagree become the workbench's own finding ``read.twins_disagree``
(not a revision: the agency changed nothing).

A file is a new *version* (a revision) instead when the agency evidently published again:
the file replaces one already read from the same path, or the publication dates differ, or
the two readings agree on too few of the cells both read to be one document.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from workbench.parse.identities import identity_results
from workbench.store.records import record_from_dict, table_cells

# Where cell boundaries come from: DOCX, HTML and spreadsheet tables carry them (old Word,
# WPS and RTF too, as the DOCX LibreOffice makes of them), a PDF's text layer has them as
# positions, plain text has none (numbers may run together), an image only what OCR made of it.
# The last tie-breaker.
FORMAT_TRUST = {"docx": 3, "html": 3, "doc": 3, "wps": 3, "rtf": 3, "xlsx": 3, "xls": 3, "pdf": 2, "txt": 1,
                "image": 1}
FORMAT_ZH = {"docx": "Word", "html": "网页", "pdf": "PDF", "txt": "文本", "doc": "旧版 Word", "wps": "WPS 文字",
             "rtf": "RTF", "xlsx": "Excel", "xls": "Excel 97-2003", "image": "图片"}
MIN_SHARED_CELLS = 10  # fewer cells read in both: not enough to call two files one report
MIN_AGREEMENT = 0.8  # of the cells read in both, the share that must be equal
SHOWN_CELLS = 5


@dataclass
class Reading:
    """The current reading of an agency-year, as the loader knows it."""

    report_id: int
    revision: int
    content_hash: str
    path: str | None = None
    published_on: str | None = None
    format: str | None = None
    paths: set[str] = field(default_factory=set)  # every file read as this version


def table_values(record: dict[str, Any]) -> dict[str, Any]:
    """"requests.granted.total" → value, for the cells of tables 二, 三 and 四 that were read."""
    return {cell_id: cell["value"] for cell_id, cell in table_cells(record) if cell.get("value") is not None}


def disagreements(kept: dict[str, Any], other: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    """(cell, kept value, other value) for every cell both read, differently."""
    a, b = table_values(kept), table_values(other)
    return [(cell, a[cell], b[cell]) for cell in sorted(a.keys() & b.keys()) if a[cell] != b[cell]]


def same_report(current: Reading, path: str, published_on: str | None, old: dict[str, Any] | None,
                new: dict[str, Any]) -> bool:
    """Whether ``new`` (read from ``path``) is another reading of the report ``old`` was read from."""
    if old is None or path in current.paths:
        return False
    if published_on and current.published_on and published_on != current.published_on:
        return False
    a, b = table_values(old), table_values(new)
    shared = a.keys() & b.keys()
    if len(shared) < MIN_SHARED_CELLS:
        return False
    return sum(a[c] == b[c] for c in shared) / len(shared) >= MIN_AGREEMENT


def quality(record: dict[str, Any], fmt: str | None) -> tuple[int, int, int, int]:
    """Larger is better: identities holding, then fewer unread cells, more cells read, format."""
    results = identity_results(record_from_dict(record))
    failed = sum(ok is False for _, ok in results)
    cells = [cell for _, cell in table_cells(record)]
    unread = sum(bool(c.get("unread")) for c in cells)
    filled = sum(c.get("value") is not None for c in cells)
    return (-failed, -unread, filled, FORMAT_TRUST.get(fmt or "", 0))


def why_better(kept: tuple[int, ...], other: tuple[int, ...]) -> str:
    reasons = ("勾稽关系成立的更多", "未能读取的格更少", "读出的格更多", "文件格式自带单元格边界")
    for reason, a, b in zip(reasons, kept, other, strict=True):
        if a != b:
            return reason
    return "两者同样完整，保留先读入的"


def disagreement_finding(kept_format: str | None, other_path: str, other_format: str | None,
                         cells: list[tuple[str, Any, Any]], reason: str) -> dict[str, Any]:
    """The workbench's own note on the current record: its twin read some cells otherwise."""
    from workbench.checks.grid import cell_label

    name = other_path.replace("\\", "/").rsplit("/", 1)[-1]
    shown = "；".join(f"{cell_label(cell)} 本记录{_show(a)}、另一文件{_show(b)}" for cell, a, b in cells[:SHOWN_CELLS])
    more = f" 等{len(cells)}格" if len(cells) > SHOWN_CELLS else ""
    return {
        "rule": "read.twins_disagree", "severity": "warning", "section": None,
        "message": (f"同一份报告的另一个文件（{name}，{FORMAT_ZH.get(other_format or '', other_format)}）"
                    f"读出的数值与本记录不同，共{len(cells)}格：{shown}{more}。本工具采用"
                    f"{FORMAT_ZH.get(kept_format or '', kept_format)}文件的读数（{reason}）；这是读取差异，"
                    "不是机关的问题，请对照原文核实，必要时用 workbench correct 更正。"),
    }


def _show(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
