"""The people pass of the actor finder: named people with their role and side.

A person's side comes from their role phrase ("spokesman for the Khortytsia grouping"), else from what the article
named before them ("Israeli jets ... the army's spokesman, X", "Their spokesman, X"), else from the country of the
nearest place for local offices and units at the front.
"""

from __future__ import annotations

import re
from functools import lru_cache

from services.enricher._actor_article import ArticleActors, canonical, code_of, name_key
from services.enricher._actor_patterns import (
    ARMY_ROLE,
    LOCAL_WORDS,
    ORGANISATION_WORDS,
    OWNER_PRONOUN,
    OWNER_PRONOUN_BEFORE,
    PATTERNS,
    UNIT_OWNER,
)
from services.enricher._lexicon import GROUPINGS, MEDIA, ORGANISATIONS


def find_people(article: ArticleActors) -> None:
    """People with a role phrase after or before their name ("X, spokesman for Y", "Y spokesman X") and people
    introduced as speakers ("X said")."""
    text, place_country_at = article.text, article.place_country_at
    for match in article.matches("appositive", PATTERNS.appositive):
        name, role = match.group("name"), match.group("role")
        if not _plausible_person(name):
            continue
        side = _side_of_phrase(role, match.start("role"), place_country_at)
        if side is None and ARMY_ROLE.match(role):
            side = _last_military_side(text, match.start())  # "X, the army-aligned governor"
        if side is None and OWNER_PRONOUN.match(role):
            side = _last_institution_side(text, match.start())  # "X, its spokesman,"
        actor = article.person(name, side=side, role=_role_noun(role))
        article.add(actor, match.start(), match.end("role"), name)
    for match in article.matches("first_name_appositive", PATTERNS.first_name_appositive):
        name, role = match.group("name"), match.group("role")
        side = _side_of_phrase(role, match.start("role"), place_country_at)
        if side is None and UNIT_OWNER.search(text, match.start("role"), match.end("role") + 40):
            side = article.nearest_place_country(match.start())  # "a major and deputy battalion commander"
        actor = article.person(name, side=side, role=_role_noun(role))
        article.add(actor, match.start("name"), match.end("role"), name)
    for match in article.matches("named_speaker", PATTERNS.named_speaker):
        # "Yevgeny Prigozhin said ...": a person without a role phrase (side unknown), so that later mentions
        # ("Prigozhin's claim", "he") find them
        name, start = match.group("name"), match.start("name")
        if not _plausible_person(name) and name.count(" ") == 2:  # "Monday Oleh Kiper said": the last two
            start += name.index(" ") + 1
            name = name[name.index(" ") + 1 :]
        if start in place_country_at:
            continue  # "in Nova Kakhovka said": a place
        if _plausible_person(name) and name_key(name.split()[-1]) not in article.person_keys:
            side, role = _described_before(article, start)
            article.add(article.person(name, side=side, role=role), start, match.end("name"), name)
    for match in article.anchored("prefixed", PATTERNS.role_noun, PATTERNS.prefixed, 0, 120):
        name = match.group("name")
        if not _plausible_person(name):
            continue
        lead = PATTERNS.role_lead.search(text, max(0, match.start() - 60), match.start())
        role_start = lead.start() if lead else match.start()
        role = text[role_start : match.start("name")].rstrip(", ")
        side = _side_of_phrase(role, role_start, place_country_at)
        if side is None and "blogger" in role.lower():
            side = _recent_group_side(text, match.start(), "blogger")
        if side is None and (_role_noun(role) or "") in {"gov.", "governor", "mayor", "head"}:
            side = article.nearest_place_country(match.start())  # a local office: the country of its place
        if side is None and (
            PATTERNS.army_owner.search(text, max(0, role_start - 30), role_start) or ARMY_ROLE.match(role)
        ):
            # "the army's spokesman, X": the armed forces named last, else the state named last
            side = _last_military_side(text, role_start) or _last_state_in_text(text, role_start)
        if side is None and (
            OWNER_PRONOUN.match(role) or OWNER_PRONOUN_BEFORE.search(text, max(0, role_start - 7), role_start)
        ):
            side = _last_institution_side(text, role_start)  # "Their spokesman, X," after the institution
        if side is None and UNIT_OWNER.search(text, max(0, role_start - 40), match.start("name")):
            # "the corps' spokesperson, X", "a brigade commander, X": a unit that speaks to the press from the
            # front, on the side of the country it is in
            side = article.nearest_place_country(match.start())
        actor = article.person(name, side=side, role=_role_noun(role))
        article.add(actor, match.start("name"), match.end("name"), name)


def _side_of_phrase(phrase: str, start: int, place_country_at: dict[int, str]) -> str | None:
    """The side of a free-text role phrase."""
    lowered = phrase.lower()
    named = PATTERNS.side_word.search(lowered)
    if named:
        return PATTERNS.side_of_word[named.group(0)]
    for grouping, grouping_side in GROUPINGS.items():
        if grouping.lower() in lowered and grouping_side:
            return grouping_side
    if PATTERNS.ukrainian_formation.search(phrase):  # "a spokesman for the Dnipro operational-strategic group"
        return "UA"
    for organisation, known in ORGANISATIONS.items():  # "Wagner chief", "Hezbollah official"
        if known.side and organisation in phrase:
            return known.side
    for offset, country in place_country_at.items():
        if start <= offset < start + len(phrase):
            return country
    return None


