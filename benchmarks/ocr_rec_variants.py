"""Ways of running the recognition model on a page's pieces: CPU time, and whether readings change.

Every recognition crop the scan reader makes (``scan._recognise``'s inputs) is collected from
scanned generated reports (``workbench.synth.scanned``, scan_200) and the real PDFs of data/real
rasterised at 200 dpi, then read by each variant:

  batch16    rapidocr's own batching, as the reader did before: 16 pieces sorted by width, each
             batch padded to its widest and to at least 320 px (the reference);
  alone<W>   each piece run alone, padded to at least W px (the reader: alone320);
  pack       short cell pieces (≤ 160 px at height 48) side by side on one strip, a gap of
             --gap line heights between them (--fill: 255 white, 127.5 rapidocr's grey), the
             CTC output split per piece by the column each character was emitted at; a strip
             that does not split cleanly (a character in a gap, a piece with none) is read
             piece by piece alone.

For each variant: CPU seconds per page of recognition (one thread), and over the table-cell
pieces that read as numbers: how many read differently from the reference, how many of those
with confidence ≥ scan.UNCERTAIN both ways (a silent change of a number), and how many crossed
the threshold either way.

    WORKBENCH_OCR_THREADS=1 taskset -c 0 .venv/bin/python benchmarks/ocr_rec_variants.py
    ... --variants batch16,alone320,alone256,pack --gap 1.0
"""

from __future__ import annotations

import argparse
import math
import os
import tempfile
import time
from pathlib import Path

import numpy as np

from workbench.sources import ocr_rec, scan

ROOT = Path(__file__).resolve().parents[1]
PACK_MAX = 160  # px at height 48
STRIP_MAX = 1280  # px


