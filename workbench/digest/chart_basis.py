"""What stands behind each digest chart, said in its subtitle and caption.

A mixin of :class:`workbench.digest.sections.Digest`: how many reports each year of a trend
rests on (and how many the workbench could not read fully), and the years in which one
report makes more than half of the total (``charts.basis.dominant_lines``), so that a pasted
chart carries both. Bars whose number of reports differs say "n=…" themselves (builders).
"""

from __future__ import annotations

from typing import Any

import polars as pl

from workbench.charts import basis, font

TREND_LINE = 44  # characters of a chart subtitle line (a 2x PNG holds about this many)
PLACEHOLDER = "〓"  # drawn instead of a character the chart font lacks (tables keep the name)


def drawable(text: str) -> str:
    """Text the chart font can draw: missing characters become 〓 (the table keeps the name)."""
    missing = font.missing_chars([text])
    return "".join(PLACEHOLDER if ch in missing else ch for ch in text)


class ChartBasis:
    """Needs from the digest: year, agency, region, q, scoped, subtitle."""

    year: int
    agency: str | None
    region: str | None

    def chart_lines(self, *, trend: bool = False, dominant: tuple[str, str] | None = None) -> list[str] | None:
        """Subtitle lines: the synthetic note, for a trend the reports behind each year, and with
        ``dominant`` = (column of digest_agency_year, what it is) the years one report dominates."""
        lines = [self.subtitle] if self.subtitle else []  # type: ignore[attr-defined]
        if trend:
            lines += self._year_lines()
        if dominant:
            lines += self.dominant_lines(*dominant)
        return lines or None

    def dominant_lines(self, column: str, what: str) -> list[str]:
        """"2021年：办理结果总计的62%来自某机关一份报告（…）" for each such year up to the digest's."""
        frame = self.scoped("digest_agency_year")  # type: ignore[attr-defined]
        if frame.height == 0 or column not in frame.columns:
            return []
        frame = frame.with_columns(pl.col("agency").map_elements(drawable, return_dtype=pl.String))
        return basis.dominant_lines(frame, column, what)

    def dominant_caption(self, column: str, what: str) -> str:
        lines = self.dominant_lines(column, what)
        return ("注意：" + "；".join(lines) + "。") if lines else ""

    def _year_lines(self) -> list[str]:
        lines: list[str] = []
        for part in self._basis_parts():  # whole years to a line: 2023年41份（1份未能全部读取）
            if lines and len(lines[-1]) + len(part) + 1 <= TREND_LINE:
                lines[-1] += "、" + part
            else:
                lines.append(part if lines else "各年收到的报告：" + part)
        return lines

    def _trend_subtitle(self) -> list[str]:
        """The synthetic-data note and, in lines a chart can hold, how many reports stand behind each year."""
        return self.chart_lines(trend=True) or []

    def _basis_parts(self) -> list[str]:
        """How many reports stand behind each year of a trend, and how many were not fully read."""
        if not hasattr(self, "_basis_list"):
            frame: Any = self.q("read_coverage", agency=self.agency, region=self.region)  # type: ignore[attr-defined]
            frame = frame.filter(pl.col("year") <= self.year)
            per_year = (frame.group_by("year").agg(pl.len().alias("reports"),
                                                   (pl.col("coverage") != "fully_read").sum().alias("partial"))
                        .sort("year"))
            self._basis_list = [f"{r['year']}年{r['reports']}份" + (f"（{r['partial']}份未能全部读取）"
                                                                  if r["partial"] else "") for r in per_year.to_dicts()]
        return self._basis_list

    def _basis(self) -> str:
        parts = self._basis_parts()
        return "各年收到的报告：" + "、".join(parts) + "。" if parts else ""
