"""The parse stage on a dask cluster loads the same database as the local engine, via Parquet."""

from __future__ import annotations

import hashlib
import shutil
import sys
from pathlib import Path

import duckdb
import pytest

from workbench.store import ingest
from workbench.store.parquet import (
    dataset_glob,
    outcome_from_rows,
    parse_one,
    read_chunk,
    write_chunk,
)

sys.path.insert(0, str(Path(__file__).parent))
from test_store import REAL, REGISTRY  # noqa: E402

# Every content table, without the columns that record *when* something was loaded.
TABLES = {
    "documents": "path, sha256, format, size, status, error, report_id",
    "reports": "* EXCLUDE (ingested_at)",
    "active_disclosure": "*", "requests": "*", "review_litigation": "*", "submitted_info": "*",
    "narrative_items": "*", "report_sections": "*", "findings": "*", "agencies": "*", "agency_names": "*",
    "revision_log": "* EXCLUDE (changed_at)",
}


def content(db: Path) -> dict[str, tuple[int, str]]:
    digests = {}
    with duckdb.connect(str(db), read_only=True) as con:
        for table, columns in TABLES.items():
            rows = sorted(repr(r) for r in con.execute(f"SELECT {columns} FROM {table}").fetchall())
            digests[table] = (len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest())
    return digests


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """data/real, generated reports (txt, html, one agency's PDFs) and one file that fails."""
    from workbench.synth import generate

    root = tmp_path_factory.mktemp("engines")
    shutil.copytree(REAL, root / "real")
    generate(root / "synth", agencies=3, years=range(2021, 2025), seed=5, formats=["txt", "html"])
    generate(root / "pdf", agencies=1, years=range(2023, 2025), seed=6, formats=["pdf"])
    (root / "real" / "broken.pdf").write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 8)
    return root


def test_rows_survive_parquet(corpus: Path, tmp_path: Path) -> None:
    files = [REAL / "2024_hongze.pdf", REAL / "2023_pingtan_text.txt", corpus / "real" / "broken.pdf"]
    parsed = [parse_one(path, ordinal=i) for i, path in enumerate(files)]
    write_chunk(parsed, tmp_path, "run", 0)
    assert read_chunk(tmp_path, "run", 0) == parsed
    outcomes = [outcome_from_rows(rows) for rows in parsed]
    assert outcomes[0]["record"]["agency"] and outcomes[0]["record"]["year"] == 2024
    assert "error" in outcomes[2] and "record" not in outcomes[2]
    # DuckDB reads the dataset directly; year comes from the folder (NULL for the failed file).
    with duckdb.connect() as con:
        years = con.execute(f"SELECT year, count(*) FROM read_parquet('{dataset_glob(tmp_path, 'files')}',"
                            " hive_partitioning = true) GROUP BY year ORDER BY year NULLS LAST").fetchall()
        assert years == [(2023, 1), (2024, 1), (None, 1)]
        cells = con.execute(f"SELECT count(*) FROM read_parquet('{dataset_glob(tmp_path, 'requests')}',"
                            " hive_partitioning = true) WHERE year = 2024").fetchone()[0]
    assert cells == len(parsed[0]["requests"]) > 0


def test_dask_engine_loads_the_same_database_as_the_local_engine(corpus: Path, tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    local_db, dask_db, parquet = tmp_path / "local.duckdb", tmp_path / "dask.duckdb", tmp_path / "parsed"
    local = ingest([corpus], local_db, registry=REGISTRY, workers=2, batch_size=20)
    assert local.loaded > 20 and local.failed == 1
    with (distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                   dashboard_address=None) as cluster,
          distributed.Client(cluster) as client):
        remote = ingest([corpus], dask_db, registry=REGISTRY, engine="dask", dask_client=client,
                        parquet_dir=parquet, chunk_size=7, batch_size=20)
    assert (remote.loaded, remote.revisions, remote.unchanged, remote.failed, remote.findings) == \
           (local.loaded, local.revisions, local.unchanged, local.failed, local.findings)
    assert content(dask_db) == content(local_db)
    # The parse stage's Parquet is kept where asked and holds every file once.
    with duckdb.connect() as con:
        parsed = con.execute(f"SELECT count(*), count(DISTINCT path) FROM read_parquet("
                             f"'{dataset_glob(parquet, 'files')}', hive_partitioning = true)").fetchone()
    assert parsed == (remote.files, remote.files)
    # Running the dask engine again changes nothing, like the local engine.
    again = ingest([corpus], dask_db, registry=REGISTRY, engine="dask")
    assert (again.loaded, again.swapped) == (0, False)
