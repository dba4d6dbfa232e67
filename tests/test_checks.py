"""The checks stage on real reports: every rule broken once and passed once.

Each broken record is a real parsed report (data/real) with one thing changed on a
deep copy; the passing record is the real report itself. The last tests list what
the real corpus breaks (tests/expected/CORPUS-README.md names those breaks).
"""

from __future__ import annotations

import copy
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest
from conftest import REAL

from workbench.checks import RULES, CheckFinding, check_report, format_findings_table, rule
from workbench.checks.prose import statements
from workbench.checks.registry import FUNCTIONS
from workbench.checks.timeliness import infer_agency_kind
from workbench.parse import ReportRecord, parse_file


@cache
def _parsed(name: str) -> ReportRecord:
    return parse_file(REAL / name)


def real(name: str) -> ReportRecord:
    """A fresh copy of a real report's record, safe to modify."""
    return copy.deepcopy(_parsed(name))


def of_rule(findings: list[CheckFinding], rule_id: str) -> list[CheckFinding]:
    return [f for f in findings if f.rule == rule_id]


def set_request(record: ReportRecord, row: str, applicant: str, value: float | None) -> None:
    cell = next(c for c in record.requests if c.row == row and c.applicant == applicant)
    cell.value = value


def bump_request(record: ReportRecord, row: str, applicant: str, by: int = 1) -> None:
    cell = next(c for c in record.requests if c.row == row and c.applicant == applicant)
    cell.value = (cell.value or 0) + by


def set_review(record: ReportRecord, proceeding: str, result: str, value: float | None) -> None:
    cell = next(c for c in record.review_litigation if c.proceeding == proceeding and c.result == result)
    cell.value = value


def set_active(record: ReportRecord, item: str, measure: str, value: float | None) -> None:
    cell = next(c for c in record.active_disclosure if c.item == item and c.measure == measure)
    cell.value = value


def edit_overview(record: ReportRecord, old: str, new: str) -> ReportRecord:
    assert old in record.sections["overview"], old
    record.sections["overview"] = record.sections["overview"].replace(old, new)
    return record


# --- the rules as data ------------------------------------------------------------

def test_every_rule_in_the_yaml_has_one_function_and_back() -> None:
    assert {r.id for r in RULES} == set(FUNCTIONS)
    assert len({r.id for r in RULES}) == len(RULES)
    for entry in RULES:
        assert entry.severity in ("error", "warning", "info")
        assert entry.scope in ("report", "pair")
        assert entry.zh and entry.en
    assert rule("requests.column_flow").severity == "error"
    assert rule("chain.carry_over").scope == "pair"
    assert "勾稽" in rule("requests.column_flow").description


@pytest.mark.parametrize(("name", "kind"), [
    ("平潭综合实验区", "government"), ("淮安市人民政府", "government"), ("洪泽区人民政府", "government"),
    ("淮安市洪泽区人民政府", "government"), ("淮安市", "government"), ("苏州工业园区管委会", "government"),
    ("上海市人民政府办公厅", "department"), ("攀枝花市东区人力资源和社会保障局", "department"),
    ("平潭综合实验区管委会办公室", "department"), ("淮安市发展和改革委员会", "department"),
    ("某某镇人民政府", "department"), ("某某街道", "department"), (None, "department"),
])
def test_agency_kind_from_the_name(name: str | None, kind: str) -> None:
    assert infer_agency_kind(name) == kind


def test_checks_do_not_import_the_store() -> None:
    code = ("import sys, workbench.checks; "
            "sys.exit(any(m.startswith('workbench.store') for m in sys.modules))")
    assert subprocess.run([sys.executable, "-c", code], timeout=60).returncode == 0


def test_unknown_agency_kind_is_refused() -> None:
    with pytest.raises(ValueError):
        check_report(_parsed("2024_pingtan.html"), agency_kind="ministry")


# --- table 三 and 四 identities -----------------------------------------------------

def test_column_flow() -> None:
    assert of_rule(check_report(real("2024_pingtan.html")), "requests.column_flow") == []
    record = real("2024_pingtan.html")
    bump_request(record, "carried_forward", "natural_person")
    bump_request(record, "carried_forward", "total")  # the row total still holds
    findings = check_report(record)
    broken = of_rule(findings, "requests.column_flow")
    assert [f.message.split("列")[0] for f in broken] == ["表三 自然人", "表三 总计"]
    assert all(int(f.actual) == int(f.expected) + 1 and f.severity == "error" for f in broken)
    assert of_rule(findings, "requests.row_total") == of_rule(findings, "requests.outcome_sum") == []


