"""The synthetic report generator: records that keep their identities, documents that carry them.

One batch (5 agencies × 2019–2024 × 4 formats, seed 11) is generated once per test run;
record-only properties are checked on a larger batch of records built without rendering.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter, defaultdict
from decimal import Decimal
from functools import cache
from pathlib import Path

import docx
import lxml.html
import pdfplumber
import pypdfium2
import pytest
from docx.oxml.ns import qn

from workbench.sources import SourceError, read_document
from workbench.sources.encoding import declared_charset, decode
from workbench.synth import FORMATS, GeneratedReport, generate, settle
from workbench.synth.report import RECORD_KEYS, build_reports
from workbench.templates import layouts
from workbench.textnorm import compact, nfkc

SEED = 11
YEARS = range(2019, 2025)


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> list[GeneratedReport]:
    return generate(tmp_path_factory.mktemp("synth"), 5, YEARS, SEED, FORMATS)


@pytest.fixture(scope="module")
def records() -> list[dict]:
    """A larger batch of records (no documents): 40 agencies × 6 years."""
    return [r.record for r in build_reports(40, YEARS, 5)]


def load(report: GeneratedReport) -> dict:
    return json.loads(report.expected.read_text("utf-8"))


def grid(record: dict, section: str, a: str, b: str) -> dict[str, dict[str, object]]:
    out: dict[str, dict[str, object]] = defaultdict(dict)
    for cell in record[section]:
        out[cell[a]][cell[b]] = cell["value"]
    return out


@cache
def document_text(report: GeneratedReport) -> str:
    """The document's text by the plain libraries (the project readers are tested separately)."""
    path = report.document
    if report.format == "html":
        data = path.read_bytes()
        return lxml.html.fromstring(decode(data, declared_charset(data))).text_content()
    if report.format == "docx":
        document = docx.Document(str(path))
        cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
        return "\n".join([p.text for p in document.paragraphs] + cells)
    if report.format == "pdf":
        with pdfplumber.open(path) as pdf:
            return "\n".join(page.extract_text() or "" for page in pdf.pages)
    return path.read_text("utf-8")


def as_number(text: str) -> int | float | None:
    """A printed cell as a number (万元 converted to 元 as the record holds it), else None."""
    text = nfkc(text).replace(",", "").strip()
    scale = 1
    if text.endswith("万元"):
        text, scale = text[:-2], 10000
    elif text.endswith("元"):
        text = text[:-1]
    if not re.fullmatch(r"-?\d+(\.\d+)?", text):
        return None
    value = Decimal(text) * scale
    return int(value) if value == value.to_integral_value() else float(value)


def record_values(record: dict) -> list[int | float]:
    """Every filled table cell in printed order: section 二, 三, 四."""
    cells = [*record["active_disclosure"], *record["requests"], *record["review_litigation"]]
    return [c["value"] for c in cells if c["value"] is not None]


def table_cells(report: GeneratedReport) -> list[str]:
    """The text of every table cell, merged cells once, in reading order."""
    if report.format == "html":
        data = report.document.read_bytes()
        page = lxml.html.fromstring(decode(data, declared_charset(data)))
        return [td.text_content().replace("\xa0", " ") for td in page.iter("td")]
    if report.format == "docx":  # the XML cells: a vMerge continuation is the merged cell again
        out = []
        for table in docx.Document(str(report.document)).tables:
            for tc in table._tbl.iter(qn("w:tc")):
                merge = tc.find(f"{qn('w:tcPr')}/{qn('w:vMerge')}")
                if merge is None or merge.get(qn("w:val")) == "restart":
                    out.append("".join(t.text or "" for t in tc.iter(qn("w:t"))))
        return out
    with pdfplumber.open(report.document) as pdf:
        return [c or "" for page in pdf.pages for t in page.extract_tables() for row in t for c in row]


