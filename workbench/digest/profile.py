"""One agency over the years, for notebooks/agency.ipynb: figures, charts, findings, narrative.

    p = open_profile("data/workbench.duckdb", "洪泽区")
    p.overview(); p.outcomes_chart(); p.review_chart(); p.findings(); p.narrative()
    p.ocr_sources()   # the cells read by OCR, with pictures cut from the scanned pages
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from workbench.charts import builders, export
from workbench.checks.names import RULE_SHORT
from workbench.digest import html as H
from workbench.digest.agency_search import AgencyMatch, agency_names, search_agencies
from workbench.digest.findings import SEVERITY_ZH, review_text
from workbench.digest.html import Fragment
from workbench.digest.sections import DigestError
from workbench.store import connect, run_query
from workbench.store.connect import StoreError, upgrade_if_older

LEFT = ' style="text-align:left"'  # JupyterLab right-aligns output table cells


def agency_choices(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    """Agency id -> the names its reports were signed with; agencies with most reports first."""
    rows = con.execute("SELECT agency_id, agency FROM current_reports "
                       "ORDER BY count(*) OVER (PARTITION BY agency_id) DESC, agency_id, year DESC").fetchall()
    return agency_names(rows)


def find_agency(con: duckdb.DuckDBPyConnection, agency: str | None) -> AgencyMatch:
    """The agency meant: an exact id or printed name, else the one whose name contains the
    text, else not found with near matches; None picks the agency with the most reports."""
    names = agency_choices(con)
    if not names:
        raise DigestError("the store holds no reports")
    if not agency:
        return AgencyMatch("", next(iter(names)), ())
    return search_agencies(names, agency)


def resolve_agency(con: duckdb.DuckDBPyConnection, agency: str | None) -> str:
    """The canonical agency id; DigestError (with the Chinese message) when there is none."""
    found = find_agency(con, agency)
    if found.agency_id is None:
        raise DigestError(found.message() or "")
    return found.agency_id


def open_profile(db: str | Path, agency: str | None = None, out_dir: str | Path | None = None) -> Profile:
    """The profile of one agency. An agency not found is no error: every part of the profile
    then shows the Chinese message with near matches (a notebook shows no traceback)."""
    try:
        upgrade_if_older(db)  # a store from an older workbench lacks the review columns
        con = connect(db)
    except StoreError as exc:
        raise DigestError(str(exc)) from None
    found = find_agency(con, agency)
    return Profile(con, found.agency_id or "", Path(out_dir) if out_dir else None, missing=found.message())


def _needs_agency(method: Callable[..., Fragment]) -> Callable[..., Fragment]:
    @functools.wraps(method)
    def checked(self: Profile, *args: Any, **kwargs: Any) -> Fragment:
        if self.missing:
            return Fragment(H.note(self.missing, "wb-note"))
        return method(self, *args, **kwargs)
    return checked


@dataclass
class Profile:
    con: duckdb.DuckDBPyConnection
    agency_id: str
    out_dir: Path | None = None
    missing: str | None = None  # the not-found message, when no agency was found

    def q(self, name: str, **params: Any) -> pl.DataFrame:
        frame = run_query(name, params, con=self.con)
        # Queries filter by "contains": keep only this agency (洪泽区 must not bring 洪泽区某局).
        return frame.filter(pl.col("agency_id") == self.agency_id) if "agency_id" in frame.columns else frame

    def _chart(self, name: str, chart: Any) -> Fragment:
        """The chart inline (PNG); with out_dir also saved as PNG and SVG, drawn only once."""
        if not self.out_dir:
            return Fragment(export.chart_html(chart))
        png = export.export_chart(chart, self.out_dir / "charts" / name)["png"].read_bytes()
        width, height = export.png_size(png)
        title = export._title_of(export.chart_spec(chart))
        return Fragment(H.figure(png, width // export.PNG_SCALE, height // export.PNG_SCALE, title, ""))

    @_needs_agency
    def overview(self) -> Fragment:
        frame = self.q("digest_agency_year", agency=self.agency_id)
        synthetic = frame.filter(pl.col("synthetic")).height
        head = f"<h1>{H.esc(self.agency_id)}：历年政府信息公开工作年度报告</h1>"
        if synthetic:
            head += H.note(f"注意：{synthetic} 份报告来自合成（SYNTHETIC）文件，不是真实机关发布的报告。",
                           "wb-synthetic")
        return Fragment(head + H.table(frame, {
            "year": "年度", "agency": "报告所署名称", "new_received": "新收申请", "total_processed": "办理总计",
            "granted_share": "公开（含部分）占比", "concluded": "复议诉讼已审结", "correction_rate": "纠错率",
            "filled_share": "表格填写率"},
            formats={"year": str, "granted_share": H.percent, "correction_rate": H.percent,
                     "filled_share": H.percent}))

    @_needs_agency
    def outcomes_chart(self) -> Fragment:
        frame = self.q("request_outcomes_by_agency", agency=self.agency_id)
        groups = ["granted", "partially_granted", "denied", "unable", "not_processed", "other_handling"]
        long = (frame.select(["year", *groups]).unpivot(index="year", variable_name="outcome_group",
                                                        value_name="count")
                if frame.height else pl.DataFrame())
        chart = builders.request_outcomes_trend(long, title=f"{self.agency_id}：依申请公开办理结果")
        return self._chart("agency_outcomes", chart)

    @_needs_agency
    def review_chart(self) -> Fragment:
        frame = run_query("digest_review_by_year", {"agency": self.agency_id}, con=self.con)
        chart = builders.review_litigation_trend(frame, title=f"{self.agency_id}：行政复议和行政诉讼")
        return self._chart("agency_review", chart)

    @_needs_agency
    def findings(self) -> Fragment:
        frame = self.q("digest_findings", agency=self.agency_id)
        frame = frame.with_columns(
            pl.col("rule").replace_strict(RULE_SHORT, default=pl.col("rule"), return_dtype=pl.String).alias("rule_zh"),
            pl.col("severity").replace_strict(SEVERITY_ZH, default=pl.col("severity"),
                                              return_dtype=pl.String).alias("severity_zh"),
            review_text(),
        ).sort("year", descending=True)
        return Fragment(H.table(frame, {"year": "年度", "rule_zh": "检查项", "severity_zh": "严重程度",
                                        "message": "说明", "review_zh": "复核", "finding_id": "编号"},
                                formats={"year": str}, empty="没有检查发现。"))

    @_needs_agency
    def ocr_sources(self, sql: str | None = None) -> Fragment:
        """The cells OCR read from the agency's scans, and pictures of the least certain ones."""
        from workbench.digest.ocr_sources import ocr_section

        return ocr_section(self.con, self.agency_id, sql)

    @_needs_agency
    def narrative(self) -> Fragment:
        """Problems and improvements of each year side by side, with their themes."""
        items = self.q("agency_narrative_items", agency=self.agency_id)
        if items.height == 0:
            return Fragment(H.paragraph("报告中没有识别出第五部分的问题和改进措施。"))
        rows = []
        for year in sorted(items["year"].unique().to_list(), reverse=True):
            cells = []
            for section in ("problems", "improvements"):
                part = items.filter((pl.col("year") == year) & (pl.col("section") == section)).sort("ordinal")
                entries = "".join(
                    f"<li>{H.esc(r['text'])}" + (f' <span class="wb-muted">〔{H.esc(r["themes"])}〕</span>'
                                                  if r["themes"] else "") + "</li>"
                    for r in part.iter_rows(named=True))
                cells.append(f"<td{LEFT}><ol>{entries}</ol></td>" if entries else "<td></td>")
            rows.append(f"<tr><td{LEFT}>{year}</td>{''.join(cells)}</tr>")
        return Fragment(f'<table class="wb-table"><thead><tr><th{LEFT}>年度</th><th{LEFT}>存在的主要问题</th>'
                        f'<th{LEFT}>改进措施</th></tr></thead><tbody>{"".join(rows)}</tbody></table>')
