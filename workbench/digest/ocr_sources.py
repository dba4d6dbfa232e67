"""Where OCR'd cells were read, for a supervisor to check a number against the page image.

    section = ocr_section(con, "某县人民政府")          # notebooks/agency.ipynb, 扫描件识别来源
    picture = cell_picture("scan.pdf", 2, (0.61, 0.38, 0.03, 0.012), fmt="pdf")

The table is ``queries/ocr_cell_sources.sql`` (the store's ``cell_sources``, least certain
first); the least certain cells are shown as pictures cut from the page with a margin, the cell
framed in red. A picture is cut only from the very file that was read: a file moved away or
changed since gives a note saying so, never another page's pixels.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from workbench.digest import html as H
from workbench.digest.html import Fragment
from workbench.i18n import t
from workbench.store.connect import StoreError

QUERY = "ocr_cell_sources"
CROPS = 6  # pictures of the least certain cells
ROWS = 80  # rows of the table
MAX_WIDTH = 520  # px: a picture wider than this is scaled down
CROPPABLE = ("pdf", "image")  # formats whose pages scan.crop can render
FRAME = (220, 30, 30)
# The columns the section shows (a notebook user may edit the SQL).
NEEDED = {"agency_id", "year", "report_id", "cell", "page", "box_x", "box_y", "box_w", "box_h", "confidence",
          "ocr_text", "value", "unread", "corrected", "source_path", "source_sha256", "source_format"}


@dataclass(frozen=True)
class CellPicture:
    """A cell cut from its page with some margin (PNG), or why there is none (Chinese)."""

    png: bytes | None = None
    width: int = 0
    height: int = 0
    reason: str | None = None


def with_margin(box: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    """The cell's box widened to show its neighbours (the cells either side, the rows above
    and below), within the page."""
    x, y, w, h = box
    dx, dy = max(2.0 * w, 0.08), max(1.5 * h, 0.02)
    left, top = max(0.0, x - dx), max(0.0, y - dy)
    right, bottom = min(1.0, x + w + dx), min(1.0, y + h + dy)
    return left, top, right - left, bottom - top


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def cell_picture(path: str | Path, page: int, box: tuple[float, float, float, float], *, fmt: str | None,
                 sha256: str | None = None, checked: dict[str, bool] | None = None, image_ref: str = "") -> CellPicture:
    """The cell at ``box`` of page ``page`` of ``path`` (for an HTML page, of its picture
    ``image_ref``, a ``CellSource.image``), framed, with a margin. ``sha256``: the bytes that
    were read (a changed file is not cut); ``checked`` caches that per path."""
    path = Path(path)
    where = {"path": path, "page": page, "format": fmt or "?"}
    if fmt == "html" and not image_ref:
        return CellPicture(reason=t("ocr_sources.picture_in_page", **where))
    if fmt not in CROPPABLE and not image_ref:
        return CellPicture(reason=t("ocr_sources.not_croppable", **where))
    if not path.is_file():
        return CellPicture(reason=t("ocr_sources.file_missing", **where))
    if sha256:
        checked = {} if checked is None else checked
        if str(path) not in checked:
            try:
                checked[str(path)] = file_sha256(path) == sha256
            except OSError:
                checked[str(path)] = False
        if not checked[str(path)]:
            return CellPicture(reason=t("ocr_sources.file_changed", **where))
    from PIL import ImageDraw

    from workbench.sources import scan

    wide = with_margin(box)
    try:
        image = scan.crop(path, page, wide, image=image_ref)
    except Exception as exc:  # noqa: BLE001 - a damaged or unreadable page is a note, not a traceback
        return CellPicture(reason=t("ocr_sources.crop_failed", reason=type(exc).__name__, **where))
    if image.width == 0 or image.height == 0:
        return CellPicture(reason=t("ocr_sources.crop_failed", reason="0×0", **where))
    kx, ky = image.width / wide[2], image.height / wide[3]
    x, y, w, h = box
    frame = [(x - wide[0]) * kx - 3, (y - wide[1]) * ky - 3, (x - wide[0] + w) * kx + 3, (y - wide[1] + h) * ky + 3]
    ImageDraw.Draw(image).rectangle(frame, outline=FRAME, width=2)
    if image.width > MAX_WIDTH:
        image = image.resize((MAX_WIDTH, max(1, round(image.height * MAX_WIDTH / image.width))))
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=True)
    return CellPicture(buffer.getvalue(), image.width, image.height)


def _value(row: dict[str, Any]) -> str:
    value = row["value"]
    if value is None:
        text = t("ocr_sources.unread") if row.get("unread") else t("ocr_sources.blank")
    else:
        text = str(int(value)) if float(value).is_integer() else str(value)
    return text + (t("ocr_sources.corrected") if row.get("corrected") else "")


def _labelled(frame: pl.DataFrame) -> pl.DataFrame:
    from workbench.checks.grid import cell_label

    return frame.with_columns(
        pl.col("cell").map_elements(cell_label, return_dtype=pl.String).alias("label"),
        pl.struct(["box_x", "box_y", "box_w", "box_h"]).map_elements(
            lambda b: ",".join(f"{b[k]:.3f}" for k in ("box_x", "box_y", "box_w", "box_h")),
            return_dtype=pl.String).alias("box"),
        pl.struct(["value", "unread", "corrected"]).map_elements(_value, return_dtype=pl.String)
        .alias("shown_value"),
    )


def older_reports(con: duckdb.DuckDBPyConnection, agency_id: str) -> int:
    """Current reports of the agency ingested before the store kept cell_sources."""
    row = con.execute("SELECT count(*) FROM current_reports WHERE agency_id = ? AND ingested_at <"
                      " (SELECT try_cast(value AS TIMESTAMP) FROM meta WHERE key = 'cell_sources_since')",
                      [agency_id]).fetchone()
    return int(row[0]) if row else 0


def ocr_section(con: duckdb.DuckDBPyConnection, agency_id: str, sql: str | None = None, crops: int = CROPS) -> Fragment:
    """The agency's OCR'd cells (the query's table) and pictures of the least certain ones;
    one line when none of its reports was OCR'd."""
    from workbench.digest.explore import SQL_FAILED, query_sql, run_sql

    try:
        frame = run_sql(con, sql or query_sql(QUERY), {"agency": agency_id, "year": None})
    except StoreError as exc:
        return Fragment(H.note(SQL_FAILED.format(error=exc), "wb-note"))
    missing = sorted(NEEDED - set(frame.columns))
    if missing:
        return Fragment(H.note(SQL_FAILED.format(error=t("ocr_sources.missing_columns", columns=", ".join(missing))),
                               "wb-note"))
    frame = frame.filter(pl.col("agency_id") == agency_id)  # "contains": 洪泽区 must not bring 洪泽区某局
    if frame.height == 0:
        older = older_reports(con, agency_id)
        return Fragment(H.paragraph(t("ocr_sources.none") + (t("ocr_sources.older", reports=older) if older else "")))
    frame = _labelled(frame.sort("confidence", maintain_order=True))
    parts = [H.paragraph(t("ocr_sources.summary", reports=frame["report_id"].n_unique(), cells=frame.height,
                           unread=int(frame["unread"].sum())))]
    columns = {name: t(f"ocr_sources.columns.{name}") for name in
               ("year", "label", "page", "box", "confidence", "ocr_text", "shown_value")}
    parts.append(H.table(frame.head(ROWS), columns, formats={"confidence": lambda v: f"{v:.3f}"},
                         numeric={"shown_value"}))
    if frame.height > ROWS:
        parts.append(f'<p class="wb-muted">{H.esc(t("ocr_sources.more", count=frame.height - ROWS))}</p>')
    least = frame.head(crops)
    parts.append(H.paragraph(t("ocr_sources.crops", count=least.height)))
    checked: dict[str, bool] = {}
    for row in least.iter_rows(named=True):
        caption = t("ocr_sources.caption", year=row["year"], cell=row["label"], page=row["page"],
                    text=row["ocr_text"] or "", confidence=f"{row['confidence']:.3f}", value=row["shown_value"])
        picture = cell_picture(row["source_path"] or "", row["page"],
                               (row["box_x"], row["box_y"], row["box_w"], row["box_h"]),
                               fmt=row["source_format"], sha256=row["source_sha256"], checked=checked,
                               image_ref=row.get("image") or "")
        if picture.png is None:
            parts.append(f'<div class="wb-note"><p>{H.esc(caption)}</p><p>{H.esc(picture.reason)}</p></div>')
        else:
            parts.append(H.figure(picture.png, picture.width, picture.height, row["label"], caption))
    return Fragment("".join(parts))
