"""The words of a synthetic report: section 一's counts, section 五's lists, section 六's fees.

Every count that section 一 states is produced together with its ``submitted_info``
entry, so the record lists exactly what the text says. Counts sit in the text as
``num(value)`` markers; each rendered document formats them its own way (full-width
digits, thousands separators) without changing what they mean.

The conventions follow tests/expected/CORPUS-README.md: a label is the shortest noun
phrase right before the number (fillers 共/共计/累计 are not part of it); number-first
phrases, approximate counts (余/多), 万 multipliers, units outside 条 件 篇 场 期 次 个
and bare verbs are not counts. Section 一 also carries a few such decoys, as real
reports do, and the record leaves them out.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date

from workbench.synth.agencies import Agency
from workbench.synth.breaks import near_copy
from workbench.templates import layouts

NUM_OPEN, NUM_CLOSE = "\ue000", "\ue001"  # private-use marks around a number in the text


def num(value: int | float) -> str:
    return f"{NUM_OPEN}{value}{NUM_CLOSE}"


@dataclass
class Para:
    text: str
    role: str = "body"  # body | subheading


@dataclass
class Prose:
    preamble: list[Para]
    overview: list[Para]
    problems: list[Para]
    other: list[Para]
    submitted_info: list[dict] = field(default_factory=list)
    problem_items: list[str] = field(default_factory=list)
    improvement_items: list[str] = field(default_factory=list)
    fees_collected_yuan: int | float | None = None


@dataclass
class Facts:
    """What section 一 may restate, read from the record's tables (None = table left blank)."""

    year: int
    proactive: int
    normative_issued: int | None
    normative_in_force: int | None
    regulations_issued: int | None
    requests: dict[str, dict[str, int | None]] | None
    review: dict[str, dict[str, int | None]] | None


FILLERS = ("", "", "", "共", "共计", "累计")

# ---------------------------------------------------------------- section 一 phrase bank
# Each entry: category, unit, label choices, sentence choices. {L} label, {F} filler,
# {N} number with its unit, {S} the agency's self-reference, {P} its portal, {Y} the year.
PROACTIVE = [
    ("proactive_total", "条", ["政府信息", "政务信息"],
     ["{Y}年，{S}通过{P}主动公开各类{L}{F}{N}", "全年主动公开{L}{F}{N}",
      "坚持“以公开为常态、不公开为例外”，全年在{P}主动公开{L}{F}{N}"]),
    ("policy_interpretation", "篇", ["政策解读", "政策解读材料", "政策文件解读"],
     ["围绕重要政策文件，发布{L}{F}{N}", "通过图文、视频、问答等形式发布{L}{N}",
      "坚持政策文件与解读材料同步起草、同步审签、同步发布，全年发布{L}{F}{N}"]),
    ("press_conference", "场", ["新闻发布会"],
     ["召开{L}{N}", "组织召开{L}{F}{N}，及时回应社会关切"]),
    ("online_interview", "期", ["在线访谈", "“政务直通车”在线访谈"],
     ["开展{L}{N}", "组织部门负责人参加{L}{F}{N}"]),
    ("public_consultation", "期", ["民意征集"], ["开展{L}{N}"]),
    ("online_survey", "期", ["网上调查"], ["开展{L}{N}"]),
]
SUBMITTED_PARTS = [("work_news_info", "工作动态信息"), ("notices_info", "通知公告"),
                   ("personnel_info", "人事信息"), ("finance_info", "财政信息"),
                   ("key_disclosure_info", "重点领域信息")]
PLATFORM = [
    ("new_media_accounts", "个", ["政务新媒体"], ["截至年底，在运维{L}{F}{N}"]),
    ("new_media_closed", "个", ["政务新媒体", "政务新媒体账号"],
     ["关停整合更新不及时、无力维护的{L}{N}", "按照“集约开设、及时注销”原则，关停{L}{N}"]),
    ("websites_closed", "个", ["政府网站"], ["整合关停{L}{N}"]),
]
SUPERVISION = [
    ("training_sessions", "次", ["政务公开业务培训", "专题培训"], ["组织{L}{F}{N}", "全年开展{L}{N}"]),
    ("inspection_notices", "次", ["季度通报", "月度通报", "专项检查"], ["开展{L}{N}", "全年组织{L}{F}{N}"]),
]
# Plausible yearly counts for a county/city government; smaller bodies get a fifth.
RANGES = {"policy_interpretation": (5, 150), "press_conference": (1, 25), "online_interview": (1, 24),
          "public_consultation": (1, 60), "online_survey": (1, 50), "new_media_accounts": (3, 120),
          "new_media_closed": (1, 20), "websites_closed": (1, 5), "training_sessions": (1, 12),
          "inspection_notices": (1, 12)}
