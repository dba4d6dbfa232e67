"""PDFs whose table-三 label columns are so narrow that every label wraps two characters a line
(2.没 / 有现 / 成信 / 息需 …): every row is read, cell for cell, both templates (issue 11, item 5)."""

from __future__ import annotations

from pathlib import Path

import pypdfium2 as pdfium

from workbench.parse import parse_file
from workbench.synth.variants import narrow_label_pdfs

TABLES = (("active_disclosure", "item", "measure"), ("requests", "row", "applicant"),
          ("review_litigation", "proceeding", "result"))


def _cells(record: dict) -> dict:
    return {(t, c[a], c[b]): (c["value"], bool(c.get("unread"))) for t, a, b in TABLES for c in record[t]}


def test_narrow_wrapped_labels_read_cell_for_cell(tmp_path: Path) -> None:
    written = narrow_label_pdfs(tmp_path, agencies=2, years=range(2019, 2025), seed=9)
    assert {truth["template"] for _, truth in written} == {"2019", "2021"}
    # the shape: some line of a request label holds at most two characters
    text = pdfium.PdfDocument(written[0][0])
    lines = [line.strip() for page in text for line in page.get_textpage().get_text_range().splitlines()]
    assert {"有现", "现成"} & set(lines), "the 没有现成信息 label wraps two characters a line"
    for path, truth in written:
        record = parse_file(path).to_dict()
        assert _cells(record) == _cells(truth), path.name
        assert not [f for f in record["findings"] if f["rule"].startswith("read.")], path.name