def _described_before(article: ArticleActors, position: int) -> tuple[str | None, str | None]:
    """Side and role of "The head of Russia's Wagner private army claimed ..." just before a person named
    without a role ("... Yevgeny Prigozhin said"): wire copy describes a speaker first and names them after."""
    found = None
    for match in PATTERNS.description.finditer(article.text, max(0, position - 400), position):
        found = match
    if found is None:
        return None, None
    side = _side_of_phrase(found.group("org"), found.start("org"), article.place_country_at)
    if side is None and set(found.group("org").lower().split()) & LOCAL_WORDS:
        side = article.nearest_place_country(found.start())  # "the head of the regional military administration"
    return side, found.group("role").lower()


def _last_military_side(text: str, position: int) -> str | None:
    """The side of the armed forces named last before ``position`` ("Israeli jets ... the army's spokesman")."""
    found = None
    for match in PATTERNS.ministry.finditer(text, 0, position):
        what = (match.group("what") or "").lower()
        if what and not match.group("other") and "ministry" not in what and "chief" not in what:
            found = code_of(match.group("country"), match.group("demonym") or match.group("demonym2"))
    return found


def _last_state_in_text(text: str, position: int) -> str | None:
    """The state named last in the 1,500 characters before ``position`` (read off the text: the people pass
    runs before the state mentions are collected)."""
    found = None
    for match in PATTERNS.state.finditer(text, max(0, position - 1500), position):
        surface = match.group("name").lower()
        found = PATTERNS.country_side.get(surface) or PATTERNS.metonym_side.get(surface) or found
    return found


def _last_institution_side(text: str, position: int) -> str | None:
    """The side of the institution (armed forces, ministry, armed group) named last in the 600 characters
    before ``position``: "its"/"their" in a role phrase ("Their spokesman, X") is that institution's."""
    start = max(0, position - 600)
    found: tuple[int, str] | None = None
    # quoted speech is not where the owner is named: '"No Russian soldiers are there," their spokesman said'
    for match in PATTERNS.ministry.finditer(text, start, position):
        code = code_of(
            match.group("country") or match.group("country2"), match.group("demonym") or match.group("demonym2")
        )
        if code is not None and not _inside_quote(text, match.start()):
            found = (match.start(), code)
    for match in PATTERNS.organisation.finditer(text, start, position):
        known = ORGANISATIONS[canonical(match.group("name"), ORGANISATIONS)]
        if known.side is None or _inside_quote(text, match.start()):
            continue
        if found is None or match.start() > found[0]:
            found = (match.start(), known.side)
    return found[1] if found else None


def _recent_group_side(text: str, position: int, role: str) -> str | None:
    window = text[max(0, position - 1500) : position]
    found = None
    for match in _group_pattern(role).finditer(window):
        found = PATTERNS.demonym_side.get(match.group(1).lower())
    return found


@lru_cache(maxsize=64)
def _group_pattern(role: str) -> re.Pattern[str]:
    """A demonym, maybe a word, then the role ("Russian military bloggers"); compiled once per role."""
    return re.compile(rf"\b({PATTERNS.owner_demonyms})\s+(?:\w+\s+)?{role}s?\b", re.IGNORECASE)


def _inside_quote(text: str, position: int) -> bool:
    """Whether ``position`` is inside a quotation opened earlier in its paragraph."""
    line = text[text.rfind("\n", 0, position) + 1 : position]
    return line.count('"') % 2 == 1 or line.rfind("“") > line.rfind("”")


def _role_noun(phrase: str) -> str | None:
    """The first role word of a phrase, the longest where several start there ("defense minister")."""
    match = PATTERNS.role_noun.search(phrase.lower())
    return re.sub(r"\s+", " ", match.group(0)) if match else None


def _plausible_person(name: str) -> bool:
    words = name.split()
    if len(words) < 2:
        return False
    lowered = {w.lower() for w in words}
    if any(word in ORGANISATION_WORDS for word in lowered) or name in MEDIA or name in ORGANISATIONS:
        return False
    banned = {
        "the",
        "despite",
        "according",
        "speaking",
        "in",
        "on",
        "after",
        "president",
        "minister",
        "ministry",
        "defense",
        "defence",
        "forces",
        "military",
        "state",
        "media",
        "times",
        "news",
        "general",
        "staff",
        "command",
        "region",
        "oblast",
        "city",
        "town",
        "grouping",
        "institute",
        "white",
        "house",
    }
    if lowered & banned:
        return False
    return not any(
        w.lower() in PATTERNS.country_side or w.lower() in PATTERNS.demonym_side or w.lower() in PATTERNS.metonym_side
        for w in words
    )
