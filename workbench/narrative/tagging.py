"""Theme tags for section 五 items, each with the words that triggered it.

Matching is on segmented words (jieba + government terms), clause by clause; see the header
of ``taxonomy.yaml`` for the rules a supervisor edits.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from workbench.narrative.model import UNTAGGED, Item, Tag
from workbench.narrative.segment import Segmenter, segmenter
from workbench.narrative.taxonomy import Taxonomy, Theme, default_taxonomy
from workbench.textnorm import nfkc

_CLAUSE_END = re.compile(r"[，,。；;：:！!？?\n]")


@dataclass(frozen=True)
class Clause:
    words: frozenset[str]  # as segmented
    inner: dict[str, frozenset[str]]  # word → dictionary words inside it (政策解读 → 政策, 解读)

    def searched(self, unless: frozenset[str]) -> set[str]:
        """The words and the words inside them, except ``unless`` words and what is inside those."""
        kept = self.words - unless
        return set(kept).union(*(self.inner[w] for w in kept))


@dataclass(frozen=True)
class Hit:
    theme: str
    words: tuple[str, ...]  # the rule words found, longest first, none inside another


class Tagger:
    def __init__(self, taxonomy: Taxonomy | None = None) -> None:
        self.taxonomy = taxonomy or default_taxonomy()
        self._segmenter: Segmenter = segmenter(self.taxonomy.words())

    def clause_words(self, text: str) -> list[Clause]:
        """Per clause: its words, and those plus the dictionary words inside them."""
        clauses = []
        for clause in _CLAUSE_END.split(nfkc(text)):
            words = frozenset(self._segmenter.words(clause))
            if words:
                inner = {w: frozenset(self._segmenter.inner_words(w)) for w in words}
                clauses.append(Clause(words, inner))
        return clauses

    def hits(self, text: str) -> list[Hit]:
        """The themes of one text, in taxonomy order (empty when none fits)."""
        clauses = self.clause_words(text)
        found = []
        for theme in self.taxonomy.themes:
            words = _theme_words(theme, clauses)
            if words:
                found.append(Hit(theme.key, _outermost(words)))
        return found

    def themes(self, text: str) -> list[tuple[str, tuple[str, ...]]]:
        """(theme, trigger words) for each theme of a text; one ``untagged`` when none fits."""
        return [(h.theme, h.words) for h in self.hits(text)] or [(UNTAGGED, ())]

    def tag(self, items: Iterable[Item]) -> list[Tag]:
        themes: dict[str, list[tuple[str, tuple[str, ...]]]] = {}  # copied items are tagged once
        tags = []
        for item in items:
            if item.text not in themes:
                themes[item.text] = self.themes(item.text)
            tags += [Tag(item.report_id, item.section, item.ordinal, theme, words)
                     for theme, words in themes[item.text]]
        return tags


def _theme_words(theme: Theme, clauses: list[Clause]) -> set[str]:
    """``words`` may sit inside a longer word; ``together`` groups must be whole words, since
    two short words inside longer ones say little (定期 inside 不定期). An ``unless`` word is no
    evidence, nor is anything inside it (监督 inside 社会监督)."""
    found: set[str] = set()
    for clause in clauses:
        found |= clause.searched(theme.unless) & theme.words
        whole = clause.words - theme.unless
        for group in theme.together:
            if group <= whole:
                found |= group
    return found


def _outermost(words: set[str]) -> tuple[str, ...]:
    """政策解读 and 解读 both fired: show 政策解读 only (解读 was found inside it)."""
    ordered = sorted(words, key=lambda w: (-len(w), w))
    kept: list[str] = []
    for word in ordered:
        if not any(word in longer for longer in kept):
            kept.append(word)
    return tuple(kept)


def tag_items(items: Iterable[Item], taxonomy: Taxonomy | None = None) -> list[Tag]:
    """Tags for every item; an item no theme fits gets one ``untagged`` tag."""
    return Tagger(taxonomy).tag(items)
