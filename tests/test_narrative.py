"""Section 五 narrative (workbench.narrative): item splitting, theme tags, similarity, repeats.

* Item splitting is parse's ``split_problems``; here it is checked on every numbering style
  section 五 uses, since tags and matches are only as good as the items.
* Tags are checked with the words that fired them, on real wording and on made-up traps.
* Similarity: lightly edited pairs match, different texts on the same theme do not, and two
  reports that share only boilerplate are not flagged as copies.
* The real corpus: Pingtan's seven consecutive years and Hongze's two, through the store.
"""

from __future__ import annotations

import itertools
import re
import subprocess
import sys
from datetime import datetime
from functools import cache
from pathlib import Path

import duckdb
import pytest
from conftest import REAL, ROOT

from workbench.narrative import (
    Item,
    SectionText,
    Tagger,
    analyse,
    compare_sections,
    from_record,
    load_taxonomy,
    match_items,
    repeated_problems,
    similarity,
    tag_items,
)
from workbench.narrative import store as narrative_store
from workbench.narrative.model import OTHER_AGENCY, SAME_AGENCY, UNTAGGED, SectionScore, Tag
from workbench.narrative.similarity import default_config
from workbench.narrative.summary import narrative_summary
from workbench.narrative.taxonomy import TaxonomyError
from workbench.parse import parse_file
from workbench.parse.prose import split_problems
from workbench.synth.report import build_reports

# --- item splitting (split_problems) on every numbering style -------------------------

SPLITS = {
    "一是/二是 with a lead-in sentence": (
        "2023年，我局政府信息公开工作取得了一定成效，但仍存在一些不足：一是政策解读形式较为单一；"
        "二是政务新媒体更新不及时；三是工作人员业务培训不够系统。下一步，我局将重点做好以下工作："
        "一是丰富政策解读形式；二是加强政务新媒体日常监管；三是定期组织业务培训。",
        ["政策解读形式较为单一", "政务新媒体更新不及时", "工作人员业务培训不够系统"],
        ["丰富政策解读形式", "加强政务新媒体日常监管", "定期组织业务培训"],
    ),
    "（一）（二） items under labelled halves": (
        "存在的主要问题：（一）保密审查机制不够健全；（二）考核督查力度不够。"
        "改进措施：（一）严格落实保密审查制度；（二）将政务公开纳入绩效考核。",
        ["保密审查机制不够健全", "考核督查力度不够"],
        ["严格落实保密审查制度", "将政务公开纳入绩效考核"],
    ),
    "1. 2. items under （一）（二） headings": (
        "（一）存在的主要问题\n1.依申请公开答复质量仍需提升。\n2.基层政务公开标准化规范化建设有待深化。\n"
        "（二）改进措施\n1.完善依申请公开办理流程。\n2.推进基层政务公开标准化规范化。",
        ["依申请公开答复质量仍需提升", "基层政务公开标准化规范化建设有待深化"],
        ["完善依申请公开办理流程", "推进基层政务公开标准化规范化"],
    ),
    "一、二、 inside section 五": (
        "一、政府网站栏目更新不及时。二、公开队伍力量薄弱。针对上述问题，我局将采取以下措施："
        "一、建立栏目定期更新机制。二、加强业务培训。",
        ["政府网站栏目更新不及时", "公开队伍力量薄弱"],
        ["建立栏目定期更新机制", "加强业务培训"],
    ),
    "one item per paragraph, no ordinals": (
        "2024年，本单位政府信息公开工作取得了一定成效，但仍存在一些问题：\n政策解读形式比较单一。\n"
        "政务新媒体互动回应不够。\n下一步，我们将采取以下措施：\n丰富政策解读形式，运用图解、视频等方式。\n"
        "加强政务新媒体互动，及时回应关切。",
        ["政策解读形式比较单一", "政务新媒体互动回应不够"],
        ["丰富政策解读形式，运用图解、视频等方式", "加强政务新媒体互动，及时回应关切"],
    ),
    "problems and measures mixed in one paragraph": (
        "政策解读形式较为单一，基层公开栏更新不及时，加强政策解读，推进基层政务公开标准化规范化。",
        ["政策解读形式较为单一", "基层公开栏更新不及时"],
        ["加强政策解读", "推进基层政务公开标准化规范化"],
    ),
    "two 一是 lists in a row, no transition": (
        "一是政策解读形式单一；二是政务新媒体管理不够规范。一是丰富政策解读形式；二是加强政务新媒体管理。",
        ["政策解读形式单一", "政务新媒体管理不够规范"],
        ["丰富政策解读形式", "加强政务新媒体管理"],
    ),
}


