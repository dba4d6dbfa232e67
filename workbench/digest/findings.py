"""The digest's checks part: 督办事项 first, then the detail of each kind of finding.

A mixin of :class:`workbench.digest.sections.Digest` (it uses the digest's queries, scope and
chart export). Findings a supervisor dismissed on review show as 已排除 in the detail tables
and are left out of 督办事项; every detail block carries the anchor 督办事项 links to.
"""

from __future__ import annotations

import polars as pl

from workbench.charts import builders
from workbench.checks.names import RULE_SHORT
from workbench.digest import html as H
from workbench.digest.actions import ActionItem, action_items, action_items_html
from workbench.digest.html import Fragment

IDENTITY_RULES = ("requests.column_flow", "requests.outcome_sum", "requests.row_total", "review.total")
SEVERITY_ZH = {"error": "错误", "warning": "警告", "info": "提示"}
REVIEW_ZH = {"confirmed": "已确认", "dismissed": "已排除"}
OTHER_RULES = ("template.year_mismatch", "prose.", "sections.missing", "stock.normative_documents",
               "timeliness.year_vs_date")


def review_text() -> pl.Expr:
    """The column review_zh: 已确认 / 已排除 with the reviewer's note, empty when not reviewed."""
    note = pl.when(pl.col("review_note").is_not_null()).then("：" + pl.col("review_note")).otherwise(pl.lit(""))
    return (pl.col("review").replace_strict(REVIEW_ZH, default=None, return_dtype=pl.String) + note).alias("review_zh")


