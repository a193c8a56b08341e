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


@pytest.mark.parametrize(
    ("text", "actor_id", "side"),
    [
        # institutions of states other than Russia and Ukraine
        ("Syria's interior ministry said the convoy was hit.", "sy.interior-ministry", "SY"),
        ("Jordanian police said two people were hurt.", "jo.police", "JO"),
        ("The Sudanese army said it had retaken the bridge.", "sd.military", "SD"),
        ("Iran's Revolutionary Guards said the drones were theirs.", "ir.irgc", "IR"),
        ("Hamas said the talks had stalled.", "org:hamas", "PS"),
        # demonym + force or event noun: the side's armed forces
        ("Iraqi helicopters flew over the border.", "iq.military", "IQ"),
        ("Turkish airstrikes hit the hills overnight.", "tr.military", "TR"),
        # "<state>-installed", "<state>-backed": that state's side
        ("Moscow-appointed officials announced a curfew.", "ru.official", "RU"),
        ("Iran-backed fighters fired rockets.", "ir.military", "IR"),
        # occupation authorities: the opponent of the place's country (place offsets given below)
        # the North group of forces is Russian; a bare "North" is no grouping
        ("Troops of the West group of forces advanced, North Korean media said.", "grouping:west", "RU"),
    ],
)
def test_other_states_institutions_and_compounds_get_their_side(text: str, actor_id: str, side: str) -> None:
    index = find_actors(text)

    assert index.actors[actor_id].side == side


def test_a_bare_direction_is_no_grouping() -> None:
    index = find_actors("North Korean troops arrived after the West group of forces advanced.")

    assert "grouping:north" not in index.actors
    assert index.actors["kp.military"].side == "KP"


def test_an_event_noun_leaves_the_owner_as_the_agent_mention() -> None:
    text = "The ministry reported Turkish attacks near the border."

    index = find_actors(text)

    [mention] = [m for m in index.mentions if m.actor_id == "tr.military"]
    assert mention.surface == "Turkish"


def test_a_role_before_the_name_between_commas_is_that_persons_role() -> None:
    text = "Two people were hurt, the head of the Syrian civil defence, Ahmad Haddad, said."

    index = find_actors(text)

    [person] = [a for a in index.actors.values() if a.kind == "person"]
    assert (person.name, person.side, person.role) == ("Ahmad Haddad", "SY", "head")


def test_the_armys_spokesman_takes_the_side_of_the_forces_named_before() -> None:
    text = "Egyptian jets patrolled the coast after the army's spokesman, Omar Fathy, warned fishermen to stay ashore."

    index = find_actors(text)

    assert index.actors["person:omar-fathi"].side == "EG"


def test_a_local_office_takes_the_country_of_the_nearest_place() -> None:
    text = "Shelling hit Vuhledar, the district military administration announced."

    index = find_actors(text, place_country_at={text.index("Vuhledar"): "UA"})

    assert index.actors["ua.administration"].kind == "organisation"


def test_occupation_authorities_belong_to_the_opponent_of_the_places_country() -> None:
    text = "Occupation authorities in Melitopol said the water supply was cut."

    index = find_actors(text, place_country_at={text.index("Melitopol"): "UA"})

    assert index.actors["ru.authorities"].side == "RU"


def test_a_person_named_without_a_role_is_registered_but_not_a_place_or_an_outlet() -> None:
    text = (
        "On Friday Marta Kowalczyk said the bridge was down. The Associated Press said it could not confirm it. "
        "Officials in Nova Kakhovka said the dam held. Kowalczyk later retracted."
    )

    index = find_actors(text, place_country_at={text.index("Nova Kakhovka"): "UA"})

    people = {a.name for a in index.actors.values() if a.kind == "person" and a.id.startswith("person:")}
    assert people == {"Marta Kowalczyk"}
    assert index.actors["media:ap"].kind == "outlet"
    assert [m.surface for m in index.mentions if m.actor_id == "person:marta-kovalczik"] == [
        "Marta Kowalczyk",
        "Kowalczyk",
    ]


def test_a_known_armed_group_in_a_role_phrase_gives_the_side() -> None:
    index = find_actors("Hezbollah official Ali Fayyad said the strikes would not stop them.")

    assert index.actors["person:ali-faiad"].side == "LB"


@pytest.mark.parametrize(
    "text",
    [
        "Russian drones hit Kharkiv overnight; families told to leave the city.",  # a reduced passive
        "Russian drones warned of nothing.",  # weapons say nothing
    ],
)
def test_no_speaker_for_a_reduced_passive_or_a_weapon(text: str) -> None:
    from services.enricher.attribution import SpeakerTracker, speech_events
    from services.enricher.sentences import split_sentences

    index = find_actors(text)
    [sentence] = split_sentences(text)

    assert speech_events(sentence, text, index, SpeakerTracker(index)) == []


