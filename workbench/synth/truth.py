"""Ground truth first: the table part of a report record for each agency and year.

Each agency gets a profile (its scale and habits) and then a year-by-year story:
requests grow, what is carried forward into the next year is exactly what that year
reports as carried over, item counts move by the printed 本年增/减, and the number of
normative documents in force moves by what was issued and repealed.

Every row, column, item and measure key comes from ``workbench.templates.layouts()``;
this module never names a label.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

from workbench.synth.agencies import Agency
from workbench.templates import layouts

Number = int | float

# Relative frequency of each outcome of a request (keys of the spec's request rows).
OUTCOME_WEIGHTS = {
    "granted": 38, "partially_granted": 8, "denied_state_secret": 0.5, "denied_law_prohibited": 1,
    "denied_three_security": 0.5, "denied_third_party": 1, "denied_internal_affairs": 2,
    "denied_process_info": 2, "denied_enforcement_file": 0.5, "denied_admin_query": 2,
    "unable_no_info": 25, "unable_needs_creation": 3, "unable_unclear": 2,
    "not_processed_petition": 5, "not_processed_duplicate": 2, "not_processed_publication": 0.5,
    "not_processed_excessive": 1, "not_processed_confirmation": 0.5, "other_handling": 6,
    "other_no_correction": 3, "other_fee_unpaid": 0.5, "other_misc": 2.5,
}
REVIEW_RESULT_WEIGHTS = {"upheld": 50, "corrected": 10, "other": 30, "pending": 10}

# Per level: (new requests in 2019 low, high), share of agencies that receive none,
# (items proactively published low, high), review cases per request.
LEVELS = {
    "city_gov": ((200, 2500), 0.0, (3000, 15000), (0.03, 0.12)),
    "county_gov": ((30, 300), 0.0, (800, 5000), (0.02, 0.08)),
    "township": ((1, 8), 0.5, (50, 600), (0.0, 0.05)),
    "city_bureau": ((3, 120), 0.1, (100, 2500), (0.0, 0.06)),
    "county_bureau": ((1, 25), 0.35, (20, 600), (0.0, 0.05)),
}
# Section 二 scales per level: item -> (decisions low, high); None = the body has no such power.
DECISIONS = {
    "city_gov": {"licensing": (20000, 500000), "other_services": (1000, 60000), "penalties": (2000, 60000), "enforcement": (50, 3000)},
    "county_gov": {"licensing": (2000, 60000), "other_services": (200, 20000), "penalties": (200, 8000), "enforcement": (10, 600)},
    "township": {"licensing": (0, 300), "other_services": (0, 800), "penalties": (0, 60), "enforcement": (0, 10)},
    "city_bureau": {"licensing": (100, 30000), "other_services": (50, 10000), "penalties": (0, 3000), "enforcement": (0, 300)},
    "county_bureau": {"licensing": (10, 5000), "other_services": (0, 3000), "penalties": (0, 600), "enforcement": (0, 60)},
}
IN_FORCE_START = {"city_gov": (100, 500), "county_gov": (30, 200), "township": (0, 10),
                  "city_bureau": (5, 80), "county_bureau": (0, 30)}
ISSUED = {"city_gov": (10, 60), "county_gov": (3, 25), "township": (0, 2), "city_bureau": (0, 10),
          "county_bureau": (0, 5)}
FEES_10K = {"city_gov": (1000, 100000), "county_gov": (100, 10000), "township": (0, 50),
            "city_bureau": (0, 5000), "county_bureau": (0, 800)}
PROCUREMENT = {"city_gov": ((20, 400), (10**6, 10**9)), "county_gov": ((10, 100), (10**5, 5 * 10**7)),
               "township": ((0, 5), (0, 10**6)), "city_bureau": ((1, 30), (10**4, 10**7)),
               "county_bureau": ((0, 10), (0, 2 * 10**6))}
# Bodies that may make 规章: only the governments of cities with districts.
MAKES_REGULATIONS = {"city_gov"}


@dataclass
class Profile:
    """An agency's scale and habits, fixed across its years."""

    requests_base: float
    growth: float
    zero_requests: bool
    proactive_base: int
    applicant_weights: tuple[float, ...]
    outcome_weights: dict[str, float]
    carry_rate: float
    review_rate: float
    other_layout: str  # how 2021-template reports print （六）其他处理: split | single
    blank_items: frozenset[str]  # section 二 rows this body leaves blank every year
    blank_empty_tables: bool  # leaves tables 三/四 blank (not 0) when it has nothing to report
    fee_habit: str  # how section 六 reports fees: zero | amount | silent
    # From this year on the body leaves 行政处罚 / 行政强制 blank: its enforcement powers went to a
    # 综合行政执法局 and it stopped reporting them (None = reports them every year).
    penalties_stop: int | None = None

    def blank_items_in(self, year: int) -> frozenset[str]:
        if self.penalties_stop is not None and year >= self.penalties_stop:
            return self.blank_items | {"penalties", "enforcement"}
        return self.blank_items


