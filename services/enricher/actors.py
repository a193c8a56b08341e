"""Actors: states and their forces, ministries, groupings, media, officials and spokespeople, with their side.

Three sources, in order of trust:
1. a small table of well-known states, institutions, outlets and leaders (general knowledge, see ``_lexicon``);
2. generic patterns: "<Name>, spokesman for <org>", "<role> <Name>", "Russian forces", "Ukraine's Defense Ministry",
   "the Khortytsia grouping";
3. later mentions of a person by surname only ("Trehubov", "Tregubov", "Mr. Putin").

Name variants of one person meet under a transliteration-insensitive key (``name_key``), so Trehubov and Tregubov,
Zelensky and Zelenskyy, Dmitri and Dmitry are one actor.

The passes run in this order over one ``ArticleActors`` (``_actor_article``): people (``_actor_people``), institutions
(``_actor_institutions``), then, here, the bare "army", organisations named again, surnames and pronouns.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Sequence

from services.enricher._actor_article import (
    ActorIndex,
    ActorMention,
    ArticleActors,
    make_actor,
    name_key,
    state_actor,
)
from services.enricher._actor_institutions import find_institutions
from services.enricher._actor_patterns import PATTERNS, SURNAME
from services.enricher._actor_people import find_people
from services.enricher._lexicon import KNOWN_PEOPLE, STATES
from services.enricher._scan import TRIGGERS, normalise

__all__ = ["ActorFinder", "ActorIndex", "ActorMention", "active_spans", "find_actors", "name_key"]


class ActorFinder:
    """Finds actors in one article. Create one per article; it keeps the article's people by name key."""

    def __init__(
        self,
        text: str,
        place_country_at: dict[int, str] | None = None,
        spans: Sequence[tuple[int, int, set[str]]] | None = None,
    ) -> None:
        self._article = ArticleActors(text, place_country_at, spans if spans is not None else active_spans(text))

    def find(self) -> ActorIndex:
        article = self._article
        find_people(article)
        find_institutions(article)
        _home_army(article)
        _named_again(article)
        _surnames(article)
        _pronouns(article)
        index = article.index
        index.mentions = _without_overlaps(index.mentions)
        index._starts = [m.start for m in index.mentions]
        used = {m.actor_id for m in index.mentions}
        # a role swallowed by a person's appositive ("a Ukrainian military spokesman") is that person, not another
        # actor; an institution named inside it ("Ukraine's Khortytsia grouping") stays an actor
        index.actors = {key: actor for key, actor in index.actors.items() if key in used or actor.kind != "person"}
        return index


def _home_army(article: ArticleActors) -> None:
    """ "army says its troops still hold the town", "The army denied it" before any state's armed forces are
    named: the armed forces of the state the story last named, else of the country it is in (after armed forces
    are named, "the army" refers back to them, see ``_pronouns``)."""
    text = article.text
    for match in PATTERNS.bare_army.finditer(text):
        before = text[max(0, match.start() - 25) : match.start()].rstrip()
        if before and before[-1] not in '.;:,!?—–-"“”':
            continue  # only a subject of its own: not "Sudanese army", "Russia's army", "Wagner's private army"
        if any(
            m.start < match.start() and m.actor_id.endswith(".military") for m in article.index.mentions if m.actor_id
        ):
            continue
        # the state the story last named ("Israel ordered … The military said"), else where it happens
        code = article.last_side_before(match.start(), ("state",)) or article.nearest_place_country(match.start())
        if code is None or code not in STATES:
            continue
        actor = state_actor(code, kind="military", suffix="military")
        article.add(actor, match.start(), match.end(), match.group(0))


def _named_again(article: ArticleActors) -> None:
    text = article.text
    for name, actor in article.later_names.items():
        for match in re.finditer(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text):
            article.add(actor, match.start(), match.end(), name)


def _surnames(article: ArticleActors) -> None:
    text = article.text
    keys = dict(article.person_keys)
    for known in KNOWN_PEOPLE.values():
        keys.setdefault(known.key, known.id)
    for match in SURNAME.finditer(text):
        actor_id = keys.get(name_key(match.group(1)))
        if actor_id is None:
            continue
        if actor_id not in article.index.actors:
            known_person = KNOWN_PEOPLE.get(name_key(match.group(1)))
            if known_person is None:
                continue
            article.add(
                make_actor(
                    id=known_person.id,
                    name=known_person.name,
                    kind="person",
                    side=known_person.side,
                    role=known_person.role,
                ),
                match.start(),
                match.end(),
                match.group(0),
            )
        else:
            article.add(article.index.actors[actor_id], match.start(), match.end(), match.group(1))


def _pronouns(article: ArticleActors) -> None:
    for match in article.matches("institution_reference", PATTERNS.institution_reference):
        article.index.mentions.append(
            ActorMention("", match.start(), match.end(), match.group(0), pronoun="organisation")
        )
    for match in article.matches("pronoun", PATTERNS.pronoun):
        word = match.group("p").lower()
        pronoun = (
            "person"
            if word in {"he", "she"} or any(r in word for r in ("blogger", "spokes", "president", "official"))
            else "group"
            if word == "they"
            else "organisation"
        )
        article.index.mentions.append(ActorMention("", match.start(), match.end(), match.group("p"), pronoun=pronoun))


def _without_overlaps(mentions: Sequence[ActorMention]) -> list[ActorMention]:
    """Keep the longest mention where mentions overlap (a person's appositive swallows 'Ukrainian military')."""
    ordered = sorted(mentions, key=lambda m: (-(m.end - m.start), m.start))
    taken: list[tuple[int, int]] = []  # sorted, disjoint spans already kept
    kept: list[ActorMention] = []
    for mention in ordered:
        index = bisect_left(taken, (mention.start, mention.start))
        left_free = index == 0 or taken[index - 1][1] <= mention.start
        right_free = index == len(taken) or taken[index][0] >= mention.end
        if left_free and right_free:
            taken.insert(index, (mention.start, mention.end))
            kept.append(mention)
    return sorted(kept, key=lambda m: m.start)


def active_spans(text: str) -> list[tuple[int, int, set[str]]]:
    """Sentence spans of ``text`` with the pattern consumers their words can interest."""
    from services.enricher.sentences import split_sentences

    normalised = normalise(text)
    return [(s.start, s.end, TRIGGERS.active(normalised[s.start : s.end])) for s in split_sentences(text)]


def find_actors(
    text: str,
    place_country_at: dict[int, str] | None = None,
    spans: Sequence[tuple[int, int, set[str]]] | None = None,
) -> ActorIndex:
    """Actors of one article and every place they are mentioned."""
    return ActorFinder(text, place_country_at, spans).find()