@pytest.mark.parametrize("name", sorted(SPLITS))
def test_split_problems_numbering_styles(name: str) -> None:
    text, problems, improvements = SPLITS[name]
    assert split_problems(text) == (problems, improvements)


# --- tags --------------------------------------------------------------------------


@cache
def tagger() -> Tagger:
    return Tagger()


def _hits(text: str) -> dict[str, tuple[str, ...]]:
    return {h.theme: h.words for h in tagger().hits(text)}


def test_tags_carry_their_trigger_words() -> None:
    assert _hits("政策解读形式单一，缺少多个角度多种形式的解读") == {"interpretation": ("政策解读",)}
    hits = _hits("依申请公开答复质量待进一步提升")
    assert set(hits) == {"requests"}
    assert set(hits["requests"]) == {"依申请公开", "答复"}
    hits = _hits("个别单位存在人员配备不足、兼职多、流动性过快的问题")
    assert set(hits["staff"]) >= {"兼职", "流动性"}


def test_several_tags_on_one_item() -> None:
    hits = _hits("少数政务新媒体“政务”属性不够突出，互动效果有待进一步加强")
    assert hits["platforms"] == ("政务新媒体",)
    assert hits["interaction"] == ("互动",)


def test_tags_use_words_not_substrings() -> None:
    # 解读 is a substring of 了解读者 but not a word of it (了解 / 读者)
    assert "interpretation" not in _hits("深入了解读者需求，改进服务方式")
    # 定期 inside 不定期 is not the 定期 of a [更新, 定期] group
    assert "timeliness" not in _hits("不定期更新编制答复书模板")
    assert "timeliness" in _hits("栏目内容定期更新")
    # 社会监督 is interaction, not supervision; 督查 next to it still counts
    assert "supervision" not in _hits("接受社会监督")
    assert _hits("加强督查考核和社会监督")["supervision"] == ("督查", "考核")


def test_untagged_items_are_kept_visible() -> None:
    items = [Item(1, "甲", 2023, "problems", 1, "开拓创新不够有力，特色亮点挖掘还不够"),
             Item(1, "甲", 2023, "problems", 2, "政策解读质量有待提高")]
    tags = tag_items(items)
    assert Tag(1, "problems", 1, UNTAGGED) in tags
    assert [t.tag for t in tags if t.ordinal == 2] == ["interpretation"]


def test_a_supervisor_adds_a_theme(tmp_path: Path) -> None:
    """Editing the taxonomy file is all it takes: new theme, new word, new trigger."""
    source = (ROOT / "workbench" / "narrative" / "taxonomy.yaml").read_text("utf-8")
    extra = ("  - key: innovation\n    label: 创新与特色\n    description: 开拓创新、特色亮点\n"
             "    words: [开拓创新, 特色, 亮点]\n")
    path = tmp_path / "taxonomy.yaml"
    path.write_text(source + extra, "utf-8")
    taxonomy = load_taxonomy(path)
    assert taxonomy.labels()["innovation"] == "创新与特色"
    item = Item(1, "甲", 2023, "problems", 1, "开拓创新不够有力，特色亮点挖掘还不够")
    assert tag_items([item], taxonomy) == [Tag(1, "problems", 1, "innovation", ("开拓创新", "亮点", "特色"))]


@pytest.mark.parametrize("yaml_text, complaint", [
    ("themes:\n  - key: a\n    label: 甲\n    words: [x]\n  - key: a\n    label: 乙\n    words: [y]\n", "重复"),
    ("themes:\n  - key: untagged\n    label: 甲\n    words: [x]\n", "`key` 应为"),
    ("themes:\n  - key: b\n    label: 乙\n", "需要 `words`"),
    ("themes:\n  - key: c\n    label: 丙\n    together: [[单]]\n", "两个词"),
    ("theme: []\n", "`themes:` 列表"),
])
def test_taxonomy_mistakes_are_named(tmp_path: Path, yaml_text: str, complaint: str) -> None:
    path = tmp_path / "t.yaml"
    path.write_text(yaml_text, "utf-8")
    with pytest.raises(TaxonomyError, match=complaint):
        load_taxonomy(path)


