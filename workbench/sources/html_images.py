"""Pictures in an HTML report (table 三 published as an ``<img>``): read by OCR, never fetched.

A ``src`` that is a ``data:`` URI or a local file beside the saved page (``page_files/t3.png``)
is OCR'd into the table grids and paragraphs it shows, at its place in the page. An http(s)
``src`` is never fetched (the workbench runs offline): it is listed in the Document's meta
(``remote_images``) so the parse stage can say which picture may hold the missing tables.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import replace
from io import BytesIO
from pathlib import Path
from urllib.parse import unquote, urlsplit

from workbench.sources.document import Block, SourceError, Table

MIN_SIDE = 120  # pixels: smaller pictures are icons, bullets, logos, not tables
MAX_IMAGES = 30  # per page; the rest are listed as not read
_DATA_URI = re.compile(r"^data:image/[\w.+-]+;base64,(.*)$", re.S | re.I)


def image_bytes(page: Path, src: str) -> bytes | None:
    """The picture's bytes from a data: URI or a local file; None for anything remote."""
    src = src.strip()
    match = _DATA_URI.match(src)
    if match:
        try:
            return base64.b64decode(re.sub(r"\s+", "", match.group(1)), validate=False)
        except (binascii.Error, ValueError):
            return b""
    parts = urlsplit(src)
    if parts.scheme not in ("", "file") or parts.netloc or src.startswith("//"):
        return None  # http(s), ftp, protocol-relative: never fetched
    local = (page.parent / unquote(parts.path)).resolve()
    try:
        return local.read_bytes() if local.is_file() else b""
    except OSError:
        return b""


def image_blocks(page: Path, src: str, number: int) -> list[Block] | None:
    """The blocks a picture shows; None when it is remote (not fetched), [] when unreadable or tiny."""
    data = image_bytes(page, src)
    if data is None:
        return None
    if not data:
        return []
    from PIL import Image

    from workbench.sources import scan

    try:
        image = Image.open(BytesIO(data))
        image.load()
    except Exception:  # noqa: BLE001 - a broken picture is skipped like a missing one
        return []
    if min(image.size) < MIN_SIDE:
        return []
    try:
        blocks = scan.image_blocks(page, image.convert("RGB"), number, scan.image_dpi(image))
    except SourceError:
        return []
    where = locator(src, data)
    for block in blocks:
        if isinstance(block, Table):
            block.sources = {cell: replace(source, image=where) for cell, source in block.sources.items()}
    return blocks


def locator(src: str, data: bytes) -> str:
    """How to find the picture again from its page: a local ``src`` as written; a data: URI by
    its bytes' digest (``data:sha256:…``), which stays right however the page's pictures are counted."""
    if _DATA_URI.match(src.strip()):
        return "data:sha256:" + hashlib.sha256(data).hexdigest()[:16]
    return src.strip()


def picture(page: Path, where: str) -> bytes | None:
    """The bytes of the picture ``where`` (a ``locator``) of the saved page ``page``, or None."""
    if not where.startswith("data:sha256:"):
        return image_bytes(page, where) or None
    digest = where.removeprefix("data:sha256:")
    html = page.read_text("utf-8", errors="replace")
    for match in re.finditer(r"data:image/[\w.+-]+;base64,[A-Za-z0-9+/=\s]+", html):
        data = image_bytes(page, match.group(0))
        if data and hashlib.sha256(data).hexdigest()[:16] == digest:
            return data
    return None
