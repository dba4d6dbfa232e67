"""The six parts the template prescribes, 一 总体情况 to 六 其他需要报告的事项."""

from __future__ import annotations

from collections.abc import Iterator

from workbench.checks.registry import CheckFinding, Context, check
from workbench.parse.record import SECTION_KEYS
from workbench.templates import layouts


@check("sections.missing")
def missing_sections(ctx: Context) -> Iterator[CheckFinding]:
    headings = {s.key: f"{s.ordinal}、{s.label}" for s in layouts().sections}
    for key in SECTION_KEYS:
        if not (ctx.record.sections.get(key) or "").strip():
            yield ctx.finding(f"缺少第{headings[key][0]}部分“{headings[key]}”（或该部分为空）",
                              expected=headings[key], actual="未找到", cells=(f"section.{key}",))
