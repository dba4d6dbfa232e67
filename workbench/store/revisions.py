"""Revisions of one agency-year: which cells changed between the current record and a new one.

When the same agency-year arrives again with different content (a corrected
report, a re-published page), the new record becomes revision n+1 and the current
one; the old revision stays in every table with ``is_current = false``. A record
that only *lacks* cells the current revision has (``adds_nothing``) is not a new
revision: it is the same report read less completely. The
``revision_log`` row says what changed: ``changed_cells`` is a JSON list of
``{"table", "key", "old", "new"}`` using the keys of ``records.content_cells``, and
``summary`` counts them per table.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from workbench.store.records import content_cells

_MISSING = object()


def changed_cells(old: dict[str, Any] | None, new: dict[str, Any]) -> list[dict[str, Any]]:
    """The cells whose value differs (a cell missing on one side shows as null there)."""
    before = content_cells(old) if old else {}
    after = content_cells(new)
    changes = []
    for key in sorted(before.keys() | after.keys()):
        a, b = before.get(key, _MISSING), after.get(key, _MISSING)
        if a == b:
            continue
        table, cell = key
        a = None if a is _MISSING else a
        b = None if b is _MISSING else b
        changes.append({"table": table, "key": cell, "old": a, "new": b})
    return changes


def adds_nothing(changes: list[dict[str, Any]] | None) -> bool:
    """Same content, or the new record only leaves blank what the current one fills.

    That is the same report read less completely (a TXT twin whose digit runs could
    not be split where the HTML's cells could): it is not a new revision.
    """
    return changes is not None and all(change["new"] is None for change in changes)


def summary(changes: list[dict[str, Any]], revision: int) -> str:
    if not changes:
        return f"revision {revision}: same content"
    per_table = Counter(c["table"] for c in changes)
    parts = ", ".join(f"{table} {count}" for table, count in sorted(per_table.items()))
    return f"revision {revision}: {len(changes)} cell(s) changed ({parts})"


def to_json(changes: list[dict[str, Any]]) -> str:
    return json.dumps(changes, ensure_ascii=False, default=str)
