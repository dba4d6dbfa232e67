"""Write digest.ipynb, explore.ipynb and agency.ipynb (no outputs) from the cell lists below.

    .venv/bin/python notebooks/build_notebooks.py

The notebooks are the deliverable and may be edited in JupyterLab; this script is the
reviewable source. Keep cells thin: the work is in workbench/digest and queries/*.sql.
Each notebook has exactly one cell tagged ``parameters`` (papermill); cells tagged
``hide-in-digest`` are left out of the HTML digest.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent
QUERIES = HERE.parent / "queries"
KERNEL = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
          "language_info": {"name": "python"}}

PARAMS_DB = '''import os

# Parameters: papermill (workbench digest) overrides them; `workbench lab` sets WORKBENCH_DB.
db = os.environ.get("WORKBENCH_DB", "../data/workbench.duckdb")'''

DIGEST = [
    ("md", "# 年度摘要（digest）\n\n由 `workbench digest --year YEAR|latest` 运行；也可在 JupyterLab 中修改下面的参数后逐格运行。"
           "图表同时导出到 `out_dir/charts/`（PNG 2倍、SVG）。", ["hide-in-digest"]),
    ("code", PARAMS_DB + '''
year = "latest"        # 2024, or "latest" (the most recent year with most reports in)
agency = None          # only agencies whose name contains this text, e.g. "洪泽区"
region = None          # only agencies whose region contains this text, e.g. "淮安市"
out_dir = "digest-out" # charts go to out_dir/charts, headline figures to out_dir/digest.json
top_n = 10''', ["parameters"]),
    ("code", '''from workbench.digest.sections import open_digest

d = open_digest(db, year, agency=agency, region=region, out_dir=out_dir, top_n=top_n)
d.intro()''', []),
    ("md", "## 一、主要指标及与上年比较", []),
    ("code", "d.headline()", []),
    ("md", "## 督办事项", []),
    ("code", "d.action_items()", []),
    ("md", "## 二、主动公开", []),
    ("code", "d.submitted_info()", []),
    ("code", "d.service_items()", []),
    ("code", "d.penalties()", []),
    ("md", "## 三、依申请公开", []),
    ("code", "d.request_outcomes()", []),
    ("code", "d.request_outcome_shares()", []),
    ("code", "d.applicants()", []),
    ("md", "## 四、行政复议和行政诉讼", []),
    ("code", "d.review_litigation()", []),
    ("md", "## 五、各机关比较", []),
    ("code", "d.top_requests()", []),
    ("code", "d.top_correction()", []),
    ("code", "d.granted_bands()", []),
    ("md", "## 六、合规检查发现的问题", []),
    ("md", "### 本工具的读取情况（不是机关的问题）", []),
    ("code", "d.read_coverage()", []),
    ("code", "d.findings_overview()", []),
    ("md", "### 表格勾稽关系不符", []),
    ("code", "d.identity_findings()", []),
    ("md", "### 表格空白未填（空白不等于0）", []),
    ("code", "d.blank_tables()", []),
    ("md", "### 应报送机关的发布情况（名册）", []),
    ("code", "d.roster_detail()", []),
    ("md", "### 逾期发布", []),
    ("code", "d.late_reports()", []),
    ("md", "### 上年结转与上年报告不衔接", []),
    ("code", "d.carry_over()", []),
    ("md", "### 模板使用不当、正文与表格不符、缺少部分", []),
    ("code", "d.other_findings()", []),
    ("md", "## 七、“存在的主要问题”比较", []),
    ("code", "d.narrative_heatmap()", []),
    ("md", "### 连续多年重复出现的问题", []),
    ("code", "d.repeated_problems()", []),
    ("md", "### 内容雷同的部分", []),
    ("code", "d.copied_sections()", []),
    ("md", "## 附：导出的图表文件", []),
    ("code", "d.finish()", []),
]

def sql_cell(query: str, call: str) -> str:
    """A chart cell that carries its query's SQL (queries/QUERY.sql), to read and to edit."""
    sql = (QUERIES / f"{query}.sql").read_text("utf-8")
    assert '"""' not in sql, f"{query}.sql holds a triple quote"
    return (f"# 图表的数据来源：queries/{query}.sql（可直接修改下面的 SQL，再运行本格）\n"
            f'sql = r"""\n{sql.rstrip()}\n"""\n{call}')


