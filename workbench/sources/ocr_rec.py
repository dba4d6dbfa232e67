"""Recognition of a page's text pieces, one piece per model run.

The scan reader (``scan.py``) cuts a page into pieces (one text line of a cell or of prose)
and runs only PP-OCRv4's *recognition* model on them. On one core the model's cost is close
to proportional to the columns it is given (≈ 70–80 µs per column of a 48-px-high input) when
it runs one input at a time; rapidocr's own batching (16 inputs, each padded to the widest
and to 320 px) cost 1.5–2.2× that per column, because a batch's activations outgrow the cache,
and its batches of wide prose lines were most of the reader's 1.1 GB peak.

So every piece is run alone, padded as rapidocr pads (mid-grey, to at least ``ALONE_WIDTH``):
a lone cell reads exactly as it did in a batch of pieces narrower than 320 px, and a piece's
reading never depends on which pieces shared its batch. Measured on 3,672 pieces of 38
scanned pages (benchmarks/ocr_rec_variants.py): of 1,705 number-like cell pieces one read
differently ('n' at 0.30 → '7' at 0.37, unread either way) and none crossed ``UNCERTAIN``;
the recognition CPU time per page fell from 6.5 s to 2.8 s and the peak memory by half.

Tried and not taken (same benchmark):

- a narrower floor (160 px: 1.75 s per page) read 19 numbers differently at confidence ≥ 0.75
  both ways;
- packing short cell pieces side by side on one strip with a white or grey gap of one to
  1.5 line heights, split back per piece by the column each CTC character was emitted at
  (2.1 s per page): the model's global mixing layers let neighbours change readings, and
  some changes were confident: "38" read as "3" (0.88), "22" as "2" (0.84), "予处理" as
  "处理" (every character ≥ 0.99), so no per-piece confidence floor makes a split safe.
"""

from __future__ import annotations

import math
import os
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from workbench.sources import ocr_digits

if TYPE_CHECKING:
    import numpy as np

HEIGHT = 48  # the recognition model's input height
# A piece is padded to this width, as rapidocr pads every batch: lone digits read narrower
# lose confidence and some read differently (see above and REC_WIDTH in scan.py).
ALONE_WIDTH = 320

_REC: Any = None
_CHARACTERS: tuple[str, ...] | None = None
_LOCK = threading.Lock()


@dataclass(slots=True)
class Reading:
    text: str
    confidence: float  # the mean probability of its characters, as rapidocr computes it


def threads() -> int:
    """onnxruntime's thread count: ``WORKBENCH_OCR_THREADS``, or -1 (its own choice)."""
    return int(os.environ.get("WORKBENCH_OCR_THREADS", "-1") or -1)


def recogniser() -> Any:
    """rapidocr's text recogniser alone (its detection and angle models are never loaded)."""
    global _REC
    with _LOCK:
        if _REC is None:
            try:
                from rapidocr_onnxruntime.ch_ppocr_rec import TextRecognizer
                from rapidocr_onnxruntime.main import root_dir
                from rapidocr_onnxruntime.utils import read_yaml
            except ImportError as exc:  # pragma: no cover - a dependency of the package
                raise RuntimeError("OCR 组件未安装（pip install rapidocr-onnxruntime）") from exc
            config = read_yaml(str(root_dir / "config.yaml"))["Rec"]
            config.update(intra_op_num_threads=threads(), inter_op_num_threads=threads(),
                          model_path=str(root_dir / config["model_path"]))
            _REC = TextRecognizer(config)
    return _REC


def resized(gray: np.ndarray) -> np.ndarray:
    """A gray piece at the model's height, its width rounded as rapidocr rounds it (float 0–255)."""
    import cv2

    h, w = gray.shape[:2]
    width = max(1, math.ceil(HEIGHT * w / max(h, 1)))
    return cv2.resize(gray, (width, HEIGHT)).astype("float32")