# Statements that look like counts but are not, by the corpus conventions.
DECOYS = [
    "累计转载上级政策文件{N}余条", "注销{N}个长期未更新的政务新媒体账号", "组织{N}期“政策面对面”宣讲活动",
    "梳理公开权责事项{N}项", "覆盖全{X}{N}家单位", "网站全年访问量达{N}万次",
    "发布{N}条便民服务信息", "收集群众意见建议{N}余条",
]

OPENINGS = [
    "{Y}年，{S}坚持以习近平新时代中国特色社会主义思想为指导，认真贯彻落实《中华人民共和国政府信息公开条例》，"
    "紧紧围绕中心工作和群众关切，持续深化政务公开，不断提升政府工作透明度。",
    "{Y}年，{S}按照上级关于政务公开工作的部署要求，坚持以公开为常态、不公开为例外，"
    "扎实推进政府信息公开各项工作，切实保障人民群众的知情权、参与权、表达权和监督权。",
    "{Y}年，在上级政务公开主管部门的指导下，{S}全面落实政府信息公开工作要点，"
    "聚焦重点领域信息公开，规范依申请公开办理，政府信息公开工作取得新进展。",
]
SUBHEADINGS = [
    ("主动公开情况", "主动公开方面"), ("依申请公开情况", "依申请公开方面"),
    ("政府信息管理情况", "政府信息管理方面"), ("政府信息公开平台建设情况", "平台建设方面"),
    ("政府信息公开监督保障情况", "监督保障方面"),
]
MANAGEMENT = [
    "严格落实“先审查、后公开”和“一事一审”制度，健全信息发布审核机制，确保公开信息准确、安全",
    "规范政府信息公开属性源头认定，落实保密审查责任，定期清理已公开信息，防止泄密和侵犯个人隐私",
    "动态调整政府信息主动公开目录，规范信息发布流程，推动政府信息管理标准化规范化",
]
PLATFORM_TEXT = [
    "发挥政府网站政务公开第一平台作用，优化栏目设置，完善信息发布、解读回应和互动交流功能",
    "加强政府网站和政务新媒体日常监管，运用技术手段开展常态化监测，及时整改发现的问题",
]
SUPERVISION_TEXT = [
    "将政务公开工作纳入年度绩效考核，明确责任分工，强化督促检查",
    "加强政务公开工作的组织领导，定期研究部署，及时通报工作情况",
]

