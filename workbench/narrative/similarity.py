"""Near-duplicate items and sections: character shingles, boilerplate removed, MinHash LSH.

Two comparisons (``similarity.yaml`` holds every number and word list):

* the same agency's earlier reports: every item against every earlier item of the same
  section (problems with problems), exactly — an agency has a handful of items a year; each
  whole section (一, 五) against the agency's most recent earlier report, flagged 内容雷同
  at ``section_copied``;
* other agencies in the same year: too many pairs to try them all, so MinHash signatures
  (datasketch) of the *distinct* texts are banded as in LSH to propose candidates, and the
  exact Jaccard index decides. Identical texts are compared once, and a text copied by
  hundreds of agencies is paired with a bounded number of its copies (``_lsh_candidates``):
  otherwise a province's copied boilerplate makes the comparison quadratic.

The score is always the exact Jaccard index of the two shingle sets after boilerplate
removal; MinHash only chooses which pairs to score. A shingle is stored as an integer code
(the n characters' code points packed in 21 bits each: exact for n ≤ 3), so a year of long
sections fits in memory as numpy arrays.

Each comparison only looks inside one agency or one year, so the store runs them chunk by
chunk (workbench/narrative/store.py) with the boilerplate counted once over the whole corpus
(:class:`ShingleCounter`) and gets the same answer as one run over everything.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path
from typing import Protocol, TypeVar

import numpy as np
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
_BUCKET_NEIGHBOURS = 4  # per LSH band, the bucket-mates on each side a set is paired with
_MAX_CANDIDATES = 16  # exact scores per set (the best MinHash estimates)
_CODE_POINT_BITS = np.uint64(21)  # every Unicode code point fits in 21 bits
_NO_CODES = np.empty(0, dtype=np.uint64)
KINDS = (SAME_AGENCY, OTHER_AGENCY)

T = TypeVar("T")
Codes = np.ndarray  # sorted, unique uint64 shingle codes


@dataclass(frozen=True)
class SimilarityConfig:
    shingle_size: int
    boilerplate_share: float
    boilerplate_min_texts: int
    item_match: float
    section_copied: float
    section_min_shingles: int
    lsh_permutations: int
    filler_words: re.Pattern[str]  # any of the words, longest first
    boilerplate_sentences: re.Pattern[str]  # any of the sentence patterns


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
        # one pattern each: a sentence is matched once, not once per word or rule (a province's
        # sections have millions of sentences); longest word first, so 还不够 goes before 不够
        filler_words=_any(re.escape(w) for w in sorted(data.get("filler_words", []), key=len, reverse=True)),
        boilerplate_sentences=_any(data.get("boilerplate_sentences", [])),
    )


def _any(patterns: Iterable[str]) -> re.Pattern[str]:
    alternatives = [f"(?:{p})" for p in patterns]
    return re.compile("|".join(alternatives) if alternatives else r"(?!)")  # (?!) never matches


# ---------------------------------------------------------------------------
# Text → shingle codes
# ---------------------------------------------------------------------------


def sentences(text: str, config: SimilarityConfig) -> list[str]:
    """Normalised sentences with the boilerplate ones dropped (see similarity.yaml)."""
    kept = []
    # flow() joins lines a PDF wrapped mid-sentence (政\n府信息) and marks paragraph ends ¶
    for raw in _SENTENCE.split(_DIGITS.sub("0", nfkc(flow(text)))):
        sentence = _NOT_WORD.sub("", _strip_ordinals(raw))
        if not sentence or config.boilerplate_sentences.search(sentence):
            continue
        sentence = config.filler_words.sub("", sentence)
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


def shingle_codes(text: str, config: SimilarityConfig) -> Codes:
    """Codes of the character n-grams of the normalised text (a text shorter than n is one
    shingle), sorted and unique. Base 2**21 keeps n ≤ 3 exact; longer n wrap (a hash)."""
    flat = normalise(text, config)
    if not flat:
        return _NO_CODES
    points = np.frombuffer(flat.encode("utf-32-le"), dtype="<u4").astype(np.uint64)
    width = min(config.shingle_size, len(points))
    count = len(points) - width + 1
    codes = np.zeros(count, dtype=np.uint64)
    for offset in range(width):
        codes = (codes << _CODE_POINT_BITS) | points[offset : offset + count]
    return np.unique(codes)


def jaccard(a: frozenset[int], b: frozenset[int]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def jaccard_codes(a: Codes, b: Codes) -> float:
    if not a.size or not b.size:
        return 0.0
    shared = np.intersect1d(a, b, assume_unique=True).size
    return shared / (a.size + b.size - shared)


class ShingleCounter:
    """How many texts of a corpus hold each shingle, fed one text at a time (or one distinct
    text with how often it occurs), in bounded memory: the counts are folded into one sorted
    array every ``fold_every`` codes."""

    def __init__(self, fold_every: int = 2_000_000) -> None:
        self.texts = 0
        self._codes, self._counts = _NO_CODES, np.empty(0, dtype=np.int64)
        self._pending: list[tuple[Codes, int]] = []
        self._pending_size, self._fold_every = 0, fold_every

    def add(self, codes: Codes, times: int = 1) -> None:
        self.texts += times
        if codes.size:
            self._pending.append((codes, times))
            self._pending_size += codes.size
            if self._pending_size >= self._fold_every:
                self._fold()

    def _fold(self) -> None:
        if not self._pending:
            return
        codes = np.concatenate([self._codes, *(c for c, _ in self._pending)])
        weights = np.concatenate([self._counts, *(np.full(c.size, t, dtype=np.int64) for c, t in self._pending)])
        self._codes, inverse = np.unique(codes, return_inverse=True)
        self._counts = np.bincount(inverse, weights=weights).astype(np.int64)
        self._pending, self._pending_size = [], 0

    def boilerplate(self, config: SimilarityConfig) -> Codes:
        """Shingles in more than ``boilerplate_share`` of the texts: phrases every report shares.

        A small corpus says nothing about what is common, so below ``boilerplate_min_texts``
        texts nothing is removed this way (the boilerplate sentence list still applies).
        """
        if self.texts < config.boilerplate_min_texts:
            return _NO_CODES
        self._fold()
        return self._codes[self._counts > config.boilerplate_share * self.texts]


def boilerplate_codes(texts: Iterable[str], config: SimilarityConfig) -> Codes:
    counter = ShingleCounter()
    for text in texts:
        counter.add(shingle_codes(text, config))
    return counter.boilerplate(config)


def without(codes: Codes, common: Codes) -> Codes:
    """``codes`` less the boilerplate ``common`` (both sorted and unique)."""
    return np.setdiff1d(codes, common, assume_unique=True) if common.size and codes.size else codes


def code_arrays(texts: Sequence[str], config: SimilarityConfig, common: Codes) -> list[Codes]:
    """Shingle codes of each text without the corpus's boilerplate."""
    return _per_distinct(texts, lambda text: without(shingle_codes(text, config), common))


