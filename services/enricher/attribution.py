"""Reported speech: who says what in a sentence.

A speech event is a reporting verb ("said", "claimed", "told", "insisted", "according to", "X's assertion that",
"reports from X that", "a claim echoed by X") with its speaker. Its scope decides which cues it covers:
``forward`` (what follows the verb: "X said that ..."), ``backward`` (what precedes it: '"...," X told CNN.'),
``whole`` (the sentence: "According to X, ...", "..., the ministry said, ...") and ``echo`` (a second speaker for
what precedes: "..., a claim echoed by Trump").
Pronoun speakers ("he said", "It said", "the ministry claimed") resolve to the latest speaker of that kind.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Literal

from newsmon.contracts import Actor, Attribution
from services.enricher._actor_patterns import alternation
from services.enricher._lexicon import ROLE_NOUNS
from services.enricher._scan import TRIGGERS, first_characters
from services.enricher.actors import ActorIndex, ActorMention
from services.enricher.sentences import Sentence

Scope = Literal["forward", "backward", "whole", "echo"]

_SPEECH_WORDS = (
    r"said|says|say|saying|told|tells|stated|states|stating|claimed|claims|claiming|asserted|asserts|"
    r"asserting|insisted|insists|insisting|reported|reports|reporting|announced|announces|announcing|confirmed|"
    r"confirms|added|adds|wrote|writes|noted|notes|warned|warns|stressed|stresses|argued|argues|alleged|alleges|"
    r"denied|denies|denying|dismissed|dismisses|dismissing|disputed|disputes|disputing|rejected|rejects|refuted|"
    r"characteri[sz]ed|characteri[sz]es|described|describes|acknowledged|admitted|declared|explained|posted|"
    r"reiterated|cautioned|indicated|suggested|urged|urges|urging|questioned|went\s+on\s+to\s+(?:assert|say|claim)|"
    r"quoted\s+as\s+saying|cast\s+doubt|casting\s+doubt"
)
SPEECH_VERB = re.compile(rf"\b{first_characters(_SPEECH_WORDS)}(?:{_SPEECH_WORDS})\b", re.IGNORECASE)
SPEECH_TRIGGERS = (
    "said",
    "say",
    "says",
    "saying",
    "told",
    "tell",
    "stated",
    "states",
    "stating",
    "statement",
    "claim",
    "assert",
    "insist",
    "report",
    "announc",
    "confirm",
    "added",
    "adds",
    "adding",
    "wrote",
    "writ",
    "noted",
    "notes",
    "warn",
    "stress",
    "argu",
    "alleg",
    "denied",
    "deny",
    "denies",
    "denying",
    "dismiss",
    "disput",
    "reject",
    "refut",
    "characteri",
    "describ",
    "acknowledg",
    "admit",
    "declar",
    "explain",
    "posted",
    "reiterat",
    "caution",
    "indicat",
    "suggest",
    "urg",
    "question",
    "went",
    "quoted",
    "cast",
    "according",
    "echoed",
    "repeated",
    "backed",
    "shared",
    "endorsed",
    "supported",
    "amplified",
)
"""Word prefixes of every reporting verb and phrase below: sentences without one have no reported speech."""
TRIGGERS.add("speech", SPEECH_TRIGGERS)
DENIAL_VERB = re.compile(r"^(?:denied|denies|denying|rejected|rejects|refuted|dismissed|dismisses|dismissing)$", re.I)
_PARTICIPLE = re.compile(r"^(?:saying|stating|claiming|insisting|adding|noting|warning|asserting|arguing)$", re.I)
_BE = "is|are|was|were|be|been|being"
_PASSIVE_BEFORE = re.compile(rf"\b{first_characters(_BE)}(?:{_BE})\s+(?:\w+ly\s+)?$", re.IGNORECASE)
_ACCORDING = re.compile(r"\baccording\s+to\b", re.IGNORECASE)
_NOMINAL_REPORT = re.compile(
    r"(?:['’]s\s+(?:assertion|claim|statement|report|announcement|insistence|view)s?\s+that\b)"
    r"|\b(?:reports?|claims?|statements?)\s+(?:from|by)\s+",
    re.IGNORECASE,
)
_ECHO = re.compile(
    r"\b(?:a|the|this)\s+(?:claim|assertion|view|statement|position|line)\s+(?:later\s+|also\s+)?(?:echoed|repeated|"
    r"backed|shared|endorsed|supported|amplified)\s+by\s+",
    re.IGNORECASE,
)
_END_AFTER = re.compile(
    r"^\s*(?:(?:[A-Z][\w.]*|on|in|to|at|via)(?:\s+(?:[A-Z][\w.]*|on|in|to|at|via|the|a|its|his|her|\w+day)){0,4})?"
    r"\s*(?:on\s+\w+|in\s+\w+(?:\s+\w+)?|\w+day)?\s*(?:[.!?\"”]|,|$)"
)
"""After a reporting verb whose content came before it: "told CNN.", "said Saturday, a claim ...", "said on
Telegram."."""
_ADJUNCT_AFTER = re.compile(
    r"\s*(?:(?:in|on|at|to|via|by|from|during|through|over|with|without|after|before|as|late|early|earlier|later|"
    r"last|this|overnight|today|tonight|yesterday|also|again|separately|previously|\w+ly|\w+day)\b|[^\w\s]|$)",
    re.IGNORECASE,
)
_ADJUNCT_THEN_PARTICIPLE = re.compile(
    r"\s+(?:in|on|at|via|during|through|after|late|early)\s+(?:(?!\bthat\b)[^,.;:\"“”]){1,40},\s+[a-z]+ing\b"
)
"""After a reporting verb: an adjunct, then a participle clause ("said in its evening report, listing ...")."""
_REDUCED_PASSIVE = re.compile(r"\s+to\s+[a-z]")
_MUTE = re.compile(
    r"(?:drones|missiles|rockets|jets|warplanes|aircraft|bombers|helicopters|aviation|artillery|tanks|warships|"
    r"strikes|airstrikes|attacks|shelling|bombardment)$",
    re.IGNORECASE,
)
"""Force nouns that cannot be speakers."""
_ADDRESSEE_VERBS = frozenset({"told", "tells", "wrote", "writes", "posted", "urged", "urges", "warned", "warns"})