def pages(workdir: Path, agencies: int, seed: int) -> list[dict]:
    """Each page's crops and whether each lies in a table cell."""
    import pypdfium2 as pdfium

    from workbench.synth.report import build_reports
    from workbench.synth.scanned import scan_pdf, scannable, write_scanned

    paths = [v.document for v in write_scanned(workdir, scannable(build_reports(agencies, range(2019, 2025), seed)),
                                                seed, ["scan_200"])]
    for real in sorted((ROOT / "data/real").glob("*.pdf")):
        paths.append(workdir / f"{real.stem}.scan_200.pdf")
        paths[-1].write_bytes(scan_pdf(real.read_bytes(), 200, seed=real.stem)[0])
    out: list[dict] = []

    def grab(gray, pieces, in_cells, scale):  # noqa: ANN001, ANN202 - scan._recognise's signature
        crops = []
        for x0, y0, x1, y1 in pieces:
            pad = max(2, (y1 - y0) // 4)
            crops.append(gray[max(y0 - pad, 0):y1 + pad, max(x0 - pad, 0):x1 + pad].copy())
        out.append({"crops": crops, "in_cells": list(in_cells)})
        return []

    original, scan._recognise = scan._recognise, grab
    try:
        for path in paths:
            document = pdfium.PdfDocument(str(path))
            for number in range(len(document)):
                pixels = document[number].render(scale=scan.DPI / 72).to_numpy()[:, :, :3][:, :, ::-1].copy()
                scan.page_blocks(pixels, scan.DPI, number + 1)
    finally:
        scan._recognise = original
    return out


def read_strip(grays: list[np.ndarray], gap: float, fill: float) -> list[ocr_rec.Reading] | None:
    """Pieces read side by side on one strip, or None when the output does not split cleanly."""
    pieces = [ocr_rec.resized(g) for g in grays]
    space = int(gap * ocr_rec.HEIGHT)
    spans, x = [], space // 2
    for p in pieces:
        spans.append((x, x + p.shape[1]))
        x += p.shape[1] + space
    stride = 8  # input columns per CTC frame
    strip = np.full((ocr_rec.HEIGHT, max(ocr_rec.ALONE_WIDTH, math.ceil(x / stride) * stride)), fill, np.float32)
    for (a, b), p in zip(spans, pieces, strict=True):
        strip[:, a:b] = p
    index, prob = ocr_rec.run(strip / 127.5 - 1.0)
    frames = ocr_rec.emitted(index)
    centres = frames * stride + stride / 2
    owner = np.full(frames.shape, -1)
    for n, (a, b) in enumerate(spans):
        owner[(centres >= a - stride) & (centres <= b + stride)] = n
    characters = ocr_rec.recogniser().postprocess_op.character
    ink = np.array([characters[i] != " " for i in index[frames]], dtype=bool)
    if (owner[ink] < 0).any():
        return None  # a character in a gap: nobody's
    out = []
    for n in range(len(pieces)):
        own = frames[(owner == n) & ink]
        if own.size == 0:
            return None
        out.append(ocr_rec.reading(frames[(owner == n) & (frames >= own[0]) & (frames <= own[-1])], index, prob))
    return out


def packed(crops: list[np.ndarray], in_cells: list[bool], gap: float, fill: float) -> list[ocr_rec.Reading]:
    readings: list[ocr_rec.Reading | None] = [None] * len(crops)
    strips: list[list[int]] = []
    width = STRIP_MAX
    for n, crop in enumerate(crops):
        size = math.ceil(ocr_rec.HEIGHT * crop.shape[1] / max(crop.shape[0], 1))
        if not in_cells[n] or size > PACK_MAX:
            continue
        if width + size + gap * ocr_rec.HEIGHT > STRIP_MAX:
            strips.append([])
            width = 0
        strips[-1].append(n)
        width += size + gap * ocr_rec.HEIGHT
    for members in (m for m in strips if len(m) > 1):
        for n, reading in zip(members, read_strip([crops[n] for n in members], gap, fill) or [], strict=False):
            readings[n] = reading
    return [r or ocr_rec.read_alone(crops[n]) for n, r in enumerate(readings)]


def read(variant: str, page: dict, gap: float, fill: float) -> list[tuple[str, float]]:
    crops = page["crops"]
    if not crops:
        return []
    if variant == "batch16":
        engine = scan.engine()
        engine.text_rec.rec_image_shape, engine.text_rec.rec_batch_num = [3, 48, 320], 16
        results, _ = engine.text_rec([np.repeat(c[:, :, None], 3, axis=2) for c in crops])
        return [(t, float(c)) for t, c in results]
    if variant.startswith("alone"):
        return [(r.text, r.confidence) for r in (ocr_rec.read_alone(c, int(variant[5:])) for c in crops)]
    if variant == "pack":
        return [(r.text, r.confidence) for r in packed(crops, page["in_cells"], gap, fill)]
    raise SystemExit(f"unknown variant {variant}")


def norm(text: str) -> str:
    return "".join(text.split()) if scan._numeric(text) else text.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", default="batch16,alone320,alone256,alone160,pack")
    parser.add_argument("--agencies", type=int, default=1, help="generated agencies (× 2019–2024)")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--gap", type=float, default=1.0, help="pack: gap in line heights")
    parser.add_argument("--fill", type=float, default=255.0, help="pack: the gap's grey level")
    args = parser.parse_args()
    os.environ.setdefault("WORKBENCH_OCR_THREADS", "1")
    with tempfile.TemporaryDirectory() as tmp:
        collected = pages(Path(tmp), args.agencies, args.seed)
    variants = [v.strip() for v in args.variants.split(",") if v.strip()]
    readings: dict[str, list[list[tuple[str, float]]]] = {}
    print(f"{len(collected)} pages, {sum(len(p['crops']) for p in collected)} pieces")
    print(f"{'variant':10} {'CPU s/page':>10} {'numbers':>7} {'differ':>6} {'differ, both sure':>17} "
          f"{'fell below':>10} {'rose above':>10}")
    for variant in variants:
        started = time.process_time()
        readings[variant] = [read(variant, page, args.gap, args.fill) for page in collected]
        cpu = (time.process_time() - started) / len(collected)
        numbers = differ = sure = fell = rose = 0
        for page, mine, ref in zip(collected, readings[variant], readings[variants[0]], strict=True):
            for cell, (text, conf), (ref_text, ref_conf) in zip(page["in_cells"], mine, ref, strict=True):
                text, ref_text = norm(text), norm(ref_text)
                if not cell or not (scan._numeric(text) or scan._numeric(ref_text)):
                    continue
                numbers += 1
                differ += text != ref_text
                sure += text != ref_text and min(conf, ref_conf) >= scan.UNCERTAIN
                fell += ref_conf >= scan.UNCERTAIN > conf
                rose += conf >= scan.UNCERTAIN > ref_conf
        print(f"{variant:10} {cpu:10.2f} {numbers:7d} {differ:6d} {sure:17d} {fell:10d} {rose:10d}", flush=True)
    print(f"(differences against {variants[0]})")


if __name__ == "__main__":
    main()
