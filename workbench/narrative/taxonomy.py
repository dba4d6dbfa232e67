"""The theme taxonomy: ``taxonomy.yaml`` (beside this file, or any file with the same layout)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

import yaml

from workbench.i18n import os_reason, t
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
        detail = os_reason(exc) if isinstance(exc, OSError) else f"{exc.__class__.__name__}: {exc}"
        raise TaxonomyError(t("taxonomy.unreadable", path=path, detail=detail)) from None
    return _parse(text, str(path))


@cache
def default_taxonomy() -> Taxonomy:
    text = resources.files("workbench.narrative").joinpath("taxonomy.yaml").read_text("utf-8")
    return _parse(text, "taxonomy.yaml")


def _parse(text: str, where: str) -> Taxonomy:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise TaxonomyError(t("taxonomy.bad_yaml", where=where, detail=exc)) from None
    if not isinstance(data, dict) or not isinstance(data.get("themes"), list):
        raise TaxonomyError(t("taxonomy.no_themes", where=where))
    themes = [_theme(entry, where, index) for index, entry in enumerate(data["themes"], 1)]
    keys = [theme.key for theme in themes]
    duplicates = sorted({k for k in keys if keys.count(k) > 1})
    if duplicates:
        raise TaxonomyError(t("taxonomy.twice", where=where, keys=", ".join(duplicates)))
    return Taxonomy(tuple(themes))


def _theme(entry: object, where: str, index: int) -> Theme:
    if not isinstance(entry, dict):
        raise TaxonomyError(t("taxonomy.not_mapping", where=where, index=index))
    key = str(entry.get("key", ""))
    name = t("taxonomy.theme", where=where, index=index, key=key or t("taxonomy.no_key"))
    if not _KEY.match(key) or key == UNTAGGED:
        raise TaxonomyError(t("taxonomy.bad_key", name=name, untagged=UNTAGGED))
    if not entry.get("label"):
        raise TaxonomyError(t("taxonomy.no_label", name=name))
    together = tuple(frozenset(_words(group, name, "together")) for group in entry.get("together") or [])
    words = frozenset(_words(entry.get("words") or [], name, "words"))
    if not words and not together:
        raise TaxonomyError(t("taxonomy.no_words", name=name))
    if any(len(group) < 2 for group in together):
        raise TaxonomyError(t("taxonomy.short_group", name=name))
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
        raise TaxonomyError(t("taxonomy.not_list", name=name, field=field))
    words = [re.sub(r"\s+", "", nfkc(str(v))) for v in values]
    if any(not w for w in words):
        raise TaxonomyError(t("taxonomy.empty_word", name=name, field=field))
    return words
