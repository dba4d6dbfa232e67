"""One synthetic report: its record (the ground truth) and the prose every format prints.

Records are built agency by agency, year by year in order, so each year continues the
previous one; every random choice comes from a ``random.Random`` seeded with a string
naming the seed, the agency and the year, so one seed always gives the same reports,
whatever the formats asked for.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from typing import Any

from workbench.synth import breaks as breaks_mod
from workbench.synth import prose as prose_mod
from workbench.synth import truth
from workbench.synth.agencies import Agency, make_agencies
from workbench.templates import layouts

RECORD_KEYS = ("agency", "year", "template", "published_on", "source", "active_disclosure", "requests",
               "review_litigation", "submitted_info", "problems", "improvements", "fees_collected_yuan")


@dataclass
class Report:
    index: int  # the agency's position in the batch
    agency: Agency
    year: int
    record: dict[str, Any]  # the spec's record; ``source`` is filled per written document
    prose: dict[str, Any]  # title lines, preamble, overview, problems, other, date
    breaks: list[breaks_mod.Break] = field(default_factory=list)  # what this report breaks on purpose
    words: prose_mod.Prose | None = None  # the prose as written (a later year may copy section 五)

    def breaks_kind(self, kind: str) -> bool:
        return any(b.kind == kind for b in self.breaks)


def build_reports(count: int, years: range, seed: int, break_share: float = 0.0) -> list[Report]:
    """Every agency's reports, year by year; ``break_share`` of the agency-years after the
    first are broken on purpose (see :mod:`workbench.synth.breaks`). Late publication is
    drawn with the date whatever the share, and listed in each report's ``breaks``."""
    agencies = make_agencies(count, random.Random(f"{seed}:agencies"))
    profiles = [truth.make_profile(a, random.Random(f"{seed}:profile:{i}")) for i, a in enumerate(agencies)]
    # Only an agency that never leaves table 三 blank is sure to print last year's 结转下年度.
    carry_ok = frozenset(i for i, p in enumerate(profiles) if not p.blank_empty_tables)
    planned = breaks_mod.plan(count, years, seed, break_share, carry_ok)
    variants = breaks_mod.identity_variants(planned, seed)
    reports = []
    for index, (agency, profile) in enumerate(zip(agencies, profiles, strict=True)):
        state = truth.YearState()
        ordered = sorted(years)
        # A warm-up year gives the first report something carried over and a stock in force.
        _tables(agency, profile, ordered[0] - 1, state, random.Random(f"{seed}:{index}:warmup"))
        previous: Report | None = None
        for year in ordered:
            rng = random.Random(f"{seed}:{index}:{year}")
            # Breaks draw from their own stream: the reports of a batch without breaks stay the same.
            plan = _Plan(planned.get((index, year)), previous, random.Random(f"{seed}:break:{index}:{year}"),
                         variants.get((index, year)))
            previous = _report(index, agency, profile, year, state, rng, plan)
            reports.append(previous)
    return reports


def leave_out(reports: list[Report], count: int, seed: int) -> tuple[list[Report], list[Report]]:
    """(kept, left out): ``count`` agencies' reports of the last year are not published (fewer if
    fewer have a last year without another break), and the
    first such agency's report of the year before neither (when there is one). Only reports
    with no other break are left out, so every other report of the batch, and every other row
    of ``breaks.tsv``, stays as it was; the agencies are drawn by seed, of as many levels as
    can be. Each left-out report's ``breaks`` is its ``not_published`` break."""
    if count <= 0:
        return reports, []
    years = sorted({r.year for r in reports})
    by_agency: dict[int, dict[int, Report]] = {}
    for report in reports:
        by_agency.setdefault(report.index, {})[report.year] = report

    def clean(index: int, wanted: list[int]) -> bool:
        return all(not by_agency[index][year].breaks for year in wanted)

    rng = random.Random(f"{seed}:unpublished")
    order = sorted(by_agency)
    rng.shuffle(order)
    double = years[-2:] if len(years) > 1 else years[-1:]
    first = next((i for i in order if clean(i, double)), None)
    chosen = [first] if first is not None else []
    for index in order:  # each further agency of a level not chosen yet, then any
        levels = {by_agency[i][years[-1]].agency.level for i in chosen}
        if len(chosen) < count and index not in chosen and clean(index, years[-1:]) \
                and by_agency[index][years[-1]].agency.level not in levels:
            chosen.append(index)
    chosen += [i for i in order if i not in chosen and clean(i, years[-1:])][: count - len(chosen)]
    missing = {(i, years[-1]) for i in chosen} | {(first, year) for year in double if first is not None}
    left = []
    for report in reports:
        if (report.index, report.year) in missing:
            agency = report.agency
            gone = breaks_mod.not_published(report.year, years[0], truth.deadline(agency, report.year),
                                            agency.is_government)
            left.append(replace(report, breaks=[gone]))
    return [r for r in reports if (r.index, r.year) not in missing], left


@dataclass
class _Plan:
    kind: str | None  # the planned break, if any
    previous: Report | None  # the agency's report of the year before
    rng: random.Random
    variant: str | None = None  # which identity an identity break puts off (None: drawn)
    done: list[breaks_mod.Break] = field(default_factory=list)

    def wants(self, kind: str) -> bool:
        return self.kind == kind and self.previous is not None


