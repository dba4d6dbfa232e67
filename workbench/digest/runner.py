"""The yearly digest runner: notebooks/digest.ipynb through papermill, into ``out/digest-YEAR/``.

    result = run_digest("data/workbench.duckdb", year="latest", out=Path("out"), docx=True)

What it writes (all inside ``out/digest-YEAR/``):

* ``digest.ipynb``   the executed notebook (code and outputs, for whoever wants to check a number)
* ``digest.html``    the digest without code cells; charts are PNG data URIs, no script and no
                     external URL, so it displays offline
* ``charts/*.png``   every chart at 2x scale on white, and ``charts/*.svg``
* ``digest.json``    headline figures and the chart list (what the Word pack is made from)
* ``briefing.docx``  with ``docx=True``: headline figures and the key charts with captions

Safety: the run works in ``out/.digest-YEAR.tmp-PID`` (same file system) and moves it into
place with ``os.replace`` only when everything is written, so a failed run leaves the previous
digest as it was and no half folder. A lock on ``out/.digest.lock`` (``flock``: held per open
file, so a second run in the same process is refused too; the kernel releases it when the
process dies) makes a second run fail at once with :class:`DigestBusyError`.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbench.digest.sections import DigestError, resolve_year
from workbench.i18n import t
from workbench.store import connect
from workbench.store.connect import StoreError, holder_words

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
DIGEST_NOTEBOOK = NOTEBOOKS / "digest.ipynb"
KERNEL_NAME = "workbench-python"
HIDE_TAG = "hide-in-digest"
LOCK_NAME = ".digest.lock"


class DigestRunError(DigestError):
    """The digest notebook failed; the message names the cell and the cause."""


class DigestBusyError(DigestError):
    """Another digest run holds the lock on the output folder."""


@dataclass
class DigestResult:
    folder: Path
    year: int
    files: list[Path] = field(default_factory=list)  # relative to folder
    charts: int = 0
    synthetic_reports: int = 0
    reports: int = 0
    seconds: float = 0.0
    docx: Path | None = None

    def summary(self) -> str:
        lines = [t("digest.summary", year=self.year, folder=self.folder, charts=self.charts,
                   seconds=f"{self.seconds:.1f}")]
        if self.synthetic_reports:
            lines.append(t("digest.synthetic", synthetic=self.synthetic_reports, reports=self.reports))
        lines += [f"  {path}" for path in self.files]
        return "\n".join(lines)


# --- lock and kernel -------------------------------------------------------------------------


@contextlib.contextmanager
def digest_lock(out: Path) -> Iterator[None]:
    """Hold ``out/.digest.lock`` for the run; DigestBusyError at once if another run has it.

    The lock file stays (deleting it would race with a run that just opened it); its text
    names the holder for the error message.
    """
    out.mkdir(parents=True, exist_ok=True)
    path = out / LOCK_NAME
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno not in (errno.EACCES, errno.EAGAIN, errno.EWOULDBLOCK):
                raise
            holder = holder_words(os.pread(fd, 200, 0).decode("utf-8", "replace").strip()) or t("error.digest_busy_holder")
            raise DigestBusyError(t("error.digest_busy", out=out, holder=holder)) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()} since {time.strftime('%Y-%m-%d %H:%M:%S')}".encode(), 0)
        yield
    finally:
        os.close(fd)  # closing releases the lock


@contextlib.contextmanager
def kernelspec() -> Iterator[str]:
    """A kernelspec for this interpreter in a temporary JUPYTER_PATH entry.

    papermill needs a kernel name; "python3" may be missing or point at another Python in a
    fresh virtualenv. This one always runs ``sys.executable -m ipykernel_launcher``.
    """
    with tempfile.TemporaryDirectory(prefix="workbench-kernel-") as root:
        spec_dir = Path(root) / "kernels" / KERNEL_NAME
        spec_dir.mkdir(parents=True)
        # ERROR log level: ipykernel warns on every start that local TCP is unencrypted, which
        # would fill cron mail; real kernel errors still show.
        spec = {"argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}", "--log-level=ERROR"],
                "display_name": "Python (workbench)", "language": "python",
                "metadata": {"debugger": False}}
        (spec_dir / "kernel.json").write_text(json.dumps(spec), "utf-8")
        before = os.environ.get("JUPYTER_PATH")
        os.environ["JUPYTER_PATH"] = os.pathsep.join(p for p in (root, before) if p)
        try:
            yield KERNEL_NAME
        finally:
            if before is None:
                os.environ.pop("JUPYTER_PATH", None)
            else:
                os.environ["JUPYTER_PATH"] = before


# --- the run ---------------------------------------------------------------------------------


def run_digest(db: str | Path, year: int | str = "latest", out: Path = Path("out"), docx: bool = False, *,
               agency: str | None = None, region: str | None = None, top_n: int = 10,
               notebook: Path = DIGEST_NOTEBOOK, timeout: int = 600) -> DigestResult:
    """Execute the digest notebook and publish ``out/digest-YEAR/`` (see the module docstring).

    Raises DigestError (no database, no such year), DigestBusyError (lock held) or
    DigestRunError (a cell failed: the message names it); the previous digest then stays.
    """
    started = time.perf_counter()
    db, out = Path(db).resolve(), Path(out).resolve()
    resolved = _year(db, year, agency, region)
    with digest_lock(out):
        _remove_stale(out)
        work = out / f".digest-{resolved}.tmp-{os.getpid()}"
        work.mkdir()
        try:
            params = {"db": str(db), "year": resolved, "agency": agency, "region": region,
                      "out_dir": str(work), "top_n": top_n}
            executed = _execute(notebook, work, params, out, resolved, timeout)
            (work / "digest.html").write_text(digest_html(executed, resolved), "utf-8")
            manifest = json.loads((work / "digest.json").read_text("utf-8"))
            docx_path = None
            if docx:
                from workbench.digest.briefing import write_briefing

                docx_path = write_briefing(work, manifest)
            dest = out / f"digest-{resolved}"
            _publish(work, dest)
        except BaseException:
            shutil.rmtree(work, ignore_errors=True)
            raise
    files = sorted(p.relative_to(dest) for p in dest.rglob("*") if p.is_file())
    return DigestResult(dest, resolved, files, len(manifest["charts"]), manifest["synthetic_reports"],
                        manifest["reports"], time.perf_counter() - started,
                        dest / docx_path.name if docx_path else None)


def _year(db: Path, year: int | str, agency: str | None, region: str | None) -> int:
    try:
        con = connect(db)
    except StoreError as exc:
        raise DigestError(str(exc)) from None
    try:
        return resolve_year(con, year, agency=agency, region=region)
    finally:
        con.close()


def _remove_stale(out: Path) -> None:
    """Temp folders of runs that died (we hold the lock, so no live run owns one)."""
    for stale in out.glob(".digest-*.tmp-*"):
        shutil.rmtree(stale, ignore_errors=True)
    for stale in out.glob(".digest-*.old-*"):
        shutil.rmtree(stale, ignore_errors=True)


def _execute(notebook: Path, work: Path, params: dict[str, Any], out: Path, year: int, timeout: int) -> Path:
    import papermill
    from papermill.exceptions import PapermillExecutionError

    target = work / "digest.ipynb"
    if not notebook.is_file():
        raise DigestError(t("error.notebook_missing", path=notebook))
    with kernelspec() as kernel:
        try:
            papermill.execute_notebook(str(notebook), str(target), parameters=params, kernel_name=kernel,
                                       cwd=str(work), progress_bar=False, log_output=False,
                                       execution_timeout=timeout, report_mode=False)
        except PapermillExecutionError as exc:
            kept = _keep_failed(target, out, year)
            first = next((line for line in exc.source.splitlines() if line.strip()), "")
            raise DigestRunError(
                t("error.notebook_cell_failed", cell=exc.exec_count, index=exc.cell_index, first=first.strip(),
                  kind=exc.ename, detail=exc.evalue) + (t("error.notebook_kept", path=kept) if kept else "")
            ) from None
        except Exception as exc:  # kernel could not start, notebook unreadable, timeout …
            raise DigestRunError(t("error.notebook_failed", kind=type(exc).__name__, detail=exc)) from None
    return target


def _keep_failed(executed: Path, out: Path, year: int) -> Path | None:
    """The failed notebook next to the digests (not inside one), for whoever debugs the run."""
    if not executed.exists():
        return None
    kept = out / f"digest-{year}.failed.ipynb"
    os.replace(executed, kept)
    return kept


def _publish(work: Path, dest: Path) -> None:
    """Move the finished folder into place; the old digest is swapped out, then deleted.

    A directory cannot be os.replace()d over a non-empty one, so the old folder is first
    renamed aside (atomic), the new one renamed in (atomic), then the old one removed. If the
    second rename fails, the old folder is put back.
    """
    old = dest.with_name(f".{dest.name}.old-{os.getpid()}")
    had_old = dest.exists()
    if had_old:
        os.replace(dest, old)
    try:
        os.replace(work, dest)
    except BaseException:
        if had_old:
            os.replace(old, dest)
        raise
    if had_old:
        shutil.rmtree(old, ignore_errors=True)


# --- HTML ------------------------------------------------------------------------------------


def digest_html(executed: Path, year: int) -> str:
    """The executed notebook as one offline HTML page: no code, no prompts, no stderr, no script."""
    import nbformat
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    from workbench.digest.html import keep_headings, page

    nb = nbformat.read(executed, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            # Library warnings belong in the executed notebook, not in a briefing.
            cell.outputs = [o for o in cell.outputs if not (o.output_type == "stream" and o.name == "stderr")]
    config = Config()
    config.TagRemovePreprocessor.remove_cell_tags = {HIDE_TAG, "parameters", "injected-parameters"}
    config.TagRemovePreprocessor.enabled = True
    exporter = HTMLExporter(config=config, template_name="basic", exclude_input=True, anchor_link_text="",
                            exclude_input_prompt=True, exclude_output_prompt=True)
    body, _ = exporter.from_notebook_node(nb)
    html = page(f"{year}年度政府信息公开工作年度报告摘要", keep_headings(body))
    if "<script" in html.lower():
        # Nothing in the digest needs a script: one here is report text that escaped escaping,
        # or a CDN loader that would not work offline. Either way, do not publish it.
        raise DigestRunError(t("error.digest_script"))
    return html
