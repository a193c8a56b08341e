"""The faster rewrites of small text helpers give exactly the answers of the straightforward versions they replaced.

Each reference below is the earlier implementation, kept here as the specification; random strings over an
alphabet of letters, digits, blanks, punctuation and a few non-ASCII characters probe the edge cases.
"""

from __future__ import annotations

import random
import re
import string

import pytest

from newsmon.contracts.claims import StorySignature
from newsmon.story import _STOPWORDS, SHINGLE_SIZE, STEM_LENGTH, content_words, shingles, signature, sketch
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


def test_signature_matches_the_sketch_of_the_shingles() -> None:
    texts = [*_random_texts(500, 200, 4), "", "one", "two words", "İstanbul \u212a Kelvin", "\ud800 lone surrogate"]
    for text in texts:
        expected = StorySignature(minhash=sketch(shingles(text)), shingle_size=SHINGLE_SIZE)
        got = signature(text)
        assert got == expected
        assert got.model_dump_json() == expected.model_dump_json()
        assert got.model_fields_set == expected.model_fields_set


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
    from services.enricher._actor_patterns import PATTERNS
    from services.enricher._scan import caseless_finditer, caseless_lowered
    from services.enricher.cues import CUES
    from services.enricher.filters import CLAUSE_BREAK, CLAUSE_BREAK_LOWER

    pairs = [(cue.pattern, cue.lower_pattern) for cue in CUES]
    pairs += [(facts._DISTANCE, facts._DISTANCE_LOWER), (facts._PEOPLE, facts._PEOPLE_LOWER)]
    pairs += [(facts._POPULATION, facts._POPULATION_LOWER), (facts._AREA, facts._AREA_LOWER)]
    pairs += [(PATTERNS.ministry, PATTERNS.ministry_lower), (CLAUSE_BREAK, CLAUSE_BREAK_LOWER)]
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


_NON_ASCII_LETTER = re.compile(r"(?![\x00-\x7f])[^\W\d_]")


def test_caseless_lowered_sees_every_non_ascii_letter() -> None:
    from services.enricher._scan import caseless_lowered

    for code in range(0x32000):  # every plane with letters, surrogates included
        text = f"a{chr(code)}B"
        expected = None if _NON_ASCII_LETTER.search(text) else text.lower()
        assert caseless_lowered(text) == expected, hex(code)


# a lookahead on a class of first characters, optionally "or the end": the guards put before alternations
_GUARD = re.compile(r"\(\?=(?:\[[^\]]*\]|\\d)(?:\|\$)?\)")


def _guarded_patterns() -> list[re.Pattern[str]]:
    from services.enricher import _claim_actor, attribution, cues, facts, filters, linking, timeexpr
    from services.enricher._actor_patterns import PATTERNS, SURNAME

    patterns = [timeexpr._PATTERN, timeexpr._PATTERN_LOWER, filters.HEDGE, filters.NEGATION, filters.NON_CONFIRMATION]
    patterns += [filters.BACKGROUND, PATTERNS.ministry, PATTERNS.ministry_lower]
    guarded_cues = [cue for cue in cues.CUES if _GUARD.search(cue.pattern.pattern)]
    assert len(guarded_cues) >= 20
    patterns += [cue.pattern for cue in guarded_cues]
    patterns += [cue.lower_pattern for cue in guarded_cues if cue.lower_pattern is not None]
    patterns += [filters.CLAUSE_BREAK, attribution.SPEECH_VERB, attribution._lower["SPEECH_VERB"]]
    patterns += [attribution._PASSIVE_BEFORE, _claim_actor._PASSIVE, linking.PASSIVE, linking._ANAPHOR, SURNAME]
    patterns += [PATTERNS.grouping, PATTERNS.known_grouping, PATTERNS.state, PATTERNS.generic]
    patterns += [PATTERNS.generic_lead, PATTERNS.prefixed]
    patterns += [facts._DISTANCE, facts._AREA, facts._PEOPLE]
    twins = [facts._DISTANCE_LOWER, facts._AREA_LOWER, facts._PEOPLE_LOWER]
    patterns += [twin for twin in twins if twin is not None]
    assert all(_GUARD.search(pattern.pattern) for pattern in patterns)
    return patterns


