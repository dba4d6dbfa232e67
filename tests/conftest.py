from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT / "data" / "real"
EXPECTED = ROOT / "tests" / "expected"
sys.path.insert(0, str(Path(__file__).parent))


def expected_records() -> list[dict]:
    return [json.loads(p.read_text("utf-8")) for p in sorted(EXPECTED.glob("*.expected.json"))]


@pytest.fixture(scope="session")
def real_dir() -> Path:
    return REAL
