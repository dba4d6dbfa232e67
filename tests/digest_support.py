"""A small store for the notebook and digest tests, built once per test session.

data/real plus three synthetic agencies × 2022–2024 (TXT only, fast to parse), and one
synthetic report whose agency name carries ``<script>alert(1)</script>``: the digest must
show that text, escaped, and never run it. The narrative tables are filled too, so every
section of the digest has data.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from workbench.narrative.store import refresh_db
from workbench.store import ingest
from workbench.synth import generate

REAL = Path(__file__).resolve().parent.parent / "data" / "real"
SCRIPT = "<script>alert(1)</script>"
_built: dict[str, Any] = {}


def build_small_db(base: Path) -> Path:
    """The database path; built on the first call of the session, then reused."""
    if "db" in _built:
        return _built["db"]
    base.mkdir(parents=True, exist_ok=True)
    corpus = base / "corpus"
    reports = generate(corpus, agencies=3, years=range(2022, 2025), seed=11, formats=["txt"])
    last = next(r for r in reports if r.year == 2024)
    hostile = corpus / "hostile"
    hostile.mkdir()
    text = last.document.read_text("utf-8").replace(last.agency, last.agency[:2] + SCRIPT + last.agency[2:])
    (hostile / ("synthetic_hostile_" + last.document.name.removeprefix("synthetic_"))).write_text(text, "utf-8")
    db = base / "small.duckdb"
    ingest([REAL, corpus], db=db, workers=1, progress=False)
    refresh_db(db)
    _built["db"] = db
    return db


def published_digest(base: Path) -> Any:
    """The DigestResult of run_digest on the small store (with the Word pack); made once.

    Shared by test_notebooks (digest.ipynb end to end) and test_digest (the runner), because
    executing the digest notebook is the slowest step of both.
    """
    if "out" in _built:
        return _built["out"]
    from workbench.digest.runner import run_digest

    db = build_small_db(base / "store")
    result = run_digest(db, "latest", out=base / "out", docx=True)
    _built["out"] = result
    return result