def _vocabulary_texts(source: str, count: int, seed: int) -> list[str]:
    """Random texts of the pattern's own words (so that every branch gets its chances), in every case, glued with
    blanks, punctuation and characters that case-insensitive matching treats specially."""
    rng = random.Random(seed)
    words = [*sorted(set(re.findall(r"[A-Za-z]+", source))), "2024", "1999", "15", "٣", "Kyiv", "x"]
    glue = [" ", " ", " ", "  ", ", ", ". ", "; ", "\n", "’s ", "'s ", "-", " — ", " – ", '"', "“", ":", "\u2009", ""]
    odd = ["ſ", "İ", "ı", "K", "é", "\u00a0"]
    texts = []
    for _ in range(count):
        parts = []
        for _ in range(rng.randint(1, 14)):
            word = rng.choice(words)
            word = rng.choice([word, word.lower(), word.upper(), word.title()])
            if rng.random() < 0.05:
                word = rng.choice(odd) + word[1:]
            parts += [word, rng.choice(glue)]
        texts.append("".join(parts))
    return texts


def test_first_character_guards_change_no_match() -> None:
    rng = random.Random(1)
    sentences = _mixed_case_sentences()[::10]
    for pattern in _guarded_patterns():
        reference = re.compile(_GUARD.sub("", pattern.pattern), pattern.flags)
        for text in _vocabulary_texts(reference.pattern, 400, 1) + sentences:
            expected = [(m.span(), m.groups()) for m in reference.finditer(text)]
            assert [(m.span(), m.groups()) for m in pattern.finditer(text)] == expected, (pattern.pattern[:50], text)
            start = rng.randint(0, len(text))
            end = rng.randint(start, len(text))
            found, wanted = pattern.search(text, start, end), reference.search(text, start, end)
            assert (found and (found.span(), found.groups())) == (wanted and (wanted.span(), wanted.groups()))


def test_first_characters_of_an_alternation() -> None:
    from services.enricher._scan import first_characters, with_first_characters

    assert first_characters(r"could|won['’]t|set\s+to|promis(?:e|es)|x[|(]y|9z") == "(?=[9cpswx])"
    assert first_characters("said|told", also="A-Z") == "(?=[stA-Z])"
    with pytest.raises(ValueError, match="starts with"):
        first_characters(r"said|\s+told")
    with pytest.raises(ValueError, match="starts with"):
        first_characters(r"said|s?he")
    assert with_first_characters(r"\b(?:has|(?:re)?take)\s+") == r"\b(?:has|(?:re)?take)\s+"
    assert with_first_characters(r"\b(?:re)?(?:took)") == r"\b(?:re)?(?:took)"
    assert with_first_characters(r"\b(?:has|took)\s+(?:a|b)") == r"\b(?=[ht])(?:has|took)\s+(?:a|b)"


def test_second_words_are_in_every_sentence_the_gated_patterns_match() -> None:
    from services.enricher._actor_patterns import PATTERNS, SECOND_WORDS
    from services.enricher._scan import TRIGGERS, normalise

    texts = _mixed_case_sentences()
    for name, consumer in SECOND_WORDS.items():
        pattern: re.Pattern[str] = getattr(PATTERNS, name)
        texts += _vocabulary_texts(pattern.pattern, 2000, 5)
        matched = 0
        for text in texts:
            if pattern.search(text):
                matched += 1
                assert consumer in TRIGGERS.active(normalise(text)), (name, text)
        assert matched >= 10, name


def test_abbreviation_check_searches_only_the_last_word() -> None:
    from services.enricher import sentences

    texts = [*_random_texts(1500, 40, 7), "He met Gen.", "the U.S", "Mr", "e.g", "’s U.N.", "x’-.A", "a.b\n", "\n"]
    for text in texts:
        match = sentences._WORD_BEFORE.search(text)
        reference = match is not None and (
            match.group(1).rstrip(".").lower() in sentences.ABBREVIATIONS
            or len(match.group(1).rstrip(".")) == 1
            or "." in match.group(1).rstrip(".")
        )
        assert sentences._is_abbreviation(text) == reference, text


def test_cover_answers_like_the_scan_of_every_span() -> None:
    from services.enricher._spans import Cover

    rng = random.Random(11)
    for _ in range(300):
        spans = [
            (start, start + rng.randint(0, 30)) for start in (rng.randint(0, 100) for _ in range(rng.randint(0, 8)))
        ]
        cover = Cover(spans)
        for _ in range(30):
            start = rng.randint(0, 120)
            end = start + rng.randint(0, 20)
            assert cover.covers(start, end) == any(s <= start and end <= e for s, e in spans), (spans, start, end)
