"""Actors: states and their forces, ministries, groupings, media, officials and spokespeople, with their side.

Three sources, in order of trust:
1. a small table of well-known states, institutions, outlets and leaders (general knowledge, see ``_lexicon``);
2. generic patterns: "<Name>, spokesman for <org>", "<role> <Name>", "Russian forces", "Ukraine's Defense Ministry",
   "the Khortytsia grouping";
3. later mentions of a person by surname only ("Trehubov", "Tregubov", "Mr. Putin").

Name variants of one person meet under a transliteration-insensitive key (``name_key``), so Trehubov and Tregubov,
Zelensky and Zelenskyy, Dmitri and Dmitry are one actor.
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
from services.enricher._actor_patterns import (
    ARMY_ROLE,
    EVENT_NOUNS,
    HEADLINE_SAYS,
    LOCAL_WORDS,
    OWNER_PRONOUN,
    OWNER_PRONOUN_BEFORE,
    PATTERNS,
    SECOND_WORDS,
    SOURCE_TOLD,
    SURNAME,
    UNIT_OWNER,
    WITNESS_ROLES,
    WITNESS_SPEAKS,
)
from services.enricher._lexicon import (
    GROUPINGS,
    GROUPS_OF_FORCES,
    KNOWN_PEOPLE,
    MEDIA,
    OPPONENTS,
    ORGANISATIONS,
    STATES,
    StateEntry,
)
from services.enricher._scan import (
    TRIGGERS,
    caseless_lowered,
    normalise,
)


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


@lru_cache(maxsize=8192)
def _cached_actor(fields: tuple[tuple[str, str | None], ...]) -> Actor:
    return Actor(**dict(fields))  # type: ignore[arg-type]


def _actor(**fields: str | None) -> Actor:
    """An actor built once per distinct set of fields: actors are immutable and articles name the same ones again
    and again, and validating a contract costs more than the rest of adding a mention."""
    return _cached_actor(tuple(fields.items()))


@lru_cache(maxsize=8192)
def _with_first_surface(actor: Actor, surface: str) -> Actor:
    return actor.model_copy(update={"surface_forms": (surface,)})


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


class ActorFinder:
    """Finds actors in one article. Create one per article; it keeps the article's people by name key."""

    def __init__(
        self,
        text: str,
        place_country_at: dict[int, str] | None = None,
        spans: Sequence[tuple[int, int, set[str]]] | None = None,
    ) -> None:
        self._text = text
        lowered = text.lower()
        self._lowered = lowered if len(lowered) == len(text) else text
        self._spans = spans if spans is not None else active_spans(text)
        self._place_country_at = place_country_at or {}
        self.index = ActorIndex()
        self._person_keys: dict[str, str] = {}
        self._first_names: dict[str, str] = {}
        self._caseless: str | None = None  # the lower-cased text when twins of IGNORECASE patterns may run on it
        self._later_names: dict[str, Actor] = {}
        """Organisations introduced with what they are ("the Ukrainian monitoring group DeepState"), by name: a
        later bare "DeepState" is the same actor."""

    def _anchored(
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
        subject = self._text
        if lower_pattern is not None and self._caseless is None:
            self._caseless = caseless_lowered(self._text) or ""
        if lower_pattern is not None and self._caseless:
            pattern, subject = lower_pattern, self._caseless
        for hit in self._matches(name, anchor, lowered=True):
            window_end = min(len(self._text), hit.end() + after)
            position = max(0, hit.start() - before)
            while (match := pattern.search(subject, position, window_end)) is not None:
                position = max(match.end(), position + 1)
                if match.end() < hit.end():
                    continue  # a match of an earlier hit: look further
                if (match.start(), match.end()) not in seen:
                    seen.add((match.start(), match.end()))
                    yield match
                break

    def _matches(self, name: str, pattern: re.Pattern[str], *, lowered: bool = False) -> Iterator[re.Match[str]]:
        """Matches of one pattern, searched only in the sentences that have one of its words (see ``_scan``)."""
        consumer = f"actor.{name}"
        second = SECOND_WORDS.get(name)
        text = self._lowered if lowered else self._text
        for start, end, active in self._spans:
            if consumer in active and (second is None or second in active):
                yield from pattern.finditer(text, start, end)

    # -- registry ---------------------------------------------------------------------------------------------
    def _add(self, actor: Actor, start: int, end: int, surface: str) -> None:
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

    def _state_actor(
        self, code: str, *, kind: ActorKind = "state", suffix: str = "state", role: str | None = None
    ) -> Actor:
        entry: StateEntry = STATES[code]
        names = {
            "state": entry.names[0],
            "military": f"{entry.demonyms[0]} armed forces",
            "mod": f"{entry.demonyms[0]} Ministry of Defence",
            "mfa": f"{entry.demonyms[0]} Foreign Ministry",
            "general_staff": f"{entry.demonyms[0]} General Staff",
        }
        name = names.get(suffix, f"{entry.names[0]} {suffix.replace('_', ' ')}")
        return _actor(id=f"{code.lower()}.{suffix}", name=name, kind=kind, side=code, role=role)

    def _other_institution(self, code: str, what: str) -> Actor:
        """ "Lebanon's health ministry", "Israeli police", "the Ukrainian border guard service"."""
        entry: StateEntry = STATES[code]
        kind: ActorKind = "ministry" if "ministry" in what else "organisation"
        name = re.sub(r"^ministry of (?:the )?(\w+(?: \w+)*)", r"\1 ministry", what)
        name = {
            "internal affairs ministry": "interior ministry",
            "emergency situations ministry": "emergencies ministry",
        }.get(name, name)
        name = re.sub(r"\bdefense\b", "defence", name)
        return _actor(
            id=f"{code.lower()}.{_slug(name)}", name=f"{entry.demonyms[0]} {name}", kind=kind, side=code, role=name
        )

    def _person(self, full_name: str, *, side: str | None, role: str | None) -> Actor:
        parts = full_name.split()
        surname_key = name_key(parts[-1])
        known = KNOWN_PEOPLE.get(surname_key)
        if known is not None:
            return _actor(id=known.id, name=known.name, kind="person", side=known.side, role=known.role)
        actor_id = self._person_keys.get(surname_key)
        if actor_id is None:
            actor_id = "person:" + _slug(" ".join(name_key(p) for p in parts))
            self._person_keys[surname_key] = actor_id
        return _actor(id=actor_id, name=full_name, kind="person", side=side, role=role)

    # -- side of a free-text role phrase ----------------------------------------------------------------------
    def side_of_phrase(self, phrase: str, start: int) -> str | None:
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
        for offset, country in self._place_country_at.items():
            if start <= offset < start + len(phrase):
                return country
        return None

    # -- passes -----------------------------------------------------------------------------------------------
    def find(self) -> ActorIndex:
        text = self._text
        self._people(text)
        self._institutions(text)
        self._home_army(text)
        self._named_again(text)
        self._surnames(text)
        self._pronouns(text)
        self.index.mentions = _without_overlaps(self.index.mentions)
        self.index._starts = [m.start for m in self.index.mentions]
        used = {m.actor_id for m in self.index.mentions}
        # a role swallowed by a person's appositive ("a Ukrainian military spokesman") is that person, not another
        # actor; an institution named inside it ("Ukraine's Khortytsia grouping") stays an actor
        self.index.actors = {
            key: actor for key, actor in self.index.actors.items() if key in used or actor.kind != "person"
        }
        return self.index

    def _people(self, text: str) -> None:
        for match in self._matches("appositive", PATTERNS.appositive):
            name, role = match.group("name"), match.group("role")
            if not _plausible_person(name):
                continue
            side = self.side_of_phrase(role, match.start("role"))
            if side is None and ARMY_ROLE.match(role):
                side = self._last_military_side(match.start())  # "X, the army-aligned governor"
            if side is None and OWNER_PRONOUN.match(role):
                side = self._last_institution_side(match.start())  # "X, its spokesman,"
            actor = self._person(name, side=side, role=_role_noun(role))
            self._add(actor, match.start(), match.end("role"), name)
        for match in self._matches("first_name_appositive", PATTERNS.first_name_appositive):
            name, role = match.group("name"), match.group("role")
            side = self.side_of_phrase(role, match.start("role"))
            if side is None and UNIT_OWNER.search(self._text, match.start("role"), match.end("role") + 40):
                side = self._nearest_place_country(match.start())  # "a major and deputy battalion commander"
            actor = self._person(name, side=side, role=_role_noun(role))
            self._add(actor, match.start("name"), match.end("role"), name)
        for match in self._matches("named_speaker", PATTERNS.named_speaker):
            # "Yevgeny Prigozhin said ...": a person without a role phrase (side unknown), so that later mentions
            # ("Prigozhin's claim", "he") find them
            name, start = match.group("name"), match.start("name")
            if not _plausible_person(name) and name.count(" ") == 2:  # "Monday Oleh Kiper said": the last two
                start += name.index(" ") + 1
                name = name[name.index(" ") + 1 :]
            if start in self._place_country_at:
                continue  # "in Nova Kakhovka said": a place
            if _plausible_person(name) and name_key(name.split()[-1]) not in self._person_keys:
                side, role = self._described_before(start)
                self._add(self._person(name, side=side, role=role), start, match.end("name"), name)
        for match in self._anchored("prefixed", PATTERNS.role_noun, PATTERNS.prefixed, 0, 120):
            name = match.group("name")
            if not _plausible_person(name):
                continue
            lead = PATTERNS.role_lead.search(self._text, max(0, match.start() - 60), match.start())
            role_start = lead.start() if lead else match.start()
            role = self._text[role_start : match.start("name")].rstrip(", ")
            side = self.side_of_phrase(role, role_start)
            if side is None and "blogger" in role.lower():
                side = self._recent_group_side(match.start(), "blogger")
            if side is None and (_role_noun(role) or "") in {"gov.", "governor", "mayor", "head"}:
                side = self._nearest_place_country(match.start())  # a local office: the country of its place
            if side is None and (
                PATTERNS.army_owner.search(self._text, max(0, role_start - 30), role_start) or ARMY_ROLE.match(role)
            ):
                # "the army's spokesman, X": the armed forces named last, else the state named last
                side = self._last_military_side(role_start) or self._last_state_in_text(role_start)
            if side is None and (
                OWNER_PRONOUN.match(role) or OWNER_PRONOUN_BEFORE.search(self._text, max(0, role_start - 7), role_start)
            ):
                side = self._last_institution_side(role_start)  # "Their spokesman, X," after the institution
            if side is None and UNIT_OWNER.search(self._text, max(0, role_start - 40), match.start("name")):
                # "the corps' spokesperson, X", "a brigade commander, X": a unit that speaks to the press from the
                # front, on the side of the country it is in
                side = self._nearest_place_country(match.start())
            actor = self._person(name, side=side, role=_role_noun(role))
            self._add(actor, match.start("name"), match.end("name"), name)

    def _described_before(self, position: int) -> tuple[str | None, str | None]:
        """Side and role of "The head of Russia's Wagner private army claimed ..." just before a person named
        without a role ("... Yevgeny Prigozhin said"): wire copy describes a speaker first and names them after."""
        found = None
        for match in PATTERNS.description.finditer(self._text, max(0, position - 400), position):
            found = match
        if found is None:
            return None, None
        side = self.side_of_phrase(found.group("org"), found.start("org"))
        if side is None and set(found.group("org").lower().split()) & LOCAL_WORDS:
            side = self._nearest_place_country(found.start())  # "the head of the regional military administration"
        return side, found.group("role").lower()

    def _last_military_side(self, position: int) -> str | None:
        """The side of the armed forces named last before ``position`` ("Israeli jets ... the army's spokesman")."""
        found = None
        for match in PATTERNS.ministry.finditer(self._text, 0, position):
            what = (match.group("what") or "").lower()
            if what and not match.group("other") and "ministry" not in what and "chief" not in what:
                found = _code_of(match.group("country"), match.group("demonym") or match.group("demonym2"))
        return found

    def _last_state_in_text(self, position: int) -> str | None:
        """The state named last in the 1,500 characters before ``position`` (read off the text: the people pass
        runs before the state mentions are collected)."""
        found = None
        for match in PATTERNS.state.finditer(self._text, max(0, position - 1500), position):
            surface = match.group("name").lower()
            found = PATTERNS.country_side.get(surface) or PATTERNS.metonym_side.get(surface) or found
        return found

    def _last_institution_side(self, position: int) -> str | None:
        """The side of the institution (armed forces, ministry, armed group) named last in the 600 characters
        before ``position``: "its"/"their" in a role phrase ("Their spokesman, X") is that institution's."""
        start = max(0, position - 600)
        found: tuple[int, str] | None = None
        # quoted speech is not where the owner is named: '"No Russian soldiers are there," their spokesman said'
        for match in PATTERNS.ministry.finditer(self._text, start, position):
            code = _code_of(
                match.group("country") or match.group("country2"), match.group("demonym") or match.group("demonym2")
            )
            if code is not None and not _inside_quote(self._text, match.start()):
                found = (match.start(), code)
        for match in PATTERNS.organisation.finditer(self._text, start, position):
            known = ORGANISATIONS[_canonical(match.group("name"), ORGANISATIONS)]
            if known.side is None or _inside_quote(self._text, match.start()):
                continue
            if found is None or match.start() > found[0]:
                found = (match.start(), known.side)
        return found[1] if found else None

    def _recent_group_side(self, position: int, role: str) -> str | None:
        window = self._text[max(0, position - 1500) : position]
        found = None
        for match in _group_pattern(role).finditer(window):
            found = PATTERNS.demonym_side.get(match.group(1).lower())
        return found

    def _institutions(self, text: str) -> None:
        for match in self._anchored(
            "ministry", PATTERNS.ministry_anchor, PATTERNS.ministry, 50, 60, PATTERNS.ministry_lower
        ):
            code = _code_of(
                match.group("country") or match.group("country2"), match.group("demonym") or match.group("demonym2")
            )
            what = re.sub(r"\s+", " ", (match.group("what") or match.group("what2") or "").lower())
            if code is None:
                continue
            if match.group("other"):
                actor = self._other_institution(code, what)
            elif ("ministry" in what and "foreign" not in what) or (
                "defen" in what and "chief" not in what and "forces" not in what
            ):
                actor = self._state_actor(code, kind="ministry", suffix="mod", role="defence ministry")
            elif "foreign" in what:
                actor = self._state_actor(code, kind="ministry", suffix="mfa", role="foreign ministry")
            elif "general staff" in what:
                actor = self._state_actor(code, kind="military", suffix="general_staff", role="general staff")
            elif "chief" in what:
                continue  # "Russia's defense chief" is a role inside a person's appositive
            else:
                actor = self._state_actor(code, kind="military", suffix="military")
                if what in EVENT_NOUNS:
                    # "Russian attacks near X": the noun is the event (a cue), its owner the agent
                    end = match.start("what")
                    end -= len(text[match.start() : end]) - len(text[match.start() : end].rstrip())
                    self._add(actor, match.start(), end, text[match.start() : end])
                    continue
            self._add(actor, match.start(), match.end(), text[match.start() : match.end()])
        seen_groupings = {"Khortytsia", "Khortytsya", "Tavria", "Tavriya"}  # names that rarely mean anything else
        for match in self._matches("grouping", PATTERNS.grouping):
            name = match.group("name")
            seen_groupings.add(name)
            if name.lower() in {"the", "a", "this", "that", "operational", "strategic", "battle", "task"}:
                continue
            code = (
                _code_of(match.group("country"), match.group("demonym") or match.group("demonym2"))
                or GROUPINGS.get(name)
                or GROUPS_OF_FORCES.get(name)
                or ("UA" if PATTERNS.ukrainian_formation.search(match.group(0)) else None)
            )
            actor = _actor(id=f"grouping:{_slug(name)}", name=f"{name} grouping", kind="grouping", side=code)
            self._add(actor, match.start(), match.end(), match.group(0))
        for match in self._matches("battlegroup", PATTERNS.battlegroup):
            name = match.group("name")
            code = GROUPINGS.get(name) or GROUPS_OF_FORCES.get(name)
            if code is not None:
                actor = _actor(id=f"grouping:{_slug(name)}", name=f"{name} grouping", kind="grouping", side=code)
                self._add(actor, match.start(), match.end(), match.group(0))
        for match in self._matches("known_grouping", PATTERNS.known_grouping):
            name = match.group("name")
            if name not in seen_groupings:
                continue  # "Odesa" is a city unless the article calls it a grouping
            actor = _actor(id=f"grouping:{_slug(name)}", name=f"{name} grouping", kind="grouping", side=GROUPINGS[name])
            self._add(actor, match.start(), match.end(), name)
        for match in self._matches("media", PATTERNS.media):
            if match.group("name"):
                entry = MEDIA[_canonical(match.group("name"), MEDIA)]
                actor = _actor(id=entry.id, name=entry.name, kind=entry.kind, side=entry.side)
            else:
                code = PATTERNS.demonym_side.get(re.sub(r"\s+", " ", match.group("demonym")).lower())
                if code is None:
                    continue
                what = re.sub(r"\s+", " ", match.group("what").lower())
                kind: ActorKind = "media"
                suffix = "bloggers" if "blogger" in what else "state_media" if "state" in what else "media"
                actor = _actor(
                    id=f"{code.lower()}.{suffix}",
                    name=match.group(0),
                    kind=kind,
                    side=code,
                    role="blogger" if suffix == "bloggers" else None,
                )
            self._add(actor, match.start(), match.end(), match.group(0))
        for match in self._matches("named_group", PATTERNS.named_group):
            code = PATTERNS.demonym_side.get(re.sub(r"\s+", " ", match.group("demonym")).lower())
            name = match.group("name")
            if code is None or name in MEDIA or name in ORGANISATIONS or name.lower() in _ORGANISATION_WORDS:
                continue
            what = match.group("what").lower()
            media = what in {"agency", "outlet", "channel", "newspaper", "broadcaster", "website"}
            group = _actor(id=f"org:{_slug(name)}", name=name, kind="media" if media else "organisation", side=code)
            self._add(group, match.start(), match.end(), match.group(0))
            self._later_names[name] = group
        for match in self._matches("organisation", PATTERNS.organisation):
            entry = ORGANISATIONS[_canonical(match.group("name"), ORGANISATIONS)]
            inside = any(m.start <= match.start() and match.end() <= m.end for m in self.index.mentions)
            if entry.side is None and inside:
                continue  # "Defence Ministry" in "Russia's Defence Ministry": already that state's ministry
            organisation = _actor(id=entry.id, name=entry.name, kind=entry.kind, side=entry.side)
            if entry.kind == "ministry" and entry.side is None:
                # a bare "MoD": the ministry of the side named last (a ministry, else armed forces) before it; in a
                # headline, where nothing comes before, the ministry the text names first after it
                in_heading = "\n" not in self._text[: match.start()] and "\n" in self._text[match.end() :]
                if in_heading:  # "Russian forces liberate X, keep Kiev's troops bottled up – MoD": the lead names it
                    side = self._first_side_after(match.end(), ("ministry",)) or self._last_side_before(
                        match.start(), ("ministry", "military")
                    )
                else:
                    side = self._last_side_before(match.start(), ("ministry", "military")) or self._first_side_after(
                        match.end(), ("ministry",)
                    )
                if side is not None:
                    organisation = self._state_actor(side, kind="ministry", suffix="mod", role="defence ministry")
            self._add(organisation, match.start(), match.end(), match.group(0))
        for match in self._matches("state", PATTERNS.state):
            surface = match.group("name")
            code = PATTERNS.country_side.get(surface.lower()) or PATTERNS.metonym_side[surface.lower()]
            if surface.lower() in {"the kremlin", "kremlin"}:
                actor = _actor(
                    id="ru.kremlin",
                    name="the Kremlin",
                    kind="organisation",
                    side="RU",
                    role="presidential administration",
                )
            else:
                actor = self._state_actor(code)
            self._add(actor, match.start(), match.end(), surface)
        for role_match in self._matches("generic", PATTERNS.generic):
            lead = PATTERNS.generic_lead.search(self._text, max(0, role_match.start() - 50), role_match.start())
            if lead is None:
                continue
            match = lead
            role = role_match.group("role").lower()
            if role in WITNESS_ROLES:
                # "residents said", "witnesses in Rafah told Reuters": people of the place, when they speak
                if WITNESS_SPEAKS.match(text, role_match.end()) is None:
                    continue
                code = self._nearest_place_country(role_match.start())
                self._add(
                    _actor(id=f"{(code or 'xx').lower()}.{role}", name=role, kind="person", side=code, role=role),
                    role_match.start(),
                    role_match.end(),
                    role_match.group(0),
                )
                continue
            place_code = self._place_country_at.get(match.start("place")) if match.group("place") else None
            if match.group("place") and place_code is None:
                continue  # a capitalised word that is no place of the article
            office = role in {"administration", "command"}
            ministry = role.endswith("ministry")  # "the health ministry said": of the country it reports from
            told = SOURCE_TOLD.match(text, role_match.end()) if role in {"source", "sources"} else None
            if told is not None and not match.group("demonym"):
                # "a source in the security agencies told RIA Novosti": an unnamed source of a medium that has a
                # side speaks for that side
                medium = MEDIA[_canonical(told.group("medium"), MEDIA)]
                if medium.side is None:
                    continue
                self._add(
                    _actor(id=f"{medium.side.lower()}.source", name="source", kind="person", side=medium.side),
                    role_match.start(),
                    role_match.end(),
                    role_match.group(0),
                )
                continue
            if not (match.group("demonym") or place_code) and (
                role in {"soldier", "soldiers", "source", "sources", "analyst", "analysts"}
                or not (match.group("article") or match.group("mod") or HEADLINE_SAYS.match(text, role_match.end()))
                # "the command of": a military or regional office only, or one the article has named ("the
                # regional military administration ... the administration said")
                or (office and not match.group("mod") and not self._office_named_before(role, match.start()))
            ):
                continue
            code = PATTERNS.demonym_side.get(re.sub(r"\s+", " ", match.group("demonym") or "").lower()) or place_code
            lead_words = (match.group("mod") or match.group("article") or "").strip().lower()
            local = lead_words.endswith(("'s", "’s")) or bool(set(lead_words.split()) & LOCAL_WORDS)
            if code is None and (
                local or office or ministry or role in {"governor", "mayor"} or role.startswith("head")
            ):
                # a local office: the country of its place; an occupation authority: that country's opponent
                code = self._nearest_place_country(match.start())
                if "occupation" in lead_words.split():
                    code = OPPONENTS.get(code or "")
            generic: Actor | None
            if role in {"soldier", "soldiers"}:
                generic = self._state_actor(code, kind="military", suffix="military") if code else None
            else:
                base = re.sub(r"s$", "", re.sub(r"\s+", " ", role)) if role not in {"authorities"} else role
                generic = _actor(
                    id=f"{(code or 'xx').lower()}.{_slug(base)}",
                    name=self._text[match.start() : role_match.end()].strip(),
                    kind="ministry"
                    if ministry
                    else "organisation"
                    if base in {"authorities", "administration", "command"}
                    else "person",
                    side=code,
                    role=base,
                )
            if generic is not None:
                start = (
                    match.start() + (len(match.group(0)) - len(match.group(0).lstrip()))
                    if match.group(0)
                    else role_match.start()
                )
                if match.group("place"):  # the place stays a place: the mention begins after it
                    start = (
                        match.end("place")
                        + len(text[match.end("place") : role_match.start()])
                        - len(text[match.end("place") : role_match.start()].lstrip())
                    )
                self._add(
                    generic,
                    start,
                    role_match.end(),
                    self._text[match.start() : role_match.end()].strip(),
                )

    def _office_named_before(self, office: str, position: int) -> bool:
        return re.search(rf"\b(?:{'|'.join(LOCAL_WORDS)}|military)\s+{office}\b", self._text[:position]) is not None

    def _last_side_before(self, position: int, kinds: tuple[str, ...]) -> str | None:
        best: tuple[int, str] | None = None
        for mention in self.index.mentions:
            actor = self.index.actors.get(mention.actor_id)
            if actor is None or actor.side is None or actor.kind not in kinds or mention.end > position:
                continue
            if best is None or mention.start > best[0]:
                best = (mention.start, actor.side)
        return best[1] if best else None

    def _first_side_after(self, position: int, kinds: tuple[str, ...]) -> str | None:
        best: tuple[int, str] | None = None
        for mention in self.index.mentions:
            actor = self.index.actors.get(mention.actor_id)
            if actor is None or actor.side is None or actor.kind not in kinds or mention.start < position:
                continue
            if mention.start - position < 600 and (best is None or mention.start < best[0]):
                best = (mention.start, actor.side)
        return best[1] if best else None

    def _nearest_place_country(self, position: int) -> str | None:
        best: tuple[int, str] | None = None
        for offset, country in self._place_country_at.items():
            distance = abs(offset - position)
            if distance < 300 and (best is None or distance < best[0]):
                best = (distance, country)
        return best[1] if best else None

    def _home_army(self, text: str) -> None:
        """ "army says its troops still hold the town", "The army denied it" before any state's armed forces are
        named: the armed forces of the state the story last named, else of the country it is in (after armed forces
        are named, "the army" refers back to them, see ``_pronouns``)."""
        for match in PATTERNS.bare_army.finditer(text):
            before = text[max(0, match.start() - 25) : match.start()].rstrip()
            if before and before[-1] not in '.;:,!?—–-"“”':
                continue  # only a subject of its own: not "Sudanese army", "Russia's army", "Wagner's private army"
            if any(
                m.start < match.start() and m.actor_id.endswith(".military") for m in self.index.mentions if m.actor_id
            ):
                continue
            # the state the story last named ("Israel ordered … The military said"), else where it happens
            code = self._last_side_before(match.start(), ("state",)) or self._nearest_place_country(match.start())
            if code is None or code not in STATES:
                continue
            actor = self._state_actor(code, kind="military", suffix="military")
            self._add(actor, match.start(), match.end(), match.group(0))

    def _named_again(self, text: str) -> None:
        for name, actor in self._later_names.items():
            for match in re.finditer(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text):
                self._add(actor, match.start(), match.end(), name)

    def _surnames(self, text: str) -> None:
        keys = dict(self._person_keys)
        for known in KNOWN_PEOPLE.values():
            keys.setdefault(known.key, known.id)
        for match in SURNAME.finditer(text):
            actor_id = keys.get(name_key(match.group(1)))
            if actor_id is None:
                continue
            if actor_id not in self.index.actors:
                known_person = KNOWN_PEOPLE.get(name_key(match.group(1)))
                if known_person is None:
                    continue
                self._add(
                    _actor(
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
                self._add(self.index.actors[actor_id], match.start(), match.end(), match.group(1))

    def _pronouns(self, text: str) -> None:
        for match in self._matches("institution_reference", PATTERNS.institution_reference):
            self.index.mentions.append(
                ActorMention("", match.start(), match.end(), match.group(0), pronoun="organisation")
            )
        for match in self._matches("pronoun", PATTERNS.pronoun):
            word = match.group("p").lower()
            pronoun = (
                "person"
                if word in {"he", "she"} or any(r in word for r in ("blogger", "spokes", "president", "official"))
                else "group"
                if word == "they"
                else "organisation"
            )
            self.index.mentions.append(ActorMention("", match.start(), match.end(), match.group("p"), pronoun=pronoun))


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


_ORGANISATION_WORDS = frozenset(
    {
        "press", "agency", "watch", "council", "union", "committee", "group", "service", "office", "party", "army",
        "guard", "police", "corps", "brigade", "battalion", "company", "university", "bank", "fund", "court",
        "parliament", "assembly", "conference", "security", "nations", "international", "foundation", "center",
        "centre", "post", "journal", "telegraph", "guardian", "independent", "kremlin", "pentagon",
        "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january", "february", "march",
        "april", "may", "june", "july", "august", "september", "october", "november", "december", "meanwhile",
        "separately", "earlier", "later", "also", "but", "and", "when", "while", "however", "yet", "still", "then",
    }
)  # fmt: skip
"""Words of institutions, outlets and sentence openings, never of a person's name ("Associated Press said",
"On Monday Ivan Petrov said")."""


def _plausible_person(name: str) -> bool:
    words = name.split()
    if len(words) < 2:
        return False
    lowered = {w.lower() for w in words}
    if any(word in _ORGANISATION_WORDS for word in lowered) or name in MEDIA or name in ORGANISATIONS:
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


def _code_of(country: str | None, demonym: str | None) -> str | None:
    if country:
        return PATTERNS.country_side.get(country.lower()) or PATTERNS.metonym_side.get(country.lower())
    if demonym:
        return PATTERNS.demonym_side.get(demonym.lower())
    return None


def _canonical(surface: str, table: Mapping[str, object]) -> str:
    folded = re.sub(r"\s+", " ", surface).lower()
    for key in table:
        if key.lower() == folded:
            return key
    raise KeyError(surface)


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
