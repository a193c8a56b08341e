"""Article-level verdicts, after every sentence was read: rejections and disclaimers.

* A rejection ("dismissed this assertion as false and fabricated", "rejected the claim", "called the report
  fabricated") adds, for each ``captured``/``encircled`` claim of another side in the same or the two previous
  sentences, the rejecting speaker's claim with the same predicate, place and actor and modality ``denied``.
* A disclaimer ("could not independently verify the Russian defense ministry's claims") marks the claims it covers
  ``unverified``: a named source's claims in the whole article, else the attributed claims just before it.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from newsmon.contracts import Attribution
from services.enricher._lexicon import STATES
from services.enricher._scan import TRIGGERS
from services.enricher.actors import name_key
from services.enricher.attribution import UNATTRIBUTED, attribute
from services.enricher.filters import REJECTION, UNVERIFIED
from services.enricher.sentences import Sentence

TRIGGERS.add(
    "verdict.rejection",
    (
        "dismiss",
        "reject",
        "den",
        "refut",
        "call",
        "brand",
        "label",
        "describ",
        "termed",
        "true",
        "untrue",
        "false",
        "fake",
        "fabricat",
        "lie",
        "baseless",
        "groundless",
        "propaganda",
        "nonsense",
        "disinformation",
        "misinformation",
        "fiction",
        "invent",
        "fantas",
        "hoax",
        "myth",
        "disput",
        "rebut",
        "correspond",
    ),
)
TRIGGERS.add("verdict.disclaimer", ("verif", "confirm", "independent", "evidence", "proof"))

_SOURCE_NAMED = re.compile(
    r"^\W*(?:\w+\s+){0,3}?(?:the\s+)?(?P<name>(?-i:[A-Z])[\w’'-]+)['’]s\s+(?:\w+\s+)?(?:claims?|account|assertions?|"
    r"statements?|reports?|version|figures?|allegations?)\b",
    re.IGNORECASE,
)
"""A disclaimer's source named by a possessive: "could not independently verify Smith's claim"."""

_SIDE_OF_WORD = {
    word.lower(): code
    for code, entry in STATES.items()
    for word in (*entry.demonyms, *(f"{n}'s" for n in (*entry.names, *entry.metonyms)))
}
_SIDE_WORDS = "|".join(re.escape(w) for w in sorted(_SIDE_OF_WORD, key=len, reverse=True))
_SIDE_NAMED = re.compile(
    rf"^\W*(?:\w+\s+){{0,2}}?(?:the\s+)?(?P<side>{_SIDE_WORDS})\s+(?:(?:[\w-]+\s+){{0,2}}?)(?:claims?|account|assertions?|"
    r"statements?|reports?|version|figures?|allegations?)\b",
    re.IGNORECASE,
)
"""A disclaimer's source named by its side: "could not independently verify the Russian claim", "Moscow's
figures": the claims of that side's speakers in the whole article."""
_SIDE_SUBJECT = re.compile(
    rf"\b(?P<side>{_SIDE_WORDS})\s+(?:[\w’'-]+\s+){{0,2}}?(?:claims?|account|assertions?|statements?|reports?|"
    r"version|figures?|allegations?)\s+(?:\w+\s+)?$",
    re.IGNORECASE,
)
"""The same as the subject: "Russia's claims could not be independently verified"."""
_DISCLAIMER_OBJECT_END = re.compile(r"[,;:.]|\s(?:but|although|though|while|whereas|as|and\s+(?!its\b))\s")
"""The disclaimer's object ends at the next clause: "..., although Russian forces likely seized it" names no source."""
_MEDIA = re.compile(r"\b(?:footage|videos?|images?|photos?|photographs?|pictures?|clips?|recordings?)\b", re.IGNORECASE)
_OWN_DENIABLE = frozenset({"captured", "encircled", "withdrawn", "struck", "advancing_toward", "evacuating"})
"""A rejection denies the speaker's own mention of an event ("the reports of its capture are false"), never a
holding or a fight it asserts itself in the same sentence ("still holds the outskirts ... and called the reports
of its liberation a fake")."""

if TYPE_CHECKING:
    from services.enricher.claims import ClaimDraft, ClaimExtractor


