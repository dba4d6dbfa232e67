"""Agency names → one canonical agency, with level, kind, region and parent.

Reports name the same body in several ways: with stray spaces or full-width
characters, 淮安市政府 for 淮安市人民政府, 洪泽区人民政府 in 2023 and 淮安市洪泽区人民政府 in
2024. The canonical key is built in three steps:

1. ``canonical_key``: NFKC, whitespace removed, 政府 → 人民政府 after a place name
   (淮安市政府 = 淮安市人民政府; 市政府采购… is left alone).
2. The registry (``data/agencies.csv``: name, canonical_name, level, kind, region,
   parent, and optionally expected_from, expected_to) maps any listed name to its
   canonical name; blank columns of an alias row are taken from its canonical row.
   ``expected_from`` / ``expected_to`` (years; blank ``expected_to``: still expected) put
   the agency on the roster of bodies that must publish a report
   (:mod:`workbench.store.roster`).
3. A leading place prefix is stripped when what remains is a *known* agency name (in
   the registry or seen in some report) whose region does not contradict the prefix:
   淮安市洪泽区人民政府 → 洪泽区人民政府 once 洪泽区人民政府 is known. The stripped, shorter
   name is canonical, so the result does not depend on which report came first.

Level and kind are derived from the name where the registry says nothing: the last
place unit decides the level (省 → province, 市/州/盟 → city, 区/县/旗 → county,
镇/乡/街道 → township; 北京/上海/天津/重庆 are provinces), and a name that ends in
人民政府 / 办事处 / 管委会, or is a bare place name, is a government; anything else
(局, 委, 办, 中心 …) is a department of the government of its place.
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from workbench.textnorm import compact

REGISTRY_COLUMNS = ("name", "canonical_name", "level", "kind", "region", "parent", "expected_from", "expected_to")
# Columns a registry may leave out (older CSVs have none of them).
OPTIONAL_COLUMNS = ("expected_from", "expected_to")
YEAR_RANGE = (2008, 2100)  # the 条例 took effect in 2008
LEVELS = ("province", "city", "county", "township")
KINDS = ("government", "department")

# 政府 right after a place unit means 人民政府, except in terms like 政府采购 / 政府性基金.
_BARE_GOVERNMENT = re.compile(r"(?<=[省市区县州旗盟镇乡])(?<!人民)政府(?!采购|性|投资|债|信息|网|门户)")
# A place unit: a 1–8 character name, then the unit word. Longer unit words first.
_UNITS = "自治区|特别行政区|自治州|自治县|自治旗|地区|街道|省|市|州|盟|区|县|旗|镇|乡"
_UNIT_WORDS = tuple(_UNITS.split("|"))
# Characters that never occur inside a place name but do inside bureau names; 和/与/及 may
# start a place (和平区) but not sit inside one (住房和城乡建设局).
_NOT_IN_PLACE = set("局委厅办部署站所院队处科室")
_NOT_INSIDE_PLACE = set("和与及")
# Bureau names that look like a place unit (城市管理局, 城乡建设局, 社区服务中心).
_NOT_PLACES = {"城市", "城乡", "社区"}
_MULTI_CHAR_ONLY = {"镇", "乡", "街道", "省", "自治区"}  # 城乡建设局 is not the township 城乡
_MUNICIPALITIES = ("北京市", "上海市", "天津市", "重庆市")
_GOVERNMENT_SUFFIXES = ("人民政府", "办事处", "管理委员会", "管委会")
_UNIT_LEVEL = {
    "省": "province", "自治区": "province", "特别行政区": "province",
    "市": "city", "州": "city", "自治州": "city", "盟": "city", "地区": "city",
    "区": "county", "县": "county", "自治县": "county", "旗": "county", "自治旗": "county",
    "镇": "township", "乡": "township", "街道": "township",
}


@dataclass(frozen=True)
class AgencyInfo:
    agency_id: str
    level: str | None
    kind: str | None
    region: str | None
    parent: str | None
    origin: str  # registry | derived
    expected_from: int | None = None  # first year it must publish a report (registry / roster)
    expected_to: int | None = None  # last such year; None: still expected


def canonical_key(name: str) -> str:
    """NFKC, whitespace removed, 政府 after a place unit written as 人民政府."""
    return _BARE_GOVERNMENT.sub("人民政府", compact(name))


def split_place(name: str) -> tuple[list[str], str]:
    """Leading place units and the rest: 攀枝花市东区人力资源和社会保障局 → ([攀枝花市, 东区], 人力资源和社会保障局)."""
    units: list[str] = []
    pos = 0
    while (unit := _next_place(name, pos)) is not None:
        units.append(unit)
        pos += len(unit)
    return units, name[pos:]


def _next_place(name: str, pos: int) -> str | None:
    """The shortest place unit starting at ``pos`` (苏州市, not 苏州 + 市…)."""
    for end in range(pos + 1, min(pos + 9, len(name))):
        stem = name[pos:end]
        for unit in _UNIT_WORDS:
            if not name.startswith(unit, end) or not _is_place(stem, unit):
                continue
            after = name[end + len(unit): end + len(unit) + 1]
            if unit == "州" and after == "市":  # 苏州市: the unit is 市, 州 is part of the name
                continue
            return stem + unit
    return None


def _is_place(stem: str, unit: str) -> bool:
    if any(ch in _NOT_IN_PLACE for ch in stem) or any(ch in _NOT_INSIDE_PLACE for ch in stem[1:]):
        return False
    if stem + unit in _NOT_PLACES:
        return False
    return not (unit in _MULTI_CHAR_ONLY and len(stem) < 2)


def derive(agency_id: str) -> AgencyInfo:
    """Level, kind, region and parent as far as the name itself tells them."""
    units, rest = split_place(agency_id)
    if not units:
        return AgencyInfo(agency_id, None, "government" if rest.endswith(_GOVERNMENT_SUFFIXES) else "department",
                          None, None, "derived")
    region = "".join(units)
    level = _level(units)
    is_government = rest == "" or rest in _GOVERNMENT_SUFFIXES
    if is_government:
        parent = _government_of(units[:-1]) if len(units) > 1 else None
        return AgencyInfo(agency_id, level, "government", region, parent, "derived")
    return AgencyInfo(agency_id, level, "department", region, _government_of(units), "derived")


def _level(units: list[str]) -> str:
    last = units[-1]
    if len(units) == 1 and last in _MUNICIPALITIES:
        return "province"
    unit = next(u for u in sorted(_UNIT_LEVEL, key=len, reverse=True) if last.endswith(u))
    level = _UNIT_LEVEL[unit]
    # 县级市 written under its prefecture (苏州市昆山市), or a district of a municipality.
    if level == "city" and len(units) > 1 and _UNIT_LEVEL.get(units[-2][-1]) in ("city", "province"):
        return "county" if units[-2][-1] == "市" else level
    return level


def _government_of(units: list[str]) -> str | None:
    if not units:
        return None
    suffix = "办事处" if units[-1].endswith("街道") else "人民政府"
    return "".join(units) + suffix


@dataclass
class Registry:
    """The editable registry (data/agencies.csv) plus every name seen so far."""

    aliases: dict[str, str]  # canonical_key(name) → canonical agency_id
    info: dict[str, AgencyInfo]  # registry rows, by agency_id
    digest: str = ""  # sha256 of the CSV, to notice edits between ingests

    @classmethod
    def load(cls, path: Path | None) -> Registry:
        if path is None or not Path(path).exists():
            return cls({}, {}, "")
        data = Path(path).read_bytes()
        rows = list(csv.DictReader(data.decode("utf-8-sig").splitlines()))
        return cls.from_rows(rows, hashlib.sha256(data).hexdigest(), str(path))

    @classmethod
    def from_rows(cls, rows: list[dict[str, str]], digest: str = "", where: str = "registry") -> Registry:
        aliases: dict[str, str] = {}
        partial: dict[str, dict[str, str]] = {}
        for number, row in enumerate(rows, start=2):
            name = canonical_key(row.get("name") or "")
            if not name:
                continue
            target = canonical_key(row.get("canonical_name") or "") or name
            aliases[name] = target
            aliases.setdefault(target, target)
            fields = partial.setdefault(target, {})
            for column in ("level", "kind", "region", "parent"):
                value = (row.get(column) or "").strip()
                if value and column not in fields:
                    fields[column] = canonical_key(value) if column == "parent" else value
            span = expected_years(row, where, number)
            for column, year in zip(OPTIONAL_COLUMNS, span, strict=True):
                if year is not None and column not in fields:
                    fields[column] = str(year)
            _validate(fields, where, number)
        info = {
            target: AgencyInfo(target, f.get("level"), f.get("kind"), f.get("region"), f.get("parent"), "registry",
                               _int(f.get("expected_from")), _int(f.get("expected_to")))
            for target, f in partial.items()
        }
        return cls(aliases, info, digest)

    def resolve(self, name: str, known: Iterable[str] | set[str] = ()) -> str:
        """The canonical agency_id of ``name`` (see the module docstring for the rules)."""
        known_set = known if isinstance(known, set) else set(known)
        key = canonical_key(name)
        if key in self.aliases:
            return self.aliases[key]
        units, rest = split_place(key)
        # Longest remainder first: 江苏省淮安市洪泽区人民政府 tries 淮安市洪泽区人民政府 before 洪泽区人民政府.
        for start in range(1, len(units)):
            remainder = "".join(units[start:]) + rest
            if remainder in self.aliases or remainder in known_set:
                target = self.resolve(remainder, known_set)
                if self._region_agrees(target, "".join(units)):
                    return target
        return key

    def _region_agrees(self, target: str, region: str) -> bool:
        registered = self.info.get(target)
        if registered is None or not registered.region:
            return True
        known_region = registered.region
        return known_region.endswith(region) or region.endswith(known_region) or _same_tail(known_region, region)

    def describe(self, agency_id: str) -> AgencyInfo:
        """Registry facts first, the rest derived from the name."""
        derived = derive(agency_id)
        registered = self.info.get(agency_id)
        if registered is None:
            return derived
        return replace(registered, level=registered.level or derived.level, kind=registered.kind or derived.kind,
                       region=registered.region or derived.region, parent=registered.parent or derived.parent)


def _same_tail(a: str, b: str) -> bool:
    """江苏省淮安市洪泽区 and 淮安市洪泽区: one place chain ends the other once province prefixes are dropped."""
    units_a, _ = split_place(a)
    units_b, _ = split_place(b)
    shorter, longer = sorted((units_a, units_b), key=len)
    return bool(shorter) and longer[-len(shorter):] == shorter


def parse_year(value: str | None, column: str, where: str, line: int) -> int | None:
    """A year column of a registry or roster CSV: blank → None; anything but a year is refused,
    in Chinese, naming the file and the line (全角 digits are fine: NFKC)."""
    text = compact(value or "").removesuffix("年")
    if not text:
        return None
    low, high = YEAR_RANGE
    if not text.isascii() or not text.isdigit() or not low <= int(text) <= high:
        raise ValueError(f"{where} 第 {line} 行：{column} 应为年份（如 2019，{low}–{high}，可留空），"
                         f"不是 {value!r}")
    return int(text)


def expected_years(row: dict[str, str | None], where: str, line: int) -> tuple[int | None, int | None]:
    """(expected_from, expected_to) of a CSV row, checked: both years, and from ≤ to."""
    start = parse_year(row.get("expected_from"), "expected_from", where, line)
    end = parse_year(row.get("expected_to"), "expected_to", where, line)
    if start is not None and end is not None and end < start:
        raise ValueError(f"{where} 第 {line} 行：expected_to（{end}）早于 expected_from（{start}）")
    return start, end


def _int(text: str | None) -> int | None:
    return None if text is None else int(text)


def _validate(fields: dict[str, str], where: str, line: int) -> None:
    if fields.get("level") and fields["level"] not in LEVELS:
        raise ValueError(f"{where}, line {line}: level must be one of {', '.join(LEVELS)}, not {fields['level']!r}")
    if fields.get("kind") and fields["kind"] not in KINDS:
        raise ValueError(f"{where}, line {line}: kind must be one of {', '.join(KINDS)}, not {fields['kind']!r}")


def checks_kind(info: AgencyInfo) -> str | None:
    """What ``check_report(agency_kind=…)`` gets: "government" or "department".

    The publication deadline depends on it: governments at county level and above
    publish by 31 March; departments, and (as the checks decide) township governments
    and 街道办事处, by 31 January. None lets the checks infer it from the name.
    """
    if info.kind == "government":
        return "department" if info.level == "township" else "government"
    return info.kind