def test_segmenter_starts_quietly_offline(tmp_path: Path) -> None:
    """jieba's "Building prefix dict…" must not reach the CLI's stderr, even on a cold cache
    (a fresh TMPDIR: jieba builds its dictionary cache there from the file it ships)."""
    code = "from workbench.narrative import Tagger; print(Tagger().hits('政务新媒体更新不及时')[0].theme)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          env={"PATH": "", "HOME": str(tmp_path), "TMPDIR": str(tmp_path)})
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "timeliness"
    assert done.stderr == ""
    assert (tmp_path / "jieba.cache").exists()  # the cold path was taken


# --- similarity ----------------------------------------------------------------------

LIGHT_EDITS = [
    ("政务公开队伍建设有待加强", "政务公开队伍建设有待进一步加强"),
    ("继续加强业务指导培训。实行政府信息公开工作人员跟班学习制度，不断提高各单位政府信息公开工作人员的思想认识和业务工作水平",
     "加强业务指导和培训，实行政府信息公开工作人员跟班学习制度，不断提高全区各单位政府信息公开工作人员的思想认识和业务水平"),
    ("2023年，围绕群众关注的热点问题，及时准确公开政策措施和执行情况",
     "2024年，围绕群众关注的热点问题，及时、准确公开政策措施及执行情况"),
]
SAME_THEME = [  # real Pingtan problems about 政策解读 from different years
    ("政策解读形式单一，缺少多个角度多种形式的解读", "政策解读的质量有待提高，形式还要更加多样、更加“接地气”"),
    ("政策解读形式不够丰富，未能充分运用数字化、图表图解等方式通俗易懂地解读政策文件", "政策解读形式仍需创新"),
    ("政策解读质量仍需提升，个别单位政策解读内容简单、形式单一", "政策解读形式单一，缺少多个角度多种形式的解读"),
]


@pytest.mark.parametrize("a, b", LIGHT_EDITS)
def test_lightly_edited_items_match(a: str, b: str) -> None:
    assert similarity(a, b) >= default_config().item_match


@pytest.mark.parametrize("a, b", SAME_THEME)
def test_different_items_on_one_theme_do_not_match(a: str, b: str) -> None:
    assert similarity(a, b) < 0.3


def _section(report_id: int, agency: str, year: int, text: str) -> SectionText:
    return SectionText(report_id, agency, year, "problems", text)


def _light_edit(text: str) -> str:
    text = re.sub(r"20\d\d", lambda m: str(int(m.group()) + 1), text)
    return text.replace("有待", "仍需", 1).replace("；", "。", 2).replace("加强", "进一步加强", 1)


def test_a_copied_section_is_flagged_and_a_rewritten_one_is_not() -> None:
    reports = [r for r in build_reports(3, range(2021, 2024), seed=7)]
    first = reports[0]
    text = "\n".join(p.text for p in first.prose["problems"])
    sections = [_section(1, "甲", 2021, text), _section(2, "甲", 2022, _light_edit(text))]
    # the same theme in other words: Pingtan's real 2022 and 2023 sections 五 (both 政策解读)
    pingtan = {y: parse_file(REAL / f"{y}_pingtan_text.txt").sections["problems"] for y in (2022, 2023)}
    sections += [_section(3, "乙", 2022, pingtan[2022]), _section(4, "乙", 2023, pingtan[2023])]
    scores = {s.report_id: s for s in compare_sections(sections) if s.kind == SAME_AGENCY}
    assert scores[2].copied and scores[2].score >= 0.9
    assert not scores[4].copied and scores[4].score < 0.2


