"""The narrative analysis on the DuckDB store: read items and sections, write the results.

Reads ``narrative_items``, ``report_sections`` and ``reports`` (current revisions only) from
workbench/store/schema.sql; writes the tables of ``workbench/narrative/schema.sql``, which are
derived data: a full :func:`refresh` replaces them whole, so a changed taxonomy only needs
``workbench narrative --refresh`` (no re-ingest). The refresh after an ingest is incremental
(workbench/narrative/incremental.py): it redoes only the agencies and years whose reports
came or went, with the same rows as a full one (tests/test_narrative_incremental.py).

A province's store holds ~600,000 items and ~200,000 compared sections, so :func:`refresh`
never holds them all. It makes three passes, each reading only what it needs from DuckDB:

1. the corpus, one *distinct* text at a time: its shingle codes (kept in a DuckDB temp table,
   so no text is normalised twice), how many texts hold each shingle (the boilerplate rule)
   and, for items, its themes (joined back to the items in SQL);
2. batches of agencies: everything compared within one agency (earlier items, the previous
   report's sections, repeated problems);
3. one year at a time: everything compared across agencies (near-duplicates of the year).

The answer is the same as :func:`workbench.narrative.analyse` over everything at once
(tests/test_narrative_store.py holds it to that).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, fields
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from workbench.i18n import t
from workbench.narrative import incremental
from workbench.narrative.followthrough import repeated_problems
from workbench.narrative.incremental import (
    ITEM_ROWS,
    KINDS,
    PARTS,
    RESULT_TABLES,
    SECTION_ROWS,
    Plan,
    StoredCounter,
)
from workbench.narrative.model import (
    COMPARED_SECTIONS,
    ITEM_SECTIONS,
    OTHER_AGENCY,
    SAME_AGENCY,
    UNTAGGED,
    Item,
    SectionText,
    Tag,
)
from workbench.narrative.similarity import (
    Codes,
    SimilarityConfig,
    default_config,
    match_item_sets,
    score_sections,
    shingle_codes,
    without,
)
from workbench.narrative.tagging import Tagger
from workbench.narrative.taxonomy import Taxonomy, default_taxonomy
from workbench.store import IngestResult, ingest
from workbench.store.connect import (
    NARRATIVE_STALE,
    kill_point,
    narrative_stale,
    remove_stale_temps,
    snapshot,
    write,
    writer_lock,
)

S = TypeVar("S")

INPUT_TABLES = ("reports", "narrative_items", "report_sections")
AGENCY_BATCH = 1000  # agencies per pass-2 batch: a few MB of items and sections
_FETCH = 20_000  # rows per fetch when streaming texts out of DuckDB

# The current revision's items and compared sections, narrowed by {where} (a batch, a year),
# and the order the comparisons read them in: they break ties and pick bounded candidates by
# position, so the same store must always give the same rows in the same order.
_ITEMS = f"""
    SELECT i.report_id, r.agency_id, r.year, i.section, i.ordinal, i.text
    FROM narrative_items i JOIN reports r USING (report_id)
    WHERE r.is_current AND {ITEM_ROWS.format(sections='$sections')} AND {{where}}
"""
_ITEM_ORDER = "agency_id, year, report_id, section, ordinal"
_SECTIONS = f"""
    SELECT s.report_id, r.agency_id, r.year, s.section, s.text
    FROM report_sections s JOIN reports r USING (report_id)
    WHERE r.is_current AND {SECTION_ROWS.format(sections='$sections')} AND {{where}}
"""
_SECTION_ORDER = "agency_id, year, report_id, section"
_ORDERED = "SELECT * FROM ({query}) ORDER BY {order}"
# The same rows with each text's shingle codes from pass 1 (kind: items, overview, problems).
_CODED = """
    SELECT x.*, c.codes FROM ({query}) x
    JOIN _narrative_codes c ON c.kind = $kind AND c.text = x.text
    ORDER BY {order}
