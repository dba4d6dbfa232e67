"""Scanned synth variants (issue 15 item 6): image-only PDFs, a mixed PDF, HTML whose table 三 is
an image, page images — each beside a truth that is the generated report's own record.

One 2021 report (seed 5) is written once per module in the fast kinds; the 200/300 dpi scans,
the 2019 template, determinism and the CLI are marked slow.
"""

from __future__ import annotations

import base64
import importlib.util
import io
import json
from pathlib import Path

import numpy as np
import pypdfium2
import pytest
from bs4 import BeautifulSoup
from PIL import Image

from workbench.parse import parse_file
from workbench.sources import SourceError
from workbench.synth import generate
from workbench.synth import scan_image as si
from workbench.synth.report import build_reports
from workbench.synth.scanned import (
    KINDS,
    MAX_ROTATION,
    ScannedVariant,
    scan_pdf,
    scannable,
    write_scanned,
)
from workbench.templates import layouts

SEED = 5
FAST = ("scan_150", "scan_mixed", "html_table_image", "html_table_image_datauri", "image_png", "image_jpg",
        "pdf_table_image", "html_table_image_in_cell")
TABLES = (("active_disclosure", "item", "measure"), ("requests", "row", "applicant"),
          ("review_litigation", "proceeding", "result"))


def _cells(record: dict, sections: tuple[str, ...] = ("active_disclosure", "requests", "review_litigation")) -> dict:
    return {(t, c[a], c[b]): c["value"] for t, a, b in TABLES if t in sections for c in record[t]}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, ScannedVariant], Path]:
    """The fast kinds of one report, and the folder where the same report was generated as a corpus."""
    base = tmp_path_factory.mktemp("scanned")
    generate(base / "corpus", agencies=1, years=range(2021, 2022), seed=SEED, formats=["pdf", "html"],
             break_share=0.0)
    report = build_reports(1, range(2021, 2022), SEED)[0]
    written = write_scanned(base / "scanned", [report], SEED, FAST)
    return {v.kind: v for v in written}, base / "corpus"


def _notes(variant: ScannedVariant) -> dict:
    return json.loads(variant.damage.read_text("utf-8"))


def _page_image(variant: ScannedVariant, number: int) -> Image.Image:
    """A scanned page back at the dpi it was scanned at."""
    dpi = _notes(variant)["pages"][0]["dpi"]
    document = pypdfium2.PdfDocument(variant.document)
    try:
        return document[number].render(scale=dpi / 72).to_pil().convert("RGB")
    finally:
        document.close()


def test_every_kind_is_written_with_truth_and_notes(corpus) -> None:
    variants, _ = corpus
    assert set(variants) == set(FAST)
    manifest = (next(iter(variants.values())).document.parent / "manifest.tsv").read_text("utf-8").splitlines()
    assert len(manifest) == 1 + len(FAST)
    for variant in variants.values():
        assert variant.document.stat().st_size > 1000
        truth = json.loads(variant.expected.read_text("utf-8"))
        assert truth["source"]["path"] == variant.document.name
        assert _notes(variant)["kind"] == variant.kind


def test_scans_have_no_text_layer(corpus) -> None:
    variants, folder = corpus
    text_pages = len(pypdfium2.PdfDocument(next(folder.glob("*.pdf"))))
    document = pypdfium2.PdfDocument(variants["scan_150"].document)
    assert len(document) == text_pages
    for page in document:
        assert page.get_textpage().count_chars() == 0
        assert any(obj.type == pypdfium2.raw.FPDF_PAGEOBJ_IMAGE for obj in page.get_objects())
    assert len(_notes(variants["scan_150"])["pages"]) == text_pages


def test_mixed_pdf_scans_the_table_pages_and_keeps_the_others_text(corpus) -> None:
    variants, folder = corpus
    notes = _notes(variants["scan_mixed"])
    assert notes["scanned_pages"] and notes["text_pages"]
    mixed = pypdfium2.PdfDocument(variants["scan_mixed"].document)
    original = pypdfium2.PdfDocument(next(folder.glob("*.pdf")))
    for number in notes["scanned_pages"]:
        assert mixed[number].get_textpage().count_chars() == 0
        assert [t for t in notes["pages"] if t["page"] == number][0]["tables"]  # a page with a table
    for number in notes["text_pages"]:
        assert mixed[number].get_textpage().get_text_range() == original[number].get_textpage().get_text_range()