def shingle_sets(texts: Sequence[str], config: SimilarityConfig, common: Codes) -> list[frozenset[int]]:
    """As :func:`code_arrays`, as sets: quicker to compare many short texts pairwise."""
    return _per_distinct(texts, lambda text: frozenset(without(shingle_codes(text, config), common).tolist()))


def _per_distinct(texts: Sequence[str], make: Callable[[str], T]) -> list[T]:
    """``make`` of each text, computed once per distinct text (copies share the result)."""
    made: dict[str, T] = {}
    for text in texts:
        if text not in made:
            made[text] = make(text)
    return [made[t] for t in texts]


def similarity(a: str, b: str, config: SimilarityConfig | None = None) -> float:
    """Jaccard similarity of two texts on their own (no corpus: only the sentence boilerplate)."""
    config = config or default_config()
    return jaccard_codes(shingle_codes(a, config), shingle_codes(b, config))


# ---------------------------------------------------------------------------
# Items
# ---------------------------------------------------------------------------


def match_items(items: Sequence[Item], config: SimilarityConfig | None = None,
                common: Codes | None = None, kinds: Collection[str] = KINDS) -> list[ItemMatch]:
    """For each item: its closest item of the same section in an earlier report of the same
    agency (any score above 0), and its closest item among other agencies' reports of the
    same year (only when at least ``item_match``).

    ``common`` is the boilerplate (default: counted over ``items``); ``kinds`` picks the
    comparisons, so a caller holding one agency or one year at a time can ask for its half.
    """
    config = config or default_config()
    if common is None:
        common = boilerplate_codes((i.text for i in items), config)
    return match_item_sets(items, shingle_sets([i.text for i in items], config, common), config, kinds)


