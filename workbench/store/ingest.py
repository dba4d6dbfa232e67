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
3. In input order, in batches: resolve the agency (:mod:`workbench.store.agencies`);
   if the agency-year's current revision has the same *content* (the HTML and TXT
   twin of one report), the file is recorded as ``same_record``; otherwise the record
   becomes a new report, revision n+1 and current, and the revision log says which
   cells changed. Rows go in through polars frames (DuckDB's Arrow bulk path).
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
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from workbench.sources import iter_report_files
from workbench.store import revisions
from workbench.store.agencies import Registry, canonical_key, checks_kind, derive
from workbench.store.connect import (
    DEFAULT_DB,
    NARRATIVE_STALE,
    remove_stale_temps,
    snapshot,
    writer_lock,
)
from workbench.store.parquet import (
    Rows,
    outcome_from_rows,
    parse_one,
    write_chunk,
)
from workbench.store.records import detail_rows, load_record_dicts, record_from_dict, valid_date
from workbench.store.workers import FILE_MEMORY_MB, FILE_TIMEOUT, parse_in_parallel

DEFAULT_REGISTRY = Path("data/agencies.csv")
SCHEMA_VERSION = "1"
BATCH_SIZE = 500
ENGINES = ("local", "dask")

# Column types of every table the ingest appends to (polars → DuckDB, via Arrow).
SCHEMAS: dict[str, dict[str, Any]] = {
    "documents": {"path": pl.String, "sha256": pl.String, "format": pl.String, "size": pl.Int64,
                  "ingested_at": pl.Datetime("us"), "status": pl.String, "error": pl.String,
                  "report_id": pl.Int32},
    "reports": {"report_id": pl.Int32, "agency_id": pl.String, "agency": pl.String, "year": pl.Int32,
                "revision": pl.Int32, "is_current": pl.Boolean, "template": pl.String,
                "published_on": pl.Date, "fees_collected_yuan": pl.Float64, "source_path": pl.String,
                "source_sha256": pl.String, "source_format": pl.String, "content_hash": pl.String,
                "cells": pl.Int32, "filled_cells": pl.Int32, "ingested_at": pl.Datetime("us")},
    "active_disclosure": {"report_id": pl.Int32, "item": pl.String, "measure": pl.String, "value": pl.Float64,
                          "unread": pl.Boolean},
    "requests": {"report_id": pl.Int32, "row": pl.String, "applicant": pl.String, "value": pl.Int64,
                 "unread": pl.Boolean},
    "review_litigation": {"report_id": pl.Int32, "proceeding": pl.String, "result": pl.String, "value": pl.Int64,
                          "unread": pl.Boolean},
    "submitted_info": {"report_id": pl.Int32, "ordinal": pl.Int32, "label": pl.String, "category": pl.String,
                       "count": pl.Int64, "unit": pl.String},
    "narrative_items": {"report_id": pl.Int32, "section": pl.String, "ordinal": pl.Int32, "text": pl.String},
    "report_sections": {"report_id": pl.Int32, "section": pl.String, "text": pl.String},
    "findings": {"report_id": pl.Int32, "source": pl.String, "rule": pl.String, "severity": pl.String,
                 "message": pl.String, "expected": pl.String, "actual": pl.String, "section": pl.String,
                 "cells": pl.String},
    "revision_log": {"agency_id": pl.String, "year": pl.Int32, "from_report": pl.Int32, "to_report": pl.Int32,
                     "changed_at": pl.Datetime("us"), "changed_cells": pl.String, "summary": pl.String},
    "agencies": {"agency_id": pl.String, "level": pl.String, "kind": pl.String, "region": pl.String,
                 "parent": pl.String, "origin": pl.String},
    "agency_names": {"name": pl.String, "agency_id": pl.String},
}

Checker = Callable[..., list[Any]]


@dataclass
class IngestResult:
    db: Path
    files: int = 0
    loaded: int = 0  # new report rows (first revisions and new revisions)
    revisions: int = 0  # of which new revisions of an agency-year already in the store
    unchanged: int = 0  # skipped (same file), same content as the current revision, or duplicate bytes
    failed: int = 0
    findings: int = 0  # stored for the new reports (parser's and checks')
    failures: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0
    swapped: bool = False  # whether a new database snapshot was published
    checks: bool = True  # whether workbench.checks was available
    # Set by workbench.narrative.store.ingest_and_compare: "refreshed" (after this run's cells),
    # "resumed" (finished the refresh an earlier, killed run left undone), "stale" (still behind
    # the cells: refresh not asked for).
    narrative: str | None = None

    def summary(self) -> str:
        rate = self.files / self.seconds if self.seconds else 0.0
        text = (f"{self.files} file(s): {self.loaded} loaded ({self.revisions} new revision(s)), "
                f"{self.unchanged} unchanged, {self.failed} failed; {self.findings} finding(s); "
                f"{self.seconds:.1f} s ({rate:.1f} files/s) → {self.db}")
        if self.narrative == "resumed" and not self.swapped:
            text += " (no new data)"
        elif not self.swapped:
            text += " (database not changed)"
        if self.narrative == "resumed":
            text += ("\nnarrative: an earlier run stopped before its section 五 comparison was published;"
                     " refreshed it now (叙述比较已补做完成)")
        elif self.narrative == "stale":
            text += ("\nnote: the section 五 comparison is behind the loaded reports (叙述比较尚未更新完成);"
                     " run `workbench narrative --refresh`")
        if not self.checks:
            text += "\nnote: workbench.checks is not available, reports were loaded without checks"
        return text


@dataclass(frozen=True)
class _Planned:
    path: str
    sha256: str
    size: int


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
        raise ValueError(f"unknown engine {engine!r}; choose from {', '.join(ENGINES)}")
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


def _parse_stage(plan: list[_Planned], db: Path, engine: str, workers: int | None, parquet_dir: str | Path | None,
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
          reparse: bool) -> tuple[list[_Planned], list[_Planned]]:
    """Which files to parse, and which are new paths for bytes already parsed."""
    seen_pairs: dict[tuple[str, str], str] = {}
    seen_shas: set[str] = set()
    if db.exists():
        with (contextlib.closing(duckdb.connect(str(db), read_only=True)) as con,
              contextlib.suppress(duckdb.CatalogException)):
            for path, sha, status in con.execute("SELECT path, sha256, status FROM documents").fetchall():
                seen_pairs[(path, sha)] = status
                seen_shas.add(sha)
    plan: list[_Planned] = []
    duplicates: list[_Planned] = []
    planned_shas: set[str] = set()
    for path in files:
        try:
            sha, size = _sha256(path)
        except OSError as exc:  # not stored: without its bytes there is nothing to key it on
            result.failed += 1
            result.failures.append((str(path), f"cannot be read ({exc.strerror or exc})"))
            continue
        item = _Planned(str(path), sha, size)
        status = seen_pairs.get((item.path, sha))
        if status is not None and not reparse and not (retry_failed and status == "failed"):
            result.unchanged += 1
        elif sha in planned_shas or (sha in seen_shas and status is None and not reparse):
            duplicates.append(item)
        else:
            plan.append(item)
            planned_shas.add(sha)
    return plan, duplicates


def _load(con: duckdb.DuckDBPyConnection, parsed: Iterator[Rows], duplicates: list[_Planned], reg: Registry,
          result: IngestResult, total: int, progress: bool | None, batch_size: int) -> None:
    loader = _Loader(con, reg, _checker(), result)
    batch: list[dict[str, Any]] = []
    with _progress(total, progress) as advance:
        for rows in parsed:
            outcome = outcome_from_rows(rows)
            batch.append(outcome)
            advance(outcome)
            if len(batch) >= batch_size:
                loader.apply(batch)
                batch = []
        if batch:
            loader.apply(batch)
    loader.add_duplicates(duplicates)
    loader.reconcile_agencies()
    loader.recheck()
    loader.finish()


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

    columns = (TextColumn("ingest"), BarColumn(), MofNCompleteColumn(),
               TextColumn("{task.fields[rate]:>7.1f} files/s"), TextColumn("{task.fields[failed]} failed"),
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


def _checker() -> Checker | None:
    try:
        from workbench.checks import check_report
    except ImportError:
        return None
    return check_report


# -- loading ---------------------------------------------------------------------------------


@dataclass
class _Current:
    report_id: int
    revision: int
    content_hash: str


def insert_rows(con: duckdb.DuckDBPyConnection, table: str, rows: list[tuple]) -> None:
    """Append rows through a typed polars frame (one Arrow scan, not row-by-row inserts)."""
    if not rows:
        return
    frame = pl.DataFrame(rows, schema=SCHEMAS[table], orient="row")
    con.register("_wb_rows", frame)
    try:
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _wb_rows")
    finally:
        con.unregister("_wb_rows")


def _id_filter(con: duckdb.DuckDBPyConnection, ids: Iterable[int]) -> None:
    frame = pl.DataFrame({"report_id": sorted(set(ids))}, schema={"report_id": pl.Int32})
    con.register("_wb_ids", frame)


class _Loader:
    """Applies parse outcomes to the (temp) database, batch by batch, in input order."""

    def __init__(self, con: duckdb.DuckDBPyConnection, registry: Registry, checker: Checker | None,
                 result: IngestResult) -> None:
        self.con = con
        self.registry = registry
        self.checker = checker
        self.result = result
        result.checks = checker is not None
        self.now = datetime.now().replace(microsecond=0)
        self.current = {(a, y): _Current(rid, rev, h) for a, y, rid, rev, h in con.execute(
            "SELECT agency_id, year, report_id, revision, content_hash FROM reports WHERE is_current").fetchall()}
        self.next_id = con.execute("SELECT coalesce(max(report_id), 0) + 1 FROM reports").fetchone()[0]
        self.names: dict[str, str] = dict(con.execute("SELECT name, agency_id FROM agency_names").fetchall())
        self.known = set(self.names) | set(self.names.values()) | set(registry.aliases)
        self.key_of: dict[int, tuple[str, int]] = {}
        self.stale: set[int] = set()
        self.kinds: dict[str, str | None] = {}

    # One batch --------------------------------------------------------------------------

    def apply(self, batch: list[dict[str, Any]]) -> None:
        batch = [_require_metadata(outcome) for outcome in batch]
        self.known.update(canonical_key(o["record"]["agency"]) for o in batch if "record" in o)
        for outcome in batch:
            if "record" in outcome:
                name = canonical_key(outcome["record"]["agency"])
                self.names[name] = agency_id = self.registry.resolve(name, self.known)
                outcome["key"] = (agency_id, int(outcome["record"]["year"]))
        # The current revisions these files may replace, to compare cell by cell.
        earlier = load_record_dicts(self.con, [
            self.current[o["key"]].report_id for o in batch
            if "key" in o and o["key"] in self.current and self.current[o["key"]].content_hash != o["hash"]])
        rows: dict[str, list[tuple]] = defaultdict(list)
        new: dict[int, dict[str, Any]] = {}
        replaced: list[int] = []
        for outcome in batch:
            if "error" in outcome:
                rows["documents"].append(self._doc(outcome, "failed", None, outcome["error"]))
                self.result.failed += 1
                self.result.failures.append((outcome["path"], outcome["error"]))
                continue
            key, record = outcome["key"], outcome["record"]
            current = self.current.get(key)
            changes = None
            if current is not None:
                changes = ([] if current.content_hash == outcome["hash"] else
                           revisions.changed_cells(new.get(current.report_id) or earlier.get(current.report_id),
                                                   record))
                if revisions.adds_nothing(changes):
                    rows["documents"].append(self._doc(outcome, "same_record", current.report_id))
                    self.result.unchanged += 1
                    continue
            report_id, revision = self.next_id, (current.revision + 1 if current else 1)
            self.next_id += 1
            if current is not None:
                replaced.append(current.report_id)
                rows["revision_log"].append((*key, current.report_id, report_id, self.now,
                                             revisions.to_json(changes), revisions.summary(changes, revision)))
            self.current[key] = _Current(report_id, revision, outcome["hash"])
            self.key_of[report_id] = key
            new[report_id] = record
            rows["reports"].append(_report_row(report_id, key, revision, outcome, self.now))
            for table, detail in detail_rows(report_id, record).items():
                rows[table].extend(detail)
            rows["findings"].extend((report_id, "parse", f["rule"], f["severity"], f["message"], None, None,
                                     f.get("section"), None) for f in record["findings"])
            rows["documents"].append(self._doc(outcome, "loaded", report_id))
            self.result.loaded += 1
        rows["findings"].extend(self._check(new))
        for table, table_rows in rows.items():
            insert_rows(self.con, table, table_rows)
        if replaced:
            _id_filter(self.con, replaced)
            self.con.execute("UPDATE reports SET is_current = false WHERE report_id IN (SELECT report_id FROM _wb_ids)")
        self.result.revisions += len(replaced)
        self.result.findings += len(rows["findings"])

    def _doc(self, outcome: dict[str, Any], status: str, report_id: int | None, error: str | None = None) -> tuple:
        return (outcome["path"], outcome["sha256"], outcome.get("format"), outcome.get("size"), self.now,
                status, error, report_id)

    # Checks ------------------------------------------------------------------------------

    def _check(self, new: dict[int, dict[str, Any]]) -> list[tuple]:
        """Check the batch's new reports against the year before; note later years to re-check."""
        if self.checker is None or not new:
            return []
        previous_ids: dict[int, int] = {}
        for report_id in new:
            agency_id, year = self.key_of[report_id]
            before = self.current.get((agency_id, year - 1))
            if before is not None:
                previous_ids[report_id] = before.report_id
            after = self.current.get((agency_id, year + 1))
            if after is not None and after.report_id not in new:
                self.stale.add(after.report_id)
        stored = load_record_dicts(self.con, [p for p in previous_ids.values() if p not in new])
        stored.update(new)
        rows: list[tuple] = []
        for report_id, record in new.items():
            previous = stored.get(previous_ids.get(report_id, -1))
            rows.extend(self._findings(report_id, record, previous))
        return rows

    def _findings(self, report_id: int, record: dict[str, Any], previous: dict[str, Any] | None) -> list[tuple]:
        agency_id = self.key_of.get(report_id, (None, 0))[0]
        try:
            found = self.checker(record_from_dict(record), record_from_dict(previous) if previous else None,
                                 agency_kind=self._kind(agency_id) if agency_id else None)
        except Exception as exc:  # a bug in one rule must not stop the ingest; it becomes a finding
            return [(report_id, "check", "store.check_failed", "error",
                     f"the checks failed on this report ({type(exc).__name__}: {exc})", None, None, None, None)]
        return [(report_id, "check", f.rule, f.severity, f.message, _text(f.expected), _text(f.actual),
                 getattr(f, "section", None), ",".join(getattr(f, "cells", ())) or None) for f in found]

    def _kind(self, agency_id: str) -> str | None:
        if agency_id not in self.kinds:
            self.kinds[agency_id] = checks_kind(self.registry.describe(agency_id))
        return self.kinds[agency_id]

    def recheck(self) -> None:
        """Re-run the checks of reports whose year before changed after they were checked."""
        if self.checker is None or not self.stale:
            return
        _id_filter(self.con, self.stale)
        pairs = self.con.execute(
            "SELECT r.report_id, r.agency_id, p.report_id FROM reports r JOIN _wb_ids USING (report_id)"
            " LEFT JOIN reports p ON p.agency_id = r.agency_id AND p.year = r.year - 1 AND p.is_current"
            " WHERE r.is_current").fetchall()
        records = load_record_dicts(self.con, [p[0] for p in pairs] + [p[2] for p in pairs if p[2] is not None])
        rows: list[tuple] = []
        for report_id, agency_id, previous_id in pairs:
            self.key_of[report_id] = (agency_id, 0)
            rows.extend(self._findings(report_id, records[report_id], records.get(previous_id)))
        _id_filter(self.con, [p[0] for p in pairs])
        self.con.execute("DELETE FROM findings WHERE source = 'check' AND report_id IN (SELECT report_id FROM _wb_ids)")
        insert_rows(self.con, "findings", rows)

    # Files that repeat bytes already parsed ------------------------------------------------

    def add_duplicates(self, duplicates: list[_Planned]) -> None:
        if not duplicates:
            return
        first = {sha: (fmt, status, error, rid) for sha, fmt, status, error, rid in self.con.execute(
            "SELECT sha256, arg_min(format, ingested_at), arg_min(status, ingested_at), arg_min(error, ingested_at),"
            " arg_min(report_id, ingested_at) FROM documents WHERE status <> 'duplicate' GROUP BY sha256").fetchall()}
        rows = []
        for item in duplicates:
            fmt, status, error, report_id = first.get(item.sha256, (None, "failed", "no earlier copy found", None))
            rows.append((item.path, item.sha256, fmt, item.size, self.now, "duplicate", error, report_id))
            self.result.unchanged += 1
        insert_rows(self.con, "documents", rows)

    # Agencies ------------------------------------------------------------------------------

    def reconcile_agencies(self) -> None:
        """Resolve every name again with everything now known; re-key reports whose agency changed."""
        for alias, target in self.registry.aliases.items():
            self.names.setdefault(alias, target)
        known = set(self.names) | set(self.registry.aliases)
        resolved = {name: self.registry.resolve(name, known) for name in self.names}
        moved = {name for name, agency_id in resolved.items() if self.names[name] != agency_id}
        self.names = resolved
        if moved:
            self._rekey(resolved)
        self._write_agencies()

    def _rekey(self, resolved: dict[str, str]) -> None:
        rows = self.con.execute("SELECT report_id, agency, agency_id FROM reports").fetchall()
        updates = [(rid, resolved[canonical_key(agency)]) for rid, agency, agency_id in rows
                   if resolved.get(canonical_key(agency), agency_id) != agency_id]
        if not updates:
            return
        moved_ids = {rid for rid, _ in updates}
        affected = {agency_id for _, agency_id in updates} | {a for rid, _, a in rows if rid in moved_ids}
        frame = pl.DataFrame(updates, schema={"report_id": pl.Int32, "agency_id": pl.String}, orient="row")
        self.con.register("_wb_moves", frame)
        self.con.execute("UPDATE reports SET agency_id = m.agency_id FROM _wb_moves m WHERE reports.report_id = m.report_id")
        self.con.execute("UPDATE revision_log SET agency_id = m.agency_id FROM _wb_moves m WHERE revision_log.to_report = m.report_id")
        self.con.unregister("_wb_moves")
        # Two names of one agency may both have had a revision 1 for the same year: renumber.
        agencies = pl.DataFrame({"agency_id": sorted(affected)})
        self.con.register("_wb_agencies", agencies)
        self.con.execute("""
            UPDATE reports SET revision = n.revision, is_current = n.is_current
            FROM (SELECT report_id,
                         row_number() OVER (PARTITION BY agency_id, year ORDER BY report_id) AS revision,
                         report_id = max(report_id) OVER (PARTITION BY agency_id, year) AS is_current
                  FROM reports WHERE agency_id IN (SELECT agency_id FROM _wb_agencies)) n
            WHERE reports.report_id = n.report_id""")
        self.stale.update(rid for (rid,) in self.con.execute(
            "SELECT report_id FROM reports WHERE is_current AND agency_id IN (SELECT agency_id FROM _wb_agencies)").fetchall())
        self.con.unregister("_wb_agencies")

    def _write_agencies(self) -> None:
        in_use = {a for (a,) in self.con.execute("SELECT DISTINCT agency_id FROM reports").fetchall()}
        by_agency: dict[str, list[str]] = defaultdict(list)
        for name, agency_id in self.names.items():
            by_agency[agency_id].append(name)
        rows = []
        for agency_id in sorted(in_use | set(self.registry.info)):
            info = self.registry.describe(agency_id)
            # The longest name seen says most about the place (淮安市洪泽区人民政府 for 洪泽区人民政府).
            richest = max((derive(n) for n in by_agency.get(agency_id, [])),
                          key=lambda d: len(d.region or ""), default=info)
            rows.append((agency_id, info.level or richest.level, info.kind or richest.kind,
                         _longer(info.region, richest.region), info.parent or richest.parent, info.origin))
        self.con.execute("DELETE FROM agencies")
        self.con.execute("DELETE FROM agency_names")
        insert_rows(self.con, "agencies", rows)
        insert_rows(self.con, "agency_names", sorted(self.names.items()))

    def finish(self) -> None:
        # NARRATIVE_STALE goes out in the same snapshot as the new cells: the section 五 tables
        # are behind them until a narrative refresh publishes (and deletes the key).
        self.con.execute("DELETE FROM meta WHERE key IN ('schema_version', 'registry_digest', 'last_ingest', ?)",
                         [NARRATIVE_STALE])
        self.con.execute("INSERT INTO meta VALUES ('schema_version', ?), ('registry_digest', ?), ('last_ingest', ?),"
                         " (?, ?)", [SCHEMA_VERSION, self.registry.digest, self.now.isoformat(sep=" "),
                                     NARRATIVE_STALE, self.now.isoformat(sep=" ")])


def _longer(a: str | None, b: str | None) -> str | None:
    return max((a or "", b or ""), key=len) or None


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _require_metadata(outcome: dict[str, Any]) -> dict[str, Any]:
    """A record without agency or year cannot be keyed: it fails like an unreadable file."""
    record = outcome.get("record")
    if record is None:
        return outcome
    missing = [what for what, value in (("agency name", record.get("agency")), ("year", record.get("year")))
               if not value]
    if not missing:
        return outcome
    trimmed = {k: v for k, v in outcome.items() if k not in ("record", "hash")}
    trimmed["error"] = f"parsed, but no {' and no '.join(missing)} found in the report"
    return trimmed


def _report_row(report_id: int, key: tuple[str, int], revision: int, outcome: dict[str, Any],
                now: datetime) -> tuple:
    record = outcome["record"]
    cells = [*record["active_disclosure"], *record["requests"], *record["review_litigation"]]
    fees = record.get("fees_collected_yuan")
    return (report_id, key[0], record["agency"], key[1], revision, True, record.get("template"),
            valid_date(record.get("published_on")), None if fees is None else float(fees), outcome["path"],
            outcome["sha256"], record["source"]["format"], outcome["hash"], len(cells),
            sum(c["value"] is not None for c in cells), now)