def _content_object(verb: str, after: str) -> bool:
    """'..., Ukraine's General Staff reported Russian attacks near X': what follows the verb is its content (a
    noun phrase or a clause), not an adjunct ("said on Telegram", "said in a statement") or an addressee ("told
    reporters")."""
    return verb.lower() not in _ADDRESSEE_VERBS and _ADJUNCT_AFTER.match(after) is None


_SUBORDINATE_SPEAKER = re.compile(
    r"\b(?:after|before|when|whenever|while|because|since|until|once|although|though|whereas)\s+"
    rf"(?:[\w.’'-]+\s+){{0,6}}?(?:(?:{alternation(ROLE_NOUNS)}),\s+)?$",
    re.IGNORECASE,
)
"""The text before a speaker that opens a subordinate clause: "..., after the army's spokesman, <Name>, warned"
(a comma only after a role: in "after the assault, the ministry said" the speaker opens the main clause)."""
_ADDRESSEE_THEN_CONTENT = re.compile(r"\s+(?:[\w.’'-]+\s+){1,5}?(?:that|how|whether)\s")
"""After "told"/"wrote to": a short addressee, then a content clause ("told national television that ...")."""
_CONTENT_AFTER = re.compile(r"\s*(?:that|how|whether|it|they|he|she|its|their)\b|\s*[:“\"]", re.IGNORECASE)
_INVERTED = re.compile(r"(?:[”\"]\s*,?|,\s*[”\"])\s*$")
_INVERTIBLE_VERBS = frozenset({"said", "says", "added", "adds", "wrote", "writes", "insisted", "stated"})
_DATELINE_AGENCY = re.compile(r"\)\s*[-–—]")
_FINITE_AFTER = re.compile(
    r"\s+(?:had|has|have|were|was|is|are|would|will|could|may|might|must|did|do|does|\w+ed)\b", re.IGNORECASE
)
_PRONOUNS = frozenset({"he", "she", "it", "they", "him", "her", "them"})
_OBJECT_PRONOUN = re.compile(r"\s+(him|her|them)\b")
_ORG_KINDS = frozenset({"state", "military", "ministry", "grouping", "media", "organisation", "outlet"})
UNATTRIBUTED = Attribution(name="unattributed")
_cased = {"_ACCORDING": _ACCORDING, "_NOMINAL_REPORT": _NOMINAL_REPORT, "_ECHO": _ECHO, "SPEECH_VERB": SPEECH_VERB}
_lower = {name: re.compile(pattern.pattern) for name, pattern in _cased.items()}
"""The same patterns for lower-cased text: several times faster than IGNORECASE."""