# ---------------------------------------------------------------- section 五 phrase bank
# theme: (problem headlines, problem explanations, improvement headlines, improvement explanations)
THEMES: dict[str, tuple[list[str], list[str], list[str], list[str]]] = {
    "interpretation": (
        ["政策解读质量有待提升", "政策解读形式较为单一", "政策解读的针对性和通俗性不够"],
        ["部分解读材料照搬文件原文，图解、视频等群众喜闻乐见的形式运用较少",
         "解读内容与群众关切结合不够紧密，存在“重发布、轻解读”的现象"],
        ["提升政策解读质效", "丰富政策解读形式", "增强政策解读的针对性"],
        ["综合运用图文、音视频、在线访谈等方式开展解读，让群众看得懂、用得上",
         "坚持政策文件与解读材料同步起草、同步发布，提高解读的及时性和准确性"],
    ),
    "depth": (
        ["主动公开的深度和广度不够", "重点领域信息公开还不够全面", "公开内容的及时性有待加强"],
        ["部分栏目信息更新不及时，与群众切身利益相关的信息公开还不够具体",
         "存在注重结果公开、忽视过程公开的情况"],
        ["深化重点领域信息公开", "拓展主动公开的广度和深度", "提高信息发布的时效性"],
        ["围绕群众关注的热点问题，及时准确公开政策措施和执行情况",
         "对照主动公开目录逐项梳理，确保应公开尽公开、及时更新"],
    ),
    "requests": (
        ["依申请公开办理规范化水平有待提高", "依申请公开答复质量仍需提升", "依申请公开办理流程还不够规范"],
        ["个别答复文书说理不够充分，法律依据引用不够准确",
         "部分承办单位对申请内容研判不够，沟通协调有待加强"],
        ["规范依申请公开办理", "提升依申请公开答复质量", "健全依申请公开工作机制"],
        ["完善登记、审核、办理、答复、归档各环节工作规范，严格按照法定时限答复",
         "加强与申请人的沟通，准确把握申请人诉求，提高答复的针对性和规范性"],
    ),
    "staff": (
        ["工作队伍能力建设不够", "政务公开工作人员业务水平有待提高", "工作力量相对薄弱"],
        ["从事政务公开工作的人员多为兼职，人员流动性较大，业务培训不够系统",
         "部分工作人员对政务公开政策把握不准，处理复杂问题的能力不足"],
        ["加强工作队伍建设", "加大业务培训力度", "提升工作人员业务能力"],
        ["定期组织业务培训和经验交流，提高工作人员的政策水平和业务能力",
         "建立健全传帮带机制，保持政务公开工作队伍相对稳定"],
    ),
    "platform": (
        ["政府网站建设有待加强", "政务新媒体管理还需规范", "平台集约化建设水平不高"],
        ["部分栏目设置不够合理，检索、互动等功能有待完善",
         "个别政务新媒体更新不及时、互动回应不够"],
        ["优化公开平台建设", "加强政务新媒体管理", "推进平台集约化建设"],
        ["优化网站栏目设置，完善智能搜索和互动交流功能，提升用户体验",
         "加强政务新媒体日常监管，及时关停整合无力维护的账号"],
    ),
    "interaction": (
        ["政民互动回应不够及时", "公众参与渠道有待拓展", "回应社会关切的能力有待提升"],
        ["对网民留言和社会热点的回应还不够主动，回应内容的针对性不强",
         "公众参与政策制定的渠道较少，参与度不高"],
        ["加强政民互动交流", "拓宽公众参与渠道", "及时回应社会关切"],
        ["完善留言办理和舆情回应机制，做到及时回应、有效回应",
         "通过意见征集、在线访谈等方式，引导公众有序参与政策制定"],
    ),
    "supervision": (
        ["监督考核机制有待完善", "工作督查力度不够", "考核评价机制不够健全"],
        ["政务公开工作考核指标设置不够细化，督促整改的力度不足",
         "日常监测和定期检查结合不够，问题整改不够彻底"],
        ["强化监督考核", "完善考核评价机制", "加大督查力度"],
        ["将政务公开纳入绩效考核，定期通报工作情况，推动问题整改落实",
         "健全常态化监测和定期检查机制，对发现的问题限期整改"],
    ),
    "grassroots": (
        ["基层政务公开标准化规范化建设有待深化", "基层政务公开推进不够平衡", "基层公开事项目录落实不到位"],
        ["部分领域公开事项标准目录落实不够到位，公开内容不够规范",
         "村（社区）公开栏更新不够及时，公开形式较为单一"],
        ["深化基层政务公开标准化规范化建设", "推动基层政务公开均衡发展", "规范基层公开事项目录"],
        ["对照公开事项标准目录逐项落实，推动基层政务公开向村（社区）延伸",
         "加强对基层公开工作的指导，统一公开内容和形式"],
    ),
}
# More phrasings per theme (six headlines and four explanations a side), so that similarity
# and tagging meet real variety rather than a handful of stock sentences.
_MORE: dict[str, tuple[list[str], list[str], list[str], list[str]]] = {
    "interpretation": (
        ["政策解读的及时性不够", "解读材料通俗化程度不高", "部分政策文件解读不够深入"],
        ["个别解读材料专业术语较多，群众理解起来有难度", "解读发布与政策文件发布不同步，解读滞后于文件印发"],
        ["推进政策解读通俗化", "做好政策文件同步解读", "创新政策解读方式"],
        ["邀请起草部门负责人通过访谈、问答等方式解读政策，提高政策知晓度", "推出一图读懂、短视频等通俗化解读产品，扩大政策传播面"],
    ),
    "depth": (
        ["重点领域信息公开不够深入", "决策公开和过程公开有待加强", "主动公开内容不够全面"],
        ["对重大决策的预公开、执行和结果公开还不够系统", "部分重点领域信息仅公开结果，缺少对执行过程的说明"],
        ["加大重点领域信息公开力度", "推进决策公开全流程", "扩大主动公开范围"],
        ["围绕财政预决算、重大建设项目等重点领域，持续做好信息公开", "严格执行主动公开目录，做好决策、执行、管理、服务、结果公开"],
    ),
    "requests": (
        ["依申请公开答复文书不够规范", "政府信息公开申请办理能力有待增强", "依申请公开存在一定法律风险"],
        ["面对政府信息公开申请数量增长、内容日益复杂，答复研判能力不足", "个别申请答复告知不够清晰，引发行政复议"],
        ["提高依申请公开办理水平", "防范依申请公开法律风险", "规范答复文书格式"],
        ["加强与法律顾问的沟通会商，对疑难申请集体研究答复", "定期梳理分析申请人关注的问题，将公众普遍关注的信息转为主动公开"],
    ),
    "staff": (
        ["专职工作人员配备不足", "业务培训覆盖面不广", "人员变动频繁影响工作衔接"],
        ["基层单位多由办公室人员兼任政务公开工作，精力难以保证", "培训以会议传达为主，实操性和针对性不强"],
        ["充实政务公开工作力量", "强化业务培训", "稳定政务公开工作队伍"],
        ["将政务公开纳入干部教育培训内容，实现培训全覆盖", "明确专人负责政务公开工作，做好人员变动时的工作交接"],
    ),
    "platform": (
        ["网站栏目内容保障不足", "政务新媒体互动功能发挥不充分", "公开平台便民性不够"],
        ["部分专栏内容单薄，个别栏目长期未更新", "网站适老化和无障碍改造还需完善，移动端使用体验不佳"],
        ["加强网站栏目内容保障", "提升政务新媒体运营水平", "提升公开平台便民水平"],
        ["建立栏目内容保障责任清单，明确更新频次和责任人", "完善网站适老化和无障碍功能，优化移动端服务"],
    ),
    "interaction": (
        ["舆情回应机制不够健全", "意见征集反馈不够充分", "热点问题回应不够及时"],
        ["对征集到的意见采纳情况反馈较少，公众参与积极性不高", "面对突发舆情，回应口径把握不准、发布速度偏慢"],
        ["健全舆情回应机制", "做好意见征集反馈", "提升热点回应质效"],
        ["对公开征集的意见建议及时汇总反馈，公开采纳情况", "建立舆情监测、研判、回应联动机制，第一时间发布权威信息"],
    ),
    "supervision": (
        ["常态化监督检查不够到位", "考核结果运用不够充分", "问题整改督办不够有力"],
        ["对下属单位政务公开工作的检查多停留在表面，抽查频次不高", "考核评价结果与评先评优挂钩不紧，激励约束作用不明显"],
        ["加强常态化监督检查", "强化考核结果运用", "加大问题整改督办力度"],
        ["定期开展网站和政务新媒体抽查，及时通报检查结果", "建立问题整改台账，逐项督办销号"],
    ),
    "grassroots": (
        ["基层公开事项标准目录动态调整不及时", "村（社区）公开栏管理不够规范", "基层政务公开专区作用发挥不足"],
        ["部分乡镇（街道）对标准目录理解不透，公开事项存在漏项", "基层政务公开专区咨询、查阅等服务功能使用率不高"],
        ["动态调整基层公开事项标准目录", "规范村（社区）公开栏管理", "发挥基层政务公开专区作用"],
        ["指导乡镇（街道）对照标准目录逐项梳理，补齐公开事项", "推进村务公开与政务公开有效衔接，定期更新公开栏内容"],
    ),
}
for _theme, _banks in _MORE.items():
    for _bank, _more in zip(THEMES[_theme], _banks, strict=True):
        _bank.extend(_more)

