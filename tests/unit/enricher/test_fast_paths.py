"""The faster rewrites of small text helpers give exactly the answers of the straightforward versions they replaced.

Each reference below is the earlier implementation, kept here as the specification; random strings over an
alphabet of letters, digits, blanks, punctuation and a few non-ASCII characters probe the edge cases.
"""

from __future__ import annotations

import random
import re
import string

import pytest

from newsmon.story import _STOPWORDS, STEM_LENGTH, content_words
from services.enricher import _gazetteer_text, _scan
from services.enricher.attribution import SPEECH_VERB, _is_noun_use

ALPHABET = (
    string.ascii_letters + string.digits + "    \t\n-'’.,;:\"“”()" + "éüçøłİıſ\u00a0\u2009—–…«»КиївÆ" + "theseourhis"
)


def _random_texts(count: int, length: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, length))) for _ in range(count)]


def _scan_reference(text: str) -> str:
    table = str.maketrans(dict.fromkeys(_scan._PUNCTUATION, " "))
    lowered = text.lower()
    if len(lowered) != len(text):
        lowered = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    return lowered.translate(table)


def _gazetteer_reference(text: str) -> str:
    folded = text.translate(_gazetteer_text._TABLE).lower()
    if len(folded) != len(text):
        folded = "".join(
            c if len(c) == 1 else ch for ch, c in ((ch, ch.lower()) for ch in text.translate(_gazetteer_text._TABLE))
        )
    return folded


_DETERMINER_BEFORE = re.compile(r"(?:['’]s|\b(?:the|these|those|such|its|their|his|her|our|of|any|some))\s+$", re.I)
_WORD_BEFORE = re.compile(r"\b(\w+)\s+$")


def _noun_use_reference(before: str) -> bool:
    if _DETERMINER_BEFORE.search(before):
        return True
    word = _WORD_BEFORE.search(before)
    return word is not None and SPEECH_VERB.fullmatch(word.group(1)) is not None


def _content_words_reference(text: str) -> list[str]:
    normalised = text.lower().replace("’", "'")
    words = re.findall(r"[a-z0-9]+", normalised)
    return [word[:STEM_LENGTH] for word in words if len(word) > 2 and word not in _STOPWORDS]


@pytest.mark.parametrize("seed", range(3))
def test_normalisers_match_the_translate_tables(seed: int) -> None:
    every_char = "".join(chr(code) for code in range(0x3100))
    for text in [every_char, *_random_texts(400, 80, seed)]:
        assert _scan.normalise(text) == _scan_reference(text)
        assert _gazetteer_text.normalise(text) == _gazetteer_reference(text)


def test_noun_use_matches_the_end_anchored_searches() -> None:
    samples = [
        "Russia's ",
        "these ",
        "bathe ",
        "the\n",
        "dismissed ",
        "He said ",
        "said",
        "of  \n ",
        "THOSE\t",
        "ſuch ",
        "x_said ",
        "",
        " ",
        "Moscow’s  ",
        "reports, ",
    ]
    rng = random.Random(11)
    words = ["the", "said", "claims", "reports", "its", "Russia's", "x", "denied", "of", "some", ",", "’s", "."]
    for _ in range(3000):
        parts = [rng.choice(words) for _ in range(rng.randint(0, 5))]
        samples.append("".join(part + rng.choice(["", " ", "  ", "\n", "\t "]) for part in parts))
    samples += _random_texts(2000, 30, 5)
    answers = [_is_noun_use(before) for before in samples]
    assert answers == [_noun_use_reference(before) for before in samples]
    assert 500 < sum(answers) < len(samples) - 500, "the samples must hold both answers often"


def test_content_words_match_the_filtered_word_list() -> None:
    texts = [*_random_texts(500, 200, 3), "A war-torn town, Kurakhove’s 20,000 people; Avdiivka fell in 2024."]
    for text in texts:
        assert content_words(text) == _content_words_reference(text)


def _mixed_case_sentences() -> list[str]:
    from pathlib import Path

    import yaml

    from services.enricher.sentences import split_sentences

    root = Path(__file__).resolve().parents[3]
    cases = yaml.safe_load((root / "tests" / "data" / "sentences.yaml").read_text(encoding="utf-8"))["cases"]
    texts = [case["text"] for case in cases]
    for path in sorted((root.parent / "shared" / "seeds").glob("*.txt")):
        texts += [sentence.text for sentence in split_sentences(path.read_text(encoding="utf-8"))]
    rng = random.Random(17)
    shouted = ["".join(c.upper() if rng.random() < 0.5 else c for c in text) for text in texts]
    return texts + shouted + ["Kyiv’s ſtrike on Kursk", "KURSK İS CAPTURED", "Ωmega captured Toretsk"]


def test_lower_case_twins_find_the_same_matches() -> None:
    from services.enricher import facts
    from services.enricher._scan import caseless_finditer, caseless_lowered
    from services.enricher.actors import _PATTERNS
    from services.enricher.cues import CUES

    pairs = [(cue.pattern, cue.lower_pattern) for cue in CUES]
    pairs += [(facts._DISTANCE, facts._DISTANCE_LOWER), (facts._PEOPLE, facts._PEOPLE_LOWER)]
    pairs += [(facts._POPULATION, facts._POPULATION_LOWER), (facts._AREA, facts._AREA_LOWER)]
    pairs += [(_PATTERNS.ministry, _PATTERNS.ministry_lower)]
    assert sum(twin is not None for _, twin in pairs) >= 30
    found = 0
    for text in _mixed_case_sentences():
        lowered = caseless_lowered(text)
        for pattern, twin in pairs:
            expected = [(m.span(), m.groupdict()) for m in pattern.finditer(text)]
            got = [(m.span(), m.groupdict()) for m in caseless_finditer(pattern, twin, text, lowered)]
            assert got == expected, (pattern.pattern[:60], text)
            found += len(got)
    assert found > 100
