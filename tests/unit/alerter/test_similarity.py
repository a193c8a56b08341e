"""The alerter's similarity is ``newsmon.story.similarity``, only faster: the same float for every pair."""

from __future__ import annotations

import random

import pytest

from newsmon.contracts import StorySignature
from newsmon.story import signature, sketch
from newsmon.story import similarity as shared_similarity
from services.alerter import similarity as fast


def _signatures() -> list[StorySignature]:
    rnd = random.Random(7)
    vocabulary = [f"word{n}" for n in range(3000)]
    # bottom-k sketches of overlapping sets: small (whole set kept), exactly the sketch size, and larger
    drawn = [
        StorySignature(minhash=sketch(rnd.sample(vocabulary, size)), shingle_size=2)
        for size in (3, 40, 300, 512, 513, 700, 1500, 2900)
        for _ in range(4)
    ]
    # not what ``sketch`` makes: unsorted values with repeats; the shared function accepts them, so must this
    odd = [
        StorySignature(minhash=tuple(rnd.choices(range(5000), k=rnd.randint(1, 600))), shingle_size=2) for _ in range(6)
    ]
    texts = [
        "Russian forces captured Kurakhove, the defense ministry said on Monday after weeks of fighting.",
        "The defense ministry said Russian forces captured Kurakhove on Monday after weeks of heavy fighting.",
        "Ukrainian troops still hold positions in the town, a military spokesman said.",
    ]
    return [*drawn, *odd, *(signature(text) for text in texts), StorySignature(minhash=(), shingle_size=2)]


def test_every_pair_scores_exactly_as_the_shared_function() -> None:
    signatures = _signatures()
    for a in signatures:
        for b in signatures:
            assert fast.similarity(a, b) == shared_similarity(a, b)


def test_the_cache_of_prepared_signatures_stays_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    signatures = [s for s in _signatures() if s.minhash][:10]
    expected = [shared_similarity(signatures[0], other) for other in signatures]
    monkeypatch.setattr(fast, "CACHE_SIZE", 3)
    assert [fast.similarity(signatures[0], other) for other in signatures] == expected
    assert len(fast._prepared) <= 3