_NOMINAL_WORDS = ("assertion", "claim", "statement", "report", "announcement", "insistence", "view")
"""One of these is in every match of ``_NOMINAL_REPORT``."""
_ECHO_WORDS = ("echoed", "repeated", "backed", "shared", "endorsed", "supported", "amplified")
"""One of these is in every match of ``_ECHO``."""
_DETERMINER_END = re.compile(r"(?:['’]s|\b(?:the|these|those|such|its|their|his|her|our|of|any|some))$", re.IGNORECASE)


def _is_noun_use(before: str) -> bool:
    r"""True when a reporting word is used as a noun: its preceding text ends in a determiner or a possessive
    ("Russia's claims", "these reports") or in another reporting word ("dismissed reports"), then blanks.

    Same answer as searching ``(?:'s|\b(?:the|...))\s+$`` and ``\b(\w+)\s+$`` in ``before``, without
    scanning all of it: only its last word matters.
    """
    stripped = before.rstrip()
    if len(stripped) == len(before):
        return False  # no blank before the verb
    if _DETERMINER_END.search(stripped, max(0, len(stripped) - 5)):
        return True
    start = len(stripped)
    while start > 0 and (stripped[start - 1].isalnum() or stripped[start - 1] == "_"):
        start -= 1
    return start < len(stripped) and SPEECH_VERB.fullmatch(stripped, start) is not None


@lru_cache(maxsize=8192)
def _attribution(name: str, actor_id: str, side: str | None, role: str | None) -> Attribution:
    """Built once per speaker: attributions are immutable and validating a contract is not cheap."""
    return Attribution(name=name, actor_id=actor_id, side=side, role=role)


@dataclass(frozen=True, slots=True)
class SpeechEvent:
    start: int
    end: int
    verb: str
    scope: Scope
    speaker: Attribution
    denial: bool = False
    until: int | None = None
    """Where a forward scope ends (a nominal report in a "Despite ..." phrase ends at its comma)."""


