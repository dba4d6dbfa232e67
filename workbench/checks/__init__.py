"""Compliance checks on report records: rules as data (rules.yaml), one function per rule.

    findings = check_report(record)                       # report rules
    findings = check_report(record, previous=last_year)   # + pair rules (chain, stock)

Works on ReportRecord objects only; it never touches the store. The parser's own
findings (``record.findings``: ambiguous splits, missing rows) stay the parser's
and are not repeated here.
"""

from __future__ import annotations

# Importing the rule modules registers their functions (@check).
from workbench.checks import pairs, prose, sections, tables, timeliness  # noqa: F401
from workbench.checks.output import format_findings_table
from workbench.checks.registry import FUNCTIONS, CheckFinding, Context, Rule, load_rules
from workbench.checks.timeliness import AGENCY_KINDS, infer_agency_kind
from workbench.parse.record import ReportRecord

RULES: tuple[Rule, ...] = load_rules()
_BY_ID = {r.id: r for r in RULES}

__all__ = ["RULES", "CheckFinding", "Rule", "check_report", "format_findings_table",
           "infer_agency_kind", "rule"]


def rule(rule_id: str) -> Rule:
    """The rule's data (severity, scope, descriptions); KeyError for an unknown id."""
    return _BY_ID[rule_id]


def check_report(record: ReportRecord, previous: ReportRecord | None = None,
                 agency_kind: str | None = None) -> list[CheckFinding]:
    """Every rule on one report, in rules.yaml order.

    Pair rules run only when ``previous`` is the year before (the caller pairs
    reports of the same agency). ``agency_kind`` is "government" (县级以上地方人民政府's
    own report) or "department" (部门); None infers it from the agency's name.
    """
    if agency_kind is None:
        agency_kind = infer_agency_kind(record.agency)
    elif agency_kind not in AGENCY_KINDS:
        raise ValueError(f"agency_kind must be one of {AGENCY_KINDS}, not {agency_kind!r}")
    paired = (previous is not None and previous.year is not None and record.year is not None
              and previous.year == record.year - 1)
    findings: list[CheckFinding] = []
    derived: dict = {}
    for entry in RULES:
        if entry.scope == "pair" and not paired:
            continue
        context = Context(record, entry, agency_kind, previous if paired else None, derived)
        findings.extend(FUNCTIONS[entry.id](context))
    return findings
