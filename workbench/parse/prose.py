"""The prose parts of a report: counts in section 一, problems and improvements in 五, fees in 六.

Three pure functions over section text (``split_sections`` has already removed the headings):

* :func:`submitted_info` finds statements "label + exact integer + measure word" in section 一
  (报送信息266条, 发布政策解读117篇) and gives each a normalised category. The words that find a
  label and the category rules are data: ``workbench/templates/submitted_info.yaml``.
* :func:`split_problems` splits section 五 into the problems and the improvement measures, one
  string per item, without its ordinal (一是, （一）, 1.).
* :func:`fees_collected_yuan` reads 信息处理费 from section 六.

The conventions (what counts, what a label is, how unnumbered lists are split) are those of
``tests/expected/CORPUS-README.md``; the comments below say which rule each step implements.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml

from workbench.parse.record import Number, SubmittedInfo
from workbench.textnorm import join_lines, label_key, nfkc

# ---------------------------------------------------------------------------
# Text flow shared by sections 一 and 五
# ---------------------------------------------------------------------------

PARA = "¶"  # a paragraph end kept in flowed text; never part of a label or an item
_SENTENCE_END = "。；;！？!?：:"
_PAGE_NUMBER = re.compile(r"^[-—–－]?\s*\d{1,3}\s*[-—–－]?$|^第\s*\d+\s*页")
_SHORT_LINE = 12  # a line shorter than this is a heading, not a PDF line wrapped mid-sentence
# A line that starts with an ordinal starts a new item (（二）改进措施 / 1.提升解读质量).
_LINE_ORDINAL = re.compile(r"\s*(?:[（(][一二三四五六七八九十\d]{1,3}[）)]|[一二三四五六七八九十]{1,3}[是、]|\d{1,2}[.．、](?!\d))")


def flow(text: str) -> str:
    """Lines joined into one string: PDF wraps disappear, paragraph ends become ``PARA``.

    A line ends a paragraph when it ends a sentence or is short (a heading such as
    （一）主动公开方面); otherwise the next line continues it ("政\\n府信息 5500 余条").
    Whitespace is then removed except between two ASCII letters/digits (join_lines).
    """
    lines = [line.strip() for line in text.splitlines()]
    lines = [line for line in lines if line and not _PAGE_NUMBER.match(line)]
    out: list[str] = []
    for index, line in enumerate(lines):
        out.append(line)
        following = lines[index + 1] if index + 1 < len(lines) else None
        if following is not None:
            ends = (line[-1] in _SENTENCE_END or len(re.sub(r"\s", "", line)) < _SHORT_LINE
                    or _LINE_ORDINAL.match(following))
            out.append(PARA if ends else "\n")
    return join_lines("".join(out))


# ---------------------------------------------------------------------------
# The lexicon and the category rules (data: templates/submitted_info.yaml)
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Lexicon:
    units: str
    fillers: tuple[str, ...]
    approx_before: tuple[str, ...]
    approx_after: tuple[str, ...]
    multipliers: str
    after_count: tuple[str, ...]
    verbs: tuple[str, ...]
    bare_nouns: frozenset[str]
    compounds: tuple[str, ...]
    stops: tuple[str, ...]
    leading: re.Pattern[str]
    adverbs: re.Pattern[str]
    bare_verbs: frozenset[str]
    unit_nouns: frozenset[str]


@dataclass(frozen=True)
class CategoryRule:
    """One line of the categories list: the first rule that fits a count names its category."""

    key: str
    name: str
    label: tuple[re.Pattern[str], ...]
    clause: tuple[re.Pattern[str], ...] = ()
    sentence: tuple[re.Pattern[str], ...] = ()
    context: tuple[re.Pattern[str], ...] = ()
    parent: frozenset[str] = frozenset()
    follows: frozenset[str] = frozenset()

    def fits(self, count: _Count) -> bool:
        return (
            _any(self.label, count.key)
            and (not self.clause or _any(self.clause, count.clause))
            and (not self.sentence or _any(self.sentence, count.sentence))
            and (not self.context or _any(self.context, count.context))
            and (not self.parent or count.parent in self.parent)
            and (not self.follows or bool(self.follows & set(count.earlier)))
        )


def _any(patterns: tuple[re.Pattern[str], ...], text: str) -> bool:
    return any(p.search(text) for p in patterns)


def _longest_first(words: list[str]) -> tuple[str, ...]:
    return tuple(sorted(words, key=len, reverse=True))


def _alternation(words: list[str]) -> str:
    return "|".join(_longest_first(words))


@cache
def _data() -> dict:
    path = resources.files("workbench.templates").joinpath("submitted_info.yaml")
    return yaml.safe_load(path.read_text("utf-8"))


@cache
def lexicon() -> Lexicon:
    words = _data()["words"]
    return Lexicon(
        units="".join(words["units"]),
        fillers=_longest_first(words["fillers"]),
        approx_before=_longest_first(words["approx_before"]),
        approx_after=_longest_first(words["approx_after"]),
        multipliers="".join(words["multipliers"]),
        after_count=_longest_first(words["after_count"]),
        verbs=_longest_first(words["verbs"]),
        bare_nouns=frozenset(words["bare_nouns"]),
        compounds=_longest_first(words["compounds"]),
        stops=_longest_first(words["stops"]),
        leading=re.compile(f"^(?:{_alternation(words['leading'])})"),
        adverbs=re.compile(f"^(?:{_alternation(words['adverbs'])})"),
        bare_verbs=frozenset(words["bare_verbs"]),
        unit_nouns=frozenset(words["unit_nouns"]),
    )


def _compile(entry: dict, field: str) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(label_key(p) if p.isalnum() else p) for p in entry.get(field, []))


@cache
def category_rules() -> tuple[CategoryRule, ...]:
    return tuple(
        CategoryRule(
            key=entry["key"],
            name=entry["name"],
            label=_compile(entry, "label"),
            clause=_compile(entry, "clause"),
            sentence=_compile(entry, "sentence"),
            context=_compile(entry, "context"),
            parent=frozenset(entry.get("parent", [])),
            follows=frozenset(entry.get("follows", [])),
        )
        for entry in _data()["categories"]
    )


def category_names() -> dict[str, str]:
    """Category key -> Chinese name (the first name given for a key), for tables and charts."""
    names: dict[str, str] = {}
    for rule in category_rules():
        names.setdefault(rule.key, rule.name)
    names.setdefault("other", "其他")
    return names


# ---------------------------------------------------------------------------
# submitted_info
# ---------------------------------------------------------------------------

_DIGITS = "0-9０-９"
_NUMBER = re.compile(
    rf"(?<![{_DIGITS}.．])(?:[{_DIGITS}]{{1,3}}(?:[,，][{_DIGITS}]{{3}})+(?![{_DIGITS}])|[{_DIGITS}]+)"
    rf"(?![.．][{_DIGITS}])"
)
# Hard clause boundaries: a label never runs across these.
_HARD = set("，。；：！？,;:!?（）()【】[]{}|" + PARA)
_SOFT_CLAUSE = set("，。；：！？,;:!?" + PARA)
_SENTENCE = set("。；;！？!?" + PARA)
_OPEN_CLOSE = {"“": "”", "‘": "’", "《": "》", "「": "」", "〈": "〉"}
_MAX_QUOTE = 80
# The start of a numbered item or sub-heading: the paragraph a generic count stands in.
_ITEM_MARK = re.compile(
    r"[（(][一二三四五六七八九十\d]{1,3}[）)]|[一二三四五六七八九十]{1,3}是|(?<![\d.])\d{1,2}[.．、](?!\d)"
)
_DATE_END = re.compile(r"\d+(?:年度?|月|日|号)$")
_CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass
class _Count:
    """One accepted count while section 一 is read, with what its category rules look at."""

    label: str
    count: int
    unit: str
    key: str = ""
    clause: str = ""
    sentence: str = ""
    context: str = ""
    parent: str | None = None
    earlier: tuple[str, ...] = ()
    category: str = "other"


@dataclass(frozen=True)
class _Boundary:
    """Where a label may start: after ``end`` (or at ``start`` when the verb stays)."""

    start: int
    end: int
    kind: str  # verb | stop | de (的) | deng (等)


def submitted_info(overview_text: str) -> list[SubmittedInfo]:
    """The counts section 一 states in prose, in reading order (label, category, count, unit)."""
    text = flow(overview_text)
    opaque = _opaque_mask(text)
    lex = lexicon()
    found: list[tuple[int, int, _Count]] = []  # (number start, count end, count)
    for match in _NUMBER.finditer(text):
        unit_end = _count_end(text, match, lex)
        if unit_end is None or _preceded_by(text, match.start(), ("第",)):
            continue
        count = _read_count(text, match, unit_end, opaque, [c.label for *_, c in found], lex)
        if count is None:
            continue
        _describe(text, match.start(), count, found)
        count.category = _categorise(count)
        found.append((match.start(), unit_end, count))
    return [SubmittedInfo(c.label, c.category, c.count, c.unit) for *_, c in found]


def _count_end(text: str, match: re.Match[str], lex: Lexicon) -> int | None:
    """End of "<number><unit>" when it is an exact, label-first count; None otherwise."""
    pos = match.end()
    if pos >= len(text) or text[pos] in lex.multipliers or _starts(text, pos, lex.approx_after):
        return None  # 8232万条, 5500余条
    if text[pos] not in lex.units:
        return None  # 项 家 起 份 通 …, a year, a percentage
    pos += 1
    if _starts(text, pos, lex.approx_after):
        return None  # 100条左右
    if pos == len(text) or _starts(text, pos, lex.after_count):
        return pos
    nxt = text[pos]
    if _CJK.match(nxt) or nxt.isalnum() or nxt in "《“‘「〈":
        return None  # number first: 发布380条财政资金信息, 组织19期《问政平潭》, 42场次
    return pos


def _starts(text: str, pos: int, words: tuple[str, ...]) -> bool:
    return any(text.startswith(w, pos) for w in words)


def _preceded_by(text: str, pos: int, words: tuple[str, ...]) -> bool:
    return any(text.endswith(w, 0, pos) for w in words)


def _number_value(raw: str) -> int:
    return int(re.sub(r"[,，]", "", nfkc(raw)))


def _read_count(
    text: str, match: re.Match[str], unit_end: int, opaque: list[bool], earlier: list[str], lex: Lexicon
) -> _Count | None:
    left = _strip_fillers(text, match.start(), lex)
    if _preceded_by(text, left, lex.approx_before):
        return None  # 约5500条
    label = _label(text, left, opaque, earlier, lex)
    if label is None:
        return None
    return _Count(label=label, count=_number_value(match.group()), unit=text[unit_end - 1])


def _strip_fillers(text: str, left: int, lex: Lexicon) -> int:
    """共/共计/累计 … between the label and the number are not part of the label."""
    stripped = True
    while stripped:
        stripped = False
        for filler in lex.fillers:
            if text.endswith(filler, 0, left):
                left -= len(filler)
                stripped = True
                break
    return left


def _label(text: str, left: int, opaque: list[bool], earlier: list[str], lex: Lexicon) -> str | None:
    """The shortest natural noun phrase right before the number, or None when there is none.

    The phrase starts after the nearest boundary inside its clause: a verb (公布政府信息 ->
    政府信息; the verb stays before a bare noun: 发布信息), a stop word (各类, 其中, 涉及),
    的 (未进行规范管理的政务新媒体 -> 政务新媒体) or 等 before a noun (“…”等新闻发布会).
    When the phrase would repeat an earlier label, or be the tail of one, the verb or the
    的-clause is kept to tell the two counts apart (答复政府信息公开申请, 本年度制发的规范性文件).
    """
    start = _clause_start(text, left, opaque, lex)
    label = ""
    for boundary in _boundaries(text, start, left, opaque, lex):  # nearest first
        rest = text[boundary.end : left]
        if boundary.kind != "verb" and _clean(rest, lex) in lex.bare_nouns:
            continue  # 发布各类信息: 各类 alone would leave a bare noun
        if rest.startswith("的"):
            continue  # 结转下年度办理的申请: the verb belongs to a 的-clause, not before the label
        keeps_verb = boundary.kind == "verb" and _clean(rest, lex) in lex.bare_nouns
        label = _clean(text[boundary.start : left] if keeps_verb else rest, lex)
        cut_something = boundary.kind == "de" or (boundary.kind == "verb" and not keeps_verb)
        if not cut_something or not _repeats(label, earlier):
            break
    else:
        label = _clean(text[start:left], lex)
    label = re.sub(r"\s+", "", label)
    if not label or not _CJK.search(label) or _DATE_END.search(label) or _bare_verb(label, lex):
        return None
    return label


def _repeats(label: str, earlier: list[str]) -> bool:
    return any(label == e or e.endswith(label) for e in earlier)


def _clause_start(text: str, left: int, opaque: list[bool], lex: Lexicon) -> int:
    for i in range(left - 1, -1, -1):
        if opaque[i]:
            continue
        if text[i] in _HARD or (text[i] == "、" and _item_ends_before(text, i, lex)):
            return i + 1
    return 0


def _item_ends_before(text: str, i: int, lex: Lexicon) -> bool:
    """True when 、 closes a counted item (施工许可证76条、, …165条）、, 核准企业资质条、)."""
    prev = text[i - 1] if i > 0 else ""
    if prev in "）)":
        return True
    if prev and prev in lex.units:
        return text[max(i - 2, 0) : i] not in lex.unit_nouns
    return False


def _boundaries(text: str, start: int, left: int, opaque: list[bool], lex: Lexicon) -> list[_Boundary]:
    """Every place inside ``text[start:left]`` where the label may begin, nearest first."""
    region = text[start:left]
    protected = _spans(region, lex.compounds, start)
    found: list[_Boundary] = []
    for kind, words in (("verb", lex.verbs), ("stop", lex.stops), ("de", ("的",)), ("deng", ("等",))):
        for s, e in _spans(region, words, start):
            if any(opaque[s:e]) or e >= left:
                continue  # inside “…”/《…》, or nothing after it
            if kind == "verb" and any(ps < e and s < pe for ps, pe in protected):
                continue  # 信息公开申请, 予以公开, 新闻发布会
            if kind == "verb" and text.startswith("了", e) and e + 1 < left:
                e += 1  # 召开了…
            if kind == "deng" and text[e:left] in lex.bare_nouns:
                continue  # 劳动就业、三农信息等信息: the list is the label
            found.append(_Boundary(s, e, kind))
    found.sort(key=lambda b: (-b.end, b.start))
    return found


def _spans(region: str, words: tuple[str, ...], offset: int) -> list[tuple[int, int]]:
    spans = []
    for word in words:
        at = region.find(word)
        while at >= 0:  # str.find, not a regex per word: this runs for every count found
            spans.append((offset + at, offset + at + len(word)))
            at = region.find(word, at + len(word))
    return spans


def _clean(label: str, lex: Lexicon) -> str:
    """Drop leading time words and fillers (2024年, 全年, 共); whitespace is already gone."""
    previous = None
    while previous != label:
        previous = label
        label = lex.leading.sub("", label, count=1)
    return label.strip("、，,")


def _bare_verb(label: str, lex: Lexicon) -> bool:
    """办结, 现场解决, 拟适时修改: adverbs and a verb, no noun."""
    previous = None
    while previous != label:
        previous = label
        label = lex.adverbs.sub("", label, count=1)
    return label in lex.bare_verbs


def _opaque_mask(text: str) -> list[bool]:
    """True inside “…” ‘…’ 《…》: quoted titles are read as one word, never split."""
    mask = [False] * len(text)
    i = 0
    while i < len(text):
        close = _OPEN_CLOSE.get(text[i])
        end = text.find(close, i + 1, i + _MAX_QUOTE) if close else -1
        if end > 0:
            for j in range(i + 1, end):
                mask[j] = True
            i = end
        i += 1
    return mask


def _describe(text: str, start: int, count: _Count, found: list[tuple[int, int, _Count]]) -> None:
    """Fill in what the category rules look at: clause, sentence, item, parent, earlier counts."""
    count.key = label_key(count.label)
    count.clause = label_key(text[_last_of(text, start, _SOFT_CLAUSE) : start])
    sentence_start = _last_of(text, start, _SENTENCE)
    count.sentence = label_key(text[sentence_start:start])
    paragraph_start = _last_of(text, start, {PARA})
    marks = [m.start() for m in _ITEM_MARK.finditer(text, paragraph_start, start)]
    item_start = max([paragraph_start, *marks[-1:]])
    count.context = label_key(text[item_start:start])
    in_sentence = [(s, c) for s, _, c in found if s >= sentence_start]
    count.earlier = tuple(c.category for _, c in in_sentence)
    sub = text.rfind("其中", sentence_start, start)
    if sub >= 0:
        before = [c for s, c in in_sentence if s < sub]
        count.parent = before[-1].category if before else None


def _last_of(text: str, pos: int, chars: set[str]) -> int:
    for i in range(pos - 1, -1, -1):
        if text[i] in chars:
            return i + 1
    return 0


def _categorise(count: _Count) -> str:
    for rule in category_rules():
        if rule.fits(count):
            return rule.key
    return "other"


# ---------------------------------------------------------------------------
# problems / improvements (section 五)
# ---------------------------------------------------------------------------

_CN = "一二三四五六七八九十"
_BEFORE_ITEM = r"(?:(?<=^)|(?<=[¶。；;：:！？!?，,\s]))"
_ORDINALS = {
    "shi": rf"[{_CN}]{{1,3}}是(?![的否])",
    "paren_cn": rf"[（(][{_CN}]{{1,3}}[）)]",
    "paren_num": r"[（(]\d{1,2}[）)]",
    "num": r"(?<!\d)\d{1,2}[.．、](?!\d)",
    "cn": rf"[{_CN}]{{1,3}}、",
    "di": rf"第[{_CN}]{{1,2}}[，,、是]",
}
_ORDINAL_RES = {k: re.compile(_BEFORE_ITEM + f"(?:{v})") for k, v in _ORDINALS.items()}
_ANY_ORDINAL = re.compile("|".join(f"(?:{v})" for v in _ORDINALS.values()))

_HEAD_ORD = rf"(?:[（(][{_CN}\d]{{1,2}}[）)]|[{_CN}]{{1,2}}[、.．]|\d{{1,2}}[、.．])?"
_PROBLEM_TITLE = r"(?:存在的?|面临的?)?(?:主要)?(?:问题|不足|短板|困难)(?:和|及|与)?(?:不足|原因|困难|短板)?(?:分析)?"
_IMPROVE_TITLE = (
    r"(?:下一步|今后|\d{4}年)?(?:的)?(?:工作)?(?:改进|整改|努力)?"
    r"(?:措施|情况|方向|计划|打算|举措|安排|思路|重点|工作)?"
    r"(?:及(?:下一步)?(?:工作)?(?:成效|情况|计划|打算|安排))?"
)
_IMPROVE_CUE = re.compile(r"改进|整改|下一步|今后|打算|计划|努力")
# What may follow a heading directly when crawler text runs it into its first item.
_ITEM_AHEAD = rf"(?=\d{{1,2}}[、.．]|[{_CN}]{{1,2}}是|[（(][{_CN}\d]{{1,2}}[）)])"
_HEADING = re.compile(
    rf"(?:(?<=^)|(?<=[¶。；;！？]))({_HEAD_ORD})({_PROBLEM_TITLE}|{_IMPROVE_TITLE})(?:方面)?"
    rf"(?:[：:。]|(?=¶)|$|{_ITEM_AHEAD})"
)
# The sentence that leads from the problems to the measures.
_TRANSITION = re.compile(
    r"下一步|以下(?:几个|几点)?(?:措施|工作|方面|几点|举措)|(?:采取|做好|抓好|从)以下"
    r"|(?:改进|整改)(?:措施|方向|举措)|(?:\d{4}年|今后|明年|新的一年)[，,]?[^，。；¶]{0,8}将"
    r"|针对(?:以上|上述|存在的?|这些)(?:问题|不足)"
)
_LEAD_IN = re.compile(r"以下|如下|几个方面|几点|措施[：:。]?$|打算[：:。]?$|计划[：:。]?$")
_PROBLEM_INTRO = re.compile(r"(?:问题|不足|差距|短板|薄弱)[^，。；]{0,4}(?:主要)?(?:有|是|表现|体现|在于)")
_IMPROVE_WORDS = re.compile(r"改进|整改|措施|下一步|抓好|做好|将")
# What introduces an unnumbered problem list: 但仍存在一些不足，如：… / 主要是：… / 主要表现在：…
_LIST_INTRO = re.compile(
    r"(?:^|(?<=[，,。：:；;¶]))(?:如|例如|比如|主要(?:表现|体现)?(?:在|是|为|有)|具体(?:表现|体现)(?:在|为))[：:]?"
)
_INTRO_WORDS = re.compile(r"存在|不足|差距|问题|短板|薄弱|欠缺")
_INTRO_SENTENCE = re.compile(r"(?:取得|成效|成绩|进展).*(?:但|仍|还)|存在.*(?:问题|不足|差距|短板)")
_SIGNATURE_DATE = re.compile(r"^\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日$")
_PROBLEM_WORDS = re.compile(
    r"有待|待提|不够|不足|欠缺|缺乏|缺少|仍需|还需|尚需|不[强高全善规明充均平及到精细深畅]|滞后|薄弱|单一|偏少|较少|问题|差距|短板"
)
_ACTION_START = re.compile(r"^(?:加强|推进|提升|完善|强化|深化|持续|进一步|继续|优化|做好|建立|健全|加大|拓宽|丰富|扎实|着力|坚持|严格|全面)")
_TRAILING = "。；，、;,.：: "


def split_problems(problems_text: str) -> tuple[list[str], list[str]]:
    """Section 五 as (problems, improvements), each item as written without its ordinal."""
    text = flow(_strip_signature(problems_text))
    if not text:
        return [], []
    parts = _parts_by_heading(text) or _parts_by_transition(text) or _parts_by_restart(text)
    if parts is None:
        return _sort_items(_items(text, problems=True))
    problems, improvements = parts
    return _items(problems, problems=True), _items(improvements, problems=False)


def _strip_signature(text: str) -> str:
    """Drop the 落款 at the end (agency line, date line): it is not part of the last item."""
    lines = [line for line in text.splitlines() if line.strip()]
    if lines and _SIGNATURE_DATE.match(lines[-1].strip()):
        lines.pop()
        if lines and len(lines[-1].strip()) < 40 and not re.search(r"[。；，,;]", lines[-1]):
            lines.pop()
    return "\n".join(lines)


def _parts_by_heading(text: str) -> tuple[str, str] | None:
    """Sub-headings （一）存在的主要问题 / （二）改进措施 (or 改进情况) separate the two lists."""
    problem_at = improve_at = None
    for match in _HEADING.finditer(text):
        title = match.group(2)
        if not title:
            continue
        if re.fullmatch(_PROBLEM_TITLE, title) and problem_at is None and improve_at is None:
            problem_at = match
        elif _IMPROVE_CUE.search(title) and improve_at is None:
            improve_at = match
    if improve_at is None and problem_at is None:
        return None
    start = problem_at.end() if problem_at else 0
    if improve_at is None:  # only 存在的主要问题：… — the measures may follow a transition
        rest = text[start:]
        return _parts_by_transition(rest) or (rest, "")
    return text[start : improve_at.start()], text[improve_at.end() :]


def _parts_by_transition(text: str) -> tuple[str, str] | None:
    """A sentence such as 2020年，我们将采取以下措施加以改进： starts the measures."""
    for match in _TRANSITION.finditer(text):
        sentence_start = _last_of(text, match.start(), set("。；;！？!?" + PARA))
        sentence_end = _sentence_end(text, match.end())
        sentence = text[sentence_start:sentence_end]
        if _PROBLEM_INTRO.search(sentence) and not _IMPROVE_WORDS.search(sentence):
            continue  # 存在的问题主要有以下几个方面：
        return text[:sentence_start], text[_measures_start(text, match.end()) :]
    return None


def _sentence_end(text: str, pos: int) -> int:
    ends = [i for i in (text.find(c, pos) for c in "。；：:" + PARA) if i >= 0]
    return min(ends) if ends else len(text)


def _measures_start(text: str, cue_end: int) -> int:
    """Where the measures begin after the cue: after the lead-in sentence, or after its 将."""
    match = re.compile(r"[：:。¶；;]").search(text, cue_end)
    if match and match.group() not in "；;" and match.start() - cue_end <= 40:
        sentence = text[_last_of(text, cue_end, set("。；;¶")) : match.end()]
        if match.group() in "：:" or _LEAD_IN.search(sentence):
            return match.end()  # 将采取以下措施加以改进。 / 下一步整改措施：
    will = text.find("将", cue_end, cue_end + 20)
    if will >= 0:
        return will + 1  # 针对存在问题，下一步，我市将着力加强… (the measure starts at 着力)
    comma = re.compile(r"[，,]").search(text, cue_end)
    return comma.end() if comma and comma.start() - cue_end <= 2 else cue_end


def _parts_by_restart(text: str) -> tuple[str, str] | None:
    """Two numbered lists in a row (一是…三是, 一是…): the second one is the measures."""
    style = _style(text)
    if style is None:
        return None
    marks = list(_ORDINAL_RES[style].finditer(text))
    for previous, mark in zip(marks, marks[1:], strict=False):
        if _ordinal_value(mark.group()) == 1 and _ordinal_value(previous.group()) != 1:
            return text[: mark.start()], text[mark.start() :]
    return None


def _ordinal_value(mark: str) -> int:
    digits = re.search(r"\d+", mark)
    if digits:
        return int(digits.group())
    chinese = re.search(f"[{_CN}]+", mark)
    if not chinese:
        return 0
    tens, _, units = chinese.group().rpartition("十")
    if "十" not in chinese.group():
        return _CN.index(units) + 1 if len(units) == 1 else 0
    digit = {"": 0, **{c: i + 1 for i, c in enumerate(_CN[:9])}}
    return (digit.get(tens, 0) or 1) * 10 + digit.get(units, 0)


def _style(text: str) -> str | None:
    """The numbering style of the first ordinal, when the text has at least two of that style."""
    firsts = []
    for style, pattern in _ORDINAL_RES.items():
        marks = list(pattern.finditer(text))
        if len(marks) >= 2:
            firsts.append((marks[0].start(), style))
    return min(firsts)[1] if firsts else None


def _items(part: str, problems: bool) -> list[str]:
    part = part.strip(PARA + " ")
    style = _style(part)
    if style is not None:
        return _numbered(part, style)
    return _unnumbered(part, problems)


def _numbered(part: str, style: str) -> list[str]:
    """An item runs from its ordinal up to the next one (headline plus explanation)."""
    marks = list(_ORDINAL_RES[style].finditer(part))
    items = []
    for mark, following in zip(marks, [*marks[1:], None], strict=True):
        end = following.start() if following else len(part)
        items.append(_finish(part[mark.end() : end]))
    return [item for item in items if item]


def _unnumbered(part: str, problems: bool) -> list[str]:
    """Lists without ordinals, split as the corpus README describes.

    Order of preference: on ；, one item per paragraph, by sentence, on ，, on 、.
    The first split that yields two or more items wins; a closing 等 is dropped.
    """
    body = _strip_list_intro(part) if problems else _strip_lead_in(part)
    for pieces in (
        re.split(r"[；;]", body),
        body.split(PARA),
        re.split(r"(?<=[。！？!?])", body),
        re.split(r"[，,]", body),
        body.split("、"),
    ):
        items = [_finish(p) for p in pieces]
        items = [i for i in items if i]
        if len(items) >= 2:
            break
    if items and items[-1].endswith("等"):
        items[-1] = items[-1][:-1]
    return items


def _strip_list_intro(part: str) -> str:
    """Remove 2024年，…取得了…，但仍存在一些不足，如： before an unnumbered problem list."""
    for match in _LIST_INTRO.finditer(part):
        if _INTRO_WORDS.search(part[: match.start()]):
            return part[match.end() :]
    colon = re.search(r"[：:]", part)
    if colon and _INTRO_WORDS.search(part[: colon.start()]) and not re.search(r"[。；;¶]", part[: colon.start()]):
        return part[colon.end() :]  # 仍存在一些问题：…
    sentences = re.split(r"(?<=[。¶])", part)
    while len(sentences) > 1 and _INTRO_SENTENCE.search(sentences[0]):
        sentences.pop(0)
    return "".join(sentences)


def _strip_lead_in(part: str) -> str:
    """Remove a lead-in such as 下一步，我们将重点做好以下工作： before unnumbered measures."""
    match = _TRANSITION.search(part)
    if match and _last_of(part, match.start(), set("。；;！？!?" + PARA)) == 0:
        return part[_measures_start(part, match.end()) :]
    return part


def _finish(item: str) -> str:
    """Whitespace removed except between ASCII letters/digits; trailing 。；，、 removed."""
    item = join_lines(item.replace(PARA, ""))
    item = _ANY_ORDINAL.sub("", item, count=1) if _ANY_ORDINAL.match(item) else item
    return item.strip(_TRAILING).lstrip("：:，,、")


def _sort_items(items: list[str]) -> tuple[list[str], list[str]]:
    """No heading, transition or second list: tell problems from measures by their words."""
    problems, improvements = [], []
    for item in items:
        is_problem = not _ACTION_START.match(item) and _PROBLEM_WORDS.search(item)
        (problems if is_problem else improvements).append(item)
    return problems, improvements


# ---------------------------------------------------------------------------
# fees (section 六)
# ---------------------------------------------------------------------------

_TITLES = re.compile(r"《[^》]{0,60}》")
_SENTENCES = re.compile(r"[。；;！？!?\n]")
_CLAUSES = re.compile(r"[，,](?!\d{3}(?!\d))")  # not the comma of 3,940
_FEE_WORDS = re.compile(
    r"处理费|(?:收取|收费|费用).*(?:信息公开|依申请|申请)|(?:信息公开|依申请|申请).*(?:收取|收费|费用)"
)
_ADMIN_FEES = re.compile(r"行政事业性收费")
_NONE_COLLECTED = re.compile(r"无|未|没有|不收取|免收|免于|免除|不存在|零")
_AMOUNT = re.compile(r"(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)\s*(万)?\s*元")


def fees_collected_yuan(other_text: str) -> Number | None:
    """信息处理费 collected, in 元: 0 when none was collected, None when section 六 is silent.

    Only clauses about 信息处理费 (or fees for information requests) count; 行政事业性收费
    and fee rules cited by name (《政府信息公开信息处理费管理办法》) are not about this year.
    """
    text = _TITLES.sub("", nfkc(join_lines(other_text)))
    for sentence in _SENTENCES.split(text):
        # 行政事业性收费 is section 二's business, even when one sentence names both
        clauses = [c for c in _CLAUSES.split(sentence) if not _ADMIN_FEES.search(c)]
        about_fees = "，".join(clauses)
        if not _FEE_WORDS.search(about_fees):
            continue
        amount = _AMOUNT.search(about_fees)
        if amount:
            value = float(amount.group(1).replace(",", "")) * (10000 if amount.group(2) else 1)
            return int(value) if value.is_integer() else value
        if _NONE_COLLECTED.search(about_fees):
            return 0
    return None
