"""Split a report's text into its six sections by their headings."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from workbench.templates import Section, layouts
from workbench.textnorm import compact

# A heading: a Chinese ordinal that does not sit inside （）, then 、 or . or ，
_HEADING = re.compile(r"(?<![（(第])([一二三四五六七八九十])\s*[、.．，,]\s*")
# A heading's title ends at a digit (a table row's numbers follow its label), a
# sentence end or a line end; only this much text is matched against the sections.
_TITLE_END = re.compile(r"[\d０-９。\n；;]")
_TITLE_MAX = 30


@dataclass(frozen=True)
class SectionSpan:
    key: str
    heading_start: int
    body_start: int
    end: int


def find_sections(text: str) -> list[SectionSpan]:
    """The sections found, in order of position. A missing section is absent from the list.

    Headings are first looked for under their own ordinal in template order, each after
    the previous one, so the row labels 三、本年度办理结果 and 四、结转下年度继续办理 inside
    table 三 are not taken for sections 三 and 四 (their words do not match those sections).
    A section that pass misses is then looked for by its words alone, anywhere and under
    any ordinal (a report that renumbers, or restarts at 一、 for the tables), and last by
    the sub-headings that open it (（一）存在的主要问题 with no 五、 above it).
    """
    found: dict[str, tuple[int, int]] = {}
    position = 0
    sections = layouts().sections
    for section in sections:
        hit = _next_heading(text, section, position, own_ordinal=True)
        if hit is not None:
            found[section.key] = hit
            position = hit[1]
    for section in sections:
        if section.key not in found:
            hit = _next_heading(text, section, 0, own_ordinal=False, taken=found.values())
            if hit is None:
                hit = _opening_subheading(text, section, found)
            if hit is not None:
                found[section.key] = hit
    ordered = sorted(found.items(), key=lambda kv: kv[1][0])
    spans = []
    for index, (key, (start, body)) in enumerate(ordered):
        end = ordered[index + 1][1][0] if index + 1 < len(ordered) else len(text)
        spans.append(SectionSpan(key, start, body, end))
    return spans


def _next_heading(text: str, section: Section, position: int, *, own_ordinal: bool,
                  taken: Iterable[tuple[int, int]] = ()) -> tuple[int, int] | None:
    starts = {start for start, _ in taken}
    for match in _HEADING.finditer(text, position):
        if own_ordinal and match.group(1) != section.ordinal:
            continue
        if match.start() in starts:
            continue
        title = text[match.end() : match.end() + _TITLE_MAX]
        cut = _TITLE_END.search(title)
        if cut:
            title = title[: cut.start()]
        if section.matches(compact(title)):
            return match.start(), match.end() + _title_length(title)
    return None


def _opening_subheading(text: str, section: Section, found: dict[str, tuple[int, int]]) -> tuple[int, int] | None:
    """The first sub-heading that opens ``section``, after the sections before it in the template."""
    order = [s.key for s in layouts().sections]
    before = [found[k][1] for k in order[: order.index(section.key)] if k in found]
    start = max(before, default=0)
    for pattern in section.opened_by:
        for match in re.finditer(r"[（(]", text[start:]):
            at = start + match.start()
            if re.match(pattern, compact(text[at : at + _TITLE_MAX])):
                return at, at  # the sub-heading is part of the section's text
    return None


def _title_length(title: str) -> int:
    """Where a heading's own words end: after 情况/事项, else at a bracket or a space.

    Crawler text runs the heading into the section's first words
    (主动公开政府信息情况第二十条…), so the title window alone is too long.
    """
    end = re.search(r"情况|事项", title)
    if end:
        return end.end()
    stop = re.search(r"[（(\s]", title.strip())
    return stop.start() if stop else len(title.rstrip())


def split_sections(text: str) -> dict[str, str]:
    """Section key -> its text (heading removed); missing sections are absent."""
    return {s.key: text[s.body_start : s.end].strip() for s in find_sections(text)}


def preamble(text: str) -> str:
    """Everything before the first section heading (title, introduction)."""
    spans = find_sections(text)
    return text[: spans[0].heading_start] if spans else text
