"""Prose parsing: submitted_info (section 一), problems/improvements (五), fees (六).

Two kinds of tests:
  * every expected record of the real corpus, from the section text of the real document
    (read_document + split_sections, exactly what the parser sees);
  * made-up snippets, one per numbering style and per exclusion rule of the corpus README.
"""

from __future__ import annotations

import copy
import difflib
from collections.abc import Iterator
from functools import cache

import pytest
from conftest import REAL, UNNUMBERED, expected_records

from workbench.parse import prose
from workbench.parse.prose import (
    category_names,
    category_rules,
    fees_collected_yuan,
    flow,
    split_problems,
    submitted_info,
)
from workbench.parse.sections import split_sections
from workbench.sources import read_document

EXPECTED = {e["source"]["path"]: e for e in expected_records()}


@cache
def sections(name: str) -> dict[str, str]:
    return split_sections(read_document(REAL / name).text())


def _rows(items: list) -> list[tuple]:
    return [(i["label"], i["count"], i["unit"]) if isinstance(i, dict) else (i.label, i.count, i.unit)
            for i in items]


# --- the real corpus ----------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_submitted_info_labels_counts_units(name: str) -> None:
    got = submitted_info(sections(name).get("overview", ""))
    assert _rows(got) == _rows(EXPECTED[name]["submitted_info"])


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_submitted_info_categories(name: str) -> None:
    got = submitted_info(sections(name).get("overview", ""))
    want = EXPECTED[name]["submitted_info"]
    assert [(g.label, g.category) for g in got] == [(w["label"], w["category"]) for w in want]


@pytest.mark.parametrize("name", sorted(EXPECTED))
@pytest.mark.parametrize("field", ["problems", "improvements"])
def test_problems_and_improvements(name: str, field: str) -> None:
    problems, improvements = split_problems(sections(name).get("problems", ""))
    got = problems if field == "problems" else improvements
    want = EXPECTED[name][field]
    if (name, field) not in UNNUMBERED:
        assert got == want
        return
    assert len(got) == len(want)
    for g, w in zip(got, want, strict=True):
        assert difflib.SequenceMatcher(None, g, w).ratio() >= 0.9, (g, w)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fees(name: str) -> None:
    got = fees_collected_yuan(sections(name).get("other", ""))
    want = EXPECTED[name]["fees_collected_yuan"]
    assert got == want and type(got) is type(want)


# --- submitted_info: made-up snippets -------------------------------------------------


def labels(text: str) -> list[tuple[str, int, str]]:
    return _rows(submitted_info(text))


def test_label_is_the_noun_phrase_after_the_verb() -> None:
    assert labels("2024年，我区共主动公开政府信息2428条。") == [("政府信息", 2428, "条")]


def test_verb_stays_before_a_bare_noun() -> None:
    assert labels("全年共发布信息291条；向区政府网站报送信息66条。") == [
        ("发布信息", 291, "条"), ("报送信息", 66, "条")]


def test_fillers_are_dropped() -> None:
    assert labels("接收政府信息公开申请共计81件，发布政策解读累计12篇。") == [
        ("政府信息公开申请", 81, "件"), ("政策解读", 12, "篇")]


def test_sub_counts_after_qizhong() -> None:
    got = submitted_info("政府信息公开行政复议35件，其中结果维持7件，结果纠正6件；"
                         "政府信息公开行政诉讼4件，其中结果维持2件。")
    assert [(g.label, g.category, g.count) for g in got] == [
        ("政府信息公开行政复议", "review_cases", 35), ("结果维持", "review_upheld", 7),
        ("结果纠正", "review_corrected", 6), ("政府信息公开行政诉讼", "litigation_cases", 4),
        ("结果维持", "litigation_upheld", 2)]


def test_list_items_split_on_dunhao_after_a_count_only() -> None:
    assert labels("公开政策、规范性文件类信息68条、安全生产、应急管理类信息12条。") == [
        ("政策、规范性文件类信息", 68, "条"), ("安全生产、应急管理类信息", 12, "条")]


def test_number_first_phrases_are_excluded() -> None:
    assert labels("注销2个无人维护的政务新媒体，发布380条财政资金信息，组织19期《问政平潭》。") == []


def test_approximate_counts_are_excluded() -> None:
    assert labels("主动公开政府信息5500余条，发布信息100多条，公开信息约300条，更新200条左右。") == []


