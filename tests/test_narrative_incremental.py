"""Issue 12 item 5b: the narrative refresh after an ingest compares only what changed — the
agencies and years whose reports came or went — and must leave exactly the rows a full refresh
of the same store leaves (and the same bookkeeping, so the next incremental one builds on it).

The store is built with the real ingest from generated reports in stages: new agency-years,
a new revision of a report, a revision whose section 五 copies another agency's."""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import signal
import subprocess
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pytest

from workbench.narrative.incremental import STATE_TABLES, boilerplate_digest
from workbench.narrative.model import OTHER_AGENCY
from workbench.narrative.similarity import SimilarityConfig, default_config
from workbench.narrative.store import RESULT_TABLES, RefreshCounts, refresh, refresh_if_stale
from workbench.narrative.taxonomy import load_taxonomy
from workbench.store import ingest
from workbench.store.connect import KILL_AT_ENV, narrative_stale
from workbench.synth import generate

ROOT = Path(__file__).resolve().parent.parent
YEARS = range(2020, 2025)
FIVE = re.compile(r"五、存在的主要问题及改进情况.*?(?=六、其他需要报告的事项)", re.DOTALL)


@dataclasses.dataclass(frozen=True)
class Corpus:
    first: list[Path]  # the store before any incremental refresh
    second: list[Path]  # two agency-years of one agency, a revision copying another agency's 五
    third: list[Path]  # a new agency (every year), a revision with the same 五
    copier: tuple[str, int]  # (file stem of the copying report's agency, year)
    copied: str  # stem of the report it copies


def _agency(path: Path) -> str:
    return path.name.split("_")[1]


def _year(path: Path) -> int:
    return int(path.name.split("_")[2])


def _republished(text: str) -> str:
    """Published again a day later (a file with the same cells and date is another copy of the
    same report, not a revision), with one number of the overview corrected."""
    dates = list(re.finditer(r"(\d{4})(年|-)(\d{1,2})(月|-)(\d{1,2})", text))
    assert dates
    for date in reversed(dates):  # the date signed at the end, and a portal's 发布时间
        day = int(date.group(5))
        text = f"{text[:date.start(5)]}{day % 27 + 1}{text[date.end(5):]}"
    return re.sub(r"(\d+)条", r"1\1条", text, count=1)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    base = tmp_path_factory.mktemp("incremental_corpus")
    generate(base / "generated", agencies=7, years=YEARS, seed=11, formats=["txt"])
    by_agency: dict[str, list[Path]] = defaultdict(list)
    for path in sorted((base / "generated").glob("*.txt")):
        by_agency[_agency(path)].append(path)
    agencies = sorted(by_agency)
    late, new = agencies[-2], agencies[-1]
    first = [p for a in agencies[:-1] for p in by_agency[a] if a != late or _year(p) < 2023]
    second = [p for p in by_agency[late] if _year(p) >= 2023]

    def revised(path: Path, folder: str, edit: Any) -> Path:
        target = base / folder / path.name
        target.parent.mkdir(exist_ok=True)
        text = path.read_text("utf-8")
        changed = edit(text)
        assert changed != text
        target.write_text(changed, "utf-8")
        return target

    copier = next(p for p in by_agency[agencies[1]] if _year(p) == 2024)
    source = next(p for p in by_agency[agencies[2]] if _year(p) == 2024)
    five = FIVE.search(source.read_text("utf-8"))
    assert five is not None
    # a new revision whose 五 is another agency's
    second.append(revised(copier, "copied", lambda text: _republished(FIVE.sub(lambda _: five.group(0), text))))
    again = next(p for p in by_agency[agencies[0]] if _year(p) == 2022)  # a revision with the same 五
    third = [*by_agency[new], revised(again, "revised", _republished)]
    return Corpus(first, second, third, (agencies[1], 2024), agencies[2])


