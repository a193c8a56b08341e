"""Sentence splitting with character offsets into the original text.

News text from the web has page chrome (menu lines, "Advertisement"), headings without a full stop, abbreviations
with full stops ("Jan. 6", "U.S. President", "Mr. Putin") and sometimes a missing space after a full stop
("for months.On the evening"). Every line is at least one sentence; inside a line a sentence ends at ``.``, ``!``
or ``?`` (plus closing quotes) followed by a capitalised word, unless the word before the stop is an abbreviation.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass

ABBREVIATIONS = frozenset(
    [
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "mon",
        "tue",
        "tues",
        "wed",
        "thu",
        "thur",
        "thurs",
        "fri",
        "sat",
        "sun",
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "st",
        "gen",
        "lt",
        "col",
        "maj",
        "capt",
        "cpt",
        "sgt",
        "adm",
        "cmdr",
        "rep",
        "sen",
        "gov",
        "pres",
        "gov't",
        "rev",
        "hon",
        "jr",
        "sr",
        "no",
        "nos",
        "vs",
        "etc",
        "approx",
        "est",
        "dept",
        "univ",
        "inc",
        "ltd",
        "co",
        "corp",
        "fig",
    ]
)

_LINE = re.compile(r"[^\n]+")
# a stop (with closing quotes/brackets), then either whitespace or nothing, then an opening quote or a capital/digit
_BOUNDARY = re.compile(r"[.!?][\"'”’)\]]*(?:\s+|(?=[A-Z][a-z]))(?=[\"“‘(\[]?[A-Z0-9])")
_WORD_BEFORE = re.compile(r"([A-Za-z][A-Za-z.'’-]*)$")
_WORD_CHARACTERS = string.ascii_letters + ".'’-"
_TERMINAL = re.compile(r"[.!?][\"'”’)\]]*$")
_LETTER = re.compile(r"[A-Za-z]")


@dataclass(frozen=True, slots=True)
class Sentence:
    index: int
    start: int
    end: int
    text: str
    paragraph: int
    heading: bool
    """A line without a full stop: a headline, a sub-heading or page chrome."""


def _is_abbreviation(before: str) -> bool:
    # the word can only start after the last character outside its class ("$" also matches before a final newline):
    # search from there, not from the start
    body = before[:-1] if before.endswith("\n") else before
    match = _WORD_BEFORE.search(before, len(body.rstrip(_WORD_CHARACTERS)))
    if match is None:
        return False
    word = match.group(1)
    bare = word.rstrip(".").lower()
    if bare in ABBREVIATIONS:
        return True
    if len(bare) == 1:  # an initial: "J. Smith"
        return True
    # dotted acronyms: "U.S", "U.N", "e.g"
    return "." in word.rstrip(".")


def _split_line(line: str, offset: int) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _BOUNDARY.finditer(line):
        stop_at = match.start()
        if _is_abbreviation(line[start:stop_at]):
            continue
        end = match.end()
        # the stop and closing quotes belong to the sentence; the whitespace does not
        closing_end = stop_at + 1
        while closing_end < len(line) and line[closing_end] in "\"'”’)]":
            closing_end += 1
        spans.append((offset + start, offset + closing_end))
        start = end
    spans.append((offset + start, offset + len(line)))
    return spans


def split_sentences(text: str) -> list[Sentence]:
    """Sentences of ``text`` with offsets such that ``text[s.start:s.end] == s.text``."""
    sentences: list[Sentence] = []
    paragraph = -1
    for line_match in _LINE.finditer(text):
        line = line_match.group(0)
        if not _LETTER.search(line):
            continue
        paragraph += 1
        spans = _split_line(line, line_match.start())
        for raw_start, raw_end in spans:
            start, end = raw_start, raw_end
            while start < end and text[start].isspace():
                start += 1
            while end > start and text[end - 1].isspace():
                end -= 1
            chunk = text[start:end]
            if not _LETTER.search(chunk):
                continue
            heading = len(spans) == 1 and _TERMINAL.search(chunk) is None
            sentences.append(Sentence(len(sentences), start, end, chunk, paragraph, heading))
    return sentences
