"""The actor of a claim: the side that holds or does what its cue says (the convention per predicate is in
docs/enricher.md), read off the sentence around the cue, else inferred from the country of the place."""

from __future__ import annotations

import re

from newsmon.contracts import Attribution, Predicate
from services.enricher._lexicon import OPPONENTS, STATES
from services.enricher._scan import first_characters
from services.enricher.actors import ActorIndex
from services.enricher.cues import Cue
from services.enricher.linking import PASSIVE_ADVERBS, PlaceRef

_BE = "is|are|was|were|been|being"

SIDE_WORDS: dict[str, str] = {}
"""The state of each of its names, demonyms and metonyms, lower-cased."""
for _code, _entry in STATES.items():
    for _word in (*_entry.names, *_entry.demonyms, *_entry.metonyms):
        SIDE_WORDS[_word.lower()] = _code
_SIDE_ALTERNATION = "|".join(sorted(map(re.escape, SIDE_WORDS), key=len, reverse=True))
_DEMONYM_ALTERNATION = "|".join(
    sorted({re.escape(d) for entry in STATES.values() for d in entry.demonyms}, key=len, reverse=True)
)
_BY_SIDE = re.compile(
    rf"^[^.;\"“”]{{0,60}}?\b(?P<prep>by|from|of)\s+(?:the\s+)?(?P<side>{_SIDE_ALTERNATION})\b", re.IGNORECASE
)
_CLAIMANT_BEFORE = re.compile(
    rf"\b(?P<side>{_SIDE_ALTERNATION})(?:['’]s)?\s+(?:claims?|assertions?|reports?)\s+"
    r"(?:to\s+have|(?:that\s+)?(?:it|they|its\s+(?:forces|troops))\s+(?:had|has|have))\s+(?:\w+ly\s+)?$",
    re.IGNORECASE,
)
_OWN_FORCES = re.compile(
    r"\b(?:its|their|our|it|they|we)\b(?:\s+(?:own\s+)?(?:forces|troops|army|military|units|soldiers|fighters|men|"
    r"servicemen|personnel|brigades|defenders))?"
    r"(?:\s+(?:have|has|had|were|was|are|is))?(?:\s+\w+ly)?(?:\s+also)?\s*[\"“]?\s*$",
    re.IGNORECASE,
)
_MODIFIER_SIDE = re.compile(
    # "Israeli strikes", "Russian drone attacks", "Israeli jets had bombed", "Russian aviation and artillery also
    # struck": the side word opening the noun phrase right before the cue
    rf"(?<![\w-])(?:(?P<side>{_DEMONYM_ALTERNATION})|(?P<owner>{_SIDE_ALTERNATION})['’]s)\s+"
    r"(?:(?!(?:of|on|in|at|near|against|the|a|an|that|said|says|say|reported|by|to|from|with|for|was|were|is|are|been|"
    r"being|who|which)\b)[a-z][\w-]*\s+){0,4}$",
    re.IGNORECASE,
)
_RETAKE = re.compile(r"\b(?:liberat|recaptur|retook|retaken|retake|reclaim|regain|return)", re.IGNORECASE)
_SPEAKER_OF = re.compile(
    r"\s+(?:(?:also|later|again|earlier|has|have|had|on\s+\w+|\w+ly)\s+)*(?:said|says|told|reported|reports|"
    r"claimed|claims|announced|stated|added|wrote|posted|confirmed|denied|denies|rejected|rejects|disputed|"
    r"disputes|dismissed|dismisses)\b",
    re.IGNORECASE,
)
_CLOSED_SUBORDINATE = re.compile(
    r"\b(?:where|when|after|since|because|while|although|though|once|which|who)\b[^,;.]*,", re.IGNORECASE
)
_OUR_AFTER = re.compile(r"\w*\s+(?:\w+\s+)?our\b", re.IGNORECASE)
_ADDRESSING_VERBS = frozenset({"told", "tells", "telling", "urged", "urges", "urging", "warned", "warns", "asked"})
_SELF_REFERENCE = re.compile(r"\b(?:it|its|they|their|we|our)\b", re.IGNORECASE)
_PASSIVE = re.compile(rf"\b{first_characters(_BE)}(?:{_BE})\s+{PASSIVE_ADVERBS}$", re.IGNORECASE)
_COUNTER = re.compile(
    # "repelled four counterattacks by Ukrainian assault groups near X": the attackers came from the place's side
    r"^\s+(?:[\w-]+\s+){0,3}?counter-?(?:attacks?|offensives?|assaults?|strikes?)\b",
    re.IGNORECASE,
)
_ATTACKER_SIDE = re.compile(rf"^\s+(?:[\w-]+\s+){{0,2}}?(?P<side>{_DEMONYM_ALTERNATION})\b", re.IGNORECASE)
_REPELLED_BEFORE = re.compile(
    r"\b(?:repel\w*|repulsed|fought\s+off|thwarted|beat\s+back|fended\s+off)\s+(?:[\w,-]+\s+){0,4}$", re.IGNORECASE
)
_AGENT_KINDS = frozenset({"state", "military", "grouping", "ministry", "organisation"})