class SpeakerTracker:
    """Walks the article in order and remembers the latest speakers, for pronouns."""

    def __init__(self, actors: ActorIndex) -> None:
        self._actors = actors
        self.last_person: Actor | None = None
        self.last_organisation: Actor | None = None
        self.last_group: Actor | None = None
        """The latest speaker "they" can be: officials, authorities, an institution."""
        self.last_by_kind: dict[str, Actor] = {}
        self.last_state_military: Actor | None = None

    def attribution(self, actor: Actor, surface: str) -> Attribution:
        named = actor.kind != "person" or actor.id.startswith("person:") or surface.lower() in _PRONOUNS
        name = actor.name if named else surface
        return _attribution(name, actor.id, actor.side, actor.role)

    def resolve(self, mention: ActorMention) -> Actor | None:
        if mention.pronoun is None:
            return self._actors.actors.get(mention.actor_id)
        word = mention.surface.lower()
        if "army" in word or "military" in word or "junta" in word:
            # "the army": a state's, not an armed group's ("the RSF ... the army"); the one that spoke last, else
            # the one named last ("Myanmar's military has regained X, the junta said")
            if self.last_state_military is not None:
                return self.last_state_military
            named = [
                m.actor_id
                for m in self._actors.mentions
                if m.pronoun is None and m.end <= mention.start and m.actor_id.endswith(".military")
            ]
            return self._actors.actors.get(named[-1]) if named else None
        for kind in ("ministry", "grouping", "general staff"):
            if kind in word:
                wanted = {"general staff": "military"}.get(kind, kind)
                return self.last_by_kind.get(wanted) or self.last_organisation
        if mention.pronoun == "person":
            return self.last_person
        if mention.pronoun == "group":
            return self.last_group
        return self.last_organisation

    def note(self, actor: Actor) -> None:
        if _plural_people(actor):
            self.last_group = actor  # "local officials ... They said": not a "he"
        elif actor.kind == "person":
            self.last_person = actor
        elif actor.kind in _ORG_KINDS:
            self.last_organisation = actor
            if actor.kind not in ("state", "outlet", "media"):
                self.last_group = actor
        self.last_by_kind[actor.kind] = actor
        if actor.kind == "military" and not actor.id.startswith("org:"):
            self.last_state_military = actor

    def note_mentions(self, mentions: list[ActorMention]) -> None:
        for mention in mentions:
            if mention.pronoun is None:
                actor = self._actors.actors.get(mention.actor_id)
                if actor is not None and actor.kind == "person" and self.last_person is None:
                    self.last_person = actor


_POSSESSIVE_GAP = re.compile(r"['’]s\s+[^,;]*?(?:\band\b|\bor\b|[\"“”])")
"""A possessive in the object of an earlier verb coordinated with the reporting verb ("called Prigozhin's statement
"not true" and said"); "Russia's top general has said" and "Zelensky's office said" keep the possessor."""


def _inverted_without_quote(before: str, verb: str, base: int, mentions: list[ActorMention], text: str) -> bool:
    """ "X was not encircled, said Y, a spokesman": a comma before the verb and the speaker right after it; not when
    the speaker ends at the comma ("Y, a spokesman for the army, Z, said"), closes a relative clause ("The ministry,
    which ..., said") or the words after the verb are a clause of their own ("..., said Russian forces had ...")."""
    lead = before.rstrip()
    if not lead.endswith(",") or verb.lower() not in _INVERTIBLE_VERBS:
        return False
    comma = base + len(lead) - 1
    if any(comma - 2 <= m.end <= comma for m in mentions) or _RELATIVE_BEFORE.search(lead):
        return False
    verb_end = base + len(before) + len(verb)
    after = next((m for m in mentions if verb_end <= m.start <= verb_end + 6), None)
    return after is not None and not _FINITE_AFTER.match(text, after.end)


def _plural_people(actor: Actor) -> bool:
    """A group of people named by a plural role ("Russian-installed officials", "local authorities")."""
    return actor.kind in ("person", "organisation") and not actor.id.startswith("person:") and actor.name.endswith("s")


_RELATIVE_BEFORE = re.compile(r",\s+(?:which|who|whose)\s[^;:\"“”]*,\s*$")
"""A non-restrictive relative clause right before a reporting verb: "The RSF, which has fought the army since
April, acknowledged ...": the speaker is before it (and a side named inside it is not)."""


def _speaker_before(
    mentions: list[ActorMention], position: int, floor: int, tracker: SpeakerTracker, text: str
) -> tuple[Actor, str] | None:
    window = max(floor, position - 200)
    relative = _RELATIVE_BEFORE.search(text, window, position) if "," in text[window:position] else None
    if relative is not None:
        position = relative.start()
    for mention in reversed(mentions):
        if mention.end > position or mention.end < floor:
            continue
        if position - mention.end > 70:
            return None
        gap = text[mention.end : position]
        if _POSSESSIVE_GAP.match(gap):
            continue  # "X, ..., called Prigozhin's statement false and said": the possessor is not the subject
        if re.search(r"\b(?:that|which|who)\b", gap) and not re.search(r",\s*$", gap):
            return None
        if _MUTE.search(mention.surface):
            return None  # "Russian drones ... told": weapons and strikes say nothing
        if _DATELINE_AGENCY.match(text, mention.end):
            return None  # "KYIV, Dec 17 (Reuters) - X said": the agency filed the story, X is the speaker
        actor = tracker.resolve(mention)
        if actor is not None:
            return actor, mention.surface
    return None