def _skew(image: Image.Image) -> float:
    """The rotation that makes the page's horizontal lines sharpest (row-sum peaks)."""
    grey = image.convert("L").resize((image.width // 2, image.height // 2))
    best, best_score = 0.0, -1.0
    for tenth in range(-20, 21):
        angle = tenth / 10
        dark = np.asarray(si.rotate(grey, -angle)) < 128
        score = float(np.sort(dark.sum(axis=1))[-40:].sum())  # the 40 blackest rows: ruling lines
        if score > best_score:
            best, best_score = angle, score
    return best


def test_rotation_is_within_bounds_and_as_recorded(corpus) -> None:
    variant = corpus[0]["scan_150"]
    for page in _notes(variant)["pages"]:
        assert abs(page["rotation"]) <= MAX_ROTATION
        if page["tables"]:
            measured = _skew(_page_image(variant, page["page"]))
            assert abs(measured - page["rotation"]) <= 0.15, (page["page"], measured, page["rotation"])


def _red(image: Image.Image) -> np.ndarray:
    rgb = np.asarray(image.convert("RGB")).astype(int)
    return (rgb[..., 0] > 150) & (rgb[..., 1] < 120) & (rgb[..., 2] < 120)


def test_seal_is_red_and_lies_across_table_three(corpus) -> None:
    variants, _ = corpus
    across = 0
    for kind in ("scan_150", "scan_mixed", "image_jpg"):
        variant = variants[kind]
        for page in _notes(variant)["pages"]:
            if not page["seals"]:
                continue
            image = Image.open(variant.document) if kind == "image_jpg" else _page_image(variant, page["page"])
            ys, xs = np.nonzero(_red(image))
            in_any = np.zeros(len(xs), dtype=bool)
            for seal in page["seals"]:
                (cx, cy), r = seal["centre"], seal["diameter"] / 2
                inside = (xs - cx) ** 2 + (ys - cy) ** 2 <= (r * 1.05) ** 2
                assert inside.sum() > 0.02 * np.pi * r * r, (kind, page["page"])  # ink there, and red
                in_any |= inside
                if seal["over"] == "requests":
                    x0, y0, x1, y1 = next(t["box"] for t in page["tables"] if t["section"] == "requests")
                    assert x0 < cx < x1 and y0 < cy < y1
                    across += 1
            assert in_any.mean() > 0.97  # red nowhere but in the seals
    assert across >= 1  # seed 5 stamps table 三 in at least one of these kinds


def test_signature_scribble_is_beside_the_date_seal(corpus) -> None:
    variant = corpus[0]["scan_150"]
    page = next(p for p in _notes(variant)["pages"] if "scribble" in p)
    date_seal = next(s for s in page["seals"] if s["over"] == "date")
    (sx, sy), (width, tall) = page["scribble"]["centre"], page["scribble"]["size"]
    assert abs(sx - date_seal["centre"][0]) < 2 * date_seal["diameter"]
    assert abs(sy - date_seal["centre"][1]) < date_seal["diameter"]
    rgb = np.asarray(_page_image(variant, page["page"])).astype(int)
    blue = (rgb[..., 2] > rgb[..., 0] + 30) & (rgb[..., 2] < 200)  # blue-black ink, not print or seal
    ys, xs = np.nonzero(blue)
    near = (abs(xs - sx) < width * 0.6) & (abs(ys - sy) < tall * 0.8)
    assert near.sum() > 0.03 * width * tall and near.mean() > 0.9


def test_html_table_three_is_an_image_and_the_rest_is_text(corpus) -> None:
    variants, folder = corpus
    original = next(folder.glob("*.html"))
    heading = next(f"{s.ordinal}、{s.label}" for s in layouts().sections if s.key == "requests")
    truth = json.loads(variants["html_table_image"].expected.read_text("utf-8"))
    pngs = []
    for kind in ("html_table_image", "html_table_image_datauri"):
        variant = variants[kind]
        soup = BeautifulSoup(variant.document.read_bytes(), "lxml")
        plain = BeautifulSoup(original.read_bytes(), "lxml")
        assert len(soup.find_all("table")) == len(plain.find_all("table")) - 1
        images = [img for img in soup.find_all("img") if img.find_parent("div", class_="header") is None]
        assert len(images) == 1
        src = images[0]["src"]
        if kind.endswith("_datauri"):
            assert src.startswith("data:image/png;base64,")
            pngs.append(base64.b64decode(src.split(",", 1)[1]))
        else:
            pngs.append((variant.document.parent / src).read_bytes())
        # the picture stands right after the section 三 heading
        heading_tag = next(t for t in soup.find_all(["p", "h3"]) if t.get_text(strip=True) == heading)
        assert heading_tag.find_next(["img", "table"]) is images[0]
        # the text parts read exactly as the generated record; table 三 is not made up
        record = parse_file(variant.document).to_dict()
        text_cells = ("active_disclosure", "review_litigation")
        assert _cells(record, text_cells) == _cells(truth, text_cells)
        for cell in record["requests"]:
            assert cell.get("unread") or cell["value"] == _cells(truth)[("requests", cell["row"], cell["applicant"])]
    assert pngs[0] == pngs[1]
    picture = Image.open(io.BytesIO(pngs[0]))
    assert picture.width > 800 and np.asarray(picture.convert("L")).min() < 50


def test_truths_are_the_generated_records(corpus) -> None:
    variants, folder = corpus
    for kind, variant in variants.items():
        fmt = "html" if kind.startswith("html") else "pdf"
        generated = json.loads(next(folder.glob(f"*_{fmt}.expected.json")).read_text("utf-8"))
        truth = json.loads(variant.expected.read_text("utf-8"))
        if kind.startswith("image_"):  # only the cells printed on that page, table 三's among them
            assert set(_cells(truth).items()) < set(_cells(generated).items())
            assert any(key[0] == "requests" for key in _cells(truth))
            continue
        generated.pop("source"), truth.pop("source")
        assert truth == generated


def test_pages_show_chinese_in_the_bundled_font(corpus) -> None:
    variants, folder = corpus
    document = pypdfium2.PdfDocument(next(folder.glob("*.pdf")))
    text = "".join(g.char for page in document for g in si.page_glyphs(page))
    assert sum("\u4e00" <= ch <= "\u9fff" for ch in text) > 500
    assert si.missing_glyphs(text) == set()  # every character has a glyph: none is drawn as a box
    clean = np.asarray(Image.open(variants["image_png"].document).convert("L"))
    assert (clean < 128).mean() > 0.01  # ink on the page, not an empty render


def test_real_pdf_scanned_without_text_layer(real_dir: Path) -> None:
    """The real reports' PDFs embed their fonts: PDFium draws them as they are, then the scanner's
    damage; the scan has the pages of the original and no text (the OCR tests score its cells)."""
    source = real_dir / "2023_hongze.pdf"
    data, notes = scan_pdf(source.read_bytes(), 150, seed=source.stem)
    assert data == scan_pdf(source.read_bytes(), 150, seed=source.stem)[0]
    scan, original = pypdfium2.PdfDocument(data), pypdfium2.PdfDocument(source)
    assert len(scan) == len(original) == len(notes)
    for page, note in zip(scan, notes, strict=True):
        assert page.get_textpage().count_chars() == 0
        assert abs(note["rotation"]) <= MAX_ROTATION
    ink = np.asarray(scan[0].render(scale=150 / 72).to_pil().convert("L")) < 100
    assert ink.mean() > 0.005  # the hanzi are drawn (embedded fonts), not left out


def test_scannable_leaves_out_identity_breaks() -> None:
    reports = build_reports(4, range(2019, 2025), SEED, break_share=0.5)
    kept = scannable(reports)
    assert 0 < len(kept) < len(reports)
    assert all(not r.breaks_kind("identity") for r in kept)


def test_read_rate_counts_a_refused_file_all_unread(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = importlib.util.spec_from_file_location("read_rate", Path(__file__).parents[1] / "benchmarks/read_rate.py")
    read_rate = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(read_rate)

    def refuse(path: Path) -> None:
        raise SourceError(path, "the PDF has no text layer")

    def crash(path: Path) -> None:
        raise ValueError("a reader bug")

    want = {("requests", "granted", "total"): (5, False), ("requests", "unable_unclear", "total"): (None, False)}
    row = [0] * 8  # reports, cells, exact, wrong, unread, read blank, refused, failed
    monkeypatch.setattr(read_rate, "parse_file", refuse)
    read_rate.score_scanned(row, want, tmp_path / "x.pdf")
    assert row == [1, 2, 0, 0, 2, 0, 1, 0]
    monkeypatch.setattr(read_rate, "parse_file", crash)
    read_rate.score_scanned(row, want, tmp_path / "x.pdf")
    assert row == [2, 4, 0, 0, 4, 0, 1, 1]


@pytest.mark.slow
def test_all_kinds_both_templates_deterministic(tmp_path: Path) -> None:
    reports = build_reports(1, range(2020, 2022), SEED)
    first = write_scanned(tmp_path / "a", reports, SEED)
    second = write_scanned(tmp_path / "b", reports, SEED)
    assert {v.kind for v in first} == set(KINDS)
    assert {json.loads(v.expected.read_text("utf-8"))["template"] for v in first} == {"2019", "2021"}
    for a, b in zip(first, second, strict=True):
        assert a.document.read_bytes() == b.document.read_bytes(), a.document.name
    for variant in first:
        if variant.kind.startswith("scan_") and variant.kind != "scan_mixed":
            for page in _notes(variant)["pages"]:
                assert page["dpi"] == int(variant.kind[5:])
                assert abs(page["rotation"]) <= MAX_ROTATION


@pytest.mark.slow
def test_cli_synth_scanned(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from workbench.cli import app

    result = CliRunner().invoke(app, ["synth", str(tmp_path), "--agencies", "1", "--years", "2021",
                                      "--formats", "pdf", "--scanned"])
    assert result.exit_code == 0, result.output
    assert f"生成 {len(KINDS)} 个扫描件变体" in result.output
    assert len(list((tmp_path / "scanned").glob("*.expected.json"))) == len(KINDS)


# --------------------------------------------------------------------------- tables as pictures in text documents
PICTURE_KINDS = ("pdf_table_image", "html_table_image_in_cell")


def test_pdf_table_image_has_table_three_only_as_a_picture(corpus) -> None:
    variants, folder = corpus
    variant = variants["pdf_table_image"]
    (drawn,) = _notes(variant)["pictures"]
    text = pypdfium2.PdfDocument(variant.document)
    original = pypdfium2.PdfDocument(next(folder.glob("*.pdf")))
    label = "本年新收"  # the start of a row label of table 三 (both templates), not in the prose
    words = "".join(page.get_textpage().get_text_range() for page in text)
    assert label not in words
    assert label in "".join(page.get_textpage().get_text_range() for page in original)
    heading = next(f"{s.ordinal}、{s.label}" for s in layouts().sections if s.key == "requests")
    assert heading in words  # the rest of the page, the heading included, is text
    page = text[drawn["page"]]
    assert page.get_textpage().count_chars() > 50  # a text page, not a scan
    (image,) = [o for o in page.get_objects() if o.type == pypdfium2.raw.FPDF_PAGEOBJ_IMAGE]
    assert [round(v) for v in image.get_bounds()] == [round(v) for v in drawn["box"]]


def test_html_table_image_in_cell_puts_the_picture_in_a_table_cell(corpus) -> None:
    variants, _ = corpus
    variant = variants["html_table_image_in_cell"]
    soup = BeautifulSoup(variant.document.read_bytes(), "lxml")
    (img,) = [i for i in soup.find_all("img") if i.find_parent("div", class_="header") is None]
    assert img.find_parent("td") is not None
    assert (variant.document.parent / img["src"]).is_file()
    assert _notes(variant)["frame"] in ("one_cell", "spacer_cell", "unit_row")


@pytest.mark.slow
def test_tables_as_pictures_in_text_documents_read_exactly(tmp_path: Path) -> None:
    """Both templates: every cell read as generated or unread, ≥ 99.5 % exact; the picture's cells
    carry provenance on the picture's page, inside the picture, and no other cell does."""
    reports = build_reports(1, range(2020, 2022), SEED)
    frames = set()
    for variant in write_scanned(tmp_path, reports, SEED, PICTURE_KINDS):
        truth = json.loads(variant.expected.read_text("utf-8"))
        record = parse_file(variant.document)
        got, want = _cells(record.to_dict()), _cells(truth)
        exact = sum(got.get(k) == v for k, v in want.items())
        wrong = [k for k, v in want.items() if got.get(k) is not None and got[k] != v]
        assert not wrong and exact / len(want) >= 0.995, (variant.document.name, exact, len(want), wrong)
        assert {key[0] for key in record.cell_sources} == {"requests"}, variant.document.name
        notes = _notes(variant)
        frames.add(notes.get("frame"))
        if variant.kind == "pdf_table_image":
            (drawn,) = notes["pictures"]
            x0, y0, x1, y1 = drawn["box"]
            width, height = pypdfium2.PdfDocument(variant.document)[drawn["page"]].get_size()
            for source in record.cell_sources.values():
                x, y, w, h = source.box
                assert source.page == drawn["page"] + 1
                assert x0 / width - 0.01 < x < x + w < x1 / width + 0.01
                assert (height - y1) / height - 0.01 < y < y + h < (height - y0) / height + 0.01
    assert len(frames - {None}) >= 1