BOILERPLATE_OPEN = "{year}年，我局政府信息公开工作取得了一定成效，但对照上级要求和群众期待，仍存在一些不足："
BOILERPLATE_TURN = "下一步，我局将重点做好以下工作："
TOPICS = ["政策解读形式单一，图表和视频解读运用偏少", "政务新媒体账号更新不及时，个别账号长期停更",
          "依申请公开答复文书说理不够充分", "村居公开栏内容陈旧，缺乏日常维护",
          "保密审查流程不够严密，审核记录缺失", "考核督查力度不够，通报整改不到位",
          "兼职工作人员流动性较大，交接不顺", "公众参与重大决策的渠道较少",
          "重点项目审批和实施过程公开深度不足", "门户网站检索功能不完善，查找困难",
          "解读材料发布滞后于政策文件", "意见征集结果反馈不及时，采纳情况不明",
          "财政预决算公开内容不够细化", "政务服务事项办事指南要素不全",
          "历史文件清理不彻底，失效文件未标注", "政民互动留言回复质量参差不齐"]
MEASURES = ["运用图解、短视频等方式丰富解读", "建立账号日常巡检和停更预警机制", "统一答复文书模板并加强法制审核",
            "按月更新村居公开栏并拍照留档", "严格执行先审后发和一事一审", "把公开工作纳入年度绩效考核",
            "组织专题业务培训和跟班学习", "拓宽重大决策公众参与渠道", "推进重点项目全过程信息公开",
            "升级网站智能检索功能", "坚持文件与解读同步起草发布", "按期反馈意见采纳情况",
            "细化财政预决算公开到项目", "逐项补齐办事指南要素", "全面清理历史文件并标注效力",
            "建立留言办理质量评查制度"]


def _boilerplate_report(index: int, year: int) -> str:
    """The same opening and lead-in in every report; no two reports list the same items, and
    reports 0 and 1 have no item in common."""
    combinations = list(itertools.combinations(range(len(TOPICS)), 3))
    picks = {0: (0, 1, 2), 1: (3, 4, 5)}.get(index) or combinations[index * 7 + 40]
    problems = "；".join(f"{'一二三'[k]}是{TOPICS[p]}" for k, p in enumerate(picks))
    measures = "；".join(f"{'一二三'[k]}是{MEASURES[p]}" for k, p in enumerate(reversed(picks)))
    return BOILERPLATE_OPEN.format(year=year) + problems + "。" + BOILERPLATE_TURN + measures + "。"


def _corpus(size: int, shared: str = "") -> list[SectionText]:
    """Agency 甲's 2022 and 2023 sections (no item in common) and other agencies' 2023 ones."""
    sections = [_section(1, "甲", 2022, shared + _boilerplate_report(0, 2022)),
                _section(2, "甲", 2023, shared + _boilerplate_report(1, 2023))]
    sections += [_section(10 + i, f"机关{i}", 2023, shared + _boilerplate_report(i + 2, 2023))
                 for i in range(size - 2)]
    return sections


def _scores(sections: list[SectionText]) -> dict[tuple[int, str], SectionScore]:
    return {(s.report_id, s.kind): s for s in compare_sections(sections)}


def test_reports_sharing_only_the_stock_sentences_are_not_copies() -> None:
    """Same opening (取得了一定成效，但…仍存在一些不足) and lead-in (下一步…以下工作), other
    items: the boilerplate sentence list removes the shared part even with two reports."""
    scores = _scores(_corpus(2))
    assert not scores[(2, SAME_AGENCY)].copied
    assert scores[(2, SAME_AGENCY)].score < 0.1


SHARED_PARAGRAPH = ("本机关高度重视政府信息公开工作，坚持以公开为常态、不公开为例外，"
                    "严格按照《中华人民共和国政府信息公开条例》要求，认真做好各项工作。")


def test_phrases_every_report_shares_are_ignored_in_a_corpus() -> None:
    """A paragraph no sentence rule knows, printed by every report: in a corpus its shingles'
    document frequency gives it away; two reports alone cannot tell it from copying."""
    alone = _scores(_corpus(2, SHARED_PARAGRAPH))[(2, SAME_AGENCY)]
    corpus = _corpus(24, SHARED_PARAGRAPH)
    scores = _scores(corpus)
    assert scores[(2, SAME_AGENCY)].score < 0.1 < alone.score
    assert not any(s.copied for s in scores.values())
    # …while a light edit of last year's section is still a copy in the same corpus
    corpus.append(_section(3, "甲", 2024, _light_edit(corpus[1].text)))
    again = _scores(corpus)[(3, SAME_AGENCY)]
    assert again.copied and again.score >= 0.9