def match_item_sets(items: Sequence[Item], sets: Sequence[frozenset[int]], config: SimilarityConfig,
                    kinds: Collection[str] = KINDS) -> list[ItemMatch]:
    """:func:`match_items` on the items' shingle sets, boilerplate already removed."""
    matches = []
    if SAME_AGENCY in kinds:
        matches += _earlier_same_agency(items, sets)
    if OTHER_AGENCY in kinds:
        matches += _same_year_other_agencies(items, sets, config)
    return sorted(matches, key=lambda m: (m.report_id, m.section, m.ordinal, m.kind))


def _earlier_same_agency(items: Sequence[Item], sets: Sequence[frozenset[int]]) -> list[ItemMatch]:
    matches = []
    for indexes in _group(range(len(items)), lambda i: (items[i].agency_id, items[i].section)).values():
        for i in indexes:
            earlier = [j for j in indexes if items[j].year < items[i].year]
            best = _best(i, earlier, items, sets)
            if best is not None:
                j, score = best
                matches.append(_match(items[i], items[j], SAME_AGENCY, score))
    return matches


def _best(i: int, candidates: Iterable[int], items: Sequence[Item],
          sets: Sequence[frozenset[int]]) -> tuple[int, float] | None:
    """The highest score; ties go to the most recent report, then to the first item."""
    scored = [(jaccard(sets[i], sets[j]), items[j].year, -items[j].ordinal, j) for j in candidates]
    scored = [s for s in scored if s[0] > 0]
    if not scored:
        return None
    score, _, _, j = max(scored)
    return j, score


def _same_year_other_agencies(items: Sequence[Item], sets: Sequence[frozenset[int]],
                              config: SimilarityConfig) -> list[ItemMatch]:
    matches = []
    for indexes in _group(range(len(items)), lambda i: (items[i].year, items[i].section)).values():
        group = [items[i] for i in indexes]
        found = _closest_other_agency(group, [sets[i] for i in indexes], config, key=lambda s: s,
                                      score=jaccard, rank=lambda item: (item.ordinal, item.report_id))
        matches += [_match(group[i], group[j], OTHER_AGENCY, score) for i, j, score in found]
    return matches


def _match(item: Item, other: Item, kind: str, score: float) -> ItemMatch:
    return ItemMatch(item.report_id, item.section, item.ordinal, other.report_id, other.ordinal,
                     kind, round(score, 4))


# ---------------------------------------------------------------------------
# Other agencies in the same year (items and sections alike)
# ---------------------------------------------------------------------------


class _Entry(Protocol):
    @property
    def agency_id(self) -> str: ...


E = TypeVar("E", bound=_Entry)
S = TypeVar("S", frozenset[int], Codes)


