"""Bookkeeping for the incremental narrative refresh: what the last refresh was computed from,
and what has changed in the store since.

The refresh that follows an ingest (:func:`workbench.narrative.store.refresh`) compares only
what changed, and must give the very rows a full refresh would. Its inputs split cleanly:

* a tag depends on the item's text and the taxonomy only;
* everything compared *within an agency* (earlier items, the previous report's sections,
  repeated problems) depends on that agency's current reports and the boilerplate;
* everything compared *across agencies* depends on one year's current reports and the
  boilerplate;
* the boilerplate (shingles held by more than ``boilerplate_share`` of a kind's texts) depends
  on how many texts of the whole corpus hold each shingle.

So the last refresh leaves, in the tables ``narrative_state*`` and ``narrative_shingles`` of
workbench/narrative/schema.sql: digests of the taxonomy, the similarity config and the code
(any change → full refresh), each report it was computed from with its agency, year and a
digest of its items and compared sections, and per kind of text (items, section 一, section 五)
how many texts hold each shingle. The next refresh (:func:`plan`) finds the reports added (new,
or changed, or moved to another agency) and removed since, moves the shingle counts by their
texts only, and then

* tags only the item texts no kept item already has (the others' tags are copied);
* redoes the within-agency part of every agency with an added or removed report, and the
  across-agency part of every year with one (old and new agency and year: a row that points
  at a removed report is of that report's agency or year, so it goes too);
* for a kind whose boilerplate set came out different, redoes that kind's comparisons in every
  agency and year. A shingle at the threshold is in ~30 % of the texts of its kind, so a
  changed set changes most of them. The threshold moves with every text added, so a set
  moves whenever a shingle sits close to it: often in a small corpus (tests/
  test_narrative_incremental.py), seldom in a generated one of thousands; a real province's is
  not measured. When every kind's set moved: a full refresh.

Shingle codes of texts are not kept between runs (a province's sections would double the
database): the texts of the agencies and years redone are shingled again.
"""

from __future__ import annotations

import hashlib
import json
import platform
import unicodedata
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, fields
from functools import cache
from importlib import metadata, resources
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa

from workbench.narrative.model import COMPARED_SECTIONS, ITEM_SECTIONS, OTHER_AGENCY, SAME_AGENCY
from workbench.narrative.similarity import Codes, ShingleCounter, SimilarityConfig, shingle_codes
from workbench.narrative.tagging import Tagger
from workbench.narrative.taxonomy import Taxonomy

RESULT_TABLES = ("narrative_themes", "narrative_tags", "narrative_matches", "section_similarity",
                 "repeated_problems")
STATE_TABLES = ("narrative_state", "narrative_state_reports", "narrative_shingles")
# The kinds of text the boilerplate is counted over, and the sections each takes its rows from.
KINDS: dict[str, tuple[str, ...]] = {"items": ITEM_SECTIONS, **{name: (name,) for name in COMPARED_SECTIONS}}
# What a refresh computes, in parts that depend on different inputs: the item matches (items'
# boilerplate), the section scores of each compared section (its boilerplate), the repeated
# problems (tags only).
PARTS = (*KINDS, "repeated")
# Which rows of narrative_items and report_sections the analysis reads ({sections}: a list of
# section names): the one definition, shared with the queries of workbench/narrative/store.py.
ITEM_ROWS = "list_contains({sections}, i.section) AND i.text IS NOT NULL"
SECTION_ROWS = "list_contains({sections}, s.section) AND coalesce(trim(s.text), '') <> ''"

# What the code digest covers: the narrative package (code, dictionary, defaults), the text
# normalisation it calls, and the libraries whose output it stores.
_CODE_FILES = ("workbench/textnorm.py", "workbench/parse/prose.py")
_LIBRARIES = ("duckdb", "datasketch", "jieba", "numpy")

