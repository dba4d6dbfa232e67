"""Text normalisation shared by every stage: match Chinese labels by meaning, not bytes."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_WHITESPACE = re.compile(r"\s+")
# Ordinals written 1、 1. 1． (NFKC turns ． into .) all become "1."
_ARABIC_ORDINAL = re.compile(r"(?<![\d.])(\d{1,2})[、.](?!\d)")
# Quotes vary between “” "" 「」; labels are compared without them.
_QUOTES = str.maketrans("", "", "“”\"'‘’「」")


def nfkc(text: str) -> str:
    """NFKC: full-width digits, letters and punctuation become their ASCII forms."""
    return unicodedata.normalize("NFKC", text)


def compact(text: str) -> str:
    """NFKC with every whitespace character removed (PDF line breaks, spaced labels)."""
    return _WHITESPACE.sub("", nfkc(text).replace("\u3000", " "))


@lru_cache(maxsize=65536)  # the same labels are matched against every template row
def label_key(text: str) -> str:
    """The form labels are matched in: compact, quotes dropped, ordinals as ``1.``."""
    return _ARABIC_ORDINAL.sub(r"\1.", compact(text).translate(_QUOTES))


def join_lines(text: str) -> str:
    """Join text broken over lines: drop whitespace except between two ASCII letters/digits.

    Free text keeps its characters as written (no NFKC): ，stays full-width.
    """
    return re.sub(r"\s+", lambda m: _keep_space(m, text), text).strip()


def _keep_space(match: re.Match[str], text: str) -> str:
    before = text[match.start() - 1] if match.start() > 0 else ""
    after = text[match.end()] if match.end() < len(text) else ""
    return " " if before.isascii() and after.isascii() and before.isalnum() and after.isalnum() else ""
