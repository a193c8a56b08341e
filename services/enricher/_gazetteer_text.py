"""Text normalisation shared by gazetteer keys and the matcher.

Both sides go through :func:`normalise`, which maps one character to exactly one character, so offsets found in the
normalised text are offsets in the original. Punctuation becomes a space, which puts every word between spaces:
a key is stored as ``" kursk region "`` and can then only match whole words ("Ukraine's" -> "ukraine s").
"""

from __future__ import annotations

import re
import unicodedata

_EXTRA_FOLDS = {"ø": "o", "Ø": "o", "ł": "l", "Ł": "l", "đ": "d", "Đ": "d", "ı": "i", "İ": "i", "ʹ": " ", "ʼ": " "}


def _build_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for code in range(0x250):
        char = chr(code)
        if char.isascii():
            if not char.isalnum():
                table[code] = " "
            continue
        if not char.isalpha():
            table[code] = " "
            continue
        base = [c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c)]
        if len(base) == 1 and base[0].isascii() and base[0].isalpha():
            table[code] = base[0].lower()
    for code in [*range(0x2000, 0x2070), 0x3000, 0x02BB, 0x02BC, 0x02B9, 0x00B4, 0x0060]:
        table[code] = " "
    for char, folded in _EXTRA_FOLDS.items():
        table[ord(char)] = folded
    return table


_TABLE = _build_table()
_FOLDS = {chr(code): folded for code, folded in _TABLE.items() if chr(code) != folded}
# one regular expression over the characters that change: much faster than str.translate with a dict table
_FOLDED = re.compile("[" + "".join(re.escape(char) for char in sorted(_FOLDS)) + "]")


def _fold(match: re.Match[str]) -> str:
    return _FOLDS[match.group()]


# Lower-case words allowed inside a capitalised multi-word name ("Rostov-on-Don", "Kursk region").
# fmt: off
NAME_PARTICLES = frozenset((
    "on", "of", "the", "de", "la", "le", "les", "du", "des", "del", "della", "di", "da", "do", "dos", "das",
    "el", "al", "am", "an", "im", "in", "upon", "sur", "sous", "van", "der", "den", "ten", "na", "nad", "pod",
    "y", "e", "and", "bei", "au", "aux",
))
# fmt: on
# fmt: off
REGION_WORDS = frozenset((
    "region", "regions", "oblast", "oblasts", "province", "provinces", "krai", "kray", "territory", "republic",
    "okrug", "state", "governorate", "district", "raion", "county", "area",
))
# fmt: on


def normalise(text: str) -> str:
    """Lower-case, fold Latin diacritics, turn punctuation into spaces; the result has the length of the input."""
    folded = _FOLDED.sub(_fold, text).lower()
    if len(folded) != len(text):  # a character whose lower case is longer; rare enough to go one by one
        folded = "".join(c if len(c) == 1 else ch for ch, c in ((ch, ch.lower()) for ch in text.translate(_TABLE)))
    return folded


def key_of(form: str) -> str:
    """The automaton key of a name: normalised, runs of whitespace in the source form collapsed, space-padded."""
    return " " + normalise(" ".join(form.split())) + " "


def is_latin_name(form: str) -> bool:
    """True for names written in Latin script (letters, spaces, hyphens, apostrophes, dots)."""
    for char in form:
        if char.isalpha():
            if ord(char) >= 0x250 and not 0x1E00 <= ord(char) <= 0x1EFF:
                return False
        elif char not in " -'’.`ʼ":
            return False
    return True


def skeleton(name: str) -> str:
    """A transliteration-blind shape of a name: first letter plus its consonants.

    Kurakhove/Kurakhovo, Kyiv/Kiev, Kharkiv/Kharkov, Avdiivka/Avdeyevka and Pokrovsk/Pokrowsk share a skeleton, while
    a former name (Krasnoarmeysk for Pokrovsk) does not: alternates with the same skeleton are spellings, not
    other names.
    """
    letters = "".join(c for c in normalise(name) if c.isalpha())
    if not letters:
        return ""
    letters = letters.replace("kh", "h").replace("ph", "f").replace("w", "v").replace("zh", "z")
    out = [letters[0]]
    for char in letters[1:]:
        if char in "aeiouyj":
            continue
        if out[-1] != char:
            out.append(char)
    return "".join(out)
