"""Actors: sides, roles, metonyms, and one actor per person whatever the spelling."""

from __future__ import annotations

import pytest

from services.enricher.actors import find_actors, name_key


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Trehubov", "Tregubov"),
        ("Zelensky", "Zelenskyy"),
        ("Dmitri", "Dmitry"),
        ("Kharkiv", "Harkiv"),
        ("Syrskyi", "Syrsky"),
    ],
)
def test_transliteration_variants_share_a_key(first: str, second: str) -> None:
    assert name_key(first) == name_key(second)


def test_a_spokesman_and_his_later_spellings_are_one_actor_of_his_side() -> None:
    text = (
        "Viktor Trehubov, spokesman for Ukraine's Khortytsia grouping, said fighting continues. "
        "Later, Tregubov told CNN the town held. Trehubov added nothing."
    )

    index = find_actors(text)

    people = [a for a in index.actors.values() if a.kind == "person"]
    assert len(people) == 1
    [trehubov] = people
    assert (trehubov.side, trehubov.role) == ("UA", "spokesman")
    assert {"Viktor Trehubov", "Tregubov", "Trehubov"} <= set(trehubov.surface_forms)
    assert index.actors["grouping:khortytsia"].side == "UA"


@pytest.mark.parametrize(
    ("text", "actor_id", "side"),
    [
        ("Russia's Defense Ministry said on Monday", "ru.mod", "RU"),
        ("the Russian Ministry of Defence announced", "ru.mod", "RU"),
        ("The Kremlin said the talks were over.", "ru.kremlin", "RU"),
        ("Kyiv has yet to respond.", "ua.state", "UA"),
        ("Washington has pledged more aid.", "us.state", "US"),
        ("Russian state media reported the claim.", "ru.state_media", "RU"),
        ("TASS reported the claim.", "media:tass", "RU"),
        ("Ukrainian military bloggers disagreed.", "ua.bloggers", "UA"),
        ("Kremlin spokesman Dmitry Peskov said", "person:dmitri-peskov", "RU"),
        ("Zelenskyy said in his nightly address", "person:volodymyr-zelensky", "UA"),
        ("U.S. President Donald Trump said", "person:donald-trump", "US"),
        ("a Ukrainian military spokesman said", "ua.spokesman", "UA"),
    ],
)
def test_institutions_leaders_and_media_get_their_side(text: str, actor_id: str, side: str) -> None:
    index = find_actors(text)

    assert index.actors[actor_id].side == side


def test_a_blogger_takes_the_side_of_the_bloggers_named_before() -> None:
    text = "Ukrainian military bloggers were divided. One blogger, Yuriy Butusov, wrote that the town was lost."

    index = find_actors(text)

    [butusov] = [a for a in index.actors.values() if a.kind == "person"]
    assert (butusov.name, butusov.side, butusov.role) == ("Yuriy Butusov", "UA", "blogger")
