"""Parse every generated document and compare it with the generator's ground truth.

The generator (workbench synth) renders one ground-truth record into PDF, HTML,
DOCX and text, for both templates, with merged and blank cells, full-width
digits, spaced labels and run-together crawler text. Nothing about these
documents is known to the parser; every cell must come back exactly, or be
left blank with a finding that says why (a run-together row that several
readings fit). A wrong number is never acceptable.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from record_compare import CELL_KEYS

from workbench.parse import parse_file
from workbench.synth import generate

FORMATS = ["pdf", "html", "docx", "txt"]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[Path, dict, dict]]:
    outdir = tmp_path_factory.mktemp("synthetic")
    reports = generate(outdir, agencies=3, years=range(2019, 2025), seed=11, formats=FORMATS)
    parsed = []
    for report in reports:
        expected = json.loads(Path(report.expected).read_text("utf-8"))
        parsed.append((Path(report.document), expected, parse_file(report.document).to_dict()))
    return parsed


def test_corpus_covers_every_format_and_both_templates(corpus) -> None:
    kinds = Counter((doc.suffix, expected["template"]) for doc, expected, _ in corpus)
    for suffix in (".pdf", ".html", ".docx", ".txt"):
        assert kinds[(suffix, "2019")] > 0 and kinds[(suffix, "2021")] > 0, kinds


def test_metadata_exact(corpus) -> None:
    wrong = [
        (doc.name, key, got[key], expected[key])
        for doc, expected, got in corpus
        for key in ("agency", "year", "template", "published_on", "fees_collected_yuan")
        if got[key] != expected[key]
    ]
    assert wrong == []


def test_cells_exact_or_blank_with_a_finding(corpus) -> None:
    wrong, unexplained, cells, blank = [], [], 0, 0
    for doc, expected, got in corpus:
        ambiguous = " ".join(f["message"] for f in got["findings"] if f["rule"] == "parse.ambiguous_split")
        for section, keys in CELL_KEYS.items():
            values = {tuple(c[k] for k in keys): c["value"] for c in got[section]}
            for cell in expected[section]:
                key = tuple(cell[k] for k in keys)
                cells += 1
                value = values.get(key, "missing")
                if value == cell["value"] and type(value) is type(cell["value"]):
                    continue
                if value is None and key[0] in ambiguous:
                    blank += 1  # left blank, and the finding names the row and its readings
                elif value is None:
                    unexplained.append((doc.name, section, key, cell["value"]))
                else:
                    wrong.append((doc.name, section, key, value, cell["value"]))
    assert wrong == []
    assert unexplained == []
    assert blank <= 0.02 * cells, f"{blank} of {cells} cells left blank"


@pytest.mark.parametrize("fmt", ["pdf", "html", "docx"])
def test_grid_formats_need_no_guessing(corpus, fmt: str) -> None:
    """PDF, HTML and DOCX keep the grid: no finding above info level (run-together text may have some)."""
    for doc, _expected, got in corpus:
        if doc.suffix == f".{fmt}":
            assert not [f for f in got["findings"] if f["severity"] != "info"], doc.name


def test_section_five_items_exact(corpus) -> None:
    wrong = [(doc.name, part) for doc, expected, got in corpus
             for part in ("problems", "improvements") if got[part] != expected[part]]
    assert wrong == []


def test_submitted_info_counts_exact_and_labels_agree(corpus) -> None:
    for doc, expected, got in corpus:
        assert [(s["count"], s["unit"]) for s in got["submitted_info"]] == \
               [(s["count"], s["unit"]) for s in expected["submitted_info"]], doc.name
        for mine, truth in zip(got["submitted_info"], expected["submitted_info"], strict=True):
            # The label is a judgement call (how much of the phrase to keep); one must contain the other.
            assert truth["label"] in mine["label"] or mine["label"] in truth["label"], (doc.name, mine, truth)


# Seeds whose documents once came back wrong, generated for 2019–2020 in PDF and
# text only so they stay fast (documents do not depend on the other formats):
# seed 4 breaks a table so that its last row (其他对外管理服务事项, 四、结转下年度继续办理,
# all blank) starts the next PDF page alone; seed 8 prints 采购总金额 in 万元 in
# extracted text (``294.15万元`` is 2941500 元); seed 18 prints ``0.9万元`` in a PDF grid
# (9000 元, an int like every whole amount, not 9000.0).
@pytest.fixture(scope="module", params=[4, 8, 18], ids=lambda seed: f"seed{seed}")
def more_seeds(request: pytest.FixtureRequest,
               tmp_path_factory: pytest.TempPathFactory) -> list[tuple[Path, dict, dict]]:
    outdir = tmp_path_factory.mktemp(f"synthetic_seed{request.param}")
    reports = generate(outdir, agencies=8, years=range(2019, 2021), seed=request.param, formats=["pdf", "txt"])
    return [(Path(r.document), json.loads(Path(r.expected).read_text("utf-8")), parse_file(r.document).to_dict())
            for r in reports]


def test_more_seeds_cells_exact_and_pdf_needs_no_guessing(more_seeds) -> None:
    wrong, unexplained, noisy = [], [], []
    for doc, expected, got in more_seeds:
        ambiguous = " ".join(f["message"] for f in got["findings"] if f["rule"] == "parse.ambiguous_split")
        for section, keys in CELL_KEYS.items():
            values = {tuple(c[k] for k in keys): c["value"] for c in got[section]}
            for cell in expected[section]:
                key = tuple(cell[k] for k in keys)
                value = values.get(key, "missing")
                if value == cell["value"] and type(value) is type(cell["value"]):
                    continue
                if value is None and key[0] in ambiguous:
                    continue
                (unexplained if value is None else wrong).append((doc.name, key, value, cell["value"]))
        if doc.suffix == ".pdf":
            noisy += [(doc.name, f["message"]) for f in got["findings"] if f["severity"] != "info"]
    assert wrong == []
    assert unexplained == []
    assert noisy == []