def test_outcome_sum() -> None:
    assert of_rule(check_report(real("2024_pingtan.html")), "requests.outcome_sum") == []
    record = real("2024_pingtan.html")
    bump_request(record, "unable_no_info", "natural_person", 3)
    bump_request(record, "unable_no_info", "total", 3)
    broken = of_rule(check_report(record), "requests.outcome_sum")
    assert len(broken) == 2
    assert "自然人列：各项办理结果之和=" in broken[0].message and "（七）总计=" in broken[0].message
    assert int(broken[0].expected) == int(broken[0].actual) + 3


def test_row_total() -> None:
    assert of_rule(check_report(real("2024_huaian.pdf")), "requests.row_total") == []
    record = real("2024_huaian.pdf")
    set_request(record, "granted", "total", 1360)  # printed 1362 = 1288 + 21 + 50 + 3
    broken = of_rule(check_report(record), "requests.row_total")
    assert len(broken) == 1
    assert broken[0].message == "表三 （一）予以公开行：六类申请人之和=1362，总计列=1360"
    assert (broken[0].expected, broken[0].actual) == ("1362", "1360")


def test_review_total() -> None:
    assert of_rule(check_report(real("2024_huaian.pdf")), "review.total") == []
    record = real("2024_huaian.pdf")
    set_review(record, "litigation_direct", "total", 25)  # printed 26 = 13 + 4 + 8 + 1
    broken = of_rule(check_report(record), "review.total")
    assert len(broken) == 1 and "未经复议直接起诉" in broken[0].message
    assert (broken[0].expected, broken[0].actual) == ("26", "25")


def test_identities_with_blank_cells_are_left_to_the_blank_rule() -> None:
    record = real("2024_pingtan.html")
    set_request(record, "granted", "natural_person", None)
    findings = check_report(record)
    assert [f.rule for f in findings] == ["tables.blank"]


# --- blank tables -------------------------------------------------------------------

def test_blank_tables_pass_on_a_filled_report() -> None:
    assert of_rule(check_report(real("2024_pingtan.html")), "tables.blank") == []


def test_a_wholly_blank_table_is_one_error() -> None:
    record = real("2024_pingtan.html")
    for cell in record.requests:
        cell.value = None
    broken = of_rule(check_report(record), "tables.blank")
    assert len(broken) == 1
    assert broken[0].severity == "error" and "表三 整表空白" in broken[0].message and "175" in broken[0].message


def test_a_partly_blank_table_names_the_count() -> None:
    record = real("2024_pingtan.html")
    set_review(record, "litigation_after_review", "upheld", None)
    set_review(record, "litigation_after_review", "other", None)
    set_active(record, "fees", "amount_10k_yuan", None)
    broken = of_rule(check_report(record), "tables.blank")
    assert [(f.severity, f.message.split(" ")[0]) for f in broken] == [("info", "表二"), ("warning", "表四")]
    assert "2/15格空白" in broken[1].message and "复议后起诉" in broken[1].message
    assert "1/10格空白" in broken[0].message and "行政事业性收费" in broken[0].message


def test_zero_is_not_blank() -> None:
    record = real("2024_pingtan.html")
    for cell in record.review_litigation:
        cell.value = 0
    assert of_rule(check_report(record), "tables.blank") == []


def test_cells_the_parser_could_not_read_are_not_blank() -> None:
    """Pingtan 2019's table 二 runs (898989 …) are printed but unsplittable: 19 unread cells, no finding."""
    record = real("2019_pingtan_text.txt")
    assert sum(c.value is None for c in record.active_disclosure) == 19
    assert sum(c.unread for c in record.active_disclosure) == 19
    assert [f.rule for f in record.findings if f.rule.startswith("read.")] == ["read.active_unread"]
    assert of_rule(check_report(record), "tables.blank") == []
    set_active(record, "regulations", "new_made", None)  # a readable cell made blank
    broken = of_rule(check_report(record), "tables.blank")
    assert len(broken) == 1 and "1/22格空白" in broken[0].message and "19格本工具未能读出" in broken[0].message


# --- template and year ----------------------------------------------------------------