def apply_rejections(self: ClaimExtractor, sentence: Sentence) -> None:
    from services.enricher.claims import ClaimDraft as Draft  # the two modules refer to each other

    for match in REJECTION.finditer(sentence.text):
        position = sentence.start + match.start()
        events = self.events_by_sentence.get(sentence.index, [])
        rejecting = (
            next((e for e in events if e.start <= position + len(match.group(0)) and e.end >= position), None)
            or attribute(position, events)[0]
        )
        speaker = rejecting.speaker if rejecting else _subject_speaker(self, sentence, position)
        # "The information about the capture of Toretsk is not true": the speaker's own mention, denied
        for own in self.drafts:
            if (
                own.sentence.index == sentence.index
                and own.cue_start < position
                and own.attribution == speaker
                and own.modality == "asserted"
                and own.predicate in _OWN_DENIABLE
            ):
                own.modality = "denied"
                own.rule += "+rejected"
                own.trace["modality"] = f"denied: «{match.group(0)}» in the same sentence"
        targets = [
            d
            for d in self.drafts
            if d.sentence.index == sentence.index
            and d.cue_start < position
            and d.predicate in ("captured", "encircled")
            and d.attribution.side != speaker.side
            and d.attribution != speaker
        ]
        for back in (1, 2):
            if targets:
                break
            targets = [
                d
                for d in self.drafts
                if d.sentence.index == sentence.index - back
                and d.predicate in ("captured", "encircled")
                and d.attribution.side != speaker.side
            ]
        seen: set[tuple[str, str]] = set()
        for target in targets:
            key = (target.place.id, target.predicate)
            if key in seen:
                continue
            seen.add(key)
            # the rejecting speaker denies the very claim: same predicate, place and actor, modality "denied"
            self.drafts.append(
                Draft(
                    target.predicate,
                    target.place,
                    target.actor,
                    speaker,
                    "denied",
                    sentence,
                    sentence.start + match.start(),
                    sentence.start + match.end(),
                    match.group(0),
                    "rejection",
                    trace={
                        "cue": f"rejection «{match.group(0)}» of the {target.predicate} claim in sentence "
                        f"{target.sentence.index + 1} ({target.attribution.name})",
                        "place": f"{target.place.name} ({target.place.id}) from the rejected claim",
                        "speaker": speaker.name,
                        "actor": f"{target.actor} — as in the rejected claim",
                    },
                )
            )


def _subject_speaker(self: ClaimExtractor, sentence: Sentence, position: int) -> Attribution:
    """The subject of a rejection without a reporting verb: "Ukraine's military called the report fabricated"."""
    for mention in reversed(self.actors.in_span(sentence.start, position)):
        actor = self.tracker.resolve(mention)
        if actor is not None:
            return self.tracker.attribution(actor, mention.surface)
    return UNATTRIBUTED


def apply_disclaimers(self: ClaimExtractor, sentence: Sentence) -> None:
    match = UNVERIFIED.search(sentence.text)
    if match is None:
        return
    position = sentence.start + match.end()
    rest = sentence.text[match.end() :]
    object_end = _DISCLAIMER_OBJECT_END.search(rest)
    object_stop = position + (object_end.start() if object_end else len(rest))
    named = [m for m in self.actors.in_span(position, object_stop) if m.pronoun is None]
    side_named = _SIDE_NAMED.match(rest) or _SIDE_SUBJECT.search(sentence.text[: match.start()])
    covered: list[ClaimDraft]
    actor = self.actors.actors.get(named[0].actor_id) if named else None
    every = re.search(
        r"\b(?:either|both|all)\s+(?:sides?['’]?s?|of\s+the|the|claims|reports)", sentence.text[match.end() :]
    )
    if _MEDIA.search(sentence.text[: match.start()]) and not re.search(
        r"\b(?:claims?|reports?|assertions?)\b", sentence.text[: match.start()], re.IGNORECASE
    ):
        # "The footage could not be independently verified": only what the footage shows (this sentence and a
        # sentence before that speaks of footage), never the neighbours' claims
        covered = [
            d
            for d in self.drafts
            if d.sentence.index in (sentence.index, sentence.index - 1) and _MEDIA.search(d.sentence.text)
        ]
        scope = "the claims of the footage it names"
    elif every:
        covered = [
            d for d in self.drafts if d.sentence.index <= sentence.index and d.attribution.name != "unattributed"
        ]
        scope = "the attributed claims before it"
    elif actor is not None and actor.kind not in ("outlet",):
        same_actor = [d for d in self.drafts if d.attribution.actor_id == actor.id]
        covered = same_actor or [d for d in self.drafts if actor.kind == "state" and d.attribution.side == actor.side]
        scope = f"claims of {actor.name} in the article"
    elif side_named is not None:
        side = _SIDE_OF_WORD[side_named.group("side").lower()]
        covered = [d for d in self.drafts if d.attribution.side == side]
        scope = f"claims of {side} speakers in the article («{side_named.group(0).strip()}»)"
    elif source := _SOURCE_NAMED.match(rest):
        # a source we do not know as a speaker: only the claims attributed to that name, never the neighbours'
        key = name_key(source.group("name"))
        covered = [d for d in self.drafts if key and key in name_key(d.attribution.name)]
        scope = f"claims of {source.group('name')} (a named source)"
    else:
        covered = [d for d in self.drafts if d.sentence.index == sentence.index]
        # "Neither account could be verified": the two accounts before it, each in its sentence
        accounts = 2 if re.match(r"\W*(?:neither|none|both)\b", sentence.text[: match.end()], re.IGNORECASE) else 1
        for back in (1, 2):
            previous = [
                d
                for d in self.drafts
                if d.sentence.index == sentence.index - back and d.attribution.name != "unattributed"
            ]
            if previous:
                covered += previous
                accounts -= 1
                if not accounts:
                    break
        scope = "the claims just before it"
    for draft in covered:
        if draft.modality == "asserted":
            draft.modality = "unverified"
            draft.trace["modality"] = f"unverified: «{match.group(0)}» (sentence {sentence.index + 1}) covers {scope}"
