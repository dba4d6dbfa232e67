"""Opening the store: read-only connections for readers, the lock and snapshot swap for the writer.

Concurrency model (snapshot swap; see docs/store.md):

* **Readers** (notebooks, ``run_query``, ``export``, ``check``) open the database with
  ``connect(db)``, i.e. ``read_only=True``. They never block a writer and never see a
  half-written state.
* **The writer** (``ingest``) takes an exclusive lock on ``<db>.lock`` (POSIX
  ``lockf``, released by the kernel if the process dies, even by SIGKILL), copies the
  database to ``.<name>.ingest-<pid>.tmp`` in the same folder, writes only to that
  copy, checkpoints and fsyncs it, and ``os.replace()``s it over the database.
  ``os.replace`` is atomic: a reader that opens the path gets either the old or the
  new file, never a mix.
* A reader that is already open keeps reading the **old** file (its inode lives on
  until it closes), so its queries keep working; it sees new data after it
  reconnects. DuckDB caches one database instance per path *per process*, so close
  the old connection before opening a new one (``reconnect`` does both).
* A SIGKILL during ingest leaves the database untouched (only the temp file is
  lost, and the next ingest deletes it); ingest is idempotent, so rerun it.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import re
import shutil
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb

from workbench.i18n import os_reason, t
from workbench.templates import layouts

DEFAULT_DB = Path("data/workbench.duckdb")
SCHEMA_FILE = Path(__file__).with_name("schema.sql")
DERIVED_FILE = Path(__file__).with_name("request_outcomes.sql")  # see update_derived


class StoreError(Exception):
    """A plain-language problem with the store (missing database, busy writer, bad query)."""


class StoreBusyError(StoreError):
    """Another ingest holds the writer lock."""


# meta key set by the writer that publishes new cells (ingest), deleted by the narrative refresh
# in the snapshot that publishes its tables: while it is there, the section 五 comparison does
# not describe the cells (its refresh was killed, or not run yet) and the next ingest finishes it.
NARRATIVE_STALE = "narrative_stale"
# Test hook: a process with this variable set to a stage name SIGKILLs itself there (see kill_point).
KILL_AT_ENV = "WORKBENCH_KILL_AT"

WRITER_MEMORY = "512MB"  # DuckDB's memory limit for a writer's connection
DUCKDB_MAGIC = (8, b"DUCK")  # every DuckDB database file has these bytes at this offset

# What goes wrong with the database file itself is worded in the catalogue (workbench/i18n):
# error.not_duckdb, error.locked, error.unwritable, error.no_space.


def connect(db: str | Path = DEFAULT_DB) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the current snapshot of the database."""
    path = Path(db)
    if not path.exists():
        raise StoreError(t("error.no_database", path=path))
    check_header(path)
    try:
        return duckdb.connect(str(path), read_only=True)
    except duckdb.Error as exc:
        raise StoreError(_open_error(path, exc)) from None


def narrative_stale(db: str | Path) -> bool:
    """Whether ``db`` holds cells the section 五 comparison has not caught up with (see NARRATIVE_STALE)."""
    path = Path(db)
    if not path.exists():
        return False
    with contextlib.closing(connect(path)) as con:
        return marked_stale(con)


def marked_stale(con: duckdb.DuckDBPyConnection) -> bool:
    """:func:`narrative_stale` on an open connection. A store with reports and no narrative tables
    counts too: one whose refresh was killed before writers set the flag (or never run)."""
    names = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    if not {"meta", "reports"} <= names:
        return False
    flagged = con.execute("SELECT count(*) FROM meta WHERE key = ?", [NARRATIVE_STALE]).fetchone()
    if flagged and flagged[0]:
        return True
    if "narrative_tags" in names:
        return False
    reports = con.execute("SELECT count(*) FROM reports").fetchone()
    return bool(reports and reports[0])


def kill_point(stage: str) -> None:
    """Test hook only: SIGKILL this process at ``stage`` when env WORKBENCH_KILL_AT names it, so a
    test can stop a writer at an exact point (tests/test_narrative_stale.py). Does nothing otherwise."""
    if os.environ.get(KILL_AT_ENV) == stage:
        os.kill(os.getpid(), signal.SIGKILL)


def check_header(path: Path) -> None:
    """Refuse a file that is not a DuckDB database (an empty file, a spreadsheet …) before DuckDB opens it."""
    offset, magic = DUCKDB_MAGIC
    try:
        with open(path, "rb") as handle:
            head = handle.read(offset + len(magic))
    except IsADirectoryError:
        raise StoreError(t("error.not_duckdb", path=path, detail=t("error.detail_folder"))) from None
    except OSError as exc:
        raise StoreError(t("error.not_duckdb", path=path, detail=os_reason(exc))) from None
    if head[offset:] != magic:
        detail = t("error.detail_empty") if not head else t("error.detail_no_magic")
        raise StoreError(t("error.not_duckdb", path=path, detail=detail))


