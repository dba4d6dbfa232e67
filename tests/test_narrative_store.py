"""The store's narrative refresh works chunk by chunk (batches of agencies, then one year at a
time) so that a province's 600,000 items never sit in memory together. Chunking must not
change the answer: every result table equals :func:`analyse` run over the whole corpus at
once, whatever the batch size — including the ties between identical texts that generated
reports share across agencies."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import duckdb
import pytest
from conftest import REAL

from workbench.narrative import analyse
from workbench.narrative.model import OTHER_AGENCY, SAME_AGENCY
from workbench.narrative.store import load_items, load_sections, refresh
from workbench.store import ingest
from workbench.synth import generate


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("narrative_store")
    generate(base / "corpus", agencies=8, years=range(2020, 2025), seed=5, formats=["txt"])
    db = base / "store.duckdb"
    ingest([REAL, base / "corpus"], db=db, workers=1, progress=False)
    return db


def _copy(db: Path, tmp_path: Path) -> duckdb.DuckDBPyConnection:
    shutil.copy(db, tmp_path / "copy.duckdb")
    return duckdb.connect(str(tmp_path / "copy.duckdb"))


def _table(con: duckdb.DuckDBPyConnection, table: str) -> set[tuple[Any, ...]]:
    return {tuple(tuple(v) if isinstance(v, list) else v for v in row)
            for row in con.execute(f"SELECT * FROM {table}").fetchall()}


def _as_rows(result: Any) -> dict[str, set[tuple[Any, ...]]]:
    return {
        "narrative_tags": {(t.report_id, t.section, t.ordinal, t.tag, t.trigger_words) for t in result.tags},
        "narrative_matches": {(m.report_id, m.section, m.ordinal, m.match_report_id, m.match_ordinal,
                               m.kind, m.score) for m in result.matches},
        "section_similarity": {(s.report_id, s.section, s.previous_report_id, s.score, s.copied, s.kind)
                               for s in result.sections},
        "repeated_problems": {(r.agency_id, r.tag, r.year, r.streak, r.report_id, r.previous_report_id,
                               r.promised) for r in result.repeated},
    }


@pytest.mark.parametrize("batch", [1, 3, 1000])
def test_chunked_refresh_equals_one_pass_over_everything(store: Path, tmp_path: Path, batch: int) -> None:
    con = _copy(store, tmp_path)
    whole = _as_rows(analyse(load_items(con), load_sections(con)))
    counts = refresh(con, agency_batch=batch)
    for table, rows in whole.items():
        assert _table(con, table) == rows, table
    assert counts.narrative_matches == len(whole["narrative_matches"])
    assert counts.items == len(load_items(con)) > counts.distinct_texts > 0
    # the corpus has every kind of result, so the equality above says something
    kinds = {row[5] for row in whole["narrative_matches"]} | {row[5] for row in whole["section_similarity"]}
    assert kinds == {SAME_AGENCY, OTHER_AGENCY}
    assert whole["repeated_problems"]


def test_identical_items_of_other_agencies_match_the_first_ranked_copy(store: Path, tmp_path: Path) -> None:
    """Generated reports draw items from one phrase bank, so the same text is printed by many
    agencies in a year; each copy's match is another agency's copy, with the lowest item
    number, then the lowest report id — never its own agency."""
    con = _copy(store, tmp_path)
    refresh(con, agency_batch=2)
    rows = con.execute("""
        SELECT m.report_id, r.agency_id, m.match_report_id, o.agency_id, m.match_ordinal, m.score,
               (SELECT min(struct_pack(ordinal := i.ordinal, report_id := i.report_id))
                FROM narrative_items i JOIN reports ir USING (report_id)
                WHERE ir.is_current AND ir.year = r.year AND ir.agency_id <> r.agency_id
                  AND i.section = m.section AND i.text = own.text) AS expected
        FROM narrative_matches m
        JOIN reports r USING (report_id) JOIN reports o ON o.report_id = m.match_report_id
        JOIN narrative_items own USING (report_id, section, ordinal)
        WHERE m.kind = 'other_agency_same_year' AND m.score = 1.0
    """).fetchall()
    assert sum(row[-1] is not None for row in rows) >= 10
    for _, agency, match_report, match_agency, match_ordinal, _, expected in rows:
        assert match_agency != agency
        if expected is not None:  # an identical text elsewhere: the first-ranked copy wins
            assert (match_ordinal, match_report) == (expected["ordinal"], expected["report_id"])
