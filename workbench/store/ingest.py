"""Ingest: report files → the DuckDB store, incrementally, idempotently, in parallel.

    result = ingest(["data/real", "more/*.pdf"], db="data/workbench.duckdb")
    print(result.summary())

How a run goes:

1. Hash every file (sha256). A (path, sha256) pair already in ``documents`` is
   skipped without parsing; the same bytes under a new path are recorded as a
   ``duplicate`` of the report they produced. Nothing to do → the database file is
   not touched at all.
2. Take the writer lock, copy the database to a temp file beside it (snapshot swap,
   see :mod:`workbench.store.connect`), and parse the remaining files with
   :func:`workbench.store.parquet.parse_one` (rows for each table, or the reason the
   file failed): in local worker processes (default: one per core), or with
   ``engine="dask"`` on a dask cluster that writes the rows as Parquet
   (:mod:`workbench.store.engines`). Both engines hand the loader the same rows in
   the same order, so they load the same database.
3. In input order, in batches (:class:`workbench.store.loader.Loader`): resolve the agency
   (:mod:`workbench.store.agencies`) and apply the supervisor's corrections; a record with the
   current revision's *content* is ``same_record``; another file of the same report is a twin
   (the better reading is current, the other an alternate); anything else becomes revision n+1
   and current, and the revision log says which cells changed. Rows go in through polars
   frames (DuckDB's Arrow bulk path).
4. Checks (``workbench.checks.check_report``) run on every new report with the
   agency's current report for the year before; a report whose previous year changed
   later in the run (or in this run, when it was loaded before) is checked again.
5. Agencies are reconciled (a shorter name that appeared later, an edited
   ``data/agencies.csv``), the copy is checkpointed and swapped in atomically, with meta
   ``narrative_stale`` set: the section 五 tables are behind until a narrative refresh
   publishes (``workbench.narrative.store.ingest_and_compare`` runs it, and finishes one a
   kill interrupted even when no file changed).

A file that fails is recorded in ``documents`` with its error and changes nothing
else. A killed ingest leaves the old database as it was; run it again.
"""

from __future__ import annotations

import contextlib
import hashlib
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import duckdb

from workbench.i18n import t
from workbench.sources import iter_report_files
from workbench.store.agencies import Registry
from workbench.store.connect import (
    DEFAULT_DB,
    kill_point,
    remove_stale_temps,
    snapshot,
    writer_lock,
)
from workbench.store.loader import IngestResult, Loader, Planned, checker
from workbench.store.parquet import (
    Rows,
    outcome_from_rows,
    parse_one,
    write_chunk,
)
from workbench.store.workers import FILE_MEMORY_MB, FILE_TIMEOUT, parse_in_parallel

DEFAULT_REGISTRY = Path("data/agencies.csv")
BATCH_SIZE = 500
ENGINES = ("local", "dask")



def ingest(paths: Iterable[str | Path], db: str | Path = DEFAULT_DB, *, workers: int | None = None,
           registry: str | Path | None = DEFAULT_REGISTRY, progress: bool | None = None, wait: float = 0.0,
           retry_failed: bool = False, reparse: bool = False, batch_size: int = BATCH_SIZE,
           engine: str = "local", parquet_dir: str | Path | None = None, dask_client: Any = None,
           chunk_size: int | None = None, file_timeout: float | None = FILE_TIMEOUT,
           file_memory: int | None = FILE_MEMORY_MB) -> IngestResult:
    """Load report files (files, folders, globs) into ``db``; see the module docstring.

    ``workers``: parse processes (default: all cores; 1 parses in this process).
    ``registry``: the agency CSV (missing file = no registry). ``progress``: show a
    progress bar (default: when stderr is a terminal). ``wait``: seconds to wait for
    another ingest's lock before failing. ``retry_failed``: parse files that failed
    before again. ``reparse``: parse every file again (after a parser upgrade); a
    record whose content did not change still makes no new revision.

    ``engine``: ``"local"`` parses in a process pool on this machine; ``"dask"`` runs the
    same ``parse_one`` on a dask cluster (``dask_client``: a ``distributed.Client`` or a
    scheduler address; default: a LocalCluster with ``workers`` processes), whose
    workers write Parquet under ``parquet_dir`` (default: a temp folder beside ``db``,
    removed afterwards), which is then loaded here. With the local engine,
    ``parquet_dir`` also keeps the parse output as Parquet. ``chunk_size``: files per
    dask task / Parquet file. See docs/scale.md.

    ``file_timeout`` (seconds) and ``file_memory`` (MB) limit each file in the local
    engine's workers: a file over either is failed with the reason ("解析超时", "内存超限"),
    its worker is replaced, and the other files go on (None: no limit).
    """
    if engine not in ENGINES:
        raise ValueError(t("error.unknown_engine", engine=engine, engines="、".join(ENGINES)))
    started = time.perf_counter()
    db = Path(db)
    files = list(dict.fromkeys(p.resolve() for p in iter_report_files(list(paths))))
    result = IngestResult(db=db, files=len(files))
    if not files:  # a glob that matched nothing: no database is created or touched
        return result
    with writer_lock(db, wait):
        remove_stale_temps(db)
        reg = Registry.load(Path(registry) if registry else None)
        plan, duplicates = _plan(files, db, result, retry_failed, reparse)
        if not plan and not duplicates and db.exists() and _registry_digest(db) == reg.digest:
            result.seconds = time.perf_counter() - started
            return result
        parsed = _parse_stage(plan, db, engine, workers, parquet_dir, dask_client, chunk_size,
                              file_timeout, file_memory)
        with snapshot(db) as con, contextlib.closing(parsed):
            _load(con, parsed, duplicates, reg, result, len(plan), progress, batch_size)
        result.swapped = True
    result.seconds = time.perf_counter() - started
    return result