def test_item_matches_earlier_years_and_other_agencies() -> None:
    items = [
        Item(1, "甲", 2022, "problems", 1, "政务公开队伍建设有待加强"),
        Item(1, "甲", 2022, "problems", 2, "政策解读形式单一，缺少多个角度多种形式的解读"),
        Item(2, "甲", 2023, "problems", 1, "政策解读的质量有待提高，形式还要更加多样"),
        Item(2, "甲", 2023, "problems", 2, "政务公开队伍建设有待进一步加强"),
        Item(3, "乙", 2023, "problems", 1, "政务公开队伍建设还需进一步加强"),
        Item(3, "乙", 2023, "improvements", 1, "政务公开队伍建设有待加强"),  # other section: never compared
    ]
    found = {(m.report_id, m.section, m.ordinal, m.kind): m for m in match_items(items)}
    earlier = found[(2, "problems", 2, SAME_AGENCY)]
    assert (earlier.match_report_id, earlier.match_ordinal, earlier.score) == (1, 1, 1.0)
    other = found[(2, "problems", 2, OTHER_AGENCY)]
    assert (other.match_report_id, other.match_ordinal) == (3, 1)
    assert (1, "problems", 1, SAME_AGENCY) not in found  # nothing earlier
    assert found[(2, "problems", 1, SAME_AGENCY)].score < 0.3  # closest, but not a copy
    assert (3, "improvements", 1, OTHER_AGENCY) not in found


# --- follow-through --------------------------------------------------------------------


def test_repeated_problems_streaks_and_gaps() -> None:
    def tagged(report_id: int, section: str, tag: str) -> Tag:
        return Tag(report_id, section, 1, tag, ("x",))

    years = {1: 2019, 2: 2020, 3: 2021, 4: 2023}  # 2022 missing: the streak stops
    items = [Item(r, "甲", y, s, 1, "…") for r, y in years.items() for s in ("problems", "improvements")]
    tags = [tagged(r, "problems", "staff") for r in years] + [
        tagged(1, "improvements", "staff"), tagged(2, "problems", "platforms"), tagged(3, "problems", "platforms"),
    ]
    rows = {(r.tag, r.year): r for r in repeated_problems(items, tags)}
    assert set(rows) == {("staff", 2020), ("staff", 2021), ("platforms", 2021)}
    assert rows[("staff", 2021)].streak == 3
    assert rows[("staff", 2020)].promised and not rows[("staff", 2021)].promised
    assert rows[("platforms", 2021)].streak == 2


# --- the real corpus, through the store ---------------------------------------------------

PINGTAN = [f"{year}_pingtan_text.txt" for year in range(2019, 2026)]
HONGZE = ["2023_hongze.pdf", "2024_hongze.pdf"]  # 洪泽区人民政府, then 淮安市洪泽区人民政府
CANONICAL = {"淮安市洪泽区人民政府": "洪泽区人民政府"}


def _store_with(names: list[str]) -> duckdb.DuckDBPyConnection:
    """An in-memory store holding what an ingest would: reports, items, sections."""
    con = duckdb.connect()
    con.execute((ROOT / "workbench" / "store" / "schema.sql").read_text("utf-8"))
    for report_id, name in enumerate(names, 1):
        record = parse_file(REAL / name)
        agency_id = CANONICAL.get(record.agency or "", record.agency)
        con.execute(
            "INSERT INTO reports (report_id, agency_id, agency, year, revision, is_current, content_hash, "
            "ingested_at) VALUES (?, ?, ?, ?, 1, true, ?, ?)",
            [report_id, agency_id, record.agency, record.year, name, datetime(2025, 1, 1)])
        items, _ = from_record(report_id, agency_id or "", record)
        con.executemany("INSERT INTO narrative_items VALUES (?, ?, ?, ?)",
                        [(i.report_id, i.section, i.ordinal, i.text) for i in items])
        con.executemany("INSERT INTO report_sections VALUES (?, ?, ?)",
                        [(report_id, k, v) for k, v in record.sections.items()])
    return con


