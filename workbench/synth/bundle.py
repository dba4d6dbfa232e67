"""The bundled synthetic corpus: ``data/synthetic``, generated on first use, never committed.

``ensure_bundle()`` writes one document per agency-year (an agency publishes one report a
year, always in the same format: mostly PDF, then portal HTML, some DOCX and TXT), each
beside its ``.expected.json``, plus ``manifest.tsv``, ``breaks.tsv`` (the reports broken on
purpose, and those left out on purpose: ``unpublished``), ``roster.csv`` (every agency, for
``workbench roster --import``) and ``bundle.json`` (the parameters and generator fingerprint). A second call with
the same parameters only reads the stamp and checks the files are there; other parameters
or a changed generator make it build a new corpus in a temporary folder and swap it in,
so a reader never sees half a corpus.

Every file name starts with ``synthetic_``; the agencies and places are invented.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import time
from collections import Counter
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from workbench.synth.breaks import DEFAULT_BREAK_SHARE
from workbench.synth.generate import (
    BREAKS_FILE,
    ROSTER_FILE,
    check_range,
    read_breaks,
    write_reports,
)
from workbench.synth.report import Report, build_reports, leave_out

GENERATOR_VERSION = "2"  # bump when the corpus changes in a way the source hash would not show
STAMP = "bundle.json"
MANIFEST = "manifest.tsv"
# Share of agencies publishing in each format (largest remainder, so 40 agencies give 22/10/5/3).
FORMAT_MIX = (("pdf", 0.55), ("html", 0.25), ("docx", 0.12), ("txt", 0.08))
_OURS = (STAMP, MANIFEST, BREAKS_FILE, ROSTER_FILE)


@dataclass
class BundleResult:
    directory: Path
    documents: list[Path]  # one per agency-year (but those left out on purpose), sorted
    generated: bool  # False: the corpus on disk was already this one
    reason: str  # why it was (re)generated, or "up to date"
    seconds: float
    breaks: dict[str, int] = field(default_factory=dict)  # break kind -> reports
    formats: dict[str, int] = field(default_factory=dict)  # format -> documents

    @property
    def roster(self) -> Path:
        """Every agency of the corpus, expected from its first year (``workbench roster --import``)."""
        return self.directory / ROSTER_FILE

    def summary(self) -> str:
        done = f"generated in {self.seconds:.1f} s ({self.reason})" if self.generated else "up to date"
        kinds = ", ".join(f"{k} {n}" for k, n in sorted(self.breaks.items())) or "none"
        mix = ", ".join(f"{n} {k}" for k, n in sorted(self.formats.items(), key=lambda x: -x[1]))
        return (f"synthetic corpus {self.directory}: {len(self.documents)} documents ({mix}), {done}; "
                f"broken on purpose: {kinds} (see {BREAKS_FILE})")


def ensure_bundle(data_dir: Path = Path("data"), agencies: int = 40, years: range = range(2019, 2025),
                  seed: int = 2024, break_share: float = DEFAULT_BREAK_SHARE, unpublished: int = 0) -> BundleResult:
    """Make ``data_dir/synthetic`` hold the corpus for these parameters; generate only if needed.

    ``unpublished``: agencies whose last year's report is left out on purpose (the first also
    misses the year before), listed in ``breaks.tsv`` as ``not_published``.
    """
    started = time.perf_counter()
    check_range(agencies, years)
    directory = Path(data_dir) / "synthetic"
    wanted = _stamp(agencies, years, seed, break_share, unpublished)
    reason = _stale(directory, wanted)
    if reason is None:
        return _result(directory, False, "up to date", started)
    _refuse_foreign_files(directory)
    _build(directory, agencies, years, seed, break_share, wanted, unpublished)
    return _result(directory, True, reason, started)


def agency_formats(count: int, seed: int) -> list[str]:
    """The format each agency publishes in, in the proportions of FORMAT_MIX, shuffled by seed."""
    quotas = [(fmt, share * count) for fmt, share in FORMAT_MIX]
    counts = {fmt: int(q) for fmt, q in quotas}
    by_remainder = sorted(quotas, key=lambda q: (-(q[1] - int(q[1])), [f for f, _ in FORMAT_MIX].index(q[0])))
    for fmt, _ in by_remainder[: count - sum(counts.values())]:
        counts[fmt] += 1
    formats = [fmt for fmt, _ in FORMAT_MIX for _ in range(counts[fmt])]
    random.Random(f"{seed}:formats").shuffle(formats)
    return formats


# ---------------------------------------------------------------- stamp
def _stamp(agencies: int, years: range, seed: int, break_share: float, unpublished: int = 0) -> dict:
    return {"generator": GENERATOR_VERSION, "source": _source_hash(), "agencies": agencies,
            "years": sorted(years), "seed": seed, "break_share": break_share, "format_mix": dict(FORMAT_MIX),
            "unpublished": unpublished}


def _source_hash() -> str:
    """The generator's code and the table layouts: a change to either makes a new corpus."""
    digest = hashlib.sha256()
    package = resources.files("workbench.synth")
    for name in sorted(p.name for p in package.iterdir() if p.name.endswith(".py")):
        digest.update(name.encode() + b"\0" + package.joinpath(name).read_bytes())
    digest.update(resources.files("workbench.templates").joinpath("official.yaml").read_bytes())
    return digest.hexdigest()[:16]


