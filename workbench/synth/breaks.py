"""Deliberately broken reports: what the checks and the narrative comparison must find.

A fixed, seeded share of agency-years is chosen before any report is built (``plan``);
each chosen one gets one kind of break, applied to the ground truth itself, so the
document and its expected record both carry it (the record describes what the document
says, broken or not):

* ``identity``   — one 勾稽 identity of table 三 or 四 off by one (four variants, each
  breaking exactly one rule: outcome_sum, row_total, column_flow, review.total);
* ``carry_over`` — this year's 上年结转 differs from last year's 结转下年度继续办理 in one
  applicant column (the year's own table stays consistent);
* ``copied_section5`` — section 五 copied from the agency's previous report, verbatim
  (last year's dates left in) or near-verbatim (dates moved on, filler words added).

``late`` is not planned: every report dated after its statutory deadline (about one in
ten, drawn with the 落款 date) is recorded as a ``late`` break, so the manifest lists
every report that breaks a rule on purpose. ``rules`` names the check rules each break
must trigger (and no other rule of :data:`BREAK_RULES`).

``not_published`` is a report that is not there: asked for (``unpublished``), a few agencies
miss the last year, the first of them also the year before. Their rows in ``breaks.tsv``
have no document; the rule is ``roster.not_published`` (the roster, not a check, finds them:
``roster.csv`` lists every agency, :mod:`workbench.store.roster`).
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from datetime import date

from workbench.templates import layouts

IDENTITY, LATE, COPIED, CARRY = "identity", "late", "copied_section5", "carry_over"
BREAK_KINDS = (IDENTITY, LATE, COPIED, CARRY)
NOT_PUBLISHED = "not_published"  # a report left out on purpose: a breaks.tsv row without a document
ABSENCE_KINDS = (NOT_PUBLISHED,)
NOT_PUBLISHED_RULE = "roster.not_published"
PLANNED = (IDENTITY, COPIED, CARRY)  # late publication comes with the date, not from the plan
# Every rule a deliberate break may trigger; reports not in the manifest trigger none of them.
BREAK_RULES = ("requests.column_flow", "requests.outcome_sum", "requests.row_total", "review.total",
               "timeliness.late", "chain.carry_over")
DEFAULT_BREAK_SHARE = 0.06  # of all agency-years, broken on purpose (late ones come on top)


@dataclass(frozen=True)
class Break:
    kind: str
    rules: tuple[str, ...]  # check rule ids this break triggers
    detail: str  # what was broken, in words (for the manifest and the digest)


def plan(count: int, years: range, seed: int, share: float,
         carry_ok: frozenset[int] | None = None) -> dict[tuple[int, int], str]:
    """(agency index, year) -> planned kind, for ``share`` of the agency-years.

    The first year is never chosen: a copied section or a carry-over mismatch needs the
    year before in the corpus. The kinds come in about equal numbers; a carry-over
    mismatch goes only to the agencies in ``carry_ok`` (those that never leave table 三
    blank, so last year's 结转下年度 is printed; None = every agency).
    """
    if not 0 <= share <= 1:
        raise ValueError("break share must be between 0 and 1")
    later = sorted(years)[1:]
    rng = random.Random(f"{seed}:breaks")
    wanted = min(count * len(later), round(share * count * len(years)))
    kinds = list(PLANNED)
    rng.shuffle(kinds)
    chosen: dict[tuple[int, int], str] = {}
    for i in range(wanted):
        kind = kinds[i % len(kinds)]
        agencies = [a for a in range(count) if kind != CARRY or carry_ok is None or a in carry_ok]
        free = [(a, y) for a in agencies for y in later if (a, y) not in chosen]
        if not free:  # no agency can take this kind: an identity break instead
            free = [(a, y) for a in range(count) for y in later if (a, y) not in chosen]
            kind = IDENTITY
        chosen[rng.choice(free)] = kind
    return chosen


# ---------------------------------------------------------------- late publication
def late(published: date, deadline: date, government: bool) -> Break | None:
    if published <= deadline:
        return None
    who = "县级以上地方人民政府" if government else "部门"
    return Break(LATE, ("timeliness.late",),
                 f"published {published.isoformat()}, deadline {deadline.isoformat()} ({who}): "
                 f"{(published - deadline).days} days late")


def not_published(year: int, first_year: int, deadline: date, government: bool) -> Break:
    who = "县级以上地方人民政府" if government else "部门"
    return Break(NOT_PUBLISHED, (NOT_PUBLISHED_RULE,),
                 f"no report for {year} (left out on purpose; on the roster from {first_year}), "
                 f"deadline {deadline.isoformat()} ({who})")


# ---------------------------------------------------------------- table identities
_ORDINAL = re.compile(r"^(?:[一二三四五六七八九十]、|（[一二三四五六七八九十]）|\d+\.)")


def _label(key: str) -> str:
    lay = layouts()
    labels = {c.key: c.label for c in lay.request_columns}
    labels.update({r.key: _ORDINAL.sub("", r.label) for r in lay.request_rows})
    labels.update({p.key: p.label for p in lay.proceedings})
    return labels.get(key, key)


IDENTITY_VARIANTS = ("outcome_sum", "row_total", "column_flow", "review_total")


def identity_variants(planned: dict[tuple[int, int], str], seed: int) -> dict[tuple[int, int], str]:
    """Which identity each planned identity break puts off, in turn, so a batch has every variant."""
    variants = list(IDENTITY_VARIANTS)
    random.Random(f"{seed}:identity").shuffle(variants)
    pairs = sorted(pair for pair, kind in planned.items() if kind == IDENTITY)
    return {pair: variants[i % len(variants)] for i, pair in enumerate(pairs)}


def break_identity(requests: dict[str, dict[str, int]], review: dict[str, dict[str, int]],
                   rng: random.Random, variant: str | None = None) -> Break:
    """Put one identity off by one, in place; each variant breaks exactly one rule."""
    columns = [c for c in layouts().applicant_keys if c != "total"]
    rows = list(requests)
    outcomes = rows[rows.index("granted"): rows.index("total_processed")]
    variant = variant or rng.choice(IDENTITY_VARIANTS)
    col = rng.choice(columns)
    if variant == "row_total":
        filled = [(r, c) for r in outcomes for c in columns if requests[r][c] > 0]
        if filled:  # one request moved between outcome rows, the 总计 column left as it was
            source, col = rng.choice(filled)
            target = rng.choice([r for r in outcomes if r != source])
            requests[source][col] -= 1
            requests[target][col] += 1
            return Break(IDENTITY, ("requests.row_total",),
                         f"table 三 {_label(col)} column: one request moved from {_label(source)} to "
                         f"{_label(target)}, 总计 column not changed (rows {source}, {target})")
        variant = "outcome_sum"  # nothing to move: an empty table gets the outcome variant
    if variant == "outcome_sum":
        row = rng.choice(outcomes)
        requests[row][col] += 1
        requests[row]["total"] += 1
        return Break(IDENTITY, ("requests.outcome_sum",),
                     f"table 三 {_label(row)} +1 in the {_label(col)} and 总计 columns; (七)总计 not changed")
    if variant == "column_flow":
        requests["new_received"][col] += 1
        requests["new_received"]["total"] += 1
        return Break(IDENTITY, ("requests.column_flow",),
                     f"table 三 本年新收 +1 in the {_label(col)} and 总计 columns; outcomes not changed")
    proceeding = rng.choice(list(review))
    review[proceeding]["total"] += 1
    return Break(IDENTITY, ("review.total",), f"table 四 {_label(proceeding)} 总计 +1")


# ---------------------------------------------------------------- carry-over chain
def carry_shift(carried: dict[str, int], rng: random.Random) -> tuple[dict[str, int], Break]:
    """A shift of one column's 上年结转 away from last year's 结转下年度 (a corrected figure)."""
    columns = [c for c in layouts().applicant_keys if c != "total"]
    col = rng.choice(sorted(columns, key=lambda c: -carried.get(c, 0))[:2])
    carried = {c: carried.get(c, 0) for c in columns}
    shift = -1 if carried[col] >= 2 and rng.random() < 0.4 else rng.randint(1, 3)
    return {col: shift}, Break(CARRY, ("chain.carry_over",),
                               f"table 三 {_label(col)} column: 上年结转 {carried[col] + shift}, last year's "
                               f"结转下年度继续办理 {carried[col]}")


# ---------------------------------------------------------------- copied section 五
_WORD_TWEAKS = ((re.compile(r"(?<!进一步)加强"), "进一步加强"), (re.compile(r"(?<!持续)提升"), "持续提升"),
                (re.compile(r"(?<!不断)完善"), "不断完善"))


def near_copy(text: str, from_year: int, to_year: int) -> str:
    """Last year's text made to look new: years moved on, filler words added (进一步, 持续 …)."""
    text = re.sub(r"(\d{4})年", lambda m: f"{int(m.group(1)) + to_year - from_year}年", text)
    for pattern, replacement in _WORD_TWEAKS:
        text = pattern.sub(replacement, text)
    return text


def copied(from_year: int, near: bool) -> Break:
    how = "near-verbatim (years moved on, 进一步/持续/不断 added)" if near else "verbatim"
    return Break(COPIED, (), f"section 五 copied from the {from_year} report, {how}")
