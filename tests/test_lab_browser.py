"""explore.ipynb run in a real JupyterLab (headless Chromium over the DevTools protocol).

What papermill cannot show: the menus are Chinese, the linked chart is drawn live by the
offline Vega bundle (no request leaves 127.0.0.1), and clicking a year bar changes the agency
ranking, clicking an agency draws its years, and the table below follows the clicks.
Skipped when Chromium is not installed.
"""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from workbench.digest.lab import free_port, running_lab
from workbench.digest.runner import NOTEBOOKS

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
LABELS = ("Array.from(document.querySelectorAll('.vega-embed g.role-axis-label text'))"
          ".map(e => e.textContent)")


class Page:
    def __init__(self, url: str) -> None:
        import websocket  # websocket-client: a jupyter_server dependency

        self.ws = websocket.create_connection(url, timeout=120, suppress_origin=True)
        self.last = 0
        self.requests: list[str] = []

    def call(self, method: str, params: dict | None = None) -> dict:
        self.last += 1
        self.ws.send(json.dumps({"id": self.last, "method": method, "params": params or {}}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("method") == "Network.requestWillBeSent":
                self.requests.append(message["params"]["request"]["url"])
            if message.get("id") == self.last:
                return message

    def js(self, expression: str) -> Any:
        answer = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                                "awaitPromise": True})
        if "exceptionDetails" in answer.get("result", {}):
            raise AssertionError(f"{expression}: {answer['result']['exceptionDetails']}")
        return answer.get("result", {}).get("result", {}).get("value")

    def until(self, expression: str, seconds: float) -> Any:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            value = self.js(expression)
            if value:
                return value
            time.sleep(1)
        raise AssertionError(f"timed out waiting for {expression}")

    def click(self, element: str) -> None:
        box = self.js(f"(() => {{ const e = {element}; if (!e) return null; const r = e.getBoundingClientRect();"
                      " return [r.x + r.width / 2, r.y + r.height / 2]; })()")
        assert box, f"nothing to click: {element}"
        for kind in ("mousePressed", "mouseReleased"):
            self.call("Input.dispatchMouseEvent", {"type": kind, "x": box[0], "y": box[1], "button": "left",
                                                   "clickCount": 1})
        time.sleep(2)


def _bar(text: str) -> str:
    return ("Array.from(document.querySelectorAll('.vega-embed g.mark-rect path'))"
            f".find(p => (p.getAttribute('aria-label') || '').includes('{text}'))")


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="no Chromium")
def test_explore_in_jupyterlab_is_chinese_live_and_linked(small_db: Path, tmp_path: Path) -> None:
    folder = tmp_path / "notebooks"
    folder.mkdir()
    shutil.copy(NOTEBOOKS / "explore.ipynb", folder)
    debug = free_port()
    with running_lab(small_db, folder, extra=["--LabApp.expose_app_in_browser=True"]) as server:
        assert server.wait_ready()
        chrome = subprocess.Popen([CHROMIUM, "--headless=new", "--no-sandbox", "--disable-gpu",
                                   f"--remote-debugging-port={debug}", "--remote-allow-origins=*",
                                   f"--user-data-dir={tmp_path / 'chrome'}", "--window-size=1400,2400",
                                   "about:blank"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            target = None
            for _ in range(60):
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{debug}/json", timeout=2) as answer:
                        target = next(t for t in json.load(answer) if t["type"] == "page")
                    break
                except (OSError, StopIteration):
                    time.sleep(0.5)
            assert target, "Chromium did not start"
            page = Page(target["webSocketDebuggerUrl"])
            page.call("Network.enable")
            page.call("Page.navigate", {"url": f"http://127.0.0.1:{server.port}/lab/tree/explore.ipynb"
                                               f"?token={server.token}"})
            page.until("!!(window.jupyterapp && document.querySelector('.jp-Notebook'))", 90)
            assert page.js("document.querySelector('.lm-MenuBar-itemLabel').textContent") == "文件"
            time.sleep(5)  # the kernel starts
            page.until("window.jupyterapp.commands.execute('notebook:run-all-cells').then(() => true)", 30)
            page.until("document.querySelectorAll('.vega-embed svg').length > 0 && "
                       "!Array.from(document.querySelectorAll('.jp-InputPrompt')).some(e => e.textContent.includes('*'))",
                       150)
            time.sleep(3)
            assert not page.js("document.querySelectorAll('.jp-OutputArea-output[data-mime-type*=\"stderr\"]').length")
            assert page.js("document.querySelectorAll('.jupyter-widgets input').length") >= 1  # the picker
            before = page.js(LABELS)
            assert "2024" in before and "平潭综合实验区" in before  # default: 2024, every agency in it
            page.click(_bar("2022"))
            after_year = page.js(LABELS)
            assert after_year != before and "淮安市人民政府" not in after_year  # 2022 has no 淮安 report
            page.click(_bar("平潭综合实验区"))
            after_agency = page.js(LABELS)
            assert "2019" in after_agency[after_agency.index("平潭综合实验区"):]  # its years are drawn
            # The clicks reach the kernel: the section 三 table below follows them, as does the picker.
            page.until("document.body.innerText.includes('平潭综合实验区 2022 年报告的表三')", 30)
            assert "平潭综合实验区" in page.js("Array.from(document.querySelectorAll('.jupyter-widgets input'))"
                                          ".map(e => e.value)")
            shot = page.call("Page.captureScreenshot", {"format": "png"})
            (tmp_path / "explore.png").write_bytes(base64.b64decode(shot["result"]["data"]))
            outside = [u for u in page.requests
                       if not u.startswith((f"http://127.0.0.1:{server.port}/", "data:", "blob:", "about:"))]
            assert not outside, outside  # offline: nothing but the local server
        finally:
            chrome.terminate()
            chrome.wait(20)
