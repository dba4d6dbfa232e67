"""A SIGKILL of the ingest while its parse workers start or run leaves no process behind.

Each worker is tagged by an environment variable the test sets on the ingest; after the
kill, every process carrying the tag must be gone within a few seconds.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from conftest import REAL

pytestmark = pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc")


def tagged(tag: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if f"WORKBENCH_TEST_TAG={tag}".encode() in (entry / "environ").read_bytes():
                found.append(int(entry.name))
        except OSError:
            continue
    return found


@pytest.mark.parametrize("after", [0.3, 1.5, 4.0])  # while workers start, import, and parse
def test_killed_ingest_leaves_no_worker(tmp_path: Path, after: float) -> None:
    tag = uuid.uuid4().hex
    env = {**os.environ, "WORKBENCH_TEST_TAG": tag}
    files = [str(p) for p in sorted(REAL.iterdir()) if p.suffix in (".pdf", ".html", ".txt")]
    ingest = subprocess.Popen([sys.executable, "-m", "workbench.cli", "ingest", *files, "--db",
                               str(tmp_path / "wb.duckdb"), "--workers", "2", "--no-narrative"],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(after)
    os.kill(ingest.pid, signal.SIGKILL)
    ingest.wait()
    deadline = time.monotonic() + 10
    while tagged(tag) and time.monotonic() < deadline:
        time.sleep(0.2)
    left = tagged(tag)
    for pid in left:  # do not leave them to the next test either
        os.kill(pid, signal.SIGKILL)
    assert left == []
