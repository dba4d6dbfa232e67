"""Two files of one report (the portal page and a crawler's text): the better reading wins, whatever
the order they arrive in, and the cells they disagree on become the workbench's own finding."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from workbench.store import ingest

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT / "data" / "real"
REGISTRY = ROOT / "data" / "agencies.csv"
KEY = ("平潭综合实验区", 2023)


@pytest.fixture
def twins(tmp_path: Path) -> tuple[Path, Path]:
    """The 2023 Pingtan page, and its text with one figure misread (as a crawler's text may be)."""
    html = tmp_path / "html" / "2023_pingtan.html"
    text = tmp_path / "text" / "2023_pingtan_text.txt"
    for source, target in ((REAL / html.name, html), (REAL / text.name, text)):
        target.parent.mkdir()
        shutil.copy(source, target)
    content = text.read_text("utf-8")
    assert content.count("行政处罚1330") == 1
    text.write_text(content.replace("行政处罚1330", "行政处罚1303"), "utf-8")
    return html, text


def _state(db: Path) -> dict:
    with duckdb.connect(str(db), read_only=True) as con:
        reports = con.execute(
            "SELECT source_format, revision, is_current, alternate, report_id FROM reports"
            " WHERE agency_id = ? AND year = ? ORDER BY report_id", list(KEY)).fetchall()
        current = next(r[4] for r in reports if r[2])
        value = con.execute("SELECT value FROM active_disclosure WHERE report_id = ? AND item = 'penalties'"
                            " AND measure = 'decisions'", [current]).fetchone()[0]
        notes = [m for (m,) in con.execute("SELECT message FROM findings WHERE report_id = ?"
                                           " AND rule = 'read.twins_disagree'", [current]).fetchall()]
        statuses = dict(con.execute("SELECT regexp_extract(path, '[^/]+$'), status FROM documents").fetchall())
        log = con.execute("SELECT count(*) FROM revision_log").fetchone()[0]
    return {"reports": [r[:4] for r in reports], "value": value, "notes": notes, "statuses": statuses,
            "log": log}


@pytest.mark.parametrize("order", ["page first", "text first"])
def test_the_page_reading_is_current_whichever_file_came_first(twins: tuple[Path, Path], tmp_path: Path,
                                                                 order: str) -> None:
    html, text = twins
    db = tmp_path / "wb.duckdb"
    first, second = (html, text) if order == "page first" else (text, html)
    ingest([first], db, registry=REGISTRY, workers=1)
    result = ingest([second], db, registry=REGISTRY, workers=1)
    assert (result.revisions, result.alternates, result.failed) == (0, 1, 0)

    state = _state(db)
    current = [r for r in state["reports"] if r[2]]
    assert [r[0] for r in current] == ["html"]  # the page's cells have boundaries; the text's figure is off
    assert state["value"] == 1330
    assert sorted(r[:2] for r in state["reports"]) == [("html", 1), ("txt", 1)]  # one version, two readings
    assert [r[3] for r in state["reports"] if r[0] == "txt"] == [True]
    assert state["log"] == 0  # the agency changed nothing: no revision
    assert state["statuses"][second.name] == ("alternate" if order == "page first" else "loaded")
    [note] = state["notes"]
    # On the current (page) record, naming the other file and both figures.
    assert text.name in note and "表二" in note and "本记录1330" in note and "另一文件1303" in note
    assert "不是机关的问题" in note


def test_a_later_date_is_a_new_version_not_a_twin(twins: tuple[Path, Path], tmp_path: Path) -> None:
    html, text = twins
    content = text.read_text("utf-8")
    dated = [line for line in content.splitlines() if line.startswith("发布时间:")]
    assert dated, "the crawler text carries the page's date"
    day = dated[0].split()[1]
    later = day[:-2] + f"{int(day[-2:]) % 27 + 1:02d}"
    text.write_text(content.replace(dated[0], dated[0].replace(day, later)), "utf-8")
    db = tmp_path / "wb.duckdb"
    ingest([html], db, registry=REGISTRY, workers=1)
    result = ingest([text], db, registry=REGISTRY, workers=1)
    assert (result.revisions, result.alternates) == (1, 0)
    state = _state(db)
    assert [r[:3] for r in state["reports"]] == [("html", 1, False), ("txt", 2, True)]
    assert state["log"] == 1
