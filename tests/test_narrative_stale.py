"""Issue 12 item 5: a writer killed between the ingest's swap and the end of the narrative
refresh must not leave the store without its section 五 tables for good.

The ingest publishes meta ``narrative_stale`` with the new cells; the refresh deletes it in the
snapshot that publishes its tables. The next ``workbench ingest`` — even with nothing new to
load — sees the flag and finishes the refresh. The kills are exact: env WORKBENCH_KILL_AT names
the stage where the process SIGKILLs itself (``workbench.store.connect.kill_point``).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import duckdb
import pytest

from workbench.narrative.store import (
    RESULT_TABLES,
    ingest_and_compare,
    refresh_db,
    refresh_if_stale,
)
from workbench.store import ingest
from workbench.store.connect import KILL_AT_ENV, NARRATIVE_STALE, narrative_stale

sys.path.insert(0, str(Path(__file__).parent))
from test_store import REAL, REGISTRY  # noqa: E402

TXT = sorted(str(p) for p in REAL.glob("*.txt"))


def _workbench(*args: str | Path, kill_at: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != KILL_AT_ENV}
    if kill_at:
        env[KILL_AT_ENV] = kill_at
    return subprocess.run([sys.executable, "-m", "workbench.cli", *map(str, args)], capture_output=True,
                          text=True, encoding="utf-8", timeout=300, env=env)


def _ingest(db: Path, *paths: str | Path, kill_at: str | None = None) -> subprocess.CompletedProcess[str]:
    return _workbench("ingest", *paths, "--db", db, "--workers", "1", "--registry", REGISTRY, kill_at=kill_at)


def _tables(db: Path) -> set[str]:
    with duckdb.connect(str(db), read_only=True) as con:
        return {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}


def _narrative_rows(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return {table: sorted((tuple(tuple(v) if isinstance(v, list) else v for v in row)
                               for row in con.execute(f"SELECT * FROM {table}").fetchall()), key=repr)
                for table in RESULT_TABLES}


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[tuple[Any, ...]]]:
    """The narrative tables of an ingest of data/real that nobody killed."""
    db = tmp_path_factory.mktemp("clean") / "store.duckdb"
    result = ingest_and_compare([REAL], db, workers=1, registry=REGISTRY, progress=False)
    assert result.narrative == "refreshed" and not narrative_stale(db)
    rows = _narrative_rows(db)
    assert rows["narrative_tags"] and rows["narrative_matches"] and rows["section_similarity"]
    return rows


@pytest.mark.parametrize("stage", ["narrative", "ingest-swapped"])
def test_a_kill_before_the_refresh_publishes_is_finished_by_the_next_ingest(
        stage: str, clean: dict[str, list[tuple[Any, ...]]], tmp_path: Path) -> None:
    db = tmp_path / "store.duckdb"
    killed = _ingest(db, REAL, kill_at=stage)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    # the reproduction: the cells are published, the narrative tables are not
    assert "reports" in _tables(db)
    assert not set(RESULT_TABLES) & _tables(db)
    assert narrative_stale(db)
    if stage == "narrative":  # killed inside the refresh's snapshot: its copy is left behind
        assert list(tmp_path.glob(".store.duckdb.ingest-*"))

    reader = _workbench("narrative", "--db", db)
    assert reader.returncode == 0, reader.stderr
    assert "叙述比较尚未更新完成" in reader.stderr

    again = _ingest(db, REAL)  # nothing new to load: before the fix, "database not changed"
    assert again.returncode == 0, again.stderr
    assert "载入 0 份" in again.stdout and "数据库未改变" not in again.stdout
    assert "叙述比较已补做完成" in again.stdout
    assert not narrative_stale(db)
    assert not list(tmp_path.glob(".store.duckdb.ingest-*"))
    assert _narrative_rows(db) == clean

    settled = _ingest(db, REAL)  # caught up: the next run has nothing to do again
    assert settled.returncode == 0, settled.stderr
    assert "数据库未改变" in settled.stdout and "叙述" not in settled.stdout
    reader = _workbench("narrative", "--db", db)
    assert reader.returncode == 0 and "叙述比较尚未更新完成" not in reader.stderr


def test_a_killed_refresh_is_finished_by_an_ingest_that_loads_more(tmp_path: Path) -> None:
    """The next run has new files: one refresh covers both; the tables are those of two clean runs."""
    clean = tmp_path / "clean.duckdb"
    ingest_and_compare(TXT, clean, workers=1, registry=REGISTRY, progress=False)
    ingest_and_compare([REAL], clean, workers=1, registry=REGISTRY, progress=False)

    db = tmp_path / "store.duckdb"
    assert _ingest(db, *TXT, kill_at="narrative").returncode == -signal.SIGKILL
    assert narrative_stale(db)
    result = ingest_and_compare([REAL], db, workers=1, registry=REGISTRY, progress=False)
    assert result.swapped and result.loaded and result.narrative == "refreshed"
    assert not narrative_stale(db)
    assert _narrative_rows(db) == _narrative_rows(clean)


def test_without_the_narrative_the_store_says_it_is_behind(tmp_path: Path) -> None:
    db = tmp_path / "store.duckdb"
    result = ingest_and_compare(TXT, db, narrative=False, workers=1, registry=REGISTRY, progress=False)
    assert result.narrative == "stale" and narrative_stale(db)
    assert "叙述比较尚未更新完成" in result.summary() and "workbench narrative --refresh" in result.summary()

    refresh_db(db)  # `workbench narrative --refresh` catches up and clears the flag
    assert not narrative_stale(db)
    before = db.stat()
    assert refresh_if_stale(db) is None  # up to date: the database is not copied or replaced
    after = db.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_the_narrative_refresh_command_clears_a_killed_runs_flag(tmp_path: Path) -> None:
    db = tmp_path / "store.duckdb"
    assert _ingest(db, *TXT, kill_at="narrative").returncode == -signal.SIGKILL
    refreshed = _workbench("narrative", "--db", db, "--refresh")
    assert refreshed.returncode == 0, refreshed.stderr
    assert "已重新标注" in refreshed.stderr and "叙述比较尚未更新完成" not in refreshed.stderr
    assert not narrative_stale(db) and set(RESULT_TABLES) <= _tables(db)


def test_a_store_killed_before_the_flag_existed_is_repaired_too(tmp_path: Path) -> None:
    """The store of the issue: cells published, no narrative tables, no flag (made before it)."""
    db = tmp_path / "store.duckdb"
    ingest(TXT, db, workers=1, registry=REGISTRY, progress=False)
    with duckdb.connect(str(db)) as con:
        con.execute("DELETE FROM meta WHERE key = ?", [NARRATIVE_STALE])
    assert narrative_stale(db)
    result = ingest_and_compare(TXT, db, workers=1, registry=REGISTRY, progress=False)
    assert not result.swapped and result.narrative == "resumed"
    assert not narrative_stale(db) and set(RESULT_TABLES) <= _tables(db)
