"""The store: report records in DuckDB, loaded incrementally, read through snapshots.

    from workbench.store import ingest, run_query, connect
    ingest(["data/real"])                                  # → data/workbench.duckdb
    run_query("request_outcomes_by_year")                  # → polars.DataFrame
    con = connect()                                        # read-only, for notebooks

Design (snapshot swap, revisions, agencies): docs/store.md.
"""

from workbench.store.connect import (
           DEFAULT_DB,
           StoreBusyError,
           StoreError,
           connect,
           reconnect,
           write,
)
from workbench.store.export import FORMATS as EXPORT_FORMATS
from workbench.store.export import export_tables
from workbench.store.findings import recheck_findings, stored_findings
from workbench.store.ingest import DEFAULT_REGISTRY, IngestResult, ingest
from workbench.store.queries import list_queries, run_query

__all__ = ["DEFAULT_DB", "DEFAULT_REGISTRY", "EXPORT_FORMATS", "IngestResult", "StoreBusyError", "StoreError",
           "connect", "export_tables", "ingest", "list_queries", "recheck_findings", "reconnect", "run_query",
           "stored_findings", "write"]