# Each report's rows, hashed in an order of their own (the digest says whether the report
# still holds what it held when the results were computed).
_DIGESTS = f"""
    CREATE OR REPLACE TEMP TABLE _narrative_digests AS
    WITH rows AS (
        SELECT i.report_id, hash('item', i.section, i.ordinal, i.text) AS h FROM narrative_items i
        WHERE {ITEM_ROWS.format(sections='$items')}
        UNION ALL
        SELECT s.report_id, hash('section', s.section, s.text) FROM report_sections s
        WHERE {SECTION_ROWS.format(sections='$compared')}
    ), digests AS (SELECT report_id, hash(list(h ORDER BY h)) AS digest FROM rows GROUP BY report_id)
    SELECT r.report_id, r.agency_id, r.year, r.is_current, coalesce(d.digest, 0)::UBIGINT AS digest
    FROM reports r LEFT JOIN digests d USING (report_id)
    WHERE r.is_current OR r.report_id IN (SELECT report_id FROM narrative_state_reports)
"""
_CHANGES = """
    CREATE OR REPLACE TEMP TABLE _narrative_added AS
    SELECT report_id, agency_id, year, digest FROM _narrative_digests WHERE is_current
    EXCEPT SELECT report_id, agency_id, year, digest FROM narrative_state_reports;
    CREATE OR REPLACE TEMP TABLE _narrative_removed AS
    SELECT report_id, agency_id, year, digest FROM narrative_state_reports
    EXCEPT SELECT report_id, agency_id, year, digest FROM _narrative_digests WHERE is_current;
    CREATE OR REPLACE TEMP TABLE _narrative_agencies AS
    SELECT agency_id FROM _narrative_added UNION SELECT agency_id FROM _narrative_removed;
    CREATE OR REPLACE TEMP TABLE _narrative_years AS
    SELECT year FROM _narrative_added UNION SELECT year FROM _narrative_removed;
"""
# Removed reports whose rows are no longer those the results were computed from (edited in
# place, or deleted): what they added to the shingle counts cannot be taken back.
_LOST = """
    SELECT count(*) FROM _narrative_removed x LEFT JOIN _narrative_digests d USING (report_id)
    WHERE d.digest IS DISTINCT FROM x.digest
"""
_TEMPS = ("_narrative_digests", "_narrative_added", "_narrative_removed", "_narrative_agencies",
          "_narrative_years")
# A kind's rows of the reports that came (+1) and went (-1): the texts whose count moved.
_ROWS = {
    "items": f"SELECT i.report_id, i.text FROM narrative_items i WHERE {ITEM_ROWS.format(sections='$sections')}",
    "sections": f"SELECT s.report_id, s.text FROM report_sections s WHERE {SECTION_ROWS.format(sections='$sections')}",
}
_MOVED = """
    SELECT text, sum(w)::BIGINT FROM (
        SELECT x.text, 1 AS w FROM ({rows}) x WHERE x.report_id IN (SELECT report_id FROM _narrative_added)
        UNION ALL
        SELECT x.text, -1 AS w FROM ({rows}) x WHERE x.report_id IN (SELECT report_id FROM _narrative_removed)
    ) GROUP BY text HAVING sum(w) <> 0
"""
# For each distinct item text of an added report, the tags of one kept item with that text.
_KNOWN_TAGS = f"""
    WITH wanted AS (
        SELECT DISTINCT i.text FROM narrative_items i
        WHERE {ITEM_ROWS.format(sections='$sections')} AND i.report_id IN (SELECT report_id FROM _narrative_added)
    ), source AS (
        SELECT i.text, i.report_id, i.section, i.ordinal FROM narrative_items i
        JOIN narrative_state_reports k USING (report_id)
        WHERE {ITEM_ROWS.format(sections='$sections')} AND i.text IN (SELECT text FROM wanted)
          AND i.report_id NOT IN (SELECT report_id FROM _narrative_removed)
        QUALIFY row_number() OVER (PARTITION BY i.text ORDER BY i.report_id, i.section, i.ordinal) = 1
    )
    SELECT w.text, t.tag, t.trigger_words
    FROM wanted w LEFT JOIN source s USING (text)
    LEFT JOIN narrative_tags t ON t.report_id = s.report_id AND t.section = s.section AND t.ordinal = s.ordinal
"""
_IN_STATE_OF = "SELECT report_id FROM narrative_state_reports WHERE {column} IN (SELECT {column} FROM _narrative_{table})"
_SCOPED = {
    "same": f"kind = '{SAME_AGENCY}' AND report_id IN ({_IN_STATE_OF.format(column='agency_id', table='agencies')})",
    "other": f"kind = '{OTHER_AGENCY}' AND report_id IN ({_IN_STATE_OF.format(column='year', table='years')})",
}


