"""The yearly digest, the notebooks' building blocks, the Word briefing pack and `workbench lab`.

    from workbench.digest import run_digest
    result = run_digest("data/workbench.duckdb", year="latest", out=Path("out"), docx=True)

sections.py (digest.ipynb), explore.py (explore.ipynb) and profile.py (agency.ipynb) hold what
the notebooks call; runner.py executes digest.ipynb with papermill and publishes the folder;
briefing.py writes the Word pack; lab.py starts JupyterLab. Design notes: docs/digest.md.
"""

from workbench.digest.lab import ENV_DB, lab_command, launch_lab
from workbench.digest.runner import (
    DIGEST_NOTEBOOK,
    NOTEBOOKS,
    DigestBusyError,
    DigestResult,
    DigestRunError,
    run_digest,
)
from workbench.digest.sections import DigestError

__all__ = ["DIGEST_NOTEBOOK", "ENV_DB", "NOTEBOOKS", "DigestBusyError", "DigestError", "DigestResult",
           "DigestRunError", "lab_command", "launch_lab", "run_digest"]