@pytest.fixture(scope="module")
def first_store(corpus: Corpus, tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("incremental_store") / "store.duckdb"
    assert not ingest(corpus.first, db, workers=1, progress=False).failed
    with duckdb.connect(str(db)) as con:
        counts = refresh(con)
    assert not counts.incremental and counts.full_because == "no earlier refresh to build on"
    return db


def _rows(con: duckdb.DuckDBPyConnection, tables: tuple[str, ...] = RESULT_TABLES + STATE_TABLES,
          ) -> dict[str, list[tuple[Any, ...]]]:
    return {table: sorted((tuple(tuple(v) if isinstance(v, list) else v for v in row)
                           for row in con.execute(f"SELECT * FROM {table}").fetchall()), key=repr)
            for table in tables}


def _full(db: Path, tmp_path: Path, **options: Any) -> dict[str, list[tuple[Any, ...]]]:
    """The tables of a full refresh of a copy of ``db``."""
    copy = tmp_path / f"full-{db.name}"
    shutil.copy(db, copy)
    with duckdb.connect(str(copy)) as con:
        counts = refresh(con, full=True, **options)
        assert not counts.incremental
        return _rows(con)


def _store(first_store: Path, tmp_path: Path) -> Path:
    db = tmp_path / "store.duckdb"
    shutil.copy(first_store, db)
    return db


def _refresh(db: Path, **options: Any) -> tuple[RefreshCounts, dict[str, list[tuple[Any, ...]]]]:
    with duckdb.connect(str(db)) as con:
        counts = refresh(con, **options)
        return counts, _rows(con)


# A boilerplate set counted over a few dozen texts moves with every report added (a shingle at
# the threshold changes side), and then its kind is compared again everywhere; at 90 % it holds
# still here, and only the agencies and years of the new reports are compared again.
STILL = dataclasses.replace(default_config(), boilerplate_share=0.9)


@pytest.mark.parametrize("config", [default_config(), STILL], ids=["default", "still-boilerplate"])
def test_incremental_refreshes_equal_full_ones(corpus: Corpus, first_store: Path, tmp_path: Path,
                                               config: SimilarityConfig) -> None:
    db = _store(first_store, tmp_path)
    if config != default_config():
        counts, _ = _refresh(db, config=config)
        assert counts.full_because == "the config changed"
    assert not ingest(corpus.second, db, workers=1, progress=False).failed
    counts, rows = _refresh(db, config=config)
    assert counts.incremental, counts.full_because
    # two new agency-years of one agency and a new revision of another's 2024 report
    assert (counts.reports_added, counts.reports_removed) == (3, 1)
    assert (counts.agencies, counts.years) == ((6, 5) if counts.boilerplate_moved else (2, 2))
    assert rows == _full(db, tmp_path, config=config)
    if config == STILL:
        assert not counts.boilerplate_moved
    else:
        assert counts.boilerplate_moved == "overview, problems"  # items: the same

    with duckdb.connect(str(db), read_only=True) as con:  # the copy is found among other agencies
        copied = con.execute("""
            SELECT o.source_path FROM section_similarity s JOIN reports r USING (report_id)
            JOIN reports o ON o.report_id = s.previous_report_id
            WHERE s.kind = ? AND s.section = 'problems' AND r.is_current AND r.year = ?
              AND r.source_path LIKE ? AND s.copied""", [OTHER_AGENCY, corpus.copier[1],
                                                          f"%copied%{corpus.copier[0]}%"]).fetchall()
    assert [Path(p).name.split("_")[1] for (p,) in copied] == [corpus.copied]

    assert not ingest(corpus.third, db, workers=1, progress=False).failed
    counts, rows = _refresh(db, config=config)
    assert counts.incremental, counts.full_because
    # a new agency (five years) and a new revision of another's 2022 report
    assert (counts.reports_added, counts.reports_removed, counts.years) == (6, 1, 5)
    assert counts.agencies == (7 if counts.boilerplate_moved else 2)
    assert counts.texts_tagged < counts.distinct_texts  # texts already tagged are copied, not tagged again
    assert rows == _full(db, tmp_path, config=config)


def test_nothing_changed_compares_nothing(first_store: Path, tmp_path: Path) -> None:
    db = _store(first_store, tmp_path)
    with duckdb.connect(str(db)) as con:
        before = _rows(con)
    counts, rows = _refresh(db)
    assert counts.incremental and (counts.agencies, counts.years, counts.texts_coded) == (0, 0, 0)
    assert rows == before


def test_a_changed_taxonomy_or_config_refreshes_everything(corpus: Corpus, first_store: Path,
                                                           tmp_path: Path) -> None:
    db = _store(first_store, tmp_path)
    assert not ingest(corpus.second, db, workers=1, progress=False).failed
    path = tmp_path / "taxonomy.yaml"
    path.write_text((ROOT / "workbench/narrative/taxonomy.yaml").read_text("utf-8")
                    + "  - key: innovation\n    label: 创新与特色\n    words: [开拓创新, 创新, 特色]\n", "utf-8")
    taxonomy = load_taxonomy(path)
    counts, rows = _refresh(db, taxonomy=taxonomy)
    assert not counts.incremental and counts.full_because == "the taxonomy changed"
    assert counts.texts_tagged == counts.distinct_texts
    assert rows == _full(db, tmp_path, taxonomy=taxonomy)

    counts, _ = _refresh(db, config=dataclasses.replace(default_config(), item_match=0.5))
    assert not counts.incremental and counts.full_because == "the taxonomy and the config changed"
    counts, _ = _refresh(db, full=True)  # what `workbench narrative --refresh` asks for
    assert not counts.incremental and counts.full_because == "asked for"


def test_a_kind_whose_boilerplate_moved_is_compared_again_everywhere(corpus: Corpus, first_store: Path,
                                                                      tmp_path: Path) -> None:
    """Fewer section texts than boilerplate_min_texts before the ingest, more after: the
    boilerplate of sections 一 and 五 appears, which changes their comparisons in every agency
    and year; the items' boilerplate stays as it was."""
    db = _store(first_store, tmp_path)
    with duckdb.connect(str(db), read_only=True) as con:
        sections = con.execute("SELECT count(*) FROM report_sections s JOIN reports r USING (report_id) "
                               "WHERE r.is_current AND s.section = 'overview'").fetchone()
    assert sections is not None
    config = dataclasses.replace(default_config(), boilerplate_min_texts=sections[0] + 1)
    counts, before = _refresh(db, config=config)
    assert counts.full_because == "the config changed"
    assert not [row for row in before["narrative_state"] if row[0] == "boilerplate:overview"
                and row[1] != boilerplate_digest(np.empty(0, dtype=np.uint64))]
    assert not ingest(corpus.second, db, workers=1, progress=False).failed
    counts, rows = _refresh(db, config=config)
    assert counts.incremental and counts.boilerplate_moved == "overview, problems"
    assert rows == _full(db, tmp_path, config=config)


def test_hand_edits_are_noticed(first_store: Path, tmp_path: Path) -> None:
    """An item edited in place cannot be taken out of the shingle counts: full refresh. A report
    moved to another agency (the registry learnt an alias) is compared again in both."""
    db = _store(first_store, tmp_path)
    with duckdb.connect(str(db)) as con:
        agencies = [a for (a,) in con.execute("SELECT DISTINCT agency_id FROM reports ORDER BY 1").fetchall()]
        con.execute("UPDATE reports SET agency_id = ? WHERE agency_id = ? AND year = 2021", agencies[:2])
    counts, rows = _refresh(db)
    assert counts.incremental and (counts.agencies, counts.years) == (2, 1)
    assert rows == _full(db, tmp_path)

    with duckdb.connect(str(db)) as con:
        con.execute("UPDATE narrative_items SET text = text || '（更正）' WHERE report_id = "
                    "(SELECT min(report_id) FROM reports WHERE is_current) AND ordinal = 1")
    counts, _ = _refresh(db)
    assert not counts.incremental and "changed in place" in counts.full_because


def test_a_refresh_by_a_workbench_without_the_state_is_not_built_on(corpus: Corpus, first_store: Path,
                                                                     tmp_path: Path) -> None:
    """An older workbench's full refresh (here with another taxonomy) replaces the result tables
    and leaves the state as it was: the next refresh must not build on that state."""
    db = _store(first_store, tmp_path)
    path = tmp_path / "taxonomy.yaml"
    path.write_text((ROOT / "workbench/narrative/taxonomy.yaml").read_text("utf-8")
                    + "  - key: innovation\n    label: 创新与特色\n    words: [开拓创新, 创新, 特色]\n", "utf-8")
    with duckdb.connect(str(db)) as con:
        for table in STATE_TABLES:
            con.execute(f"CREATE TABLE kept_{table} AS SELECT * FROM {table}")
        refresh(con, load_taxonomy(path), full=True)
        for table in STATE_TABLES:
            con.execute(f"DELETE FROM {table}; INSERT INTO {table} SELECT * FROM kept_{table}; DROP TABLE kept_{table}")
    assert not ingest(corpus.second, db, workers=1, progress=False).failed
    counts, _ = _refresh(db)
    assert not counts.incremental and "not those the last refresh left" in counts.full_because


def test_a_killed_incremental_refresh_is_finished_by_the_next_run(corpus: Corpus, first_store: Path,
                                                                  tmp_path: Path) -> None:
    """Killed just before its COMMIT (in the snapshot copy): the store keeps the last refresh's
    tables and state and says it is stale; the next run builds on that state and catches up."""
    db = _store(first_store, tmp_path)
    with duckdb.connect(str(db), read_only=True) as con:
        before = _rows(con)
    script = ("import sys; from workbench.narrative.store import ingest_and_compare; "
              "ingest_and_compare(sys.argv[2:], sys.argv[1], workers=1, progress=False)")
    env = {**os.environ, KILL_AT_ENV: "narrative"}
    killed = subprocess.run([sys.executable, "-c", script, str(db), *map(str, corpus.second)],
                            env=env, capture_output=True, text=True, timeout=120)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert narrative_stale(db)
    with duckdb.connect(str(db), read_only=True) as con:
        assert _rows(con) == before  # the cells moved on, the narrative tables did not
    counts = refresh_if_stale(db)
    assert counts is not None and counts.incremental and counts.reports_added == 3
    assert not narrative_stale(db) and not list(tmp_path.glob(".store.duckdb.ingest-*"))
    with duckdb.connect(str(db), read_only=True) as con:
        rows = _rows(con)
    assert rows == _full(db, tmp_path)