# ---------------------------------------------------------------- files and records
def test_every_document_has_its_expected_record(batch: list[GeneratedReport]) -> None:
    assert len(batch) == 5 * len(YEARS) * len(FORMATS)
    for report in batch:
        assert report.document.name.startswith("synthetic_")
        assert report.document.suffix == f".{report.format}"
        assert report.expected.name == report.document.stem + ".expected.json"
        record = load(report)
        assert tuple(record) == RECORD_KEYS
        assert record["source"] == {"path": report.document.name, "format": report.format,
                                    "sha256": hashlib.sha256(report.document.read_bytes()).hexdigest()}
        assert (record["agency"], record["year"]) == (report.agency, report.year)


def test_template_and_table_shape_follow_the_year(batch: list[GeneratedReport]) -> None:
    lay = layouts()
    for report in batch:
        if report.variant == "crawler":
            continue  # may leave unsettled cells out; checked below
        record = load(report)
        template = "2019" if record["year"] < 2021 else "2021"
        assert record["template"] == template
        rows = list(dict.fromkeys(c["row"] for c in record["requests"]))
        assert rows in ([r.key for r in lay.request_rows_for(layout)] for layout in lay.request_layouts[template])
        assert len(record["requests"]) == len(rows) * 7
        expected_active = [(i.key, m) for i, ms in lay.item_measures(template) for m in ms]
        assert [(c["item"], c["measure"]) for c in record["active_disclosure"]] == expected_active
        assert [(c["proceeding"], c["result"]) for c in record["review_litigation"]] == lay.review_cells()


def check_identities(record: dict) -> None:
    requests = grid(record, "requests", "row", "applicant")
    values = [v for row in requests.values() for v in row.values()]
    assert all(v is None for v in values) or all(v is not None for v in values), "blank cells only as a whole table"
    if values[0] is not None:
        rows = list(requests)
        outcomes = rows[rows.index("granted"): rows.index("total_processed")]
        for col in layouts().applicant_keys:
            r = {row: requests[row][col] for row in rows}
            assert r["new_received"] + r["carried_over"] == r["total_processed"] + r["carried_forward"]
            assert sum(r[o] for o in outcomes) == r["total_processed"]
        for row in rows:
            assert requests[row]["total"] == sum(v for k, v in requests[row].items() if k != "total")
    review = grid(record, "review_litigation", "proceeding", "result")
    for results in review.values():
        if results["total"] is not None:
            assert results["total"] == results["upheld"] + results["corrected"] + results["other"] + results["pending"]


def test_records_satisfy_the_table_identities(records: list[dict]) -> None:
    for record in records:
        check_identities(record)
    filled = [r for r in records if r["requests"][0]["value"] is not None]
    assert len(filled) > len(records) / 2


def test_year_on_year_story(records: list[dict]) -> None:
    by_agency: dict[str, dict[int, dict]] = defaultdict(dict)
    for record in records:
        by_agency[record["agency"]][record["year"]] = record
    carried_pairs = stock_pairs = 0
    for years in by_agency.values():
        for year in list(years)[:-1]:
            this, after = years[year], years[year + 1]
            forward = grid(this, "requests", "row", "applicant")["carried_forward"]
            over = grid(after, "requests", "row", "applicant")["carried_over"]
            if forward["total"] is not None and over["total"] is not None:
                assert forward == over
                carried_pairs += forward["total"] > 0
            a, b = grid(this, "active_disclosure", "item", "measure"), grid(after, "active_disclosure", "item", "measure")
            docs_a, docs_b = a["normative_documents"], b["normative_documents"]
            if after["template"] == "2021" and this["template"] == "2021" and docs_b["in_force"] is not None:
                assert docs_b["in_force"] == docs_a["in_force"] + docs_b["issued"] - docs_b["repealed"]
                stock_pairs += 1
            if this["template"] == after["template"] == "2019" and a["licensing"]["prev_count"] is not None:
                assert b["licensing"]["prev_count"] == a["licensing"]["prev_count"] + a["licensing"]["change"]
    assert carried_pairs > 20 and stock_pairs > 20


