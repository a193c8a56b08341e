"""Which place a cue is about: the named place in its object or subject position, an anaphor ("the town",
"there") read as the most salient town so far, or the town the last sentences were about.

Countries are never claim places, and a capital standing for its government ("Kyiv has yet to confirm",
"Moscow's troops") is not a place here either.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from newsmon.contracts import Place, PlaceMention
from services.enricher._dateline import is_dateline
from services.enricher._lexicon import STATES
from services.enricher._scan import first_characters
from services.enricher._spans import Cover
from services.enricher.actors import ActorIndex
from services.enricher.cues import Cue
from services.enricher.filters import CLAUSE_BREAK
from services.enricher.sentences import Sentence

_ANAPHOR = re.compile(
    r"(?=[t])(?:\b(?:the|this|that)\s+(?:[\w-]+\s+){0,2}?(?:town|city|village|settlement|(?:regional|provincial)\s+capital)"
    r"(?:['’]s)?\b(?!\s+of\b)"
    r"|\bthere\b(?!\s+(?:is|are|was|were|has|have|had|will|would|may|might|could|seems?|appears?|remains?)\b))",
    re.IGNORECASE,
)
_PLURAL_ANAPHOR = re.compile(
    # "fighting continues in both towns", "the three villages", "these settlements": the places listed before
    r"\b(?:(?P<both>both)\s+|(?:the|these|those|all)\s+(?:(?P<count>two|three|four|five)\s+)?|all\s+(?P<all>two|three|four|five)"
    r"\s+)(?:[\w-]+\s+)?(?:towns|cities|villages|settlements|communities|places|localities)\b(?!\s+(?:of|in|near|around)\b)",
    re.IGNORECASE,
)
_UNKNOWN_NAME_BEFORE = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][\w'’-]+,\s+$")
_OPEN_LIST_END = re.compile(r"\s+(?:and|or)\s+(?:\w+\s+)?(?:other|several|nearby|surrounding|neighbou?ring)\b")
_COUNTS = {"both": 2, "two": 2, "three": 3, "four": 4, "five": 5}
_RELATIVE_START = re.compile(r",\s+(?:which|who|where|whose)\b", re.IGNORECASE)
_CLAUSE_COMMA = re.compile(r",(?!\d)")
_BE = "is|are|was|were|been|being"
PASSIVE_ADVERBS = r"(?:(?:\w+ly|again|also|once\s+again|once\s+more|still|then|now|already|just|twice|since)\s+){0,2}"
"""'was again targeted', 'had been repeatedly shelled', 'were also hit': adverbs between the auxiliary and the verb."""
PASSIVE = re.compile(rf"\b{first_characters(_BE)}(?:{_BE})\s+{PASSIVE_ADVERBS}$", re.IGNORECASE)
_METONYM_USE = re.compile(
    r"^(?:['’]s\b|,\s+meanwhile|\s+(?:has|have|had|is|was|said|says|and|appears?|appear|continues?|demands?|wants?|"
    r"does|did|do|pressed|presses|launched|launches|sent|sends|deployed|deploys|ordered|orders|stepped\s+up|intensified|"
    r"insists?|claims?|claimed|vowed|will|would|must|could|denied|rejected|accused|responded|announced|confirmed|"
    r"calls|called|condemned|condemns|blamed|blames|warned|warns|threatened|threatens))",
    re.IGNORECASE,
)
_STRUCK_OBJECT = re.compile(
    r"\b(?:pounds|pounded|pounding|strikes|struck|striking|hits|hit|hitting|attacks|attacked|attacking|shells|"
    r"shelled|shelling|bombs|bombed|bombing|targets|targeted|targeting)\s+(?:the\s+(?:capital|city)\s+)?$"
)
_METONYM_WORDS = frozenset(w.lower() for entry in STATES.values() for w in entry.metonyms)
_WATER = re.compile(r"\s+(?:River|river|Sea|sea|Bay|bay|Lake|lake|Reservoir|reservoir|Canal|canal)\b")
_FRONT_NAME = re.compile(
    # "on the Pokrovsk axis", "the Pokrovsk and Kurakhove axes", "the Donetsk Oblast front", "in the Lyman direction":
    # a place naming a stretch of front line is not the place fought over, struck or taken
    r"(?:(?:\s*,\s*|\s+(?:and|or)\s+)[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*)?)*\s+"
    r"(?:axis|axes|front|fronts|front\s+line|frontline|direction|directions|sector|sectors)\b(?!\s+(?:of|from)\b)"
)
_SUBJECT_IT = re.compile(
    # "It is not under Russian control", "it has fallen": a subject pronoun right before the cue
    r"(?:^\s*|[,;:\"“]\s*|\b(?:and|but)\s+)[Ii]t\b(?:\s+(?:is|was|has|had|have|been|remains?|remained|will|would|"
    r"not|never|still|now|already|also|be)\b){0,3}\s*[\"“]?$"
)
_FALLBACK = frozenset({"struck", "encircled", "not_encircled"})
"""Predicates that also fall back to the place of the last sentences when their sentence names none."""
_UNNAMED_PLACES = re.compile(
    r"\b(?:cities|towns|villages|settlements|regions|provinces|areas|communities|districts|suburbs)\b", re.IGNORECASE
)
_NEW_CLAUSE = re.compile(
    r"[,;]\s+(?:and|but|while|whereas)\s+(?:the\s+|some\s+|many\s+)?[a-z][\w-]*\s+(?:were|was|are|is|have|had|has)\b"
)
_CITY_PARTS = re.compile(
    r"\b(?:residential|central|industrial|urban|downtown|riverside|historic|city|several|two|three|four|five)\s+"
    r"(?:(?:residential|central|industrial|urban|downtown|riverside|historic|city)\s+)?"
    r"(?:districts|areas|neighbou?rhoods|quarters|suburbs)\b(?!\s+(?:of|in)\b)",
    re.IGNORECASE,
)
_STRIKE_VERB_AFTER = re.compile(
    r"\s+(?:also\s+|again\s+)?(?:hit|struck|slammed|crashed|landed|pounded|damaged|destroyed|exploded)\b"
)
_DESTINATION = re.compile(r"\b(?:to|into|toward|towards|across|behind|beyond)\b", re.IGNORECASE)
_INFINITIVE_BEFORE = re.compile(
    r"\bto\s+(?!(?:the|a|an|its|their|his|her|this|that|these|those|our|some|all)\b)[a-z]+\b[^,;]*$"
)
_DESCRIPTOR = (
    r"(?:nearby|neighbou?ring|adjacent|adjoining|nearby|small|smaller|larger|key|strategic|industrial|mining|"
    r"frontline|front-line|border|riverside|coastal|port|(?:north|south|east|west)(?:-?(?:east|west))?(?:ern)?)"
)
_COORDINATION = re.compile(
    # "A, B and C"; "27 settlements in X region, including A, B and C": the items after "including" join the list
    r"^(?:\s*,\s*(?:(?P<last>and|or)\s+)?|\s+(?P<conj>and|or|&)\s+"
    r"|\s*,?\s+(?P<incl>including|such\s+as|among\s+them|notably)\s+"
    r"|\s+itself\s*,\s*(?:(?P<last2>and|or)\s+)?"
    # "Nikopol and the neighbouring town of Marhanets", "A and nearby B": an item introduced by its kind
    rf"|\s*,?\s+(?P<desc>and|or)\s+(?:(?:the|a)\s+)?(?:{_DESCRIPTOR}\s+){{0,2}}"
    r"(?:(?:town|city|village|settlement|hamlet)\s+of\s+)?)$",
    re.IGNORECASE,
)
_UNKNOWN_SETTLEMENT = re.compile(r"\b(?:settlements?|villages?|towns?|city|hamlet)\s+of\s+[A-Z][\w'’-]+")
_BLOCK_OBJECT = re.compile(r"\b(?:in|near|outside|around|across|at|inside|part|parts)\b", re.IGNORECASE)
_REFERENCE_POINT = re.compile(
    # "attacked east of Kurakhove near A", "the camp south of the city", "a village 10 km west of X": X only says
    # where; it is not what was hit, taken or fought over
    r"\b(?:north|south|east|west)(?:-?(?:east|west))?(?:ern)?\s+of\s+$",
    re.IGNORECASE,
)
_FRONTED = re.compile(
    # "In Khartoum, fighting continues ...", "Across the river in Omdurman, RSF shelling ...", "In X itself, a bomb
    # hit ...": a locative phrase opening the sentence places its main clause
    r"^\W*(?:[A-Z][\w,]*(?:\s+[\w,]+){0,3}\s+)?(?:in|In|inside|Inside|at|At)\s+$"
)
_REPORTING = re.compile(
    r"\b(?:said|says|say|told|tell|reported|reports|claimed|claims|announced|stated|added|wrote|warned)\b", re.I
)
_FRONTED_PREDICATES = frozenset({"struck", "contested", "evacuating", "encircled", "not_encircled"})
"""Predicates about what happens *in* a place (not taking or leaving it): "In X, a bomb hit a street"."""
_FRONTED_END = re.compile(r"(?:\s+itself)?\s*,")
_OBJECT_IT = re.compile(
    # "still fighting inside it", "evacuated from it", "'liberated' it": an object "it" right after the cue
    r"[\"”]?\s+(?:(?P<prep>in|inside|from|out\s+of|of|into|at|on|around)\s+)?it\b"
    r"(?!\s+(?:is|was|has|had|have|said|says|will|would|could|may|might|remains?|added|did|does)\b)(?!['’])"
)
_ANAPHOR_NOUN = re.compile(r"\b(?:the|this|that)\s+(?:[\w-]+\s+){0,2}?(?:town|city|village)\b", re.IGNORECASE)
_INDEFINITE_PLACE = re.compile(r"\b(?:a|an|any|another)\s+(?:[\w-]+\s+)?(?:city|town|village|settlement)\b", re.I)
_PARTIAL = re.compile(
    r"\b(?:part|parts|outskirts|districts?|neighbou?rhoods?|half|edge|sector)\s+of\s+$",
    re.IGNORECASE,
)
_PARTIAL_AFTER = re.compile(
    # "still holding the town's eastern industrial zone", "holds Toretsk's northern outskirts": a part of the place
    r"['’]s?\s+(?:[\w-]+\s+){0,3}?(?:part|parts|outskirts|districts?|neighbou?rhoods?|half|edge|sector|zone|quarter|"
    r"suburbs?|blocks|centre|center|streets)\b",
    re.IGNORECASE,
)
PARTIAL = "only a part of it held"
_BLOCK_CONTESTED = re.compile(r"\b(?:around|near|outside|toward|towards|close\s+to|approaches|outskirts)\b", re.I)


_CALLED_BEFORE = re.compile(r"\b(town|city|village)\s+of\s+$", re.IGNORECASE)
_CALLED_AFTER = re.compile(r",\s+(?:a|an|the)\s+(?:[\w-]+\s+){0,3}?(town|city|village)\b", re.IGNORECASE)
_CLASHES = {"village": frozenset({"town", "city"}), "city": frozenset({"village"}), "town": frozenset[str]()}


def possessive(ref: PlaceRef) -> bool:
    return ref.surface[-2:] in ("'s", "’s")


def _noun_of(anaphor: str) -> str | None:
    lowered = anaphor.lower()
    return next((noun for noun in ("village", "city", "town") if noun in lowered), None)


_NAME_IN_BEFORE = re.compile(r"(?<![\w'’-])[A-Z][\w'’-]+\s+in\s+$")


@dataclass(frozen=True, slots=True)
class PlaceRef:
    place: Place
    start: int
    end: int
    surface: str
    via: str = "named"


class PlaceLinker:
    """The places of one article, and the rules that link a cue to one of them."""

    def __init__(self, text: str, sentences: list[Sentence], places: list[PlaceMention], actors: ActorIndex) -> None:
        self.text = text
        self.sentences = sentences
        self.actors = actors
        states = Cover(
            (m.start, m.end) for m in actors.mentions if m.pronoun is None and actors.actors[m.actor_id].kind == "state"
        )
        self.places = [
            PlaceRef(m.place, m.start, m.end, m.surface)
            for m in places
            if m.place.kind != "country"
            and not self._metonym(m, states)
            and not is_dateline(self.text, m.start, m.end)
            and not _WATER.match(text, m.end)
            and not self._front(m)
        ]
        self.countries = [m for m in places if m.place.kind == "country"]
        self.fronts = [m for m in places if self._front(m)]
        self._refs: dict[tuple[int, int], list[PlaceRef]] = {}  # the same spans are asked for again and again
        self._groups: dict[tuple[int, int], list[PlaceRef]] = {}  # the places a plural anaphor stands for

    def _front(self, mention: PlaceMention) -> bool:
        """'the Pokrovsk axis', 'the Donetsk Oblast front': a stretch of front line named after a place."""
        return _FRONT_NAME.match(self.text, mention.end) is not None

    def _metonym(self, mention: PlaceMention, states: Cover) -> bool:
        """'Kyiv has yet to confirm', 'Moscow's troops': a capital standing for its government is not a place."""
        if not states.covers(mention.start, mention.end) and mention.surface.lower() not in _METONYM_WORDS:
            return False
        if _STRUCK_OBJECT.search(self.text, max(0, mention.start - 30), mention.start):
            return False  # "Russia pounds Kyiv and Odesa": the object of an attack is the city
        return _METONYM_USE.match(self.text[mention.end : mention.end + 40]) is not None

    def refs_in(self, start: int, end: int) -> list[PlaceRef]:
        """The places named in ``[start, end)`` plus the anaphors there, read as their antecedents; by start."""
        cached = self._refs.get((start, end))
        if cached is None:
            cached = self._refs[(start, end)] = self._refs_in(start, end)
        return list(cached)  # callers may keep or extend their copy

    def _refs_in(self, start: int, end: int) -> list[PlaceRef]:
        refs = [r for r in self.places if r.start >= start and r.end <= end]
        for match in _ANAPHOR.finditer(self.text, start, end):
            if _UNKNOWN_NAME_BEFORE.search(self.text, max(0, match.start() - 40), match.start()) and not any(
                r.end <= match.start() <= r.end + 3 for r in refs
            ):
                continue  # "Ryzhivka, the Ukrainian village across the border": it describes a name we do not know
            antecedent = self.latest_town(match.start(), noun=_noun_of(match.group(0)))
            if antecedent is not None and not any(r.start <= match.start() < r.end for r in refs):
                refs.append(
                    replace(
                        antecedent,
                        start=match.start(),
                        end=match.end(),
                        surface=match.group(0),
                        via=f"anaphor «{match.group(0)}» → {antecedent.surface}",
                    )
                )
        for match in _PLURAL_ANAPHOR.finditer(self.text, start, end):
            group = self._listed_before(match)
            if group and not any(r.start <= match.start() < r.end for r in refs):
                names = ", ".join(r.surface for r in group)
                members = [
                    replace(
                        r,
                        start=match.start(),
                        end=match.end(),
                        surface=match.group(0),
                        via=f"plural anaphor «{match.group(0)}» → {names}",
                    )
                    for r in group
                ]
                self._groups[(match.start(), match.end())] = members
                refs.append(members[0])
        return sorted(refs, key=lambda r: r.start)

    def _listed_before(self, match: re.Match[str]) -> list[PlaceRef]:
        """The latest list of towns named before a plural anaphor, in its sentence or the two before; as many as the
        anaphor counts ("both": two), any number of two or more for "these towns"."""
        count = next((_COUNTS[w.lower()] for w in match.group("both", "count", "all") if w), None)
        here = next((s.index for s in self.sentences if s.start <= match.start() <= s.end), None)
        if here is None:
            return []
        for index in range(here, max(-1, here - 3), -1):
            sentence = self.sentences[index]
            named = [
                r
                for r in self.places
                if sentence.start <= r.start and r.end <= min(sentence.end, match.start())
                if r.place.kind == "populated_place"
            ]
            for ref in reversed(named):
                group = [ref, *self.coordinated(ref, sentence.start, min(sentence.end, match.start()))]
                group = [r for r in group if r.place.kind == "populated_place"]
                if len(group) >= 2 and (count is None or len(group) == count):
                    return sorted(group, key=lambda r: r.start)
        return []

    def latest_town(self, position: int, noun: str | None = None) -> PlaceRef | None:
        """The town an anaphor most likely means: recent, often named, named first in its sentence.

        "the village" is never a place the text called a town or city, "the city" never one it called a village.
        """
        here = next((s.index for s in self.sentences if s.start <= position < s.end + 1), len(self.sentences))
        scores: dict[str, float] = {}
        latest: dict[str, PlaceRef] = {}
        first_in_sentence: set[int] = set()
        for ref in self.places:
            if ref.end > position or ref.place.kind != "populated_place":
                continue
            if noun is not None and self._called(ref) in _CLASHES[noun]:
                continue
            index = next((s.index for s in self.sentences if s.start <= ref.start < s.end), here)
            weight = 0.6 ** (here - index)
            if index not in first_in_sentence:
                first_in_sentence.add(index)
                weight *= 2
            scores[ref.place.id] = scores.get(ref.place.id, 0.0) + weight
            latest[ref.place.id] = ref
        if not scores:
            return None
        best = max(scores, key=lambda key: (scores[key], latest[key].start))
        return latest[best]

    def link(
        self, cue: Cue, start: int, end: int, clause_start: int, clause_end: int, sentence: Sentence
    ) -> tuple[PlaceRef | None, str]:
        text = self.text
        refs = self.refs_in(clause_start, clause_end)
        if cue.orientation != "antecedent":  # "20 miles south of Pokrovsk, a hub toward which …": its antecedent
            refs = [r for r in refs if not self.reference_point(r)]
        after_from = start if cue.orientation == "locative" and cue.predicate == "contested" else end
        after = [r for r in refs if r.start >= after_from]
        before = [r for r in refs if r.end <= start]
        if not before and _RELATIVE_START.match(text, clause_start):
            # "Vuhledar, which had 15,000 people, has been under attack": the subject precedes the relative clause
            before = [r for r in self.refs_in(sentence.start, clause_start) if r.end <= clause_start]
        if (
            before
            and before[-1].place.kind == "region"
            and _NAME_IN_BEFORE.search(text, max(0, before[-1].start - 40), before[-1].start)
        ):
            # "Robotyne in Zaporizhzhia Oblast liberated": a region after "in" only says where the named subject lies
            # (not "the Ukrainian forces in Kursk as encircled": the region is where the forces are)
            before = before[:-1]

        def object_ref() -> PlaceRef | None:
            if not after:
                return None
            ref = after[0]
            between = text[end : ref.start] if ref.start >= end else ""
            if len(between) > 60:
                return None
            if cue.predicate == "withdrawn":
                # "withdrawn to the eastern bank of the river": the destination is not the place left
                if _DESTINATION.search(between.split(" from ")[0]) and " from " not in between:
                    return None
                return ref if re.search(r"\b(?:from|of|out)\b", between) or not between.strip() else None
            if cue.predicate == "not_captured" and (
                _PARTIAL.search(between) or _PARTIAL_AFTER.match(text, ref.end - (2 if possessive(ref) else 0))
            ):
                # "still hold positions in the northern part of X": a part held, the rest not: control is contested
                return replace(ref, via=PARTIAL if ref.via == "named" else f"{ref.via}, {PARTIAL}")
            if cue.predicate in ("captured", "advancing_toward", "not_captured") and _BLOCK_OBJECT.search(between):
                return None
            if _UNKNOWN_SETTLEMENT.search(between):
                return None  # "liberated the settlement of Pleshcheyevka of the DPR": the object is a name we lack
            return ref

        def subject_ref() -> PlaceRef | None:
            for ref in reversed(before):
                between = text[ref.end : start]
                # an appositive between commas ("Kurakhove, crucial for ..., was captured") is skipped; a comma
                # inside a number ("15,000") is no clause boundary
                if len(between) > 100 or len(_CLAUSE_COMMA.findall(between)) % 2 == 1:
                    continue
                if _NEW_CLAUSE.search(between):
                    # "... from Vovchansk, he added, and volunteers were driving people out under fire": a clause
                    # with its own subject lies between
                    return None
                if passive and _INFINITIVE_BEFORE.search(text[clause_start : ref.start]):
                    # "the decision to withdraw from the town had been taken": the place is inside an infinitive
                    # phrase; the subject of the passive is the noun before it
                    return None
                return ref
            return None

        def locative_ref() -> PlaceRef | None:
            for ref in after:
                between = text[end : ref.start] if ref.start >= end else ""
                if len(between) > (170 if cue.predicate == "struck" else 90):
                    break
                if cue.predicate == "contested" and _BLOCK_CONTESTED.search(between):
                    return None
                return ref
            return subject_ref()

        def antecedent_ref() -> PlaceRef | None:
            return before[-1] if before and start - before[-1].end <= 100 else None

        orientation = cue.orientation
        first_word = text[start:end].split()[0].lower().strip('"“') if text[start:end].split() else ""
        participle = first_word.endswith("ed") or first_word in {"struck", "hit", "taken", "overrun", "shot"}
        finders = {
            "object": (object_ref,),
            "subject": (subject_ref,),
            "either": (object_ref, subject_ref),
            "locative": (locative_ref,),
            "antecedent": (antecedent_ref,),
        }[orientation]
        passive = cue.passive or (participle and PASSIVE.search(text[clause_start:start]) is not None)
        if orientation in ("object", "locative", "either") and participle and passive:
            finders = (subject_ref, *finders)  # "Kurakhove has been pummeled", "was struck": the place is the subject
        for finder in finders:
            ref = finder()
            if ref is not None:
                if cue.needs_forces and not self.forces_before(clause_start, start):
                    return None, "distance without armed forces as subject"
                return ref, f"{finder.__name__.replace('_ref', '')} of the cue" + (
                    f", {ref.via}" if ref.via != "named" else ""
                )
        object_it = _OBJECT_IT.match(text, end)
        if object_it and orientation != "antecedent" and (object_it["prep"] or cue.predicate != "struck"):
            # a bare "hit it" is as often a bridge or a car as the town: strikes need "in it", "on it"
            town = self.latest_town(start)
            if town is not None:
                return replace(town, via="pronoun"), f"object pronoun «it» → the salient town «{town.surface}»"
        fronted = self.fronted(sentence, start) if cue.predicate in _FRONTED_PREDICATES else None
        if fronted is not None:
            return fronted, f"the locative phrase opening the sentence «{fronted.surface}»"
        if orientation != "antecedent" and _SUBJECT_IT.search(text[clause_start:start].rstrip()):
            town = self.latest_town(start)
            if town is not None:
                return replace(town, via="pronoun"), f"subject pronoun «it» → the salient town «{town.surface}»"
        # strikes fall back only from a verb ("were still shelling"), never from a noun ("artillery shells")
        # "guided bombs hit two districts": the noun is the subject of a strike verb right after it
        verbal = participle or first_word.endswith("ing") or _STRIKE_VERB_AFTER.match(text, end) is not None
        fallback = cue.salient or (cue.predicate in _FALLBACK and (verbal or cue.predicate != "struck"))
        if fallback and not self.refs_in(sentence.start, sentence.end) and not self._unnamed_place(sentence):
            regions = cue.predicate in ("encircled", "not_encircled")
            ref = self.salient(sentence, regions=regions)
            if ref is not None:
                return ref, f"no place in the sentence; the town the text is about: «{ref.surface}»"
        return None, "no place linked"

    def _called(self, ref: PlaceRef) -> str | None:
        """What the text calls a named place: "the town of X", "X, a village on ...", else None."""
        before = _CALLED_BEFORE.search(self.text, max(0, ref.start - 25), ref.start)
        if before:
            return _noun_of(before.group(1))
        after = _CALLED_AFTER.match(self.text, ref.end, ref.end + 60)
        return _noun_of(after.group(1)) if after else None

    def reference_point(self, ref: PlaceRef) -> bool:
        """'east of Kurakhove', 'south of the city': a place that only locates something else."""
        return _REFERENCE_POINT.search(self.text, max(0, ref.start - 30), ref.start) is not None

    def fronted(self, sentence: Sentence, start: int) -> PlaceRef | None:
        """'In Khartoum, fighting continues ...': the place of a locative phrase opening the sentence, for the clause
        right after it (none when the cue's own clause names a place: that was tried first)."""
        refs = self.refs_in(sentence.start, start)
        if not refs or refs[0].via != "named":
            return None
        ref = refs[0]
        if not _FRONTED.match(self.text[sentence.start : ref.start]):
            return None
        closing = _FRONTED_END.match(self.text, ref.end)
        if closing is None or CLAUSE_BREAK.search(self.text, closing.end(), start):
            return None  # another clause between the phrase and the cue
        if _REPORTING.search(self.text, closing.end(), start):
            return None  # "In Kharkiv, officials said ...": the phrase places the speaking, not the event
        return replace(ref, via="fronted")

    def _unnamed_place(self, sentence: Sentence) -> bool:
        """'villages in south Lebanon', 'three Ukrainian cities': the sentence is about places not linked here."""
        # "hit two residential districts": parts of the town the text is about, not other places
        unnamed = _UNNAMED_PLACES.search(_CITY_PARTS.sub(" ", sentence.text))
        if unnamed or _INDEFINITE_PLACE.search(sentence.text):
            return True
        if _ANAPHOR_NOUN.search(sentence.text):
            return True  # "the city" with no antecedent it can mean: not the town of the last sentences either
        # a country, or a front named after a place ("on the Pokrovsk axis"): the sentence is about somewhere else
        return any(sentence.start <= m.start < sentence.end for m in (*self.countries, *self.fronts))

    def salient(self, sentence: Sentence, *, regions: bool = False) -> PlaceRef | None:
        earliest = self.sentences[max(0, sentence.index - 2)].start
        kinds = ("populated_place", "region") if regions else ("populated_place",)
        candidates = [r for r in self.places if earliest <= r.start < sentence.end and r.place.kind in kinds]
        return replace(candidates[-1], via="salient") if candidates else None

    def coordinated(self, ref: PlaceRef, clause_start: int, clause_end: int) -> list[PlaceRef]:
        """The other places listed with ``ref``: "Pokrovsk and Myrnohrad", "Kharkiv, Odesa and Zaporizhzhia".

        A list ends with "and"/"or"; places after it joined by a comma alone ("Kupiansk, Kharkiv region") are an
        apposition, not more items.
        """
        if ref.via.startswith("plural anaphor"):
            others = [r for r in self._groups.get((ref.start, ref.end), []) if r.place.id != ref.place.id]
            return [replace(r, via=f"listed with «{ref.place.name}»") for r in others]
        if ref.via != "named":
            return []
        named = [r for r in self.refs_in(clause_start, clause_end) if r.via == "named"]
        if ref not in named:
            return []
        index = named.index(ref)
        # the chain of places joined by list separators, and whether each join is a conjunction
        first = last = index
        while first > 0 and _COORDINATION.match(self.text[named[first - 1].end : named[first].start]):
            first -= 1
        while last + 1 < len(named) and _COORDINATION.match(self.text[named[last].end : named[last + 1].start]):
            last += 1
        if first == last:
            return []
        joins = [_COORDINATION.match(self.text[named[i].end : named[i + 1].start]) for i in range(first, last)]
        conjunctions = [
            i
            for i, m in zip(range(first, last), joins, strict=True)
            if m and (m["last"] or m["conj"] or m["incl"] or m["last2"] or m["desc"])
        ]
        if conjunctions:
            end = conjunctions[-1] + 1  # the item after the last "and"/"or" closes the list
        elif last - first >= 2 and _OPEN_LIST_END.match(self.text, named[last].end):
            end = last  # "A, B, C and other front-line villages": three or more, closed by "and other ..."
        else:
            return []
        if index > end:
            return []
        seen = {ref.place.id}
        items = []
        for item in named[first : end + 1]:
            if item.place.id not in seen:
                seen.add(item.place.id)
                items.append(replace(item, via=f"listed with «{ref.surface}»"))
        return items

    def forces_before(self, clause_start: int, position: int) -> bool:
        for mention in self.actors.in_span(clause_start, position):
            actor = self.actors.actors.get(mention.actor_id)
            if actor is not None and actor.kind == "military":
                return True
        return False
