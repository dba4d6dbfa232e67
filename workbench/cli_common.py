"""What every ``workbench`` command shares: output, the common options, the errors shown as one line."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer


def out(text: str) -> None:
    sys.stdout.write(text + "\n")


def err(text: str) -> None:
    sys.stderr.write(text + "\n")


DbOption = Annotated[Path, typer.Option("--db", help="The DuckDB database file.")]
YearOption = Annotated[int | None, typer.Option(help="Only this report year.")]
AgencyOption = Annotated[str | None, typer.Option(help="Only agencies whose name contains this text.")]


def known_errors() -> tuple[type[Exception], ...]:
    """What the API raises for a user's mistake or a bad file: shown as one line, no traceback."""
    from workbench.digest.sections import DigestError
    from workbench.narrative.store import NarrativeStoreError
    from workbench.store import StoreError

    return StoreError, NarrativeStoreError, DigestError