def test_batch_has_the_variety_the_parser_must_meet(records: list[dict]) -> None:
    seen: Counter[str] = Counter()
    for record in records:
        requests = grid(record, "requests", "row", "applicant")
        seen["blank table 三"] += requests["new_received"]["total"] is None
        seen["zero requests, printed"] += requests["new_received"]["total"] == 0
        seen["blank section 二 row"] += any(c["value"] is None for c in record["active_disclosure"])
        seen["single 其他处理 in 2021"] += record["template"] == "2021" and "other_handling" in requests
        seen["fee collected"] += bool(record["fees_collected_yuan"])
        seen["fee not mentioned"] += record["fees_collected_yuan"] is None
        seen["negative change"] += any(c["measure"] == "change" and (c["value"] or 0) < 0 for c in record["active_disclosure"])
        year_end = int(record["published_on"][:4])
        seen["late"] += record["published_on"] > f"{year_end}-03-31"
        seen["thousands of requests"] += (requests["new_received"]["total"] or 0) >= 1000
    assert all(seen[k] > 0 for k in ("blank table 三", "zero requests, printed", "blank section 二 row",
                                     "single 其他处理 in 2021", "fee collected", "fee not mentioned",
                                     "negative change", "late", "thousands of requests")), seen


def test_published_on_is_after_the_year(records: list[dict]) -> None:
    for record in records:
        assert re.fullmatch(r"\d{4}-\d\d-\d\d", record["published_on"])
        assert record["published_on"] > f"{record['year']}-12-31"
    on_time = sum(r["published_on"] <= f"{r['year'] + 1}-03-31" for r in records)
    assert on_time > 0.8 * len(records)


def test_same_seed_same_bytes(tmp_path: Path) -> None:
    first = generate(tmp_path / "a", 2, range(2020, 2022), 3, FORMATS)
    second = generate(tmp_path / "b", 2, range(2020, 2022), 3, FORMATS)
    for a, b in zip(first, second, strict=True):
        assert a.document.read_bytes() == b.document.read_bytes(), a.document.name
        assert a.expected.read_bytes() == b.expected.read_bytes(), a.expected.name
    other = generate(tmp_path / "c", 2, range(2020, 2022), 4, ["html"])
    assert [load(r)["requests"] for r in other] != [load(r)["requests"] for r in first if r.format == "html"]


def test_bad_arguments_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="format"):
        generate(tmp_path, 1, YEARS, 1, ["pptx"])
    with pytest.raises(ValueError, match="2019"):
        generate(tmp_path, 1, range(2015, 2017), 1, ["txt"])


# ---------------------------------------------------------------- documents carry the record
def test_title_names_the_agency(batch: list[GeneratedReport]) -> None:
    for report in batch:
        head = compact(document_text(report))[:400]
        assert compact(report.agency) + compact(str(report.year)) in head or compact(f"{report.year}年{report.agency}") in head


@pytest.mark.parametrize("fmt", ["html", "docx", "pdf"])
def test_table_cells_hold_the_record_values_in_order(batch: list[GeneratedReport], fmt: str) -> None:
    """Every filled cell is in the document's table grid, in template order (merged cells once)."""
    for report in (r for r in batch if r.format == fmt):
        printed = [v for v in (as_number(t) for t in table_cells(report)) if v is not None]
        assert printed == record_values(load(report)), report.document.name


def test_pdftext_lists_the_record_values_in_order(batch: list[GeneratedReport]) -> None:
    checked = 0
    for report in (r for r in batch if r.variant == "pdftext"):
        text = report.document.read_text("utf-8")
        start, end = text.index("二、主动公开政府信息情况"), text.index("五、存在的主要问题")
        lines = [ln for ln in text[start:end].splitlines() if not re.fullmatch(r"\s*-\s*\d+\s*-\s*", ln)]
        tokens = [as_number(t) for ln in lines for t in ln.split()]
        assert [t for t in tokens if t is not None] == record_values(load(report)), report.document.name
        checked += 1
    assert checked > 0


