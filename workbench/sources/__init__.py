"""Readers that turn a file into a :class:`Document`, one module per format.

``read_document(path)`` is the only entry point: it sniffs the format from the
bytes (a report saved as ``.htm``, ``.doc.html`` or with no suffix still reads)
and turns every failure into a :class:`SourceError` with a plain reason.
"""

from __future__ import annotations

import glob
import hashlib
import os
import zipfile
from collections.abc import Callable
from io import BytesIO
from pathlib import Path

from workbench.sources import docx, html, office, pdf, scan, sheets, text
from workbench.sources.document import Block, Document, Paragraph, SourceError, Table

__all__ = ["Block", "Document", "Paragraph", "SourceError", "Table", "read_document", "sniff_format"]

Reader = Callable[[Path, bytes], Document]
READERS: dict[str, Reader] = {"pdf": pdf.read, "html": html.read, "docx": docx.read, "txt": text.read,
                              "doc": office.read_doc, "wps": office.read_wps, "rtf": office.read_rtf,
                              "xlsx": sheets.read_xlsx, "xls": sheets.read_xls, "image": scan.read_image}
SUFFIXES = {".pdf": "pdf", ".html": "html", ".htm": "html", ".shtml": "html", ".docx": "docx",
            ".txt": "txt", ".text": "txt", ".md": "txt", ".markdown": "txt",
            ".doc": "doc", ".wps": "wps", ".rtf": "rtf", ".xlsx": "xlsx", ".xlsm": "xlsx", ".xls": "xls",
            **dict.fromkeys(scan.IMAGE_SUFFIXES, "image")}
# Suffixes that promise a zip or PDF: bytes that are neither go to that reader, which says why.
# Not .doc/.wps/.xls: portals serve HTML pages (Word's "save as web page", HTML table exports)
# under those names, and those read as the HTML they are.
BINARY_FORMATS = ("pdf", "docx", "xlsx", "image")
ZIP_FORMATS = {"word/document.xml": "docx", "xl/workbook.xml": "xlsx"}  # the part that says what a zip is
MAX_FILE_MB = 100  # larger inputs are refused before reading; env WORKBENCH_MAX_FILE_MB overrides


def max_file_bytes() -> int:
    """The input size limit in bytes (0 or less: no limit)."""
    try:
        return int(float(os.environ.get("WORKBENCH_MAX_FILE_MB", MAX_FILE_MB)) * 2**20)
    except ValueError:
        return MAX_FILE_MB * 2**20


def sniff_format(path: Path, data: bytes) -> str:
    """The file's real format from its bytes; the suffix decides only what the bytes leave open
    (``data`` may be just the file's head: then a zip or OLE2 file's parts are unknown)."""
    head = data[:2048].lstrip()
    suffix_format = SUFFIXES.get(path.suffix.lower())
    if head.startswith(b"%PDF") or b"%PDF-" in data[:1024]:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return _zip_format(suffix_format, data)
    if data.startswith(office.OLE_MAGIC):
        return office.ole_format(suffix_format, data)
    if scan.is_image(data):  # a scan or photo of the report (PNG, JPEG, TIFF): OCR
        return "image"
    if head.startswith(b"{\\rtf"):
        return "rtf"
    if suffix_format in BINARY_FORMATS:
        return suffix_format  # claims to be binary but is not: the reader says why
    lowered = head[:1024].lower()
    if suffix_format == "html" or any(t in lowered for t in (b"<html", b"<!doctype", b"<p", b"<table", b"<div")):
        return "html"
    return "txt"


def _zip_format(suffix_format: str | None, data: bytes) -> str:
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError):  # only the head of the file, or a damaged zip
        return "xlsx" if suffix_format == "xlsx" else "docx"
    for part, fmt in ZIP_FORMATS.items():
        if part in names:
            return fmt
    return "xlsx" if suffix_format == "xlsx" else "docx"


def read_document(path: str | Path) -> Document:
    path = Path(path)
    limit = max_file_bytes()
    try:
        size = path.stat().st_size
        if size > limit > 0:
            raise SourceError(path, f"文件过大（{size / 2**20:.0f} MB，超过{limit / 2**20:g} MB 的上限），未读取")
        data = path.read_bytes()
    except FileNotFoundError:
        raise SourceError(path, "file not found") from None
    except IsADirectoryError:
        raise SourceError(path, "is a folder, not a file") from None
    except OSError as exc:
        raise SourceError(path, f"cannot be read ({exc.strerror})") from None
    if not data.strip():
        raise SourceError(path, "the file is empty")
    fmt = sniff_format(path, data)
    if fmt == "docx" and not zipfile.is_zipfile(BytesIO(data)):
        raise SourceError(path, "not a valid DOCX file (it is not a zip archive)")
    if fmt == "xlsx" and not zipfile.is_zipfile(BytesIO(data)):
        raise SourceError(path, "不是有效的 Excel 工作簿（.xlsx 应为 zip 压缩包，此文件不是）")
    try:
        document = READERS[fmt](path, data)
    except SourceError:
        raise
    except Exception as exc:  # a reader library failing on a damaged file
        raise SourceError(path, f"cannot be read as {fmt.upper()} ({type(exc).__name__}: {exc})") from None
    document.sha256 = hashlib.sha256(data).hexdigest()
    return document


def iter_report_files(paths: list[str | Path]) -> list[Path]:
    """Files named directly, plus every report-like file under named folders (recursively).

    Inside folders only known report suffixes are taken, so expected records,
    READMEs and notebooks beside the reports are not mistaken for reports.
    A glob the shell did not expand (e.g. quoted) is expanded here.
    """
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if glob.has_magic(str(raw)) and not path.exists():
            # glob.glob, not Path.glob: it takes absolute patterns and ** as well.
            found.extend(sorted(p for p in map(Path, glob.glob(str(raw), recursive=True)) if p.is_file()))
        elif path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES
                                and not _page_resource(p)))
        else:
            found.append(path)
    return found


def _page_resource(path: Path) -> bool:
    """An image a browser saved with a page ("page_files/…", "page.files/…"): part of that page
    (read through its <img>), not a report of its own."""
    return SUFFIXES.get(path.suffix.lower()) == "image" and any(
        part.endswith(("_files", ".files")) for part in path.parent.parts)
