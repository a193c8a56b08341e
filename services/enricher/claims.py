"""Claims: per sentence, who asserts what about which place.

For every cue (see ``cues``) in a sentence the extractor
1. drops it when the clause hedges it ("could fall", "aims to capture"), negates it without a predicate for the
   negation, says it was not confirmed ("has yet to confirm the capture"), or puts it in the past ("which fell in
   2023", "after the fall of Avdiivka");
2. links it to a place: the named place in its object or subject position, an anaphor ("the town", "there") read as
   the latest town named, or, for a few cues, the town the last sentences were about;
3. decides the actor (the side that holds / does it — the convention per predicate is in docs/enricher.md),
   the speaker (reported speech, see ``attribution``), the modality and the time it is about.
Then, over the whole article: outlet disclaimers ("could not independently verify the ministry's claims") mark the
claims they cover ``unverified``, and rejections ("dismissed this assertion as false and fabricated") add the
rejecting side's claim: the same predicate, place and actor, with modality ``denied``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime

from newsmon.contracts import Attribution, Place, PlaceMention, Predicate
from newsmon.contracts.claims import Modality
from services.enricher._claim_actor import SIDE_WORDS, infer_actor, own_side_attacked
from services.enricher._claim_blocks import blocking_reason
from services.enricher._lexicon import OPPONENTS
from services.enricher._scan import TRIGGERS, caseless_finditer, caseless_lowered, normalise
from services.enricher.actors import ActorIndex
from services.enricher.attribution import (
    UNATTRIBUTED,
    SpeakerTracker,
    SpeechEvent,
    attribute,
    continue_quotes,
    speech_events,
)
from services.enricher.cues import CUES, NUMBER, UNIT, Cue
from services.enricher.filters import CLAUSE_BREAK, CLAUSE_BREAK_LOWER, NEGATION
from services.enricher.linking import PARTIAL, PASSIVE_ADVERBS, PlaceLinker, PlaceRef
from services.enricher.sentences import Sentence
from services.enricher.timeexpr import TimeExpression, find_times
from services.enricher.verdicts import apply_disclaimers, apply_rejections

_MODAL_AFTER = re.compile(r"^[^.;]{0,40}?\b(?:would|could|will|might|may|can)\b", re.IGNORECASE)
_PLANNED_AFTER = re.compile(
    # "attacks on X had been prepared", "strikes on X were being planned": what was planned has not happened
    r"^(?:(?!\b(?:which|where|that|who|while|after|before|when)\b)[^.;,]){0,30}?\b(?:had|has|have|was|were|is|are)\s+"
    r"(?:been\s+|being\s+)?(?:prepared|planned|plotted|readied|rehearsed)\b",
    re.IGNORECASE,
)
_DEFINITE_ATTACKS = re.compile(
    # "repelled all of the assaults", "beat back these attacks", "All four were repelled", "They were repulsed": the
    # attacks are those of the sentence before
    r"(?:\b(?:repel(?:led|s|ling)?|repulsed|beat\s+back|fought\s+off|thwarted|stopped|halted)\s+"
    r"(?:(?:all|each|both|every\s+one)\s+(?:of\s+)?)?(?:the|these|those|them|all|both|each|every|this|that)\b"
    r"(?!\s+(?:\w+\s+)?(?:near|in|on|at|around|outside|toward|towards)\b)"
    r"|^\W*(?:(?:all|both|each|every\s+one)\s+(?:of\s+)?(?:the\s+|these\s+|them\s+)?(?:\w+\s+){0,2}|they\s+|these\s+\w+\s+"
    r"|the\s+(?:\w+\s+)?(?:attacks|assaults|attempts|offensives|counterattacks)\s+)(?:were|was|have\s+been|had\s+been)\s+"
    rf"{PASSIVE_ADVERBS}(?:repelled|repulsed|beaten\s+back|fought\s+off|thwarted|stopped|halted)\b)",
    re.IGNORECASE,
)
_FINITE_NEGATION = re.compile(
    # "have not withdrawn", "had not been pushed out of", "never retreated": a fact; not "ordered not to withdraw"
    r"(?:\b(?:has|have|had|did|do|does|was|were|is|are|been)\s*(?:not|n['’]t)|\bnever)\b(?!\s+to\b)",
    re.IGNORECASE,
)
_REGION_AFTER = re.compile(r",?\s+in\s+(?:the\s+)?$")
_DISTANCE = re.compile(rf"(?P<num>{NUMBER})\s*(?P<unit>{UNIT})\b", re.IGNORECASE)
_WORDS_TO_NUMBERS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
}
MILE_KM = 1.609344


@dataclass(slots=True)
class ClaimDraft:
    predicate: Predicate
    place: Place
    actor: str | None
    attribution: Attribution
    modality: Modality
    sentence: Sentence
    cue_start: int
    cue_end: int
    cue_text: str
    rule: str
    about: datetime | None = None
    about_text: str | None = None
    distance_km: float | None = None
    trace: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class DroppedCue:
    sentence: int
    rule: str
    text: str
    reason: str


def number_value(token: str) -> float:
    lowered = token.lower()
    if lowered in _WORDS_TO_NUMBERS:
        return float(_WORDS_TO_NUMBERS[lowered])
    return float(lowered.replace(",", ""))


def to_km(value: float, unit: str) -> float:
    return round(value * MILE_KM, 3) if unit.lower().startswith("mi") else value


def clauses_of(sentence: Sentence, lowered: str | None = None) -> list[tuple[int, int]]:
    """Clause spans of the sentence; faster given its ``caseless_lowered`` text."""
    bounds, cursor = [], 0
    breaks = CLAUSE_BREAK.finditer(sentence.text) if lowered is None else CLAUSE_BREAK_LOWER.finditer(lowered)
    for match in breaks:
        bounds.append((sentence.start + cursor, sentence.start + match.start()))
        cursor = match.start()
    bounds.append((sentence.start + cursor, sentence.end))
    return bounds


def _clause_at(clauses: list[tuple[int, int]], position: int) -> tuple[int, int]:
    for start, end in clauses:
        if start <= position < end:
            return start, end
    return clauses[-1]


class ClaimExtractor:
    """Runs over one article's sentences in order."""

    def __init__(
        self,
        text: str,
        sentences: list[Sentence],
        places: list[PlaceMention],
        actors: ActorIndex,
        anchor: datetime | None,
        active: list[set[str]] | None = None,
    ) -> None:
        self.text = text
        self.sentences = sentences
        if active is None:
            normalised = normalise(text)
            active = [TRIGGERS.active(normalised[s.start : s.end]) for s in sentences]
        self.active = active
        """Per sentence, the patterns its words can interest (see ``_scan``)."""
        self.linker = PlaceLinker(text, sentences, places, actors)
        self.actors = actors
        self.anchor = anchor
        self.tracker = SpeakerTracker(actors)
        self.drafts: list[ClaimDraft] = []
        self.dropped: list[DroppedCue] = []
        self.events_by_sentence: dict[int, list[SpeechEvent]] = {}

    # -- the article --------------------------------------------------------------------------------------------
    def run(self) -> tuple[list[ClaimDraft], list[DroppedCue]]:
        for sentence, active in zip(self.sentences, self.active, strict=True):
            # the fast first pass (see _scan); headings too: "X taken - Defence Ministry", "Name: X liberated"
            speaks = "speech" in active or sentence.heading
            events = speech_events(sentence, self.text, self.actors, self.tracker) if speaks else []
            self.events_by_sentence[sentence.index] = events
            self.tracker.note_mentions(self.actors.in_span(sentence.start, sentence.end))
        continue_quotes(self.sentences, self.events_by_sentence)
        for sentence, active in zip(self.sentences, self.active, strict=True):
            cues = [cue for cue in CUES if cue.name in active]
            if not cues or sentence.text.rstrip("”\"' ").endswith("?"):
                continue
            times = find_times(sentence.text, self.anchor, sentence.start) if "time" in active else []
            self._sentence(sentence, self.events_by_sentence[sentence.index], cues, times)
        for sentence, active in zip(self.sentences, self.active, strict=True):
            if "verdict.rejection" in active:
                apply_rejections(self, sentence)
        for sentence, active in zip(self.sentences, self.active, strict=True):
            if "verdict.disclaimer" in active:
                apply_disclaimers(self, sentence)
        return self.drafts, self.dropped

    # -- one sentence ---------------------------------------------------------------------------------------------
    def _sentence(
        self, sentence: Sentence, events: list[SpeechEvent], cues: list[Cue], times: list[TimeExpression]
    ) -> None:
        lowered = caseless_lowered(sentence.text)
        clauses = clauses_of(sentence, lowered)
        taken: list[tuple[int, int]] = []
        for cue in cues:
            for match in caseless_finditer(cue.pattern, cue.lower_pattern, sentence.text, lowered):
                start, end = sentence.start + match.start(), sentence.start + match.end()
                if any(start < t_end and end > t_start for t_start, t_end in taken):
                    continue
                taken.append((start, end))
                self._cue(cue, match, start, end, sentence, clauses, times, events)

    def _attacked_before(
        self, sentence: Sentence, start: int, clause_start: int, window_end: int, cue_text: str
    ) -> list[PlaceRef]:
        """The places struck in the sentence before (or earlier in this one) when the repelled attacks are definite
        ("repelled all of the assaults", "All four were repelled")."""
        if not _DEFINITE_ATTACKS.search(self.text[clause_start:window_end]):
            return []
        places: dict[str, Place] = {}
        for draft in self.drafts:
            same = draft.sentence.index == sentence.index and draft.cue_end <= start
            if draft.predicate == "struck" and (draft.sentence.index == sentence.index - 1 or same):
                places.setdefault(draft.place.id, draft.place)
        return [PlaceRef(place, start, start + len(cue_text), place.name, via="attacked") for place in places.values()]

    def _region_of(self, last: PlaceRef, clause_start: int, clause_end: int) -> list[PlaceRef]:
        """'struck positions near Sumy in the Sumy Region': a strike in a town of a region is one in the region."""
        if last.place.kind != "populated_place":
            return []
        for region in self.linker.refs_in(last.end, clause_end):
            if region.via != "named" or region.place.kind != "region" or region.start - last.end > 14:
                continue
            if _REGION_AFTER.fullmatch(self.text, last.end, region.start) is None:
                continue
            return [replace(region, via=f"the region «{last.surface}» lies in")]
        return []

    def _drop(self, sentence: Sentence, cue: Cue, text: str, reason: str) -> None:
        self.dropped.append(DroppedCue(sentence.index, cue.name, text, reason))

    def _cue(
        self,
        cue: Cue,
        match: re.Match[str],
        start: int,
        end: int,
        sentence: Sentence,
        clauses: list[tuple[int, int]],
        times: list[TimeExpression],
        events: list[SpeechEvent],
    ) -> None:
        text = self.text
        cue_text = match.group(0).strip()
        clause_start, clause_end = _clause_at(clauses, start)
        before = text[max(clause_start, start - 70) : start]
        predicate: Predicate = cue.predicate
        rule = cue.name
        trace: dict[str, str] = {"cue": f"{cue.name} «{cue_text}»"}

        reason = blocking_reason(
            text,
            self.anchor,
            cue,
            before,
            text[clause_start:start],
            text[start:clause_end],
            sentence,
            clause_start,
            clause_end,
            times,
        )
        if reason:
            self._drop(sentence, cue, cue_text, reason)
            return
        if predicate in (
            "captured",
            "encircled",
            "withdrawn",
            "struck",
            "advancing_toward",
            "evacuating",
        ) and not cue.name.startswith("not_"):
            last_words = " ".join(before.split()[-3:])
            if NEGATION.search(last_words):
                if predicate == "captured":
                    predicate, rule = "not_captured", f"{cue.name}+negated"
                elif predicate == "withdrawn" and not cue.nominal and _FINITE_NEGATION.search(last_words):
                    # "Ukrainian units have not withdrawn from X", "were not pushed out of X": they still hold it
                    predicate, rule = "not_captured", f"{cue.name}+negated"
                elif predicate == "encircled":
                    predicate, rule = "not_encircled", f"{cue.name}+negated"
                else:
                    self._drop(sentence, cue, cue_text, f"negated: «{last_words}»")
                    return

        ref, how = self.linker.link(cue, start, end, clause_start, clause_end, sentence)
        items: list[PlaceRef] = []
        if ref is None and cue.name == "not_captured.repelled":
            # "Ukrainian defenders repelled all of the assaults": the places attacked in the sentence before
            items = self._attacked_before(sentence, start, clause_start, min(clause_end, end + 40), cue_text)
            if items:
                how = "the repelled attacks are those of the sentence before"
        if ref is None and not items:
            self._drop(sentence, cue, cue_text, how)
            return
        if ref is not None:
            if predicate == "not_captured" and ref.via.endswith(PARTIAL):
                predicate, rule = "contested", f"{cue.name}+partial"
            # "Pokrovsk and Myrnohrad are surrounded": every place of a list gets the claim
            items = [ref, *self.linker.coordinated(ref, clause_start, clause_end)]
            if predicate == "struck":
                items += self._region_of(items[-1], clause_start, clause_end)
        for item in items:
            item_how = how if item is items[0] else f"{item.via}, {how}"
            self._claim(
                cue,
                match,
                start,
                end,
                sentence,
                clause_start,
                clause_end,
                times,
                events,
                item,
                item_how,
                predicate,
                rule,
                dict(trace),
                cue_text,
            )

    def _claim(
        self,
        cue: Cue,
        match: re.Match[str],
        start: int,
        end: int,
        sentence: Sentence,
        clause_start: int,
        clause_end: int,
        times: list[TimeExpression],
        events: list[SpeechEvent],
        ref: PlaceRef,
        how: str,
        predicate: Predicate,
        rule: str,
        trace: dict[str, str],
        cue_text: str,
    ) -> None:
        text = self.text
        if ref.place.kind not in cue.kinds:
            self._drop(sentence, cue, cue_text, f"{ref.place.name} is a {ref.place.kind}; {cue.predicate} needs a town")
            return
        if cue.nominal and _MODAL_AFTER.search(text[ref.end : clause_end]):
            self._drop(sentence, cue, cue_text, "hypothetical: a modal verb follows")
            return
        if ref.start >= end and _PLANNED_AFTER.search(text[ref.end : clause_end]):
            self._drop(sentence, cue, cue_text, "planned or prepared, not done")
            return
        if cue.name == "not_captured.repelled" and predicate == "not_captured" and own_side_attacked(text, end, ref):
            self._drop(sentence, cue, cue_text, "counterattacks by the place's own side: the repeller does not hold it")
            return
        trace["place"] = f"{ref.place.name} ({ref.place.id}) from «{ref.surface}», {how}"

        side = match.groupdict().get("side")
        explicit = SIDE_WORDS.get(side.lower()) if side else None
        if predicate == "captured" and NEGATION.search(cue_text):
            # "it is not under Russian control": the negation inside the cue; the holder is the other side
            if explicit and explicit == ref.place.country_code:
                self._drop(sentence, cue, cue_text, "negated control by the place's own side: unclear")
                return
            predicate, rule = "not_captured", f"{cue.name}+negated"
            explicit = OPPONENTS.get(explicit) if explicit else None
        elif cue.name == "captured.under_control" and explicit and explicit == ref.place.country_code:
            predicate, rule = "not_captured", f"{cue.name}+own-side"

        event, echoes = attribute(start, events)
        attribution = event.speaker if event else UNATTRIBUTED
        modality: Modality = "asserted"
        if event is not None and event.denial:
            # "Kyiv denied that Russian forces had captured X": the predicate stays, the speaker denies it
            modality, rule = "denied", f"{rule}+denied-by-speaker"
        trace["speaker"] = (
            f"{attribution.name} via «{event.verb}» ({event.scope})" if event else "unattributed (outlet)"
        )

        actor, actor_reason = infer_actor(
            text, self.actors, cue, predicate, match, start, end, clause_start, ref, explicit, attribution
        )
        if cue.name == "captured.under_control" and predicate == "captured" and actor == ref.place.country_code:
            # "X is under the control of the Ukrainian Defense Forces" (X Ukrainian): held, not taken
            predicate, rule = "not_captured", f"{cue.name}+own-side"
        trace["actor"] = f"{actor} — {actor_reason}"

        about, about_text = _time_for(times, start, clause_start, clause_end)
        distance = _distance(cue, match, text[start:clause_end]) if predicate == "advancing_toward" else None
        if about_text:
            trace["time"] = f"«{about_text}» → {about.date() if about else '?'}"
        draft = ClaimDraft(
            predicate,
            ref.place,
            actor,
            attribution,
            modality,
            sentence,
            start,
            end,
            cue_text,
            rule,
            about,
            about_text,
            distance,
            trace,
        )
        self.drafts.append(draft)
        for echo in echoes:
            extra = replace(
                draft,
                attribution=echo.speaker,
                cue_start=echo.start,
                cue_end=echo.end,
                rule=f"{rule}+echoed",
                trace={**trace, "speaker": f"{echo.speaker.name} via «echoed by»"},
            )
            self.drafts.append(extra)

    # -- article level ----------------------------------------------------------------------------------------


def _time_for(
    times: list[TimeExpression], position: int, clause_start: int, clause_end: int
) -> tuple[datetime | None, str | None]:
    in_clause = [t for t in times if clause_start <= t.start < clause_end and t.when is not None]
    pool = in_clause or [t for t in times if t.when is not None and t.precise]
    if not pool:
        return None, None
    nearest = min(pool, key=lambda t: abs(t.start - position))
    return nearest.when, nearest.text


def _distance(cue: Cue, match: re.Match[str], clause_rest: str) -> float | None:
    source = match.group(0) if cue.needs_forces else clause_rest[:120]
    found = _DISTANCE.search(source)
    if found is None:
        return None
    return to_km(number_value(found.group("num")), found.group("unit"))