@pytest.fixture(scope="module")
def real_store() -> duckdb.DuckDBPyConnection:
    con = _store_with(PINGTAN + HONGZE)
    narrative_store.refresh(con)
    return con


def test_pingtan_policy_interpretation_recurs(real_store: duckdb.DuckDBPyConnection) -> None:
    rows = real_store.execute(
        "SELECT year, streak, promised FROM repeated_problems "
        "WHERE agency_id = '平潭综合实验区' AND tag = 'interpretation' ORDER BY year").fetchall()
    # 政策解读 is a problem in 2021, 2022, 2023 and 2024; 2023's measures said nothing about it
    assert rows == [(2022, 2, True), (2023, 3, True), (2024, 4, False)]


def test_pingtan_sections_are_rewritten_each_year(real_store: duckdb.DuckDBPyConnection) -> None:
    rows = real_store.execute(
        "SELECT r.year, s.score, s.copied FROM section_similarity s JOIN reports r USING (report_id) "
        "WHERE r.agency_id = '平潭综合实验区' AND s.section = 'problems' AND s.kind = ? ORDER BY r.year",
        [SAME_AGENCY]).fetchall()
    assert [r[0] for r in rows] == list(range(2020, 2026))
    assert all(score < 0.2 and not copied for _, score, copied in rows)


def test_hongze_copied_two_measures_word_for_word(real_store: duckdb.DuckDBPyConnection) -> None:
    rows = real_store.execute(
        "SELECT m.ordinal, m.match_ordinal, m.score FROM narrative_matches m JOIN reports r USING (report_id) "
        "WHERE r.year = 2024 AND r.agency_id = '洪泽区人民政府' AND m.section = 'improvements' "
        "AND m.kind = ? AND m.score >= 0.9 ORDER BY m.ordinal", [SAME_AGENCY]).fetchall()
    assert rows == [(1, 1, 1.0), (3, 3, 1.0)]
    section = real_store.execute(
        "SELECT score, copied FROM section_similarity s JOIN reports r USING (report_id) "
        "WHERE r.year = 2024 AND r.agency_id = '洪泽区人民政府' AND s.section = 'problems'").fetchone()
    assert section is not None and 0.2 < section[0] < 0.9 and not section[1]  # problems were rewritten


def test_every_item_is_tagged_or_untagged(real_store: duckdb.DuckDBPyConnection) -> None:
    missing = real_store.execute(
        "SELECT count(*) FROM narrative_items i ANTI JOIN narrative_tags t USING (report_id, section, ordinal)"
    ).fetchone()
    assert missing == (0,)
    words = real_store.execute(
        "SELECT count(*) FILTER (WHERE tag <> 'untagged' AND len(trigger_words) = 0), "
        "count(*) FILTER (WHERE tag = 'untagged') FROM narrative_tags").fetchone()
    assert words is not None and words[0] == 0 and words[1] >= 1


QUERIES = sorted((ROOT / "queries").glob("narrative_*.sql"))


def test_the_four_queries_exist_and_say_what_they_answer() -> None:
    names = {q.name for q in QUERIES}
    assert names == {"narrative_tag_counts.sql", "narrative_repeated_problems.sql",
                     "narrative_copied_sections.sql", "narrative_tag_by_year.sql"}
    for query in QUERIES:
        head = query.read_text("utf-8").splitlines()[0]
        assert head.startswith("-- What it answers:"), query.name


@pytest.mark.parametrize("query", QUERIES, ids=lambda q: q.name)
def test_queries_run_with_and_without_filters(real_store: duckdb.DuckDBPyConnection, query: Path) -> None:
    sql = query.read_text("utf-8")
    everything = real_store.execute(sql, {"year": None, "agency": None}).fetchall()
    one = real_store.execute(sql, {"year": 2024, "agency": "平潭"}).fetchall()
    assert everything and one and one != everything


def test_query_counts_agree_with_the_summary(real_store: duckdb.DuckDBPyConnection) -> None:
    sql = (ROOT / "queries" / "narrative_tag_counts.sql").read_text("utf-8")
    counts = {r[0]: r[2:4] for r in real_store.execute(sql, {"year": None, "agency": "平潭"}).fetchall()}
    text = narrative_summary(real_store, agency="平潭")
    problems, improvements = counts["interpretation"]
    assert re.search(rf"政策解读 \(interpretation\)\s+{problems}\s+{improvements}\n", text)