def test_wan_multipliers_are_excluded() -> None:
    assert labels("汇聚数据8232万条，阅读量180万次。") == []


def test_units_outside_the_list_are_excluded() -> None:
    assert labels("梳理事项54项，入驻中介机构868家，受理诉求259起，入库证照452份，"
                  "热线电话11通，抽检20680批次，开展活动42场次。") == []


def test_bare_verbs_are_excluded() -> None:
    assert labels("答复3050件，及时依法依规办结69件，现场解决162件，拟适时修改3件。") == []


def test_year_before_count_is_not_a_label() -> None:
    assert labels("共办结148件，结转至2026年6件。") == []


def test_full_width_digits_and_thousands_separators() -> None:
    assert labels("主动公开政府信息１２３条，受理政府信息公开申请1,024件。") == [
        ("政府信息", 123, "条"), ("政府信息公开申请", 1024, "件")]


def test_pdf_line_breaks_inside_phrases() -> None:
    text = "2024年，我区在政\n府网站平台主动发布各类政府信息 2428 条，公开政府常务会议 7\n期。"
    assert labels(text) == [("政府信息", 2428, "条"), ("政府常务会议", 7, "期")]


def test_relative_clause_with_negation_is_cut() -> None:
    assert labels("先后关停未进行规范管理的政务新媒体2个。") == [("政务新媒体", 2, "个")]


def test_verb_kept_to_tell_two_counts_apart() -> None:
    assert labels("共受理政府信息公开申请859件；答复政府信息公开申请805件。") == [
        ("政府信息公开申请", 859, "件"), ("答复政府信息公开申请", 805, "件")]
    assert labels("集中公开现行有效行政规范性文件698件，动态更新本年度制发的规范性文件88件。") == [
        ("现行有效行政规范性文件", 698, "件"), ("本年度制发的规范性文件", 88, "件")]


def test_quoted_titles_are_kept_whole() -> None:
    assert labels("开展“平潭大家谈”系列在线访谈12期，制作《淮安市人民政府公报》6期。") == [
        ("“平潭大家谈”系列在线访谈", 12, "期"), ("《淮安市人民政府公报》", 6, "期")]


def test_deng_before_a_head_noun_starts_the_label() -> None:
    assert labels("组织召开了“稳就业”“优环境”等新闻发布会12场，刊登政府规章、规范性文件等112件。") == [
        ("新闻发布会", 12, "场"), ("政府规章、规范性文件等", 112, "件")]


def test_categories_use_context() -> None:
    got = submitted_info("通过门户网站公开信息120条，通过“平潭发布”公众号发布信息672条。"
                         "关停政府网站1个、政务新媒体2个。全市在运维政务新媒体共计95个。")
    assert [g.category for g in got] == [
        "website_posts", "new_media_posts", "websites_closed", "new_media_closed", "new_media_accounts"]


def test_gazette_contents_follow_the_gazette_count() -> None:
    got = submitted_info("全年共编发公报24期，刊登规范性文件45件，政策解读83件。发布政策解读132件。")
    assert [g.category for g in got] == [
        "gazette_issues", "gazette_documents", "gazette_policy_interpretation", "policy_interpretation"]


def test_common_supervisor_counts_have_categories() -> None:
    text = ("召开新闻发布会8场，举办政府开放日活动3次，开展在线访谈5期，发布政策解读35篇，"
            "办理人大代表建议12件、政协提案20件，开展政务公开业务培训4次，报送政务信息120条。")
    assert [g.category for g in submitted_info(text)] == [
        "press_conference", "open_day_events", "online_interview", "policy_interpretation",
        "suggestions_proposals", "suggestions_proposals", "training_sessions", "submitted_total"]


def test_category_data_is_consistent() -> None:
    names = category_names()
    assert names["policy_interpretation"] == "政策解读"
    assert all(rule.label for rule in category_rules())  # every rule names the labels it is for
    parents = {key for rule in category_rules() for key in rule.parent | rule.follows}
    assert parents <= set(names)  # parent/follows refer to categories that exist


@pytest.fixture
def fresh_rules() -> Iterator[None]:
    prose.category_rules.cache_clear()
    prose.lexicon.cache_clear()
    yield
    prose.category_rules.cache_clear()
    prose.lexicon.cache_clear()