def predict(row: np.ndarray) -> np.ndarray:
    """One input (48 × W, normalised to [-1, 1]): the class probabilities of every CTC frame."""
    import numpy as np

    # The three channels of a gray piece are equal: broadcast rather than copy.
    batch = np.ascontiguousarray(np.broadcast_to(row, (1, 3, *row.shape)), dtype=np.float32)
    return recogniser().session(batch)[0][0]


def run(row: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per CTC frame of one input, the best class and its probability."""
    preds = predict(row)
    return preds.argmax(axis=1), preds.max(axis=1)


def emitted(index: np.ndarray) -> np.ndarray:
    """Frames where CTC emits a character: not blank, not a repeat of the frame before."""
    import numpy as np

    keep = index != 0
    keep[1:] &= index[1:] != index[:-1]
    return np.flatnonzero(keep)


def reading(frames: np.ndarray, index: np.ndarray, prob: np.ndarray) -> Reading:
    """The text of the emitted ``frames`` (a strip's share of them, in the packing benchmark)."""
    characters = recogniser().postprocess_op.character
    text = "".join(characters[i] for i in index[frames])
    if not frames.size:
        return Reading(text, 0.0)
    return Reading(text, float(prob[frames].mean()))


def read_alone(gray: np.ndarray, floor: int | None = None, in_cell: bool = False) -> Reading:
    """One piece, padded (mid-grey, as rapidocr pads) to at least ``floor`` (ALONE_WIDTH) px; a
    piece in a table cell gets its number reading when it has one (``ocr_digits``).

    CTC writes a doubled digit as the digit, a blank, the digit; where two 7s touch, the blank
    may never come and "77" reads "7" with 0.97. So a number whose digit fills LONG_RUN or more
    frames in a row is read again from the piece drawn 1.5× wider (the blank then has room);
    when the two readings differ the piece is not read (confidence 0)."""
    character = _characters()
    piece = resized(gray)
    preds = predict(_row(piece, floor))
    number = ocr_digits.number_reading(preds, character) if in_cell else None
    if number is not None and _longest_run(preds) >= LONG_RUN:
        again = ocr_digits.number_reading(predict(_row(_stretched(piece, 1.5), floor)), character)
        if again is None or again[0] != number[0]:
            return Reading(number[0], 0.0)
    text, confidence = number or ocr_digits.plain_reading(preds, character)
    return Reading(text, confidence)


LONG_RUN = 3  # frames (8 input columns each) one digit may fill before it may be two


def _row(piece: np.ndarray, floor: int | None) -> np.ndarray:
    import numpy as np

    row = np.zeros((HEIGHT, max(floor or ALONE_WIDTH, piece.shape[1])), dtype=np.float32)
    row[:, :piece.shape[1]] = piece / 127.5 - 1.0
    return row


def _stretched(piece: np.ndarray, factor: float) -> np.ndarray:
    import cv2

    return cv2.resize(piece, (max(1, round(piece.shape[1] * factor)), HEIGHT))


def _longest_run(preds: np.ndarray) -> int:
    """The most consecutive frames one non-blank class is the likeliest in."""
    best, run, last = 0, 0, 0
    for label in preds.argmax(axis=1).tolist():
        run = run + 1 if label == last and label != 0 else (1 if label != 0 else 0)
        last = label
        best = max(best, run)
    return best


def _characters() -> tuple[str, ...]:
    global _CHARACTERS
    if _CHARACTERS is None:
        _CHARACTERS = tuple(recogniser().postprocess_op.character)
    return _CHARACTERS


def recognise(grays: list[np.ndarray], in_cells: list[bool] | None = None) -> list[Reading]:
    """Readings of all pieces of a page (gray crops), each read alone; ``in_cells``: which
    pieces lie in table cells."""
    floor = int(os.environ.get("WORKBENCH_OCR_REC_WIDTH", ALONE_WIDTH))
    cells = in_cells or [False] * len(grays)
    return [read_alone(gray, floor, cell) for gray, cell in zip(grays, cells, strict=True)]
