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
        known = self._by_word
        for word in set(normalised_span.split()):
            found = known.get(word)  # inlined cache hit: this runs for every word of every article
            if found is None:
                found = self._of_word(word)
            if found:
                consumers |= found
        return consumers


TRIGGERS = Triggers()
"""The one registry: cues, actor patterns, reporting verbs and time expressions add their prefixes at import."""


# -- IGNORECASE patterns run faster as case-sensitive twins on lower-cased text ---------------------------------

# an escape ("\S", "\x4F"), a group name ("(?P<side>", "(?P=side)") or an upper-case letter elsewhere
_SOURCE_PART = re.compile(r"\\.|\(\?P<\w+>|\(\?P=\w+\)|[A-Z]", re.DOTALL)
_NON_ASCII_LETTER = re.compile(r"(?![\x00-\x7f])[^\W\d_]")


def lower_case_source(pattern: str) -> str:
    """The pattern for lower-cased text: its literal letters lower-cased, escapes and group names left alone."""
    return _SOURCE_PART.sub(lambda part: part.group(0).lower() if len(part.group(0)) == 1 else part.group(0), pattern)


def caseless_lowered(text: str) -> str | None:
    """``text`` lower-cased when an IGNORECASE pattern and its ``lower_case_source`` twin on the lower-cased text
    are sure to match the same spans: every letter ASCII (IGNORECASE also equates some non-ASCII letters, such as
    the long s with s, and ``str.lower`` may change their number); None otherwise."""
    if not text.isascii() and _NON_ASCII_LETTER.search(text):
        return None
    return text.lower()


def lower_twin(pattern: re.Pattern[str]) -> re.Pattern[str] | None:
    """The IGNORECASE ``pattern`` for lower-cased text, without IGNORECASE; None if it has case-sensitive parts."""
    source = pattern.pattern
    if not pattern.flags & re.IGNORECASE or "(?-i" in source or "(?i" in source:
        return None
    return re.compile(lower_case_source(source), pattern.flags & ~re.IGNORECASE)


def caseless_finditer(
    pattern: re.Pattern[str], twin: re.Pattern[str] | None, text: str, lowered: str | None
) -> Iterable[re.Match[str]]:
    """``pattern.finditer(text)``, found faster with its ``lower_twin`` on ``lowered`` (``caseless_lowered(text)``)
    when there is one; each match is then matched again on ``text`` at its start, so its groups keep the case."""
    if lowered is None or twin is None:
        return pattern.finditer(text)
    matches = []
    for found in twin.finditer(lowered):
        match = pattern.match(text, found.start())
        if match is None or match.end() != found.end():  # cannot happen (see caseless_lowered); stay exact anyway
            return pattern.finditer(text)
        matches.append(match)
    return matches