def test_template_year() -> None:
    assert of_rule(check_report(real("2024_pingtan.html")), "template.year_mismatch") == []
    assert of_rule(check_report(real("2019_pingtan_text.txt")), "template.year_mismatch") == []
    old = real("2024_pingtan.html")
    old.template = "2019"
    new = real("2019_pingtan_text.txt")
    new.template = "2021"
    assert [(f.severity, f.expected, f.actual) for f in of_rule(check_report(old), "template.year_mismatch")] \
        == [("error", "2021", "2019")]
    assert [(f.severity, f.expected, f.actual) for f in of_rule(check_report(new), "template.year_mismatch")] \
        == [("warning", "2019", "2021")]


# --- timeliness ---------------------------------------------------------------------------

def test_late_government_report() -> None:
    record = real("2024_pingtan.html")  # 平潭综合实验区 → government, due 2025-03-31
    assert record.published_on == "2025-03-10"
    assert of_rule(check_report(record), "timeliness.late") == []
    record.published_on = "2025-04-02"
    broken = of_rule(check_report(record), "timeliness.late")
    assert [(f.expected, f.actual) for f in broken] == [("≤ 2025-03-31", "2025-04-02")]
    assert "逾期2天" in broken[0].message and "县级以上地方人民政府" in broken[0].message


def test_late_department_report() -> None:
    record = real("2019_shanghai_bgt.html")  # 上海市人民政府办公厅 → department, due 2020-01-31
    assert of_rule(check_report(record), "timeliness.late") == []
    record.published_on = "2020-02-01"
    assert [f.expected for f in of_rule(check_report(record), "timeliness.late")] == ["≤ 2020-01-31"]
    # The caller may say who issued the report: as a department, Pingtan 2024 (10 March) is late.
    pingtan = real("2024_pingtan.html")
    assert len(of_rule(check_report(pingtan, agency_kind="department"), "timeliness.late")) == 1
    assert of_rule(check_report(pingtan, agency_kind="government"), "timeliness.late") == []


def test_no_date() -> None:
    record = real("2024_pingtan.html")
    assert of_rule(check_report(record), "timeliness.no_date") == []
    record.published_on = None
    findings = check_report(record)
    assert len(of_rule(findings, "timeliness.no_date")) == 1
    assert of_rule(findings, "timeliness.late") == []


# --- pairs: carry-over chain and normative documents ----------------------------------------

def test_carry_over_chain_real_pair_with_a_carried_request() -> None:
    """Pingtan 2021 carried 1 request forward (自然人); 2022 carried it over: the chain holds."""
    last, this = real("2021_pingtan_text.txt"), real("2022_pingtan.html")
    assert [c.value for c in last.requests if c.row == "carried_forward"][0] == 1
    assert of_rule(check_report(this, previous=last), "chain.carry_over") == []
    last_broken = copy.deepcopy(last)
    set_request(last_broken, "carried_forward", "natural_person", 3)
    set_request(last_broken, "carried_forward", "total", 3)
    broken = of_rule(check_report(this, previous=last_broken), "chain.carry_over")
    assert [(f.expected, f.actual) for f in broken] == [("3", "1"), ("3", "1")]
    assert "2021年报告“结转下年度继续办理”=3" in broken[0].message


def test_pair_rules_need_the_year_before() -> None:
    last, this = real("2021_pingtan_text.txt"), real("2023_pingtan.html")
    set_request(last, "carried_forward", "total", 9)
    assert of_rule(check_report(this, previous=last), "chain.carry_over") == []
    assert of_rule(check_report(this), "chain.carry_over") == []


def test_normative_documents_stock() -> None:
    last, this = real("2023_hongze.pdf"), real("2024_hongze.pdf")  # 5 + 3 − 0 = 8 in force
    assert of_rule(check_report(this, previous=last), "stock.normative_documents") == []
    set_active(this, "normative_documents", "in_force", 12)
    more = of_rule(check_report(this, previous=last), "stock.normative_documents")
    assert [(f.severity, f.expected, f.actual) for f in more] == [("warning", "8", "12")]
    set_active(this, "normative_documents", "in_force", 6)
    fewer = of_rule(check_report(this, previous=last), "stock.normative_documents")
    assert [(f.severity, f.expected, f.actual) for f in fewer] == [("info", "8", "6")]


def test_normative_documents_need_the_2021_template_on_both_years() -> None:
    last, this = real("2020_pingtan_text.txt"), real("2021_pingtan_text.txt")
    set_active(this, "normative_documents", "in_force", 999)
    assert of_rule(check_report(this, previous=last), "stock.normative_documents") == []


# --- prose vs tables -----------------------------------------------------------------------