class StoredCounter(ShingleCounter):
    """A :class:`ShingleCounter` that can be saved and loaded (its counts as arrays), and that
    can take texts away again: ``add`` with a negative ``times``. The boilerplate rule is the
    inherited one, so a loaded and moved counter answers as one counted afresh."""

    def _fold(self) -> None:
        super()._fold()
        kept = self._counts != 0  # a shingle whose last text went
        if not kept.all():
            self._codes, self._counts = self._codes[kept], self._counts[kept]

    def arrays(self) -> tuple[Codes, np.ndarray]:
        """The shingles held by any text (sorted) and how many texts hold each."""
        self._fold()
        return self._codes, self._counts

    @classmethod
    def loaded(cls, codes: Codes, counts: np.ndarray, texts: int) -> StoredCounter:
        counter = cls()
        counter._codes, counter._counts, counter.texts = codes, counts.astype(np.int64), texts
        return counter

    def merged(self, delta: StoredCounter) -> StoredCounter:
        codes, counts = self.arrays()
        moved, by = delta.arrays()
        union = np.union1d(codes, moved)
        total = np.zeros(union.size, dtype=np.int64)
        total[np.searchsorted(union, codes)] += counts
        total[np.searchsorted(union, moved)] += by
        kept = total != 0
        return StoredCounter.loaded(union[kept], total[kept], self.texts + delta.texts)

    def count_of(self, codes: Codes) -> np.ndarray:
        """How many texts hold each of ``codes`` (0 for a shingle no text holds)."""
        mine, counts = self.arrays()
        if not mine.size:
            return np.zeros(codes.size, dtype=np.int64)
        at = np.minimum(np.searchsorted(mine, codes), mine.size - 1)
        return np.where(mine[at] == codes, counts[at], 0)


@dataclass
class Plan:
    """What an incremental refresh redoes (the temp tables ``_narrative_added`` … hold the ids)."""

    added: int
    removed: int
    agencies: list[str]  # every agency of an added or removed report: within-agency redone
    years: list[int]  # every year of one: across-agency redone
    flipped: list[str]  # kinds whose boilerplate changed: their comparisons are redone everywhere
    counters: dict[str, StoredCounter]  # per kind, the shingle counts after the change
    moved: dict[str, StoredCounter]  # per kind, by how much they moved
    codes: dict[str, dict[str, Codes]] = field(default_factory=dict)  # codes of the texts that moved

    def common(self, config: SimilarityConfig) -> dict[str, Codes]:
        return {kind: counter.boilerplate(config) for kind, counter in self.counters.items()}


def fingerprint(taxonomy: Taxonomy, config: SimilarityConfig) -> dict[str, str]:
    """Digests of what the results depend on besides the reports."""
    themes = [[t.key, t.label, t.description, sorted(t.words), [sorted(g) for g in t.together], sorted(t.unless)]
              for t in taxonomy.themes]
    settings = {f.name: _plain(getattr(config, f.name)) for f in fields(config)}
    return {"taxonomy": _sha(themes), "config": _sha(settings), "code": code_digest()}


def _plain(value: Any) -> Any:
    return [value.pattern, value.flags] if hasattr(value, "pattern") else value


