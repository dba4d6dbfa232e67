"""Decoding the recogniser's output: the plain reading, and for a table cell a number reading.

The recogniser spreads a printed zero over 0, O and o (a lone "0" typically scores 0.6–0.8
on "0" and 0.15–0.3 on "O"/"o"), so a cell holding only a zero — the commonest entry of
tables 三 and 四 — falls below the confidence a number needs even when nothing else was
ever in doubt. In a table cell the parse stage reads only numbers, and there a round glyph
can only be a zero: for every piece in a cell the decoder also folds the zero lookalikes
(and the full-width digits, which NFKC makes digits anyway) into their digit and decodes
again. That number reading is used only when every character it keeps is a digit or a
separator; anything else (a label, a seal fragment read as "C") keeps the plain reading
and its plain confidence. Nothing else is folded: a lone vertical stroke may be what is left
of a ruling line, and reading "|" or "l" as 1 would put a number where the page has none.
"""

from __future__ import annotations

from functools import cache

import numpy as np

# Glyphs that print a zero: Latin, full-width, CJK 〇, Greek and Cyrillic o.
ZERO_LOOKALIKES = "0Oo〇０Ｏｏ\u03bf\u039f\u043e\u041e"
NUMBER_PUNCTUATION = ",.-"
TRAILING_DUST = "。·'`"  # marks no number holds: after the last digit they are dust, anywhere else no number
FULL_WIDTH_DIGITS = "０１２３４５６７８９"


@cache
def _groups(character: tuple[str, ...]) -> tuple[np.ndarray, list[np.ndarray], np.ndarray]:
    """Indices folded into each digit, and the indices of the separators a number may hold."""
    index = {ch: i for i, ch in enumerate(character)}
    digits = []
    for d in "0123456789":
        members = {d, FULL_WIDTH_DIGITS[int(d)]} | (set(ZERO_LOOKALIKES) if d == "0" else set())
        digits.append(np.array(sorted(index[m] for m in members if m in index), dtype=np.int64))
    separators = np.array(sorted(index[p] for p in NUMBER_PUNCTUATION + TRAILING_DUST if p in index), dtype=np.int64)
    folded = np.zeros(len(character), dtype=bool)
    for group in digits:
        folded[group] = True
    folded[separators] = True
    folded[0] = True  # the CTC blank
    return separators, digits, ~folded


def plain_reading(preds: np.ndarray, character: tuple[str, ...]) -> tuple[str, float]:
    """rapidocr's own greedy CTC decode: argmax per step, repeats and blanks dropped, mean
    probability of the kept steps."""
    best = preds.argmax(axis=1)
    keep = np.ones(len(best), dtype=bool)
    keep[1:] = best[1:] != best[:-1]
    keep &= best != 0
    if not keep.any():
        return "", 0.0
    return "".join(character[i] for i in best[keep]), float(preds[np.arange(len(best)), best][keep].mean())


def number_reading(preds: np.ndarray, character: tuple[str, ...]) -> tuple[str, float] | None:
    """The reading with zero lookalikes folded into 0, or None when it is not a number; its
    confidence is the mean over its characters of each one's best frame."""
    separators, digits, others = _groups(character)
    columns = [preds[:, 0]] + [preds[:, g].sum(axis=1) for g in digits]
    labels = ["", *"0123456789"]
    for s in separators:
        columns.append(preds[:, s])
        labels.append(character[s])
    columns.append(preds[:, others].max(axis=1) if others.any() else np.zeros(len(preds)))
    labels.append(None)  # any other character: not a number
    table = np.stack(columns, axis=1)
    best = table.argmax(axis=1)
    # One character per run of frames with the same label (CTC), blanks dropped; its probability
    # is that of its best frame: a digit drawn over two frames (0.63 then 0.98) is judged on the
    # clearer one, not on whichever came first.
    starts = np.flatnonzero(np.r_[True, best[1:] != best[:-1]])
    run_best = np.maximum.reduceat(table[np.arange(len(best)), best], starts)
    runs = [(labels[label], float(p)) for label, p in zip(best[starts], run_best, strict=True) if label != 0]
    chosen, probs = [ch for ch, _ in runs], [p for _, p in runs]
    # A number never ends with a separator: a point after the last digit is a mote of dust.
    while chosen and chosen[-1] is not None and chosen[-1] in NUMBER_PUNCTUATION + TRAILING_DUST:
        chosen.pop(), probs.pop()
    if not chosen or None in chosen or not any(ch.isdigit() for ch in chosen) \
            or any(ch in TRAILING_DUST for ch in chosen):
        return None
    return "".join(chosen), float(np.mean(probs))