PROSE_CASES = [
    ("prose.requests_received", "2024_huaian.pdf", "受理政府信息公开申请3119件", "受理政府信息公开申请3120件",
     ("3119 或 3153", "3120")),
    ("prose.requests_processed", "2024_huaian.pdf", "复3050件", "复3005件", ("3050", "3005")),
    ("prose.requests_carried", "2024_huaian.pdf", "103件顺延到下年度", "130件顺延到下年度", ("103", "130")),
    ("prose.outcome_counts", "2023_pingtan.html", "无法提供31件", "无法提供13件", ("31", "13")),
    ("prose.review_count", "2024_huaian.pdf", "行政复议351\n件", "行政复议315\n件", ("351", "315")),
    ("prose.litigation_count", "2024_huaian.pdf", "行政诉讼46件", "行政诉讼64件", ("46", "64")),
]


@pytest.mark.parametrize(("rule_id", "name", "old", "new", "values"), PROSE_CASES,
                         ids=[c[0] for c in PROSE_CASES])
def test_prose_rule(rule_id: str, name: str, old: str, new: str, values: tuple[str, str]) -> None:
    assert of_rule(check_report(real(name)), rule_id) == []
    broken = of_rule(check_report(edit_overview(real(name), old, new)), rule_id)
    assert [(f.expected, f.actual) for f in broken] == [values]
    assert broken[0].severity == "warning" and "概述称" in broken[0].message


def test_prose_carried_over_is_checked_too() -> None:
    record = edit_overview(real("2024_huaian.pdf"), "上年度结转申请34件", "上年度结转申请43件")
    assert [(f.expected, f.actual) for f in of_rule(check_report(record), "prose.requests_carried")] \
        == [("34", "43")]


def test_prose_received_accepts_new_plus_carried_over() -> None:
    """Pingtan 2022 says 收到…75件: 74 new + 1 carried over. Reports use 收到 for both."""
    record = real("2022_pingtan.html")
    assert [s.number for s in statements(record.sections["overview"]) if s.quantity == "received"] == [75]
    assert of_rule(check_report(record), "prose.requests_received") == []


def test_prose_handled_means_new_plus_carried_over() -> None:
    record = real("2024_pingtan.html")  # 全年办理政府信息公开申请218件
    assert of_rule(check_report(record), "prose.requests_received") == []
    edit_overview(record, "办理政府信息公开申请218件", "办理政府信息公开申请220件")
    assert [(f.expected, f.actual) for f in of_rule(check_report(record), "prose.requests_received")] \
        == [("218", "220")]


def test_prose_leaves_other_counts_alone() -> None:
    """Counts that are not about requests or cases are never compared."""
    assert statements(_parsed("2019_panzhihua_dongqu_rsj.txt").sections["overview"]) == ()  # 报送信息266条
    assert statements(_parsed("2019_pingtan_text.txt").sections["overview"]) == ()  # 受理各类群众诉求259起
    combined = "2023年，因政府信息公开引起的行政复议、行政诉讼案件共3件，均已审结。"
    assert statements(combined) == ()


# --- sections ----------------------------------------------------------------------------

def test_missing_section() -> None:
    record = real("2024_pingtan.html")
    assert of_rule(check_report(record), "sections.missing") == []
    record.sections["problems"] = ""
    broken = of_rule(check_report(record), "sections.missing")
    assert len(broken) == 1 and "五、存在的主要问题及改进情况" in broken[0].message


# --- the real corpus --------------------------------------------------------------------

# What each real report breaks on its own (report rules), as (rule, severity, expected, actual).
# Sources: tests/expected/CORPUS-README.md ("Reports that break their own identities",
# "Prose that disagrees", the seed's blank tables 三/四 and missing section 六, the PDFs
# without a date); Shanghai's partly blank tables 三/四 are its 135 blank cells.
REAL_FINDINGS: dict[str, set[tuple[str, str, str | None, str | None]]] = {
    "2019_panzhihua_dongqu_rsj.txt": {
        ("tables.blank", "info", "22格填数", "9格填数"),
        ("tables.blank", "error", "161格填数", "0格填数"),
        ("tables.blank", "error", "15格填数", "0格填数"),
        ("sections.missing", "warning", "六、其他需要报告的事项", "未找到"),
    },
    "2019_shanghai_bgt.html": {
        ("tables.blank", "warning", "161格填数", "35格填数"),
        ("tables.blank", "warning", "15格填数", "6格填数"),
        ("prose.outcome_counts", "warning", "275", "258"),  # 予以公开及部分公开258件: 272 + 3
        ("prose.outcome_counts", "warning", "337", "265"),  # 无法提供265件: only 本机关不掌握
    },
    "2020_pingtan_text.txt": {
        ("requests.outcome_sum", "error", "26", "20"),  # 自然人
        ("requests.outcome_sum", "error", "27", "21"),  # 总计
    },
    "2023_hongze.pdf": {
        ("review.total", "error", "11", "0"),  # 行政复议 10, 1, 0, 0 with 总计 0
        ("review.total", "error", "5", "0"),  # 复议后起诉 5, 0, 0, 0 with 总计 0
        ("timeliness.no_date", "warning", "YYYY-MM-DD", None),
    },
    "2024_hongze.pdf": {
        ("prose.requests_received", "warning", "95", "17"),  # 受理政府信息公开申请17件
        ("timeliness.no_date", "warning", "YYYY-MM-DD", None),
    },
    "2024_huaian.pdf": {("timeliness.no_date", "warning", "YYYY-MM-DD", None)},
}