def test_summary_names_recurring_problems_and_similarity(real_store: duckdb.DuckDBPyConnection) -> None:
    text = narrative_summary(real_store, agency="平潭")
    assert "报告 7 份" in text
    assert re.search(r"平潭综合实验区\s+政策解读\s+2021–2024 （连续 4 年", text)
    assert "第五部分 对比" in text and "第一部分 对比" in text
    assert "内容雷同" in text  # the legend; no section is flagged
    assert "  内容雷同" not in text
    last = narrative_summary(real_store, year=2025, agency="平潭")
    assert re.search(r"2025 第五部分 对比 2024：0\.0\d\n", last)
    one_year = narrative_summary(real_store, year=2024, agency="洪泽")
    assert "报告 1 份，" in one_year and "改进1 ≈ 洪泽区人民政府 2023 #1" in one_year


def test_retag_without_reingest(real_store: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    """A new taxonomy changes narrative_tags; narrative_items is untouched."""
    before = real_store.execute("SELECT count(*), sum(hash(text)) FROM narrative_items").fetchone()
    untagged = real_store.execute("SELECT count(*) FROM narrative_tags WHERE tag = 'untagged'").fetchone()
    path = tmp_path / "taxonomy.yaml"
    path.write_text((ROOT / "workbench/narrative/taxonomy.yaml").read_text("utf-8")
                    + "  - key: innovation\n    label: 创新与特色\n    words: [开拓创新, 创新, 特色]\n", "utf-8")
    con = _store_with(PINGTAN)
    narrative_store.refresh(con, load_taxonomy(path))
    assert con.execute("SELECT count(*) FROM narrative_tags WHERE tag = 'innovation'").fetchone()[0] >= 2
    narrative_store.refresh(con)  # and back: the table is replaced, not appended to
    assert con.execute("SELECT count(*) FROM narrative_tags WHERE tag = 'innovation'").fetchone() == (0,)
    assert real_store.execute("SELECT count(*), sum(hash(text)) FROM narrative_items").fetchone() == before
    assert untagged is not None and untagged[0] >= 1


def test_summary_before_any_run_and_not_a_store() -> None:
    con = duckdb.connect()
    assert "`workbench narrative`" in narrative_summary(con)
    with pytest.raises(narrative_store.NarrativeStoreError, match="没有 reports, narrative_items"):
        narrative_store.refresh(con)


# --- generated reports ------------------------------------------------------------------


def test_generated_corpus_end_to_end() -> None:
    """Synthetic reports: their themes come from a phrase bank, so every generated item has a
    known theme; the tagger must find it, and identical phrase-bank items must match."""
    from workbench.synth.prose import THEMES

    ours = {"interpretation": "interpretation", "depth": "proactive_scope", "requests": "requests",
            "staff": "staff", "platform": "platforms", "interaction": "interaction",
            "supervision": "supervision", "grassroots": "grassroots"}
    headline = {h: t for t, banks in THEMES.items() for bank in (banks[0], banks[2]) for h in bank}
    items, sections = [], []
    for report_id, report in enumerate(build_reports(6, range(2019, 2025), seed=3), 1):
        for section in ("problems", "improvements"):
            for ordinal, text in enumerate(report.record[section], 1):
                items.append(Item(report_id, report.agency.name, report.year, section, ordinal, text))
        sections.append(SectionText(report_id, report.agency.name, report.year, "problems",
                                    "\n".join(p.text for p in report.prose["problems"])))
    result = analyse(items, sections)
    tags: dict[tuple[int, str, int], set[str]] = {}
    for tag in result.tags:
        tags.setdefault((tag.report_id, tag.section, tag.ordinal), set()).add(tag.tag)
    found = total = 0
    for item in items:
        theme = next((t for h, t in headline.items() if item.text.startswith(h)), None)
        if theme:
            total += 1
            found += ours[theme] in tags[(item.report_id, item.section, item.ordinal)]
    assert total > 100 and found / total >= 0.95
    assert not any(s.copied for s in result.sections)  # the generator never copies a section
    assert any(m.kind == OTHER_AGENCY and m.score == 1.0 for m in result.matches)