def _speaker_after(
    mentions: list[ActorMention], position: int, limit: int, tracker: SpeakerTracker
) -> tuple[Actor, str] | None:
    for mention in mentions:
        if mention.start >= position and mention.start - position <= limit:
            actor = tracker.resolve(mention)
            if actor is not None:
                return actor, mention.surface
    return None


_HEADING_DASH = re.compile(r"\s[-–—]\s+(?=\S)[^-–—:]{2,60}$")
"""A headline's trailing source: "Russian troops take X - Defence Ministry"."""
_HEADING_COLON = re.compile(r"^[^:\"“”]{2,60}:\s")
"""A headline's leading source: "Maliar: X liberated"."""
_HEADING_SPEAKER_KINDS = frozenset({"person", "ministry", "military", "grouping", "organisation", "media", "outlet"})


def _heading_speakers(sentence: Sentence, mentions: list[ActorMention], tracker: SpeakerTracker) -> list[SpeechEvent]:
    """Headlines name their source without a verb: "<content> - <source>" and "<source>: <content>". The source
    must be an actor that fills its slot (a state before a colon is a location: "Ukraine: drones hit Sumy")."""
    body = sentence.text.rstrip()
    base = sentence.start
    slots = []
    dash = _HEADING_DASH.search(body)
    if dash is not None:
        slots.append((base + dash.start(), base + len(body)))
    colon = _HEADING_COLON.match(body)
    if colon is not None:
        slots.append((base, base + colon.end()))
    found: list[SpeechEvent] = []
    for start, end in slots:
        slot = sentence.text[start - base : end - base].strip(" -–—:")
        for mention in mentions:
            if mention.start < start or mention.end > end:
                continue
            actor = tracker.resolve(mention)
            # the mention must be the whole slot but a few words ("the Russian Defence Ministry", "MoD")
            if actor is None or actor.kind not in _HEADING_SPEAKER_KINDS or len(slot) - len(mention.surface) > 12:
                continue
            found.append(
                SpeechEvent(start, end, "headline source", "whole", tracker.attribution(actor, mention.surface))
            )
            tracker.note(actor)
            break
    return found