"""
_CODES_TABLE = "CREATE OR REPLACE TEMP TABLE _narrative_codes (kind VARCHAR, text VARCHAR, codes UBIGINT[])"
_IN_BATCH = "r.agency_id IN (SELECT agency_id FROM _narrative_batches WHERE batch = $batch)"
_IN_YEAR = "r.year = $year"
_BATCHES = """
    CREATE OR REPLACE TEMP TABLE _narrative_batches AS
    SELECT agency_id, (row_number() OVER (ORDER BY agency_id) - 1) // $size AS batch
    FROM (SELECT DISTINCT agency_id FROM reports WHERE is_current AND {where})
"""
_BATCH_TAGS = f"""
    SELECT t.report_id, t.section, t.ordinal, t.tag
    FROM narrative_tags t JOIN reports r USING (report_id)
    WHERE r.is_current AND t.tag <> '{UNTAGGED}' AND {_IN_BATCH}
"""
_TAGS_FROM_TEXTS = """
    INSERT INTO narrative_tags BY NAME
    SELECT i.report_id, i.section, i.ordinal, t.tag, t.trigger_words
    FROM narrative_items i JOIN reports r USING (report_id) JOIN _narrative_text_tags t USING (text)
    WHERE r.is_current AND list_contains($sections, i.section) AND {where}
