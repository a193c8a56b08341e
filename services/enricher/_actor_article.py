"""What the actor passes share: one article's text and the actors found in it so far.

``ArticleActors`` holds the article (its text, sentence spans and the countries of its places) and the index the passes
of ``actors.ActorFinder`` fill in; it registers mentions and reads off the sides named near a position. The helpers
below it build the actors themselves.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from newsmon.contracts import Actor
from newsmon.contracts.places import ActorKind
from services.enricher._actor_patterns import PATTERNS, SECOND_WORDS
from services.enricher._lexicon import KNOWN_PEOPLE, STATES, StateEntry
from services.enricher._scan import caseless_lowered


@dataclass(frozen=True, slots=True)
class ActorMention:
    actor_id: str
    start: int
    end: int
    surface: str
    pronoun: str | None = None
    """'person' for he/she, 'organisation' for it / the ministry, 'group' for they: resolved against earlier
    speakers."""


@dataclass(slots=True)
class ActorIndex:
    actors: dict[str, Actor] = field(default_factory=dict)
    mentions: list[ActorMention] = field(default_factory=list)
    _starts: list[int] = field(default_factory=list)

    def side(self, actor_id: str) -> str | None:
        actor = self.actors.get(actor_id)
        return actor.side if actor else None

    def in_span(self, start: int, end: int) -> list[ActorMention]:
        """Mentions inside ``[start, end)``; ``mentions`` is sorted by start once the finder is done."""
        if len(self._starts) != len(self.mentions):
            self._starts = [m.start for m in self.mentions]
        found = []
        for mention in self.mentions[bisect_left(self._starts, start) :]:
            if mention.start >= end:
                break
            if mention.end <= end:
                found.append(mention)
        return found


@lru_cache(maxsize=65536)
def name_key(name: str) -> str:
    """Transliteration-insensitive key: Trehubov == Tregubov, Zelenskyy == Zelensky, Dmitri == Dmitry."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii").lower()
    text = re.sub(r"[^a-z]", "", text)
    for old, new in (("shch", "sh"), ("kh", "h"), ("zh", "z"), ("ts", "c"), ("tz", "c"), ("g", "h")):
        text = text.replace(old, new)
    text = text.replace("j", "i").replace("y", "i").replace("w", "v").replace("ck", "k")
    text = re.sub(r"(.)\1+", r"\1", text)  # doubled letters: Zelenskii -> Zelenski
    return re.sub(r"(?<=.)i?e(?=v$)", "e", text)