EXPLORE = [
    ("md", "# 交互探索\n\n先在下面的控件中选择机关（输入名称的一部分即可搜索）、年度和指标；"
           "图表和表格随之更新。图表可以点击：点上图的年度，中图列出该年各机关；点中图的机关，下图显示它的历年变化。"
           "每个图表格中的 SQL 就是它的数据来源，可以修改后重新运行该格。全部离线可用。", []),
    ("code", PARAMS_DB + '''
agency = None          # the agency's name or part of it, e.g. "平潭"; None: the largest in the year
year = None            # e.g. 2023; None: the latest year most agencies have reported
measure = "new_received"  # see workbench.digest.explore.MEASURES''', ["parameters"]),
    ("code", '''from workbench.digest.explore import open_explorer

ex = open_explorer(db, agency, year, measure)
ex.picker()''', []),
    ("md", "## 各年度与各机关（联动图表）", []),
    ("code", sql_cell("digest_agency_year", "ex.linked(sql)"), []),
    ("md", "## 所选报告的表三（依申请公开）数据\n\n"
           "参数：`$agencies` 为所选机关，`$year_from`、`$year_to` 为所选年度。", []),
    ("code", sql_cell("explore_report_cells", "ex.cells(sql)"), []),
]

AGENCY = [
    ("md", "# 机关档案\n\n一个机关历年的主要数字、检查发现和第五部分（问题与改进措施）对照。", []),
    ("code", PARAMS_DB + '''
agency = None          # the agency's name or part of it; None: the agency with most reports
out_dir = None         # set a folder to also export the charts (PNG, SVG)''', ["parameters"]),
    ("code", '''from workbench.digest.profile import open_profile

p = open_profile(db, agency, out_dir)
p.overview()''', []),
    ("md", "## 依申请公开办理结果", []),
    ("code", "p.outcomes_chart()", []),
    ("md", "## 行政复议和行政诉讼", []),
    ("code", "p.review_chart()", []),
    ("md", "## 合规检查发现", []),
    ("code", "p.findings()", []),
    ("md", "## 存在的主要问题与改进措施（逐年对照）", []),
    ("code", "p.narrative()", []),
    ("md", "## 扫描件识别来源\n\n报告是扫描件（或表格以图片发布）时，表格数字由本工具图像识别（OCR）读出。"
           "下表列出每个识别出的单元格在原件第几页、页面上的位置、识别置信度和读作什么；"
           "置信度最低的几个单元格附有从原件页面截取的图像，便于对照核对。", []),
    ("code", sql_cell("ocr_cell_sources", "p.ocr_sources(sql)"), []),
]


def build(cells: list[tuple[str, str, list[str]]]) -> nbformat.NotebookNode:
    made = []
    for kind, source, tags in cells:
        cell = new_markdown_cell(source) if kind == "md" else new_code_cell(source)
        if tags:
            cell.metadata["tags"] = tags
        made.append(cell)
    nb = new_notebook(cells=made, metadata=KERNEL)
    assert sum("parameters" in c.metadata.get("tags", []) for c in nb.cells) == 1
    return nb


def main() -> None:
    for name, cells in (("digest", DIGEST), ("explore", EXPLORE), ("agency", AGENCY)):
        nb = build(cells)
        # Stable cell ids, so that rebuilding does not change the files.
        for number, cell in enumerate(nb.cells):
            cell["id"] = f"{name}-{number:02d}"
        nbformat.validate(nb)
        nbformat.write(nb, HERE / f"{name}.ipynb")


if __name__ == "__main__":
    main()
