"""The theme taxonomy: ``taxonomy.yaml`` (beside this file, or any file with the same layout)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

import yaml

from workbench.narrative.model import UNTAGGED
from workbench.textnorm import nfkc

_KEY = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class Theme:
    key: str
    label: str
    description: str
    words: frozenset[str]
    together: tuple[frozenset[str], ...]
    unless: frozenset[str]

    def all_words(self) -> set[str]:
        return set(self.words) | set(self.unless) | {w for group in self.together for w in group}


@dataclass(frozen=True)
class Taxonomy:
    themes: tuple[Theme, ...]

    def labels(self) -> dict[str, str]:
        """Theme key → Chinese label, plus 未归类 for ``untagged``."""
        return {**{t.key: t.label for t in self.themes}, UNTAGGED: "未归类"}

    def words(self) -> tuple[str, ...]:
        """Every word the rules name, for the segmenter's dictionary (sorted: a stable cache key)."""
        return tuple(sorted({w for t in self.themes for w in t.all_words()}))


class TaxonomyError(ValueError):
    """The taxonomy file is malformed: the message names the theme and the field."""


def load_taxonomy(path: Path | None = None) -> Taxonomy:
    """Read and check a taxonomy file (default: workbench/narrative/taxonomy.yaml)."""
    if path is None:
        return default_taxonomy()
    try:
        text = Path(path).read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise TaxonomyError(f"{path}: cannot read the taxonomy file ({exc.__class__.__name__}: "
                            f"{getattr(exc, 'strerror', None) or exc})") from None
    return _parse(text, str(path))


@cache
def default_taxonomy() -> Taxonomy:
    text = resources.files("workbench.narrative").joinpath("taxonomy.yaml").read_text("utf-8")
    return _parse(text, "taxonomy.yaml")


def _parse(text: str, where: str) -> Taxonomy:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise TaxonomyError(f"{where}: not valid YAML ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("themes"), list):
        raise TaxonomyError(f"{where}: expected a top-level 'themes:' list")
    themes = [_theme(entry, where, index) for index, entry in enumerate(data["themes"], 1)]
    keys = [t.key for t in themes]
    duplicates = sorted({k for k in keys if keys.count(k) > 1})
    if duplicates:
        raise TaxonomyError(f"{where}: theme keys used twice: {', '.join(duplicates)}")
    return Taxonomy(tuple(themes))


def _theme(entry: object, where: str, index: int) -> Theme:
    if not isinstance(entry, dict):
        raise TaxonomyError(f"{where}: theme {index} is not a mapping")
    key = str(entry.get("key", ""))
    name = f"{where}: theme {index} ({key or 'no key'})"
    if not _KEY.match(key) or key == UNTAGGED:
        raise TaxonomyError(f"{name}: key must be lower-case ASCII (a-z, 0-9, _) and not '{UNTAGGED}'")
    if not entry.get("label"):
        raise TaxonomyError(f"{name}: needs a Chinese label")
    together = tuple(frozenset(_words(group, name, "together")) for group in entry.get("together") or [])
    words = frozenset(_words(entry.get("words") or [], name, "words"))
    if not words and not together:
        raise TaxonomyError(f"{name}: needs 'words' or 'together'")
    if any(len(group) < 2 for group in together):
        raise TaxonomyError(f"{name}: each 'together' group needs at least two words")
    return Theme(
        key=key,
        label=nfkc(str(entry["label"])),
        description=str(entry.get("description", "")),
        words=words,
        together=together,
        unless=frozenset(_words(entry.get("unless") or [], name, "unless")),
    )


def _words(values: object, name: str, field: str) -> list[str]:
    if not isinstance(values, list):
        raise TaxonomyError(f"{name}: '{field}' must be a list")
    words = [re.sub(r"\s+", "", nfkc(str(v))) for v in values]
    if any(not w for w in words):
        raise TaxonomyError(f"{name}: '{field}' has an empty word")
    return words
