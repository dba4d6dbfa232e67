"""Named analytical queries: ``queries/NAME.sql`` → a polars DataFrame.

    run_query("request_outcomes_by_year", {"year_from": 2021})
    run_query("findings_by_agency", {"year": 2023}, db="data/workbench.duckdb")

Each file starts with a header comment::

    -- answers: what question the query answers
    -- param $year int = NULL: the year the reports cover (NULL: every year)

Parameters are DuckDB named parameters (``$year``). Parameters not given take the
header's default (NULL when the header declares none); a name the query does not
use is an error, so a typo does not silently return everything.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from workbench.i18n import t
from workbench.store.connect import DEFAULT_DB, StoreError, connect, upgrade_if_older

QUERIES_DIR = Path(__file__).resolve().parents[2] / "queries"
_PARAM = re.compile(r"^--\s*param\s+\$(\w+)\s+(int|float|text|date|bool)\s*(?:=\s*([^:]+?))?\s*:\s*(.*)$")
_CASTS = {"int": int, "float": float, "text": str, "date": str, "bool": lambda v: str(v).lower() in ("1", "true", "yes")}


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    default: Any
    help: str


@dataclass(frozen=True)
class Query:
    name: str
    path: Path
    answers: str
    params: tuple[Param, ...]

    @property
    def sql(self) -> str:
        return self.path.read_text("utf-8")


def _default(text: str | None, kind: str) -> Any:
    if text is None or text.strip().upper() == "NULL":
        return None
    value = text.strip().strip("'\"")
    return _CASTS[kind](value)


def read_query(path: Path) -> Query:
    """The header: ``answers`` is the leading comment up to the parameters (any wording)."""
    answers: list[str] = []
    params: list[Param] = []
    in_answer = True
    for line in path.read_text("utf-8").splitlines():
        if not line.startswith("--"):
            break
        text = line[2:].strip()
        if match := _PARAM.match(line):
            name, kind, default, help_text = match.groups()
            params.append(Param(name, kind, _default(default, kind), help_text.strip()))
            in_answer = False
        elif re.match(r"(?i)param(eter)?s?\b", text):
            in_answer = False
        elif in_answer and text:
            answers.append(re.sub(r"(?i)^(what it )?answers:\s*", "", text))
    return Query(path.stem, path, " ".join(answers), tuple(params))


def list_queries(queries_dir: Path | None = None) -> list[Query]:
    folder = Path(queries_dir or QUERIES_DIR)
    return [read_query(p) for p in sorted(folder.glob("*.sql"))]


def run_query(name: str, params: dict[str, Any] | None = None, db: str | Path = DEFAULT_DB, *,
              con: duckdb.DuckDBPyConnection | None = None, queries_dir: Path | None = None) -> pl.DataFrame:
    """Run ``queries/NAME.sql`` with named parameters on a read-only connection."""
    query = _find(name, Path(queries_dir or QUERIES_DIR))
    values = _bind(query, params or {})
    sql = _only_select(query)
    own = con is None
    if own:
        upgrade_if_older(db)  # an older store lacks what the queries use (agency_matches, reviews)
    con = con or connect(db)
    try:
        return tidy(con.sql(sql, params=values or None).pl())
    except duckdb.Error as exc:
        raise StoreError(t("error.query_failed", name=name, detail=exc)) from None
    finally:
        if own:
            con.close()


def _find(name: str, folder: Path) -> Query:
    """The query with this name among the folder's files: a path, even to a .sql file, is no name."""
    paths = {p.stem: p for p in sorted(folder.glob("*.sql"))}
    if name not in paths:
        raise StoreError(f"没有名为 {name!r} 的查询（只能按名称运行 {folder} 中的查询，不带 .sql）；"
                         f"可选：{', '.join(paths)}")
    return read_query(paths[name])


def _only_select(query: Query) -> str:
    """The query's SQL if every statement in it only reads (SELECT, WITH … SELECT, FROM …)."""
    try:
        statements = duckdb.extract_statements(query.sql)
    except duckdb.Error as exc:
        raise StoreError(t("error.query_failed", name=query.name, detail=exc)) from None
    kinds = sorted({s.type.name for s in statements if s.type != duckdb.StatementType.SELECT})
    if kinds or len(statements) != 1:
        found = ", ".join(kinds) if kinds else f"{len(statements)} 条语句"
        raise StoreError(f"查询 {query.name} 只能运行 SELECT（一条只读语句），不能运行 {found}")
    return query.sql


def tidy(frame: pl.DataFrame) -> pl.DataFrame:
    """DuckDB sums BIGINTs into HUGEINT (polars Decimal(38, 0)): make whole-number decimals Int64."""
    casts = [pl.col(name).cast(pl.Int64) for name, dtype in frame.schema.items()
             if isinstance(dtype, pl.Decimal) and dtype.scale == 0]
    return frame.with_columns(casts) if casts else frame


def _bind(query: Query, given: dict[str, Any]) -> dict[str, Any]:
    """Values for every ``$name`` the SQL uses: given, else the header's default, else NULL."""
    # Only the SQL body counts: the header mentions every parameter too.
    body = "\n".join(line for line in query.sql.splitlines() if not line.lstrip().startswith("--"))
    used = dict.fromkeys(re.findall(r"\$([A-Za-z_]\w*)", body))
    declared = {p.name: p for p in query.params}
    unknown = sorted(set(given) - set(used) - set(declared))
    if unknown:
        valid = ", ".join(f"${p}" for p in {**declared, **used}) or t("roster.none")
        raise StoreError(t("error.query_no_parameter", name=query.name,
                           unknown=", ".join("$" + u for u in unknown), valid=valid))
    values = {}
    for name in used:
        param = declared.get(name)
        value = given.get(name, param.default if param else None)
        try:
            values[name] = None if value is None or param is None else _CASTS[param.type](value)
        except (TypeError, ValueError):
            raise StoreError(t("error.query_bad_value", name=query.name, param=name, type=param.type,
                             value=value)) from None
        if param is None:
            values[name] = value
    return values
