"""`workbench lab` and the explore/agency notebooks: Chinese, offline, linked, forgiving.

Fast: agency search and near matches, the default (latest complete) year, the linked chart's
spec (selection params and filter transforms), the notebook's SQL being the query file's,
left-aligned text cells. Slow: explore.ipynb under papermill with a non-default selection,
and a headless `workbench lab` checked through the server's REST API, then stopped.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import papermill
import polars as pl
import pytest

from workbench.charts import export, interactive
from workbench.digest.agency_search import agency_names, near_matches, search_agencies
from workbench.digest.lab import free_port, lab_command, lab_config, write_settings
from workbench.digest.runner import NOTEBOOKS, kernelspec

NAMES = {
    "平潭综合实验区": ["平潭综合实验区管理委员会"],
    "洪泽区人民政府": ["淮安市洪泽区人民政府"],
    "洪泽区教育局": [],
    "淮安市人民政府": [],
}


# --- agency search ------------------------------------------------------------------------
def test_agency_found_by_id_printed_name_or_part() -> None:
    assert search_agencies(NAMES, "洪泽区人民政府").agency_id == "洪泽区人民政府"
    assert search_agencies(NAMES, "平潭综合实验区管理委员会").agency_id == "平潭综合实验区"
    assert search_agencies(NAMES, " 平潭 ").agency_id == "平潭综合实验区"  # spaces do not hide it
    assert search_agencies(NAMES, "淮安市洪泽区").agency_id == "洪泽区人民政府"  # by printed name
    # Full-width Latin letters are NFKC-folded like the ids.
    assert search_agencies({"ABC局": []}, "ＡＢＣ").agency_id == "ABC局"


def test_agency_not_found_lists_near_matches_in_chinese() -> None:
    found = search_agencies(NAMES, "平谭综合实验区")  # 谭 for 潭
    assert found.agency_id is None and found.candidates[0] == "平潭综合实验区"
    message = found.message() or ""
    assert message.startswith("未找到") and "平潭综合实验区" in message and "Traceback" not in message
    assert near_matches("淮安市人名政府", NAMES)[0] == "淮安市人民政府"


def test_ambiguous_and_hopeless_queries_say_so() -> None:
    both = search_agencies(NAMES, "洪泽区")  # two agencies contain it, neither is exactly it
    assert both.ambiguous and set(both.candidates) == {"洪泽区人民政府", "洪泽区教育局"}
    assert "2 个机关" in (both.message() or "")
    nothing = search_agencies(NAMES, "xyz")
    assert not nothing.candidates and "共有 4 个机关" in (nothing.message() or "")


def test_agency_names_keep_order_and_drop_repeats() -> None:
    rows = [("甲局", "甲局"), ("甲局", "某市甲局"), ("甲局", "甲局"), ("乙局", None)]
    assert agency_names(rows) == {"甲局": ["甲局", "某市甲局"], "乙局": []}


# --- explorer defaults on a small generated store -----------------------------------------
@pytest.fixture(autouse=True, scope="module")
def _keep_renderer():
    """open_explorer switches Altair to the offline "jupyter" renderer (for the kernel); the
    other test modules of this process keep the one they had."""
    import altair as alt

    active = alt.renderers.active
    yield
    alt.renderers.enable(active)


@pytest.fixture(scope="module")
def explorer(small_db: Path):
    from workbench.digest.explore import open_explorer

    return open_explorer(small_db)


def test_default_year_is_the_latest_complete_one(explorer) -> None:
    per_year = explorer.data.group_by("year").len()
    counts = dict(zip(per_year["year"].to_list(), per_year["len"].to_list(), strict=True))
    latest = max(counts)
    # The small store has a straggler year (one report) after the busy one: not the default.
    assert counts[latest] < 0.5 * max(counts.values())
    assert explorer.year == max(y for y, n in counts.items() if n >= 0.5 * max(counts.values()))
    assert explorer.year != latest and explorer.agency is not None
    assert explorer.data.filter((pl.col("year") == explorer.year)
                                & (pl.col("agency_id") == explorer.agency)).height == 1


def test_explorer_keeps_going_when_agency_or_year_is_unknown(explorer) -> None:
    notes = explorer.select("平谭综合", 1999, "granted_share")
    assert any("未找到" in n and "平潭综合实验区" in n for n in notes)
    assert any("1999" in n for n in notes) and explorer.year == explorer.complete_year
    assert explorer.measure == "granted_share" and explorer.agency  # a default is still drawn
    assert explorer.select("平潭", None, None) == [] and explorer.agency == "平潭综合实验区"


def test_cells_table_left_aligns_text_and_right_aligns_numbers(explorer) -> None:
    explorer.select("平潭", 2023, "new_received")
    html = explorer.cells_table().html
    assert '<td style="text-align:left">平潭综合实验区</td>' in html
    assert 'class="num" style="text-align:right"' in html


def test_edited_sql_errors_are_messages(explorer) -> None:
    html = explorer.cells_table("SELECT no_such_column FROM current_reports").html
    assert "查询未能运行" in html
    assert "只能运行一条 SELECT" in explorer.cells_table("DELETE FROM current_reports").html


class _Handle:
    def __init__(self, shown: list) -> None:
        self.shown = shown

    def update(self, obj: object) -> None:
        self.shown.append(obj)


def test_a_click_in_the_chart_moves_the_table(small_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import IPython.display

    from workbench.digest.explore import open_explorer

    shown: list = []
    monkeypatch.setattr(IPython.display, "display", lambda obj, **kw: shown.append(obj) or _Handle(shown))
    ex = open_explorer(small_db)
    ex.linked()
    ex.cells()
    assert ex.widgets and ex._tables
    # What the browser sends back after a click on the 2022 bar, then on 平潭's bar.
    ex.widgets[0]._vl_selections = {"pick_year": {"value": {"year": [2022]}, "store": []},
                                    "pick_agency": {"value": None, "store": []}}
    assert ex.year == 2022
    ex.widgets[0]._vl_selections = {"pick_year": {"value": {"year": [2022]}, "store": []},
                                    "pick_agency": {"value": {"agency": ["平潭综合实验区"]}, "store": []}}
    assert ex.agency == "平潭综合实验区"
    assert "平潭综合实验区 2022 年" in str(shown[-1])  # the table under the chart was redrawn


# --- the linked chart ---------------------------------------------------------------------
def _frame() -> pl.DataFrame:
    return pl.DataFrame({"year": [2022, 2023, 2023, 2024], "agency": ["甲局", "甲局", "乙局", "乙局"],
                         "value": [3.0, 5.0, 7.0, 1.0]})


def test_linked_chart_has_selections_and_filters() -> None:
    chart = interactive.linked_year_agency(_frame(), title="本年新收申请（件）", share=False,
                                           year=2023, agency="乙局")
    spec = export.chart_spec(chart)
    params = {p["name"]: p for p in spec["params"]}
    assert params[interactive.YEAR_PARAM]["select"]["type"] == "point"
    assert params[interactive.YEAR_PARAM]["value"] == [{"year": 2023}]
    assert params[interactive.AGENCY_PARAM]["value"] == [{"agency": "乙局"}]
    assert all(p["select"]["clear"] is False for p in params.values())  # no view goes blank
    filters = [t["filter"] for view in spec["vconcat"] for t in view.get("transform", []) if "filter" in t]
    assert {"param": interactive.YEAR_PARAM} in filters and {"param": interactive.AGENCY_PARAM} in filters
    assert len(export.render_png(chart)) > 10_000  # the PNG fallback draws (with the shipped font)


def test_linked_chart_widget_is_offline() -> None:
    chart = interactive.linked_year_agency(_frame(), title="占比", share=True, year=2024, agency="乙局")
    widget = interactive.offline_widget(chart)
    assert widget._is_offline and "cdn.jsdelivr" not in widget._esm  # Vega bundled, no CDN
    bundle = interactive.mimebundle(widget, chart, "联动图表")
    assert {interactive.WIDGET_MIME, "image/png", "text/plain"} <= set(bundle)


# --- the notebook --------------------------------------------------------------------------
def test_explore_notebook_cells_carry_the_query_files() -> None:
    nb = nbformat.read(NOTEBOOKS / "explore.ipynb", as_version=4)
    root = NOTEBOOKS.parent / "queries"
    for query in ("digest_agency_year", "explore_report_cells"):
        cell = next(c for c in nb.cells if f"queries/{query}.sql" in c.source)
        assert (root / f"{query}.sql").read_text("utf-8").rstrip() in cell.source  # rebuild if not


def _executed(name: str, params: dict, db: Path, tmp_path: Path) -> nbformat.NotebookNode:
    out = tmp_path / f"{name}.ipynb"
    with kernelspec() as kernel:
        papermill.execute_notebook(str(NOTEBOOKS / f"{name}.ipynb"), str(out), parameters={"db": str(db), **params},
                                   kernel_name=kernel, progress_bar=False, cwd=str(tmp_path),
                                   execution_timeout=240)
    return nbformat.read(out, as_version=4)


@pytest.mark.slow
def test_explore_notebook_with_another_year_and_agency(small_db: Path, tmp_path: Path) -> None:
    nb = _executed("explore", {"agency": "平潭", "year": 2023, "measure": "granted_share"}, small_db, tmp_path)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.execution_count for c in code)
    outputs = [o for c in code for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    chart_cells = [c for c in code if "ex.linked(" in c.source]
    assert chart_cells
    for cell in chart_cells:  # the live widget and its PNG, drawn from a non-empty selection
        data = [o.get("data", {}) for o in cell.outputs]
        assert any(interactive.WIDGET_MIME in d and len(d.get("image/png", "")) > 10_000 for d in data)
    state = nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    specs = [m["state"]["spec"] for m in state.values() if m["state"].get("spec")]
    values = [v for s in specs for d in s["datasets"].values() for v in d]
    assert any(v["agency"] == "平潭综合实验区" and v["year"] == 2023 for v in values)
    assert any(p.get("value") == [{"year": 2023}] for s in specs for p in s["params"])
    table = "".join(o.get("data", {}).get("text/html", "") for c in code if "ex.cells(" in c.source
                    for o in c.outputs)
    assert "平潭综合实验区 2023 年" in table and "（七）总计" in table


@pytest.mark.slow
def test_agency_notebook_not_found_is_a_message(small_db: Path, tmp_path: Path) -> None:
    nb = _executed("agency", {"agency": "平谭综合", "out_dir": None}, small_db, tmp_path)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    html = "".join(o.get("data", {}).get("text/html", "") for o in outputs)
    assert "未找到名称含“平谭综合”的机关" in html and "平潭综合实验区" in html


# --- workbench lab ------------------------------------------------------------------------
def test_settings_and_command(tmp_path: Path) -> None:
    folder = write_settings(tmp_path / "settings")
    overrides = json.loads((folder / "overrides.json").read_text("utf-8"))
    assert overrides["@jupyterlab/translation-extension:plugin"]["locale"] == "zh_CN"
    assert overrides["@jupyterlab/apputils-extension:notification"] == {"fetchNews": "false",
                                                                         "checkForUpdates": False}
    argv = lab_command(settings_dir=folder, port=8899, no_browser=True)
    assert f"--LabApp.app_settings_dir={folder.resolve()}" in argv and "--LabApp.news_url=None" in argv
    assert not any("token" in a.lower() for a in argv)  # the token goes by environment, not argv
    assert set(lab_config()["server_args"]) <= set(argv)


def _get(url: str, token: str) -> dict:
    request = urllib.request.Request(url, headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.loads(answer.read().decode("utf-8"))


@pytest.mark.slow
def test_workbench_lab_starts_in_chinese_and_stops_cleanly(small_db: Path, tmp_path: Path) -> None:
    port = free_port()
    workbench = Path(sys.executable).with_name("workbench")
    process = subprocess.Popen([str(workbench), "lab", "--db", str(small_db), "--port", str(port), "--no-browser"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8",
                               env={**os.environ, "HOME": str(tmp_path)})
    try:
        lines = []
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not any("token=" in line for line in lines):
            line = process.stdout.readline()
            if not line:
                break
            lines.append(line)
        url = next(line.strip() for line in lines if "token=" in line)
        assert url.startswith(f"http://127.0.0.1:{port}/lab?token=") and "JupyterLab 已启动" in "".join(lines)
        token = url.split("token=", 1)[1]
        base = f"http://127.0.0.1:{port}"
        locale = _get(f"{base}/lab/api/settings/@jupyterlab/translation-extension:plugin", token)
        assert locale["schema"]["properties"]["locale"]["default"] == "zh_CN"
        news = _get(f"{base}/lab/api/settings/@jupyterlab/apputils-extension:notification", token)
        assert news["schema"]["properties"]["fetchNews"]["default"] == "false"
        assert news["schema"]["properties"]["checkForUpdates"]["default"] is False
        assert "zh_CN" in _get(f"{base}/lab/api/translations", token)["data"]
        with urllib.request.urlopen(f"{base}/lab?token={token}", timeout=10) as page:
            html = page.read().decode("utf-8")
        assert '"news": {"disabled": true}' in html.replace("&quot;", '"') or '"disabled": true' in html
        server = subprocess.run(["pgrep", "-f", f"jupyterlab .*--port={port}"], capture_output=True, text=True)
        server_pids = [int(p) for p in server.stdout.split()]
        assert server_pids
    finally:
        process.send_signal(signal.SIGINT)  # what Ctrl-C sends
        try:
            code = process.wait(60)
        finally:
            if process.poll() is None:
                process.kill()
    assert code == 0, process.stderr.read()
    assert "JupyterLab 已停止" in process.stdout.read()
    for pid in server_pids:  # the server went with it: no orphan
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


@pytest.mark.slow
def test_workbench_lab_on_a_busy_port_says_so(small_db: Path, tmp_path: Path) -> None:
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        workbench = Path(sys.executable).with_name("workbench")
        done = subprocess.run([str(workbench), "lab", "--db", str(small_db), "--port", str(port), "--no-browser"],
                              capture_output=True, text=True, encoding="utf-8", timeout=180,
                              env={**os.environ, "HOME": str(tmp_path)})
    assert done.returncode == 1  # not another port with a URL we never printed
    assert "JupyterLab 未能启动" in done.stdout and "token=" not in done.stdout
