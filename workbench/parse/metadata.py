"""Who reports, for which year, and when: from the title, the statistics period and the 落款."""

from __future__ import annotations

import re
from dataclasses import dataclass

from workbench.textnorm import compact, nfkc

_TITLE = re.compile(
    r"(?P<before>[^。；，,;]*?)(?P<year>(?:19|20)\d{2})年度?(?P<after>[^。；，,;]*?)"
    r"政府信息公开(?:工作)?(?:年度)?(?:工作)?报告"
)
_PERIOD = re.compile(r"统计(?:期限|期间|时限|时间|区间|范围)[^\d]{0,12}((?:19|20)\d{2})年")
_ARABIC_DATE = re.compile(r"((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_CN_DATE = re.compile(r"([〇零一二三四五六七八九○Ｏ]{4})年([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,3})日")
_CN_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"零": 0, "○": 0, "Ｏ": 0}
_SIGNATURE_WINDOW = 160  # a 落款 sits in the last lines of the report
_AGENCY_NOISE = re.compile(r"^(关于|发布|公布)|(关于|的)$")
# Lines before the title that are page furniture, not the title: markers (正文, 附件),
# breadcrumbs (当前位置：首页 > 政务公开), a portal's info table (索引号 / 发布机构 / 文号 …).
_FURNITURE_LINE = re.compile(
    r"^\s*(?:[#>*\s]*(?:正文|全文|附件\d*|打印|关闭|字号[:：]?.*|【.{1,6}】)\s*$"
    r"|(?:当前位置|您的位置|你的位置|所在位置|首页\s*[>＞»/]).*"
    r"|(?:索引号|发布机构|发文机关|信息来源|来源|文号|发布日期|发文日期|生成日期|成文日期|公开方式|主题分类|有效性)\s*[:：].*)$")
_MARKUP = re.compile(r"^[#>*\s]+")


@dataclass
class Signature:
    date: str  # YYYY-MM-DD
    start: int  # where the signature block (issuer line + date) begins in the text


def title_candidates(meta_title: str | None, preamble: str) -> list[str]:
    """Title texts to read agency and year from: the page's title first, then the document's head."""
    lines = [_MARKUP.sub("", ln) for ln in preamble.splitlines()
             if ln.strip() and not _FURNITURE_LINE.match(nfkc(ln))][:8]
    return [t for t in (meta_title, "".join(lines[:3]), "".join(lines)) if t]


def agency_and_year(titles: list[str]) -> tuple[str | None, int | None]:
    for title in titles:
        match = _TITLE.search(compact(title))
        if not match:
            continue
        agency = match["before"] or match["after"]
        agency = _AGENCY_NOISE.sub("", agency.replace("*", "")).strip("《》“”\"' #")
        return agency or None, int(match["year"])
    return None, None


def statistics_year(text: str) -> int | None:
    match = _PERIOD.search(compact(text))
    return int(match.group(1)) if match else None


def signature(text: str, year: int | None) -> Signature | None:
    """The 落款 date at the end of the report, and where the signature block starts."""
    window_start = max(0, len(text) - _SIGNATURE_WINDOW)
    tail = nfkc(text[window_start:])
    dates = [(m.start(), _arabic(m)) for m in _ARABIC_DATE.finditer(tail)]
    dates += [(m.start(), _chinese(m)) for m in _CN_DATE.finditer(tail)]
    dates = [(pos, d) for pos, d in dates if d and (year is None or int(d[:4]) >= year)]
    if not dates:
        return None
    position, date = max(dates)
    # The report must really end here: only a short issuer line may follow the date.
    if len(compact(tail[position:])) > 24:
        return None
    # The issuer's name right before the date, when it stands alone: after the last
    # line break or sentence end (crawler text has no line breaks at all).
    before = tail[:position].rstrip()
    cut = max(before.rfind(mark) for mark in ("\n", "。", "；", "！", "？"))
    issuer = before[cut + 1 :]
    plain_name = 0 < len(compact(issuer)) <= 40 and not re.search(r"[，,：:]", issuer)
    start = cut + 1 if plain_name else position
    return Signature(date=date, start=window_start + start)


def _arabic(match: re.Match[str]) -> str | None:
    year, month, day = (int(g) for g in match.groups())
    return f"{year:04d}-{month:02d}-{day:02d}" if 1 <= month <= 12 and 1 <= day <= 31 else None


def _chinese(match: re.Match[str]) -> str | None:
    year = int("".join(str(_CN_DIGITS.get(c, 0)) for c in match.group(1)))
    month, day = _cn_number(match.group(2)), _cn_number(match.group(3))
    return f"{year:04d}-{month:02d}-{day:02d}" if 1 <= month <= 12 and 1 <= day <= 31 else None


def _cn_number(text: str) -> int:
    if text == "十":
        return 10
    if "十" in text:
        tens, _, units = text.partition("十")
        return (_CN_DIGITS.get(tens, 1) if tens else 1) * 10 + (_CN_DIGITS.get(units, 0) if units else 0)
    return _CN_DIGITS.get(text, 0)
