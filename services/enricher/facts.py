"""Numeric facts about places: distances between two places, populations, troop and casualty figures, areas.

Units are normalised (miles → km, square miles → km²). A distance needs two places: the subject of the clause
("Kurakhove is about 25 miles south of Pokrovsk", "Dachenske, which sits less than five miles from Pokrovsk") and
the place after the number; a distance whose subject is armed forces ("troops within 10 km of the city") is not a
fact about two places but the ``distance_km`` of an ``advancing_toward`` claim.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from newsmon.contracts import Attribution, Place
from newsmon.contracts.claims import FactKind
from services.enricher._scan import TRIGGERS, caseless_finditer, caseless_lowered, lower_twin
from services.enricher.actors import ActorIndex
from services.enricher.attribution import UNATTRIBUTED, SpeechEvent, attribute
from services.enricher.claims import number_value, to_km
from services.enricher.cues import NUMBER, NUMBER_STARTS, UNIT
from services.enricher.linking import PlaceRef
from services.enricher.sentences import Sentence

_BIG = r"(?:\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?(?:\s*(?:million|thousand))?)"
_DIRECTION = (
    r"(?:(?:north|south|east|west|north-?east|north-?west|south-?east|south-?west)(?:ern)?\s+of|from|away\s+from|of)"
)
# each pattern begins with a number: the lookaheads let re skip every other position at once (2× faster)
_DISTANCE = re.compile(
    rf"{NUMBER_STARTS}(?P<num>{NUMBER})\s*(?P<unit>{UNIT})\s+(?:\([^)]*\)\s+)?{_DIRECTION}\b", re.IGNORECASE
)
_AREA = re.compile(
    rf"(?=\d)(?P<num>{_BIG})\s*(?P<unit>square\s+(?:kilometers?|kilometres?|km|miles?)|sq\.?\s*(?:km|mi)|km2|km²)", re.I
)
_POPULATION = re.compile(rf"\bpopulation\b[^.;\d]{{0,45}}?(?P<num>{_BIG})", re.IGNORECASE)
_PEOPLE = re.compile(
    rf"(?=\d)(?P<num>{_BIG})\s+(?:(?:of\s+)?(?:these|those|their|its|our|enemy|Russian|Ukrainian|North\s+Korean)\s+)?"
    r"(?P<what>troops|soldiers|servicemen|personnel|fighters|(?:irrecoverable\s+)?losses|casualties|dead|killed|wounded)\b",
    re.IGNORECASE,
)
_POINTS = r"(?:north|south|east|west|north-?east|north-?west|south-?east|south-?west)"
_DISTANCE_IMPLIED = re.compile(
    # "Kurakhove, about 30 kilometers to the north": the second place is the one the sentence or text is about
    rf"{NUMBER_STARTS}(?P<num>{NUMBER})\s*(?P<unit>{UNIT})\s+(?:\([^)]*\)\s+)?(?:to\s+the\s+{_POINTS}|{_POINTS}ward)"
    r"\b(?!\s+(?:of|from)\b)",
    re.IGNORECASE,
)
_RESIDENTS = re.compile(
    # "which had about 70,000 residents", "it was home to roughly 60,000 people"
    r"(?=[hH])\b(?:had|has|have|home\s+to)\s+(?:(?:about|around|roughly|some|nearly|almost|approximately|an\s+estimated|"
    rf"more\s+than|over|just\s+over|under|fewer\s+than|less\s+than)\s+)?(?P<num>{_BIG})\s+"
    r"(?:residents|inhabitants|people)\b(?!\s+(?:killed|dead|wounded|injured|missing|displaced|evacuated|left)\b)",
    re.IGNORECASE,
)
_SETTLEMENT_OF = re.compile(
    # "Sumy, a regional capital of about 250,000 people": the size of the place before the noun
    r"\b(?:city|town|village|capital|settlement|port|hub|community)\s+of\s+(?:(?:about|around|roughly|some|nearly|"
    rf"almost|approximately|an\s+estimated|more\s+than|over|under|fewer\s+than|less\s+than)\s+)?(?P<num>{_BIG})\s+"
    r"(?:residents|inhabitants|people)\b(?!\s+(?:killed|dead|wounded|injured|missing|displaced|evacuated|left)\b)",
    re.IGNORECASE,
)
_IT_SUBJECT = re.compile(r"\b(?:[Ii]t\s+(?:was|is|had|has|once\s+had)\b|[Ii]ts\b)")
"""'It had a population of ...', 'Its pre-war population was ...': the town the text is about."""
_THAT_AREA = re.compile(r"\b(?:in|over|across)\s+(?:that|this|the\s+same)\s+(?:area|region|province)\b", re.I)
_BATTLE_REFERENCE = re.compile(
    r"\b(?:the|this|that)\s+(?:[\w-]+\s+)?(?:battle|fighting|fight|assault|siege|defen[cs]e|storming)\b(?!\s+(?:for|of)\b)"
    r"|\bthere\b",
    re.IGNORECASE,
)
"""'lost more than 200 servicemen in the final days of the battle': a toll of the battle the text is about."""
_NO_PLACE_AREA = re.compile(r"\bin\s+(?:this|that|the\s+\w+)\s+direction\b", re.IGNORECASE)
"""'lost 230 servicemen in this direction': an axis of advance, not a place."""
_CIVILIANS = re.compile(r"\b(?:people|civilians|residents|children|passengers|pensioners)\b", re.IGNORECASE)
_LIST_JOIN = re.compile(r"^(?:\s*,\s*(?:and\s+|or\s+)?|\s+(?:and|or)\s+)$")
_APPOSITION = re.compile(
    r"^,\s+(?:(?:a|an|the)\s+(?:[\w-]+\s+){0,3}?)?(?:about|some|roughly|around|nearly|just|only)?\s*$"
)
_DISTANCE_LOWER, _AREA_LOWER, _POPULATION_LOWER, _PEOPLE_LOWER = (
    lower_twin(_DISTANCE),
    lower_twin(_AREA),
    lower_twin(_POPULATION),
    lower_twin(_PEOPLE),
)
"""The same for lower-cased text: several times faster than IGNORECASE (see ``caseless_finditer``)."""
_CASUALTY_WORDS = re.compile(
    r"\b(?:killed|dead|died|lost|loses|losing|losses|casualties|wounded|irrecoverable)\b", re.I
)
_ALL_FACTS = frozenset({"fact.distance", "fact.population", "fact.people", "fact.area"})
TRIGGERS.add("fact.distance", ("km", "kilomet", "mile", "mi"))
TRIGGERS.add("fact.population", ("population", "residents", "inhabitants", "people"))
TRIGGERS.add(
    "fact.people",
    (
        "troops",
        "soldiers",
        "servicemen",
        "personnel",
        "fighters",
        "losses",
        "irrecoverable",
        "casualties",
        "dead",
        "killed",
        "wounded",
    ),
)
TRIGGERS.add("fact.area", ("square", "sq", "km2", "km²"))


@dataclass(frozen=True, slots=True)
class FactDraft:
    kind: FactKind
    places: tuple[Place, ...]
    value: float
    unit: str
    original_value: float
    original_unit: str
    attribution: Attribution
    sentence: Sentence
    start: int
    end: int
    rule: str


def _big_number(token: str) -> float:
    lowered = token.lower().replace(",", "").strip()
    factor = 1.0
    if lowered.endswith("million"):
        factor, lowered = 1_000_000.0, lowered.removesuffix("million").strip()
    elif lowered.endswith("thousand"):
        factor, lowered = 1_000.0, lowered.removesuffix("thousand").strip()
    return float(lowered) * factor


class FactExtractor:
    def __init__(
        self,
        text: str,
        sentences: list[Sentence],
        refs_in: Callable[[int, int], list[PlaceRef]],
        salient: Callable[[Sentence], PlaceRef | None],
        actors: ActorIndex,
        events: dict[int, list[SpeechEvent]],
        resolve_country: Callable[[str], Place | None],
    ) -> None:
        self.text = text
        self.sentences = sentences
        self.refs_in = refs_in
        self.salient = salient
        self.actors = actors
        self.events = events
        self.resolve_country = resolve_country
        self._lowered: dict[int, str | None] = {}

    def _caseless(self, sentence: Sentence) -> str | None:
        """``caseless_lowered`` of the sentence, computed once for the four fact patterns."""
        if sentence.index not in self._lowered:
            self._lowered[sentence.index] = caseless_lowered(sentence.text)
        return self._lowered[sentence.index]

    def run(self, active: list[set[str]] | None = None) -> list[FactDraft]:
        """Facts of every sentence; ``active`` (per sentence, see ``_scan``) skips sentences without the words."""
        facts: list[FactDraft] = []
        for index, sentence in enumerate(self.sentences):
            wanted = active[index] if active is not None else _ALL_FACTS
            if not wanted & _ALL_FACTS:
                continue
            refs = [r for r in self.refs_in(sentence.start, sentence.end) if r.place.kind != "country"]
            if "fact.distance" in wanted:
                facts += self._distances(sentence, refs)
                facts += self._implied_distances(sentence, refs)
            if "fact.population" in wanted:
                facts += self._populations(sentence, refs)
            if "fact.people" in wanted:
                facts += self._people(sentence, refs)
            if "fact.area" in wanted:
                facts += self._areas(sentence, refs)
        return facts

    def _speaker(self, sentence: Sentence, position: int) -> Attribution:
        event, _ = attribute(position, self.events.get(sentence.index, []))
        return event.speaker if event else UNATTRIBUTED

    def _forces_between(self, start: int, end: int) -> bool:
        for mention in self.actors.in_span(start, end):
            actor = self.actors.actors.get(mention.actor_id)
            if actor is not None and actor.kind == "military":
                return True
        return False

    def _population(
        self, ref: PlaceRef, value: float, sentence: Sentence, start: int, end: int, rule: str
    ) -> FactDraft:
        attribution = self._speaker(sentence, start)
        return FactDraft(
            "population", (ref.place,), value, "people", value, "people", attribution, sentence, start, end, rule
        )

    def _distance(
        self,
        origin: PlaceRef,
        target: PlaceRef,
        match: re.Match[str],
        sentence: Sentence,
        span_start: int,
        end: int,
        said_at: int,
        rule: str,
    ) -> FactDraft:
        value, unit = number_value(match.group("num")), match.group("unit").lower()
        original_unit = "mi" if unit.startswith("mi") else "km"
        places = (origin.place, target.place)
        speaker = self._speaker(sentence, said_at)
        return FactDraft(
            "distance", places, to_km(value, unit), "km", value, original_unit, speaker, sentence, span_start, end, rule
        )

    def _distances(self, sentence: Sentence, refs: list[PlaceRef]) -> list[FactDraft]:
        found = []
        for match in caseless_finditer(_DISTANCE, _DISTANCE_LOWER, sentence.text, self._caseless(sentence)):
            start, end = sentence.start + match.start(), sentence.start + match.end()
            after = [r for r in refs if r.start >= end and r.start - end <= 45]
            after = [r for r in after if r.start - end <= 30 or r is not after[0]]
            before = [r for r in refs if r.end <= start]
            if not after or not before:
                continue
            target = after[0]
            if (
                target.via != "named"
                and len(after) > 1
                and re.fullmatch(r"\s*,\s*", self.text[target.end : after[1].start])
            ):
                # "east of the regional capital, Zaporizhzhia": the name after the description (a town if it may be)
                named = [r for r in after[1:] if r.start == after[1].start]
                target = next((r for r in named if r.place.kind == "populated_place"), after[1])
            origin = next((r for r in reversed(before) if r.place.id != target.place.id), None)
            if origin is None and target.via.startswith("anaphor"):
                # "Torskoye lies 12 km east of the town": the town is another one than the subject, the latest
                # town named in the sentences before
                origin = before[-1]
                earlier = self.sentences[max(0, sentence.index - 2)].start
                towns = [
                    r
                    for r in self.refs_in(earlier, sentence.start)
                    if r.place.kind == "populated_place" and r.place.id != origin.place.id and r.via == "named"
                ]
                if not towns:
                    continue
                target = replace(towns[-1], via=f"{target.surface} → {towns[-1].surface}")
            if origin is None or self._forces_between(origin.end, start):
                continue
            rule = "distance: «<place> … N unit from/of <place>»"
            found.append(self._distance(origin, target, match, sentence, start, end, start, rule))
        return found

    def _implied_distances(self, sentence: Sentence, refs: list[PlaceRef]) -> list[FactDraft]:
        """'Kurakhove, about 30 kilometers to the north', 'Kramatorsk and Sloviansk, 25 miles to the west': from the
        place (or the places listed) just before the number to the place the sentence, else the text, is about."""
        found = []
        for match in _DISTANCE_IMPLIED.finditer(sentence.text):
            start, end = sentence.start + match.start(), sentence.start + match.end()
            before = [r for r in refs if r.end <= start]
            if not before or not _APPOSITION.match(self.text[before[-1].end : start]):
                continue
            targets = [before[-1]]
            for ref in reversed(before[:-1]):
                if not _LIST_JOIN.match(self.text[ref.end : targets[-1].start]):
                    break
                targets.append(ref)
            listed = {t.place.id for t in targets}
            origin = next(
                (r for r in reversed(before) if r.place.id not in listed and r.end <= targets[-1].start), None
            )
            if origin is None:
                earlier = self.sentences[max(0, sentence.index - 2)].start
                towns = [
                    r
                    for r in self.refs_in(earlier, sentence.start)
                    if r.place.kind == "populated_place" and r.place.id not in listed
                ]
                origin = towns[-1] if towns else None
            # armed forces between the two places make it a distance of the forces ("troops within 10 km of X"); an
            # origin in an earlier sentence is the town the text is about
            if origin is None or self._forces_between(max(origin.end, sentence.start), targets[-1].start):
                continue
            rule = "distance: «<place>, N unit to the <direction>» from the place the text is about"
            for target in reversed(targets):
                # one fact per listed place: the span (the fact's id) starts at its place when it is not the last
                span_start = start if target is targets[0] else target.start
                found.append(self._distance(origin, target, match, sentence, span_start, end, start, rule))
        return found

    def _pronoun_town(self, sentence: Sentence) -> PlaceRef | None:
        """What "it" in a sentence naming no place means: the town opening the sentence before (its subject, "Chasiv
        Yar sits 10 km west of Bakhmut. It had ..."), else the town the last sentences were about."""
        if sentence.index > 0:
            before = self.sentences[sentence.index - 1]
            towns = [r for r in self.refs_in(before.start, before.end) if r.place.kind == "populated_place"]
            if towns:
                return towns[0]
        return self.salient(sentence)

    def _region_before(self, sentence: Sentence) -> PlaceRef | None:
        if sentence.index == 0:
            return None
        before = self.sentences[sentence.index - 1]
        regions = [r for r in self.refs_in(before.start, before.end) if r.place.kind == "region"]
        return regions[-1] if regions else None

    def _nearest(self, refs: list[PlaceRef], position: int) -> PlaceRef | None:
        return min(refs, key=lambda r: abs(r.start - position)) if refs else None

    def _populations(self, sentence: Sentence, refs: list[PlaceRef]) -> list[FactDraft]:
        found = []
        for match in caseless_finditer(_POPULATION, _POPULATION_LOWER, sentence.text, self._caseless(sentence)):
            value = _big_number(match.group("num"))
            if value < 50:
                continue
            start, end = sentence.start + match.start("num"), sentence.start + match.end("num")
            towns = [r for r in refs if r.place.kind in ("populated_place", "region", "area")]
            ref = self._nearest(towns, sentence.start + match.start())
            if ref is None and _IT_SUBJECT.search(sentence.text[: match.start()]):
                ref = self._pronoun_town(sentence)  # "It had a pre-war population of about 12,000"
            if ref is None:
                continue
            found.append(self._population(ref, value, sentence, start, end, "population: «population … N»"))
        for match in (*_RESIDENTS.finditer(sentence.text), *_SETTLEMENT_OF.finditer(sentence.text)):
            value = _big_number(match.group("num"))
            if value < 50:
                continue
            start, end = sentence.start + match.start("num"), sentence.start + match.end("num")
            towns = [
                r
                for r in refs
                if r.place.kind in ("populated_place", "region", "area") and r.end <= sentence.start + match.start()
            ]
            # "Bakhmut, which had ...": the place before; "it was home to ...": the town the text is about
            ref = towns[-1] if towns else None
            if ref is None and _IT_SUBJECT.search(sentence.text[: match.start()]):
                ref = self._pronoun_town(sentence)
            if ref is None:
                continue
            found.append(self._population(ref, value, sentence, start, end, "population: «had/home to N residents»"))
        return found

    def _people(self, sentence: Sentence, refs: list[PlaceRef]) -> list[FactDraft]:
        found = []
        for match in caseless_finditer(_PEOPLE, _PEOPLE_LOWER, sentence.text, self._caseless(sentence)):
            value = _big_number(match.group("num"))
            if value < 10:
                continue
            start, end = sentence.start + match.start("num"), sentence.start + match.end()
            window = sentence.text[max(0, match.start() - 30) : min(len(sentence.text), match.end() + 40)]
            kind: FactKind = (
                "casualties"
                if _CASUALTY_WORDS.search(window) or _CASUALTY_WORDS.search(match.group("what"))
                else "troops"
            )
            if _NO_PLACE_AREA.search(sentence.text, match.end(), match.end() + 40):
                continue
            if kind == "casualties" and _CIVILIANS.search(window):
                continue  # "four people were killed and 22 wounded": a civilian toll, not losses of a force
            # no place in the sentence: "the enemy lost up to 500 servicemen" is a toll of a front, not of the town
            # the text was about
            ref = self._nearest(refs, start)
            if ref is None and _THAT_AREA.search(sentence.text):
                ref = self._region_before(sentence)  # "lost 310 servicemen in that area": the region just named
            if ref is None and _BATTLE_REFERENCE.search(sentence.text):
                ref = self._pronoun_town(sentence)
            if ref is None:
                continue
            found.append(
                FactDraft(
                    kind,
                    (ref.place,),
                    value,
                    "people",
                    value,
                    match.group("what").lower(),
                    self._speaker(sentence, start),
                    sentence,
                    start,
                    end,
                    f"{kind}: «N {match.group('what').lower()}»",
                )
            )
        return found

    def _areas(self, sentence: Sentence, refs: list[PlaceRef]) -> list[FactDraft]:
        found = []
        for match in caseless_finditer(_AREA, _AREA_LOWER, sentence.text, self._caseless(sentence)):
            value = _big_number(match.group("num"))
            unit = match.group("unit").lower()
            start, end = sentence.start + match.start(), sentence.start + match.end()
            km2 = round(value * 2.589988, 3) if "mi" in unit else value
            tail = sentence.text[match.end() : match.end() + 60]
            demonym = re.search(r"\bof\s+(?P<who>\w+)\s+territory\b", tail)
            place: Place | None = None
            if demonym:
                from services.enricher._lexicon import STATES

                for entry in STATES.values():
                    if demonym.group("who").lower() in {d.lower() for d in entry.demonyms}:
                        place = self.resolve_country(entry.names[0])
            if place is None:
                nearest = self._nearest(refs, start)
                place = nearest.place if nearest else None
            if place is None or re.match(r"\s*\)", sentence.text[match.end() :]):
                continue
            found.append(
                FactDraft(
                    "area",
                    (place,),
                    km2,
                    "km2",
                    value,
                    unit,
                    self._speaker(sentence, start),
                    sentence,
                    start,
                    end,
                    "area: «N square km/miles of <place>»",
                )
            )
        return found
