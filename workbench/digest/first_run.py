"""The README's first command: the bundled corpus, loaded and checked, and its yearly digest.

    from workbench.digest.first_run import first_run
    first_run(data=Path("data"), db=Path("data/workbench.duckdb"), out=Path("out"))

Steps, each reported through ``say`` as it finishes: generate the synthetic corpus into
``data/synthetic`` if it is missing or was made with other parameters (fixed seed); ingest
``data/real`` and ``data/synthetic`` (files already loaded are skipped); re-run the section
五 comparison; import the corpus's roster (every synthetic agency, expected from 2019: a few
left their reports out on purpose, so ``workbench roster --year 2024`` names them); write the
digest for the latest complete year, with the Word briefing pack.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from workbench.digest.runner import DigestResult, run_digest
from workbench.i18n import t
from workbench.narrative.store import ingest_and_compare
from workbench.store import IngestResult
from workbench.store.roster import import_roster
from workbench.synth.bundle import BundleResult, ensure_bundle

BUNDLE_SEED = 2024
BUNDLE_YEARS = range(2019, 2025)
BUNDLE_UNPUBLISHED = 3  # agencies that miss 2024 (the first also 2023): breaks.tsv kind not_published


@dataclass
class FirstRunResult:
    bundle: BundleResult
    ingest: IngestResult
    digest: DigestResult
    seconds: float


def first_run(data: Path = Path("data"), db: Path = Path("data/workbench.duckdb"), out: Path = Path("out"),
              agencies: int = 40, workers: int | None = None, docx: bool = True,
              say: Callable[[str], None] = print) -> FirstRunResult:
    started = time.perf_counter()
    bundle = ensure_bundle(data, agencies=agencies, years=BUNDLE_YEARS, seed=BUNDLE_SEED,
                           unpublished=min(BUNDLE_UNPUBLISHED, agencies - 1))
    say(bundle_summary(bundle))
    loaded = ingest_and_compare([data / "real", bundle.directory], db, workers=workers,
                                registry=data / "agencies.csv")
    say(t("demo.ingest", summary=loaded.summary()))
    if loaded.narrative == "refreshed":
        say(t("demo.narrative"))
    say(t("demo.roster", summary=import_roster(db, bundle.roster, registry=data / "agencies.csv").summary()))
    digest = run_digest(db, "latest", out, docx=docx)
    say(digest.summary())
    return FirstRunResult(bundle, loaded, digest, time.perf_counter() - started)


def bundle_summary(bundle: BundleResult) -> str:
    """The bundled corpus in the user's language (workbench.synth words its own summary in English)."""
    from workbench.i18n.msgids import translate_text
    from workbench.synth.generate import BREAKS_FILE

    done = (t("demo.bundle_generated", seconds=f"{bundle.seconds:.1f}", reason=translate_text(bundle.reason, "bundle"))
            if bundle.generated else t("demo.bundle_current"))
    kinds = "、".join(f"{k} {n}" for k, n in sorted(bundle.breaks.items())) or t("roster.none")
    mix = "、".join(f"{k} {n}" for k, n in sorted(bundle.formats.items(), key=lambda x: -x[1]))
    return t("demo.bundle", folder=bundle.directory, documents=len(bundle.documents), mix=mix, done=done,
             kinds=kinds, breaks=BREAKS_FILE)