@dataclass
class YearState:
    """What one year hands to the next."""

    carried: dict[str, int] = field(default_factory=dict)  # per applicant column
    counts: dict[str, int] = field(default_factory=dict)  # 2019 template: item -> project count
    published: dict[str, int] = field(default_factory=dict)  # item -> total published / in force


def make_profile(agency: Agency, rng: random.Random) -> Profile:
    (req_lo, req_hi), zero_share, (pro_lo, pro_hi), (rev_lo, rev_hi) = LEVELS[agency.level]
    zero = rng.random() < zero_share
    natural = rng.uniform(0.82, 0.97)
    others = [rng.random() * w for w in (6, 0.3, 0.4, 2.5, 1.2)]
    scale = (1 - natural) / sum(others)
    blank: set[str] = set()
    if agency.level not in MAKES_REGULATIONS and rng.random() < 0.5:
        blank.add("regulations")
    if agency.level in ("township", "county_bureau"):
        blank.update(i for i in ("fees", "procurement", "other_services", "licensing") if rng.random() < 0.4)
    if agency.level == "township" and rng.random() < 0.3:
        blank.update(item.key for item in layouts().items)  # the whole of section 二 left empty
    return Profile(
        requests_base=rng.uniform(req_lo, req_hi),
        growth=rng.uniform(-0.05, 0.25),
        zero_requests=zero,
        proactive_base=rng.randint(pro_lo, pro_hi),
        applicant_weights=(natural, *(o * scale for o in others)),
        outcome_weights={k: w * rng.uniform(0.5, 1.6) for k, w in OUTCOME_WEIGHTS.items()},
        carry_rate=0.0 if agency.level == "township" else rng.uniform(0.0, 0.06),
        review_rate=rng.uniform(rev_lo, rev_hi),
        other_layout="single" if rng.random() < 0.2 else "split",
        blank_items=frozenset(blank),
        blank_empty_tables=agency.level in ("township", "county_bureau") and rng.random() < 0.6,
        fee_habit=rng.choices(("zero", "amount", "silent"), (6, 3, 1))[0],
        # drawn last, so the draws above stay what they were before this habit existed
        penalties_stop=_penalties_stop(agency, rng),
    )


def _penalties_stop(agency: Agency, rng: random.Random) -> int | None:
    if agency.level not in ("city_bureau", "county_bureau") or rng.random() >= 0.15:
        return None
    return rng.randint(2020, 2023)


def template_for(year: int) -> str:
    return "2019" if year < 2021 else "2021"


def request_layout(profile: Profile, template: str) -> str:
    return "single" if template == "2019" else profile.other_layout


def multinomial(rng: random.Random, n: int, keys: list[str], weights: list[float]) -> dict[str, int]:
    """n draws spread over keys (n is at most a few thousand, so drawing one by one is fine)."""
    counts = Counter(rng.choices(keys, weights, k=n)) if n > 0 else Counter()
    return {k: counts.get(k, 0) for k in keys}


def new_requests(profile: Profile, year: int, rng: random.Random) -> int:
    if profile.zero_requests:
        return 1 if rng.random() < 0.08 else 0
    trend = profile.requests_base * (1 + profile.growth) ** (year - 2019)
    return max(0, round(trend * rng.uniform(0.8, 1.2)))


def requests_table(profile: Profile, year: int, layout: str, state: YearState,
                   rng: random.Random, carry_shift: dict[str, int] | None = None) -> dict[str, dict[str, int]]:
    """Section 三 as row -> applicant -> value, satisfying every identity of the spec.

    ``carry_shift`` moves this year's 上年结转 away from last year's 结转下年度 in some
    columns (a deliberate carry-over mismatch); the year's own identities still hold.
    """
    lay = layouts()
    columns = [c for c in lay.applicant_keys if c != "total"]
    rows = [r.key for r in lay.request_rows_for(layout)]
    outcomes = rows[rows.index("granted"): rows.index("total_processed")]
    new = multinomial(rng, new_requests(profile, year, rng), columns, list(profile.applicant_weights))
    carried = {c: state.carried.get(c, 0) + (carry_shift or {}).get(c, 0) for c in columns}
    table: dict[str, dict[str, int]] = {r: {} for r in rows}
    for col in columns:
        available = new[col] + carried[col]
        forward = min(available, round(available * profile.carry_rate * rng.uniform(0.3, 1.7)))
        spread = multinomial(rng, available - forward, outcomes, [profile.outcome_weights[o] for o in outcomes])
        table["new_received"][col] = new[col]
        table["carried_over"][col] = carried[col]
        for outcome, value in spread.items():
            table[outcome][col] = value
        table["total_processed"][col] = available - forward
        table["carried_forward"][col] = forward
    for row in rows:
        table[row]["total"] = sum(table[row][c] for c in columns)
    state.carried = dict(table["carried_forward"])
    return table


