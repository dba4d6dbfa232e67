"""Near-duplicate items and sections: character shingles, boilerplate removed, MinHash LSH.

Two comparisons (``similarity.yaml`` holds every number and word list):

* the same agency's earlier reports: every item against every earlier item of the same
  section (problems with problems), exactly — an agency has a handful of items a year; each
  whole section (一, 五) against the agency's most recent earlier report, flagged 内容雷同
  at ``section_copied``;
* other agencies in the same year: too many pairs to try them all, so a MinHash LSH index
  (datasketch) proposes candidates and the exact Jaccard index decides.

The score is always the exact Jaccard index of the two shingle sets after boilerplate
removal; MinHash only chooses which pairs to score.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TypeVar

import yaml
from datasketch import MinHash, MinHashLSH

from workbench.narrative.model import (
    OTHER_AGENCY,
    SAME_AGENCY,
    Item,
    ItemMatch,
    SectionScore,
    SectionText,
)
from workbench.parse.prose import flow
from workbench.textnorm import nfkc

_CN = "一二三四五六七八九十"
_ORDINAL = re.compile(
    rf"^(?:[（(][{_CN}\d]{{1,3}}[）)]|[{_CN}]{{1,3}}是|第[{_CN}]{{1,2}}[，,、是]?|[{_CN}]{{1,3}}、|\d{{1,2}}[.、](?!\d))"
)
_SENTENCE = re.compile(r"[。；;！!？?：:\n¶]+")
_NOT_WORD = re.compile(r"[\W_]+")  # punctuation, quotes, brackets and whitespace
_DIGITS = re.compile(r"\d+")
_LEADING_JUNK = re.compile(r"^[\s,，、.．]+")
# LSH may miss a pair whose estimated similarity falls just under its threshold: ask for less.
_LSH_SLACK = 0.15

T = TypeVar("T")


@dataclass(frozen=True)
class SimilarityConfig:
    shingle_size: int
    boilerplate_share: float
    boilerplate_min_texts: int
    item_match: float
    section_copied: float
    section_min_shingles: int
    lsh_permutations: int
    filler_words: tuple[str, ...]
    boilerplate_sentences: tuple[re.Pattern[str], ...]


def load_config(path: Path | None = None) -> SimilarityConfig:
    if path is None:
        return default_config()
    return _config(yaml.safe_load(Path(path).read_text("utf-8")))


@cache
def default_config() -> SimilarityConfig:
    text = resources.files("workbench.narrative").joinpath("similarity.yaml").read_text("utf-8")
    return _config(yaml.safe_load(text))


def _config(data: dict) -> SimilarityConfig:
    return SimilarityConfig(
        shingle_size=int(data["shingle_size"]),
        boilerplate_share=float(data["boilerplate_share"]),
        boilerplate_min_texts=int(data["boilerplate_min_texts"]),
        item_match=float(data["item_match"]),
        section_copied=float(data["section_copied"]),
        section_min_shingles=int(data["section_min_shingles"]),
        lsh_permutations=int(data["lsh_permutations"]),
        # longest first, so 还不够 goes before 不够
        filler_words=tuple(sorted(data.get("filler_words", []), key=len, reverse=True)),
        boilerplate_sentences=tuple(re.compile(p) for p in data.get("boilerplate_sentences", [])),
    )


# ---------------------------------------------------------------------------
# Text → shingles
# ---------------------------------------------------------------------------


def sentences(text: str, config: SimilarityConfig) -> list[str]:
    """Normalised sentences with the boilerplate ones dropped (see similarity.yaml)."""
    kept = []
    # flow() joins lines a PDF wrapped mid-sentence (政\n府信息) and marks paragraph ends ¶
    for raw in _SENTENCE.split(_DIGITS.sub("0", nfkc(flow(text)))):
        sentence = _NOT_WORD.sub("", _strip_ordinals(raw))
        if not sentence or any(p.search(sentence) for p in config.boilerplate_sentences):
            continue
        for word in config.filler_words:
            sentence = sentence.replace(word, "")
        if sentence:
            kept.append(sentence)
    return kept


def _strip_ordinals(sentence: str) -> str:
    """Leading ordinals, however many: （二）改进措施 → 改进措施, (一)1. → ''."""
    previous = None
    while previous != sentence:
        previous = sentence
        sentence = _ORDINAL.sub("", _LEADING_JUNK.sub("", sentence))
    return sentence


def normalise(text: str, config: SimilarityConfig) -> str:
    return "".join(sentences(text, config))


def shingles(text: str, config: SimilarityConfig) -> frozenset[str]:
    """Character n-grams of the normalised text (a text shorter than n is one shingle)."""
    flat = normalise(text, config)
    size = config.shingle_size
    if len(flat) <= size:
        return frozenset([flat]) if flat else frozenset()
    return frozenset(flat[i : i + size] for i in range(len(flat) - size + 1))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def boilerplate_shingles(sets: Sequence[frozenset[str]], config: SimilarityConfig) -> frozenset[str]:
    """Shingles in more than ``boilerplate_share`` of the texts: phrases every report shares.

    A small corpus says nothing about what is common, so below ``boilerplate_min_texts``
    texts nothing is removed this way (the boilerplate sentence list still applies).
    """
    if len(sets) < config.boilerplate_min_texts:
        return frozenset()
    counts = Counter(s for shingle_set in sets for s in shingle_set)
    limit = config.boilerplate_share * len(sets)
    return frozenset(s for s, n in counts.items() if n > limit)


def shingle_sets(texts: Sequence[str], config: SimilarityConfig) -> list[frozenset[str]]:
    """Shingles of each text, without the corpus's boilerplate shingles."""
    sets = [shingles(t, config) for t in texts]
    common = boilerplate_shingles(sets, config)
    return [s - common for s in sets] if common else sets


