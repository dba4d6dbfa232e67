"""One synthetic report: its record (the ground truth) and the prose every format prints.

Records are built agency by agency, year by year in order, so each year continues the
previous one; every random choice comes from a ``random.Random`` seeded with a string
naming the seed, the agency and the year, so one seed always gives the same reports,
whatever the formats asked for.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

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


def build_reports(count: int, years: range, seed: int) -> list[Report]:
    agencies = make_agencies(count, random.Random(f"{seed}:agencies"))
    reports = []
    for index, agency in enumerate(agencies):
        profile = truth.make_profile(agency, random.Random(f"{seed}:profile:{index}"))
        state = truth.YearState()
        ordered = sorted(years)
        # A warm-up year gives the first report something carried over and a stock in force.
        _tables(agency, profile, ordered[0] - 1, state, random.Random(f"{seed}:{index}:warmup"))
        for year in ordered:
            rng = random.Random(f"{seed}:{index}:{year}")
            reports.append(_report(index, agency, profile, year, state, rng))
    return reports


def _tables(agency: Agency, profile: truth.Profile, year: int, state: truth.YearState,
            rng: random.Random) -> tuple[str, str, dict, dict, dict]:
    template = truth.template_for(year)
    layout = truth.request_layout(profile, template)
    active = truth.active_values(agency, profile, template, state, rng)
    requests = truth.requests_table(profile, year, layout, state, rng)
    review = truth.review_table(profile, requests["new_received"]["total"], rng)
    return template, layout, active, requests, review


def _report(index: int, agency: Agency, profile: truth.Profile, year: int, state: truth.YearState,
            rng: random.Random) -> Report:
    template, layout, active, requests, review = _tables(agency, profile, year, state, rng)
    requests_blank = profile.blank_empty_tables and all(v == 0 for row in requests.values() for v in row.values())
    review_blank = profile.blank_empty_tables and all(v == 0 for row in review.values() for v in row.values())
    lay = layouts()
    record: dict[str, Any] = {
        "agency": agency.name,
        "year": year,
        "template": template,
        "published_on": None,
        "source": None,
        "active_disclosure": [
            {"item": item.key, "measure": m, "value": None if item.key in profile.blank_items else active[item.key][m]}
            for item, measures in lay.item_measures(template) for m in measures],
        "requests": [
            {"row": row.key, "applicant": col, "value": None if requests_blank else requests[row.key][col]}
            for row in lay.request_rows_for(layout) for col in lay.applicant_keys],
        "review_litigation": [
            {"proceeding": p, "result": r, "value": None if review_blank else review[p][r]}
            for p, r in lay.review_cells()],
    }
    facts = _facts(record, agency, profile, year, requests_blank, review_blank, rng)
    words = prose_mod.write(agency, facts, profile.fee_habit, rng)
    signed = truth.published_on(agency, year, rng)
    record["published_on"] = signed.isoformat()
    record["submitted_info"] = words.submitted_info
    record["problems"] = words.problem_items
    record["improvements"] = words.improvement_items
    record["fees_collected_yuan"] = words.fees_collected_yuan
    prose = {"title": _title(agency, year, rng), "preamble": words.preamble, "overview": words.overview,
             "problems": words.problems, "other": words.other, "date": prose_mod.closing_date(signed),
             "signed": signed}
    return Report(index, agency, year, {k: record[k] for k in RECORD_KEYS}, prose)


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
