"""A fuzzing campaign over real and generated reports: what a hostile or damaged file does to the parser.

Each input is a real report (data/real: PDF, HTML, text; Markdown rewritten from HTML) or a
generated DOCX, mutated by flipping, deleting, duplicating and inserting spans (digit runs among
them), parsed in this process. Counted: inputs, the workbench's own one-line errors, tracebacks
(any other exception), hangs (over the ingest's per-file time budget), the process's peak memory,
and silent wrong numbers (a cell holding a number the mutated file does not print; PDFs are
skipped, their text is compressed).

    .venv/bin/python benchmarks/fault_campaign.py --inputs 3000 --seed 1
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from test_fuzz import (  # noqa: E402
    PER_FILE_SECONDS,
    SEEDS,
    _docx_body,
    _docx_with_body,
    printed_digits,
    seed_bytes,
)

from workbench.parse import parse_file  # noqa: E402
from workbench.sources import SourceError  # noqa: E402

KINDS = ("flip", "delete", "duplicate", "digits", "truncate")


def mutate(rng: random.Random, name: str) -> bytes:
    seed = seed_bytes(name)
    data = bytearray(_docx_body(seed) if name.endswith(".docx") else seed)
    for _ in range(rng.randint(1, 6)):
        at = rng.randint(0, len(data))
        kind = rng.choice(KINDS)
        if kind == "flip" and at < len(data):
            data[at] ^= 1 << rng.randint(0, 7)
        elif kind == "delete":
            del data[at: at + rng.randint(1, 400)]
        elif kind == "duplicate":
            data[at:at] = data[at: at + rng.randint(1, 400)]
        elif kind == "digits":
            data[at:at] = "".join(rng.choice("0123456789 ") for _ in range(rng.randint(1, 300))).encode()
        elif kind == "truncate":
            del data[at:]
    return _docx_with_body(seed, bytes(data)) if name.endswith(".docx") else bytes(data)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inputs", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    names = [*SEEDS, "2024_pingtan.html.md", "generated.docx"]
    counts: Counter[str] = Counter()
    slowest = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        for index in range(args.inputs):
            name = rng.choice(names)
            path = Path(tmp) / f"{index}_{Path(name).name}"
            path.write_bytes(mutate(rng, name))
            started = time.monotonic()
            try:
                record = parse_file(path)
            except SourceError:
                counts["own error (one line)"] += 1
                continue
            except Exception as exc:  # noqa: BLE001 - what the campaign counts
                counts["traceback"] += 1
                print(f"traceback: {name}: {type(exc).__name__}: {exc}", file=sys.stderr)
                continue
            finally:
                took = time.monotonic() - started
                slowest = max(slowest, took)
                counts["hang (over budget)"] += took > PER_FILE_SECONDS
            counts["parsed"] += 1
            if path.suffix != ".pdf":
                digits = printed_digits(path)
                wrong = [c for c in record.table_cells if isinstance(c.value, int) and c.value >= 0
                         and str(c.value) not in digits]
                counts["silent wrong number"] += bool(wrong)
                if wrong:
                    kept = Path(tempfile.gettempdir()) / "campaign-wrong" / path.name
                    kept.parent.mkdir(exist_ok=True)
                    kept.write_bytes(path.read_bytes())
                    print(f"wrong number: {name} kept as {kept}: {wrong[:3]}", file=sys.stderr)
            path.unlink()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"inputs {args.inputs} (seed {args.seed})")
    for key in ("parsed", "own error (one line)", "traceback", "hang (over budget)", "silent wrong number"):
        print(f"  {key:24} {counts[key]}")
    print(f"  slowest file            {slowest:.2f} s (budget {PER_FILE_SECONDS:.0f} s)")
    print(f"  peak memory (process)   {peak:.0f} MB")


if __name__ == "__main__":
    main()
