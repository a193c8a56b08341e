"""The story signature's wire form: packed, compact, and still readable from the older list of integers."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from newsmon.contracts import StorySignature
from newsmon.story import SKETCH_SIZE, signature

TEXT = (
    "Russia's defence ministry said its forces had captured the town after weeks of fighting, while Ukraine's "
    "military said clashes continued on the outskirts and that the garrison still held the central districts. "
) * 20


def test_the_signature_travels_as_base64_and_reads_back_equal() -> None:
    story = signature(TEXT)
    document = json.loads(story.model_dump_json())

    assert isinstance(document["minhash"], str)
    assert len(document["minhash"]) <= (4 * SKETCH_SIZE * 4 + 2) // 3 + 4
    assert StorySignature.model_validate_json(story.model_dump_json()) == story
    assert list(story.minhash) == sorted(story.minhash)
    assert all(0 <= value < 1 << 32 for value in story.minhash)


def test_a_list_of_integers_is_still_read() -> None:
    assert StorySignature.model_validate({"minhash": [3, 1, 2]}).minhash == (3, 1, 2)
    legacy = StorySignature.model_validate({"minhash": [5 << 31, (7 << 31) + 12345]})
    assert legacy.minhash == (5, 7)


@pytest.mark.parametrize("bad", ["not base64!", "AAA=", [-1], [1 << 64 << 64 << 64]])
def test_a_broken_signature_is_a_validation_error(bad: object) -> None:
    with pytest.raises(ValidationError):
        StorySignature.model_validate({"minhash": bad})