def similarity(a: str, b: str, config: SimilarityConfig | None = None) -> float:
    """Jaccard similarity of two texts on their own (no corpus: only the sentence boilerplate)."""
    config = config or default_config()
    return jaccard(shingles(a, config), shingles(b, config))


# ---------------------------------------------------------------------------
# Items
# ---------------------------------------------------------------------------


def match_items(items: Sequence[Item], config: SimilarityConfig | None = None) -> list[ItemMatch]:
    """For each item: its closest item of the same section in an earlier report of the same
    agency (any score above 0), and its closest item among other agencies' reports of the
    same year (only when at least ``item_match``)."""
    config = config or default_config()
    sets = shingle_sets([i.text for i in items], config)
    matches = _earlier_same_agency(items, sets)
    matches += _same_year_other_agencies(items, sets, config)
    return sorted(matches, key=lambda m: (m.report_id, m.section, m.ordinal, m.kind))


def _earlier_same_agency(items: Sequence[Item], sets: list[frozenset[str]]) -> list[ItemMatch]:
    by_agency: dict[tuple[str, str], list[int]] = defaultdict(list)
    for index, item in enumerate(items):
        by_agency[(item.agency_id, item.section)].append(index)
    matches = []
    for indexes in by_agency.values():
        for i in indexes:
            earlier = [j for j in indexes if items[j].year < items[i].year]
            best = _best(i, earlier, items, sets)
            if best is not None:
                j, score = best
                matches.append(_match(items[i], items[j], SAME_AGENCY, score))
    return matches


def _best(i: int, candidates: Iterable[int], items: Sequence[Item],
          sets: list[frozenset[str]]) -> tuple[int, float] | None:
    """The highest score; ties go to the most recent report, then to the first item."""
    scored = [(jaccard(sets[i], sets[j]), items[j].year, -items[j].ordinal, j) for j in candidates]
    scored = [s for s in scored if s[0] > 0]
    if not scored:
        return None
    score, _, _, j = max(scored)
    return j, score


def _same_year_other_agencies(items: Sequence[Item], sets: list[frozenset[str]],
                              config: SimilarityConfig) -> list[ItemMatch]:
    groups: dict[tuple[int, str], list[int]] = defaultdict(list)
    for index, item in enumerate(items):
        groups[(item.year, item.section)].append(index)
    matches = []
    for indexes in groups.values():
        candidates = _lsh_candidates(indexes, sets, config.item_match, config)
        for i in indexes:
            others = [j for j in candidates.get(i, ()) if items[j].agency_id != items[i].agency_id]
            best = _best(i, others, items, sets)
            if best is not None and best[1] >= config.item_match:
                j, score = best
                matches.append(_match(items[i], items[j], OTHER_AGENCY, score))
    return matches


