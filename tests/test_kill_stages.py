"""Kill -9 at every stage of an ingest, then one more `workbench ingest`: the database equals a clean
run's, derived tables included (issue 12). Each kill is exact: env WORKBENCH_KILL_AT names the
stage where the process SIGKILLs itself (workbench.store.connect.kill_point)."""

from __future__ import annotations

import signal
import sys
from pathlib import Path
from typing import Any

import duckdb
import pytest

from workbench.narrative.store import RESULT_TABLES, ingest_and_compare
from workbench.store.connect import narrative_stale

sys.path.insert(0, str(Path(__file__).parent))
from test_narrative_stale import TXT, _ingest  # noqa: E402
from test_store import CONTENT_TABLES, REGISTRY  # noqa: E402

# In the order an ingest passes them: a file parsed, a batch loaded, agencies reconciled, later
# years re-checked, meta written, the copy complete, the copy in place, the swap published (the
# narrative refresh not started), the refresh's tables written but not committed.
STAGES = ("parse", "load", "agencies", "recheck", "finish", "publish", "published", "ingest-swapped", "narrative")
# Columns that say when, not what: a rerun writes its own time.
WHEN = {"ingested_at", "changed_at"}


def _rows(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    with duckdb.connect(str(db), read_only=True) as con:
        found = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        rows = {}
        for table in (*CONTENT_TABLES, *RESULT_TABLES, "request_outcomes", "corrections", "finding_reviews"):
            if table not in found:
                rows[table] = None
                continue
            columns = [c for (c,) in con.execute(f"SELECT column_name FROM information_schema.columns"
                                                 f" WHERE table_name = '{table}' ORDER BY ordinal_position"
                                                 ).fetchall() if c not in WHEN]
            rows[table] = sorted((tuple(tuple(v) if isinstance(v, list) else v for v in row) for row in
                                  con.execute(f"SELECT {', '.join(columns)} FROM {table}").fetchall()), key=repr)
        rows["meta"] = sorted(k for (k,) in con.execute("SELECT key FROM meta").fetchall())
    return rows


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[tuple[Any, ...]]]:
    db = tmp_path_factory.mktemp("clean") / "store.duckdb"
    assert ingest_and_compare(TXT, db, workers=1, registry=REGISTRY, progress=False).narrative == "refreshed"
    rows = _rows(db)
    assert rows["reports"] and rows["narrative_tags"] and "narrative_stale" not in rows["meta"]
    return rows


@pytest.mark.slow
@pytest.mark.parametrize("stage", STAGES)
def test_a_kill_at_any_stage_then_one_more_ingest_equals_a_clean_run(
        stage: str, clean: dict[str, list[tuple[Any, ...]]], tmp_path: Path) -> None:
    db = tmp_path / "store.duckdb"
    killed = _ingest(db, *TXT, kill_at=stage)
    assert killed.returncode == -signal.SIGKILL, (stage, killed.stderr[-400:])
    again = _ingest(db, *TXT)
    assert again.returncode == 0, again.stderr
    assert not narrative_stale(db)
    assert not list(tmp_path.glob(".store.duckdb.ingest-*"))  # no copy left behind
    rows = _rows(db)
    for table, expected in clean.items():
        assert rows[table] == expected, (stage, table)
