"""What the two readers of tables printed as running text share (text_tables, reading_order).

Ordinals are written one way (``2、`` → ``2.``, not after a digit or a full stop), a label's
patterns are searched without their whole-cell anchors, and a few relations between the measures
of one table-二 row hold in any sane report.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from workbench.templates import Label
from workbench.textnorm import nfkc

_ORDINAL = re.compile(r"(?<![\d.])(\d{1,2})、(?!\d)")

# Relations between a row's measures that hold in any sane report; they narrow the readings of
# a run-together row when no identity applies.
_PLAUSIBLE = {
    ("issued", "repealed", "in_force"): lambda v: v[2] >= v[0],
    ("new_made", "new_published", "total_published"): lambda v: v[2] >= v[1],
}


def dot_ordinals(text: str) -> str:
    """NFKC text with 2、 written 2. (how both readers see an ordinal before a label)."""
    return _ORDINAL.sub(r"\1.", nfkc(text))


def running_patterns(label: Label, *, whole_cell: bool = True) -> list[re.Pattern[str]]:
    """A label's patterns for running text, without ^/$ (a label there is not a whole cell).
    ``whole_cell=False`` drops the anchored ones (``^总计$``, ``^其他$``): unanchored, they also
    match column headings and other labels."""
    return [re.compile(p.pattern.removeprefix("^").removesuffix("$")) for p in label.patterns
            if whole_cell or not (p.pattern.startswith("^") or p.pattern.endswith("$"))]


def plausible(measures: tuple[str, ...], values: Sequence[object]) -> bool:
    return _PLAUSIBLE.get(measures, lambda v: True)(values)