def own_side_attacked(text: str, end: int, ref: PlaceRef) -> bool:
    """'repelled four counterattacks by Ukrainian assault groups near X' (X Ukrainian): the repelled attackers are
    the place's own side, so the repelling side does not hold it."""
    after = text[end : end + 80]
    if _COUNTER.match(after):
        return True
    side = _BY_SIDE.match(after) or _ATTACKER_SIDE.match(after)
    if side is None:
        return False
    return SIDE_WORDS.get(side.group("side").lower()) == ref.place.country_code


def _agent_before(text: str, actors: ActorIndex, clause_start: int, position: int) -> tuple[str, str] | None:
    # "Ukraine war live: drones hit Sumy": a heading before a colon is no subject
    colon = text.rfind(": ", clause_start, position)
    if colon != -1:
        clause_start = colon + 1
    own = _OWN_FORCES.search(text[max(clause_start, position - 45) : position])
    # "Further east, where Russian troops crossed into the region, the council ordered the evacuation": the
    # subject of a subordinate clause closed before the cue does not do it
    closed = [m.span() for m in _CLOSED_SUBORDINATE.finditer(text, clause_start, position)]
    mentions = [
        m
        for m in actors.in_span(clause_start, position)
        if m.pronoun is None and not any(a <= m.start < b for a, b in closed)
    ]
    for mention in reversed(mentions):
        actor = actors.actors.get(mention.actor_id)
        if actor is None or actor.side is None or actor.kind not in _AGENT_KINDS:
            continue
        possessive = own is not None and own.group(0).split()[0].lower() in ("its", "their")
        if own and own.start() + max(clause_start, position - 45) > mention.end and not possessive:
            # "it"/"they"/"our" after a named side is the speaker; "its"/"their" is the nearest side named
            # before it ("Kyiv said Moscow had moved its troops", "concerns with Israel about its strikes")
            break
        speaks = _SPEAKER_OF.match(text, mention.end, position)
        if speaks and not _SELF_REFERENCE.search(text, speaks.end(), position):
            # "Israeli police said a rocket hit X": the speaker reports the strike, it does not strike (but
            # "the ministry said it had pulled its troops out of X": it did)
            continue
        return actor.side, f"subject «{mention.surface}»"
    if own:
        if _OUR_AFTER.match(text, position) and own.group(0).split()[0].lower() in ("they", "it"):
            return "~", f"«{own.group(0).strip()}» attack «our»: the speaker's enemy"
        return "", f"«{own.group(0).strip()}» refers to the speaker"
    return None