def check_database(path: Path) -> None:
    """Open and close ``path`` read-only: a writer must not copy a file DuckDB cannot read."""
    if not path.exists():
        return
    connect(path).close()


def _open_error(path: Path, exc: duckdb.Error) -> str:
    detail = " ".join(str(exc).split())
    key = "locked" if "lock" in detail.lower() else "not_duckdb"
    return t(f"error.{key}", path=path, detail=detail)


_NO_SPACE_ERRNOS = {errno.ENOSPC, errno.EFBIG, errno.EDQUOT}
_NO_SPACE_WORDS = ("no space left", "file too large", "disk quota", "could not write")


def _out_of_space(exc: BaseException) -> bool:
    """A write that failed for want of room (full disk, quota, file size limit), not a bug."""
    if isinstance(exc, OSError) and exc.errno in _NO_SPACE_ERRNOS:
        return True
    return any(word in str(exc).lower() for word in _NO_SPACE_WORDS)


def _unwritable(folder: Path, exc: OSError | duckdb.Error) -> StoreError:
    detail = os_reason(exc) if isinstance(exc, OSError) and exc.strerror else " ".join(str(exc).split())
    return StoreError(t("error.unwritable", folder=folder, detail=detail))


def reconnect(con: duckdb.DuckDBPyConnection | None, db: str | Path = DEFAULT_DB) -> duckdb.DuckDBPyConnection:
    """Close ``con`` and open the newest snapshot (what a notebook does after an ingest)."""
    if con is not None:
        con.close()
    return connect(db)


def apply_schema(con: duckdb.DuckDBPyConnection) -> None:
    _drop_replaced_views(con)
    con.execute(SCHEMA_FILE.read_text("utf-8"))
    for table, rows in reference_labels().items():
        con.executemany(f"INSERT INTO {table} VALUES (?, ?, ?)", rows)


def update_derived(con: duckdb.DuckDBPyConnection) -> None:
    """Bring the tables derived from the loaded cells (request_outcomes) up to date: every
    writer does so before it publishes, so no reader sees them lag behind the cells."""
    con.execute(DERIVED_FILE.read_text("utf-8"))


# Views that became tables: a store made before keeps the view until a writer opens it.
_VIEWS_NOW_TABLES = ("request_outcomes",)


def _drop_replaced_views(con: duckdb.DuckDBPyConnection) -> None:
    for (name,) in con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_type = 'VIEW' AND list_contains(?, table_name)",
        [list(_VIEWS_NOW_TABLES)],
    ).fetchall():
        con.execute(f"DROP VIEW {name}")


def reference_labels() -> dict[str, list[tuple[int, str, str]]]:
    """The templates' row, column and proceeding labels, numbered in print order.

    A numbered sub-row (2.重复申请) is shown with its group's label (（五）不予处理) in front,
    as a reader of an export needs it without the table beside it.
    """
    layout = layouts()
    rows, group = [], ""
    for ordinal, row in enumerate(layout.request_rows, start=1):
        label = row.label
        if label.startswith("（"):
            group = label.split(" ")[0]
        elif label[:1].isdigit():
            label = f"{group} {label}"
        rows.append((ordinal, row.key, label))
    return {
        "ref_request_rows": rows,
        "ref_applicants": [(i, c.key, c.label) for i, c in enumerate(layout.request_columns, start=1)],
        "ref_review_cells": [(i, p.key, p.label) for i, p in enumerate(layout.proceedings, start=1)],
    }


def lock_path(db: Path) -> Path:
    return db.with_name(db.name + ".lock")


@contextlib.contextmanager
def writer_lock(db: Path, timeout: float = 0.0) -> Iterator[None]:
    """Hold the exclusive writer lock for ``db``; wait up to ``timeout`` seconds for it.

    ``lockf`` (a POSIX record lock) is not inherited by child processes, so parse
    workers never keep it alive after the ingest process dies.
    """
    try:
        db.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(lock_path(db), os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise _unwritable(db.parent, exc) from None
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EACCES, errno.EAGAIN):
                    raise
                if time.monotonic() >= deadline:
                    holder = _read_holder(fd)
                    raise StoreBusyError(t("error.ingest_busy", db=db, holder=holder)) from None
                time.sleep(0.2)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()} since {time.strftime('%Y-%m-%d %H:%M:%S')}\n".encode(), 0)
        check_database(db)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _read_holder(fd: int) -> str:
    try:
        text = os.pread(fd, 200, 0).decode("utf-8", "replace").strip()
    except OSError:
        return ""
    return t("error.holder", holder=holder_words(text)) if text else ""