ITEM_ORDINALS = {  # numbering style -> ordinal for item i (0-based)
    "shi": lambda i: "一二三四五六"[i] + "是",
    "paren": lambda i: "（" + "一二三四五六"[i] + "）",
    "dot": lambda i: f"{i + 1}.",
    "dun": lambda i: f"{i + 1}、",
}
PROBLEM_INTROS = ["{Y}年，{S}政府信息公开工作取得了一定成效，但对照上级要求和群众期待，仍存在一些不足：",
                  "在肯定成绩的同时，我们也清醒地看到，工作中还存在一些问题，主要表现在：",
                  "{Y}年政府信息公开工作虽然取得了一定成绩，但仍存在以下问题："]
IMPROVEMENT_INTROS = ["下一步，{S}将重点做好以下工作：", "针对上述问题，{S}将采取以下措施：",
                      "{Z}年，{S}将从以下几个方面加以改进："]
HEADED = [("（一）存在的主要问题", "（二）改进情况"), ("（一）存在问题", "（二）改进措施"),
          ("（一）主要问题", "（二）下一步工作打算")]
LABELLED = [("存在的主要问题：", "改进措施："), ("主要问题方面：", "改进情况方面：")]


@dataclass(frozen=True)
class CopyOf:
    """Section 五 of an earlier report, to be copied (a deliberate break)."""

    prose: Prose
    year: int
    near: bool  # near-verbatim: years moved on and filler words added, else verbatim


