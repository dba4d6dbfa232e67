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

EXPLORE = [
    ("md", "# 交互探索\n\n选择机关、年度和指标：上图为历年变化，下图为所选最后一年的比较，表格列出所选报告的表三数据。"
           "全部离线可用（图表由本机渲染为图片）。", []),
    ("code", PARAMS_DB + '''
agencies = None        # e.g. ["平潭综合实验区"]; None: the five agencies with most requests
years = None           # e.g. (2021, 2024); None: every year
measure = "new_received"  # see workbench.digest.explore.MEASURES''', ["parameters"]),
    ("code", '''from workbench.digest.explore import open_explorer

ex = open_explorer(db, agencies, years, measure)
ex.widget()''', []),
    ("md", "不使用控件时，也可以直接调用 `ex.select(...)` 后 `ex.render()`：", []),
    ("code", "ex.render()", []),
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