class FindingSections:
    """Needs from the digest: year, con, agency, region, q, scoped, in_scope, chart, subtitle, _has_tables."""

    year: int
    agency: str | None
    region: str | None
    actions: list[ActionItem]

    # 督办事项 ----------------------------------------------------------------------------

    def action_items(self) -> Fragment:
        """What needs following up this year, each line linking to its detail below."""
        self.actions = action_items(self)  # type: ignore[arg-type]
        return Fragment('<a id="wb-actions"></a>' + action_items_html(self.actions, self.year))

    @property
    def roster(self) -> pl.DataFrame | None:
        """The roster's statuses for the year (None: no roster imported or listed in the registry)."""
        if not hasattr(self, "_roster"):
            self._roster = None
            if self._has_tables("roster") and self.con.execute("SELECT count(*) FROM roster").fetchall()[0][0]:
                from workbench.store.roster import roster_status

                # The bodies the digest's --agency / --region select, matched as in every query.
                chosen = [a for (a,) in self.con.execute(
                    "SELECT DISTINCT r.agency_id FROM roster r LEFT JOIN agencies a USING (agency_id)"
                    " WHERE agency_matches(r.agency_id, r.name, $agency)"
                    " AND ($region IS NULL OR contains(coalesce(a.region, ''), $region))",
                    {"agency": self.agency, "region": self.region}).fetchall()]
                frame = roster_status(self.con, self.year)
                self._roster = frame.filter(pl.col("agency_id").is_in(chosen))  # the roster's own bodies
        return self._roster

    def roster_detail(self) -> Fragment:
        frame = self.roster
        if frame is None:
            return Fragment('<a id="wb-roster"></a>' + H.note(
                "尚无应报送机关名册：在 data/agencies.csv 中填写 expected_from 列，或用 workbench roster --import"
                " 导入名册后，这里列出未发布和逾期发布的机关。"))
        expected = frame.filter(pl.col("on_roster"))
        counts = {status: expected.filter(pl.col("status") == status).height
                  for status in ("已发布", "逾期发布", "未发布（已过期限）", "尚未到期")}
        summary = (f"名册中应报送{self.year}年度报告的机关{expected.height}个：" + "，".join(
            f"{status}{n}个" for status, n in counts.items()) + f"（截至{frame['as_of'][0] if frame.height else ''}）。")
        pending = expected.filter(pl.col("status") != "已发布")
        return Fragment('<a id="wb-roster"></a>' + H.paragraph(summary) + H.table(
            pending, {"name": "机关", "status": "状态", "deadline": "法定期限", "published_on": "发布日期",
                      "days_late": "逾期天数"}, empty="名册中的机关均已按时发布。", limit=80))

    # findings --------------------------------------------------------------------------

    @property
    def findings(self) -> pl.DataFrame:
        if not hasattr(self, "_findings"):
            self._findings = self.scoped("digest_findings", year=self.year)
        return self._findings

    def findings_overview(self) -> Fragment:
        frame = (self.findings.group_by("rule", "severity").agg(pl.len().alias("count"))
                 .with_columns(pl.col("rule").replace_strict(RULE_SHORT, default=pl.col("rule"),
                                                             return_dtype=pl.String).alias("rule_name"))
                 .sort(["count", "rule"], descending=[True, False]))
        chart = builders.findings_by_rule(frame, title=f"{self.year}年合规检查发现的问题（按规则）",
                                          subtitle=self.subtitle)
        return self.chart("findings_by_rule", chart, "按检查规则统计的发现条数，颜色表示严重程度。", key=True)

    def _finding_table(self, rules: tuple[str, ...], empty: str, severities: tuple[str, ...] = ("error", "warning",
                                                                                                "info")) -> str:
        """Findings of these rules (a rule ending in "." matches a prefix), with their review."""
        chosen = pl.any_horizontal([pl.col("rule").str.starts_with(r) if r.endswith(".") else pl.col("rule") == r
                                    for r in rules])
        frame = self.findings.filter(chosen & pl.col("severity").is_in(list(severities)))
        frame = frame.with_columns(
            pl.col("rule").replace_strict(RULE_SHORT, default=pl.col("rule"), return_dtype=pl.String).alias("rule_zh"),
            pl.col("severity").replace_strict(SEVERITY_ZH, default=pl.col("severity"),
                                              return_dtype=pl.String).alias("severity_zh"),
            review_text())
        return H.table(frame, {"agency": "机关", "rule_zh": "检查项", "severity_zh": "严重程度", "message": "说明",
                               "review_zh": "复核", "finding_id": "编号"}, empty=empty, limit=60)

    def identity_findings(self) -> Fragment:
        return Fragment('<a id="wb-identities"></a>' + self._finding_table(IDENTITY_RULES, "没有表格勾稽关系不符的报告。"))

    def blank_tables(self) -> Fragment:
        return Fragment('<a id="wb-blank"></a>'
                        + self._finding_table(("tables.blank",), "没有表格空白未填的报告。", ("error", "warning")))

    def other_findings(self) -> Fragment:
        """Template misuse, prose contradicting the tables, missing parts, the 规范性文件 stock."""
        return Fragment('<a id="wb-other"></a>' + self._finding_table(
            OTHER_RULES, "没有模板使用不当、正文与表格不符或缺少部分的报告。", ("error", "warning")))

    def read_coverage(self) -> Fragment:
        """What the workbench could read this year: its own failures, apart from the agencies'."""
        frame = self.q("read_coverage", year=self.year, agency=self.agency, region=self.region)
        counts = {k: frame.filter(pl.col("coverage") == k).height for k in ("fully_read", "partly_read", "not_read")}
        summary = (f"{self.year}年共{frame.height}份报告：表格全部读取{counts['fully_read']}份，部分读取"
                   f"{counts['partly_read']}份，表格均未读取{counts['not_read']}份。未能读取的格不作为空白，"
                   "也不用于任何针对机关的检查；请人工核对原文。")
        unread = frame.filter(pl.col("unread_cells") > 0)
        return Fragment(H.note(summary) + H.table(
            unread, {"agency": "机关", "source_path": "文件", "source_format": "格式", "unread_cells": "未能读取的格数",
                     "cells": "表格格数"}, empty="所有报告的表格均已读取。", limit=60))

    def late_reports(self) -> Fragment:
        frame = self.in_scope(self.q("late_reports", year=self.year))
        return Fragment('<a id="wb-late"></a>' + H.table(frame, {"agency": "机关", "published_on": "发布日期", "deadline": "应发布日期",
                                        "days_late": "逾期天数"}, empty="没有逾期发布的报告（未注明日期的见下）。")
                        + self._finding_table(("timeliness.no_date",), "所有报告都注明了发布日期。"))

    def carry_over(self) -> Fragment:
        frame = self.in_scope(self.q("carry_over_breaks", year=self.year))
        return Fragment('<a id="wb-carry"></a>' + H.table(frame, {"agency_id": "机关", "carried_forward_last_year": "上年报告：结转下年度",
                                        "carried_over_this_year": "本年报告：上年结转", "difference": "差额"},
                                empty="没有上年结转与上年报告不衔接的机关。"))