def write(agency: Agency, facts: Facts, fee_habit: str, rng: random.Random,
          copy_of: CopyOf | None = None) -> Prose:
    """All prose of one report, with the record fields that come from it."""
    prose = Prose(preamble=_preamble(agency, facts, rng), overview=[], problems=[], other=[])
    _overview(agency, facts, rng, prose)
    _problems(agency, facts, rng, prose)
    if copy_of is not None:
        _copy_problems(copy_of, facts.year, prose)
    _other(facts, fee_habit, rng, prose)
    return prose


def _fill(template: str, agency: Agency, year: int, **extra: str) -> str:
    return template.format(Y=year, Z=year + 1, S=agency.self_ref, P=agency.portal, X=agency.self_ref[1:], **extra)


def _preamble(agency: Agency, facts: Facts, rng: random.Random) -> list[Para]:
    notice = layouts().names["2019" if facts.year < 2021 else "2021"]
    year = facts.year
    first = rng.choice([
        f"本报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）和《国务院办公厅政府信息与政务公开办公室关于印发"
        f"〈中华人民共和国政府信息公开工作年度报告格式〉的通知》（{notice}）要求编制。",
        f"本年度报告依据《中华人民共和国政府信息公开条例》要求，由{agency.publisher}编制。",
        "根据《中华人民共和国政府信息公开条例》有关规定，现公布本年度政府信息公开工作年度报告。",
    ])
    period = rng.choice([f"本报告所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。",
                         f"报告中所列数据统计期限为{year}年1月1日至{year}年12月31日。"])
    contact = rng.choice([f"本报告电子版可在{agency.portal}查阅或下载。如对本报告有疑问，请与{agency.publisher}联系。", ""])
    return [Para(first + period + contact)]


def _statement(entry: tuple, count: int, agency: Agency, year: int, rng: random.Random,
               info: list[dict]) -> str:
    category, unit, labels, templates = entry
    label = rng.choice(labels)
    info.append({"label": label, "category": category, "count": count, "unit": unit})
    return _fill(rng.choice(templates), agency, year, L=label, F=rng.choice(FILLERS), N=num(count) + unit)


