"""Who has not reported: the bodies expected to publish a year's report, and where each stands.

    import_roster("data/workbench.duckdb", "名册.csv")     # a supervisor's list → table roster
    roster_status("data/workbench.duckdb", 2024)           # one row per body, as of today
    roster_status(db, 2024, as_of="2025-02-15")            # … or as of any date

The roster (table ``roster``) has two sources, and a body is expected for year Y when any of
its rows covers Y (``expected_from`` ≤ Y ≤ ``expected_to``; blank = open):

* the registry: every ``data/agencies.csv`` row with ``expected_from`` (source ``registry``),
  written again by every ingest (:func:`sync_roster`), so an edit of the CSV takes effect with
  the next ingest;
* imported lists (``workbench roster --import FILE.csv``; columns ``name`` and optionally
  ``level, kind, expected_from, expected_to``; UTF-8 with or without BOM, or GB18030): the
  source is the file's path, and importing the same file again replaces its rows.

Names on a list resolve like the names printed in reports (``canonical_key``, then
``Registry.resolve`` with every name the store has seen), so 淮安市政府 on a list is the
淮安市人民政府 of the reports, and a list's 洪泽区人民政府 matches reports printed as
淮安市洪泽区人民政府. Every ingest resolves the imported names again, with what it now knows.

Deadlines are the checks' own: ``timeliness.late``'s params in rules.yaml for the kind
``checks_kind`` gives (县级以上地方人民政府: government, 31 March of the next year;
departments, 乡镇 and 街道: department, 31 January). Stored as ``deadline_kind`` in
``agencies`` and ``roster``; ``queries/roster_status.sql`` turns them into statuses.

Every write goes through the writer lock and a snapshot swap (:func:`workbench.store.connect.write`).
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from workbench.i18n import os_reason, t
from workbench.store.agencies import (
    KINDS,
    LEVELS,
    AgencyInfo,
    Registry,
    canonical_key,
    checks_kind,
    expected_years,
    split_place,
)
from workbench.store.connect import DEFAULT_DB, StoreError, connect, write
from workbench.store.queries import run_query
from workbench.textnorm import compact

REGISTRY_SOURCE = "registry"
DEFAULT_REGISTRY = Path("data/agencies.csv")  # the same default as workbench.store.ingest
QUERY = "roster_status"

PUBLISHED, LATE, MISSING, NOT_DUE = "已发布", "逾期发布", "未发布（已过期限）", "尚未到期"
STATUSES = (PUBLISHED, LATE, MISSING, NOT_DUE)

# A supervisor's list may head its columns in Chinese and write levels and kinds in Chinese.
_COLUMN_NAMES = {
    "name": "name", "名称": "name", "机关": "name", "机关名称": "name", "单位": "name", "单位名称": "name",
    "level": "level", "层级": "level", "级别": "level", "行政级别": "level",
    "kind": "kind", "类型": "kind", "类别": "kind",
    "expected_from": "expected_from", "起始年度": "expected_from", "应报送起始年度": "expected_from",
    "expected_to": "expected_to", "截止年度": "expected_to", "应报送截止年度": "expected_to",
}
_LEVEL_WORDS = {"省": "province", "省级": "province", "市": "city", "市级": "city", "地市级": "city",
                "县": "county", "县级": "county", "区": "county", "县区": "county",
                "乡": "township", "镇": "township", "乡镇": "township", "街道": "township", "乡镇街道": "township"}
_KIND_WORDS = {"政府": "government", "人民政府": "government", "部门": "department", "政府部门": "department"}

_ROSTER_SCHEMA: dict[str, Any] = {
    "agency_id": pl.String, "name": pl.String, "level": pl.String, "kind": pl.String,
    "expected_from": pl.Int32, "expected_to": pl.Int32, "source": pl.String,
    "imported_at": pl.Datetime("us"), "deadline_kind": pl.String,
}


class RosterError(StoreError):
    """A roster file the workbench cannot use (missing, unreadable, a bad column or year)."""


@dataclass(frozen=True)
class RosterEntry:
    """One body on a list, as read (before its name is resolved)."""

    name: str  # canonical_key of the name as written
    level: str | None
    kind: str | None
    expected_from: int | None
    expected_to: int | None


@dataclass
class RosterImport:
    """What an import did: rows read, bodies stored, and how many have a report in the store."""

    path: Path
    rows: int  # bodies listed in the file
    agencies: int  # distinct agencies they resolve to
    with_reports: int  # of which have at least one report in the store
    repeated: list[str]  # names listed more than once (or resolving to one agency twice)
    replaced: int  # rows of an earlier import of the same file, replaced

    def summary(self) -> str:
        text = (f"已导入名册 {self.path}：{self.rows} 行，{self.agencies} 个机关，"
                f"其中 {self.with_reports} 个在数据库中已有年报")
        if self.agencies > self.with_reports:
            text += f"，{self.agencies - self.with_reports} 个尚无任何年报"
        if self.replaced:
            text += f"（替换了此前导入的同一文件的 {self.replaced} 行）"
        if self.repeated:
            shown = "、".join(self.repeated[:5]) + (" 等" if len(self.repeated) > 5 else "")
            text += f"；重复列出：{shown}"
        return text


# ---------------------------------------------------------------- deadlines
def deadline_kind(level: str | None, kind: str | None) -> str:
    """government | department: the deadline ``checks_kind`` picks for this level and kind
    (a body whose kind is unknown gets the earlier, departmental deadline, as the checks do)."""
    return checks_kind(AgencyInfo("", level, kind, None, None, "roster")) or "department"


def deadline_for(year: int, level: str | None, kind: str | None) -> date:
    """The last day to publish the report on ``year`` (rules.yaml ``timeliness.late``)."""
    from workbench.checks.timeliness import deadline

    return deadline(year, deadline_kind(level, kind), _deadlines())


def _deadlines() -> dict[str, dict[str, int]]:
    from workbench.checks import rule

    return rule("timeliness.late").params["deadlines"]


def _deadline_params() -> dict[str, int]:
    days = _deadlines()
    return {"government_month": days["government"]["month"], "government_day": days["government"]["day"],
            "department_month": days["department"]["month"], "department_day": days["department"]["day"]}


# ---------------------------------------------------------------- status
def roster_status(db: str | Path | duckdb.DuckDBPyConnection = DEFAULT_DB, year: int | None = None,
                  as_of: date | str | None = None) -> pl.DataFrame:
    """Each expected body's status for ``year`` as of ``as_of`` (default: today), then the bodies
    with a report for ``year`` that are not on the roster (``on_roster`` false).

    ``year`` None: the latest year with a report. Columns (queries/roster_status.sql):
    agency_id, name, level, kind, on_roster, sources, year, deadline_kind, deadline, report_id,
    published_on, status (已发布 | 逾期发布 | 未发布（已过期限） | 尚未到期), days_late, as_of.
    ``db`` may be an open connection (a notebook's).
    """
    when = parse_date(as_of) if as_of is not None else date.today()
    params = {"year": year, "as_of": when.isoformat(), **_deadline_params()}
    if isinstance(db, duckdb.DuckDBPyConnection):
        return run_query(QUERY, params, con=db)
    return run_query(QUERY, params, db)


def report_years(db: str | Path = DEFAULT_DB) -> list[int]:
    """The years with a current report, in order."""
    with connect(db) as con:
        return [int(y) for (y,) in con.execute(
            "SELECT DISTINCT year FROM current_reports WHERE year IS NOT NULL ORDER BY year").fetchall()]


def latest_year(db: str | Path = DEFAULT_DB) -> int | None:
    """The latest year with a current report (None: the store has none)."""
    years = report_years(db)
    return years[-1] if years else None


def roster_sources(db: str | Path = DEFAULT_DB) -> dict[str, int]:
    """Rows on the roster per source ({} when there is no roster, or the store predates it)."""
    with connect(db) as con:
        try:
            rows = con.execute("SELECT source, count(*) FROM roster GROUP BY source ORDER BY source").fetchall()
        except duckdb.CatalogException:
            return {}
    return {source: int(n) for source, n in rows}


_DATE = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?")


def parse_date(value: date | str) -> date:
    """2025-04-01 (also 2025-4-1, 2025/4/1, 2025年4月1日, full-width digits); else a RosterError."""
    if isinstance(value, date):
        return value
    match = _DATE.fullmatch(compact(value))
    try:
        if match is None:
            raise ValueError(value)
        return date(*map(int, match.groups()))
    except ValueError:
        raise RosterError(f"日期应为 YYYY-MM-DD 格式（如 2025-04-01），不是 {value!r}") from None


# ---------------------------------------------------------------- reading a list
def read_roster(path: str | Path) -> list[RosterEntry]:
    """The bodies a supervisor's CSV lists; a bad file, column or year is a RosterError naming
    the file (and the line)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise RosterError(t("error.roster_unreadable", path=path, detail=os_reason(exc))) from None
    text = _decode(data, path)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    columns = {field: _COLUMN_NAMES.get(compact(field or "").lower()) for field in reader.fieldnames or []}
    if "name" not in columns.values():
        found = "、".join(f for f in reader.fieldnames or [] if f) or "（空文件）"
        raise RosterError(f"名册 {path} 没有 name 列（机关名称）：第 1 行应为列名，如 "
                          f"name,level,kind,expected_from,expected_to；实际为 {found}")
    entries: list[RosterEntry] = []
    for raw in reader:
        line = reader.line_num
        row = {key: (raw.get(field) or "").strip() for field, key in columns.items() if key}
        name = canonical_key(row.get("name", ""))
        if not name:
            continue
        try:
            start, end = expected_years(row, str(path), line)
        except ValueError as exc:
            raise RosterError(str(exc)) from None
        entries.append(RosterEntry(name, _word(row.get("level"), _LEVEL_WORDS, LEVELS, "level", path, line),
                                   _word(row.get("kind"), _KIND_WORDS, KINDS, "kind", path, line), start, end))
    return entries


def _decode(data: bytes, path: Path) -> str:
    """UTF-8 (with or without BOM), else GB18030 (Excel's 'CSV' on a Chinese Windows)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise RosterError(f"名册 {path} 既不是 UTF-8 也不是 GB18030 编码的 CSV 文件，请另存为 UTF-8 CSV") from None


def _word(value: str | None, words: dict[str, str], allowed: tuple[str, ...], column: str, path: Path,
          line: int) -> str | None:
    text = compact(value or "")
    if not text:
        return None
    found = words.get(text, text.lower())
    if found not in allowed:
        raise RosterError(f"{path} 第 {line} 行：{column} 应为 {' / '.join(allowed)} 之一"
                          f"（或{'、'.join(words)}），不是 {value!r}")
    return found


# ---------------------------------------------------------------- writing
def import_roster(db: str | Path, path: str | Path, *, registry: str | Path | None = DEFAULT_REGISTRY,
                  wait: float = 0.0) -> RosterImport:
    """Store the bodies a supervisor's CSV lists in ``roster`` (replacing an earlier import of the
    same file), names resolved like report names; registry rows are refreshed too."""
    db, path = Path(db), Path(path)
    entries = read_roster(path)  # a bad file changes nothing: read before taking the lock
    if not entries:
        raise RosterError(f"名册 {path} 没有列出任何机关（name 列为空）")
    if not db.exists():
        raise StoreError(t("error.no_database_roster", path=db))
    source = str(path.resolve())
    reg = Registry.load(Path(registry) if registry else None)
    with write(db, wait) as con:
        names = dict(con.execute("SELECT name, agency_id FROM agency_names").fetchall())
        replaced = con.execute("SELECT count(*) FROM roster WHERE source = ?", [source]).fetchone()[0]
        con.execute("DELETE FROM roster WHERE source = ?", [source])
        now = datetime.now().replace(microsecond=0)
        resolver = _Resolver(reg, names, _stored_kinds(con))
        rows = [resolver.row(e, source, now) for e in entries]
        _insert(con, rows)
        sync_roster(con, reg, names)
        reported = {a for (a,) in con.execute("SELECT DISTINCT agency_id FROM reports").fetchall()}
    agencies = Counter(row[0] for row in rows)
    spelled = Counter(e.name for e in entries)
    repeated = sorted({e.name for e, row in zip(entries, rows, strict=True)
                       if spelled[e.name] > 1 or agencies[row[0]] > 1})
    return RosterImport(path, len(entries), len(agencies), len(set(agencies) & reported), repeated, int(replaced))


def sync_roster(con: duckdb.DuckDBPyConnection, registry: Registry, names: dict[str, str]) -> None:
    """Bring the roster up to date in a writer's snapshot (every ingest calls this after writing
    ``agencies``): ``agencies.deadline_kind``, the registry's rows (replaced), and the agency of
    every imported row resolved again with every name now known."""
    kinds = _stored_kinds(con)
    frame = pl.DataFrame([(a, deadline_kind(level, kind)) for a, (level, kind) in kinds.items()],
                         schema={"agency_id": pl.String, "deadline_kind": pl.String}, orient="row")
    con.register("_wb_kinds", frame)
    try:
        con.execute("UPDATE agencies SET deadline_kind = k.deadline_kind FROM _wb_kinds k"
                    " WHERE agencies.agency_id = k.agency_id")
    finally:
        con.unregister("_wb_kinds")
    resolver = _Resolver(registry, names, kinds)
    now = datetime.now().replace(microsecond=0)
    imported = con.execute("SELECT name, level, kind, expected_from, expected_to, source, imported_at FROM roster"
                           " WHERE source <> ?", [REGISTRY_SOURCE]).fetchall()
    rows = [resolver.row(RosterEntry(name, level, kind, start, end), source, at)
            for name, level, kind, start, end, source, at in imported]
    rows += [resolver.row(RosterEntry(info.agency_id, info.level, info.kind, info.expected_from, info.expected_to),
                          REGISTRY_SOURCE, now)
             for info in sorted(registry.info.values(), key=lambda i: i.agency_id) if info.expected_from is not None]
    con.execute("DELETE FROM roster")
    _insert(con, rows)


def _stored_kinds(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[str | None, str | None]]:
    return {a: (level, kind) for a, level, kind in con.execute("SELECT agency_id, level, kind FROM agencies").fetchall()}


def _insert(con: duckdb.DuckDBPyConnection, rows: list[tuple]) -> None:
    if not rows:
        return
    frame = pl.DataFrame(rows, schema=_ROSTER_SCHEMA, orient="row")
    con.register("_wb_roster", frame)
    try:
        con.execute("INSERT INTO roster BY NAME SELECT * FROM _wb_roster")
    finally:
        con.unregister("_wb_roster")


class _Resolver:
    """A listed name → the agency_id reports use, and the facts its deadline depends on."""

    def __init__(self, registry: Registry, names: dict[str, str],
                 stored: dict[str, tuple[str | None, str | None]]) -> None:
        self.registry = registry
        self.names = names  # spelling in a report → agency_id
        self.stored = stored  # agency_id → (level, kind) in table agencies
        self.known = set(names) | set(names.values()) | set(registry.aliases)
        self._shorter: dict[str, set[str]] | None = None  # a spelling's names without leading places

    def agency_id(self, name: str) -> str:
        if name in self.names:
            return self.names[name]
        agency_id = self.registry.resolve(name, self.known)
        if agency_id in self.stored or agency_id in self.registry.info:
            return agency_id
        # A report may print the longer name of the body a list names shortly (淮安市洪泽区人民政府 for
        # 洪泽区人民政府): the longer spelling strips to this name once it is known.
        known = self.known | {agency_id}
        longer = {self.names[spelling] for spelling in self.shorter().get(agency_id, ())
                  if self.registry.resolve(spelling, known) == agency_id}
        return longer.pop() if len(longer) == 1 else agency_id

    def shorter(self) -> dict[str, set[str]]:
        """Each spelling seen in reports under every name it strips to (江苏省淮安市洪泽区人民政府
        under 淮安市洪泽区人民政府 and 洪泽区人民政府), built once."""
        if self._shorter is None:
            self._shorter = {}
            for spelling in self.names:
                units, rest = split_place(spelling)
                for start in range(1, len(units)):
                    self._shorter.setdefault("".join(units[start:]) + rest, set()).add(spelling)
        return self._shorter

    def row(self, entry: RosterEntry, source: str, at: datetime) -> tuple:
        agency_id = self.agency_id(entry.name)
        info = self.registry.describe(agency_id)
        level, kind = self.stored.get(agency_id, (None, None))
        info = replace(info, level=entry.level or level or info.level, kind=entry.kind or kind or info.kind)
        return (agency_id, entry.name, info.level, info.kind, entry.expected_from, entry.expected_to, source, at,
                deadline_kind(info.level, info.kind))


def expected_agencies(frame: pl.DataFrame) -> pl.DataFrame:
    """The rows of :func:`roster_status` for bodies on the roster."""
    return frame.filter(pl.col("on_roster"))


def status_counts(frame: pl.DataFrame) -> dict[str, int]:
    """Expected bodies per status, every status present (0 when none)."""
    counts = Counter(expected_agencies(frame)["status"].to_list())
    return {status: counts.get(status, 0) for status in STATUSES}


def summary_line(frame: pl.DataFrame) -> str:
    """应报送 N 个机关：已发布 a，逾期 b，未发布 c，尚未到期 d"""
    counts = status_counts(frame)
    return (f"应报送 {sum(counts.values())} 个机关：已发布 {counts[PUBLISHED]}，逾期 {counts[LATE]}，"
            f"未发布 {counts[MISSING]}，尚未到期 {counts[NOT_DUE]}")


def names_with_status(frame: pl.DataFrame, statuses: Iterable[str]) -> list[str]:
    wanted = set(statuses)
    return [row["name"] for row in frame.iter_rows(named=True) if row["status"] in wanted]


# ---------------------------------------------------------------- as text (workbench roster)
_LEVEL_NAMES = {"province": "省级", "city": "市级", "county": "县级", "township": "乡镇、街道"}
_KIND_NAMES = {"government": "政府", "department": "部门"}
_SHOWN = {"name": "机关", "level": "层级", "kind": "类型", "deadline": "发布期限", "published_on": "发布日期",
          "status": "状态", "days_late": "逾期天数"}
NO_ROSTER = ("尚无应报送机关名册，无法判断哪些机关未发布。请导入名册：workbench roster --import 名册.csv"
             "（CSV，列 name，可选 level、kind、expected_from、expected_to；UTF-8 或 GB18030），"
             "或在 data/agencies.csv 中为机关填写 expected_from（起始年度）后重新运行 workbench ingest。")


def deadline_note(year: int) -> str:
    """发布期限 in words, for the year's reports (rules.yaml)."""
    government = deadline_for(year, "county", "government")
    department = deadline_for(year, "county", "department")
    return (f"发布期限：县级以上地方人民政府 {government.isoformat()}，"
            f"部门和乡镇、街道 {department.isoformat()}")