def review_table(profile: Profile, requests_total: int, rng: random.Random) -> dict[str, dict[str, int]]:
    """Section 四 as proceeding -> result -> value, with total = the four results."""
    lay = layouts()
    review = round(requests_total * profile.review_rate * rng.uniform(0.6, 1.4))
    sizes = {"review": review,
             "litigation_direct": round(review * rng.uniform(0.1, 0.5)),
             "litigation_after_review": round(review * rng.uniform(0.05, 0.3))}
    results = [r.key for r in lay.results if r.key != "total"]
    table: dict[str, dict[str, int]] = {}
    for proceeding in (p.key for p in lay.proceedings):
        table[proceeding] = multinomial(rng, sizes[proceeding], results, [REVIEW_RESULT_WEIGHTS[r] for r in results])
        table[proceeding]["total"] = sizes[proceeding]
    return table


def active_values(agency: Agency, profile: Profile, template: str, state: YearState,
                  rng: random.Random) -> dict[str, dict[str, Number]]:
    """Section 二 as item -> measure -> value for this template, moving the year state on."""
    values: dict[str, dict[str, Number]] = {}
    for item, measures in layouts().item_measures(template):
        values[item.key] = _item_values(agency, item.key, measures, state, rng)
    return values


def _item_values(agency: Agency, item: str, measures: tuple[str, ...], state: YearState,
                 rng: random.Random) -> dict[str, Number]:
    level = agency.level
    if item in ("regulations", "normative_documents"):
        return _document_counts(agency, item, measures, state, rng)
    if item == "fees" and "amount_10k_yuan" in measures:
        lo, hi = FEES_10K[level]
        cents = rng.randint(lo * 100, hi * 100)
        return {"amount_10k_yuan": cents // 100 if cents % 100 == 0 else cents / 100}
    if item == "procurement":
        (plo, phi), (alo, ahi) = PROCUREMENT[level]
        projects = rng.randint(plo, phi)
        amount: Number = rng.randint(alo, ahi) // 100 * 100 if projects else 0
        if amount and rng.random() < 0.25:  # some reports print 元 with fen
            amount = round(amount + rng.randint(1, 99) / 100, 2)
        return {"projects": projects, "amount_yuan": amount}
    result: dict[str, Number] = {}
    if "prev_count" in measures:
        count = state.counts.get(item)
        if count is None:
            count = rng.randint(5, 60) if item == "fees" else rng.randint(0, 900 if level != "township" else 30)
        change = rng.randint(-min(count, 20), 20) if rng.random() < 0.7 else 0
        state.counts[item] = count + change
        result.update(prev_count=count, change=change)
    if "decisions" in measures:
        lo, hi = DECISIONS[level][item]
        result["decisions"] = round(rng.randint(lo, hi) * rng.uniform(0.85, 1.15))
    return result


def _document_counts(agency: Agency, item: str, measures: tuple[str, ...], state: YearState,
                     rng: random.Random) -> dict[str, Number]:
    """规章 / 规范性文件: made, published, in force — the stock moves with what was issued."""
    makes = item == "normative_documents" or agency.level in MAKES_REGULATIONS
    if item not in state.published:
        lo, hi = IN_FORCE_START[agency.level] if item == "normative_documents" else (20, 120)
        state.published[item] = rng.randint(lo, hi) if makes else 0
    lo, hi = ISSUED[agency.level] if item == "normative_documents" else (0, 5)
    issued = rng.randint(lo, hi) if makes else 0
    before = state.published[item]
    if "issued" in measures:
        repealed = rng.randint(0, min(before, max(2, before // 8))) if makes else 0
        state.published[item] = before + issued - repealed
        return {"issued": issued, "repealed": repealed, "in_force": state.published[item]}
    published = issued if rng.random() < 0.85 else rng.randint(0, issued)
    state.published[item] = before + published
    return {"new_made": issued, "new_published": published, "total_published": state.published[item]}


def deadline(agency: Agency, year: int) -> date:
    """The statutory deadline (条例 art. 49): 31 March for governments' own reports, else 31 January."""
    return date(year + 1, 3, 31) if agency.is_government else date(year + 1, 1, 31)


def published_on(agency: Agency, year: int, rng: random.Random) -> date:
    """The 落款 date: mostly before the statutory deadline, sometimes weeks late (about 1 in 16)."""
    deadline_ = deadline(agency, year)
    if rng.random() < 0.06:
        return deadline_ + timedelta(days=rng.randint(1, 60))
    earliest = date(year + 1, 1, 5)
    return earliest + timedelta(days=rng.randint(0, (deadline_ - earliest).days))
