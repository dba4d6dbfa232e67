"""Ingest against other processes: a reader holding the database, SIGKILL midway, a second writer.

The mechanism (snapshot swap) is described in workbench/store/connect.py and docs/store.md.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from workbench.store import StoreBusyError, ingest
from workbench.store.connect import write, writer_lock

sys.path.insert(0, str(Path(__file__).parent))
from test_store import REAL, REGISTRY, one_current_per_agency_year, table_digest  # noqa: E402

PYTHON = sys.executable

READER = r"""
import json, os, sys, time
from workbench.store import connect, reconnect

db, flag, out = sys.argv[1:]
con = connect(db)
seen, reconnected, after = [], False, 0
started = time.time()
while time.time() - started < 120:
    reports = con.execute("SELECT count(*) FROM current_reports").fetchone()[0]
    con.execute("SELECT count(*) FROM requests_wide").fetchone()  # views keep working too
    seen.append([reconnected, reports])
    if len(seen) == 1:
        open(out + ".ready", "w").close()
    if reconnected:
        after += 1
        if after >= 5:
            break
    elif os.path.exists(flag):
        con = reconnect(con, db)
        reconnected = True
    time.sleep(0.01)
with open(out, "w") as handle:
    json.dump(seen, handle)
"""


@pytest.fixture(scope="module")
def big_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Generated reports (txt + html) for 30 agencies × 2019–2024: several seconds of ingest."""
    from workbench.synth import generate

    root = tmp_path_factory.mktemp("big")
    generate(root, agencies=30, years=range(2019, 2025), seed=11, formats=["txt", "html"])
    return root


def _wait_for(predicate, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return False


def _report_keys(db: Path) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("SELECT agency_id, year, revision, is_current, content_hash FROM reports"
                           " ORDER BY ALL").fetchall()


def test_sigkill_midway_leaves_the_database_untouched_and_rerun_completes(big_corpus: Path, tmp_path: Path) -> None:
    db = tmp_path / "wb.duckdb"
    ingest([REAL], db, registry=REGISTRY, workers=1)
    baseline = table_digest(db)
    code = (f"from workbench.store import ingest; ingest([{str(big_corpus)!r}, {str(REAL)!r}], {str(db)!r},"
            f" registry={str(REGISTRY)!r}, workers=2, batch_size=20)")
    proc = subprocess.Popen([PYTHON, "-c", code], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    temps = lambda: list(tmp_path.glob(".wb.duckdb.ingest-*.tmp"))  # noqa: E731
    assert _wait_for(lambda: temps() or proc.poll() is not None, 30)
    time.sleep(1.0)  # well into the run: several batches written to the copy
    assert proc.poll() is None, "ingest finished before it could be killed: make the corpus bigger"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(10)
    assert proc.returncode == -signal.SIGKILL

    assert table_digest(db) == baseline  # the killed run changed nothing
    with writer_lock(db, timeout=15):  # workers died with it: the lock is free
        pass
    result = ingest([big_corpus, REAL], db, registry=REGISTRY, workers=2)
    assert result.failed == 0 and result.loaded > 100
    assert not temps()  # the killed run's copy was cleaned up
    one_current_per_agency_year(db)

    clean = tmp_path / "clean.duckdb"
    ingest([REAL], clean, registry=REGISTRY, workers=1)
    ingest([big_corpus, REAL], clean, registry=REGISTRY, workers=2)
    assert _report_keys(db) == _report_keys(clean)  # every report exactly once, as if never killed


def test_reader_keeps_working_while_ingest_swaps_the_database(big_corpus: Path, tmp_path: Path) -> None:
    db = tmp_path / "wb.duckdb"
    ingest([REAL], db, registry=REGISTRY, workers=1)
    with duckdb.connect(str(db), read_only=True) as con:
        before = con.execute("SELECT count(*) FROM current_reports").fetchone()[0]
    script = tmp_path / "reader.py"
    script.write_text(READER, "utf-8")
    flag, out = tmp_path / "reconnect.flag", tmp_path / "seen.json"
    reader = subprocess.Popen([PYTHON, str(script), str(db), str(flag), str(out)], stderr=subprocess.PIPE)
    try:
        assert _wait_for(lambda: Path(str(out) + ".ready").exists() or reader.poll() is not None, 60)
        assert reader.poll() is None, reader.stderr.read().decode()
        result = ingest([big_corpus], db, registry=REGISTRY, workers=2)  # must not fail with the reader open
        assert result.swapped and result.failed == 0
        flag.touch()
        reader.wait(60)
    finally:
        if reader.poll() is None:
            reader.kill()
    assert reader.returncode == 0, reader.stderr.read().decode()
    with duckdb.connect(str(db), read_only=True) as con:
        after = con.execute("SELECT count(*) FROM current_reports").fetchone()[0]
    assert after > before
    seen = json.loads(out.read_text())
    old = [n for reconnected, n in seen if not reconnected]
    new = [n for reconnected, n in seen if reconnected]
    assert len(old) >= 10  # it was reading all through the ingest
    assert set(old) == {before}  # a snapshot: never a half-loaded state
    assert new and set(new) == {after}


def test_a_second_ingest_waits_or_fails_clearly(tmp_path: Path) -> None:
    db = tmp_path / "wb.duckdb"
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copyfile(REAL / "2021_pingtan_text.txt", folder / "a.txt")
    holder = subprocess.Popen([PYTHON, "-c", (
        "import sys, time; from pathlib import Path; from workbench.store.connect import writer_lock\n"
        f"with writer_lock(Path({str(db)!r})):\n    print('locked', flush=True); time.sleep(2)")],
        stdout=subprocess.PIPE)
    assert holder.stdout.readline().strip() == b"locked"
    with pytest.raises(StoreBusyError, match="另一个 ingest 正在写入"):
        ingest([folder], db, registry=None, workers=1)
    result = ingest([folder], db, registry=None, workers=1, wait=30)  # waits for the holder, then loads
    assert result.loaded == 1
    holder.wait(10)


def test_a_killed_writers_spill_folder_does_not_stop_the_next_writer(tmp_path: Path) -> None:
    """A writer over its DuckDB memory limit spills into a folder beside its temp copy
    (….tmp.tmp/); killed, it leaves both behind. Seen after killing a 100k narrative refresh:
    the next writer then failed with IsADirectoryError."""
    db = tmp_path / "wb.duckdb"
    ingest([REAL], db, registry=REGISTRY, workers=1)
    copy = tmp_path / ".wb.duckdb.ingest-99999.tmp"
    copy.write_bytes(b"half a database")
    spill = tmp_path / ".wb.duckdb.ingest-99999.tmp.tmp"
    spill.mkdir()
    (spill / "duckdb_temp_storage_DEFAULT-0.tmp").write_bytes(b"spilled blocks")
    with write(db):
        pass
    assert not copy.exists() and not spill.exists()