"""
# The rows an incremental refresh compares again: the current reports of its agencies and years.
_CHANGED = ("(r.agency_id IN (SELECT agency_id FROM _narrative_scope_agencies) "
            "OR r.year IN (SELECT year FROM _narrative_scope_years))")
_ADDED = "i.report_id IN (SELECT report_id FROM _narrative_added)"


class NarrativeStoreError(ValueError):
    """The connection is not a workbench store (a table the analysis reads is missing)."""


@dataclass(frozen=True)
class RefreshCounts:
    """Rows written by one :func:`refresh` (what ``workbench narrative --refresh`` reports), and
    how much it compared again."""

    items: int
    distinct_texts: int
    narrative_tags: int
    narrative_matches: int
    section_similarity: int
    repeated_problems: int
    incremental: bool = False  # only what changed since the last refresh was compared again
    full_because: str = ""  # why everything was (empty when incremental)
    reports_added: int = 0  # current reports the last refresh did not see (new, changed or moved)
    reports_removed: int = 0  # reports it saw that are no longer current as they were
    agencies: int = 0  # agencies compared again within the agency
    years: int = 0  # years compared again across agencies
    texts_coded: int = 0  # distinct texts shingled
    texts_tagged: int = 0  # distinct item texts tagged
    boilerplate_moved: str = ""  # kinds whose boilerplate changed: compared again everywhere


def tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}


def apply_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(resources.files("workbench.narrative").joinpath("schema.sql").read_text("utf-8"))


def load_items(con: duckdb.DuckDBPyConnection, where: str = "true", **params: Any) -> list[Item]:
    sql = _ORDERED.format(query=_ITEMS.format(where=where), order=_ITEM_ORDER)
    rows = con.execute(sql, {"sections": list(ITEM_SECTIONS), **params}).fetchall()
    return [Item(*row) for row in rows]


def load_sections(con: duckdb.DuckDBPyConnection, where: str = "true", **params: Any) -> list[SectionText]:
    sql = _ORDERED.format(query=_SECTIONS.format(where=where), order=_SECTION_ORDER)
    rows = con.execute(sql, {"sections": list(COMPARED_SECTIONS), **params}).fetchall()
    return [SectionText(*row) for row in rows]


def ingest_and_compare(paths: Sequence[str | Path], db: str | Path, *, narrative: bool = True,
                       wait: float = 0.0, **options: Any) -> IngestResult:
    """:func:`workbench.store.ingest`, then the narrative refresh when the store's section 五
    tables are behind its cells (and ``narrative``): what ``workbench ingest`` and the first run
    do. ``options`` go to ingest.

    Behind means meta ``narrative_stale`` is set: by this run's swap, or by an earlier run killed
    between its swap and the refresh's — which this run then finishes, even when no file changed
    (``result.narrative`` says which)."""
    result = ingest(paths, db, wait=wait, **options)
    if not result.files:
        return result
    if result.swapped:
        kill_point("ingest-swapped")
    if narrative:
        if refresh_if_stale(db, wait=wait) is not None:
            result.narrative = "refreshed" if result.swapped else "resumed"
    elif narrative_stale(db):
        result.narrative = "stale"
    return result


def refresh_if_stale(db: str | Path, taxonomy: Taxonomy | None = None,
                     config: SimilarityConfig | None = None, wait: float = 0.0) -> RefreshCounts | None:
    """:func:`refresh` (incremental) on the database file if the store's meta says its narrative
    tables are behind its cells (None when they are not: the database is not copied or touched).
    The flag is read under the writer lock, so of two runs finishing the same interrupted refresh
    only the first does it."""
    path = Path(db)
    with writer_lock(path, wait):
        if not narrative_stale(path):
            return None
        remove_stale_temps(path)
        with snapshot(path) as con:
            return refresh(con, taxonomy, config)


def refresh_db(db: str | Path, taxonomy: Taxonomy | None = None,
               config: SimilarityConfig | None = None, wait: float = 0.0, *, full: bool = True) -> RefreshCounts:
    """:func:`refresh` on the database file, through the store's lock-copy-swap writer,
    so notebooks reading the store keep working while the narrative tables are rebuilt.
    Full by default: ``workbench narrative --refresh`` redoes everything."""
    with write(db, wait) as con:
        return refresh(con, taxonomy, config, full=full)


def refresh(con: duckdb.DuckDBPyConnection, taxonomy: Taxonomy | None = None,
            config: SimilarityConfig | None = None, *, agency_batch: int = AGENCY_BATCH,
            full: bool = False) -> RefreshCounts:
    """Bring the result tables up to date with the stored items and sections, in one transaction
    (readers never see half a run). Only the agencies and years whose reports came or went since
    the last refresh are compared again, unless ``full``, or the taxonomy, the config, the code or
    a boilerplate set changed (workbench/narrative/incremental.py): the rows are the same."""
    missing = [t for t in INPUT_TABLES if t not in tables(con)]
    if missing:
        raise NarrativeStoreError(t("error.not_a_store", missing=", ".join(missing)))
    taxonomy = taxonomy or default_taxonomy()
    config = config or default_config()
    apply_schema(con)
    wanted = incremental.fingerprint(taxonomy, config)
    con.execute(_CODES_TABLE)
    try:
        incremental.digest_reports(con)
        todo = "asked for" if full else incremental.plan(con, config, wanted)
        if isinstance(todo, Plan):
            return _refresh_changed(con, taxonomy, config, wanted, todo, agency_batch)
        return _refresh_all(con, taxonomy, config, wanted, todo, agency_batch)
    finally:
        con.execute("DROP TABLE IF EXISTS _narrative_batches")
        con.execute("DROP TABLE IF EXISTS _narrative_codes")
        incremental.drop_temps(con)


def _refresh_all(con: duckdb.DuckDBPyConnection, taxonomy: Taxonomy, config: SimilarityConfig,
                 wanted: dict[str, str], because: str, agency_batch: int) -> RefreshCounts:
    """Re-tag and re-compare everything, replacing the result tables and the state."""
    counters, text_tags = _corpus_pass(con, taxonomy, config)
    common = {kind: counter.boilerplate(config) for kind, counter in counters.items()}
    years = _column(con, "SELECT DISTINCT year FROM reports WHERE is_current ORDER BY 1")
    with _publishing(con):
        for table in RESULT_TABLES:
            con.execute(f"DELETE FROM {table}")
        _append(con, "narrative_themes", _themes(taxonomy))
        _insert_tags(con, text_tags, "true")
        agencies = _compare(con, PARTS, False, years, common, config, agency_batch)
        incremental.save_full(con, wanted, counters, config)
    return _counts(con, full_because=because, agencies=agencies, years=len(years),
                   texts_coded=_scalar(con, "SELECT count(*) FROM _narrative_codes"),
                   texts_tagged=len(pc.unique(text_tags["text"])))


def _refresh_changed(con: duckdb.DuckDBPyConnection, taxonomy: Taxonomy, config: SimilarityConfig,
                     wanted: dict[str, str], todo: Plan, agency_batch: int) -> RefreshCounts:
    """Re-compare the agencies and years of the plan (and, for a kind whose boilerplate moved,
    that kind's comparisons everywhere); tag the added reports' new texts."""
    common = todo.common(config)
    coded = tagged = agencies = 0
    everywhere = [part for part in PARTS if part in todo.flipped]
    scoped = [part for part in PARTS if part not in todo.flipped]
    if todo.agencies:
        coded = sum(_code_texts(con, kind, config, known=todo.codes[kind],
                                scope=None if kind in todo.flipped else (todo.agencies, todo.years))
                    for kind in KINDS)
    all_years = _column(con, "SELECT DISTINCT year FROM reports WHERE is_current ORDER BY 1") if everywhere else []
    with _publishing(con):
        if todo.agencies:
            incremental.forget(con, scoped, everywhere)
            text_tags, tagged = incremental.added_tags(con, taxonomy)
            _insert_tags(con, text_tags, _ADDED)
            agencies = _compare(con, scoped, True, todo.years, common, config, agency_batch)
            if everywhere:
                agencies = max(agencies, _compare(con, everywhere, False, all_years, common, config, agency_batch))
        incremental.save_incremental(con, wanted, todo, config)
    return _counts(con, incremental=True, reports_added=todo.added, reports_removed=todo.removed,
                   agencies=agencies, years=len(all_years or todo.years), texts_coded=coded, texts_tagged=tagged,
                   boilerplate_moved=", ".join(everywhere))


@contextmanager
def _publishing(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """One transaction for the results, the state and the stale flag: all of them or none."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield
        if "meta" in tables(con):  # caught up with the cells (published with these tables)
            con.execute("DELETE FROM meta WHERE key = ?", [NARRATIVE_STALE])
        kill_point("narrative")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def _insert_tags(con: duckdb.DuckDBPyConnection, text_tags: pa.Table, where: str) -> None:
    con.register("_narrative_text_tags", text_tags)
    try:
        con.execute(_TAGS_FROM_TEXTS.format(where=where), {"sections": list(ITEM_SECTIONS)})
    finally:
        con.unregister("_narrative_text_tags")


def _compare(con: duckdb.DuckDBPyConnection, parts: Collection[str], scoped: bool, years: Sequence[int],
             common: dict[str, Codes], config: SimilarityConfig, agency_batch: int) -> int:
    """Pass 2 over the current agencies (``scoped``: those in ``_narrative_agencies``), pass 3
    over ``years``, for ``parts``; the number of agencies compared."""
    where = "agency_id IN (SELECT agency_id FROM _narrative_agencies)" if scoped else "true"
    con.execute(_BATCHES.format(where=where), {"size": agency_batch})
    for batch in _column(con, "SELECT DISTINCT batch FROM _narrative_batches ORDER BY 1"):
        _within_agencies(con, batch, common, config, parts)
    for year in years:
        _across_agencies(con, year, common, config, parts)
    return _scalar(con, "SELECT count(*) FROM _narrative_batches")


def _corpus_pass(con: duckdb.DuckDBPyConnection, taxonomy: Taxonomy, config: SimilarityConfig,
                 ) -> tuple[dict[str, StoredCounter], pa.Table]:
    """The shingle counts of items and of each compared section (the boilerplate rule's), and
    the themes of each distinct item text; fills ``_narrative_codes``."""
    tagger = Tagger(taxonomy)
    themes: dict[str, list[Any]] = {"text": [], "tag": [], "trigger_words": []}

    def tag(text: str) -> None:
        for theme, words in tagger.themes(text):
            themes["text"].append(text)
            themes["tag"].append(theme)
            themes["trigger_words"].append(list(words))

    counters = {kind: StoredCounter() for kind in KINDS}
    for kind, counter in counters.items():
        _code_texts(con, kind, config, counter=counter, each=tag if kind == "items" else None)
    text_tags = pa.table({"text": pa.array(themes["text"], pa.string()),
                          "tag": pa.array(themes["tag"], pa.string()),
                          "trigger_words": pa.array(themes["trigger_words"], pa.list_(pa.string()))})
    return counters, text_tags


def _code_texts(con: duckdb.DuckDBPyConnection, kind: str, config: SimilarityConfig, *,
                scope: tuple[list[str], list[int]] | None = None, counter: StoredCounter | None = None,
                known: dict[str, Codes] | None = None, each: Callable[[str], None] | None = None) -> int:
    """Shingle codes of each distinct text of ``kind`` (current rows; of these agencies or years
    with ``scope``) into ``_narrative_codes``, counted into ``counter`` (weighted by how often the
    text occurs) for the boilerplate rule; ``known`` codes are not computed again. Returns the
    number of texts shingled."""
    query = _ITEMS if kind == "items" else _SECTIONS
    coded, rows = 0, []
    # a second cursor streams the texts while this connection writes the codes (it has its own
    # temp tables and registrations: the scope is registered on it)
    cursor = con.cursor()
    if scope is not None:
        cursor.register("_narrative_scope_agencies", pa.table({"agency_id": pa.array(scope[0], pa.string())}))
        cursor.register("_narrative_scope_years", pa.table({"year": pa.array(scope[1], pa.int32())}))
    texts = cursor.execute(f"SELECT text, count(*) FROM ({query.format(where='true' if scope is None else _CHANGED)}) "
                           "GROUP BY text", {"sections": list(KINDS[kind])})
    while batch := texts.fetchmany(_FETCH):
        for text, times in batch:
            codes = known.get(text) if known else None
            if codes is None:
                codes = shingle_codes(text, config)
                coded += 1
            if counter is not None:
                counter.add(codes, times)
            rows.append((text, codes))
            if each is not None:
                each(text)
        _store_codes(con, kind, rows)
        rows = []
    cursor.close()
    return coded


def _store_codes(con: duckdb.DuckDBPyConnection, kind: str, rows: list[tuple[str, Codes]]) -> None:
    # an Arrow list column straight from the numpy arrays, not element by element
    lengths = np.fromiter((len(c) for _, c in rows), dtype=np.int32, count=len(rows))
    offsets = np.concatenate([[0], np.cumsum(lengths, dtype=np.int32)])
    values = np.concatenate([c for _, c in rows]) if rows else np.empty(0, dtype=np.uint64)
    table = pa.table({"kind": pa.array([kind] * len(rows), pa.string()),
                      "text": pa.array([t for t, _ in rows], pa.string()),
                      "codes": pa.ListArray.from_arrays(pa.array(offsets), pa.array(values, pa.uint64()))})
    con.register("_narrative_rows", table)
    try:
        con.execute("INSERT INTO _narrative_codes SELECT * FROM _narrative_rows")
    finally:
        con.unregister("_narrative_rows")


def _coded(con: duckdb.DuckDBPyConnection, kind: str, query: str, order: str, sections: Sequence[str],
           where: str, prepare: Callable[[Codes], S], **params: Any) -> tuple[list[tuple[Any, ...]], list[S]]:
    """The rows of ``query`` in ``order`` and ``prepare`` of each row's shingle codes, once per
    distinct text (copied texts share one prepared set)."""
    table = con.sql(_CODED.format(query=query.format(where=where), order=order),
                    params={"sections": list(sections), "kind": kind, **params}).to_arrow_table()
    codes = table.column("codes").combine_chunks()
    values = pc.list_flatten(codes).to_numpy(zero_copy_only=False)
    ends = np.cumsum(pc.list_value_length(codes).to_numpy(zero_copy_only=False)).tolist()
    rows = list(zip(*(table.column(c).to_pylist() for c in table.column_names[:-1]), strict=True))
    text_at = table.column_names.index("text")
    prepared: dict[str, S] = {}
    sets = []
    for row, start, end in zip(rows, [0, *ends], ends, strict=False):
        text = row[text_at]
        if text not in prepared:
            prepared[text] = prepare(values[start:end])
        sets.append(prepared[text])
    return rows, sets


def _items(con: duckdb.DuckDBPyConnection, where: str, common: Codes,
           **params: Any) -> tuple[list[Item], list[frozenset[int]]]:
    common_set = frozenset(common.tolist())
    rows, sets = _coded(con, "items", _ITEMS, _ITEM_ORDER, ITEM_SECTIONS, where,
                        lambda codes: frozenset(codes.tolist()) - common_set, **params)
    return [Item(*row) for row in rows], sets


def _sections(con: duckdb.DuckDBPyConnection, where: str, common: dict[str, Codes], names: Sequence[str],
              **params: Any) -> tuple[list[SectionText], list[Codes]]:
    sections: list[SectionText] = []
    sets: list[Codes] = []
    for name in names:
        rows, codes = _coded(con, name, _SECTIONS, _SECTION_ORDER, (name,), where,
                             lambda codes, name=name: without(codes, common[name]), **params)
        sections += [SectionText(*row) for row in rows]
        sets += codes
    return sections, sets


def _within_agencies(con: duckdb.DuckDBPyConnection, batch: int, common: dict[str, Codes],
                     config: SimilarityConfig, parts: Collection[str]) -> None:
    """Pass 2 for one batch of agencies: the ``parts`` (see incremental.PARTS) asked for."""
    if "items" in parts:
        items, item_sets = _items(con, _IN_BATCH, common["items"], batch=batch)
        _append(con, "narrative_matches", match_item_sets(items, item_sets, config, kinds=(SAME_AGENCY,)))
    if "repeated" in parts:
        items = items if "items" in parts else load_items(con, _IN_BATCH, batch=batch)
        tags = [Tag(*row) for row in con.execute(_BATCH_TAGS, {"batch": batch}).fetchall()]
        _append(con, "repeated_problems", repeated_problems(items, tags))
    names = [name for name in COMPARED_SECTIONS if name in parts]
    if names:
        sections, section_sets = _sections(con, _IN_BATCH, common, names, batch=batch)
        _append(con, "section_similarity", score_sections(sections, section_sets, config, kinds=(SAME_AGENCY,)))


def _across_agencies(con: duckdb.DuckDBPyConnection, year: int, common: dict[str, Codes],
                     config: SimilarityConfig, parts: Collection[str]) -> None:
    """Pass 3 for one year: the ``parts`` asked for (repeated problems have none)."""
    if "items" in parts:
        items, item_sets = _items(con, _IN_YEAR, common["items"], year=year)
        _append(con, "narrative_matches", match_item_sets(items, item_sets, config, kinds=(OTHER_AGENCY,)))
        del items, item_sets
    names = [name for name in COMPARED_SECTIONS if name in parts]
    if names:
        sections, section_sets = _sections(con, _IN_YEAR, common, names, year=year)
        _append(con, "section_similarity", score_sections(sections, section_sets, config, kinds=(OTHER_AGENCY,)))


def _themes(taxonomy: Taxonomy) -> list[tuple[str, str, str | None, int]]:
    themes = [(t.key, t.label, t.description, n) for n, t in enumerate(taxonomy.themes, 1)]
    themes.append((UNTAGGED, taxonomy.labels()[UNTAGGED], "没有任何主题规则命中的条目", len(themes) + 1))
    return themes


def _append(con: duckdb.DuckDBPyConnection, table: str, rows: Sequence[Any]) -> None:
    """Rows (dataclasses named like the table's columns, or tuples in column order) in one
    bulk insert through an Arrow table. Arrow, not polars: building a polars frame from
    Python lists held 2.5× more memory (500 MB for 780k tag rows at 100k reports)."""
    if not rows:
        return
    if hasattr(rows[0], "__dataclass_fields__"):
        names = [f.name for f in fields(rows[0])]
        columns = {n: pa.array([getattr(r, n) for r in rows]) for n in names}
    else:
        names = [r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()]
        columns = {n: pa.array(values) for n, values in zip(names, zip(*rows, strict=True), strict=True)}
    con.register("_narrative_rows", pa.table(columns))
    try:
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _narrative_rows")
    finally:
        con.unregister("_narrative_rows")


def _column(con: duckdb.DuckDBPyConnection, sql: str) -> list[Any]:
    return [row[0] for row in con.execute(sql).fetchall()]


def _scalar(con: duckdb.DuckDBPyConnection, sql: str, *params: Any) -> int:
    rows = con.execute(sql, list(params)).fetchall()  # all: DuckDB wants a result finished
    return int(rows[0][0]) if rows else 0


def _counts(con: duckdb.DuckDBPyConnection, **how: Any) -> RefreshCounts:
    count = {t: _scalar(con, f"SELECT count(*) FROM {t}") for t in RESULT_TABLES}
    items = con.execute(f"SELECT count(*), count(DISTINCT text) FROM ({_ITEMS.format(where='true')})",
                        {"sections": list(ITEM_SECTIONS)}).fetchall()[0]
    return RefreshCounts(items[0], items[1], count["narrative_tags"], count["narrative_matches"],
                         count["section_similarity"], count["repeated_problems"], **how)