def test_a_supervisor_adds_a_category_and_a_verb_in_the_yaml(monkeypatch, fresh_rules) -> None:
    text = "受理12345热线工单300件，签收市长信箱来信20件。"
    assert [(g.label, g.category) for g in submitted_info(text)] == [
        ("12345热线工单", "hotline_calls"), ("签收市长信箱来信", "public_appeals")]
    data = copy.deepcopy(prose._data())
    data["categories"].insert(0, {"key": "hotline_tickets", "name": "热线工单", "label": ["工单"]})
    data["words"]["verbs"].append("签收")
    monkeypatch.setattr(prose, "_data", lambda: data)
    prose.category_rules.cache_clear()
    prose.lexicon.cache_clear()
    assert [(g.label, g.category) for g in submitted_info(text)] == [
        ("12345热线工单", "hotline_tickets"), ("市长信箱来信", "public_appeals")]


# --- split_problems: made-up snippets -------------------------------------------------


def test_yishi_numbering_with_a_transition_sentence() -> None:
    text = ("2023年，我区工作取得一定成效，但仍存在不足。一是公开质量有待提升；二是解读形式单一。"
            "2024年，我区将采取以下措施加以改进：一是提升公开质量。定期抽查。二是丰富解读形式。")
    assert split_problems(text) == (
        ["公开质量有待提升", "解读形式单一"], ["提升公开质量。定期抽查", "丰富解读形式"])


def test_yishi_typo_sequence_is_still_three_items() -> None:
    text = "存在的问题主要有以下几个方面：一是甲不够；三是乙不足；三是丙有待提高。"
    assert split_problems(text) == (["甲不够", "乙不足", "丙有待提高"], [])


def test_bracketed_chinese_ordinals_and_sub_headings() -> None:
    text = ("（一）存在的主要问题\n（一）公开意识不强。\n（二）队伍不稳定。\n"
            "（二）改进措施\n（一）强化意识。\n（二）稳定队伍。")
    assert split_problems(text) == (["公开意识不强", "队伍不稳定"], ["强化意识", "稳定队伍"])


def test_arabic_ordinals() -> None:
    text = "（一）主要问题\n1.公开不及时。\n2.栏目不规范。\n（二）改进情况\n1、加强督查。\n2、规范栏目。"
    assert split_problems(text) == (["公开不及时", "栏目不规范"], ["加强督查", "规范栏目"])


def test_chinese_ordinals_with_dunhao() -> None:
    text = "存在问题：一、解读不够。二、互动不足。改进措施：一、丰富解读。二、加强互动。"
    assert split_problems(text) == (["解读不够", "互动不足"], ["丰富解读", "加强互动"])


def test_one_item_per_paragraph() -> None:
    text = "存在的主要问题：\n公开内容不够全面\n政策解读不够通俗\n改进措施：\n全面梳理公开事项\n推进通俗化解读"
    assert split_problems(text) == (
        ["公开内容不够全面", "政策解读不够通俗"], ["全面梳理公开事项", "推进通俗化解读"])


def test_mixed_paragraph_with_ru_and_semicolons() -> None:
    text = ("2024年，工作取得了新进展，但仍在不足，如机制有待完善；解读形式仍需创新；手段运用还不够充分等。"
            "2025年，将重点从以下方面做好改进：一是完善机制。二是创新解读。")
    assert split_problems(text) == (
        ["机制有待完善", "解读形式仍需创新", "手段运用还不够充分"], ["完善机制", "创新解读"])


def test_unnumbered_splits_on_dunhao_and_comma() -> None:
    dunhao = "仍存在一定差距。如规范性还有待提高、深度还有待提升、队伍建设有待加强等。下一步整改措施：一是规范。二是深化。"
    assert split_problems(dunhao)[0] == ["规范性还有待提高", "深度还有待提升", "队伍建设有待加强"]
    comma = "仍存在一些不足，主要是：研判能力不足，文书规范性有待提升，机制尚需完善等。"
    assert split_problems(comma)[0] == ["研判能力不足", "文书规范性有待提升", "机制尚需完善"]


def test_lead_in_with_jiang_before_unnumbered_measures() -> None:
    text = ("主要表现在：一是解读质量仍需提升；二是队伍建设还需加强。"
            "针对存在问题，下一步，我市将着力加强政策解读，回应需求；建立健全“传帮带”机制，提升队伍水平。")
    assert split_problems(text)[1] == ["着力加强政策解读，回应需求", "建立健全“传帮带”机制，提升队伍水平"]


