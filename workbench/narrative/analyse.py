"""The whole narrative analysis on plain data, and plain data from parsed report records."""

from __future__ import annotations

from collections.abc import Sequence

from workbench.narrative.followthrough import repeated_problems
from workbench.narrative.model import COMPARED_SECTIONS, Item, NarrativeResult, SectionText
from workbench.narrative.similarity import SimilarityConfig, compare_sections, match_items
from workbench.narrative.tagging import tag_items
from workbench.narrative.taxonomy import Taxonomy
from workbench.parse.record import ReportRecord


def analyse(items: Sequence[Item], sections: Sequence[SectionText] = (),
            taxonomy: Taxonomy | None = None,
            config: SimilarityConfig | None = None) -> NarrativeResult:
    """Tags, item matches, section similarity and repeated problems for one corpus.

    Pass only one report per agency-year (the store's current revisions).
    """
    tags = tag_items(items, taxonomy)
    return NarrativeResult(
        tags=tags,
        matches=match_items(items, config),
        sections=compare_sections([s for s in sections if s.section in COMPARED_SECTIONS], config),
        repeated=repeated_problems(items, tags),
    )


def from_record(report_id: int, agency_id: str, record: ReportRecord) -> tuple[list[Item], list[SectionText]]:
    """The items and compared sections of one parsed record (what the store would hold)."""
    if record.year is None:
        raise ValueError(f"report {report_id} ({record.source.path}) has no year")
    year = record.year
    items = [
        Item(report_id, agency_id, year, section, ordinal, text)
        for section, texts in (("problems", record.problems), ("improvements", record.improvements))
        for ordinal, text in enumerate(texts, 1)
    ]
    sections = [
        SectionText(report_id, agency_id, year, name, record.sections.get(name) or "")
        for name in COMPARED_SECTIONS
        if record.sections.get(name)
    ]
    return items, sections