def test_crawler_text_runs_cells_together(batch: list[GeneratedReport]) -> None:
    crawlers = [r for r in batch if r.variant == "crawler"]
    assert crawlers
    for report in crawlers:
        text = report.document.read_text("utf-8")
        assert text.startswith("标题: ") and "==================== 正文 ====================" in text
        body = nfkc(text).replace(" ", "")
        truth = next(load(r) for r in batch if r.agency == report.agency and r.year == report.year and r.format == "html")
        requests = grid(truth, "requests", "row", "applicant")
        for row, values in requests.items():
            if values["total"] is not None:
                assert "".join(str(v) for v in values.values()) in body, (report.document.name, row)


def test_crawler_records_leave_out_only_unsettled_cells(batch: list[GeneratedReport]) -> None:
    dropped = 0
    for report in (r for r in batch if r.variant == "crawler"):
        record = load(report)
        truth = next(load(r) for r in batch if r.agency == report.agency and r.year == report.year and r.format == "html")
        for section in ("active_disclosure", "requests", "review_litigation"):
            kept = record[section]
            assert all(cell in truth[section] for cell in kept)
            dropped += len(truth[section]) - len(kept)
        # A 2021-template single-value row (行政许可 …) is always settled.
        kept_items = {(c["item"], c["measure"]) for c in record["active_disclosure"]}
        if record["template"] == "2021" and record["active_disclosure"]:
            assert ("licensing", "decisions") in kept_items or all(
                c["value"] is None for c in truth["active_disclosure"] if c["item"] == "licensing")
    assert dropped > 0  # three-value rows of section 二 run together are often ambiguous


def test_settle_matches_the_corpus_counts() -> None:
    """Split counts that tests/expected/CORPUS-README.md reports for the Pingtan crawler texts."""
    for run, count in (("898989", 10), ("3960181", 11), ("100153", 4), ("26480430", 16), ("126025", 7),
                       ("7777166", 15), ("396442278", 28), ("107105", 5), ("693665", 10)):
        assert len(settle.splits(run, ["int"] * 3)) == count, run
    assert len(settle.splits("350", ["int", "int"])) == 2
    assert settle.splits("35-15", ["int", "signed"]) == [("35", "-15")]
    assert settle.splits("000", ["int"] * 3) == [("0", "0", "0")]
    assert sorted(settle.identity_splits("270020130", 6)) == [(2, 7, 0, 0, 20, 1, 30), (27, 0, 0, 2, 0, 1, 30)]
    assert settle.unsettled_review("10203120001200000") == set()  # 1,0,2,0,3 | 12,0,0,0,12 | 0,0,0,0,0
    # A stray space is a certain boundary: "12 3" has one split where "123" has two.
    assert settle.splits("12 3", ["int", "int"]) == [("12", "3")]
    assert len(settle.splits("123", ["int", "int"])) == 2


def test_section_one_states_every_submitted_count(batch: list[GeneratedReport]) -> None:
    for report in (r for r in batch if r.format == "html"):
        record = load(report)
        text = nfkc(document_text(report)).replace(",", "")
        overview = text[text.index("一、总体情况"): text.index("二、主动公开政府信息情况")]
        for info in record["submitted_info"]:
            pattern = re.escape(nfkc(info["label"])) + r"(共计|共|累计)?" + str(info["count"]) + info["unit"]
            assert re.search(pattern, overview), (report.document.name, info)


