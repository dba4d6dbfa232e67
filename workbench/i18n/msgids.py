"""Fixed English texts the workbench does not word itself, in the catalogue's words.

``msgids.yaml`` maps each (a regular expression over the whole text, like a gettext msgid) to a
catalogue key: typer's vendored click, the readers' SourceError reasons, the parser's identity
names, the synthetic bundle's reasons. No typer here: every stage may use it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from functools import cache
from importlib import resources

import yaml

from workbench.i18n import language, t


@cache
def _patterns(section: str) -> list[tuple[re.Pattern[str], str]]:
    text = resources.files(__package__).joinpath("msgids.yaml").read_text(encoding="utf-8")
    return [(re.compile(entry["msgid"]), entry["key"]) for entry in yaml.safe_load(text)[section]]


def translate_text(text: str, section: str, labels: Mapping[str, Callable[[str], str]] | None = None) -> str:
    """A fixed English text of a library or reader (msgids.yaml ``section``) in the catalogue's words.

    Its variable parts are the pattern's named groups and fill the message's fields (each through
    ``labels[group]`` when given, e.g. a record key to the template's label); a text no pattern
    matches is returned as it is.
    """
    if language() == "en":
        return text
    for pattern, key in _patterns(section):
        if found := pattern.fullmatch(text):
            fields = {k: (labels or {}).get(k, str)(v) for k, v in found.groupdict().items()}
            return t(key, **fields)
    return text