def _stale(directory: Path, wanted: dict) -> str | None:
    """Why the corpus must be (re)generated, or None when it is the wanted one and complete."""
    stamp = directory / STAMP
    if not stamp.is_file():
        return "missing" if not directory.exists() else "no stamp"
    try:
        found = json.loads(stamp.read_text("utf-8"))
    except (OSError, ValueError):
        return "unreadable stamp"
    changed = [key for key in wanted if found.get(key) != wanted[key]]
    if changed:
        return "changed: " + ", ".join(changed)
    names = _manifest_files(directory)
    if names is None or not all((directory / name).is_file() for name in [*names, ROSTER_FILE]):
        return "files missing"
    return None


def _manifest_files(directory: Path) -> list[str] | None:
    try:
        lines = (directory / MANIFEST).read_text("utf-8").splitlines()[1:]
        read_breaks(directory)
    except (OSError, ValueError):
        return None
    return [name for line in lines for name in line.split("\t")[:2]]


def _refuse_foreign_files(directory: Path) -> None:
    """The folder is replaced as a whole: never delete anything the generator did not write."""
    if not directory.is_dir():
        return
    foreign = [p.name for p in directory.iterdir() if not (p.name.startswith("synthetic_") or p.name in _OURS)]
    if foreign:
        raise ValueError(f"{directory} holds files the generator did not write ({', '.join(sorted(foreign)[:5])}); "
                         "move them elsewhere, then run again")


# ---------------------------------------------------------------- build and swap
def _build(directory: Path, agencies: int, years: range, seed: int, break_share: float, stamp: dict,
           unpublished: int = 0) -> None:
    parent = directory.parent
    parent.mkdir(parents=True, exist_ok=True)
    _remove_leftovers(parent)
    temp = parent / f".synthetic-new-{os.getpid()}"
    old = parent / f".synthetic-old-{os.getpid()}"
    shutil.rmtree(temp, ignore_errors=True)
    try:
        reports, left_out = leave_out(build_reports(agencies, years, seed, break_share), unpublished, seed)
        formats = agency_formats(agencies, seed)
        jobs: list[tuple[Report, str]] = [(r, formats[r.index]) for r in reports]
        write_reports(temp, jobs, seed, unpublished=left_out)
        (temp / STAMP).write_text(json.dumps(stamp, indent=1) + "\n", encoding="utf-8")
        if directory.exists():
            os.replace(directory, old)
        os.replace(temp, directory)
    finally:
        shutil.rmtree(temp, ignore_errors=True)
        shutil.rmtree(old, ignore_errors=True)


def _remove_leftovers(parent: Path) -> None:
    """Temporary folders of a run that was killed (its process is gone)."""
    for path in parent.glob(".synthetic-*-*"):
        pid = path.name.rsplit("-", 1)[-1]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(path, ignore_errors=True)


def _alive(pid: int) -> bool:
    if pid == os.getpid() or os.name == "nt":  # on Windows os.kill would end the process: never ask
        return True
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except OSError:  # exists but is not ours (PermissionError), or cannot tell on this platform
        return True
    return True


def _result(directory: Path, generated: bool, reason: str, started: float) -> BundleResult:
    lines = (directory / MANIFEST).read_text("utf-8").splitlines()[1:]
    rows = [line.split("\t") for line in lines]
    documents = sorted(directory / row[0] for row in rows)
    breaks = Counter(row.kind for row in read_breaks(directory))
    formats = Counter(row[4] for row in rows)
    return BundleResult(directory, documents, generated, reason, time.perf_counter() - started,
                        dict(breaks), dict(formats))