def _match(item: Item, other: Item, kind: str, score: float) -> ItemMatch:
    return ItemMatch(item.report_id, item.section, item.ordinal, other.report_id, other.ordinal,
                     kind, round(score, 4))


def _lsh_candidates(indexes: Sequence[int], sets: Sequence[frozenset[str]], threshold: float,
                    config: SimilarityConfig) -> dict[int, set[int]]:
    """Index → indexes whose MinHash signatures collide in the LSH bands (itself excluded)."""
    usable = [i for i in indexes if sets[i]]
    if len(usable) < 2:
        return {}
    perms = config.lsh_permutations
    hashes = MinHash.bulk([[s.encode("utf-8") for s in sorted(sets[i])] for i in usable],
                          num_perm=perms, seed=1)
    lsh = MinHashLSH(threshold=max(0.05, threshold - _LSH_SLACK), num_perm=perms)
    for i, minhash in zip(usable, hashes, strict=True):
        lsh.insert(i, minhash)
    return {i: {j for j in lsh.query(m) if j != i} for i, m in zip(usable, hashes, strict=True)}


# ---------------------------------------------------------------------------
# Whole sections
# ---------------------------------------------------------------------------


def compare_sections(sections: Sequence[SectionText],
                     config: SimilarityConfig | None = None) -> list[SectionScore]:
    """Each section against the same section of the agency's most recent earlier report
    (copied = 内容雷同 at ``section_copied``), and its closest counterpart among other
    agencies' reports of the same year when at least ``item_match`` similar."""
    config = config or default_config()
    out: list[SectionScore] = []
    for group in _group(sections, lambda s: s.section).values():
        sets = shingle_sets([s.text for s in group], config)
        out += _previous_report(group, sets, config)
        out += _other_agencies(group, sets, config)
    return sorted(out, key=lambda s: (s.report_id, s.section, s.kind))


def _previous_report(group: list[SectionText], sets: list[frozenset[str]],
                     config: SimilarityConfig) -> list[SectionScore]:
    out = []
    for indexes in _group(range(len(group)), lambda i: group[i].agency_id).values():
        for i in indexes:
            earlier = [j for j in indexes if group[j].year < group[i].year]
            if not earlier:
                continue
            j = max(earlier, key=lambda k: group[k].year)
            out.append(_section_score(group[i], group[j], sets[i], sets[j], SAME_AGENCY, config))
    return out


def _other_agencies(group: list[SectionText], sets: list[frozenset[str]],
                    config: SimilarityConfig) -> list[SectionScore]:
    out = []
    for indexes in _group(range(len(group)), lambda i: group[i].year).values():
        candidates = _lsh_candidates(indexes, sets, config.item_match, config)
        for i in indexes:
            others = [j for j in candidates.get(i, ()) if group[j].agency_id != group[i].agency_id]
            scored = [(jaccard(sets[i], sets[j]), -group[j].report_id, j) for j in others]
            if scored:
                score, _, j = max(scored)
                if score >= config.item_match:
                    out.append(_section_score(group[i], group[j], sets[i], sets[j], OTHER_AGENCY, config))
    return out


def _section_score(section: SectionText, other: SectionText, a: frozenset[str], b: frozenset[str],
                   kind: str, config: SimilarityConfig) -> SectionScore:
    score = jaccard(a, b)
    # two empty or one-line sections ("无。") are alike without anyone having copied anything
    enough = min(len(a), len(b)) >= config.section_min_shingles
    return SectionScore(section.report_id, section.section, other.report_id, round(score, 4),
                        enough and score >= config.section_copied, kind)


K = TypeVar("K", bound=Hashable)


def _group(values: Iterable[T], key: Callable[[T], K]) -> dict[K, list[T]]:
    groups: dict[K, list[T]] = defaultdict(list)
    for value in values:
        groups[key(value)].append(value)
    return dict(groups)
