"""Loading parse outcomes into the (temp) store: revisions, twins, corrections, checks, agencies.

``workbench.store.ingest`` plans the files and parses them; :class:`Loader` applies the
outcomes batch by batch, in input order, to the snapshot copy the ingest holds:

* an agency-year's first reading becomes revision 1; a reading with the same content as the
  current one is ``same_record``; another file of the same report is a twin (``twins.py``:
  the better reading is current, the other an ``alternate``); anything else is a new revision
  with a ``revision_log`` entry;
* a supervisor's corrections (``corrections.py``) are applied to every reading first, so the
  checks judge the corrected figures and a correction survives re-ingesting;
* the checks run on every new current report, with the agency's report of the year before.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from workbench.i18n import t
from workbench.store import revisions, twins
from workbench.store.agencies import Registry, canonical_key, checks_kind, derive
from workbench.store.connect import NARRATIVE_STALE
from workbench.store.corrections import Applied, apply_corrections, latest_corrections
from workbench.store.records import (
    cell_source_rows,
    content_hash,
    detail_rows,
    load_record_dicts,
    record_from_dict,
    valid_date,
)

SCHEMA_VERSION = "1"
# Column types of every table the ingest appends to (polars → DuckDB, via Arrow).
SCHEMAS: dict[str, dict[str, Any]] = {
    "documents": {"path": pl.String, "sha256": pl.String, "format": pl.String, "size": pl.Int64,
                  "ingested_at": pl.Datetime("us"), "status": pl.String, "error": pl.String,
                  "report_id": pl.Int32},
    "reports": {"report_id": pl.Int32, "agency_id": pl.String, "agency": pl.String, "year": pl.Int32,
                "revision": pl.Int32, "is_current": pl.Boolean, "template": pl.String,
                "published_on": pl.Date, "fees_collected_yuan": pl.Float64, "source_path": pl.String,
                "source_sha256": pl.String, "source_format": pl.String, "content_hash": pl.String,
                "cells": pl.Int32, "filled_cells": pl.Int32, "ingested_at": pl.Datetime("us"),
                "alternate": pl.Boolean},
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
    "cell_sources": {"report_id": pl.Int32, "table_name": pl.String, "row_key": pl.String, "column_key": pl.String,
                     "page": pl.Int32, "box_x": pl.Float64, "box_y": pl.Float64, "box_w": pl.Float64,
                     "box_h": pl.Float64, "confidence": pl.Float64, "text": pl.String, "image": pl.String},
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


@dataclass(frozen=True)
class Planned:
    path: str
    sha256: str
    size: int


@dataclass
class IngestResult:
    db: Path
    files: int = 0
    loaded: int = 0  # new report rows (first revisions and new revisions)
    revisions: int = 0  # of which new revisions of an agency-year already in the store
    alternates: int = 0  # files read as another reading of a report already loaded (twins.py)
    corrected: list[Applied] = field(default_factory=list)  # corrections applied to this run's readings
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
        text = t("ingest.summary", files=self.files, loaded=self.loaded, revisions=self.revisions,
                 unchanged=self.unchanged, failed=self.failed, findings=self.findings,
                 seconds=f"{self.seconds:.1f}", rate=f"{rate:.1f}", db=self.db)
        if self.narrative == "resumed" and not self.swapped:
            text += t("ingest.no_new_data")
        elif not self.swapped:
            text += t("ingest.unchanged_db")
        if self.alternates:
            text += "\n" + t("ingest.alternates", count=self.alternates)
        for applied in self.corrected:
            state = (t("ingest.correction_agrees") if applied.agrees else
                     t("ingest.correction_differs", read=applied.read, value=applied.value)
                     if applied.read is not None else t("ingest.correction_unread"))
            text += "\n" + t("ingest.correction_kept", agency=applied.agency_id, year=applied.year, cell=applied.cell,
                             state=state)
        if self.narrative == "resumed":
            text += "\n" + t("ingest.narrative_resumed")
        elif self.narrative == "stale":
            text += "\n" + t("ingest.narrative_stale")
        if not self.checks:
            text += "\n" + t("ingest.no_checks")
        return text


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


# Each agency-year's current reading, with every file read as its version (its twins included).
_CURRENT_READINGS = """
    SELECT c.agency_id, c.year, c.report_id, c.revision, c.content_hash, c.source_path,
           strftime(c.published_on, '%Y-%m-%d'), c.source_format,
           list(DISTINCT d.path) FILTER (WHERE d.path IS NOT NULL)
    FROM reports c
    LEFT JOIN reports r ON r.agency_id = c.agency_id AND r.year = c.year AND r.revision = c.revision
    LEFT JOIN documents d ON d.report_id = r.report_id
    WHERE c.is_current GROUP BY ALL"""


class Loader:
    """Applies parse outcomes to the (temp) database, batch by batch, in input order."""

    def __init__(self, con: duckdb.DuckDBPyConnection, registry: Registry, checker: Checker | None,
                 result: IngestResult) -> None:
        self.con = con
        self.registry = registry
        self.checker = checker
        self.result = result
        result.checks = checker is not None
        self.now = datetime.now().replace(microsecond=0)
        self.current = {(a, y): twins.Reading(rid, rev, h, path, published, fmt, set(paths or ()))
                        for a, y, rid, rev, h, path, published, fmt, paths in con.execute(_CURRENT_READINGS).fetchall()}
        self.corrections = latest_corrections(con)
        self.next_id = con.execute("SELECT coalesce(max(report_id), 0) + 1 FROM reports").fetchone()[0]
        self.names: dict[str, str] = dict(con.execute("SELECT name, agency_id FROM agency_names").fetchall())
        self.known = set(self.names) | set(self.names.values()) | set(registry.aliases)
        self.key_of: dict[int, tuple[str, int]] = {}
        self.stale: set[int] = set()
        self.alternated: set[int] = set()  # current readings a better twin replaced
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
        for outcome in batch:
            if "key" in outcome and outcome["key"] in self.corrections:
                self._correct(outcome)
        # The current revisions these files may replace, to compare cell by cell.
        earlier = load_record_dicts(self.con, [
            self.current[o["key"]].report_id for o in batch
            if "key" in o and o["key"] in self.current and self.current[o["key"]].content_hash != o["hash"]])
        rows: dict[str, list[tuple]] = defaultdict(list)
        new: dict[int, dict[str, Any]] = {}
        replaced: list[int] = []
        reread: list[tuple[int, dict[str, Any]]] = []  # same content as the current revision
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
                old = new.get(current.report_id) or earlier.get(current.report_id)
                changes = [] if current.content_hash == outcome["hash"] else revisions.changed_cells(old, record)
                if revisions.adds_nothing(changes):
                    rows["documents"].append(self._doc(outcome, "same_record", current.report_id))
                    self.result.unchanged += 1
                    if not changes:
                        reread.append((current.report_id, outcome))
                    continue
                if not outcome.get("correction") and twins.same_report(
                        current, outcome["path"], record.get("published_on"), old, record):
                    self._twin(outcome, current, old, rows, new, replaced)  # type: ignore[arg-type]
                    continue
            report_id, revision = self.next_id, (current.revision + 1 if current else 1)
            self.next_id += 1
            if current is not None:
                replaced.append(current.report_id)
                summary = revisions.summary(changes, revision)
                if outcome.get("correction"):
                    summary += f" — 人工更正（{outcome['correction']}）"
                rows["revision_log"].append((*key, current.report_id, report_id, self.now,
                                             revisions.to_json(changes), summary))
            self.current[key] = twins.Reading(report_id, revision, outcome["hash"], outcome["path"],
                                              record.get("published_on"), record["source"]["format"],
                                              {outcome["path"]})
            self._add_report(report_id, revision, outcome, rows, new)
            self.result.loaded += 1
        rows["findings"].extend(self._check(new))
        self._refresh_sources(reread, rows)
        for table, table_rows in rows.items():
            insert_rows(self.con, table, table_rows)
        if replaced:
            _id_filter(self.con, replaced)
            self.con.execute("UPDATE reports SET is_current = false WHERE report_id IN (SELECT report_id FROM _wb_ids)")
        if self.alternated:
            _id_filter(self.con, self.alternated)
            self.con.execute("UPDATE reports SET alternate = true WHERE report_id IN (SELECT report_id FROM _wb_ids)")
            self.alternated.clear()
        self.result.revisions += len(rows["revision_log"])
        self.result.findings += len(rows["findings"])

    def _add_report(self, report_id: int, revision: int, outcome: dict[str, Any], rows: dict[str, list[tuple]],
                    new: dict[int, dict[str, Any]] | None, *, alternate: bool = False) -> None:
        """The rows of one report (the caller counts it); ``new`` collects the ones to check (not alternates)."""
        key, record = outcome["key"], outcome["record"]
        self.key_of[report_id] = key
        if new is not None:
            new[report_id] = record
        rows["reports"].append(_report_row(report_id, key, revision, outcome, self.now, alternate=alternate))
        for table, detail in detail_rows(report_id, record).items():
            rows[table].extend(detail)
        rows["findings"].extend(_parse_finding(report_id, f) for f in record["findings"])
        if not outcome.get("correction"):  # a correction adds no file: its document is the current one's
            rows["documents"].append(self._doc(outcome, "alternate" if alternate else "loaded", report_id))

    def _refresh_sources(self, reread: list[tuple[int, dict[str, Any]]], rows: dict[str, list[tuple]]) -> None:
        """A report's own file (same path, same bytes) read again to the same content, as
        ``--reparse`` does after an upgrade: its OCR provenance replaces the stored one (a store
        loaded before cell_sources existed had none). Another file's boxes never do: they are
        boxes on that file's pages."""
        if not reread:
            return
        _id_filter(self.con, [report_id for report_id, _ in reread])
        stored = {rid: (path, sha) for rid, path, sha in self.con.execute(
            "SELECT report_id, source_path, source_sha256 FROM reports JOIN _wb_ids USING (report_id)").fetchall()}
        same = [(rid, o) for rid, o in reread if stored.get(rid) == (o["path"], o["sha256"])]
        if not same:
            return
        _id_filter(self.con, [report_id for report_id, _ in same])
        self.con.execute("DELETE FROM cell_sources WHERE report_id IN (SELECT report_id FROM _wb_ids)")
        for report_id, outcome in same:
            rows["cell_sources"].extend(cell_source_rows(report_id, outcome["record"]))

    def _twin(self, outcome: dict[str, Any], current: twins.Reading, old: dict[str, Any],
              rows: dict[str, list[tuple]], new: dict[int, dict[str, Any]], replaced: list[int]) -> None:
        """Another file of the report ``current`` reads: the better reading becomes (or stays) current."""
        record, key = outcome["record"], outcome["key"]
        fmt = record["source"]["format"]
        mine, theirs = twins.quality(record, fmt), twins.quality(old, current.format)
        report_id = self.next_id
        self.next_id += 1
        self.result.alternates += 1  # no new report for the agency-year, whichever reading wins
        if mine > theirs:  # the new file is the better reading: it becomes current, the old one alternate
            cells = twins.disagreements(record, old)
            if cells:
                record["findings"].append(twins.disagreement_finding(
                    fmt, current.path or "", current.format, cells, twins.why_better(mine, theirs)))
            replaced.append(current.report_id)
            self.alternated.add(current.report_id)
            self.current[key] = twins.Reading(report_id, current.revision, outcome["hash"], outcome["path"],
                                              record.get("published_on"), fmt, current.paths | {outcome["path"]})
            self._add_report(report_id, current.revision, outcome, rows, new)
            return
        cells = twins.disagreements(old, record)
        if cells:
            rows["findings"].append(_parse_finding(current.report_id, twins.disagreement_finding(
                current.format, outcome["path"], fmt, cells, twins.why_better(theirs, mine))))
        current.paths.add(outcome["path"])
        self._add_report(report_id, current.revision, outcome, rows, None, alternate=True)

    def _correct(self, outcome: dict[str, Any]) -> None:
        """Apply the agency-year's corrections to this reading (and re-hash it)."""
        applied = apply_corrections(outcome["record"], self.corrections[outcome["key"]], outcome["key"])
        outcome["hash"] = content_hash(outcome["record"])
        if not outcome.get("correction"):
            self.result.corrected.extend(applied)

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

    def add_duplicates(self, duplicates: list[Planned]) -> None:
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
                         -- of the readings that were current (one per name), the latest; alternates stay so
                         report_id = max(report_id) FILTER (WHERE is_current) OVER (PARTITION BY agency_id, year)
                             AS is_current
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
        from workbench.store.roster import sync_roster

        sync_roster(self.con, self.registry, self.names)  # deadlines, registry rows, imported names again

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


def _parse_finding(report_id: int, finding: dict[str, Any]) -> tuple:
    return (report_id, "parse", finding["rule"], finding["severity"], finding["message"], None, None,
            finding.get("section"), None)


def _report_row(report_id: int, key: tuple[str, int], revision: int, outcome: dict[str, Any],
                now: datetime, *, alternate: bool = False) -> tuple:
    record = outcome["record"]
    cells = [*record["active_disclosure"], *record["requests"], *record["review_litigation"]]
    fees = record.get("fees_collected_yuan")
    return (report_id, key[0], record["agency"], key[1], revision, not alternate, record.get("template"),
            valid_date(record.get("published_on")), None if fees is None else float(fees), outcome["path"],
            outcome["sha256"], record["source"]["format"], outcome["hash"], len(cells),
            sum(c["value"] is not None for c in cells), now, alternate)


def checker() -> Checker | None:
    """The checks, when workbench.checks is importable (the store works without them)."""
    try:
        from workbench.checks import check_report
    except ImportError:
        return None
    return check_report
