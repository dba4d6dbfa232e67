"""Chinese word segmentation for tagging: jieba, offline and quiet, with government terms.

jieba's general dictionary ships inside the package (no download). On top of it we load
``govterms.txt`` (beside this file) and every word of the taxonomy, so that 依申请公开 and
政务新媒体 are one word each. A private ``jieba.Tokenizer`` is used so that other users of
jieba in the same process are not affected by our dictionary.
"""

from __future__ import annotations

import logging
import re
import warnings
from collections.abc import Iterable
from functools import cache
from importlib import resources

# jieba imports pkg_resources (deprecated; warns on new setuptools) and logs "Building prefix
# dict…" to stderr at DEBUG: neither belongs in the CLI's output.
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    import jieba

jieba.setLogLevel(logging.WARNING)

_COMMENT = "#"
_USER_LINE = re.compile(r"^(\S+)(?:\s+(\d+))?(?:\s+([a-z]+))?$")


def government_terms() -> list[tuple[str, int | None, str | None]]:
    """The lines of govterms.txt as (word, frequency or None, part of speech or None)."""
    text = resources.files("workbench.narrative").joinpath("govterms.txt").read_text("utf-8")
    terms = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith(_COMMENT):
            continue
        match = _USER_LINE.match(line)
        if match is None:
            raise ValueError(f"govterms.txt: cannot read line {line!r} (word [frequency] [tag])")
        word, freq, tag = match.groups()
        terms.append((word, int(freq) if freq else None, tag))
    return terms


class Segmenter:
    """Words of a text, and the dictionary words inside each word (政策解读 → 政策, 解读)."""

    def __init__(self, extra_words: Iterable[str] = ()) -> None:
        self._jieba = jieba.Tokenizer()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self._jieba.initialize()
        for word, freq, tag in government_terms():
            self._jieba.add_word(word, freq, tag)
        for word in extra_words:
            # without a frequency jieba computes one that keeps the word in one piece
            self._jieba.add_word(word)

    def words(self, text: str) -> list[str]:
        """Precise-mode segmentation (HMM on, for names jieba has never seen)."""
        return [w for w in self._jieba.lcut(text) if w.strip()]

    def inner_words(self, word: str) -> list[str]:
        """Dictionary words strictly inside ``word`` (search-engine style, any length ≥ 2)."""
        freq = self._jieba.FREQ
        found = []
        for size in range(len(word) - 1, 1, -1):
            for start in range(len(word) - size + 1):
                piece = word[start : start + size]
                if freq.get(piece):
                    found.append(piece)
        return found


@cache
def segmenter(extra_words: tuple[str, ...] = ()) -> Segmenter:
    """One segmenter per word list: building the dictionary takes about a second."""
    return Segmenter(extra_words)
