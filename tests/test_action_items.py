"""督办事项: what a supervisor must follow up, first in the digest; review decisions steer it."""

from __future__ import annotations

import shutil
from pathlib import Path

from workbench.digest.actions import definitions
from workbench.digest.sections import open_digest
from workbench.store.reviews import list_findings, review_findings


def _items(db: Path, year: int = 2024) -> dict[str, list[str]]:
    digest = open_digest(db, year, out_dir=db.parent / "out")
    try:
        digest.action_items()
        return {item.key: [name.split("（")[0] for name in item.agencies] for item in digest.actions}
    finally:
        digest.con.close()


def test_every_line_of_the_data_is_shown_in_order_with_a_detail_anchor(small_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "wb.duckdb"
    shutil.copy(small_db, db)
    digest = open_digest(db, 2024, out_dir=tmp_path / "out")
    html = digest.action_items().html
    digest.con.close()
    labels = [spec["label"] for spec in definitions()]
    positions = [html.find(label) for label in labels]
    assert -1 not in positions and positions == sorted(positions)
    for spec in definitions():  # each detail block the lines link to exists in the digest's methods
        assert spec["anchor"].startswith("wb-")


def test_dismissed_findings_leave_the_list_and_confirmed_ones_join_it(small_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "wb.duckdb"
    shutil.copy(small_db, db)
    before = _items(db)
    blank = [f for f in list_findings(db, year=2024) if f["rule"] == "tables.blank"]
    listed = [f for f in blank if f["severity"] in ("error", "warning")]
    assert listed, "the small store has blank tables to follow up"
    agency = listed[0]["agency_id"]
    assert agency in before["blank"]
    review_findings(db, [f["finding_id"] for f in listed if f["agency_id"] == agency], "dismiss",
                    note="该机关本年无申请，按惯例留空", reviewer="测试")
    after = _items(db)
    assert agency not in after["blank"]
    assert after["late"] == before["late"]  # nothing else moved

    notes = [f for f in blank if f["severity"] == "info" and f["agency_id"] not in after["blank"]]
    assert notes, "the small store has a partly blank table 二 (a note, info)"
    # A note a supervisor confirms is followed up like an error.
    review_findings(db, [notes[0]["finding_id"]], "confirm", reviewer="测试")
    assert notes[0]["agency_id"] in _items(db)["blank"]
