"""A cheap first pass before the regular expressions: which word prefixes a stretch of text contains.

Python's regular expressions are slow to *fail*: a pattern that begins with an alternation of words is tried at
every word of the article. Most sentences contain none of a cue's words, so each pattern lists the word prefixes
it cannot match without ("captur", "seiz", ...) in the one registry ``TRIGGERS``; each sentence's words (of a
lower-cased copy of the text with punctuation as spaces, same length so offsets carry over) are looked up once
(cached per word), and the sentence runs only the patterns whose prefixes it has.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable

_PUNCTUATION = string.punctuation + string.whitespace + "‘’“”«»–—…•·‐‑‒―′″\u00a0\u2009\u202f"
# a character class + re.sub: several times faster than str.translate with a dict (which goes char by char)
_NOT_WORD = re.compile("[" + "".join(re.escape(c) for c in sorted(set(_PUNCTUATION) - {" "})) + "]")


def normalise(text: str) -> str:
    """Lower-cased, punctuation as spaces, same length as ``text`` (so ``normalised[a:b]`` matches ``text[a:b]``)."""
    lowered = text.lower()
    if len(lowered) != len(text):  # a few characters grow when lower-cased ("İ"): keep the offsets right
        lowered = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    return _NOT_WORD.sub(" ", lowered)


class Triggers:
    """Which consumers (patterns) a stretch of text can interest, from the word prefixes each one registered."""

    def __init__(self) -> None:
        self._by_prefix: dict[str, set[str]] = {}
        self._by_word: dict[str, frozenset[str]] = {}
        self._longest = 1

    def add(self, consumer: str, prefixes: Iterable[str]) -> None:
        for prefix in prefixes:
            words = normalise(prefix).split()
            if not words:
                continue
            key = words[0]
            self._by_prefix.setdefault(key, set()).add(consumer)
            self._longest = max(self._longest, len(key))
        self._by_word.clear()

    def _of_word(self, word: str) -> frozenset[str]:
        found = self._by_word.get(word)
        if found is None:
            consumers: set[str] = set()
            for length in range(1, min(len(word), self._longest) + 1):
                consumers |= self._by_prefix.get(word[:length], set())
            found = frozenset(consumers)
            if len(self._by_word) < 200_000:
                self._by_word[word] = found
        return found

    def active(self, normalised_span: str) -> set[str]:
        consumers: set[str] = set()
        for word in set(normalised_span.split()):
            consumers |= self._of_word(word)
        return consumers


TRIGGERS = Triggers()
"""The one registry: cues, actor patterns, reporting verbs and time expressions add their prefixes at import."""
