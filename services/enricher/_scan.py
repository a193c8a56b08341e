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
_ASCII_BYTES = bytes(range(128))


def lower_case_source(pattern: str) -> str:
    """The pattern for lower-cased text: its literal letters lower-cased, escapes and group names left alone."""
    return _SOURCE_PART.sub(lambda part: part.group(0).lower() if len(part.group(0)) == 1 else part.group(0), pattern)


def caseless_lowered(text: str) -> str | None:
    """``text`` lower-cased when an IGNORECASE pattern and its ``lower_case_source`` twin on the lower-cased text
    are sure to match the same spans: every letter ASCII (IGNORECASE also equates some non-ASCII letters, such as
    the long s with s, and ``str.lower`` may change their number); None otherwise."""
    if not text.isascii():
        # the non-ASCII characters alone (curly quotes and dashes, mostly), cut out of the UTF-8 bytes: much faster
        # than a regular expression or a set over the whole text
        others = text.encode("utf-8", "surrogatepass").translate(None, _ASCII_BYTES).decode("utf-8", "surrogatepass")
        # a letter as the regular expressions see it: a word character (str.isalnum), not a digit (isdecimal)
        if any(char.isalnum() and not char.isdecimal() for char in set(others)):
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


# -- alternations of many words are tried word by word at every position of the text ---------------------------


def first_characters(alternation: str, also: str = "") -> str:
    """A lookahead on the first characters of a top-level alternation of words, such as ``could|won['’]t|set\\s+to``.

    Placed right before that alternation, it leaves the pattern's matches as they are but lets ``re`` give up at
    once wherever none of the words can start, instead of trying each word in turn (2-4× faster on long lists).
    Every branch must begin with a letter or a digit; ``also`` adds to the class (``A-Z"`` when an optional part
    before the alternation can start with a capital or a quote).
    """
    return "(?=[" + starting_characters(alternation) + also + "])"


def starting_characters(alternation: str) -> str:
    """The characters the branches of ``alternation`` begin with (see ``first_characters``), sorted; the
    alternation ends at the end of the string or at a closing parenthesis of no group of its own."""
    return "".join(sorted(_branch_starts(alternation)[0]))


def _branch_starts(alternation: str) -> tuple[set[str], int]:
    """The first characters of the branches, and where the alternation ends. A branch may begin with a group of
    such branches ("(?:has|had)\\s+fallen"), but not with an optional one ("(?:re)?take")."""
    starts: set[str] = set()
    depth, in_class, escaped, branch_start = 0, False, False, True
    for index, char in enumerate(alternation):
        if branch_start and alternation.startswith("(?:", index):
            inner, end = _branch_starts(alternation[index + 3 :])
            if alternation[index + 3 + end + 1 : index + 3 + end + 2] in ("?", "*", "{"):
                raise ValueError(f"a branch of {alternation!r} starts with an optional group")
            starts |= inner
            branch_start = False
        elif branch_start:
            if not char.isalnum() or alternation[index + 1 : index + 2] in ("?", "*", "{"):
                raise ValueError(f"a branch of {alternation!r} starts with {char!r}, not a letter or a digit")
            starts.add(char)
            branch_start = False
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "(":
            depth += 1
        elif char == ")":
            if depth == 0:
                return starts, index
            depth -= 1
        elif char == "|" and depth == 0:
            branch_start = True
    return starts, len(alternation)


def with_first_characters(source: str) -> str:
    r"""A pattern beginning ``\b(?:word|word...)`` with ``first_characters`` of that group after its ``\b``;
    other patterns, an optional or repeated group, and groups whose branches do not all begin with a letter or
    a digit, unchanged."""
    head = r"\b(?:"
    if not source.startswith(head):
        return source
    try:
        starts, end = _branch_starts(source[len(head) :])
    except ValueError:
        return source
    after = source[len(head) + end + 1 : len(head) + end + 2]
    if end == len(source) - len(head) or after in ("?", "*", "+", "{"):
        return source
    return rf"\b(?=[{''.join(sorted(starts))}])" + source[2:]