def _parse_stage(plan: list[Planned], db: Path, engine: str, workers: int | None, parquet_dir: str | Path | None,
                 dask_client: Any, chunk_size: int | None, file_timeout: float | None = FILE_TIMEOUT,
                 file_memory: int | None = FILE_MEMORY_MB) -> Iterator[Rows]:
    """Every planned file's rows, in input order, from the chosen engine."""
    if engine == "dask":
        from workbench.store.engines import parse_on_dask

        return parse_on_dask(plan, db, workers=workers, parquet_dir=parquet_dir, client=dask_client,
                             chunk_size=chunk_size)
    stream = parse_in_parallel(plan, parse_one, workers, file_timeout=file_timeout, file_memory=file_memory)
    if parquet_dir is None:
        return stream
    return _also_to_parquet(stream, Path(parquet_dir), chunk_size or BATCH_SIZE)


def _also_to_parquet(stream: Iterator[Rows], root: Path, chunk_size: int) -> Iterator[Rows]:
    """Pass rows through, writing them to Parquet ``chunk_size`` files at a time."""
    from workbench.store.engines import run_id

    run, chunk, pending = run_id(), 0, []
    for rows in stream:
        pending.append(rows)
        yield rows
        if len(pending) >= chunk_size:
            write_chunk(pending, root, run, chunk)
            chunk, pending = chunk + 1, []
    if pending:
        write_chunk(pending, root, run, chunk)


def _registry_digest(db: Path) -> str | None:
    with contextlib.closing(duckdb.connect(str(db), read_only=True)) as con:
        try:
            row = con.execute("SELECT value FROM meta WHERE key = 'registry_digest'").fetchone()
        except duckdb.CatalogException:
            return None
    return row[0] if row else None


def _sha256(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _plan(files: list[Path], db: Path, result: IngestResult, retry_failed: bool,
          reparse: bool) -> tuple[list[Planned], list[Planned]]:
    """Which files to parse, and which are new paths for bytes already parsed."""
    seen_pairs: dict[tuple[str, str], str] = {}
    seen_shas: set[str] = set()
    if db.exists():
        with (contextlib.closing(duckdb.connect(str(db), read_only=True)) as con,
              contextlib.suppress(duckdb.CatalogException)):
            for path, sha, status in con.execute("SELECT path, sha256, status FROM documents").fetchall():
                seen_pairs[(path, sha)] = status
                seen_shas.add(sha)
    plan: list[Planned] = []
    duplicates: list[Planned] = []
    planned_shas: set[str] = set()
    for path in files:
        try:
            sha, size = _sha256(path)
        except OSError as exc:  # not stored: without its bytes there is nothing to key it on
            result.failed += 1
            result.failures.append((str(path), f"cannot be read ({exc.strerror or exc})"))
            continue
        item = Planned(str(path), sha, size)
        status = seen_pairs.get((item.path, sha))
        if status is not None and not reparse and not (retry_failed and status == "failed"):
            result.unchanged += 1
        elif sha in planned_shas or (sha in seen_shas and status is None and not reparse):
            duplicates.append(item)
        else:
            plan.append(item)
            planned_shas.add(sha)
    return plan, duplicates


def _load(con: duckdb.DuckDBPyConnection, parsed: Iterator[Rows], duplicates: list[Planned], reg: Registry,
          result: IngestResult, total: int, progress: bool | None, batch_size: int) -> None:
    loader = Loader(con, reg, checker(), result)
    batch: list[dict[str, Any]] = []
    with _progress(total, progress) as advance:
        for rows in parsed:
            kill_point("parse")  # test hook: a file parsed, nothing loaded yet
            outcome = outcome_from_rows(rows)
            batch.append(outcome)
            advance(outcome)
            if len(batch) >= batch_size:
                loader.apply(batch)
                kill_point("load")
                batch = []
        if batch:
            loader.apply(batch)
            kill_point("load")
    loader.add_duplicates(duplicates)
    loader.reconcile_agencies()
    kill_point("agencies")
    loader.recheck()
    kill_point("recheck")
    loader.finish()
    kill_point("finish")


@contextlib.contextmanager
def _progress(total: int, show: bool | None) -> Iterator[Callable[[dict[str, Any]], None]]:
    """A rich progress bar on stderr: files done / total, rate, failures so far."""
    if show is None:
        show = sys.stderr.isatty()
    if not show or total == 0:
        yield lambda outcome: None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    # rich fills {task.fields[…]}: the catalogue's templates keep those fields literal ({{…}}).
    columns = (TextColumn(t("ingest.progress.label")), BarColumn(), MofNCompleteColumn(),
               TextColumn(t("ingest.progress.rate")), TextColumn(t("ingest.progress.failed")),
               TimeRemainingColumn())
    started = time.perf_counter()
    failed = 0
    with Progress(*columns, console=Console(stderr=True), transient=False) as bar:
        task = bar.add_task("ingest", total=total, rate=0.0, failed=0)

        def advance(outcome: dict[str, Any]) -> None:
            nonlocal failed
            failed += "error" in outcome
            done = bar.tasks[0].completed + 1
            bar.update(task, completed=done, failed=failed, rate=done / max(time.perf_counter() - started, 1e-6))

        yield advance