def roster_text(frame: pl.DataFrame, year: int, as_of: date, has_roster: bool) -> str:
    """What ``workbench roster`` prints: the summary line, the expected bodies, then apart the
    bodies with a report that are not on the roster (or, without a roster, how to make one)."""
    head = f"{year} 年度报告报送情况（截至 {as_of.isoformat()}；{deadline_note(year)}）"
    others = frame.filter(~pl.col("on_roster"))
    if not has_roster:
        late = others.filter(pl.col("status") == LATE).height
        lines = [NO_ROSTER, "", head, f"已发布的 {year} 年度报告：{others.height} 份（其中逾期发布 {late} 份）"]
        if others.height:
            lines.append(_table(others))
        return "\n".join(lines)
    expected = expected_agencies(frame)
    lines = [head, summary_line(frame)]
    if expected.height:
        lines.append(_table(expected))
    else:
        lines.append(f"名册中没有 {year} 年度应报送的机关（见名册的 expected_from、expected_to 列）。")
    if others.height:
        lines += ["", f"不在名册中的机关（有 {year} 年度报告，但名册未列入）：{others.height} 个", _table(others)]
    return "\n".join(lines)


def _table(frame: pl.DataFrame) -> str:
    shown = frame.select(
        pl.col("name"),
        pl.col("level").replace_strict(_LEVEL_NAMES, default=pl.col("level")),
        pl.col("kind").replace_strict(_KIND_NAMES, default=pl.col("kind")),
        pl.col("deadline").cast(pl.String),
        pl.col("published_on").cast(pl.String),
        pl.col("status"),
        pl.col("days_late").cast(pl.String),
    ).fill_null("—").rename(_SHOWN)
    with pl.Config(tbl_rows=-1, tbl_cols=-1, fmt_str_lengths=80, tbl_width_chars=240,
                   tbl_hide_dataframe_shape=True, tbl_hide_column_data_types=True):
        return str(shown)