def infer_actor(
    text: str,
    actors: ActorIndex,
    cue: Cue,
    predicate: Predicate,
    match: re.Match[str],
    start: int,
    end: int,
    clause_start: int,
    ref: PlaceRef,
    explicit: str | None,
    attribution: Attribution,
) -> tuple[str | None, str]:
    """The side that holds or does what the cue says (None: no side), and why."""
    if predicate == "contested":
        return None, "contested: control is not settled (convention: no actor)"
    if predicate == "not_captured" and cue.predicate == "withdrawn":
        # "Ukrainian units were not pushed out of X": the subject still holds it (never the pusher after "by")
        held = _agent_before(text, actors, clause_start, start)
        if held is not None and held[0]:
            return held[0], f"{held[1]} did not leave it"
        return ref.place.country_code, f"not named; inferred: {ref.place.country_code}, the side holding the place"
    country = ref.place.country_code
    # the side holding a place by default is its own country, belligerent table or not (the army of Sudan
    # holds El Fasher); only the opponent needs the table
    holder_default = country
    taker_default = OPPONENTS.get(country or "")
    claimant = _CLAIMANT_BEFORE.search(text, max(clause_start, start - 60), start)
    if claimant is not None and predicate in ("captured", "encircled", "advancing_toward", "struck"):
        # "rejects Russian claim to have captured X": the claim's owner did it, whoever rejects it
        return SIDE_WORDS[claimant.group("side").lower()], f"owner of «{claimant.group(0).strip()}»"
    if (
        cue.name == "evacuating.told_to_leave"
        and attribution.side
        and match.group(0).split()[0].lower() in _ADDRESSING_VERBS
    ):
        # "Adraee, the army's spokesman, told residents of X to head west": the speaker gives the order
        return attribution.side, f"the speaker {attribution.name} gave the order"
    if cue.name == "not_captured.our_control" and attribution.side:
        return attribution.side, f"«our»: the side of {attribution.name}"
    if explicit:
        if predicate == "encircled":
            return explicit, f"named in the cue «{match.group(0)}»"
        return explicit, f"named in the cue «{match.group(0)}»"
    by_side = (
        _BY_SIDE.match(text[end : end + 80]) if (cue.passive or cue.nominal or cue.predicate == "struck") else None
    )
    if by_side and predicate != "encircled" and (cue.passive or cue.nominal or by_side.group("prep").lower() != "of"):
        # after an active verb "of <side>" is in its object ("struck concentrations of Ukrainian troops")
        return SIDE_WORDS[by_side.group("side").lower()], f"agent «{by_side.group(0).strip()}»"
    modifier = None
    if (
        predicate in ("captured", "struck", "advancing_toward", "withdrawn")
        and cue.orientation != "antecedent"
        and not _PASSIVE.search(text[clause_start:start])
    ):
        window = max(clause_start, start - 60)
        repelled = _REPELLED_BEFORE.search(text, window, start) if predicate == "struck" else None
        # "Ukrainian forces repelled Russian attacks": the attacker is the side word after the repel verb
        modifier = _MODIFIER_SIDE.search(text, repelled.start() if repelled else window, start)
    word = (modifier.group("side") or modifier.group("owner")) if modifier is not None else ""
    if modifier is not None and word[:1].isupper():
        # the side word of the noun phrase right before the cue is nearer than any other subject
        side = SIDE_WORDS[word.lower()]
        if cue.name == "captured.lost_control":
            return OPPONENTS.get(side, taker_default), f"«{modifier.group(0).strip()}» lost it: its opponent took it"
        return side, f"side word «{modifier.group(0).strip()}» before the cue"
    passive_subject = predicate == "withdrawn" and not cue.nominal  # "troops were pushed out of X": they left
    # "Kharkiv, Ukraine's second city, was again shelled": the subject of a passive is the target, not the agent
    first = match.group(0).split()[0].lower() if match.group(0).split() else ""
    participle = first.endswith("ed") or first in {"struck", "hit", "taken", "overrun", "shot", "beaten"}
    passive = cue.passive or (participle and _PASSIVE.search(text[clause_start:start]) is not None)
    agent = (
        None if (passive or cue.nominal) and not passive_subject else _agent_before(text, actors, clause_start, start)
    )
    if agent is not None:
        side, reason = agent
        if side == "":
            side = attribution.side or ""
            reason += f" ({attribution.name})"
        elif side == "~":  # the speaker's enemy
            side = OPPONENTS.get(attribution.side or "", "")
            reason += f" ({attribution.name})"
        if side:
            if predicate in ("encircled", "not_encircled"):
                return _encircled_side(text, side, start, clause_start, reason)
            if predicate == "not_captured" and (cue.name.endswith("negated") or cue.name.endswith("did_not_take")):
                return OPPONENTS.get(side, holder_default), f"{reason} did not take it; the holder is its opponent"
            if predicate == "struck" and _REPELLED_BEFORE.search(text[clause_start:start]):
                # "its forces repelled 12 attacks near X": the attacks were the opponent's
                return OPPONENTS.get(side, taker_default), f"{reason} repelled them: the opponent's attacks"
            if cue.name == "not_captured.repelled" and _PASSIVE.search(text[clause_start:start]):
                return OPPONENTS.get(side, holder_default), f"{reason} was repelled; the holder is its opponent"
            return side, reason
    if predicate == "captured" and _RETAKE.search(match.group(0)):
        # "liberated", "recaptured": the speaker's own side retakes (Russia liberating a town in Russia too);
        # unattributed, the place goes back to its own country
        if attribution.side:
            return attribution.side, f"not named; a retaking told by {attribution.name}: their side"
        if holder_default:
            return holder_default, f"not named; a retaking: the place returns to {country}"
    if predicate in ("captured", "advancing_toward", "struck"):
        return taker_default, f"not named; inferred: the opponent of {country} (where the place is)"
    if predicate in ("encircled", "not_encircled") and ref.place.kind == "region":
        return taker_default, f"not named; inferred: forces of the opponent of {country} inside the region"
    return holder_default, f"not named; inferred: {country}, the side holding the place"


def _encircled_side(text: str, side: str, start: int, clause_start: int, reason: str) -> tuple[str | None, str]:
    before = text[clause_start:start]
    if re.search(r"\b(?:have|has|had)\s+(?:\w+ly\s+)?$|\b(?:encircle|surround)\w*\s*$", before, re.IGNORECASE):
        return OPPONENTS.get(side), f"{reason} is encircling; the encircled side is its opponent"
    return side, f"{reason}: the forces said to be (not) encircled"