@pytest.mark.parametrize(
    ("text", "actor_id", "side"),
    [
        # an armed group that fights its own state is a side of its own
        ("The Rapid Support Forces said they held the bridge.", "org:rsf", "RSF"),
        # milbloggers are bloggers
        ("Several Ukrainian milbloggers disputed the account.", "ua.bloggers", "UA"),
        # an organisation introduced by a demonym and what it is; a later bare name is the same actor
        ("The Russian monitoring project Kartograf said so. Kartograf added more.", "org:kartograf", "RU"),
        ("the Ukrainian news agency Dzerkalo reported", "org:dzerkalo", "UA"),
        # an unnamed source of an outlet that has a side
        ("Troops moved north, a source close to the command told TASS.", "ru.source", "RU"),
        # a battalion or brigade commander is a commander of the demonym's side
        ("A Russian battalion commander said the line held.", "ru.commander", "RU"),
    ],
)
def test_groups_sources_and_unit_roles_get_their_side(text: str, actor_id: str, side: str) -> None:
    index = find_actors(text)

    assert index.actors[actor_id].side == side


@pytest.mark.parametrize(
    ("text", "surname", "side"),
    [
        ("Ukrainian military expert Petro Chernyk said the town held.", "Chernyk", "UA"),
        ('The Russian occupation "mayor" Ivan Sidorov wrote that the road was open.', "Sidorov", "RU"),
        ("Sudan's army said it held the airport. Army spokesman Brig. Gen. Omar Khalid said so.", "Khalid", "SD"),
        ("Sudan's army advanced. Ali Hassan, the army-aligned governor of the state, said so.", "Hassan", "SD"),
    ],
)
def test_a_role_with_lower_case_words_quotes_or_the_army_gives_the_side(text: str, surname: str, side: str) -> None:
    index = find_actors(text)

    [person] = [a for a in index.actors.values() if a.kind == "person" and a.name.endswith(surname)]
    assert person.side == side


def test_a_defence_ministry_named_without_its_state_is_that_of_the_side_named_before() -> None:
    index = find_actors("Russian troops advanced, the Defence Ministry said. Russia's Defence Ministry added more.")

    assert index.actors["ru.mod"].side == "RU"
    assert "org:mod" not in index.actors  # inside "Russia's Defence Ministry" it is no second actor


# -- reported speech over sentences and in headlines (services/enricher/attribution.py) ------------------------------


def _speakers_by_sentence(text: str) -> dict[int, list[tuple[str, str | None, str]]]:
    from services.enricher.attribution import SpeakerTracker, continue_quotes, speech_events
    from services.enricher.sentences import split_sentences

    sentences = split_sentences(text)
    index = find_actors(text)
    tracker = SpeakerTracker(index)
    events = {s.index: speech_events(s, text, index, tracker) for s in sentences}
    continue_quotes(sentences, events)
    return {i: [(e.speaker.name, e.speaker.side, e.scope) for e in found] for i, found in events.items()}


def test_a_quotation_that_goes_on_after_its_attribution_stays_the_speakers() -> None:
    text = (
        'Ukraine\'s Eastern Defence Forces rejected the claim. "Our soldiers hold the station," their spokesman, '
        'Petro Hnatenko, said. "Nobody is hiding the difficulties. But the town is ours."\n'
        "Russian forces shelled the outskirts."
    )

    speakers = _speakers_by_sentence(text)

    assert speakers[1] == [("Petro Hnatenko", "UA", "backward")]
    assert speakers[2] == speakers[3] == [("Petro Hnatenko", "UA", "whole")]
    assert speakers[4] == []  # a new paragraph, no quotation: the outlet's


def test_a_quotation_opened_before_its_attribution_takes_the_speaker_after_it() -> None:
    text = '"The report is false. Our units hold Kupiansk," a Ukrainian military spokesman said.'

    speakers = _speakers_by_sentence(text)

    assert speakers[0] == [("a Ukrainian military spokesman", "UA", "whole")]


@pytest.mark.parametrize(
    ("headline", "speaker"),
    [
        ("Russian troops take Kurakhove - Defence Ministry\nRussia's Defence Ministry said on Monday ...", "RU"),
        ("Syrskyi: fighting goes on in Pokrovsk\nUkraine's commander-in-chief Oleksandr Syrskyi said ...", "UA"),
    ],
)
def test_a_headline_names_its_source_without_a_verb(headline: str, speaker: str) -> None:
    speakers = _speakers_by_sentence(headline)

    assert [(side, scope) for _, side, scope in speakers[0]] == [(speaker, "whole")]


def test_a_state_before_a_headline_colon_is_a_location_not_a_source() -> None:
    assert _speakers_by_sentence("Ukraine: drones hit Sumy overnight\nTwo people were hurt.")[0] == []