def test_problems_improvements_and_fees_are_printed(batch: list[GeneratedReport]) -> None:
    for report in batch:
        record = load(report)
        # page numbers (- 4 -) of PDF-extracted text may fall inside an item; they are not part of it
        text = re.sub(r"-\d+-", "", compact(document_text(report)).replace(",", ""))
        section = text[text.index("五、存在的主要问题"):]
        for item in record["problems"] + record["improvements"]:
            assert compact(item).replace(",", "") in section, (report.document.name, item)
        other = section[section.index("六、其他需要报告的事项"):]
        fee = record["fees_collected_yuan"]
        if fee is None:
            assert "信息处理费" not in other
        elif fee == 0:
            assert re.search(r"未收取|无收取|处理费0元", other)
        else:
            assert f"{fee}元" in other
        date = record["published_on"]  # the 落款 closes section 六
        assert f"{int(date[:4])}年{int(date[5:7])}月{int(date[8:])}日" in other


def test_documents_vary_their_typography(batch: list[GeneratedReport]) -> None:
    texts = {r.document.name: document_text(r) for r in batch}
    joined = "\n".join(texts.values())
    assert re.search("[０-９]{2}", joined), "full-width digits somewhere"
    assert re.search(r"\d,\d{3}", joined), "thousands separators somewhere"
    assert "1、" in joined and "1.属于国家秘密" in joined
    assert re.search(r"商 业 企 业|商 业\s*企 业", joined)
    assert re.search(r"(?<!行政)规范性文件\s*\d", nfkc(joined)) and re.search(r"行政规范性文件\s*\d", nfkc(joined))
    gbk = [r for r in batch if r.variant == "gbk"]
    assert gbk and all(b'charset="gbk"' in r.document.read_bytes()[:400] for r in gbk)
    with pytest.raises(UnicodeDecodeError):
        gbk[0].document.read_bytes().decode("utf-8")


def test_pdf_text_extracts_as_chinese_with_both_libraries(batch: list[GeneratedReport]) -> None:
    split_tables = 0
    for report in (r for r in batch if r.format == "pdf"):
        document = pypdfium2.PdfDocument(str(report.document))
        pages = [document[i].get_textpage().get_text_range() for i in range(len(document))]
        document.close()
        text = compact("".join(pages))
        assert compact(report.agency) in text and "三、收到和处理政府信息公开申请情况" in nfkc(text)
        assert "\ufffd" not in text and "(cid:" not in document_text(report)
        record = load(report)
        requests = grid(record, "requests", "row", "applicant")
        if requests["new_received"]["total"] is not None:  # PDFium sees every number, one-digit ones too
            digits = re.findall(r"\d+", nfkc("".join(pages)).replace(",", ""))
            assert Counter(str(v) for v in requests["total_processed"].values()) <= Counter(digits)
        plumber_pages = [compact(p) for p in pages]
        first = next(i for i, p in enumerate(plumber_pages) if "一、本年新收" in p)
        last = next(i for i, p in enumerate(plumber_pages) if "(七)总计" in nfkc(p))
        split_tables += last > first
    assert split_tables > 0, "table 三 should break across pages in some PDFs"


def test_docx_tables_use_real_merged_cells(batch: list[GeneratedReport]) -> None:
    report = next(r for r in batch if r.format == "docx")
    xml = [t._tbl.xml for t in docx.Document(str(report.document)).tables]
    requests_table = next(x for x in xml if "申请人情况" in x)
    assert "w:gridSpan" in requests_table and 'w:vMerge w:val="restart"' in requests_table


@pytest.mark.parametrize("fmt", FORMATS)
def test_project_reader_opens_every_format(batch: list[GeneratedReport], fmt: str) -> None:
    for report in (r for r in batch if r.format == fmt):
        try:
            document = read_document(report.document)
        except SourceError as error:
            if "not written yet" in error.reason:
                pytest.skip(f"the {fmt} reader is not written yet")
            raise
        text = compact(document.text() + " ".join(document.meta.values()))
        assert compact(report.agency) in text
        assert "收到和处理政府信息公开申请情况" in nfkc(text)
        if fmt != "txt":  # grid formats: the reader's tables hold every filled cell, in order
            cells = [as_number(c) for table in document.tables for row in table.origin_rows() for c in row]
            assert [c for c in cells if c is not None] == record_values(load(report)), report.document.name
