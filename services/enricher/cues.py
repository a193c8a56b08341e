"""The lexical cues of each predicate: general English patterns, never phrases of particular articles.

A cue says which predicate a phrase expresses and where the place it is about sits relative to it:
``object`` (after it: "captured Kurakhove", "the fall of Avdiivka"), ``subject`` (before it: "Kurakhove has
fallen", "Pokrovsk is surrounded"), ``either`` (after, else before) or ``locative`` (a place phrase after it,
else before: "fighting in the town continued", "a strike near Belaya").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from newsmon.contracts import Predicate
from services.enricher._lexicon import STATES
from services.enricher._scan import TRIGGERS, first_characters, lower_twin, starting_characters, with_first_characters

Orientation = Literal["object", "subject", "either", "locative", "antecedent"]

_DEMONYMS = "|".join(sorted({d for e in STATES.values() for d in e.demonyms}, key=len, reverse=True))
_SIDE = rf"(?P<side>{_DEMONYMS}|Russia|Ukraine|Moscow|Kyiv|Kiev)"
_NUMBER_WORDS = r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty"
NUMBER = rf"(?:\d+(?:[.,]\d+)?|{_NUMBER_WORDS})"
NUMBER_STARTS = rf"(?=[\d{starting_characters(_NUMBER_WORDS)}])"
"""Where a ``NUMBER`` can start: put before a pattern that begins with one (see ``_scan.first_characters``)."""
UNIT = r"(?:kilometers?|kilometres?|km|miles?|mi)"

ALL_KINDS = frozenset({"populated_place", "area", "region"})
TOWN_KINDS = frozenset({"populated_place", "area"})


@dataclass(frozen=True, slots=True)
class Cue:
    name: str
    predicate: Predicate
    pattern: re.Pattern[str]
    orientation: Orientation
    kinds: frozenset[str] = ALL_KINDS
    nominal: bool = False
    passive: bool = False
    needs_forces: bool = False
    """Only when armed forces are the subject ("Russian troops within 10 km of ...")."""
    salient: bool = False
    """May fall back to the place the text is about when the sentence names none ("fighting was still underway")."""
    triggers: tuple[str, ...] = ()
    """Word prefixes without which the pattern cannot match (a fast first pass, see ``_scan``)."""
    lower_pattern: re.Pattern[str] | None = None
    """``pattern`` for lower-cased text without IGNORECASE (several times faster); None when the pattern has
    case-sensitive parts. Only valid on text whose letters are all ASCII: see ``_scan.caseless_lowered``."""


_CAPTURE_VERBS = ("captur", "recaptur", "seiz", "reseiz", "liberat", "reliberat", "overr", "conquer", "reconquer")
_FIGHT_WORDS = ("fight", "clash", "battle", "combat", "hostilit", "street", "skirmish")
TRIGGERS_OF: dict[str, tuple[str, ...]] = {
    "not_captured.not_fallen": ("fall", "been"),
    "not_captured.remains_held": ("control", "hands"),
    "not_captured.still_holding": ("hold", "held", "control"),
    "not_captured.did_not_take": ("captur", "seiz", "take", "taken", "enter"),
    "not_captured.repelled": ("repel", "repuls", "beat", "fought", "thwart"),
    "not_encircled.negated": ("encircl", "surround", "cauldron", "besieg"),
    "captured.fell_to": ("fell", "falls", "fallen", "passed"),
    "captured.fell": ("fell", "fallen"),
    "captured.passive": (*_CAPTURE_VERBS, "taken", "retaken"),
    "captured.took_control": ("control",),
    "captured.under_control": ("control",),
    "captured.flag": ("flag",),
    "captured.verb": _CAPTURE_VERBS,
    "captured.took": ("took", "taken", "retook", "retaken"),
    "captured.nominal": ("capture", "fall", "liberation", "seizure", "loss", "takeover"),
    "captured.possessive": ("capture", "fall", "liberation", "seizure", "loss"),
    "contested.fighting_continues": _FIGHT_WORDS,
    "contested.still_fighting": (*_FIGHT_WORDS, "engag"),
    "contested.fighting_in": ("fighting",),
    "contested.contested": ("contested",),
    "contested.partial_control": ("control", "hold", "held"),
    "withdrawn.verb": ("withdr", "pull", "retreat", "abandon", "push", "driven", "forced", "ousted"),
    "withdrawn.nominal": ("withdrawal", "retreat", "pullout", "pull"),
    "encircled.state": ("encircl", "surround", "besieg", "trapped", "cut", "cauldron", "pocket", "kettle"),
    "advancing_toward.toward": (
        "advanc",
        "push",
        "mov",
        "march",
        "progress",
        "driv",
        "offensive",
        "thrust",
        "inching",
        "edging",
        "creeping",
    ),
    "advancing_toward.closing_in": (
        "clos",
        "circl",
        "encircling",
        "bearing",
        "approach",
        "near",
        "moved",
        "moving",
        "drawing",
        "drew",
        "edged",
        "edging",
        "inched",
        "inching",
        "getting",
        "got",
    ),
    "advancing_toward.toward_which": ("toward",),
    "advancing_toward.within": ("km", "kilomet", "mile", "mi"),
    "struck.strike": ("struck", "strike", "striking"),
    "struck.attack": ("attack", "shell", "bomb", "pummel", "pound", "target", "air"),
    "struck.hit": ("hit", "struck"),
    "struck.under_attack": ("under",),
    "evacuating.evacuation": ("evacuat",),
}


def _cue(name: str, predicate: Predicate, pattern: str, orientation: Orientation, **options: object) -> Cue:
    compiled = re.compile(with_first_characters(pattern), re.IGNORECASE)
    lower = lower_twin(compiled)
    TRIGGERS.add(name, TRIGGERS_OF[name])
    return Cue(
        name,
        predicate,
        compiled,
        orientation,
        triggers=TRIGGERS_OF[name],
        lower_pattern=lower,
        **options,  # type: ignore[arg-type]
    )


_CONTINUING = (
    r"(?:continues?|continued|continuing|goes\s+on|went\s+on|go\s+on|(?:is|was|are|were)\s+still\s+(?:underway|"
    r"going\s+on|ongoing|raging|taking\s+place)|(?:remains?|remained)\s+(?:underway|ongoing)|rages?|raged|raging|"
    r"persists?|persisted|(?:is|was|are|were)\s+(?:underway|ongoing))"
)
_FIGHT = r"(?:fighting|fights|clashes|battles?|combat|hostilities|street\s+fighting|skirmishes)"

CUES: tuple[Cue, ...] = (
    # -- negative and holding forms first: they win over the positive cue they contain -----------------------
    _cue(
        "contested.partial_control",
        "contested",
        r"\b(?:control|controls|controlled|hold|holds|held|holding)\s+(?:only\s+)?(?:some\s+)?(?:parts?|pockets)\s+of\b",
        "object",
        kinds=TOWN_KINDS,
    ),
    _cue(
        "not_captured.not_fallen",
        "not_captured",
        r"\b(?:has|have|had|did|does|do)\s*(?:not|n['’]t|never)\s+(?:yet\s+)?(?:fallen|fall|been\s+(?:captured|taken|"
        r"seized|lost|occupied|overrun))\b",
        "subject",
    ),
    _cue(
        "not_captured.remains_held",
        "not_captured",
        rf"\b(?:remains?|remained|(?:is|are|was|were)\s+still|still)\s+(?:firmly\s+|fully\s+)?(?:in|under)\s+"
        rf"(?:the\s+)?(?:{_SIDE}(?:['’]s)?\s+)?(?:control|hands)\b",
        "subject",
    ),
    _cue(
        "not_captured.still_holding",
        "not_captured",
        r"\b(?:still|continues?\s+to|continued\s+to)\s+(?:hold|holds|holding|held|control|controls|controlling)\b",
        "either",
    ),
    _cue(
        "not_captured.did_not_take",
        "not_captured",
        r"\b(?:did|do|does|has|have|had)\s*(?:not|n['’]t|never)\s+(?:\w+ly\s+)?(?:capture|captured|seize|seized|take|"
        r"taken|enter|entered)\b",
        "object",
    ),
    _cue(
        "not_captured.repelled",
        "not_captured",
        r"\b(?:repel(?:led|s|ling)?|repulsed|beat\s+back|fought\s+off|thwarted)\b",
        "locative",
    ),
    _cue(
        "not_encircled.negated",
        "not_encircled",
        r"\b(?:not|no|never|neither)\s+(?:\w+\s+){0,2}?(?:encircled|surrounded|encirclement|cauldron|besieged)\b",
        "either",
    ),
    # -- captured ---------------------------------------------------------------------------------------------
    _cue(
        "captured.fell_to",
        "captured",
        rf"\b(?:fell|falls|fallen|passed)\s+(?:in)?to\s+(?:the\s+)?{_SIDE}\w*(?:\s+(?:forces|troops|hands|control|army))?",
        "subject",
    ),
    _cue(
        "captured.fell",
        "captured",
        r"\b(?:fell|(?:has|have|had)\s+fallen)\b(?!\s+(?:by|short|silent|back|apart|ill))",
        "subject",
        kinds=TOWN_KINDS,
    ),
    _cue(
        "captured.passive",
        "captured",
        r"\b(?:is|are|was|were|been|being)\s+(?:(?:now|fully|completely|officially|reportedly|definitively|finally|"
        r"totally)\s+)*[\"“]?(?:(?:fully|completely)\s+)?(?:re)?(?:captured|seized|liberated|taken|overrun)\b[\"”]?",
        "subject",
        passive=True,
    ),
    _cue(
        "captured.took_control",
        "captured",
        r"\b(?:took|taken|take|taking|seized|gained|established|assumed|seize|gain|establish)\s+(?:full\s+|complete\s+|"
        r"total\s+)?control\s+(?:of|over)\b",
        "object",
    ),
    _cue(
        "captured.under_control",
        "captured",
        rf"\b(?:is|are|was|were|now|been|fully|completely)\s+(?:\w+\s+)?under\s+(?:(?:their|its|the|full|complete|"
        rf"total)\s+)*(?:{_SIDE}\s+)?control\b",
        "subject",
        passive=True,
    ),
    _cue(
        "captured.flag",
        "captured",
        r"\b(?:raised|hoisted|planted)\s+(?:(?:the|a|its|their)\s+)?(?:[\w’'-]+\s+){0,2}?flags?\s+(?:over|above|in|on)\b",
        "object",
    ),
    _cue(
        "captured.verb",
        "captured",
        r"\b(?:re)?(?:captured|captures|seized|seizes|liberated|liberates|overran|conquered)\b",
        "object",
    ),
    _cue(
        "captured.took",
        "captured",
        r"\b(?:took|taken|retook|retaken)\s+(?=(?:the\s+)?(?:(?:village|town|city|settlement|hamlet)\s+of\s+)?(?-i:[A-Z]))",
        "object",
    ),
    _cue(
        "captured.nominal",
        "captured",
        r"\b(?:capture|fall|liberation|seizure|loss|takeover)\s+of\b",
        "object",
        nominal=True,
    ),
    _cue(
        "captured.possessive",
        "captured",
        r"(?<=['’]s)\s+(?:capture|fall|liberation|seizure|loss)\b",
        "subject",
        nominal=True,
    ),
    # -- contested --------------------------------------------------------------------------------------------
    _cue(
        "contested.fighting_continues",
        "contested",
        rf"\b{_FIGHT}\b(?:\s+[\w’'-]+){{0,7}}?\s+{_CONTINUING}\b",
        "locative",
        kinds=TOWN_KINDS,
        salient=True,
    ),
    _cue(
        "contested.still_fighting",
        "contested",
        rf"\b(?:still|continu\w+|ongoing)\s+(?:\w+\s+){{0,2}}?(?:{_FIGHT}|fight|engaging|engaged)\b",
        "locative",
        kinds=TOWN_KINDS,
        salient=True,
    ),
    _cue(
        "contested.fighting_in",
        "contested",
        r"\b(?:are|were|is|was)\s+(?:still\s+)?fighting\s+(?=in\b|inside\b|within\b|for\s+control\b|on\s+the\s+streets)",
        "locative",
        kinds=TOWN_KINDS,
    ),
    _cue(
        "contested.contested",
        "contested",
        r"\b(?:remains?|remained|is\s+still|are\s+still)\s+(?:hotly\s+|fiercely\s+)?contested\b",
        "subject",
        kinds=TOWN_KINDS,
    ),
    # -- withdrawn --------------------------------------------------------------------------------------------
    _cue(
        "withdrawn.verb",
        "withdrawn",
        r"\b(?:withdr[ae]wn?|withdrawing|withdraws?|pulled\s+(?:\w+\s+){0,3}?(?:out|back)|pulling\s+(?:\w+\s+){0,3}?(?:out|back)|"
        r"retreated|retreating|retreats?|abandoned|abandoning|(?:pushed|driven|forced|ousted)\s+(?:back|out)\s+(?:of|from))\b",
        "object",
    ),
    _cue(
        "withdrawn.nominal",
        "withdrawn",
        r"\b(?:withdrawal|retreat|pullout|pull-out)\s+(?:of\s+(?:[\w’'-]+\s+){0,3}?(?:forces|troops|units|soldiers)\s+)?from\b",
        "object",
        nominal=True,
    ),
    # -- encircled --------------------------------------------------------------------------------------------
    _cue(
        "encircled.state",
        "encircled",
        r"\b(?:encircled|surrounded|besieged|trapped|cut\s+off|in\s+(?:an?\s+|the\s+)?(?:operational\s+)?"
        r"(?:cauldron|pocket|kettle|encirclement)|cauldron|encirclement)\b",
        "either",
    ),
    # -- advancing_toward -------------------------------------------------------------------------------------
    _cue(
        "advancing_toward.toward",
        "advancing_toward",
        r"\b(?:advanc\w*|push\w*(?!\s+back)|mov(?:e|ed|es|ing)|march\w*|progress\w*|drive|driving|offensive|thrust|inching|"
        r"edging|creeping)\s+(?:[\w’'-]+\s+){0,2}?(?:toward|towards|closer\s+to|on\s+(?=the\s+(?:town|city|village)\b|"
        r"(?-i:[A-Z])))",
        "object",
    ),
    _cue(
        "advancing_toward.closing_in",
        "advancing_toward",
        r"\b(?:clos(?:e|es|ed|ing)\s+in\s+on|circl(?:e|es|ed|ing)\s+in\s+on|encircling|bearing\s+down\s+on|"
        r"approach(?:es|ed|ing)?|nearing|neared|nears|(?:moved|moving|drawing|drew|edged|edging|inched|inching|"
        r"getting|got)\s+closer\s+to)\b",
        "either",
        salient=True,
    ),
    _cue(
        "advancing_toward.toward_which",
        "advancing_toward",
        r"\btowards?\s+which\s+(?:[\w’'-]+\s+){0,5}?(?:advanc\w*|push\w*|mov(?:e|ed|es|ing)|head\w*|march\w*)",
        "antecedent",
    ),
    _cue(
        "advancing_toward.within",
        "advancing_toward",
        rf"\b(?:within|only|just|less\s+than|about|some)\s+{NUMBER}\s*{UNIT}\s+(?:\([^)]*\)\s+)?(?:of|from)\b",
        "object",
        needs_forces=True,
    ),
    # -- struck -----------------------------------------------------------------------------------------------
    _cue(
        "struck.under_attack",
        "struck",
        r"\bunder\s+(?:heavy\s+|constant\s+|intense\s+|daily\s+|relentless\s+)?(?:attack|fire|shelling|bombardment)\b",
        "subject",
    ),
    _cue(
        "struck.strike",
        "struck",
        r"\b(?:struck|strikes?|striking)\b(?!\s+(?:a\s+)?(?:deal|balance|chord|pose|down))",
        "locative",
    ),
    _cue(
        "struck.attack",
        "struck",
        r"\b(?:attack(?:ed|s|ing)?|shell(?:ed|s|ing)|bomb(?:ed|s|ing)|bombard(?:ed|s|ing|ment)|pummel+ed|pounded|"
        r"pounding|targeted|targeting|air\s*strikes?|air\s+raids?)\b",
        "locative",
    ),
    _cue(
        "struck.hit",
        "struck",
        r"\b(?:missiles?|drones?|rockets?|shells?|bombs?|strikes?)\s+(?:\w+\s+)?(?:hit|struck)\b",
        "locative",
    ),
    # -- evacuating -------------------------------------------------------------------------------------------
    _cue(
        "evacuating.evacuation",
        "evacuating",
        r"\b(?:evacuat(?:e|ed|es|ing|ion|ions)|mandatory\s+evacuation)\b",
        "locative",
        salient=True,
    ),
)

# -- what keeps a cue from becoming a claim -------------------------------------------------------------------

_HEDGE_WORDS = (
    r"could|might|may|would|will|shall|should|can|must|won['’]t|wouldn['’]t|if|unless|whether|aims?|aimed|aiming|"
    r"plans?|planned|planning|intends?|intended|seeks?|seeking|sought|try|tries|trying|tried|attempts?|attempted|"
    r"attempting|threatens?|threatened|threatening|hopes?|hoped|hoping|wants?|wanted|vows?|vowed|pledged?|"
    r"promis(?:e|es|ed|ing)|demands?|demanded|demanding|strategy|goal|objective|bid|efforts?|closer\s+to|"
    r"expected|likely|poised|set\s+to|about\s+to|going\s+to|risks?|risking|threat|danger|possible|possibly|"
    r"potential|prevent|preventing|avoid|for\s+further|for\s+future|ahead\s+of|looming|unable\s+to|"
    r"failed\s+to|fail\s+to"
)
HEDGE = re.compile(rf"\b{first_characters(_HEDGE_WORDS)}(?:{_HEDGE_WORDS})\b", re.IGNORECASE)
_NEGATION_WORDS = r"not|never|no|n['’]t|neither|nor|without"
NEGATION = re.compile(rf"\b{first_characters(_NEGATION_WORDS)}(?:{_NEGATION_WORDS})\b", re.IGNORECASE)
NON_CONFIRMATION = re.compile(
    r"\b(?=[cdhnruy])(?:yet\s+to\s+(?:confirm|say|acknowledge|comment)|(?:has|have|had|did|does|do)\s*(?:not|n['’]t)\s*,?"
    r"(?:\s*\w+\s*,)?\s+(?:yet\s+)?(?:confirm\w*|say|said|acknowledge\w*)|(?:declined|refused)\s+to\s+(?:confirm|say|comment)|"
    r"(?:could|can)\s*(?:not|n['’]t)\s+confirm|unconfirmed|no\s+confirmation)\b",
    re.IGNORECASE,
)
UNVERIFIED = re.compile(
    r"\b(?:could\s*not|cannot|can['’]t|couldn['’]t|(?:was|is|were|are|has\s+been|have\s+been)\s+(?:not\s+)?unable\s+to|"
    r"unable\s+to|(?:was|is|has|have)\s+not\s+(?:been\s+)?able\s+to|did\s+not)\s+(?:independently\s+)?verify\b"
    r"|\b(?:could|can)\s*(?:not|n['’]t)\s+be\s+(?:independently\s+)?(?:verified|confirmed)\b"
    r"|\bnot\s+(?:been\s+)?independently\s+(?:verified|confirmed)\b"
    r"|\b(?:could\s*not|cannot|unable\s+to)\s+independently\s+confirm\b",
    re.IGNORECASE,
)
REJECTION = re.compile(
    r"\b(?:dismiss\w*|reject\w*|den(?:y|ied|ies|ying)|refut\w*|call\w*|brand\w*|label+\w*|describ\w*|termed)\b"
    r"[^.;]{0,80}?[\"“]?\b(?:false|fabricated|fabrication|untrue|fake|lies?|baseless|groundless|propaganda|"
    r"nonsense|disinformation|misinformation)\b"
    r"|\b(?:den(?:y|ied|ies|ying)|refut\w+|reject\w*)\s+(?:the\s+|these\s+|those\s+|such\s+|this\s+)?"
    r"(?:claims?|reports?|assertions?|allegations?)\b"
    r"|\b(?:a|the)\s+(?:claim|report|assertion)\s+(?:that\s+)?[^.;]{0,60}?\b(?:\w+ly\s+)?(?:rejected|denied|"
    r"dismissed|refuted)\b"
    r"|\b(?:is|are|was|were)\s+(?:simply\s+|absolutely\s+|completely\s+)?(?:not\s+true|untrue|false|fake|"
    r"fabricated|a\s+lie|lies)\b",
    re.IGNORECASE,
)
BACKGROUND = re.compile(
    r"\b(?=[abefhimopsy])(?:(?:previously|formerly|eventually|once|had\s+earlier|earlier\s+(?:captured|seized|taken|fell)|back\s+in|"
    r"(?:after|since|before|following)\s+(?:the\s+)?(?:fall|capture|loss|liberation|seizure)\s+of|years?\s+ago|"
    r"months\s+ago|at\s+the\s+time|historically|in\s+the\s+past)\b|(?:earlier|already)\s*$)",
    re.IGNORECASE,
)
INFINITIVE_CUE = re.compile(
    r"\bto\s+(?:\w+ly\s+)?(?:(?:re)?capture|seize|take|liberate|encircle|surround|withdraw|retreat|strike|attack|"
    r"advance|push|hold|shell|fall|fight|continue)\b",
    re.IGNORECASE,
)
ABLE_TO = re.compile(r"\b(?:managed|succeeded|able|went\s+on)\s+to\s*$", re.IGNORECASE)
CLAUSE_BREAK = re.compile(
    r"(?=[;,—\s])(?:;|\s[–—]\s|—|,\s+(?:while|but|whereas|although|though|as|and\s+is|and\s+has|which|who|where|when)\b|"
    r"\s(?:while|whereas|but|although)\s)",
    re.IGNORECASE,
)
CLAUSE_BREAK_LOWER = re.compile(CLAUSE_BREAK.pattern)
"""``CLAUSE_BREAK`` for ``caseless_lowered`` text (its letters are all lower case)."""
