"""The report record: the stable keys of ``spec/report-record.md``, as a typed object.

``to_dict()`` is exactly what ``workbench parse FILE --json`` prints. Beyond the
spec's keys it carries ``findings``: what the parser itself noticed while reading
(ambiguous digit splits, rows it could not find), so that nothing it had to
decide is decided silently.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

Number = int | float

SECTION_KEYS = ("overview", "active", "requests", "review", "problems", "other")


@dataclass
class ActiveCell:
    item: str
    measure: str
    value: Number | None
    unread: bool = False  # printed (or may be), but no reading is certain: not blank


@dataclass
class RequestCell:
    row: str
    applicant: str
    value: Number | None
    unread: bool = False  # printed (or may be), but no reading is certain: not blank


@dataclass
class ReviewCell:
    proceeding: str
    result: str
    value: Number | None
    unread: bool = False  # printed (or may be), but no reading is certain: not blank


@dataclass
class SubmittedInfo:
    label: str
    category: str
    count: int
    unit: str


@dataclass
class Finding:
    """Something the parser noticed: ``severity`` is info | warning | error."""

    rule: str
    severity: str
    message: str
    section: str | None = None


@dataclass
class Source:
    path: str
    sha256: str
    format: str


@dataclass
class ReportRecord:
    agency: str | None
    year: int | None
    template: str | None
    published_on: str | None
    source: Source
    active_disclosure: list[ActiveCell] = field(default_factory=list)
    requests: list[RequestCell] = field(default_factory=list)
    review_litigation: list[ReviewCell] = field(default_factory=list)
    submitted_info: list[SubmittedInfo] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    improvements: list[str] = field(default_factory=list)
    fees_collected_yuan: Number | None = None
    sections: dict[str, str] = field(default_factory=lambda: dict.fromkeys(SECTION_KEYS, ""))
    findings: list[Finding] = field(default_factory=list)

    def __post_init__(self) -> None:
        # Not a field, so not in to_dict(): the spec's JSON stays the spec. For OCR'd cells,
        # (table, key, column key) → CellSource (page, box, confidence, text read).
        self.cell_sources: dict[tuple[str, str, str], Any] = {}

    def to_dict(self) -> dict[str, Any]:
        """The spec's record: a cell carries ``unread`` only when it is true."""
        data = asdict(self)
        for table in ("active_disclosure", "requests", "review_litigation"):
            for cell in data[table]:
                if not cell["unread"]:
                    del cell["unread"]
        return data

    def note(self, rule: str, severity: str, message: str, section: str | None = None) -> None:
        self.findings.append(Finding(rule, severity, message, section))

    @property
    def table_cells(self) -> list[ActiveCell | RequestCell | ReviewCell]:
        return [*self.active_disclosure, *self.requests, *self.review_litigation]

    def unread_cells(self) -> int:
        return sum(c.unread for c in self.table_cells)

    def filled_cells(self) -> int:
        return sum(c.value is not None for c in self.table_cells)
