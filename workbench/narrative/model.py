"""Plain data in and out of the narrative analysis: no store, no DuckDB.

The inputs are what the store keeps (narrative_items, report_sections joined with reports);
the outputs are one dataclass per row of the tables in ``workbench/narrative/schema.sql``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ITEM_SECTIONS = ("problems", "improvements")
COMPARED_SECTIONS = ("overview", "problems")  # section 一 and section 五
UNTAGGED = "untagged"
SAME_AGENCY = "same_agency_previous_year"
OTHER_AGENCY = "other_agency_same_year"


@dataclass(frozen=True)
class Item:
    """One problem or improvement of section 五 (narrative_items + its report's agency and year)."""

    report_id: int
    agency_id: str
    year: int
    section: str  # problems | improvements
    ordinal: int  # from 1, in reading order
    text: str


@dataclass(frozen=True)
class SectionText:
    """The raw text of one section of one report (report_sections + agency and year)."""

    report_id: int
    agency_id: str
    year: int
    section: str  # overview (一) | problems (五) | …
    text: str


@dataclass(frozen=True)
class Tag:
    """A theme of an item and the words that made it fire (``untagged`` has none)."""

    report_id: int
    section: str
    ordinal: int
    tag: str
    trigger_words: tuple[str, ...] = ()


@dataclass(frozen=True)
class ItemMatch:
    """The closest item of the same section in an earlier report of the agency, or the
    closest near-duplicate among other agencies' reports of the same year."""

    report_id: int
    section: str
    ordinal: int
    match_report_id: int
    match_ordinal: int
    kind: str  # same_agency_previous_year | other_agency_same_year
    score: float


@dataclass(frozen=True)
class SectionScore:
    """How similar a whole section is to the agency's previous report (or another agency's)."""

    report_id: int
    section: str
    previous_report_id: int  # the report compared with
    score: float
    copied: bool  # 内容雷同: score >= section_copied
    kind: str = SAME_AGENCY


@dataclass(frozen=True)
class RepeatedProblem:
    """A theme reported as a problem in ``year`` and in each of the ``streak - 1`` years before."""

    agency_id: str
    tag: str
    year: int
    streak: int  # consecutive years with this theme among the problems, ending at ``year``
    report_id: int
    previous_report_id: int
    promised: bool  # last year's improvements named the same theme (a fix was promised)


@dataclass
class NarrativeResult:
    tags: list[Tag] = field(default_factory=list)
    matches: list[ItemMatch] = field(default_factory=list)
    sections: list[SectionScore] = field(default_factory=list)
    repeated: list[RepeatedProblem] = field(default_factory=list)