def speech_events(sentence: Sentence, text: str, actors: ActorIndex, tracker: SpeakerTracker) -> list[SpeechEvent]:
    """Speech events of one sentence, in order. Updates the tracker with the speakers found."""
    mentions = actors.in_span(sentence.start, sentence.end)
    body = sentence.text
    lowered = body.lower()
    if len(lowered) != len(body):  # rare characters that grow when lower-cased: match the text itself
        lowered = body
    search = _lower if lowered is not body else _cased
    base = sentence.start
    events: list[SpeechEvent] = []
    if sentence.heading:
        events.extend(_heading_speakers(sentence, mentions, tracker))
    # the cheap substring tests below only skip patterns that cannot match (not on the rare unlowered text)
    exact = lowered is body
    for match in search["_ACCORDING"].finditer(lowered) if exact or "according" in lowered else ():
        pronoun = _OBJECT_PRONOUN.match(lowered, match.end())
        if pronoun is not None:
            # "According to him, ...": the latest speaker of that kind, not the next actor named
            referent = tracker.last_group if pronoun.group(1) == "them" else tracker.last_person
            if referent is not None:
                events.append(
                    SpeechEvent(
                        base + match.start(),
                        base + match.end(),
                        "according to",
                        "whole",
                        tracker.attribution(referent, pronoun.group(1)),
                    )
                )
            continue
        found = _speaker_after(mentions, base + match.end(), 40, tracker)
        if found:
            events.append(
                SpeechEvent(
                    base + match.start(), base + match.end(), "according to", "whole", tracker.attribution(*found)
                )
            )
    nominal = exact or any(word in lowered for word in _NOMINAL_WORDS)
    for match in search["_NOMINAL_REPORT"].finditer(lowered) if nominal else ():
        if match.group(0).startswith(("'", "’")):
            found = _speaker_before(mentions, base + match.start(), sentence.start, tracker, text)
        else:
            found = _speaker_after(mentions, base + match.end(), 40, tracker)
        if found:
            comma = re.search(r"[,;]\s|[”\"],?\s", body[match.end() :])
            until = base + match.end() + comma.start() if comma else None
            events.append(
                SpeechEvent(
                    base + match.start(),
                    base + match.end(),
                    match.group(0).strip(),
                    "forward",
                    tracker.attribution(*found),
                    until=until,
                )
            )
    echoed = exact or any(word in lowered for word in _ECHO_WORDS)
    for match in search["_ECHO"].finditer(lowered) if echoed else ():
        found = _speaker_after(mentions, base + match.end(), 60, tracker)
        if found:
            events.append(
                SpeechEvent(base + match.start(), base + match.end(), "echoed by", "echo", tracker.attribution(*found))
            )
    for match in search["SPEECH_VERB"].finditer(lowered):
        verb = match.group(0)
        before = body[: match.start()]
        if body[match.start()].isupper() and before.strip(" \"“‘'") and not before.rstrip().endswith((".", ":")):
            continue  # a capitalised word inside the sentence is a name: "the United States", "Daily Reports"
        if _is_noun_use(before):
            continue  # a noun: "Russia's claims", "these reports", "dismissed reports"
        passive = _PASSIVE_BEFORE.search(before) is not None and not verb.lower().endswith("ing")
        if passive and "quoted" not in verb.lower():
            continue
        if _REDUCED_PASSIVE.match(body, match.end()) and verb.lower() in _ADDRESSEE_VERBS:
            continue  # "families told to leave": the families were told, they do not speak
        found = None
        if _PARTICIPLE.match(verb) and before.rstrip().endswith(","):
            # "..., saying that": the speaker is the subject of the clause before
            previous = [e for e in events if e.start < base + match.start() and e.scope != "echo"]
            if previous:
                found_event = previous[-1]
                events.append(
                    SpeechEvent(
                        base + match.start(),
                        base + match.end(),
                        verb,
                        "forward",
                        found_event.speaker,
                        denial=found_event.denial,
                    )
                )
                continue
        scope: Scope
        if _INVERTED.search(before) or _inverted_without_quote(before, verb, base, mentions, text):
            # '"Fighting continues in the city," said Viktor Trehubov', "X was not encircled, said Y, a spokesman":
            # the speaker follows the verb
            found = _speaker_after(mentions, base + match.end(), 6, tracker)
            if found is not None:
                events.append(
                    SpeechEvent(
                        base + match.start(),
                        base + match.end(),
                        verb,
                        "backward",
                        tracker.attribution(*found),
                        denial=DENIAL_VERB.match(verb) is not None,
                    )
                )
                tracker.note(found[0])
                continue
        found = found or _speaker_before(mentions, base + match.start(), sentence.start, tracker, text)
        if found is None:
            continue
        actor, surface = found
        after = body[match.end() :]
        # where the speaker's mention starts: the last before the verb, not one inside a relative clause closed
        # before it ("The TNLA, which captured X in Myanmar's Shan State, said ...")
        relative = _RELATIVE_BEFORE.search(text, max(base, base + match.start() - 200), base + match.start())
        limit = relative.start() if relative is not None else base + match.start()
        speaker_start = max((m.start for m in mentions if m.end <= limit), default=base)
        lead = body[: speaker_start - base]
        if _SUBORDINATE_SPEAKER.search(lead):
            # "X bombed Y after the army's spokesman warned residents to leave": the speaker's words are in its own
            # subordinate clause, the main clause is not theirs
            scope = "forward"
        elif lead.rstrip().endswith(",") and (after.lstrip().startswith(",") or _ADJUNCT_THEN_PARTICIPLE.match(after)):
            # "..., the ministry said, Kyiv had ...", "..., the General Staff said in its report, listing ...": the
            # speaker's words on both sides
            scope = "whole"
        elif (
            re.search(r"(?:[,“\"]|[”\"],?)\s*(?:[\w.’'-]+\s+){0,4}$", lead)
            and (
                _END_AFTER.match(after)
                or (len(after.strip()) <= 80 and not _CONTENT_AFTER.match(after) and not _content_object(verb, after))
            )
            # "Their spokesman, X, told national television that ...": an addressee, then the content
            and not (verb.lower() in _ADDRESSEE_VERBS and _ADDRESSEE_THEN_CONTENT.match(after))
        ):
            scope = "backward"  # "<content>, the MoD said in a statement carried by TASS on Sunday."
        else:
            scope = "forward"
        events.append(
            SpeechEvent(
                base + match.start(),
                base + match.end(),
                verb,
                scope,
                tracker.attribution(actor, surface),
                denial=DENIAL_VERB.match(verb) is not None,
            )
        )
        tracker.note(actor)
    events.sort(key=lambda e: e.start)
    return events


