"""Sentences, time expressions, story signatures: the small pieces the claims rest on."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from newsmon.story import COPY_THRESHOLD, signature, similarity
from services.enricher.sentences import split_sentences
from services.enricher.timeexpr import find_times, is_background

SEEDS = Path(__file__).resolve().parents[3].parent / "shared" / "seeds"


TUESDAY = datetime(2025, 1, 7, 12, tzinfo=UTC)


def test_sentences_keep_offsets_and_survive_abbreviations() -> None:
    text = (
        "MOSCOW: U.S. President-elect Donald Trump spoke on Jan. 6 with Mr. Putin. He said nothing.\n"
        "Closing In on Pokrovsk\n"
        "Russian forces have been advancing for months.On the evening of Jan. 6, the ministry spoke."
    )

    sentences = split_sentences(text)

    assert [s.text for s in sentences] == [
        "MOSCOW: U.S. President-elect Donald Trump spoke on Jan. 6 with Mr. Putin.",
        "He said nothing.",
        "Closing In on Pokrovsk",
        "Russian forces have been advancing for months.",
        "On the evening of Jan. 6, the ministry spoke.",
    ]
    assert all(text[s.start : s.end] == s.text for s in sentences)
    assert [s.heading for s in sentences] == [False, False, True, False, False]


def test_sentences_skip_lines_without_words() -> None:
    assert [s.text for s in split_sentences("+\n  • \n\nAdvertisement\n")] == ["Advertisement"]


@pytest.mark.parametrize(
    ("phrase", "day", "background"),
    [
        ("captured on Monday", date(2025, 1, 6), False),
        ("fighting continued on Tuesday morning", date(2025, 1, 7), False),
        ("On the evening of Jan. 6", date(2025, 1, 6), False),
        ("yesterday", date(2025, 1, 6), False),
        ("over the weekend", date(2025, 1, 4), False),
        ("which fell in May 2023", date(2023, 5, 1), True),
        ("In 2022, Russia invaded", date(2022, 1, 1), True),
        ("last summer's surprise attack", date(2024, 7, 1), True),
        ("will return on Jan. 20", date(2025, 1, 20), False),
    ],
)
def test_time_expressions_resolve_against_publication(phrase: str, day: date, background: bool) -> None:
    [found] = find_times(phrase, TUESDAY)

    assert found.when is not None
    assert found.when.date() == day
    assert is_background(found, TUESDAY) is background


def test_story_signatures_tell_a_rewrite_from_an_independent_report() -> None:
    texts = {path.name[:3]: path.read_text(encoding="utf-8") for path in SEEDS.glob("*.txt")}
    signatures = {name: signature(text) for name, text in texts.items()}

    rewrite = similarity(signatures["000"], signatures["002"])
    independent = [
        similarity(signatures[a], signatures[b])
        for a, b in [("001", "002"), ("000", "001"), ("003", "004"), ("002", "004"), ("001", "004")]
    ]

    assert rewrite >= COPY_THRESHOLD + 0.05
    assert max(independent) <= COPY_THRESHOLD - 0.04
    assert similarity(signatures["002"], signatures["002"]) == pytest.approx(1.0)
    assert similarity(signatures["000"], signatures["002"]) == similarity(signatures["002"], signatures["000"])