def _sha(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


@cache
def code_digest() -> str:
    """The narrative package's files, the normalisation it calls and the library versions: a
    new workbench (or DuckDB, whose hash() makes the report digests) means a full refresh."""
    digest = hashlib.sha256()
    package = resources.files("workbench.narrative")
    names = sorted(p.name for p in package.iterdir() if p.name.endswith((".py", ".txt", ".yaml", ".sql")))
    root = Path(str(resources.files("workbench"))).parent
    for name, data in [*((n, package.joinpath(n).read_bytes()) for n in names),
                       *((n, (root / n).read_bytes()) for n in _CODE_FILES)]:
        digest.update(name.encode() + b"\0" + data + b"\0")
    versions = [platform.python_version(), unicodedata.unidata_version,
                *(f"{lib} {metadata.version(lib)}" for lib in _LIBRARIES)]
    digest.update("\n".join(versions).encode())
    return digest.hexdigest()


def boilerplate_digest(common: Codes) -> str:
    return hashlib.sha256(common.astype("<u8").tobytes()).hexdigest()


def digest_reports(con: duckdb.DuckDBPyConnection) -> None:
    """``_narrative_digests``: every current report and every report of the last refresh."""
    con.execute(_DIGESTS, {"items": list(ITEM_SECTIONS), "compared": list(COMPARED_SECTIONS)})


def drop_temps(con: duckdb.DuckDBPyConnection) -> None:
    for table in _TEMPS:
        con.execute(f"DROP TABLE IF EXISTS {table}")


def plan(con: duckdb.DuckDBPyConnection, config: SimilarityConfig, wanted: dict[str, str]) -> Plan | str:
    """What changed since the last refresh (after :func:`digest_reports`), or why only a full
    refresh will do. ``wanted``: the :func:`fingerprint` of this run."""
    state = dict(con.execute("SELECT key, value FROM narrative_state").fetchall())
    if not state:
        return "no earlier refresh to build on"
    changed = [key for key, value in wanted.items() if state.get(key) != value]
    if changed:
        return f"the {' and the '.join(changed)} changed"
    if any(state.get(key) != value for key, value in result_marks(con).items()):
        return "the result tables are not those the last refresh left"
    con.execute(_CHANGES)
    if _scalar(con, _LOST):
        return "a report the results were computed from was changed in place or deleted"
    counters, moved, codes, flipped = {}, {}, {}, []
    for kind, sections in KINDS.items():
        delta, codes[kind] = _moved(con, kind, sections, config)
        stored = con.sql("SELECT code, texts FROM narrative_shingles WHERE kind = $kind ORDER BY code",
                         params={"kind": kind}).to_arrow_table()
        before = StoredCounter.loaded(np.asarray(stored.column("code").to_numpy(), dtype=np.uint64),
                                      np.asarray(stored.column("texts").to_numpy(), dtype=np.int64),
                                      int(state.get(f"texts:{kind}", 0)))
        counters[kind], moved[kind] = before.merged(delta), delta
        if boilerplate_digest(counters[kind].boilerplate(config)) != state.get(f"boilerplate:{kind}"):
            flipped.append(kind)
    if len(flipped) == len(KINDS):
        return "the boilerplate of every kind of text changed"
    agencies = [row[0] for row in con.execute("SELECT agency_id FROM _narrative_agencies ORDER BY 1").fetchall()]
    years = [row[0] for row in con.execute("SELECT year FROM _narrative_years ORDER BY 1").fetchall()]
    return Plan(_scalar(con, "SELECT count(*) FROM _narrative_added"),
                _scalar(con, "SELECT count(*) FROM _narrative_removed"), agencies, years, flipped, counters, moved,
                codes)


def _moved(con: duckdb.DuckDBPyConnection, kind: str, sections: Sequence[str],
           config: SimilarityConfig) -> tuple[StoredCounter, dict[str, Codes]]:
    delta, codes = StoredCounter(), {}
    rows = _ROWS["items" if kind == "items" else "sections"]
    for text, times in con.execute(_MOVED.format(rows=rows), {"sections": list(sections)}).fetchall():
        codes[text] = shingle_codes(text, config)
        delta.add(codes[text], times)
    return delta, codes


def added_tags(con: duckdb.DuckDBPyConnection, taxonomy: Taxonomy) -> tuple[pa.Table, int]:
    """(text, tag, trigger_words) for every distinct item text of the added reports: copied from
    a kept item with the same text, else tagged now; and how many texts were tagged now."""
    known = con.sql(_KNOWN_TAGS, params={"sections": list(ITEM_SECTIONS)}).to_arrow_table()
    fresh = sorted({text for text, tag in zip(known.column("text").to_pylist(), known.column("tag").to_pylist(),
                                               strict=True) if tag is None})
    known = known.filter(known.column("tag").is_valid())
    if not fresh:
        return known, 0
    tagger = Tagger(taxonomy)
    rows = [(text, theme, list(words)) for text in fresh for theme, words in tagger.themes(text)]
    tagged = pa.table({"text": pa.array([r[0] for r in rows], pa.string()),
                       "tag": pa.array([r[1] for r in rows], pa.string()),
                       "trigger_words": pa.array([r[2] for r in rows], pa.list_(pa.string()))})
    return pa.concat_tables([known, tagged.cast(known.schema)]), len(fresh)


def forget(con: duckdb.DuckDBPyConnection, scoped: Collection[str], everywhere: Collection[str]) -> None:
    """Delete the rows the incremental refresh recomputes: the tags of removed reports; for the
    ``scoped`` parts (:data:`PARTS`), the within-agency rows of every agency in
    ``_narrative_agencies`` and the across-agency rows of every year in ``_narrative_years`` (as
    the last refresh filed them); for the parts ``everywhere``, all their rows. A row pointing
    at a removed report goes too: that report is of the row's agency or of its year."""
    con.execute("DELETE FROM narrative_tags WHERE report_id IN (SELECT report_id FROM _narrative_removed)")
    for part in [*scoped, *everywhere]:
        if part == "repeated":
            wanted = "true" if part in everywhere else "agency_id IN (SELECT agency_id FROM _narrative_agencies)"
            con.execute(f"DELETE FROM repeated_problems WHERE {wanted}")
            continue
        table, rows = ("narrative_matches", "true") if part == "items" else ("section_similarity", f"section = '{part}'")
        wanted = "true" if part in everywhere else f"(({_SCOPED['same']}) OR ({_SCOPED['other']}))"
        con.execute(f"DELETE FROM {table} WHERE {rows} AND {wanted}")


def save_full(con: duckdb.DuckDBPyConnection, wanted: dict[str, str], counters: dict[str, StoredCounter],
              config: SimilarityConfig) -> None:
    """The state of a full refresh (inside its transaction, after its results)."""
    for table in STATE_TABLES:
        con.execute(f"DELETE FROM {table}")
    con.execute("INSERT INTO narrative_state_reports SELECT report_id, agency_id, year, digest "
                "FROM _narrative_digests WHERE is_current")
    for kind, counter in counters.items():
        _insert_counts(con, kind, *counter.arrays())
    _save_keys(con, wanted, counters, config)


def save_incremental(con: duckdb.DuckDBPyConnection, wanted: dict[str, str], todo: Plan,
                     config: SimilarityConfig) -> None:
    """Move the state by the plan's reports (inside the transaction, after the results)."""
    con.execute("DELETE FROM narrative_state_reports WHERE report_id IN (SELECT report_id FROM _narrative_removed)")
    con.execute("INSERT INTO narrative_state_reports SELECT * FROM _narrative_added")
    for kind, delta in todo.moved.items():
        codes, _ = delta.arrays()
        if not codes.size:
            continue
        counts = todo.counters[kind].count_of(codes)
        con.register("_narrative_moved", pa.table({"code": pa.array(codes, pa.uint64())}))
        try:
            con.execute("DELETE FROM narrative_shingles WHERE kind = ? AND code IN (SELECT code FROM _narrative_moved)",
                        [kind])
        finally:
            con.unregister("_narrative_moved")
        _insert_counts(con, kind, codes[counts != 0], counts[counts != 0])
    con.execute("DELETE FROM narrative_state")
    _save_keys(con, wanted, todo.counters, config)


def _insert_counts(con: duckdb.DuckDBPyConnection, kind: str, codes: Codes, counts: np.ndarray) -> None:
    table = pa.table({"kind": pa.array([kind] * codes.size, pa.string()), "code": pa.array(codes, pa.uint64()),
                      "texts": pa.array(counts, pa.int64())})
    con.register("_narrative_counts", table)
    try:
        con.execute("INSERT INTO narrative_shingles SELECT * FROM _narrative_counts")
    finally:
        con.unregister("_narrative_counts")


def _save_keys(con: duckdb.DuckDBPyConnection, wanted: dict[str, str], counters: dict[str, StoredCounter],
               config: SimilarityConfig) -> None:
    keys = {**wanted, **result_marks(con)}
    for kind, counter in counters.items():
        keys[f"texts:{kind}"] = str(counter.texts)
        keys[f"boilerplate:{kind}"] = boilerplate_digest(counter.boilerplate(config))
    con.executemany("INSERT INTO narrative_state VALUES (?, ?)", sorted(keys.items()))


def result_marks(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Row counts of the result tables and a digest of the themes: what a refresh that does not
    keep this state (an older workbench) would change, so the next one knows not to build on it."""
    marks = {f"rows:{table}": str(_scalar(con, f"SELECT count(*) FROM {table}")) for table in RESULT_TABLES}
    themes = con.execute("SELECT tag, label, description, position FROM narrative_themes ORDER BY ALL").fetchall()
    marks["themes"] = _sha([list(row) for row in themes])
    return marks


def _scalar(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    rows = con.execute(sql).fetchall()  # all: DuckDB wants a result finished before the next
    return int(rows[0][0]) if rows else 0
