"""Finding an agency by what an analyst types: exact name, part of a name, or a near miss.

    found = search_agencies({"平潭综合实验区": ["平潭综合实验区管委会"]}, "平谭")
    found.agency_id      # None: not found
    found.message()      # 未找到名称含“平谭”的机关。相近的机关：平潭综合实验区 …

Names are compared after NFKC and with white space removed, so full-width letters and a
stray space do not hide a match. Near matches use difflib on the whole name and on each
window of the typed length, because a typo in a short query ("平谭") barely changes the
ratio against a long name ("平潭综合实验区").
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

NEAR = 5
NEAR_CUTOFF = 0.5
NOT_FOUND = "未找到名称含“{query}”的机关。"
NEAR_LIST = "相近的机关：{names}。请改用其中一个名称后重新运行。"
NO_NEAR = "也没有相近的名称；库中共有 {count} 个机关，例如：{names}。"
AMBIGUOUS = "“{query}”与 {count} 个机关相符：{names}。请写得更具体一些（例如完整名称）。"


def normal(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))


@dataclass(frozen=True)
class AgencyMatch:
    query: str
    agency_id: str | None          # the one agency meant, or None
    candidates: tuple[str, ...]    # several that contain the query, or near matches
    ambiguous: bool = False
    known: tuple[str, ...] = ()    # a few agencies of the store, when nothing is near

    @property
    def found(self) -> bool:
        return self.agency_id is not None

    def message(self) -> str | None:
        """The Chinese sentence for the analyst; None when the agency was found."""
        if self.found:
            return None
        if self.ambiguous:
            return AMBIGUOUS.format(query=self.query, count=len(self.candidates),
                                    names="、".join(self.candidates[:10]))
        head = NOT_FOUND.format(query=self.query)
        if self.candidates:
            return head + NEAR_LIST.format(names="、".join(self.candidates))
        return head + NO_NEAR.format(count=len(self.known), names="、".join(self.known[:5]))


def _score(query: str, name: str) -> tuple[float, float]:
    """(best of whole-name and window ratio, whole-name ratio): the second breaks ties."""
    whole = difflib.SequenceMatcher(None, query, name).ratio()
    width = len(query)
    if not width or width >= len(name):
        return whole, whole
    part = max(difflib.SequenceMatcher(None, query, name[i:i + width]).ratio()
               for i in range(len(name) - width + 1))
    return max(whole, part), whole


def near_matches(query: str, names: Mapping[str, Sequence[str]], n: int = NEAR,
                 cutoff: float = NEAR_CUTOFF) -> list[str]:
    """Up to ``n`` agency ids whose id or a printed name is close to ``query``, best first."""
    wanted = normal(query)
    scored = []
    for agency_id, printed in names.items():
        best, whole = max(_score(wanted, normal(name)) for name in (agency_id, *printed) if name)
        if best >= cutoff:
            scored.append((-best, -whole, agency_id))
    return [agency_id for *_scores, agency_id in sorted(scored)[:n]]


def search_agencies(names: Mapping[str, Sequence[str]], query: str) -> AgencyMatch:
    """``names`` maps each agency id to the names its reports were signed with, most
    important agencies first (the order ties and examples are listed in)."""
    wanted = normal(query)
    keys = {agency_id: [normal(agency_id), *(normal(n) for n in printed if n)]
            for agency_id, printed in names.items()}
    by_id = [a for a, forms in keys.items() if forms[0] == wanted]
    if by_id:
        return AgencyMatch(query, by_id[0], ())
    exact = [a for a, forms in keys.items() if wanted in forms]
    if len(exact) == 1:
        return AgencyMatch(query, exact[0], ())
    if exact:
        return AgencyMatch(query, None, tuple(exact), ambiguous=True)
    containing = [a for a, forms in keys.items() if wanted and any(wanted in form for form in forms)]
    if len(containing) == 1:
        return AgencyMatch(query, containing[0], ())
    if containing:
        return AgencyMatch(query, None, tuple(containing), ambiguous=True)
    return AgencyMatch(query, None, tuple(near_matches(query, names)), known=tuple(names))


def agency_names(rows: Sequence[tuple[str, str | None]]) -> dict[str, list[str]]:
    """(agency_id, printed name) rows → id → distinct printed names, in the rows' order."""
    names: dict[str, list[str]] = {}
    for agency_id, printed in rows:
        forms = names.setdefault(agency_id, [])
        if printed and printed not in forms:
            forms.append(printed)
    return names
