"""The two official table layouts, loaded from ``official.yaml``.

Everything the parser and the generator know about rows, columns and labels
comes from that data file; code here only gives it types and lookups.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml

from workbench.textnorm import label_key

TEMPLATE_IDS = ("2019", "2021")


@dataclass(frozen=True)
class Label:
    key: str
    label: str
    patterns: tuple[re.Pattern[str], ...] = ()

    def matches(self, text: str) -> bool:
        """True when a label (any form: wrapped, spaced, full-width) means this row or item."""
        key = label_key(text)
        return any(p.search(key) for p in self.patterns)


@dataclass(frozen=True)
class Item(Label):
    measures: dict[str, tuple[str, ...]] | None = None  # template id -> measure keys


@dataclass(frozen=True)
class RequestRow(Label):
    layouts: tuple[str, ...] = ("single", "split")


@dataclass(frozen=True)
class Section(Label):
    ordinal: str = ""
    # Sub-headings that open the section when the report prints no heading of its own
    # (（一）存在的主要问题 / （二）改进措施 with no 五、 above them).
    opened_by: tuple[str, ...] = ()


@dataclass(frozen=True)
class Layouts:
    """The official layouts and everything shared by both of them."""

    names: dict[str, str]
    markers: dict[str, tuple[str, ...]]
    measure_labels: dict[str, str]
    amount_measures: frozenset[str]  # measures of money; every other measure is a count
    items: tuple[Item, ...]
    request_columns: tuple[Label, ...]
    request_rows: tuple[RequestRow, ...]
    request_groups: tuple[str, ...]  # labels spanning several rows (三、本年度办理结果, （三）不予公开 …)
    request_layouts: dict[str, tuple[str, ...]]
    split_markers: tuple[str, ...]
    proceedings: tuple[Label, ...]
    results: tuple[Label, ...]
    sections: tuple[Section, ...]

    def item_measures(self, template: str) -> list[tuple[Item, tuple[str, ...]]]:
        """The section 二 items this template prints, each with its measures in column order."""
        return [(i, i.measures[template]) for i in self.items if template in (i.measures or {})]

    def request_rows_for(self, layout: str) -> tuple[RequestRow, ...]:
        return tuple(r for r in self.request_rows if layout in r.layouts)

    @property
    def applicant_keys(self) -> tuple[str, ...]:
        return tuple(c.key for c in self.request_columns)

    def review_cells(self) -> list[tuple[str, str]]:
        """(proceeding, result) pairs in the order the table prints them."""
        return [(p.key, r.key) for p in self.proceedings for r in self.results]

    def detect_template(self, text: str) -> str | None:
        """Which layout a document's own words show: count each template's marker phrases."""
        key = label_key(text)
        scores = {t: sum(key.count(label_key(m)) for m in marks) for t, marks in self.markers.items()}
        best = max(scores, key=lambda t: scores[t])
        return best if scores[best] > 0 else None

    def detect_request_layout(self, text: str) -> str:
        key = label_key(text)
        return "split" if any(label_key(m) in key for m in self.split_markers) else "single"


def _patterns(entry: dict) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(label_key(p) if p.isalnum() else p) for p in entry.get("match", []))


@cache
def layouts() -> Layouts:
    raw = yaml.safe_load(resources.files(__package__).joinpath("official.yaml").read_text("utf-8"))
    ad, rq, rl = raw["active_disclosure"], raw["requests"], raw["review_litigation"]
    return Layouts(
        names={t: v["name"] for t, v in raw["templates"].items()},
        markers={t: tuple(v["markers"]) for t, v in raw["templates"].items()},
        measure_labels=dict(ad["measures"]),
        amount_measures=frozenset(ad["amount_measures"]),
        items=tuple(
            Item(i["key"], i["label"], _patterns(i), {t: tuple(m) for t, m in i["measures"].items()})
            for i in ad["items"]
        ),
        request_columns=tuple(Label(c["key"], c["label"]) for c in rq["columns"]),
        request_rows=tuple(
            RequestRow(r["key"], r["label"], _patterns(r), tuple(r.get("layouts", ["single", "split"])))
            for r in rq["rows"]
        ),
        request_groups=tuple(rq.get("group_labels", ())),
        request_layouts={t: tuple(v) for t, v in rq["layouts"].items()},
        split_markers=tuple(rq["split_markers"]),
        proceedings=tuple(Label(p["key"], p["label"]) for p in rl["proceedings"]),
        results=tuple(Label(r["key"], r["label"]) for r in rl["results"]),
        sections=tuple(
            Section(s["key"], s["label"], _patterns(s), s["ordinal"], tuple(s.get("opened_by", ())))
            for s in raw["sections"]
        ),
    )


@cache
def submitted_names() -> dict[str, str]:
    """Category key of 报送信息 (submitted_info.yaml) -> its Chinese name, as the parser names it."""
    text = resources.files(__package__).joinpath("submitted_info.yaml").read_text("utf-8")
    names: dict[str, str] = {}
    for entry in yaml.safe_load(text).get("categories", []):
        if isinstance(entry, dict) and "key" in entry and "name" in entry:
            names.setdefault(entry["key"], entry["name"])
    return names