def _closest_other_agency(entries: Sequence[E], sets: Sequence[S], config: SimilarityConfig, *,
                          key: Callable[[S], Hashable], score: Callable[[S, S], float],
                          rank: Callable[[E], tuple[int, ...]]) -> list[tuple[int, int, float]]:
    """(entry, its most similar entry of another agency, score) as indexes into ``entries``,
    when at least ``item_match``; ties go to the lowest ``rank``. Distinct shingle sets are
    indexed and scored once each."""
    distinct: dict[Hashable, int] = {}
    members: list[list[int]] = []
    for index, shingle_set in enumerate(sets):
        if len(shingle_set):
            slot = distinct.setdefault(key(shingle_set), len(distinct))
            if slot == len(members):
                members.append([])
            members[slot].append(index)
    representatives = [sets[m[0]] for m in members]
    # an entry's best match in a distinct set is its first-ranked entry, or, when that one is
    # the entry's own agency, the first-ranked entry of any other agency
    firsts = []
    for member in members:
        ranked = sorted(member, key=lambda i: rank(entries[i]))
        head = entries[ranked[0]].agency_id
        firsts.append((ranked[0], next((i for i in ranked if entries[i].agency_id != head), None)))
    candidates = _lsh_candidates(representatives, config.item_match, config)
    out = []
    for slot, member in enumerate(members):
        scored = sorted(((score(representatives[slot], representatives[c]), c) for c in candidates[slot]),
                        reverse=True)
        scored = [(s, c) for s, c in scored if s >= config.item_match]
        for i in member:
            best: tuple[float, int] | None = None
            for value, c in scored:
                if best is not None and value < best[0]:
                    break
                first, second = firsts[c]
                other = first if entries[first].agency_id != entries[i].agency_id else second
                if other is not None and (best is None or rank(entries[other]) < rank(entries[best[1]])):
                    best = (value, other)
            if best is not None:
                out.append((i, best[1], best[0]))
    return out


def _lsh_candidates(sets: Sequence[frozenset[int] | Codes], threshold: float,
                    config: SimilarityConfig) -> list[list[int]]:
    """For each set: itself, then at most ``_MAX_CANDIDATES`` sets worth an exact score, best
    MinHash estimate first.

    Banding as in LSH (datasketch picks the bands for the threshold): sets whose signatures
    agree on a whole band share a bucket. Text copied by hundreds of agencies makes buckets of
    hundreds, and pairing them all is quadratic (at 100k reports with every text distinct,
    datasketch's MinHashLSH.query spent 8 min on one year). So a set is paired with at most
    ``_BUCKET_NEIGHBOURS`` bucket-mates on each side in each band (every pair in a smaller
    bucket), and a pair is kept when the MinHash estimate of its Jaccard index reaches
    ``threshold - _LSH_SLACK``. In a crowd of near-copies any neighbour is a near-copy, so the
    closest match found is a near-copy too, if not always the very closest.
    """
    count = len(sets)
    if count < 2:
        return [[i] for i in range(count)]
    perms, floor = config.lsh_permutations, max(0.05, threshold - _LSH_SLACK)
    signatures = np.vstack([m.hashvalues for m in MinHash.bulk(
        sets, num_perm=perms, seed=1, hashfunc=int, scheme="affine64")])
    band_count, rows = _bands(floor, perms)
    found = []  # first * count + second, both directions
    for band in range(band_count):
        key = np.zeros(count, dtype=np.uint64)
        for column in range(band * rows, (band + 1) * rows):
            key = key * np.uint64(0x100000001B3) + signatures[:, column]  # wraps: a hash of the band
        first, second = _bucket_pairs(key, _BUCKET_NEIGHBOURS)
        found += [first * count + second, second * count + first]
    pairs = np.concatenate(found)
    del found  # a year of 40k distinct items makes ~8M pairs here: free each copy early
    pairs = np.unique(pairs)
    first, second = np.divmod(pairs, count)
    del pairs
    estimate = np.empty(len(first))
    for start in range(0, len(first), 20_000):  # 20k pairs × 2 signatures ≈ 40 MB at a time
        part = slice(start, start + 20_000)
        estimate[part] = (signatures[first[part]] == signatures[second[part]]).mean(axis=1)
    keep = estimate >= floor
    first, second, estimate = first[keep], second[keep], estimate[keep]
    order = np.lexsort((second, -estimate, first))
    first, second = first[order], second[order]
    bounds = np.searchsorted(first, np.arange(count + 1))
    return [[i, *second[bounds[i] : min(bounds[i + 1], bounds[i] + _MAX_CANDIDATES)].tolist()]
            for i in range(count)]


