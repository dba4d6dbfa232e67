"""Section 五 narrative: theme tags, near-duplicate items and sections, repeated problems.

Plain-data API (no store needed): :func:`analyse` on lists of :class:`Item` and
:class:`SectionText`; the DuckDB side is :mod:`workbench.narrative.store` (``refresh``) and
:mod:`workbench.narrative.summary` (what ``workbench narrative`` prints). The rules are data:
``taxonomy.yaml`` (themes) and ``similarity.yaml`` (thresholds, boilerplate) beside this file,
``govterms.txt`` (segmenter dictionary).
"""

from workbench.narrative.analyse import analyse, from_record
from workbench.narrative.followthrough import repeated_problems
from workbench.narrative.model import (
    Item,
    ItemMatch,
    NarrativeResult,
    RepeatedProblem,
    SectionScore,
    SectionText,
    Tag,
)
from workbench.narrative.similarity import compare_sections, match_items, similarity
from workbench.narrative.tagging import Tagger, tag_items
from workbench.narrative.taxonomy import Taxonomy, TaxonomyError, load_taxonomy

__all__ = [
    "Item", "ItemMatch", "NarrativeResult", "RepeatedProblem", "SectionScore", "SectionText", "Tag",
    "Tagger", "Taxonomy", "TaxonomyError", "analyse", "compare_sections", "from_record",
    "load_taxonomy", "match_items", "repeated_problems", "similarity", "tag_items",
]
