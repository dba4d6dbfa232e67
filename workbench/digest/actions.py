"""督办事项: what a supervisor must follow up for the digest's year, first in the digest and the Word pack.

    items = action_items(digest)          # one ActionItem per line of action_items.yaml
    action_items_html(items)               # the block: 事项 · 机关数 · 机关 · 详见 (a link down the page)

The lines and their order are data (action_items.yaml). Findings a supervisor dismissed on
review are left out; the workbench's own reading notes (source 'parse') never count against
an agency; a confirmed finding counts whatever its severity.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

import polars as pl
import yaml

from workbench.digest import html as H

if TYPE_CHECKING:
    from workbench.digest.sections import Digest

SHOWN_AGENCIES = 12


@dataclass
class ActionItem:
    key: str
    label: str
    anchor: str
    agencies: list[str] = field(default_factory=list)  # "机关（说明）", most pressing first
    agency_ids: list[str] = field(default_factory=list)  # the same agencies' canonical ids
    unavailable: str | None = None  # why the line cannot be counted (no roster, no narrative run)

    @property
    def count(self) -> int:
        return len(self.agencies)

    def as_dict(self) -> dict[str, Any]:
        return {"key": self.key, "label": self.label, "count": self.count, "agencies": self.agencies,
                "agency_ids": self.agency_ids, "unavailable": self.unavailable}


@cache
def definitions() -> tuple[dict[str, Any], ...]:
    text = resources.files(__package__).joinpath("action_items.yaml").read_text("utf-8")
    return tuple(yaml.safe_load(text)["items"])


def _matches(rule: str, patterns: list[str]) -> bool:
    return any(rule.startswith(p[:-1]) if p.endswith("*") else rule == p for p in patterns)


def action_items(d: Digest) -> list[ActionItem]:
    sources = {"findings": _from_findings, "roster": _from_roster, "copied": _from_copied}
    return [sources[spec["source"]](d, spec) for spec in definitions()]


def _item(spec: dict[str, Any]) -> ActionItem:
    return ActionItem(spec["key"], spec["label"], spec["anchor"])


def _from_findings(d: Digest, spec: dict[str, Any]) -> ActionItem:
    item = _item(spec)
    frame = d.findings
    if frame.height == 0:
        return item
    keep = [(_matches(rule, spec["rules"]) and review != "dismissed"
             and (severity in spec["severities"] or review == "confirmed"))
            for rule, severity, review in zip(frame["rule"], frame["severity"], frame["review"], strict=True)]
    chosen = frame.filter(pl.Series(keep, dtype=pl.Boolean))
    counts = chosen.group_by("agency_id").agg(pl.len().alias("n")).sort(["n", "agency_id"], descending=[True, False])
    item.agencies = [f"{a}（{n}条）" if n > 1 else a for a, n in counts.iter_rows()]
    item.agency_ids = counts["agency_id"].to_list()
    return item


def _from_roster(d: Digest, spec: dict[str, Any]) -> ActionItem:
    item = _item(spec)
    frame = d.roster
    if frame is None:
        item.unavailable = "未导入应报送机关名册（workbench roster --import 名册.csv），无法判断谁未发布"
        return item
    missing = frame.filter(pl.col("on_roster") & (pl.col("status") == "未发布（已过期限）"))
    item.agencies = [f"{name}（逾期{days}天）" if days is not None else name
                     for name, days in missing.select("name", "days_late").iter_rows()]
    item.agency_ids = missing["agency_id"].to_list()
    return item


def _from_copied(d: Digest, spec: dict[str, Any]) -> ActionItem:
    item = _item(spec)
    frame = d.copied_frame()
    if frame is None:
        item.unavailable = "尚未运行第五部分比较（workbench narrative）"
        return item
    fives = frame.filter(pl.col("part") == "五")
    item.agency_ids = list(dict.fromkeys(fives["agency_id"].to_list()))
    item.agencies = list(item.agency_ids)
    return item


def action_items_html(items: list[ActionItem], year: int) -> str:
    rows = []
    for item in items:
        if item.unavailable:
            shown, count = H.esc(item.unavailable), "—"
        elif not item.agencies:
            shown, count = "无", "0"
        else:
            names = "、".join(item.agencies[:SHOWN_AGENCIES])
            more = f" 等{item.count}个" if item.count > SHOWN_AGENCIES else ""
            shown, count = H.esc(names + more), str(item.count)
        link = f'<a href="#{H.esc(item.anchor)}">详见</a>' if item.agencies else ""
        rows.append(f"<tr><td>{H.esc(item.label)}</td><td class='num'>{count}</td><td>{shown}</td>"
                    f"<td>{link}</td></tr>")
    total = sum(item.count for item in items)
    return (H.paragraph(f"{year}年度需要跟进的事项共{total}项（按机关计）。已在复核中排除的发现不列入；"
                        "本工具未能读取的内容不是机关的问题，不列入（见“本工具的读取情况”）。")
            + "<table class='wb-table wb-actions'><tr><th>事项</th><th>机关数</th><th>机关</th><th>详见</th></tr>"
            + "".join(rows) + "</table>")
