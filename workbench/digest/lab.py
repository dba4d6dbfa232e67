"""``workbench lab``: JupyterLab on notebooks/ with the store's path in WORKBENCH_DB.

The notebooks' parameter cells read ``os.environ["WORKBENCH_DB"]``, so every notebook opened
from this Lab finds the database without editing a path. JupyterLab is started with this
interpreter (``python -m jupyterlab``), so its "Python 3" kernel is the project's virtualenv.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from workbench.digest.runner import NOTEBOOKS
from workbench.digest.sections import DigestError
from workbench.i18n import t
from workbench.store import DEFAULT_DB

ENV_DB = "WORKBENCH_DB"


def lab_command(notebooks: Path = NOTEBOOKS, *, port: int | None = None, no_browser: bool = False,
                extra: Sequence[str] = ()) -> list[str]:
    """The argv that starts JupyterLab on ``notebooks``; ``extra`` is passed on (e.g. --allow-root)."""
    argv = [sys.executable, "-m", "jupyterlab", f"--notebook-dir={Path(notebooks).resolve()}"]
    if port:
        argv.append(f"--port={port}")
    if no_browser:
        argv.append("--no-browser")
    return argv + list(extra)


def lab_environment(db: Path) -> dict[str, str]:
    env = dict(os.environ)
    env[ENV_DB] = str(Path(db).resolve())
    return env


def launch_lab(db: Path = DEFAULT_DB, notebooks: Path = NOTEBOOKS, *, port: int | None = None,
               no_browser: bool = False, extra: Sequence[str] = ()) -> int:
    """Run JupyterLab until it is stopped; returns its exit code.

    DigestError when the database or the notebooks folder does not exist (JupyterLab would
    start, and every notebook would fail on its first cell).
    """
    db = Path(db)
    if not db.exists():
        raise DigestError(t("error.no_database", path=db))
    if not Path(notebooks).is_dir():
        raise DigestError(t("error.no_notebooks", path=notebooks))
    argv = lab_command(notebooks, port=port, no_browser=no_browser, extra=extra)
    return subprocess.call(argv, env=lab_environment(db))
