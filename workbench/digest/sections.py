"""The pieces of the yearly digest, called one per cell by notebooks/digest.ipynb.

    d = open_digest("data/workbench.duckdb", "latest", out_dir="out/tmp")
    d.intro()                 # scope, coverage and the SYNTHETIC data notice
    d.headline()              # headline figures with change vs the previous year
    d.request_outcomes()      # a chart: exported to out_dir/charts/*.png|svg, shown inline
    ...
    d.finish()                # out_dir/digest.json: what the runner and the Word pack use

Every number comes from ``queries/*.sql`` through :func:`workbench.store.run_query` (aggregates
only: no cell of the store is loaded into the notebook row by row). Each method returns a
:class:`Fragment`, HTML that Jupyter displays; report text in it is escaped (html.py).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import altair as alt
import duckdb
import polars as pl

from workbench.charts import builders, export
from workbench.charts.numfmt import MINUS, format_count
from workbench.digest import html as H
from workbench.digest.chart_basis import PLACEHOLDER, TREND_LINE, ChartBasis, drawable  # noqa: F401 (re-exported)
from workbench.digest.findings import FindingSections
from workbench.digest.html import Fragment
from workbench.i18n import t
from workbench.store import connect, run_query
from workbench.store.connect import StoreError, upgrade_if_older
from workbench.templates import submitted_names

# "latest" is the most recent year with at least this share of the busiest year's reports:
# reports for year Y arrive until 31 March of Y+1, and a digest of the two reports that came
# early would compare them with a whole year.
LATEST_MIN_SHARE = 0.5

PROCEEDING_ZH = {"review": "行政复议", "litigation_direct": "行政诉讼（直接起诉）",
                 "litigation_after_review": "行政诉讼（复议后起诉）"}


class DigestError(RuntimeError):
    """The digest cannot be made (no database, no reports for the year, …), in plain words."""




@dataclass
class ChartFile:
    name: str
    title: str
    caption: str
    png: str  # relative to the digest folder
    svg: str
    key: bool  # goes into the Word briefing pack


@dataclass
class Headline:
    key: str
    label: str
    kind: str  # count | share
    value: float | None
    previous: float | None

    @property
    def change(self) -> str:
        return change_text(self.value, self.previous, self.kind)

    def shown(self) -> str:
        return H.percent(self.value) if self.kind == "share" else format_count(self.value)


def change_text(value: float | None, previous: float | None, kind: str) -> str:
    """"+3.4%（+1,204）" for counts, "+2.1个百分点" for shares, "—" without a comparison."""
    if value is None or previous is None:
        return "—（无上年可比数据）" if previous is None and value is not None else "—"
    if kind == "share":
        points = (value - previous) * 100
        return f"{points:+.1f}个百分点".replace("-", MINUS)  # the minus sign numfmt writes
    diff = value - previous
    sign = "+" if diff >= 0 else "−"
    absolute = f"{sign}{format_count(abs(diff))}"
    if previous == 0:
        return f"（{absolute}）"
    return f"{diff / previous * 100:+.1f}%".replace("-", MINUS) + f"（{absolute}）"


# --- year and scope ------------------------------------------------------------------------


def resolve_year(con: duckdb.DuckDBPyConnection, year: int | str | None, *,
                 agency: str | None = None, region: str | None = None) -> int:
    """The year to digest: an int as given, or for "latest" the most recent complete year."""
    totals = run_query("digest_year_totals", {"agency": agency, "region": region}, con=con)
    if totals.height == 0:
        raise DigestError(t("error.no_reports", scope=_scope_words(agency, region)))
    if year is None or str(year).strip().lower() == "latest":
        busiest = totals["reports"].max()
        complete = totals.filter(pl.col("reports") >= LATEST_MIN_SHARE * busiest)
        return int(complete["year"].max())
    try:
        wanted = int(str(year).strip())
    except ValueError:
        raise DigestError(t("error.bad_year", year=year)) from None
    if wanted not in totals["year"].to_list():
        have = ", ".join(str(y) for y in totals["year"].to_list())
        raise DigestError(t("error.no_reports_for_year", year=wanted, scope=_scope_words(agency, region), have=have))
    return wanted


def _scope_words(agency: str | None, region: str | None) -> str:
    return ((t("error.scope_agency", agency=agency) if agency else "")
            + (t("error.scope_region", region=region) if region else ""))


def _none(value: Any) -> Any:
    """Papermill passes "" or "None" for an unset filter from some shells: treat as no filter."""
    if value is None or (isinstance(value, str) and value.strip() in ("", "None", "null")):
        return None
    return value


def open_digest(db: str | Path, year: int | str | None = "latest", *, agency: str | None = None,
                region: str | None = None, out_dir: str | Path = "digest-out", top_n: int = 10) -> Digest:
    """Connect read-only to the store and settle the year; charts go to ``out_dir/charts``."""
    try:
        upgrade_if_older(db)  # a store from an older workbench lacks the review columns
        con = connect(db)
    except StoreError as exc:
        raise DigestError(str(exc)) from None
    agency, region = _none(agency), _none(region)
    resolved = resolve_year(con, year, agency=agency, region=region)
    return Digest(con=con, db=Path(db), year=resolved, requested=str(year), agency=agency,
                  region=region, out_dir=Path(out_dir), top_n=int(top_n))


# --- the digest ----------------------------------------------------------------------------


@dataclass
class Digest(FindingSections, ChartBasis):
    con: duckdb.DuckDBPyConnection
    db: Path
    year: int
    requested: str
    agency: str | None
    region: str | None
    out_dir: Path
    top_n: int = 10
    charts: list[ChartFile] = field(default_factory=list)
    headlines: list[Headline] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    # queries ----------------------------------------------------------------------------

    def q(self, name: str, **params: Any) -> pl.DataFrame:
        return run_query(name, params, con=self.con)

    def scoped(self, name: str, **params: Any) -> pl.DataFrame:
        """A query with the digest's agency/region filter; trends stop at the digest's year
        (a later year in the store is usually still incomplete)."""
        frame = self.q(name, agency=self.agency, region=self.region, **params)
        if "year" in frame.columns and "year" not in params:
            frame = frame.filter(pl.col("year") <= self.year)
        return frame

    @property
    def totals(self) -> pl.DataFrame:
        if not hasattr(self, "_totals"):
            self._totals = self.scoped("digest_year_totals")
        return self._totals

    @property
    def agencies(self) -> pl.DataFrame:
        """This year's agencies in scope, one row each (digest_agency_year)."""
        if not hasattr(self, "_agencies"):
            self._agencies = self.scoped("digest_agency_year", year=self.year)
        return self._agencies

    def in_scope(self, frame: pl.DataFrame, column: str = "agency_id") -> pl.DataFrame:
        return frame.filter(pl.col(column).is_in(self.agencies["agency_id"].to_list()))

    def year_row(self, year: int) -> dict[str, Any] | None:
        rows = self.totals.filter(pl.col("year") == year).to_dicts()
        return rows[0] if rows else None

    @property
    def synthetic(self) -> tuple[int, int]:
        """(synthetic reports, all reports) over every year in scope."""
        return int(self.totals["synthetic_reports"].sum()), int(self.totals["reports"].sum())

    @property
    def subtitle(self) -> str | None:
        """Said under every chart title when synthetic data is in scope, so pasted charts carry it."""
        return "含合成（SYNTHETIC）报告数据，仅供演示" if self.synthetic[0] else None

    def _has_tables(self, *names: str) -> bool:
        found = {r[0] for r in self.con.execute(
            "SELECT table_name FROM information_schema.tables").fetchall()}
        return all(n in found for n in names)

    # text ------------------------------------------------------------------------------

    def scope_text(self) -> str:
        parts = []
        if self.agency:
            parts.append(f"机关名称含“{self.agency}”")
        if self.region:
            parts.append(f"地区含“{self.region}”")
        return "、".join(parts) or "全部机关"

    def intro(self) -> Fragment:
        row = self.year_row(self.year) or {}
        synthetic, total = self.synthetic
        years = self.totals["year"].to_list()
        chosen = (f"（参数 year={self.requested}：取报告数达到最多年份一半以上的最近年度）"
                  if self.requested.strip().lower() == "latest" else "")
        parts = [
            f"<h1>{self.year}年度政府信息公开工作年度报告摘要</h1>",
            H.paragraph(f"范围：{self.scope_text()}；本年度报告 {row.get('reports', 0)} 份，"
                        f"涉及 {row.get('agencies', 0)} 个机关{chosen}。"),
            H.paragraph(f"数据库中的年度：{min(years)}–{max(years)}，共 {total} 份报告（当前版本）。"
                        f"生成时间：{datetime.now():%Y-%m-%d %H:%M}。"),
        ]
        if synthetic:
            this_year = int(row.get("synthetic_reports") or 0)
            parts.append(H.note(
                f"注意：本摘要的数据包含合成（SYNTHETIC）报告。全部 {total} 份报告中有 {synthetic} 份"
                f"（本年度 {row.get('reports', 0)} 份中有 {this_year} 份）来自合成文件（文件名以 synthetic_ 开头），"
                "不是真实机关发布的报告；其中的数字只用于演示和测试，不能作为工作依据。",
                "wb-synthetic"))
        return Fragment("".join(parts))

    # headline figures ---------------------------------------------------------------------

    def headline_figures(self) -> list[Headline]:
        now, before = self.year_row(self.year) or {}, self.year_row(self.year - 1)
        metrics = [("reports", "收到年度报告（份）", "count"),
                   ("new_received", "本年新收政府信息公开申请（件）", "count"),
                   ("total_processed", "办理结果总计（件）", "count")]
        shares = [("granted", "予以公开占比"), ("partially_granted", "部分公开占比"),
                  ("denied", "不予公开占比"), ("unable", "无法提供占比"), ("not_processed", "不予处理占比")]
        figures = [Headline(k, label, kind, _num(now.get(k)), _num((before or {}).get(k)) if before else None)
                   for k, label, kind in metrics]
        for key, label in shares:
            figures.append(Headline(key, label, "share", _ratio(now, key, "total_processed"),
                                    _ratio(before, key, "total_processed")))
        for prefix, name in (("review", "行政复议"), ("litigation", "行政诉讼")):
            figures.append(Headline(f"{prefix}_total", f"{name}（件）", "count", _num(now.get(f"{prefix}_total")),
                                    _num((before or {}).get(f"{prefix}_total")) if before else None))
            figures.append(Headline(f"{prefix}_rate", f"{name}纠错率", "share",
                                    _ratio(now, f"{prefix}_corrected", f"{prefix}_concluded"),
                                    _ratio(before, f"{prefix}_corrected", f"{prefix}_concluded")))
        figures += self._same_agencies()
        self.headlines = figures
        return figures

    def _same_agencies(self) -> list[Headline]:
        """Requests of the agencies that reported in both years: a change not caused by
        agencies entering or leaving the store."""
        now = self.scoped("digest_agency_year", year=self.year)
        before = self.scoped("digest_agency_year", year=self.year - 1)
        both = set(now["agency_id"].to_list()) & set(before["agency_id"].to_list())
        if not both:
            return []

        def total(frame: pl.DataFrame, column: str) -> float | None:
            return _num(frame.filter(pl.col("agency_id").is_in(list(both)))[column].sum())

        label = f"同口径（两年均有报告的{len(both)}个机关）"
        return [Headline("same_new_received", f"{label}新收申请（件）", "count",
                         total(now, "new_received"), total(before, "new_received")),
                Headline("same_total_processed", f"{label}办理结果总计（件）", "count",
                         total(now, "total_processed"), total(before, "total_processed"))]

    def headline(self) -> Fragment:
        figures = self.headline_figures()
        frame = pl.DataFrame({
            "指标": [f.label for f in figures],
            f"{self.year}年": [f.shown() for f in figures],
            f"{self.year - 1}年": [H.percent(f.previous) if f.kind == "share" else format_count(f.previous)
                                   for f in figures],
            "变化": [f.change for f in figures],
        })
        before = self.year_row(self.year - 1)
        remark = ""
        if before and before["reports"] != (self.year_row(self.year) or {}).get("reports"):
            remark = H.paragraph(f"说明：两年报告份数不同（{before['reports']} 份与 "
                                 f"{(self.year_row(self.year) or {}).get('reports')} 份），总量变化部分来自报告份数的变化；"
                                 "“同口径”两行只计两年都有报告的机关。")
        shares = "占比的分母为办理结果总计；纠错率 = 结果纠正 /（维持 + 纠正 + 其他结果），尚未审结的不计入。"
        figures_columns = {f"{self.year}年", f"{self.year - 1}年", "变化"}
        return Fragment(H.table(frame, numeric=figures_columns) + H.paragraph(shares) + remark)

    # charts ----------------------------------------------------------------------------

    def chart(self, name: str, chart: alt.TopLevelMixin, caption: str, *, key: bool = False) -> Fragment:
        """Export PNG (2x, white) and SVG to ``out_dir/charts`` and show the PNG inline."""
        paths = export.export_chart(chart, self.out_dir / "charts" / name)
        png = paths["png"].read_bytes()
        width, height = export.png_size(png)
        title = export._title_of(export.chart_spec(chart))
        self.charts = [c for c in self.charts if c.name != name]
        self.charts.append(ChartFile(name, title, caption, f"charts/{name}.png", f"charts/{name}.svg", key))
        scale = export.PNG_SCALE
        return Fragment(H.figure(png, width // scale, height // scale, title, caption))

    def submitted_info(self, categories: int = 6) -> Fragment:
        frame = self.scoped("digest_submitted_by_year")
        names = submitted_names()
        if frame.height:
            top = (frame.group_by("category").agg(pl.col("count").sum())
                   .sort(["count", "category"], descending=[True, False]).head(categories)["category"])
            frame = frame.filter(pl.col("category").is_in(top.to_list())).with_columns(
                pl.col("category").replace_strict(names, default=pl.col("label"),
                                                  return_dtype=pl.String).alias("category_name"))
        chart = builders.submitted_info_trend(frame, subtitle=self.subtitle)
        return self.chart("submitted_info", chart,
                          f"第一部分所述主动公开和报送信息条数，按类别（条数最多的 {categories} 类），各年合计。")

    def _items(self, items: tuple[str, ...]) -> pl.DataFrame:
        frame = self.scoped("digest_active_items_by_year").filter(pl.col("item").is_in(list(items)))
        frame = frame.rename({"reporting": "reports"})  # reports that filled the cell: n per bar
        return frame.with_columns(pl.col("item").replace_strict(builders.ITEM_LABELS, default=pl.col("item"),
                                                                return_dtype=pl.String).alias("item_name"))

    def service_items(self) -> Fragment:
        what = ("service_decisions", "行政许可和其他对外管理服务事项处理决定")
        chart = builders.service_items_trend(self._items(("licensing", "other_services")),
                                             subtitle=self.chart_lines(dominant=what))
        return self.chart("service_items", chart, "行政许可和其他对外管理服务事项的本年处理决定数量（其他对外管理"
                          "服务事项仅见于2019年版模板）。" + self.dominant_caption(*what))

    def penalties(self) -> Fragment:
        what = ("penalty_decisions", "行政处罚和行政强制处理决定")
        chart = builders.penalties_trend(self._items(("penalties", "enforcement")), subtitle=self.chart_lines(dominant=what))
        return self.chart("penalties", chart, "行政处罚和行政强制的本年处理决定数量。" + self.dominant_caption(*what),
                          key=True)

    def _outcomes(self) -> pl.DataFrame:
        groups = ["granted", "partially_granted", "denied", "unable", "not_processed", "other_handling"]
        present = [g for g in groups if g in self.totals.columns]
        if self.totals.height == 0:
            return pl.DataFrame()
        return (self.totals.select(["year", *present])
                .unpivot(index="year", variable_name="outcome_group", value_name="count")
                .with_columns(pl.col("count").cast(pl.Float64))
                .join(self.totals.select("year", pl.col("outcome_reports").alias("reports")), on="year",
                      how="left", maintain_order="left"))

    def request_outcomes(self) -> Fragment:
        row = self.year_row(self.year) or {}
        caption = (f"依申请公开办理结果，按结果类别堆叠。{self.year}年办理结果总计 "
                   f"{format_count(row.get('total_processed'))} 件，其中予以公开 {format_count(row.get('granted'))} 件。")
        what = ("total_processed", "办理结果总计")
        chart = builders.request_outcomes_trend(self._outcomes(), subtitle=self.chart_lines(trend=True, dominant=what))
        return self.chart("request_outcomes", chart, caption + self._basis() + self.dominant_caption(*what), key=True)

    def request_outcome_shares(self) -> Fragment:
        chart = builders.request_outcomes_trend(self._outcomes(), share=True,
                                                subtitle=self.chart_lines(dominant=("total_processed", "办理结果总计")))
        return self.chart("request_outcome_shares", chart, "各类办理结果占当年办理结果总计的比例。")

    def applicants(self) -> Fragment:
        what = ("new_received", "本年新收申请")
        chart = builders.requests_by_applicant(self.scoped("digest_applicants_by_year"),
                                               subtitle=self.chart_lines(dominant=what))
        return self.chart("requests_by_applicant", chart, "本年新收申请按申请人类型构成。" + self.dominant_caption(*what))

    def review_litigation(self) -> Fragment:
        what = ("concluded", "复议诉讼已审结案件")
        chart = builders.review_litigation_trend(self.scoped("digest_review_by_year"),
                                                 subtitle=self.chart_lines(trend=True, dominant=what))
        now = self.year_row(self.year) or {}
        caption = (f"行政复议和行政诉讼的结果（柱）与纠错率（折线）。{self.year}年行政复议纠错率 "
                   f"{H.percent(_ratio(now, 'review_corrected', 'review_concluded')) or '—'}。")
        return self.chart("review_litigation", chart, caption + self._basis() + self.dominant_caption(*what), key=True)

    # agencies ----------------------------------------------------------------------------

    def _agency_frame(self, value: str, label: pl.Expr | None = None) -> pl.DataFrame:
        frame = self.agencies.filter(pl.col(value).is_not_null())
        frame = frame.with_columns(
            pl.col("agency").map_elements(drawable, return_dtype=pl.String).alias("agency_label"),
            pl.col(value).cast(pl.Float64).alias("value"))
        if label is not None:
            frame = frame.with_columns(label.alias("label"))
        return frame.select(pl.col("agency_label").alias("agency"), "value",
                            *(["label"] if label is not None else []))

    def top_requests(self) -> Fragment:
        frame = self._agency_frame("new_received")
        chart = builders.top_agencies(frame, n=self.top_n, title=f"{self.year}年新收申请最多的机关",
                                      value_title="新收申请（件）", subtitle=self.subtitle)
        shown = self.chart("top_requests", chart, f"{self.year}年本年新收政府信息公开申请数量前 {self.top_n} 名。",
                           key=True)
        table = self.agencies.sort("new_received", descending=True, nulls_last=True).head(self.top_n)
        return Fragment(shown.html + H.table(table, {
            "agency": "机关", "new_received": "新收申请", "total_processed": "办理总计",
            "granted_share": "公开（含部分）占比", "synthetic": "合成数据"},
            formats={"granted_share": H.percent}))

    def top_correction(self, min_cases: int = 3) -> Fragment:
        frame = self.agencies.filter(pl.col("concluded") >= min_cases)
        chart_frame = frame.with_columns(
            pl.col("agency").map_elements(drawable, return_dtype=pl.String).alias("agency_label"),
            (pl.col("correction_rate") * 100).alias("value"),
            pl.format("{}%（{}/{}件）", (pl.col("correction_rate") * 100).round(1),
                      pl.col("corrected"), pl.col("concluded")).alias("label"),
        ).select(pl.col("agency_label").alias("agency"), "value", "label")
        chart = builders.top_agencies(chart_frame, n=self.top_n, title=f"{self.year}年复议诉讼纠错率最高的机关",
                                      value_title="纠错率（%）", subtitle=self.subtitle, colour="#d73027")
        shown = self.chart("top_correction", chart,
                           f"行政复议和行政诉讼合计的纠错率，只列已审结案件不少于 {min_cases} 件的机关。")
        table = frame.sort(["correction_rate", "concluded"], descending=True, nulls_last=True).head(self.top_n)
        return Fragment(shown.html + H.table(table, {
            "agency": "机关", "concluded": "已审结", "corrected": "结果纠正", "correction_rate": "纠错率",
            "synthetic": "合成数据"}, formats={"correction_rate": H.percent}, empty="没有已审结案件足够多的机关。"))

    def granted_bands(self) -> Fragment:
        shares = self.agencies["granted_share"]
        bands = [("低于30%", shares.filter(shares < 0.3).len()),
                 ("30%–60%", shares.filter((shares >= 0.3) & (shares <= 0.6)).len()),
                 ("高于60%", shares.filter(shares > 0.6).len()),
                 ("无申请或未填", shares.null_count())]
        frame = pl.DataFrame({"band": [b for b, _ in bands], "agencies": [n for _, n in bands]})
        chart = builders.agencies_by_band(frame, title=f"{self.year}年各机关予以公开（含部分公开）占比分布",
                                          band_title="予以公开（含部分公开）占办理总计的比例",
                                          subtitle=self.subtitle,
                                          colours=["#d73027", "#fdae61", "#1a9850", "#bdbdbd"])
        low = self.agencies.filter(pl.col("granted_share") < 0.3).sort("granted_share")
        shown = self.chart("granted_bands", chart, "按予以公开（含部分公开）占办理结果总计的比例，统计机关数量。",
                           key=True)
        return Fragment(shown.html + "<h3>予以公开占比低于30%的机关</h3>" + H.table(low, {
            "agency": "机关", "total_processed": "办理总计", "granted_any": "公开（含部分）",
            "granted_share": "占比", "denied": "不予公开"}, formats={"granted_share": H.percent},
            empty="没有低于30%的机关。"))

    # narrative ---------------------------------------------------------------------------

    def _narrative_ready(self) -> bool:
        return self._has_tables("narrative_tags", "narrative_themes", "repeated_problems", "section_similarity")

    def _narrative_missing(self) -> Fragment:
        return Fragment(H.note("数据库中还没有第五部分的主题分析结果：请先运行 `workbench narrative`，再生成摘要。"))

    def narrative_heatmap(self) -> Fragment:
        if not self._narrative_ready():
            return self._narrative_missing()
        frame = self.scoped("digest_narrative_tags_by_year")
        frame = frame.filter(pl.col("tag") != "untagged").select(
            pl.col("label").alias("tag_name"), "year", pl.col("reports_problem").alias("items"), "reports")
        chart = builders.tag_year_heatmap(frame, title="“存在的主要问题”主题年度分布（报告份数）",
                                          subtitle=self.subtitle)
        return self.chart("narrative_heatmap", chart, "各年在第五部分“存在的主要问题”中提到各主题的报告份数。")

    def repeated_problems(self) -> Fragment:
        if not self._narrative_ready():
            return self._narrative_missing()
        frame = self.in_scope(self.q("narrative_repeated_problems", year=self.year, agency=self.agency))
        frame = frame.with_columns(pl.col("problems_this_year").str.slice(0, 160).alias("problems_short"))
        return Fragment(H.table(frame, {"agency": "机关", "theme": "主题", "since": "始于", "streak": "连续年数",
                                        "fix_promised_year_before": "上年曾承诺改进", "problems_short": "本年所列问题"},
                                empty="本年没有连续两年以上重复出现的问题主题。", limit=40))

    def copied_frame(self) -> pl.DataFrame | None:
        """This year's sections found 内容雷同 (None: the section 五 comparison has not run)."""
        if not self._narrative_ready():
            return None
        frame = self.in_scope(self.q("narrative_copied_sections", year=self.year, agency=self.agency))
        return frame.filter(pl.col("内容雷同"))

    def copied_sections(self) -> Fragment:
        frame = self.copied_frame()
        if frame is None:
            return self._narrative_missing()
        frame = frame.with_columns(
            pl.col("part").replace_strict({"一": "一、总体情况", "五": "五、存在的主要问题"}, default=pl.col("part"),
                                          return_dtype=pl.String).alias("part_zh"),
            pl.col("kind").replace_strict({"same_agency_previous_year": "本机关往年",
                                           "other_agency_same_year": "其他机关同年"}, default=pl.col("kind"),
                                          return_dtype=pl.String).alias("kind_zh"))
        return Fragment('<a id="wb-copied"></a>' + H.table(frame, {"agency": "机关", "part_zh": "部分", "kind_zh": "比较对象",
                                        "compared_agency": "比较的报告", "compared_year": "年度", "score": "相似度"},
                                formats={"score": lambda v: f"{v:.2f}"}, empty="本年没有内容雷同的部分。",
                                limit=40))

    # closing -----------------------------------------------------------------------------

    def finish(self) -> Fragment:
        """Write ``digest.json`` (headline figures, chart files, scope) and list the files."""
        if not self.headlines:
            self.headline_figures()
        synthetic, total = self.synthetic
        manifest = {
            "year": self.year, "requested_year": self.requested, "agency": self.agency, "region": self.region,
            "scope": self.scope_text(), "generated_at": datetime.now().isoformat(timespec="seconds"),
            "reports": total, "synthetic_reports": synthetic,
            "year_reports": int((self.year_row(self.year) or {}).get("reports") or 0),
            "headline": [{"key": f.key, "label": f.label, "kind": f.kind, "value": f.value,
                          "previous": f.previous, "shown": f.shown(), "change": f.change} for f in self.headlines],
            "charts": [c.__dict__ for c in self.charts],
            "action_items": [item.as_dict() for item in getattr(self, "actions", [])],
        }
        self.out_dir.mkdir(parents=True, exist_ok=True)
        (self.out_dir / "digest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), "utf-8")
        files = [f"{c.png}、{c.svg}（{c.title}）" for c in self.charts]
        return Fragment(H.paragraph(f"本摘要共导出 {len(self.charts)} 张图表（PNG 2倍分辨率、SVG）：")
                        + H.bullets(files))


def _num(value: Any) -> float | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return float(value)


def _ratio(row: dict[str, Any] | None, part: str, whole: str) -> float | None:
    if not row:
        return None
    top, bottom = _num(row.get(part)), _num(row.get(whole))
    if top is None or not bottom:
        return None
    return top / bottom
