"""Interactive exploration for notebooks/explore.ipynb: a year, an agency, a measure.

    ex = open_explorer("data/workbench.duckdb", agency="平潭", year=None, measure="new_received")
    ex.picker()                 # searchable agency box, year and measure (ipywidgets)
    ex.linked(sql)              # three linked charts (click a year, then an agency)
    ex.cells(sql)               # the picked report's section 三, as a table

Each chart cell of the notebook holds the SQL it draws (copied from ``queries/*.sql`` by
notebooks/build_notebooks.py), so an analyst can read it, change it and run the cell again;
``ex.linked()`` / ``ex.cells()`` without SQL run the query file itself. The SQL runs read-only
and may use the named parameters listed in ``PARAMS`` (``$year``, ``$agency`` …).

The default year is the latest *complete* one (as ``workbench digest --year latest``), so the
first run never draws a year only two early reports are in. An agency that is not found gives
a Chinese message with near matches (agency_search), never a traceback; the explorer then
shows every agency.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from workbench.charts import interactive
from workbench.digest import html as H
from workbench.digest.agency_search import AgencyMatch, agency_names, search_agencies
from workbench.digest.sections import DigestError, Fragment, drawable, resolve_year
from workbench.store import connect, run_query
from workbench.store.connect import StoreError, upgrade_if_older
from workbench.store.queries import QUERIES_DIR, tidy

MEASURES: dict[str, tuple[str, bool]] = {  # column -> (Chinese name, is a share)
    "new_received": ("本年新收申请（件）", False),
    "total_processed": ("办理结果总计（件）", False),
    "granted_share": ("予以公开（含部分）占比", True),
    "denied": ("不予公开（件）", False),
    "concluded": ("复议诉讼已审结（件）", False),
    "correction_rate": ("复议诉讼纠错率", True),
    "filled_share": ("表格填写率", True),
}
CELL_COLUMNS = {"year": "年度", "agency_id": "机关", "row_label": "办理情况", "natural_person": "自然人",
                "commercial": "商业企业", "research": "科研机构", "social_welfare": "社会公益组织",
                "legal_services": "法律服务机构", "other_org": "其他", "total": "总计"}
LINKED_QUERY = "digest_agency_year"
CELLS_QUERY = "explore_report_cells"
NO_YEAR = "库中没有 {year} 年的报告，改为显示 {shown} 年（最近一个报告基本齐全的年度）。"
NO_MEASURE = "没有指标“{measure}”，可选：{choices}。"
SQL_FAILED = "查询未能运行：{error}"
SQL_COLUMNS = "查询结果缺少图表需要的列：{missing}（需要 agency_id、year 和所选指标列）。"
NO_AGENCY = "请先选择一个机关。"


def query_sql(name: str) -> str:
    """The text of queries/NAME.sql, as the notebook cells carry it."""
    return (QUERIES_DIR / f"{name}.sql").read_text("utf-8")


def run_sql(con: duckdb.DuckDBPyConnection, sql: str, values: dict[str, Any]) -> pl.DataFrame:
    """Run one read-only statement; each ``$name`` it uses takes ``values[name]`` (else NULL)."""
    statements = duckdb.extract_statements(sql)
    if len(statements) != 1 or statements[0].type != duckdb.StatementType.SELECT:
        raise StoreError("只能运行一条 SELECT 查询")
    body = "\n".join(line.split("--", 1)[0] for line in sql.splitlines())
    used = dict.fromkeys(re.findall(r"\$([A-Za-z_]\w*)", body))
    params = {name: values.get(name) for name in used}
    try:
        return tidy(con.sql(sql, params=params or None).pl())
    except duckdb.Error as exc:
        raise StoreError(str(exc)) from None


def open_explorer(db: str | Path, agency: str | None = None, year: int | str | None = None,
                  measure: str = "new_received") -> Explorer:
    try:
        upgrade_if_older(db)  # a store from an older workbench lacks what the queries use
        con = connect(db)
    except StoreError as exc:
        raise DigestError(str(exc)) from None
    data = run_query(LINKED_QUERY, {}, con=con)
    if data.height == 0:
        raise DigestError("the store holds no reports")
    rows = con.execute("SELECT agency_id, agency FROM current_reports "
                       "ORDER BY count(*) OVER (PARTITION BY agency_id) DESC, agency_id, year DESC").fetchall()
    interactive.use_offline_renderer()
    explorer = Explorer(con, data, agency_names(rows), complete_year=resolve_year(con, "latest"))
    explorer.select(agency, year, measure)
    return explorer


@dataclass
class Explorer:
    con: duckdb.DuckDBPyConnection
    data: pl.DataFrame  # digest_agency_year over every year: one row per agency-year
    names: dict[str, list[str]]  # agency id -> printed names, agencies with most reports first
    complete_year: int
    agency: str | None = None  # the agency id picked (None: none found yet)
    year: int = 0
    measure: str = "new_received"
    notes: list[str] = field(default_factory=list)  # what the last select() could not do
    widgets: list[Any] = field(default_factory=list, repr=False)  # the live charts shown
    _charts: list[Callable[[], None]] = field(default_factory=list, repr=False)
    _tables: list[Callable[[], None]] = field(default_factory=list, repr=False)
    _controls: dict[str, Any] = field(default_factory=dict, repr=False)
    _syncing: bool = field(default=False, repr=False)

    @property
    def years(self) -> list[int]:
        return sorted(int(y) for y in self.data["year"].unique().to_list())

    def find(self, text: str) -> AgencyMatch:
        return search_agencies(self.names, text)

    def select(self, agency: str | None = None, year: int | str | None = None,
               measure: str | None = None) -> list[str]:
        """Pick an agency (a name or part of one), a year (None: the latest complete year) and
        a measure; what could not be done is returned (and kept in ``notes``) in Chinese."""
        notes = []
        if measure:
            if measure in MEASURES:
                self.measure = measure
            else:
                notes.append(NO_MEASURE.format(measure=measure, choices="、".join(MEASURES)))
        self.year = self.complete_year
        if year not in (None, "", "latest"):
            try:
                wanted = int(str(year).strip())
            except ValueError:
                wanted = None
            if wanted in self.years:
                self.year = wanted
            else:
                notes.append(NO_YEAR.format(year=year, shown=self.complete_year))
        if agency:
            found = self.find(agency)
            self.agency = found.agency_id or self.default_agency()
            if not found.found:
                notes.append(found.message() or "")
        else:
            self.agency = self.default_agency()
        self.notes = notes
        return notes

    def default_agency(self) -> str | None:
        """The agency with the largest value of the measure in the year (a line to draw)."""
        frame = self.data.filter((pl.col("year") == self.year) & pl.col(self.measure).is_not_null())
        if frame.height == 0:
            return next(iter(self.names), None)
        return frame.sort([self.measure, "agency_id"], descending=[True, False])["agency_id"][0]

    def message(self) -> Fragment:
        """The notes of the last selection (not-found agency, missing year), or nothing."""
        return Fragment("".join(H.note(n, "wb-note") for n in self.notes))

    # --- the linked charts --------------------------------------------------------------
    def linked_chart(self, frame: pl.DataFrame) -> Any:
        missing = [c for c in ("agency_id", "year", self.measure) if c not in frame.columns]
        if missing:
            raise StoreError(SQL_COLUMNS.format(missing="、".join(missing)))
        name, share = MEASURES[self.measure]
        drawn = frame.select(pl.col("year"), pl.col("agency_id").map_elements(drawable, return_dtype=pl.String)
                             .alias("agency"), pl.col(self.measure).alias("value"))
        return interactive.linked_year_agency(drawn, title=name, share=share, year=self.year,
                                              agency=drawable(self.agency or ""))

    def linked(self, sql: str | None = None) -> None:
        """Display the three linked charts of ``sql`` (default: queries/digest_agency_year.sql)."""
        from IPython.display import display

        try:
            frame = run_sql(self.con, sql or query_sql(LINKED_QUERY), {})
            chart = self.linked_chart(frame)
        except StoreError as exc:
            display(Fragment(H.note(SQL_FAILED.format(error=exc), "wb-note")))
            return
        if self.notes:
            display(self.message())
        widget = interactive.display_offline(chart, f"联动图表：{MEASURES[self.measure][0]}",
                                             extra_text=[name for name, _share in MEASURES.values()])

        def refresh() -> None:
            # An edited query without the newly picked measure: keep the chart as it is.
            with contextlib.suppress(StoreError):
                widget.chart = self.linked_chart(frame)

        labels = {drawable(a): a for a in frame["agency_id"].unique().to_list()}

        def clicked(change: Any) -> None:
            """A click in the chart picks the year or agency for the tables and the pickers too."""
            picks = interactive.picked(change["new"])
            year, agency = picks.get(interactive.YEAR_PARAM), labels.get(picks.get(interactive.AGENCY_PARAM))
            moved = (year is not None and int(year) != self.year) or (agency is not None and agency != self.agency)
            if not moved:
                return
            self.year = int(year) if year is not None else self.year
            self.agency = agency or self.agency
            self.sync_controls()
            for table in self._tables:
                table()

        self._charts.append(refresh)
        self.widgets.append(widget)
        widget.observe(clicked, names="_vl_selections")

    # --- the table of section 三 -------------------------------------------------------
    def cells_table(self, sql: str | None = None) -> Fragment:
        if not self.agency:
            return Fragment(H.paragraph(NO_AGENCY))
        try:
            frame = run_sql(self.con, sql or query_sql(CELLS_QUERY),
                            {"agencies": self.agency, "year_from": self.year, "year_to": self.year,
                             "year": self.year, "agency": self.agency})
        except StoreError as exc:
            return Fragment(H.note(SQL_FAILED.format(error=exc), "wb-note"))
        columns = {k: v for k, v in CELL_COLUMNS.items() if k in frame.columns} or None
        return Fragment(f"<h3>{H.esc(self.agency)} {self.year} 年报告的表三（依申请公开）</h3>"
                        + H.table(frame, columns, formats={"year": str}, limit=120,
                                  empty=f"{self.agency} 没有 {self.year} 年的报告。"))

    def cells(self, sql: str | None = None) -> None:
        from IPython.display import display

        handle = display(self.cells_table(sql), display_id=True)
        if handle is not None:  # None outside IPython: nothing to update
            self._tables.append(lambda: handle.update(self.cells_table(sql)))

    def sync_controls(self) -> None:
        """Show the explorer's agency and year in the pickers, without redrawing the charts."""
        self._syncing = True
        try:
            if "agency" in self._controls:
                self._controls["agency"].value = self.agency or ""
            if "year" in self._controls and self.year in self.years:
                self._controls["year"].value = self.year
        finally:
            self._syncing = False

    # --- the pickers --------------------------------------------------------------------
    def picker(self) -> None:
        """A searchable agency box (type part of a name), the year and the measure.

        A change redraws every chart and table shown so far (their cells need not run again).
        """
        import ipywidgets as w
        from IPython.display import display

        agency = w.Combobox(options=list(self.names), value=self.agency or "", placeholder="输入机关名称的一部分",
                            description="机关", ensure_option=False, continuous_update=False,
                            layout=w.Layout(width="420px"))
        year = w.Dropdown(options=[(f"{y}年", y) for y in reversed(self.years)], value=self.year,
                          description="年度")
        measure = w.Dropdown(options=[(v[0], k) for k, v in MEASURES.items()], value=self.measure,
                             description="指标")
        notes = w.HTML(self.message().html)

        def redraw(_change: Any = None) -> None:
            if self._syncing:  # the value came from a click in a chart (sync_controls)
                return
            self.select(agency.value or None, year.value, measure.value)
            notes.value = self.message().html
            for view in (*self._charts, *self._tables):
                view()

        for control in (agency, year, measure):
            control.observe(redraw, names="value")
        self._controls = {"agency": agency, "year": year, "measure": measure}
        display(w.VBox([w.HBox([agency, year, measure]), notes]))
