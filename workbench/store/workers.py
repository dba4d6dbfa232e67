"""Parse workers for the local engine: each file under a time budget and a memory cap.

One spinning or exploding file must not stop a batch. A hung task in a
ProcessPoolExecutor cannot be cancelled, so each worker here is a spawned process
with a pipe, watched by the ingest: a file over its time budget is failed with the
reason, its worker killed and replaced; RLIMIT_AS caps each worker's memory, so a
file that needs more fails with MemoryError. Workers die with their parent
(PR_SET_PDEATHSIG) from their first instruction.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import signal
import sys
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from multiprocessing.connection import Connection
from multiprocessing.connection import wait as wait_ready
from typing import Any, Protocol

from workbench.store.parquet import FILE_COLUMNS, Rows, failed_rows

FILE_TIMEOUT = 60.0  # seconds one file may take to parse (local engine, several workers)
FILE_MEMORY_MB = 1536  # address-space cap of each parse worker

Parse = Callable[..., Rows]  # (path, sha256, size, ordinal) -> rows, as parquet.parse_one


class Planned(Protocol):
    """A file to parse, as the ingest plans it."""

    @property
    def path(self) -> str: ...
    @property
    def sha256(self) -> str: ...
    @property
    def size(self) -> int: ...


def _worker_init(memory_mb: int | None = None) -> None:
    """Workers die with the ingest (even on SIGKILL), leave Ctrl-C to it, and have a memory cap."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if memory_mb:
        with contextlib.suppress(ImportError, ValueError, OSError):
            import resource

            _, hard = resource.getrlimit(resource.RLIMIT_AS)
            cap = memory_mb << 20
            if hard != resource.RLIM_INFINITY:
                cap = min(cap, hard)
            resource.setrlimit(resource.RLIMIT_AS, (cap, hard))


def _timeout_reason(seconds: float) -> str:
    return f"解析超时（超过{seconds:g}秒）"


def _memory_reason(error: str, memory_mb: int | None) -> str:
    """``parse_one`` reports a MemoryError as a parser failure; under the worker's cap it is the cap."""
    if "(MemoryError" not in error:
        return error
    return f"内存超限（超过{memory_mb} MB）" if memory_mb else "内存不足（MemoryError）"


def _worker_main(conn: Connection, memory_mb: int | None, parse: Callable[..., Rows]) -> None:
    """One parse worker: (ordinal, path, sha256, size) in, rows out, until the pipe closes."""
    _worker_init(memory_mb)
    import workbench.parse  # noqa: F401 - imported before the first file's time budget starts

    conn.send("ready")
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        ordinal, path, sha256, size = task
        try:
            rows = parse(path, sha256, size, ordinal)
            error = rows["files"][0][FILE_COLUMNS.index("error")] if len(rows["files"]) == 1 else None
            if error and "(MemoryError" in error:
                rows = failed_rows(path, ordinal, sha256, size, _memory_reason(error, memory_mb))
        except MemoryError:
            rows = None
        if rows is None:
            rows = failed_rows(path, ordinal, sha256, size, _memory_reason("(MemoryError", memory_mb))
        try:
            conn.send(rows)
        except MemoryError:  # the rows were too big to pickle under the cap
            conn.send(failed_rows(path, ordinal, sha256, size, _memory_reason("(MemoryError", memory_mb)))


class _Worker:
    """A parse process with the file it is on and since when (the watchdog's view of it)."""

    def __init__(self, context: Any, memory_mb: int | None, parse: Callable[..., Rows]) -> None:
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_worker_main, args=(child, memory_mb, parse), daemon=True)
        self.process.start()
        child.close()
        self.ready = False  # set when the worker has started and imported the parser
        self.task: tuple[int, Planned] | None = None
        self.started = 0.0

    def submit(self, ordinal: int, item: Planned) -> None:
        self.conn.send((ordinal, item.path, item.sha256, item.size))
        self.task, self.started = (ordinal, item), time.monotonic()

    def kill(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            self.process.kill()
        self.process.join(5)
        self.conn.close()

    def stop(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            self.conn.send(None)
        self.process.join(5)
        if self.process.is_alive():
            self.kill()
        else:
            self.conn.close()


def _worker_started(worker: _Worker) -> None:
    try:
        worker.ready = worker.conn.recv() == "ready"
    except (EOFError, OSError):
        worker.ready = False
    if not worker.ready:  # e.g. a memory cap too small for Python and the parser themselves
        raise RuntimeError(f"解析进程无法启动（退出码 {worker.process.exitcode}）；"
                           "请检查 --file-memory 是否过小")


def parse_in_parallel(plan: Sequence[Planned], parse: Parse, workers: int | None = None, *,
                      file_timeout: float | None = FILE_TIMEOUT,
                      file_memory: int | None = FILE_MEMORY_MB) -> Iterator[Rows]:
    """``parse`` rows (``parse_one``'s) in input order, each file under a time budget and a memory cap.

    A watchdog here kills a worker whose file runs over ``file_timeout`` seconds and
    starts a new one; ``file_memory`` MB caps each worker's address space
    (RLIMIT_AS), so a file that needs more fails with MemoryError. Either way that
    file is failed with the reason and the others go on. Only so many files past
    the oldest unfinished one are parsed ahead (bounded memory). With one worker,
    or one file, parsing happens in this process, without limits.
    """
    workers = workers or os.cpu_count() or 1
    if workers <= 1 or len(plan) <= 1:
        for ordinal, item in enumerate(plan):
            yield parse(item.path, item.sha256, item.size, ordinal)
        return
    context = multiprocessing.get_context("spawn")  # no fork of a process that has DuckDB threads
    pool = [_Worker(context, file_memory, parse) for _ in range(min(workers, len(plan)))]
    pending = deque(enumerate(plan))
    done: dict[int, Rows] = {}
    ahead = workers * 8
    next_out = 0
    try:
        while next_out < len(plan):
            for worker in pool:
                if worker.ready and worker.task is None and pending and pending[0][0] < next_out + ahead:
                    worker.submit(*pending.popleft())
            busy = [w for w in pool if w.task is not None]
            timeout = None
            if file_timeout and busy:
                timeout = max(0.0, min(w.started + file_timeout for w in busy) - time.monotonic())
            ready = set(wait_ready([w.conn for w in pool if w.task is not None or not w.ready], timeout))
            for index, worker in enumerate(pool):
                if not worker.ready:
                    if worker.conn in ready:
                        _worker_started(worker)
                    continue
                if worker.task is None:
                    continue
                ordinal, item = worker.task
                reason = None
                if worker.conn in ready:
                    try:
                        done[ordinal] = worker.conn.recv()
                        worker.task = None
                        continue
                    except (EOFError, OSError):  # the worker died (a reader library crashed)
                        reason = "the parser crashed on this file (worker process died)"
                elif file_timeout and time.monotonic() - worker.started >= file_timeout:
                    reason = _timeout_reason(file_timeout)
                if reason is not None:
                    done[ordinal] = failed_rows(item.path, ordinal, item.sha256, item.size, reason)
                    worker.kill()
                    pool[index] = _Worker(context, file_memory, parse)
            while next_out in done:
                yield done.pop(next_out)
                next_out += 1
    finally:
        for worker in pool:
            worker.stop()
