"""Split a report's text into its six sections by their headings."""

from __future__ import annotations

import re
from dataclasses import dataclass

from workbench.templates import Section, layouts
from workbench.textnorm import compact

# A heading: a Chinese ordinal that does not sit inside （）, then 、 or . or ，
_HEADING = re.compile(r"(?<![（(第])([一二三四五六])\s*[、.．，,]\s*")
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
    """The sections found, in order. A missing section is simply absent from the list.

    Headings are looked for in template order, each after the previous one, so the
    row labels 三、本年度办理结果 and 四、结转下年度继续办理 inside table 三 are not
    taken for sections 三 and 四 (their words do not match those sections).
    """
    found: list[tuple[Section, int, int]] = []
    position = 0
    for section in layouts().sections:
        hit = _next_heading(text, section, position)
        if hit is not None:
            found.append((section, *hit))
            position = hit[1]
    spans = []
    for index, (section, start, body) in enumerate(found):
        end = found[index + 1][1] if index + 1 < len(found) else len(text)
        spans.append(SectionSpan(section.key, start, body, end))
    return spans


def _next_heading(text: str, section: Section, position: int) -> tuple[int, int] | None:
    for match in _HEADING.finditer(text, position):
        if match.group(1) != section.ordinal:
            continue
        title = text[match.end() : match.end() + _TITLE_MAX]
        cut = _TITLE_END.search(title)
        if cut:
            title = title[: cut.start()]
        if section.matches(compact(title)):
            return match.start(), match.end() + _title_length(title)
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
