"""What every ``workbench`` command shares: output, the common options, the errors shown as one line."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from workbench.i18n import os_reason
from workbench.i18n.msgids import translate_text


def out(text: str) -> None:
    sys.stdout.write(text + "\n")


def err(text: str) -> None:
    sys.stderr.write(text + "\n")


# Help texts: opt.db, opt.year, opt.agency in workbench/i18n/*.yaml (set by workbench.i18n.clickui).
DbOption = Annotated[Path, typer.Option("--db")]
YearOption = Annotated[int | None, typer.Option()]
AgencyOption = Annotated[str | None, typer.Option()]


def reason(text: object) -> str:
    """A reader's reason (SourceError, a failed file's stored error) in the user's language.

    The readers in workbench/sources word some reasons in English; the fixed ones are looked up
    in workbench/i18n/msgids.yaml (section ``sources``); any other text is shown as it is.
    """
    return translate_text(str(text), "sources", {"detail": os_reason})


def known_errors() -> tuple[type[Exception], ...]:
    """What the API raises for a user's mistake or a bad file: shown as one line, no traceback."""
    from workbench.digest.sections import DigestError
    from workbench.narrative.store import NarrativeStoreError
    from workbench.store import StoreError

    return StoreError, NarrativeStoreError, DigestError