@lru_cache(maxsize=32)
def _bands(threshold: float, perms: int) -> tuple[int, int]:
    """datasketch's (bands, rows per band) for the threshold: building a MinHashLSH just to ask
    costs ~55 ms, four times a year in a refresh."""
    lsh = MinHashLSH(threshold=threshold, num_perm=perms)
    return lsh.b, lsh.r


def _bucket_pairs(keys: np.ndarray, neighbours: int) -> tuple[np.ndarray, np.ndarray]:
    """(a, b) index pairs of sets with equal keys: each set and the next ``neighbours`` sets of
    its bucket, cyclically (so a bucket of up to ``neighbours + 1`` yields every pair)."""
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    opens = np.r_[True, ordered[1:] != ordered[:-1]]
    start = np.maximum.accumulate(np.where(opens, np.arange(len(keys)), 0))
    size = np.bincount(np.cumsum(opens) - 1)[np.cumsum(opens) - 1]
    position = np.arange(len(keys)) - start
    firsts, seconds = [], []
    for step in range(1, neighbours + 1):
        valid = size > step
        firsts.append(order[valid])
        seconds.append(order[(start + (position + step) % size)[valid]])
    return np.concatenate(firsts), np.concatenate(seconds)


# ---------------------------------------------------------------------------
# Whole sections
# ---------------------------------------------------------------------------


def compare_sections(sections: Sequence[SectionText], config: SimilarityConfig | None = None,
                     common: Mapping[str, Codes] | None = None,
                     kinds: Collection[str] = KINDS) -> list[SectionScore]:
    """Each section against the same section of the agency's most recent earlier report
    (copied = 内容雷同 at ``section_copied``), and its closest counterpart among other
    agencies' reports of the same year when at least ``item_match`` similar.

    ``common`` maps a section name to its boilerplate (default: counted over ``sections``).
    """
    config = config or default_config()
    sets: list[Codes] = [_NO_CODES] * len(sections)
    for name, indexes in _group(range(len(sections)), lambda i: sections[i].section).items():
        texts = [sections[i].text for i in indexes]
        boilerplate = common[name] if common is not None else boilerplate_codes(texts, config)
        for i, codes in zip(indexes, code_arrays(texts, config, boilerplate), strict=True):
            sets[i] = codes
    return score_sections(sections, sets, config, kinds)


def score_sections(sections: Sequence[SectionText], sets: Sequence[Codes], config: SimilarityConfig,
                   kinds: Collection[str] = KINDS) -> list[SectionScore]:
    """:func:`compare_sections` on the sections' shingle codes, boilerplate already removed."""
    out: list[SectionScore] = []
    for indexes in _group(range(len(sections)), lambda i: sections[i].section).values():
        group, group_sets = [sections[i] for i in indexes], [sets[i] for i in indexes]
        if SAME_AGENCY in kinds:
            out += _previous_report(group, group_sets, config)
        if OTHER_AGENCY in kinds:
            out += _other_agencies(group, group_sets, config)
    return sorted(out, key=lambda s: (s.report_id, s.section, s.kind))


def _previous_report(group: list[SectionText], sets: Sequence[Codes],
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


def _other_agencies(group: list[SectionText], sets: Sequence[Codes],
                    config: SimilarityConfig) -> list[SectionScore]:
    out = []
    for indexes in _group(range(len(group)), lambda i: group[i].year).values():
        found = _closest_other_agency([group[i] for i in indexes], [sets[i] for i in indexes], config,
                                      key=lambda codes: codes.tobytes(), score=jaccard_codes,
                                      rank=lambda section: (section.report_id,))
        out += [_section_score(group[indexes[i]], group[indexes[j]], sets[indexes[i]], sets[indexes[j]],
                               OTHER_AGENCY, config) for i, j, _ in found]
    return out


def _section_score(section: SectionText, other: SectionText, a: Codes, b: Codes,
                   kind: str, config: SimilarityConfig) -> SectionScore:
    score = jaccard_codes(a, b)
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