def _tables(agency: Agency, profile: truth.Profile, year: int, state: truth.YearState,
            rng: random.Random, plan: _Plan | None = None) -> tuple[str, str, dict, dict, dict]:
    template = truth.template_for(year)
    layout = truth.request_layout(profile, template)
    active = truth.active_values(agency, profile, template, state, rng)
    shift = None
    if plan is not None and plan.wants(breaks_mod.CARRY):
        if _printed_requests(plan.previous):
            shift, found = breaks_mod.carry_shift(dict(state.carried), plan.rng)
            plan.done.append(found)
        else:  # last year's table 三 was left blank: nothing to mismatch, copy section 五 instead
            plan.kind = breaks_mod.COPIED
    requests = truth.requests_table(profile, year, layout, state, rng, carry_shift=shift)
    review = truth.review_table(profile, requests["new_received"]["total"], rng)
    if plan is not None and plan.kind == breaks_mod.IDENTITY:
        plan.done.append(breaks_mod.break_identity(requests, review, plan.rng, plan.variant))
    return template, layout, active, requests, review


def _printed_requests(report: Report | None) -> bool:
    """Last year's table 三 was filled in (a blank one cannot be compared with)."""
    return report is not None and report.record["requests"][0]["value"] is not None


def _report(index: int, agency: Agency, profile: truth.Profile, year: int, state: truth.YearState,
            rng: random.Random, plan: _Plan) -> Report:
    template, layout, active, requests, review = _tables(agency, profile, year, state, rng, plan)
    requests_blank = profile.blank_empty_tables and all(v == 0 for row in requests.values() for v in row.values())
    review_blank = profile.blank_empty_tables and all(v == 0 for row in review.values() for v in row.values())
    blank_items = profile.blank_items_in(year)
    lay = layouts()
    record: dict[str, Any] = {
        "agency": agency.name,
        "year": year,
        "template": template,
        "published_on": None,
        "source": None,
        "active_disclosure": [
            {"item": item.key, "measure": m, "value": None if item.key in blank_items else active[item.key][m]}
            for item, measures in lay.item_measures(template) for m in measures],
        "requests": [
            {"row": row.key, "applicant": col, "value": None if requests_blank else requests[row.key][col]}
            for row in lay.request_rows_for(layout) for col in lay.applicant_keys],
        "review_litigation": [
            {"proceeding": p, "result": r, "value": None if review_blank else review[p][r]}
            for p, r in lay.review_cells()],
    }
    facts = _facts(record, agency, profile, year, requests_blank, review_blank, rng)
    words = prose_mod.write(agency, facts, profile.fee_habit, rng, copy_of=_copy_source(plan))
    signed = truth.published_on(agency, year, rng)
    late = breaks_mod.late(signed, truth.deadline(agency, year), agency.is_government)
    record["published_on"] = signed.isoformat()
    record["submitted_info"] = words.submitted_info
    record["problems"] = words.problem_items
    record["improvements"] = words.improvement_items
    record["fees_collected_yuan"] = words.fees_collected_yuan
    prose = {"title": _title(agency, year, rng), "preamble": words.preamble, "overview": words.overview,
             "problems": words.problems, "other": words.other, "date": prose_mod.closing_date(signed),
             "signed": signed}
    found = [*plan.done, *([late] if late else [])]
    return Report(index, agency, year, {k: record[k] for k in RECORD_KEYS}, prose, found, words)


def _copy_source(plan: _Plan) -> prose_mod.CopyOf | None:
    """Last year's section 五 to copy, when this report is planned to copy it."""
    previous = plan.previous
    if not plan.wants(breaks_mod.COPIED) or previous is None or previous.words is None:
        return None
    near = plan.rng.random() < 0.5
    plan.done.append(breaks_mod.copied(previous.year, near))
    return prose_mod.CopyOf(previous.words, previous.year, near)


def _facts(record: dict, agency: Agency, profile: truth.Profile, year: int, requests_blank: bool,
           review_blank: bool, rng: random.Random) -> prose_mod.Facts:
    active = {(c["item"], c["measure"]): c["value"] for c in record["active_disclosure"]}
    issued = active.get(("normative_documents", "issued"), active.get(("normative_documents", "new_made")))
    in_force = active.get(("normative_documents", "in_force"), active.get(("normative_documents", "total_published")))
    regulations = active.get(("regulations", "issued"), active.get(("regulations", "new_made")))
    requests: dict[str, dict] = {}
    for cell in record["requests"]:
        requests.setdefault(cell["row"], {})[cell["applicant"]] = cell["value"]
    review: dict[str, dict] = {}
    for cell in record["review_litigation"]:
        review.setdefault(cell["proceeding"], {})[cell["result"]] = cell["value"]
    trend = profile.proactive_base * (1 + profile.growth / 2) ** (year - 2019)
    return prose_mod.Facts(
        year=year,
        proactive=max(1, round(trend * rng.uniform(0.85, 1.15))),
        normative_issued=issued, normative_in_force=in_force, regulations_issued=regulations,
        requests=None if requests_blank else requests,
        review=None if review_blank else review,
    )


def _title(agency: Agency, year: int, rng: random.Random) -> list[str]:
    """The title as printed: one line or two, always containing the agency name exactly."""
    return rng.choice([
        [f"{agency.name}{year}年政府信息公开工作年度报告"],
        [f"{agency.name}{year}年度政府信息公开工作年度报告"],
        [f"{year}年{agency.name}政府信息公开工作年度报告"],
        [agency.name, f"{year}年政府信息公开工作年度报告"],
        [agency.name, f"{year}年度政府信息公开工作年度报告"],
    ])