def _overview(agency: Agency, facts: Facts, rng: random.Random, prose: Prose) -> None:
    year, info = facts.year, prose.submitted_info
    blocks = [
        _proactive_sentences(agency, facts, rng, info),
        _request_sentences(agency, facts, rng, info),
        [rng.choice(MANAGEMENT)],
        _platform_sentences(agency, facts, rng, info),
        _supervision_sentences(agency, facts, rng, info),
    ]
    opening = Para(_fill(rng.choice(OPENINGS), agency, year))
    if agency.level == "township" and rng.random() < 0.6:  # small bodies write one or two plain paragraphs
        sentences = [s for block in blocks for s in block]
        half = len(sentences) // 2
        prose.overview = [opening, Para("。".join(sentences[:half]) + "。"), Para("。".join(sentences[half:]) + "。")]
        return
    prose.overview = [opening]
    inline = rng.random() < 0.5
    for index, (block, names) in enumerate(zip(blocks, SUBHEADINGS, strict=True)):
        heading = "（" + "一二三四五"[index] + "）" + rng.choice(names)
        body = "。".join(block) + "。"
        if inline:
            prose.overview.append(Para(heading + "。" + body))
        else:
            prose.overview += [Para(heading, "subheading"), Para(body)]


def _count(category: str, agency: Agency, rng: random.Random) -> int:
    low, high = RANGES[category]
    if agency.level not in ("city_gov", "county_gov"):
        high = max(low + 1, high // 5)
    return rng.randint(low, high)


def _decoy(agency: Agency, rng: random.Random) -> str:
    template = rng.choice(DECOYS)
    return _fill(template, agency, 0, N=num(rng.randint(2, 300)))


def _proactive_sentences(agency: Agency, facts: Facts, rng: random.Random, info: list[dict]) -> list[str]:
    year = facts.year
    out = [_statement(PROACTIVE[0], facts.proactive, agency, year, rng, info)]
    if rng.random() < 0.35:  # 报送信息 N 条，其中：… (sub-counts need not add up to the total)
        total = max(10, facts.proactive // rng.randint(2, 6))
        parts = rng.sample(SUBMITTED_PARTS, rng.randint(2, 4))
        info.append({"label": "报送信息", "category": "submitted_total", "count": total, "unit": "条"})
        pieces, left = [], total
        for category, label in parts:
            count = rng.randint(0, max(1, left // 2))
            left -= count
            info.append({"label": label, "category": category, "count": count, "unit": "条"})
            pieces.append(f"{label}{num(count)}条")
        out.append(f"向{agency.portal}报送信息{num(total)}条，其中：" + "、".join(pieces))
    if facts.regulations_issued:
        entry = ("regulations", "件", ["政府规章", "规章"], ["制定出台{L}{N}"])
        out.append(_statement(entry, facts.regulations_issued, agency, year, rng, info))
    if facts.normative_issued:
        entry = ("normative_documents_issued", "件", ["行政规范性文件", "规范性文件"],
                 ["本年度制发{L}{N}", "全年制发{L}{F}{N}，均按规定向社会公开"])
        out.append(_statement(entry, facts.normative_issued, agency, year, rng, info))
    if facts.normative_in_force and rng.random() < 0.4:
        entry = ("normative_documents_in_force", "件", ["行政规范性文件", "规范性文件"],
                 ["清理并集中公布现行有效{L}{N}", "规范性文件库收录现行有效{L}{F}{N}"])
        out.append(_statement(entry, facts.normative_in_force, agency, year, rng, info))
    for entry in rng.sample(PROACTIVE[1:], rng.randint(1, 3)):
        if entry[0] == "press_conference" and agency.level == "township":
            continue
        out.append(_statement(entry, _count(entry[0], agency, rng), agency, year, rng, info))
    if rng.random() < 0.4:
        out.append(_decoy(agency, rng))
    return out


def _total(table: dict[str, dict[str, int | None]], rows: list[str]) -> int:
    return sum(table[r]["total"] or 0 for r in rows if r in table)


def _request_sentences(agency: Agency, facts: Facts, rng: random.Random, info: list[dict]) -> list[str]:
    year, table = facts.year, facts.requests
    out = ["规范依申请公开受理、审查、办理、答复等环节，严格在法定期限内答复"]
    if table is None:
        out.append("本年度未收到政府信息公开申请")
        return out
    received = table["new_received"]["total"] or 0
    if received == 0:
        out.append(rng.choice(["本年度未收到政府信息公开申请", f"{year}年，{agency.self_ref}未收到政府信息公开申请"]))
    else:
        entry = ("requests_received", "件", ["政府信息公开申请"],
                 ["全年共收到{L}{N}", "{Y}年共受理{L}{N}", "本年度新收{L}{N}"])
        out.append(_statement(entry, received, agency, year, rng, info))
    carried = table["carried_over"]["total"] or 0
    if carried and rng.random() < 0.6:
        out.append(_statement(("requests_carried_over", "件", ["上年度结转申请"], ["另有{L}{N}"]),
                              carried, agency, year, rng, info))
    processed = table["total_processed"]["total"] or 0
    if processed and rng.random() < 0.7:
        out.append(_statement(("requests_processed", "件", ["办结政府信息公开申请"], ["{Y}年共{L}{N}"]),
                              processed, agency, year, rng, info))
        if rng.random() < 0.6:
            out.append(_outcome_breakdown(table, info, with_share=rng.random() < 0.5, total=processed))
    elif processed:
        out.append(f"均在法定期限内答复，共答复{num(processed)}件")  # a bare verb: not a count
    forward = table["carried_forward"]["total"] or 0
    if forward and rng.random() < 0.5:
        out.append(_statement(("requests_carried_forward", "件", ["结转下年度办理的申请"], ["{L}{N}"]),
                              forward, agency, year, rng, info))
    review = facts.review
    if review is not None and rng.random() < 0.6:
        cases = review["review"]["total"] or 0
        suits = (review["litigation_direct"]["total"] or 0) + (review["litigation_after_review"]["total"] or 0)
        review_label, suit_label = rng.choice([("行政复议案件", "行政诉讼案件"),
                                               ("政府信息公开行政复议", "政府信息公开行政诉讼")])
        info.append({"label": review_label, "category": "review_cases", "count": cases, "unit": "件"})
        info.append({"label": suit_label, "category": "litigation_cases", "count": suits, "unit": "件"})
        out.append(f"因政府信息公开引起{review_label}{num(cases)}件、{suit_label}{num(suits)}件")
    return out


def _outcome_breakdown(table: dict, info: list[dict], with_share: bool, total: int) -> str:
    rows = list(table)
    groups = [
        ("予以公开及部分公开", "requests_granted", ["granted", "partially_granted"]),
        ("不予公开", "requests_denied", [r for r in rows if r.startswith("denied_")]),
        ("无法提供", "requests_unable", [r for r in rows if r.startswith("unable_")]),
        ("不予处理", "requests_not_processed", [r for r in rows if r.startswith("not_processed_")]),
        ("其他处理", "requests_other", [r for r in rows if r.startswith("other_")]),
    ]
    pieces = []
    for label, category, group_rows in groups:
        count = _total(table, group_rows)
        info.append({"label": label, "category": category, "count": count, "unit": "件"})
        share = f"，占{count * 100 / total:.2f}%" if with_share and total else ""
        pieces.append(f"{label}{num(count)}件{share}")
    return "其中：" + "；".join(pieces)


def _platform_sentences(agency: Agency, facts: Facts, rng: random.Random, info: list[dict]) -> list[str]:
    out = [rng.choice(PLATFORM_TEXT)]
    for entry in rng.sample(PLATFORM, rng.randint(0, 2)):
        if entry[0] == "websites_closed" and agency.level not in ("city_gov", "county_gov"):
            continue
        out.append(_statement(entry, _count(entry[0], agency, rng), agency, facts.year, rng, info))
    return out


def _supervision_sentences(agency: Agency, facts: Facts, rng: random.Random, info: list[dict]) -> list[str]:
    out = [rng.choice(SUPERVISION_TEXT)]
    for entry in rng.sample(SUPERVISION, rng.randint(0, 2)):
        out.append(_statement(entry, _count(entry[0], agency, rng), agency, facts.year, rng, info))
    if rng.random() < 0.2:
        out.append(_decoy(agency, rng))
    return out


# ---------------------------------------------------------------- section 五
def _items(rng: random.Random, themes: list[str], side: int, long: bool) -> list[str]:
    """One item per theme; ``side`` 0 = problems, 2 = improvements."""
    items = []
    for theme in themes:
        headlines, explanations = THEMES[theme][side], THEMES[theme][side + 1]
        head = rng.choice(headlines)
        if long:
            items.append(head + "。" + rng.choice(explanations))
        elif rng.random() < 0.5:
            items.append(head + "，" + rng.choice(explanations).split("，")[0])
        else:
            items.append(head)
    return items


def _problems(agency: Agency, facts: Facts, rng: random.Random, prose: Prose) -> None:
    year = facts.year
    style = rng.choice(("headed", "inline", "labelled"))
    problem_themes = rng.sample(list(THEMES), rng.randint(2, 4))
    improvement_themes = problem_themes if rng.random() < 0.7 else rng.sample(list(THEMES), rng.randint(2, 4))
    long = style != "inline" and rng.random() < 0.7
    problems = _items(rng, problem_themes, 0, long)
    improvements = _items(rng, improvement_themes, 2, long)
    prose.problem_items, prose.improvement_items = problems, improvements
    if style == "inline":
        numbering = rng.choice(list(ITEM_ORDINALS))
        for intro, items in ((PROBLEM_INTROS, problems), (IMPROVEMENT_INTROS, improvements)):
            ordinal = ITEM_ORDINALS[numbering]
            listed = "；".join(ordinal(i) + item for i, item in enumerate(items))
            prose.problems.append(Para(_fill(rng.choice(intro), agency, year) + listed + "。"))
        return
    # Headed lists use （一）（二） for the two halves, so their items must not.
    numbering = rng.choice(["shi", "dot", "dun"] if style == "headed" else list(ITEM_ORDINALS))
    heads = rng.choice(HEADED if style == "headed" else LABELLED)
    for head, items in zip(heads, (problems, improvements), strict=True):
        prose.problems.append(Para(head, "subheading"))
        prose.problems += [Para(ITEM_ORDINALS[numbering](i) + item + "。") for i, item in enumerate(items)]


def _copy_problems(source: CopyOf, year: int, prose: Prose) -> None:
    """Section 五 taken over from ``source``; items change exactly as their paragraphs do,
    so the record lists what the document prints."""
    def edit(text: str) -> str:
        return near_copy(text, source.year, year) if source.near else text

    prose.problems = [Para(edit(p.text), p.role) for p in source.prose.problems]
    prose.problem_items = [edit(t) for t in source.prose.problem_items]
    prose.improvement_items = [edit(t) for t in source.prose.improvement_items]


# ---------------------------------------------------------------- section 六
def _other(facts: Facts, fee_habit: str, rng: random.Random, prose: Prose) -> None:
    year = facts.year
    sentences = []
    if rng.random() < 0.2:  # other business in section 六, with numbers that are not fees
        sentences.append(f"本年度共办理人大代表建议{num(rng.randint(1, 60))}件、政协委员提案{num(rng.randint(1, 60))}件，均按期办结。")
    requests = facts.requests
    received = (requests["new_received"]["total"] or 0) if requests else 0
    if fee_habit == "silent" and not sentences:
        prose.fees_collected_yuan = None
        prose.other = [Para(rng.choice(["无其他需要报告的事项。", "无。"]))]
        return
    if fee_habit == "amount" and year >= 2021 and received > 20:
        amount = rng.randint(1, max(2, received // 10)) * rng.choice((10, 50, 100))
        prose.fees_collected_yuan = amount
        sentences.append(rng.choice([
            f"{year}年，严格落实《政府信息公开信息处理费管理办法》，全年收取政府信息公开信息处理费{num(amount)}元。",
            f"本年度共收取信息处理费{num(amount)}元。",
        ]))
    else:
        prose.fees_collected_yuan = 0
        sentences.append(rng.choice([
            "本年度未收取信息处理费。", f"{year}年，本机关未收取政府信息公开信息处理费。",
            f"{year}年，无收取信息处理费情况。", f"全年收取政府信息公开信息处理费{num(0)}元。",
        ]))
    prose.other = [Para(s) for s in sentences]


def closing_date(value: date) -> str:
    return f"{value.year}年{value.month}月{value.day}日"
