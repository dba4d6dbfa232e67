"""The bundled synthetic corpus (data/synthetic): generated once, regenerated only when asked for
something else, one document per agency-year, every name marked synthetic_."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from workbench.synth import read_breaks
from workbench.synth.bundle import STAMP, agency_formats, ensure_bundle

YEARS = range(2021, 2024)


def _snapshot(directory: Path) -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in directory.iterdir()}


def test_first_call_generates_one_document_per_agency_year(tmp_path: Path) -> None:
    result = ensure_bundle(tmp_path, agencies=4, years=YEARS, seed=5)
    assert result.generated and result.reason == "missing"
    assert result.directory == tmp_path / "synthetic"
    assert len(result.documents) == 4 * len(YEARS)
    names = [p.name for p in result.directory.iterdir()]
    assert all(n.startswith("synthetic_") for n in names
               if n not in (STAMP, "manifest.tsv", "breaks.tsv", "roster.csv"))
    for document in result.documents:
        assert document.is_file() and document.name.startswith("synthetic_")
        assert document.with_name(document.stem + ".expected.json").is_file()
    # an agency publishes one report a year, always in the same format
    records = [json.loads(d.with_name(d.stem + ".expected.json").read_text("utf-8")) for d in result.documents]
    assert Counter((r["agency"], r["year"]) for r in records) == Counter(
        {(a, y): 1 for a in {r["agency"] for r in records} for y in YEARS})
    formats: dict[str, set[str]] = {}
    for record in records:
        formats.setdefault(record["agency"], set()).add(record["source"]["format"])
    assert all(len(f) == 1 for f in formats.values())
    assert sum(result.formats.values()) == len(result.documents)
    assert result.breaks == dict(Counter(row.kind for row in read_breaks(result.directory)))
    assert "not_published" not in result.breaks  # nothing left out unless asked for
    assert "synthetic corpus" in result.summary()
    # the roster lists every agency, expected from the first year
    roster = result.roster.read_text("utf-8").splitlines()
    assert roster[0] == "name,level,kind,expected_from,expected_to"
    assert sorted(line.split(",")[0] for line in roster[1:]) == sorted({r["agency"] for r in records})
    assert {line.split(",", 3)[3] for line in roster[1:]} == {f"{min(YEARS)},"}


def test_unpublished_reports_are_left_out_and_listed(tmp_path: Path) -> None:
    full = ensure_bundle(tmp_path / "full", agencies=6, years=YEARS, seed=5)
    result = ensure_bundle(tmp_path / "gaps", agencies=6, years=YEARS, seed=5, unpublished=2)
    assert result.generated and len(result.documents) == 6 * len(YEARS) - 3
    missing = [row for row in read_breaks(result.directory) if row.kind == "not_published"]
    assert [(row.document, row.year, row.rules) for row in missing] == [
        ("", max(YEARS) - 1, ("roster.not_published",)),
        ("", max(YEARS), ("roster.not_published",)), ("", max(YEARS), ("roster.not_published",))]
    assert len({row.agency for row in missing}) == 2 and all("deadline" in row.detail for row in missing)
    assert result.breaks["not_published"] == 3
    # every other document, and every other row of breaks.tsv, is the one of the full corpus
    kept = {p.name: p.read_bytes() for p in result.documents}
    assert {p.name: p.read_bytes() for p in full.documents if p.name in kept} == kept
    assert [r for r in read_breaks(result.directory) if r.kind != "not_published"] == read_breaks(full.directory)
    gone = {(row.agency, row.year) for row in missing}
    names = [line.split(",")[0] for line in result.roster.read_text("utf-8").splitlines()[1:]]
    assert {agency for agency, _ in gone} <= set(names) and len(names) == 6
    again = ensure_bundle(tmp_path / "gaps", agencies=6, years=YEARS, seed=5, unpublished=3)
    assert again.generated and "unpublished" in again.reason


def test_second_call_generates_nothing(tmp_path: Path) -> None:
    first = ensure_bundle(tmp_path, agencies=3, years=YEARS, seed=5)
    before = _snapshot(first.directory)
    second = ensure_bundle(tmp_path, agencies=3, years=YEARS, seed=5)
    assert not second.generated and second.reason == "up to date"
    assert second.documents == first.documents
    assert _snapshot(second.directory) == before


def test_other_parameters_or_missing_files_regenerate(tmp_path: Path) -> None:
    first = ensure_bundle(tmp_path, agencies=3, years=YEARS, seed=5)
    texts = {p.name: p.read_bytes() for p in first.documents}
    other = ensure_bundle(tmp_path, agencies=3, years=YEARS, seed=6)
    assert other.generated and "seed" in other.reason
    assert {p.name: p.read_bytes() for p in other.documents} != texts
    more = ensure_bundle(tmp_path, agencies=4, years=YEARS, seed=6)
    assert more.generated and "agencies" in more.reason and len(more.documents) == 4 * len(YEARS)
    assert not [p for p in tmp_path.iterdir() if p.name != "synthetic"]  # no temporary folders left
    more.documents[0].unlink()
    again = ensure_bundle(tmp_path, agencies=4, years=YEARS, seed=6)
    assert again.generated and again.reason == "files missing" and again.documents[0].is_file()
    (again.directory / STAMP).write_text("{}", "utf-8")
    assert ensure_bundle(tmp_path, agencies=4, years=YEARS, seed=6).generated


def test_same_parameters_same_bytes(tmp_path: Path) -> None:
    a = ensure_bundle(tmp_path / "a", agencies=2, years=YEARS, seed=9)
    b = ensure_bundle(tmp_path / "b", agencies=2, years=YEARS, seed=9)
    assert [p.read_bytes() for p in a.documents] == [p.read_bytes() for p in b.documents]


def test_foreign_files_are_never_deleted(tmp_path: Path) -> None:
    ensure_bundle(tmp_path, agencies=2, years=YEARS, seed=5)
    mine = tmp_path / "synthetic" / "my_report.pdf"
    mine.write_bytes(b"%PDF-1.4 mine")
    with pytest.raises(ValueError, match="my_report.pdf"):
        ensure_bundle(tmp_path, agencies=2, years=YEARS, seed=6)
    assert mine.read_bytes() == b"%PDF-1.4 mine"


def test_format_mix_is_mostly_pdf() -> None:
    assert Counter(agency_formats(40, 2024)) == {"pdf": 22, "html": 10, "docx": 5, "txt": 3}
    assert Counter(agency_formats(7, 1)) == {"pdf": 4, "html": 2, "docx": 1}
    assert agency_formats(40, 1) != agency_formats(40, 2)