def test_signature_and_whitespace_are_removed() -> None:
    text = ("（一）存在的主要问题\n一是公开信息的质量有\n待提升。\n二是 WPS 文档 不规范。\n（二）改进措施\n一是夯实基础。\n"
            "二是加强考核。\n攀枝花市东区人力资源和社会保障局\n2020年 1月 30日")
    assert split_problems(text) == (["公开信息的质量有待提升", "WPS文档不规范"], ["夯实基础", "加强考核"])


def test_full_width_punctuation_is_kept() -> None:
    problems, _ = split_problems("问题：一是机制不完善,需调整；二是形式单一（图解少）。")
    assert problems == ["机制不完善,需调整", "形式单一（图解少）"]


def test_two_numbered_lists_without_a_transition() -> None:
    text = "一是公开不及时；二是解读不够。一是加强时效管理；二是丰富解读。"
    assert split_problems(text) == (["公开不及时", "解读不够"], ["加强时效管理", "丰富解读"])


def test_longer_sub_heading_and_ordinal_on_the_next_line() -> None:
    text = ("（一）存在的主要问题\n1.政策解读质量不高。\n2.答复不规范。\n"
            "（二）改进措施及下一步工作打算\n1.提升解读质量。\n2.规范答复。")
    assert split_problems(text) == (["政策解读质量不高", "答复不规范"], ["提升解读质量", "规范答复"])


def test_nested_ordinals_stay_inside_their_item() -> None:
    text = "一、存在的主要问题\n（一）内容不全面。\n（二）回应不足。\n二、改进情况\n（一）全面梳理。一是梳理目录；二是更新指南。\n（二）加强互动。"
    assert split_problems(text)[1] == ["全面梳理。一是梳理目录；二是更新指南", "加强互动"]


def test_di_yi_ordinals_and_a_jiang_lead_in() -> None:
    text = "第一，公开质量有待提升。第二，解读形式单一。下一步，将着力解决上述问题。"
    assert split_problems(text) == (["公开质量有待提升", "解读形式单一"], ["着力解决上述问题"])


def test_colon_intro_and_zhendui_lead_in() -> None:
    text = ("本年度政府信息公开工作存在的主要问题是：办理流程不够规范。"
            "针对以上问题，我局将进一步规范办理流程，加强对工作人员的培训。")
    assert split_problems(text) == (["办理流程不够规范"], ["进一步规范办理流程", "加强对工作人员的培训"])


def test_items_sorted_by_their_words_when_nothing_separates_them() -> None:
    text = "（一）部分栏目更新不及时。（二）加强栏目日常巡查。"
    assert split_problems(text) == (["部分栏目更新不及时"], ["加强栏目日常巡查"])


def test_empty_section() -> None:
    assert split_problems("") == ([], [])


# --- fees: made-up snippets ------------------------------------------------------------


@pytest.mark.parametrize(("text", "fee"), [
    ("2023年，无收取信息处理费情况。", 0),
    ("本年度未收取信息处理费。", 0),
    ("严格落实《政府信息公开信息处理费管理办法》，全年收取政府信息公开信息处理费0元。", 0),
    ("全年收取政府信息公开信息处理费3940元。", 3940),
    ("共收取信息处理费1.5万元。", 15000),
    ("收取信息处理费120.5元。", 120.5),
    ("全年收取信息处理费3,940元。", 3940),
    ("收取信息处理费共计2笔，金额300元。", 300),
    ("本机关行政事业性收费12万元，未收取信息处理费。", 0),
    ("依申请公开未收取任何费用。", 0),
    ("行政事业性收费12万元；未收取信息处理费。", 0),
    ("无其他需要报告的事项", None),
    ("无。", None),
    ("", None),
])
def test_fees_snippets(text: str, fee: float | None) -> None:
    got = fees_collected_yuan(text)
    assert got == fee and type(got) is type(fee)


def test_flow_joins_pdf_wraps_but_keeps_headings_apart() -> None:
    assert flow("主动公开政府信息 1136\n条。\n（一）主动公开方面\n平潭") == "主动公开政府信息1136条。¶（一）主动公开方面¶平潭"
