"""Every notebook in notebooks/ runs end to end with papermill on a small store.

A cell that raises makes papermill raise, so the test fails with the cell and the cause.
The committed notebooks must have exactly one ``parameters`` cell and no outputs.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import papermill
import pytest
from digest_support import published_digest

from workbench.digest.runner import NOTEBOOKS, kernelspec

NAMES = ("digest", "explore", "agency")
# digest.ipynb is run by the digest runner (papermill, the same kernel), shared with
# test_digest.py; the other two are run here directly.


@pytest.mark.parametrize("name", NAMES)
def test_committed_notebook_is_clean(name: str) -> None:
    nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    nbformat.validate(nb)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1, f"{name}.ipynb needs exactly one cell tagged parameters"
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.outputs and c.execution_count is None for c in code), f"{name}.ipynb has outputs"


def _params(name: str, db: Path, out: Path) -> dict:
    if name == "explore":
        return {"db": str(db), "agency": "平潭综合实验区", "year": 2024, "measure": "granted_share"}
    return {"db": str(db), "agency": "平潭", "out_dir": str(out)}


@pytest.mark.slow
def test_digest_notebook_runs(digest_base: Path) -> None:
    result = published_digest(digest_base)
    nb = nbformat.read(result.folder / "digest.ipynb", as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.execution_count for c in code)  # every cell ran
    outputs = [o for c in code for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    html = "".join(o.get("data", {}).get("text/html", "") for o in outputs)
    # Real numbers and Chinese text, charts exported as PNG and SVG pairs.
    assert "予以公开占比" in html and "data:image/png;base64," in html and "SYNTHETIC" in html
    pngs = sorted((result.folder / "charts").glob("*.png"))
    assert len(pngs) >= 10 and all(p.with_suffix(".svg").exists() for p in pngs)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["explore", "agency"])
def test_notebook_runs(name: str, small_db: Path, tmp_path: Path) -> None:
    executed = tmp_path / f"{name}.ipynb"
    with kernelspec() as kernel:
        papermill.execute_notebook(str(NOTEBOOKS / f"{name}.ipynb"), str(executed),
                                   parameters=_params(name, small_db, tmp_path), kernel_name=kernel,
                                   progress_bar=False, cwd=str(tmp_path), execution_timeout=240)
    nb = nbformat.read(executed, as_version=4)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    html = "".join(o.get("data", {}).get("text/html", "") for o in outputs)
    if name == "explore":
        # The linked charts: a live widget with its PNG (tests/test_lab.py checks them closely).
        assert any("image/png" in o.get("data", {}) for o in outputs) and "（七）总计" in html
    else:
        assert "平潭综合实验区" in html and "存在的主要问题" in html
        assert (tmp_path / "charts" / "agency_outcomes.png").exists()
