"""Pictures in an HTML report (table 三 published as an ``<img>``): read by OCR, never fetched.

A ``src`` that is a ``data:`` URI or a local file beside the saved page (``page_files/t3.png``)
is OCR'd into the table grids and paragraphs it shows, at its place in the page. An http(s)
``src`` is never fetched (the workbench runs offline): it is listed in the Document's meta
(``remote_images``) so the parse stage can say which picture may hold the missing tables.
"""

from __future__ import annotations

import base64
import binascii
import re
from io import BytesIO
from pathlib import Path
from urllib.parse import unquote, urlsplit

from workbench.sources.document import Block, SourceError

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
        return scan.image_blocks(page, image.convert("RGB"), number, scan.image_dpi(image))
    except SourceError:
        return []
