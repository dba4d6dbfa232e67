"""A write that runs out of room (full disk, quota, file-size limit) is one line, and the database
is exactly as it was (issue 12, item 9). The limit is RLIMIT_FSIZE in the child: its writes past
the limit fail with EFBIG, as they fail with ENOSPC on a full disk."""

from __future__ import annotations

import resource
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from workbench.store import ingest

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT / "data" / "real"
TXT = sorted(str(p) for p in REAL.glob("*.txt"))


def _limited(limit_bytes: int):
    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails instead of killing
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit_bytes, limit_bytes))
    return apply


def _workbench(*args: str | Path, limit_bytes: int) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "workbench.cli", *map(str, args)], capture_output=True, text=True,
                          encoding="utf-8", timeout=300, preexec_fn=_limited(limit_bytes))


@pytest.mark.parametrize("command", ["ingest", "narrative"])
def test_no_room_to_write_is_one_line_and_changes_nothing(tmp_path: Path, command: str) -> None:
    db = tmp_path / "wb.duckdb"
    ingest(TXT[:3], db, workers=1, registry=ROOT / "data" / "agencies.csv")
    before = db.read_bytes()
    args = (["ingest", *TXT[3:], "--workers", "1", "--no-narrative"] if command == "ingest"
            else ["narrative", "--refresh"])
    result = _workbench(*args, "--db", db, limit_bytes=len(before) + (256 << 10))
    assert result.returncode == 1, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "空间不足" in lines[0] and "未被修改" in lines[0], result.stderr
    assert "Traceback" not in result.stderr
    assert db.read_bytes() == before
    assert not list(tmp_path.glob(".wb.duckdb.ingest-*"))  # no copy left behind