def attribute(position: int, events: list[SpeechEvent]) -> tuple[SpeechEvent | None, list[SpeechEvent]]:
    """The speech event covering a cue at ``position``, plus echo events that add speakers."""
    forward = [
        e
        for e in events
        if e.scope in ("forward", "whole")
        and (e.end <= position or e.start == position)  # a cue may begin with the verb: "he urged families to leave"
        and (e.until is None or position < e.until)
    ]
    chosen: SpeechEvent | None = forward[-1] if forward else None
    if chosen is None:
        backward = [e for e in events if e.scope == "backward" and e.start >= position]
        chosen = backward[0] if backward else None
    if chosen is None:
        whole = [e for e in events if e.scope == "whole"]
        chosen = whole[0] if whole else None
    echoes = [e for e in events if e.scope == "echo" and e.start >= position]
    return chosen, echoes


def _opens_quote(text: str) -> bool:
    return text.startswith(('"', "“")) and (text.count('"') % 2 == 1 or text.count("“") > text.count("”"))


def continue_quotes(sentences: Sequence[Sentence], events_by_sentence: dict[int, list[SpeechEvent]]) -> None:
    """Quotations over several sentences: each sentence of the quotation is its speaker's.

    * '"The report is not true. Fighting continues," said X': the first sentence takes the speaker named after it;
    * '"The town holds," X said. "It is hard. But it has not fallen."': a quotation that goes on after its
      attribution, in the same paragraph and with no speaker of its own, stays X's, sentence by sentence until the
      quotation closes.
    """
    for sentence in sentences[:-1]:
        text = sentence.text.lstrip()
        if not _opens_quote(text) or events_by_sentence.get(sentence.index):
            continue
        following = events_by_sentence.get(sentence.index + 1, [])
        closing = [e for e in following if e.scope == "backward"]
        if closing:
            events_by_sentence[sentence.index] = [replace(closing[0], scope="whole")]
    speaker: SpeechEvent | None = None  # the speaker of the quotation under way
    open_quote = False
    previous: Sentence | None = None
    for sentence in sentences:
        text = sentence.text.strip()
        events = events_by_sentence.get(sentence.index, [])
        same_paragraph = previous is not None and previous.paragraph == sentence.paragraph
        if not same_paragraph:
            speaker, open_quote = None, False
        quoted = text.startswith(('"', "“")) or open_quote
        if not events and quoted and speaker is not None and same_paragraph:
            events_by_sentence[sentence.index] = [replace(speaker, scope="whole", denial=False)]
        elif events:
            quoting = [e for e in events if e.scope in ("backward", "whole")]
            speaker = quoting[-1] if quoting and ('"' in text or "“" in text) else None
        elif not quoted:
            speaker = None
        quotes = text.count('"') + text.count("“") + text.count("”")
        open_quote = (open_quote and quotes % 2 == 0) or (not open_quote and quotes % 2 == 1)
        previous = sentence
