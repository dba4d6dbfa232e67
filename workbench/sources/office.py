"""Old binary Word files (.doc), WPS 文字 files (.wps) and RTF, read through LibreOffice.

These formats have no well-kept pure-Python reader, so LibreOffice (``soffice``,
headless) converts the file to DOCX and the DOCX reader reads that. Each
conversion runs in its own temporary folder with its own LibreOffice profile
(``-env:UserInstallation``): parallel ingest workers would otherwise wait on, or
break, the one profile lock of the user's LibreOffice. The conversion has a time
limit below the ingest's per-file budget, so a hung converter fails with our reason.

When LibreOffice is not installed, reading such a file fails with one line that
says what to install; every other file of the batch is read as usual.

OLE2 compound files (the container of .doc, .wps and .xls) are told apart by the
streams they hold (``WordDocument`` vs ``Workbook``/``Book``), not by their suffix.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from io import BytesIO
from pathlib import Path

import olefile

from workbench.sources import docx
from workbench.sources.document import Document, SourceError

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
SOFFICE_ENV = "WORKBENCH_SOFFICE"  # the converter's path, when it is not where we look
TIMEOUT_ENV = "WORKBENCH_SOFFICE_TIMEOUT"
CONVERT_TIMEOUT = 45.0  # seconds; below the ingest's 60 s per file, so the reason named is ours
# Where LibreOffice installs itself when it is not on PATH (Linux packages and tarballs, macOS, Windows).
INSTALL_LOCATIONS = (
    "/usr/lib/libreoffice/program/soffice",
    "/usr/lib64/libreoffice/program/soffice",
    "/opt/libreoffice*/program/soffice",
    "/snap/bin/libreoffice",
    "/Applications/LibreOffice.app/Contents/MacOS/soffice",
    r"C:\Program Files\LibreOffice\program\soffice.exe",
    r"C:\Program Files (x86)\LibreOffice\program\soffice.exe",
)
PATH_NAMES = ("soffice", "libreoffice")
INSTALL_HINT = ("请安装后重试（Linux：apt install libreoffice-writer-nogui；"
                f"Windows：安装 LibreOffice，或设置环境变量 {SOFFICE_ENV} 指向 soffice.exe）")
# What each converted format is called in messages, and the suffix LibreOffice is handed
# (it detects the real type from the bytes; the suffix only keeps its guess on track).
KINDS = {"doc": ("旧版 Word 文件（.doc）", ".doc"), "wps": ("WPS 文字文件（.wps）", ".wps"),
         "rtf": ("RTF 文件", ".rtf")}
OLE_FORMATS = ("doc", "wps", "xls")
WORD_STREAMS = frozenset({"worddocument"})
SHEET_STREAMS = frozenset({"workbook", "book"})
ENCRYPTED_STREAMS = frozenset({"encryptioninfo", "encryptedpackage"})  # a password-protected DOCX/XLSX


class ConverterMissing(SourceError):
    """LibreOffice is needed for this file and is not installed (or not where it was said to be)."""


def ole_streams(data: bytes) -> set[str] | None:
    """The lower-cased top-level stream names of an OLE2 file; None when the bytes are not a
    complete OLE2 file (e.g. only the head of one was given)."""
    if not data.startswith(OLE_MAGIC):
        return None
    try:
        with olefile.OleFileIO(BytesIO(data)) as ole:
            return {entry[0].lower() for entry in ole.listdir(streams=True, storages=False)}
    except (OSError, ValueError, IndexError, TypeError):  # olefile raises these on damaged files
        return None


def ole_format(suffix_format: str | None, data: bytes) -> str:
    """``doc``, ``wps`` or ``xls`` for an OLE2 file: its streams decide, the suffix breaks ties."""
    streams = ole_streams(data)
    if streams and not streams & ENCRYPTED_STREAMS:
        if streams & WORD_STREAMS:
            return "wps" if suffix_format == "wps" else "doc"
        if streams & SHEET_STREAMS:
            return "xls"
    # Unknown streams (MS Works .wps), an encrypted package, or only the file's head was given.
    return suffix_format if suffix_format in OLE_FORMATS else "doc"


def find_soffice() -> Path:
    """The LibreOffice executable: ``WORKBENCH_SOFFICE`` when set (and only it), else PATH,
    else the usual install folders. Raises ConverterMissing when there is none."""
    configured = os.environ.get(SOFFICE_ENV, "").strip()
    if configured:
        path = Path(configured)
        if path.is_file() and os.access(path, os.X_OK):
            return _console_variant(path)
        problem = "不是可执行文件" if path.exists() else "不存在"
        raise ConverterMissing(configured, f"环境变量 {SOFFICE_ENV} 指向的 {configured} {problem}")
    for name in PATH_NAMES:
        found = shutil.which(name)
        if found:
            return _console_variant(Path(found))
    for pattern in INSTALL_LOCATIONS:
        for candidate in sorted(glob.glob(pattern)):
            if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
                return _console_variant(Path(candidate))
    raise ConverterMissing("soffice", "本机未找到 LibreOffice（soffice）")


def _console_variant(path: Path) -> Path:
    """On Windows, soffice.com (beside soffice.exe) waits for the conversion and reports it."""
    console = path.with_suffix(".com")
    return console if path.suffix.lower() == ".exe" and console.is_file() else path


def _timeout() -> float:
    try:
        return max(float(os.environ.get(TIMEOUT_ENV, CONVERT_TIMEOUT)), 0.1)
    except ValueError:
        return CONVERT_TIMEOUT


def convert_to_docx(path: Path, data: bytes, fmt: str) -> bytes:
    """The file converted by LibreOffice to DOCX, as bytes."""
    kind, suffix = KINDS.get(fmt, (fmt, f".{fmt}"))
    try:
        soffice = find_soffice()
    except ConverterMissing as missing:
        raise ConverterMissing(path, f"读取{kind}需要 LibreOffice，但{missing.reason}；{INSTALL_HINT}") from None
    with tempfile.TemporaryDirectory(prefix="workbench-office-", ignore_cleanup_errors=True) as folder:
        work = Path(folder)
        source, out = work / f"input{suffix}", work / "out"
        source.write_bytes(data)
        command = [str(soffice), f"-env:UserInstallation={(work / 'profile').as_uri()}",
                   "--headless", "--invisible", "--nologo", "--norestore", "--nodefault", "--nolockcheck",
                   "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(out), str(source)]
        stderr = _run(path, command, kind)
        result = out / "input.docx"
        if not result.is_file() or result.stat().st_size == 0:
            lines = [line.strip() for line in stderr.splitlines() if line.strip()]
            errors = [line for line in lines if "error" in line.lower()]  # not "javaldx" warnings
            detail = (errors or lines or ["没有生成文件"])[-1]
            raise SourceError(path, f"LibreOffice 未能转换此{kind}（{detail}），工作台未能读取")
        return result.read_bytes()


def _run(path: Path, command: list[str], kind: str) -> str:
    """Run the converter under the time limit; on timeout kill it and everything it started."""
    windows = sys.platform.startswith("win")
    options: dict = ({"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP} if windows  # type: ignore[attr-defined]
                     else {"start_new_session": True})
    try:
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, **options)
    except OSError as exc:
        raise ConverterMissing(path, f"无法启动 LibreOffice（{command[0]}：{exc.strerror or exc}）；{INSTALL_HINT}") from None
    limit = _timeout()
    try:
        _, stderr = process.communicate(timeout=limit)
    except subprocess.TimeoutExpired:
        _kill_tree(process, windows)
        process.communicate()
        raise SourceError(path, f"LibreOffice 转换此{kind}超时（超过{limit:g}秒），工作台未能读取") from None
    return stderr.decode("utf-8", "replace")


def _kill_tree(process: subprocess.Popen, windows: bool) -> None:
    # soffice is a launcher: the converting process is its child, so the whole group goes.
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        if windows:
            subprocess.run(["taskkill", "/F", "/T", "/PID", str(process.pid)], capture_output=True, timeout=10)
        else:
            os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(OSError):
        process.kill()


def _refuse_unconvertible(path: Path, data: bytes, fmt: str) -> None:
    """Say plainly what an OLE2 file is when it is not one LibreOffice can make a DOCX of."""
    streams = ole_streams(data)
    if streams is None:
        return  # not OLE2 (RTF), or damaged: LibreOffice says what it can
    if streams & ENCRYPTED_STREAMS:
        raise SourceError(path, "文件已加密（设有打开密码），工作台无法读取")
    if fmt == "doc" and not streams & WORD_STREAMS:  # (.wps may be MS Works, which has its own streams)
        raise SourceError(path, "不是 Word 文件（复合文档中没有 WordDocument 数据流），工作台无法读取")


def _read_word(path: Path, data: bytes, fmt: str) -> Document:
    _refuse_unconvertible(path, data, fmt)
    converted = convert_to_docx(path, data, fmt)
    document = docx.read(path, converted)
    document.format = fmt
    return document


def read_doc(path: Path, data: bytes) -> Document:
    return _read_word(path, data, "doc")


def read_wps(path: Path, data: bytes) -> Document:
    return _read_word(path, data, "wps")


def read_rtf(path: Path, data: bytes) -> Document:
    return _read_word(path, data, "rtf")