@pytest.mark.parametrize("path", sorted(REAL.iterdir()), ids=lambda p: p.name)
def test_real_report_findings(path: Path) -> None:
    findings = check_report(real(path.name))
    got = {(f.rule, f.severity, f.expected, f.actual) for f in findings}
    assert got == REAL_FINDINGS.get(path.name, set())
    assert len(findings) == len(got)


def test_messages_name_the_row_and_column() -> None:
    pingtan = {f.message for f in check_report(real("2020_pingtan_text.txt"))}
    assert pingtan == {"表三 自然人列：各项办理结果之和=26，（七）总计=20",
                       "表三 总计列：各项办理结果之和=27，（七）总计=21"}
    hongze = {f.message for f in check_report(real("2023_hongze.pdf")) if f.rule == "review.total"}
    assert hongze == {"表四 行政复议：维持+纠正+其他+尚未审结（10,1,0,0）=11，总计=0",
                      "表四 行政诉讼·复议后起诉：维持+纠正+其他+尚未审结（5,0,0,0）=5，总计=0"}


def test_a_clean_real_report_has_no_findings() -> None:
    assert check_report(real("2024_pingtan.html")) == []


# Consecutive years of one agency: what the pair rules add.
PAIRS = [
    ("2019_pingtan_text.txt", "2020_pingtan_text.txt", set()),
    ("2020_pingtan_text.txt", "2021_pingtan_text.txt", set()),
    ("2021_pingtan_text.txt", "2022_pingtan_text.txt", set()),
    ("2022_pingtan.html", "2023_pingtan.html", {("stock.normative_documents", "info", "643", "470")}),
    ("2023_pingtan.html", "2024_pingtan.html", {("stock.normative_documents", "info", "499", "440")}),
    ("2024_pingtan.html", "2025_pingtan.html", {("stock.normative_documents", "warning", "453", "546")}),
    ("2023_hongze.pdf", "2024_hongze.pdf", set()),
]


@pytest.mark.parametrize(("last", "this", "expected"), PAIRS, ids=[p[1] for p in PAIRS])
def test_real_pairs(last: str, this: str, expected: set) -> None:
    alone = check_report(real(this))
    paired = check_report(real(this), previous=real(last))
    added = [f for f in paired if f not in alone]
    assert {(f.rule, f.severity, f.expected, f.actual) for f in added} == expected
    assert all(rule(f.rule).scope == "pair" for f in added)


# --- the table the CLI prints -----------------------------------------------------------

def test_findings_table_lines_up_chinese_text() -> None:
    record = real("2023_hongze.pdf")
    rows = [(record.agency, record.year, f) for f in check_report(record)]
    rows.append({"agency": "淮安市洪泽区人民政府", "year": 2024, "rule": "prose.requests_received",
                 "severity": "warning", "message": "概述称“受理政府信息公开申请17件”"})
    text = format_findings_table(rows)
    lines = text.splitlines()
    assert lines[0].split() == ["agency", "year", "rule", "severity", "message"]
    assert len(lines) == 2 + 4
    # Every row's message starts at the same display column as the header's.
    from workbench.checks.output import _width
    starts = {_width(line[: line.index(marker)])
              for line, marker in zip(lines[2:], ["表四", "表四", "未找到", "概述称"], strict=True)}
    assert starts == {_width(lines[0][: lines[0].index("message")])}
    assert lines[2].startswith("洪泽区人民政府 ") and lines[2].split()[1] == "2023"
    assert format_findings_table([]) == "no findings"
