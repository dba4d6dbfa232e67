"""Rules as data (``rules.yaml``) and one function per rule, joined by the rule's id.

A rule's function receives a :class:`Context` and yields :class:`CheckFinding`
objects; ``Context.finding`` fills in the rule id and its default severity, so a
function only says what is wrong.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import yaml

from workbench.checks.grid import RequestTable, request_table
from workbench.parse.identities import identity_results
from workbench.parse.record import ReportRecord

SEVERITIES = ("error", "warning", "info")
SCOPES = ("report", "pair")


@dataclass
class CheckFinding:
    """One broken rule in one report. ``expected``/``actual`` are the two numbers compared."""

    rule: str
    severity: str
    message: str
    expected: str | None = None
    actual: str | None = None
    # The cells the finding is about ("requests.granted.total", "report.published_on", a whole
    # table as "requests"): shown in rectification lists, and part of the stable key a
    # supervisor's review is filed under (store: findings_detail.finding_key).
    cells: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str
    scope: str
    zh: str
    en: str
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def description(self) -> str:
        return f"{self.zh} — {self.en}"


@dataclass
class Context:
    """What a rule sees: the report, last year's report (pair rules only), and who issued it."""

    record: ReportRecord
    rule: Rule
    agency_kind: str
    previous: ReportRecord | None = None
    # Derived views of the record, built once per report and shared by all its rules:
    # eleven rules read table 三 as a grid, four read the identities.
    derived: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def requests(self) -> RequestTable:
        if "requests" not in self.derived:
            self.derived["requests"] = request_table(self.record)
        return self.derived["requests"]

    @property
    def identities(self) -> list[tuple[str, bool | None]]:
        """Every 勾稽 identity of tables 三 and 四 (see parse.identities.identity_results)."""
        if "identities" not in self.derived:
            self.derived["identities"] = identity_results(self.record)
        return self.derived["identities"]

    def finding(self, message: str, expected: object = None, actual: object = None,
                severity: str | None = None, cells: tuple[str, ...] = ()) -> CheckFinding:
        return CheckFinding(
            rule=self.rule.id,
            severity=severity or self.rule.severity,
            message=message,
            expected=None if expected is None else _text(expected),
            actual=None if actual is None else _text(actual),
            cells=tuple(cells),
        )


RuleFunction = Callable[[Context], Iterable[CheckFinding]]
FUNCTIONS: dict[str, RuleFunction] = {}


def check(rule_id: str) -> Callable[[RuleFunction], RuleFunction]:
    """Register the function that implements ``rule_id`` (one function per rule)."""

    def register(function: RuleFunction) -> RuleFunction:
        if rule_id in FUNCTIONS:
            raise ValueError(f"rule {rule_id} has two functions")
        FUNCTIONS[rule_id] = function
        return function

    return register


@cache
def _raw() -> dict[str, Any]:
    return yaml.safe_load(resources.files(__package__).joinpath("rules.yaml").read_text("utf-8"))


@cache
def load_rules() -> tuple[Rule, ...]:
    rules = []
    for entry in _raw()["rules"]:
        rule = Rule(entry["id"], entry["severity"], entry["scope"], entry["zh"], entry["en"],
                    dict(entry.get("params") or {}))
        if rule.severity not in SEVERITIES or rule.scope not in SCOPES:
            raise ValueError(f"rules.yaml: {rule.id} has severity {rule.severity!r}, scope {rule.scope!r}")
        rules.append(rule)
    return tuple(rules)


def agency_kind_patterns() -> dict[str, list[str]]:
    return {kind: list(patterns) for kind, patterns in _raw()["agency_kinds"].items()}


def _text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)