class ArticleActors:
    """One article and the actors found in it so far. Create one per article; it keeps the article's people by
    name key."""

    def __init__(
        self,
        text: str,
        place_country_at: dict[int, str] | None,
        spans: Sequence[tuple[int, int, set[str]]],
    ) -> None:
        self.text = text
        lowered = text.lower()
        self._lowered = lowered if len(lowered) == len(text) else text
        self._spans = spans
        self.place_country_at = place_country_at or {}
        self.index = ActorIndex()
        self.person_keys: dict[str, str] = {}
        self._caseless: str | None = None  # the lower-cased text when twins of IGNORECASE patterns may run on it
        self.later_names: dict[str, Actor] = {}
        """Organisations introduced with what they are ("the Ukrainian monitoring group DeepState"), by name: a
        later bare "DeepState" is the same actor."""

    def anchored(
        self,
        name: str,
        anchor: re.Pattern[str],
        pattern: re.Pattern[str],
        before: int,
        after: int,
        lower_pattern: re.Pattern[str] | None = None,
    ) -> Iterator[re.Match[str]]:
        """Matches of ``pattern`` near the hits of a cheap ``anchor`` run on the lower-cased text (speed).

        With ``lower_pattern`` (``pattern`` without IGNORECASE, for lower-cased text) the matches are of the
        lower-cased text (only when the same spans are sure, see ``caseless_lowered``): take surfaces from the
        text by offsets, not from the match.
        """
        seen: set[tuple[int, int]] = set()
        subject = self.text
        if lower_pattern is not None and self._caseless is None:
            self._caseless = caseless_lowered(self.text) or ""
        if lower_pattern is not None and self._caseless:
            pattern, subject = lower_pattern, self._caseless
        for hit in self.matches(name, anchor, lowered=True):
            window_end = min(len(self.text), hit.end() + after)
            position = max(0, hit.start() - before)
            while (match := pattern.search(subject, position, window_end)) is not None:
                position = max(match.end(), position + 1)
                if match.end() < hit.end():
                    continue  # a match of an earlier hit: look further
                if (match.start(), match.end()) not in seen:
                    seen.add((match.start(), match.end()))
                    yield match
                break

    def matches(self, name: str, pattern: re.Pattern[str], *, lowered: bool = False) -> Iterator[re.Match[str]]:
        """Matches of one pattern, searched only in the sentences that have one of its words (see ``_scan``)."""
        consumer = f"actor.{name}"
        second = SECOND_WORDS.get(name)
        text = self._lowered if lowered else self.text
        for start, end, active in self._spans:
            if consumer in active and (second is None or second in active):
                yield from pattern.finditer(text, start, end)

    # -- registry ---------------------------------------------------------------------------------------------
    def add(self, actor: Actor, start: int, end: int, surface: str) -> None:
        existing = self.index.actors.get(actor.id)
        if existing is None:
            self.index.actors[actor.id] = _with_first_surface(actor, surface)
        else:
            updates: dict[str, object] = {}
            if surface not in existing.surface_forms:
                updates["surface_forms"] = (*existing.surface_forms, surface)
            if existing.side is None and actor.side is not None:
                updates["side"] = actor.side
            if existing.role is None and actor.role is not None:
                updates["role"] = actor.role
            if updates:
                self.index.actors[actor.id] = existing.model_copy(update=updates)
        self.index.mentions.append(ActorMention(actor.id, start, end, surface))

    def person(self, full_name: str, *, side: str | None, role: str | None) -> Actor:
        parts = full_name.split()
        surname_key = name_key(parts[-1])
        known = KNOWN_PEOPLE.get(surname_key)
        if known is not None:
            return make_actor(id=known.id, name=known.name, kind="person", side=known.side, role=known.role)
        actor_id = self.person_keys.get(surname_key)
        if actor_id is None:
            actor_id = "person:" + slug(" ".join(name_key(p) for p in parts))
            self.person_keys[surname_key] = actor_id
        return make_actor(id=actor_id, name=full_name, kind="person", side=side, role=role)

    # -- sides named near a position --------------------------------------------------------------------------
    def last_side_before(self, position: int, kinds: tuple[str, ...]) -> str | None:
        best: tuple[int, str] | None = None
        for mention in self.index.mentions:
            actor = self.index.actors.get(mention.actor_id)
            if actor is None or actor.side is None or actor.kind not in kinds or mention.end > position:
                continue
            if best is None or mention.start > best[0]:
                best = (mention.start, actor.side)
        return best[1] if best else None

    def first_side_after(self, position: int, kinds: tuple[str, ...]) -> str | None:
        best: tuple[int, str] | None = None
        for mention in self.index.mentions:
            actor = self.index.actors.get(mention.actor_id)
            if actor is None or actor.side is None or actor.kind not in kinds or mention.start < position:
                continue
            if mention.start - position < 600 and (best is None or mention.start < best[0]):
                best = (mention.start, actor.side)
        return best[1] if best else None

    def nearest_place_country(self, position: int) -> str | None:
        best: tuple[int, str] | None = None
        for offset, country in self.place_country_at.items():
            distance = abs(offset - position)
            if distance < 300 and (best is None or distance < best[0]):
                best = (distance, country)
        return best[1] if best else None


@lru_cache(maxsize=8192)
def _cached_actor(fields: tuple[tuple[str, str | None], ...]) -> Actor:
    return Actor(**dict(fields))  # type: ignore[arg-type]


def make_actor(**fields: str | None) -> Actor:
    """An actor built once per distinct set of fields: actors are immutable and articles name the same ones again
    and again, and validating a contract costs more than the rest of adding a mention."""
    return _cached_actor(tuple(fields.items()))


@lru_cache(maxsize=8192)
def _with_first_surface(actor: Actor, surface: str) -> Actor:
    return actor.model_copy(update={"surface_forms": (surface,)})


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def state_actor(code: str, *, kind: ActorKind = "state", suffix: str = "state", role: str | None = None) -> Actor:
    entry: StateEntry = STATES[code]
    names = {
        "state": entry.names[0],
        "military": f"{entry.demonyms[0]} armed forces",
        "mod": f"{entry.demonyms[0]} Ministry of Defence",
        "mfa": f"{entry.demonyms[0]} Foreign Ministry",
        "general_staff": f"{entry.demonyms[0]} General Staff",
    }
    name = names.get(suffix, f"{entry.names[0]} {suffix.replace('_', ' ')}")
    return make_actor(id=f"{code.lower()}.{suffix}", name=name, kind=kind, side=code, role=role)


def code_of(country: str | None, demonym: str | None) -> str | None:
    if country:
        return PATTERNS.country_side.get(country.lower()) or PATTERNS.metonym_side.get(country.lower())
    if demonym:
        return PATTERNS.demonym_side.get(demonym.lower())
    return None


def canonical(surface: str, table: Mapping[str, object]) -> str:
    folded = re.sub(r"\s+", " ", surface).lower()
    for key in table:
        if key.lower() == folded:
            return key
    raise KeyError(surface)