def holder_words(text: str) -> str:
    """A lock file's "pid N since T" (what a writer records) in the user's language."""
    found = re.fullmatch(r"pid (\d+) since (.+)", text)
    return t("error.holder_pid", pid=found[1], since=found[2]) if found else text


def temp_path(db: Path) -> Path:
    return db.with_name(f".{db.name}.ingest-{os.getpid()}.tmp")


def remove_stale_temps(db: Path) -> list[Path]:
    """Temp copies left by a killed writer, with their WAL and DuckDB's spill folder
    (``….tmp.tmp/``, made when a writer goes over its memory limit). Call only while holding
    the writer lock."""
    stale = sorted(db.parent.glob(f".{db.name}.ingest-*.tmp*"))
    for path in stale:
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
    return stale


@contextlib.contextmanager
def snapshot(db: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A writable copy of ``db`` that replaces it when the block ends without error.

    The caller must hold ``writer_lock(db)``. On an exception (or a kill) the copy is
    dropped and ``db`` stays exactly as it was.
    """
    temp = temp_path(db)
    try:
        try:
            if db.exists():
                shutil.copyfile(db, temp)
            con = duckdb.connect(str(temp))
        except (OSError, duckdb.IOException) as exc:
            if _out_of_space(exc):
                raise StoreError(t("error.no_space", db=db, folder=db.parent, detail=" ".join(str(exc).split())[:200])) from None
            raise _unwritable(db.parent, exc) from None
        try:
            # DuckDB caches written blocks up to 80 % of RAM by default; writers append and
            # stream, so a small cache costs little and keeps a 100k-report run's memory flat
            # (it spills to disk beyond it). Writers run in scripts and cron: no progress bar.
            con.execute(f"SET memory_limit = '{WRITER_MEMORY}'")
            con.execute("SET enable_progress_bar = false")
            apply_schema(con)
            yield con
            update_derived(con)
            con.execute("CHECKPOINT")
        except (OSError, duckdb.IOException, duckdb.FatalException) as exc:
            if not _out_of_space(exc):
                raise
            raise StoreError(t("error.no_space", db=db, folder=db.parent, detail=" ".join(str(exc).split())[:200])) from None
        finally:
            con.close()
        try:
            publish(temp, db)
        except OSError as exc:
            if not _out_of_space(exc):
                raise
            raise StoreError(t("error.no_space", db=db, folder=db.parent, detail=os_reason(exc))) from None
    finally:
        temp.unlink(missing_ok=True)
        Path(str(temp) + ".wal").unlink(missing_ok=True)


def upgrade_if_older(db: str | Path, wait: float = 0.0) -> bool:
    """Bring a store written by an older workbench up to this schema (an empty write applies it).

    Readers cannot alter a store; a command that needs a newer table (reviews, corrections)
    calls this first. Returns whether it wrote. A missing database is left missing.
    """
    path = Path(db)
    if not path.exists():
        return False
    with connect(path) as con:
        tables = {name for (name,) in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        macros = {name for (name,) in con.execute(
            "SELECT function_name FROM duckdb_functions() WHERE function_type = 'macro'").fetchall()}
    if {"finding_reviews", "corrections", "cell_sources"} <= tables and "agency_matches" in macros:
        return False
    with write(path, wait):
        pass
    return True


@contextlib.contextmanager
def write(db: str | Path = DEFAULT_DB, wait: float = 0.0) -> Iterator[duckdb.DuckDBPyConnection]:
    """For any stage that writes to the store (ingest, narrative tags …): lock, copy, swap.

        with write(db) as con:
            con.execute("CREATE OR REPLACE TABLE narrative_themes AS …")

    Readers keep working throughout; they see the change after they reconnect.
    """
    path = Path(db)
    with writer_lock(path, wait):
        remove_stale_temps(path)
        with snapshot(path) as con:
            yield con


def publish(temp: Path, db: Path) -> None:
    """fsync the finished copy, then atomically put it in place of the database."""
    with open(temp, "rb") as handle:
        os.fsync(handle.fileno())
    kill_point("publish")  # test hooks: the copy is complete, then in place but not yet synced
    os.replace(temp, db)
    kill_point("published")
    dir_fd = os.open(db.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
