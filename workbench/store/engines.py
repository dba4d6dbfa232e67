"""Running the parse stage on a dask cluster (``ingest(..., engine="dask")``).

Why dask (dask.distributed) and not ray: both can map ``parse_one`` over a cluster, but
dask and distributed are pure-Python wheels (a few MB with their dependencies; ray's
wheel alone is ~60 MB of native code, pinned to particular Python versions), a
``LocalCluster`` starts in about a second and runs in CI on two cores, and the same
code talks to a real cluster through a scheduler address (``dask-scheduler`` /
``dask-worker``, dask-jobqueue on a batch system, dask-kubernetes). The work here is
a plain embarrassingly-parallel map over files; dask's futures API is all it needs.

How it runs: the planned files are cut into chunks (``chunk_size`` files); each chunk
is one task that parses its files with :func:`workbench.store.parquet.parse_one` and
writes the rows as Parquet (:func:`workbench.store.parquet.write_chunk`) under a folder
every worker can reach (on one machine, a temp folder beside the database; on a
cluster, shared storage). A task returns only a count, so no report travels through
the scheduler. The ingest then reads the chunks back *in input order* and loads them
exactly as the local engine does: the database is the same.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from workbench.i18n import t
from workbench.store.connect import StoreError
from workbench.store.parquet import Rows, parse_one, read_chunk, write_chunk

MAX_CHUNK = 250


def run_id() -> str:
    """Names one ingest's Parquet files, so runs that share a folder never mix."""
    return f"{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}"


def parse_chunk(items: list[tuple[int, str, str | None, int | None]], root: str, run: str, chunk: int) -> int:
    """One dask task: parse these files and write their rows as Parquet. Returns the number of files."""
    return write_chunk((parse_one(path, sha, size, ordinal) for ordinal, path, sha, size in items), root, run, chunk)


def chunk_plan(count: int, workers: int, chunk_size: int | None) -> int:
    """Files per task: every worker gets several tasks; at most MAX_CHUNK files per Parquet file."""
    if chunk_size:
        return max(1, chunk_size)
    return max(1, min(MAX_CHUNK, -(-count // (workers * 4))))


def parse_on_dask(plan: list[Any], db: Path, *, workers: int | None = None, parquet_dir: str | Path | None = None,
                  client: Any = None, chunk_size: int | None = None) -> Iterator[Rows]:
    """Every planned file's rows, in input order, parsed on a dask cluster via Parquet."""
    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError as exc:  # optional dependency: say how to get it
        raise StoreError(t("error.dask_missing")) from exc
    root = Path(parquet_dir) if parquet_dir else db.with_name(f".{db.name}.parsed-{os.getpid()}")
    keep = parquet_dir is not None
    run = run_id()
    with contextlib.ExitStack() as stack:
        if not keep:
            stack.callback(shutil.rmtree, root, True)
        if client is None or isinstance(client, str):
            if client is None:
                cluster = stack.enter_context(LocalCluster(
                    n_workers=workers or os.cpu_count() or 1, threads_per_worker=1, processes=True,
                    dashboard_address=None, silence_logs=logging.ERROR))
                client = stack.enter_context(Client(cluster))
            else:
                client = stack.enter_context(Client(client))
        n_workers = max(1, len(client.scheduler_info().get("workers", {})) or workers or 1)
        size = chunk_plan(len(plan), n_workers, chunk_size)
        chunks = [[(i, p.path, p.sha256, p.size) for i, p in enumerate(plan[start:start + size], start)]
                  for start in range(0, len(plan), size)]
        root.mkdir(parents=True, exist_ok=True)
        futures = {client.submit(parse_chunk, items, str(root), run, index, pure=False): index
                   for index, items in enumerate(chunks)}
        done: set[int] = set()
        following = 0
        for future in as_completed(futures):
            future.result()  # a task that failed (not a file: a file's failure is a row) stops the ingest
            done.add(futures.pop(future))
            future.release()
            while following in done:
                yield from read_chunk(root, run, following)
                following += 1
