"""The workbench's words, one catalogue per language: ``t("ingest.summary", files=3)``.

The language is ``zh`` unless ``WORKBENCH_LANG=en`` (for developers) or ``--lang`` says
otherwise. Catalogues are YAML beside this file (``zh.yaml``, ``en.yaml``), nested mappings
whose dotted paths are the keys; a value is a ``str.format`` template. Both catalogues hold the
same keys with the same ``{fields}`` (tests/test_cli_language.py), so a key missing from one is
a bug the tests catch, not a message shown in the other language.

This module imports nothing of the workbench: every stage may use it.
"""

from __future__ import annotations

import errno
import os
import string
from functools import cache
from importlib import resources
from typing import Any

import yaml

LANGUAGES = ("zh", "en")
DEFAULT = "zh"
ENV = "WORKBENCH_LANG"

_chosen: str | None = None  # set by --lang; None: WORKBENCH_LANG, then zh


def normalise(lang: str | None) -> str | None:
    """'zh', 'zh_CN.UTF-8', 'ZH-cn' → 'zh'; 'en_US' → 'en'; anything else → None."""
    if not lang:
        return None
    head = lang.strip().lower().replace("-", "_").split("_")[0].split(".")[0]
    return head if head in LANGUAGES else None


def language() -> str:
    """The language messages are given in now."""
    return _chosen or normalise(os.environ.get(ENV)) or DEFAULT


def set_language(lang: str | None) -> None:
    """Choose the language for this process (None: back to ``WORKBENCH_LANG`` or zh)."""
    global _chosen
    if lang is not None and normalise(lang) is None:
        raise ValueError(t("i18n.unknown_language", lang=lang, choices="、".join(LANGUAGES)))
    _chosen = normalise(lang)


@cache
def catalogue(lang: str) -> dict[str, str]:
    """All keys of one language, flattened to dotted paths."""
    text = resources.files(__package__).joinpath(f"{lang}.yaml").read_text(encoding="utf-8")
    flat: dict[str, str] = {}
    _flatten(yaml.safe_load(text) or {}, "", flat)
    return flat


def _flatten(node: Any, prefix: str, into: dict[str, str]) -> None:
    for key, value in node.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            _flatten(value, path + ".", into)
        else:
            into[path] = str(value).rstrip("\n")


def has(key: str, lang: str | None = None) -> bool:
    return key in catalogue(lang or language())


def t(key: str, /, **fields: Any) -> str:
    """The message ``key`` in the current language, its ``{fields}`` filled in.

    A key absent from the current catalogue falls back to Chinese, then to the key itself, so a
    slip never hides the message (the catalogue test fails on it instead).
    """
    lang = language()
    template = catalogue(lang).get(key) or catalogue(DEFAULT).get(key)
    if template is None:
        return key + (f" {fields}" if fields else "")
    return template.format(**fields)


def fields_of(template: str) -> set[str]:
    """The ``{field}`` names a template uses (for the catalogue test)."""
    return {name.split(".")[0].split("[")[0] for _, name, _, _ in string.Formatter().parse(template) if name}


@cache
def _query_answers() -> dict[str, str]:
    text = resources.files(__package__).joinpath("queries.zh.yaml").read_text(encoding="utf-8")
    return {str(k): str(v) for k, v in (yaml.safe_load(text) or {}).items()}


def query_answers(name: str, original: str) -> str:
    """What query ``name`` answers, in the user's language (``original``: its SQL header, English)."""
    if language() == "en":
        return original
    return _query_answers().get(name, original)


def os_reason(error: BaseException | str | None) -> str:
    """An operating-system error (FileNotFoundError, its strerror text "No such file or directory" …)
    in the user's language: the catalogue's ``oserror.<ENAME>``, else the system's own text."""
    if isinstance(error, OSError):
        name = errno.errorcode.get(error.errno or -1)
        text = error.strerror or str(error)
    else:
        text = str(error or "")
        name = _strerror_names().get(text)
    if name and has(f"oserror.{name}"):
        return t(f"oserror.{name}")
    return text


@cache
def _strerror_names() -> dict[str, str]:
    return {os.strerror(code): name for code, name in errno.errorcode.items()}
