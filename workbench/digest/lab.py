"""``workbench lab``: JupyterLab on notebooks/, in Chinese, offline, with the store in WORKBENCH_DB.

The notebooks' parameter cells read ``os.environ["WORKBENCH_DB"]``, so every notebook opened
from this Lab finds the database without editing a path. JupyterLab is started with this
interpreter (``python -m jupyterlab``), so its "Python 3" kernel is the project's virtualenv.

What lab.yaml sets: the zh-CN locale and no news pop-up, as settings overrides in a settings
folder of our own (``--LabApp.app_settings_dir``, never the user's home), and no news feed or
update check on the server, so nothing reaches for the network. We choose the port and the
token ourselves, so the URL we print is the one that works. The server runs in its own session:
Ctrl-C reaches only this process, which then stops the server (SIGTERM: Jupyter shuts its
kernels down) and returns 0 — no "Shutdown this Jupyter server (y/[n])?" prompt, no orphan.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from workbench.digest.runner import NOTEBOOKS
from workbench.digest.sections import DigestError
from workbench.i18n import t
from workbench.store import DEFAULT_DB

ENV_DB = "WORKBENCH_DB"
ENV_TOKEN = "JUPYTER_TOKEN"  # read by jupyter_server; kept out of argv (visible in `ps`)
HOST = "127.0.0.1"
START_SECONDS = 90  # two shared cores: a cold JupyterLab start takes 5–20 s
STOP_SECONDS = 20


@cache
def lab_config() -> dict[str, Any]:
    return yaml.safe_load((Path(__file__).with_name("lab.yaml")).read_text("utf-8"))


def write_settings(folder: Path) -> Path:
    """Write overrides.json (locale, notifications) into ``folder``; returns the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "overrides.json").write_text(
        json.dumps(lab_config()["overrides"], ensure_ascii=False, indent=2), "utf-8")
    return folder


def free_port(host: str = HOST) -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def lab_command(notebooks: Path = NOTEBOOKS, *, port: int | None = None, no_browser: bool = False,
                settings_dir: Path | None = None, extra: Sequence[str] = ()) -> list[str]:
    """The argv that starts JupyterLab on ``notebooks``; ``extra`` is passed on (e.g. --allow-root)."""
    argv = [sys.executable, "-m", "jupyterlab", f"--notebook-dir={Path(notebooks).resolve()}",
            *lab_config()["server_args"]]
    if settings_dir:
        argv.append(f"--LabApp.app_settings_dir={Path(settings_dir).resolve()}")
    if port:
        argv.append(f"--port={port}")
    if no_browser:
        argv.append("--no-browser")
    return argv + list(extra)


def lab_environment(db: Path, token: str | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env[ENV_DB] = str(Path(db).resolve())
    if token:
        env[ENV_TOKEN] = token
    return env


@dataclass
class LabServer:
    """A running JupyterLab: its process, port and token."""

    process: subprocess.Popen
    port: int
    token: str

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}/lab?token={self.token}"

    def api(self, path: str, timeout: float = 10) -> Any:
        """GET a server path with the token; the JSON answer."""
        request = urllib.request.Request(f"http://{HOST}:{self.port}{path}",
                                         headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            body = answer.read().decode("utf-8")
        return json.loads(body) if body.lstrip().startswith(("{", "[")) else body

    def wait_ready(self, seconds: float = START_SECONDS) -> bool:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            try:
                self.api("/api/status", timeout=2)
                return True
            except (urllib.error.URLError, OSError, ValueError):
                time.sleep(0.3)
        return False

    def stop(self, seconds: float = STOP_SECONDS) -> int | None:
        """SIGTERM (a clean Jupyter shutdown), then SIGKILL after ``seconds``; the exit code."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(seconds)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode


@contextmanager
def running_lab(db: Path = DEFAULT_DB, notebooks: Path = NOTEBOOKS, *, port: int | None = None,
                no_browser: bool = True, extra: Sequence[str] = ()) -> Iterator[LabServer]:
    """Start JupyterLab, yield it (not yet known to be ready: see wait_ready), stop it on exit."""
    db = Path(db)
    if not db.exists():
        raise DigestError(t("error.no_database", path=db))
    if not Path(notebooks).is_dir():
        raise DigestError(t("error.no_notebooks", path=notebooks))
    extra = list(extra)
    if hasattr(os, "geteuid") and os.geteuid() == 0 and "--allow-root" not in extra:
        extra.append("--allow-root")  # Jupyter refuses root without it (containers, CI)
    settings = Path(tempfile.mkdtemp(prefix="workbench-lab-"))
    token = secrets.token_hex(24)
    port = port or free_port()
    argv = lab_command(notebooks, port=port, no_browser=no_browser, settings_dir=write_settings(settings),
                       extra=[f"--ServerApp.ip={HOST}", *extra])
    # Own session: the terminal's Ctrl-C goes to us, not to the server (which would prompt).
    process = subprocess.Popen(argv, env=lab_environment(db, token), start_new_session=True)
    server = LabServer(process, port, token)
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(settings, ignore_errors=True)


def _interrupt(_signum: int, _frame: Any) -> None:
    raise KeyboardInterrupt


def launch_lab(db: Path = DEFAULT_DB, notebooks: Path = NOTEBOOKS, *, port: int | None = None,
               no_browser: bool = False, extra: Sequence[str] = (),
               say: Callable[[str], None] = print) -> int:
    """Run JupyterLab until it is stopped (Ctrl-C or SIGTERM: exit code 0); else its exit code.

    DigestError when the database or the notebooks folder does not exist (JupyterLab would
    start, and every notebook would fail on its first cell).
    """
    text = lab_config()["messages"]
    # Ctrl-C and SIGTERM both stop the server. SIGINT is set explicitly because a process
    # started in the background of a script inherits it ignored. Only the main thread may.
    previous: dict[int, Any] = {}
    for name in ("SIGINT", "SIGTERM"):
        number = getattr(signal, name, None)
        if number is not None:
            with suppress(ValueError):
                previous[number] = signal.signal(number, _interrupt)
    try:
        with running_lab(db, notebooks, port=port, no_browser=no_browser, extra=extra) as server:
            try:
                say(text["starting"].format(db=Path(db).resolve()))
                if not server.wait_ready():
                    exited = server.process.poll() is not None
                    code = server.stop()
                    say(text["failed"].format(code=code) if exited
                        else text["timeout"].format(seconds=START_SECONDS))
                    return code or 1
                say(text["ready"].format(url=server.url))
                return server.process.wait()
            except KeyboardInterrupt:
                say(text["stopping"])
                server.stop()
                say(text["stopped"])
                return 0
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
