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
from services.enricher._scan import TRIGGERS, lower_twin, starting_characters, with_first_characters

Orientation = Literal["object", "subject", "either", "locative", "antecedent"]

_DEMONYMS = "|".join(sorted({d for e in STATES.values() for d in e.demonyms}, key=len, reverse=True))
_SIDE_WORD = rf"(?:{_DEMONYMS}|Russia|Ukraine|Moscow|Kyiv|Kiev)"
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
    "not_captured.holding_positions": ("hold", "held"),
    "not_captured.did_not_take": ("captur", "seiz", "take", "taken", "enter"),
    "not_captured.not_occupied": ("occupied", "captured", "taken", "seized", "lost", "overrun", "surrendered"),
    "not_captured.not_under": ("control", "hands"),
    "not_captured.our_control": ("our",),
    "not_captured.repelled": (
        "repel",
        "repuls",
        "beat",
        "fought",
        "thwart",
        "fend",
        "fended",
        "held",
        "hold",
        "stop",
        "halt",
        "foil",
        "rebuff",
    ),
    "not_encircled.negated": ("encircl", "surround", "cauldron", "besieg", "blockad"),
    "captured.fell_to": ("fell", "falls", "fallen", "passed"),
    "captured.fell": ("fell", "fallen"),
    "captured.passive": (*_CAPTURE_VERBS, "taken", "retaken"),
    "captured.headline": (*_CAPTURE_VERBS, "taken", "retaken"),
    "captured.took_control": ("control",),
    "captured.lost_control": ("lost", "losing", "lose"),
    "captured.back_under": ("return", "back", "came", "come", "brought", "restored"),
    "captured.under_control": ("control", "hands"),
    "captured.flag": ("flag",),
    "captured.verb": _CAPTURE_VERBS,
    "captured.took": ("took", "taken", "retook", "retaken", "take", "retake"),
    "captured.cleared": ("cleared", "clearing", "clears", "purged"),
    "captured.nominal": ("capture", "fall", "liberation", "seizure", "loss", "takeover"),
    "captured.possessive": ("capture", "fall", "liberation", "seizure", "loss"),
    "contested.fighting_continues": _FIGHT_WORDS,
    "contested.still_fighting": (*_FIGHT_WORDS, "engag"),
    "contested.fighting_in": ("fighting", "battling"),
    "contested.mopping_up": ("mopping", "mop", "mopped", "clearing", "sweep"),
    "contested.contested": ("contested",),
    "contested.foothold": ("foothold",),
    "contested.centre": ("reach", "entered", "broke", "pushed", "advanced", "made"),
    "contested.partial_control": ("control", "hold", "held"),
    "contested.entrenched": ("entrench", "dug", "holed", "holding", "held", "hanging", "clinging"),
    "contested.street_fighting": ("street", "house", "urban", "fought", "fighting"),
    "withdrawn.verb": ("withdr", "pull", "retreat", "abandon", "push", "driven", "forced", "ousted"),
    "withdrawn.ordered_out": ("order", "sent", "moved", "took", "taken", "led", "brought"),
    "withdrawn.forced_to_leave": ("forced", "compelled", "had", "obliged", "fled"),
    "withdrawn.nominal": ("withdrawal", "retreat", "pullout", "pull"),
    "encircled.state": (
        "encircl",
        "surround",
        "besieg",
        "trapped",
        "cut",
        "cauldron",
        "pocket",
        "kettle",
        "blockad",
        "fire",
    ),
    "advancing_toward.partly_encircled": ("semi", "half", "partial", "partly", "nearly", "almost", "virtually", "all"),
    "advancing_toward.nominal": ("march", "push", "drive", "offensive", "thrust", "advance"),
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
    "advancing_toward.outskirts": ("reach", "got", "arriv", "entered", "broke", "break"),
    "advancing_toward.gains_near": ("advanc", "gain", "made", "making"),
    "struck.strike": ("struck", "strike", "striking"),
    "struck.attack": (
        "attack",
        "shell",
        "bomb",
        "pummel",
        "pound",
        "target",
        "air",
        "hammer",
        "batter",
        "rain",
        "assault",
    ),
    "struck.launched_at": ("launch", "fire"),
    "struck.hit": (
        "hit",
        "wreck",
        "damaged",
        "destroyed",
        "struck",
        "slam",
        "crash",
        "smash",
        "plough",
        "plow",
        "land",
        "tore",
        "ripped",
        "explod",
        "fell",
    ),
    "struck.under_attack": ("under",),
    "evacuating.evacuation": ("evacuat",),
    "evacuating.told_to_leave": ("order", "told", "tell", "urg", "warn", "call", "ask", "advis", "instruct"),
    "evacuating.moved_out": ("moved", "moving", "relocat", "bus", "ferr", "took", "taking", "brought", "bringing"),
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
_DIRECTION = (
    r"north|south|east|west|central|northern|southern|eastern|western|north-?(?:east|west)(?:ern)?|"
    r"south-?(?:east|west)(?:ern)?|outer|inner|industrial|residential|remaining|some|several|a\s+few"
)
_PART_ADJECTIVES = rf"(?:{_DIRECTION})(?:(?:\s*,\s*|\s+(?:and|or)\s+)(?:{_DIRECTION}))*(?:\s+industrial)?"
"""One or more: "the northern and western parts of X"."""
_PART_NOUNS = (
    r"parts?|pockets|outskirts|districts?|microdistricts?|half|neighbou?rhoods?|sections?|quarters?|edges?|zones?|"
    r"areas|sectors?|suburbs|blocks"
)
_NOT_FIRE = r"(?!\s+(?:(?:a|an|the|several|multiple)\s+)?(?:[\w-]+\s+)?(?:fires?|blazes?|flames|wildfires?)\b)"
"""Fire-fighting is no fighting: "rescuers were still battling a blaze in X"."""

CUES: tuple[Cue, ...] = (
    # -- negative and holding forms first: they win over the positive cue they contain -----------------------
    _cue(
        "contested.partial_control",
        "contested",
        # "hold parts of X", "still hold positions in the northern part of X", "holds the southern outskirts of X"
        r"\b(?:control|controls|controlled|hold|holds|held|holding)\s+(?:only\s+)?(?:some\s+)?"
        r"(?:(?:their|its|our|his|the)\s+)?(?:(?:defensive\s+)?positions?\s+(?:in|on)\s+(?:the\s+|a\s+)?)?"
        rf"(?:{_PART_ADJECTIVES}\s+)?(?:{_PART_NOUNS})\s+of\b"
        # "still holding the town's eastern industrial zone": the part after a possessive anaphor
        rf"|\b(?:control|controls|controlled|hold|holds|held|holding)\s+(?:only\s+)?"
        rf"(?=the\s+(?:town|city|village|settlement)['’]s\s+(?:{_PART_ADJECTIVES}\s+)?(?:{_PART_NOUNS})\b)",
        "object",
        kinds=TOWN_KINDS,
    ),
    _cue(
        "contested.entrenched",
        "contested",
        # defenders dug in in part of a town: "still entrenched in several blocks in the town's west", "holding out in
        # the northern districts of X"
        rf"\b(?:entrenched|dug\s+in|holed\s+up|holding\s+out|held\s+out|hanging\s+on|clinging\s+on)\s+in\s+"
        rf"(?:(?:several|some|a\s+few|a\s+handful\s+of|\w+)\s+)?(?:the\s+)?(?:{_PART_ADJECTIVES}\s+)?"
        rf"(?:{_PART_NOUNS}|blocks|buildings|streets)\s+(?:of|in)\b",
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
        "not_captured.not_occupied",
        "not_captured",
        r"\b(?:is|are|was|were|has\s+been|have\s+been|had\s+been)\s*(?:not|n['’]t|never)\s+(?:been\s+)?"
        r"(?:(?:yet|fully|completely|actually)\s+)?(?:occupied|captured|taken|seized|lost|overrun|surrendered)\b"
        r"(?!\s+by\b)",
        "subject",
        passive=True,
    ),
    _cue(
        "not_captured.not_under",
        "not_captured",
        rf"\b(?:is|are|was|were|remains?|remained)\s*(?:not|n['’]t|never)\s+(?:(?:yet|fully|currently)\s+)?"
        rf"(?:under|in)\s+(?:the\s+)?(?:{_SIDE_WORD}(?:['’]s)?\s+)?(?:control|hands)\b",
        "subject",
        passive=True,
    ),
    _cue(
        "not_captured.remains_held",
        "not_captured",
        rf"\b(?:remains?|remained|(?:is|are|was|were)\s+still|still)\s+(?:firmly\s+|fully\s+)?(?:in|under)\s+"
        rf"(?:the\s+)?(?:{_SIDE}(?:['’]s)?\s+)?(?:control|hands)\b",
        "subject",
    ),
    _cue(
        # "Tiahynka is under our control": the speaker's side holds it
        "not_captured.our_control",
        "not_captured",
        r"\b(?:is|are|was|were|remains?|remained|stays?|stayed)\s+(?:still\s+|firmly\s+|fully\s+|completely\s+)?"
        r"(?:(?:under|in)\s+our\s+(?:full\s+|complete\s+)?(?:control|hands)|under\s+(?:the\s+)?(?:full\s+|complete\s+|"
        r"total\s+)?control\s+of\s+our\s+(?:forces|troops|army|units|defenders))\b",
        "subject",
    ),
    _cue(
        "not_captured.still_holding",
        "not_captured",
        r"\b(?:still|continues?\s+to|continued\s+to)\s+(?:hold|holds|holding|held|control|controls|controlling)\b",
        "either",
    ),
    _cue(
        "not_captured.holding_positions",
        "not_captured",
        r"\b(?:hold|holds|holding|held)\s+(?:(?:their|its|our|his|the)\s+)?(?:defensive\s+)?(?:positions|lines|ground)\s+"
        r"(?=(?:in(?:\s+and\s+around)?|inside|within)\s)",
        "locative",
        kinds=TOWN_KINDS,
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
        # "repelled 12 assaults near X", "stopped 38 Russian attacks near X", "fended off an assault on X"; a repelled
        # counterattack says nothing of who holds the place it was near
        rf"\b(?:(?:repel(?:led|s|ling)?|repulsed|repulsing|beat\s+(?:back|off)|fought\s+off|fended\s+off|fending\s+off|"
        rf"(?:held|holding)\s+off(?!\s+(?:on|from|until)\b)|thwarted|thwarting|foiled|rebuffed)\b"
        rf"|(?:stopped|halted|stopping|halting)\b(?=\s+(?:all\s+(?:of\s+)?)?(?:the\s+|these\s+|{NUMBER}\s+)?"
        rf"(?:[\w-]+\s+){{0,2}}?(?:assaults?|attacks?|(?:assault|storming|breakthrough)\s+attempts|offensives?|advances?)\b))"
        rf"(?!\s+(?:(?:all|the|these|those|two|three|four|five|six|several|\d+)\s+){{0,2}}(?:[\w-]+\s+)?"
        rf"counter-?(?:attacks?|offensives?|assaults?)\b)",
        "locative",
    ),
    _cue(
        "not_encircled.negated",
        "not_encircled",
        r"\b(?:not|no|never|neither)\s+(?:\w+\s+){0,2}?(?:encircled|surrounded|encirclement|cauldron|besieged|blockaded|"
        r"blockade)\b",
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
        r"\b(?:fell|(?:has|have|had)\s+fallen)\b(?!\s+(?:by|short|silent|back|apart|ill|onto|upon|into|on\s+(?:a|an|the|"
        r"some|several|two|three|houses?|buildings?|homes?|roofs?|cars?)\b))",
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
        "captured.headline",
        "captured",
        # a headline's bare participle: "Town X taken", "X captured by Russian troops"; the word before is a name
        r"(?<=[^\W\d_])\s+(?:(?:fully|completely)\s+)?(?:re)?(?:captured|seized|taken|liberated|overrun)\b"
        r"(?=\s*(?:$|[;:–—]|,\s|\s-\s|\s+(?:by|after|as|amid)\b))",
        "subject",
        passive=True,
    ),
    _cue(
        "captured.took_control",
        "captured",
        r"\b(?:took|taken|take|taking|seized|gained|established|assumed|seize|gain|establish|wrested|wrest|won|"
        r"regained|regain|restored|restore|secured|claims?|claimed|declared)\s+(?:full\s+|complete\s+|total\s+)?"
        r"control\s+(?:of|over)\b",
        "object",
    ),
    _cue(
        "captured.lost_control",
        "captured",
        # "Ukraine lost control of X": taken by the other side (nominal: the actor is not the subject)
        r"\b(?:lost|losing|loses)\s+(?:full\s+|complete\s+|total\s+)?control\s+(?:of|over)\b",
        "object",
        nominal=True,
    ),
    _cue(
        "captured.back_under",
        "captured",
        # "X is back under Ukrainian control", "returned to Russian hands": a change of hands, never a holding
        rf"\b(?:returned|returning|returns?|back|came|come|brought|restored|passed)\s+(?:\w+\s+)?(?:under|to|in|into)\s+"
        rf"(?:the\s+)?{_SIDE}(?:['’]s)?\s+(?:control|hands|rule)\b",
        "subject",
    ),
    _cue(
        "captured.under_control",
        "captured",
        rf"\b(?:is|are|was|were|now|been|fully|completely)\s+(?:(?!not\b|never\b|no\b)\w+\s+)?(?:"
        rf"under\s+(?:the\s+)?control\s+of\s+(?:the\s+)?(?={_SIDE_WORD}\b)"
        rf"|under\s+(?:(?:their|its|the|full|complete|total)\s+)*"
        rf"|in\s+(?:the\s+)?(?={_SIDE_WORD}(?:['’]s)?\s+hands\b))"
        rf"(?:{_SIDE}(?:['’]s)?\s+)?(?:control|hands|forces|troops|army)\b(?!\s+of\s+our\b)",
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
        # present tense too, as headlines write it ("Russian troops liberate X"); "capture of" is the nominal cue
        # "capture" is a noun too ("Kurakhove's capture opens the road to X"): the verb only before its object
        r"\b(?:re)?(?:captured|captures|seized|seizes|seize|liberated|liberates|liberate|overran|conquered|"
        r"capture(?=\s+(?:the\s+(?:[\w-]+\s+)?(?:town|city|village|settlement)\b|(?-i:[A-Z]))))\b",
        "object",
    ),
    _cue(
        "captured.took",
        "captured",
        r"\b(?:(?:fully|completely|finally)\s+)?(?:took|taken|takes?|retook|retaken|retakes?)(?:\s+over)?[\"”'’]?\s+"
        r"(?=(?:the\s+)?(?:(?:village|town|city|settlement|hamlet)\s+of\s+)?(?-i:[A-Z])"
        r"|the\s+(?:[\w-]+\s+)?(?:town|city|village|settlement)\b(?!['’]s|\s+(?:of|hall|council|centre|center|"
        r"authorities|officials|administration|government|mayor)\b))",
        "object",
    ),
    _cue(
        "captured.cleared",
        "captured",
        # "cleared X of Ukrainian troops" (done; "clearing" is still under way, see contested.mopping_up)
        r"\b(?:cleared|purged)\s+(?=(?:[\w’'-]+\s+){1,6}?of\s+(?:the\s+)?(?:remaining\s+|last\s+)?(?:[\w-]+\s+)?"
        r"(?:troops|forces|units|soldiers|fighters|militants|enemy|invaders|occupiers|formations|saboteurs)\b)",
        "object",
    ),
    _cue(
        "captured.nominal",
        "captured",
        r"\b(?:capture|fall|liberation|seizure|loss|takeover)[\"”']?\s+of\b",
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
        rf"\b(?:still|continu\w+|ongoing)\s+(?:\w+\s+){{0,2}}?(?:{_FIGHT}|fight|engaging|engaged|battling)\b{_NOT_FIRE}",
        "locative",
        kinds=TOWN_KINDS,
        salient=True,
    ),
    _cue(
        "contested.fighting_in",
        "contested",
        rf"\b(?:are|were|is|was|been)\s+(?:still\s+)?(?:fighting|battling){_NOT_FIRE}\s+(?:(?:[\w’'-]+\s+){{1,3}}?(?=in\b|inside\b|"
        r"within\b)|"
        r"(?=in\b|inside\b|within\b|for\s+control\b|on\s+the\s+streets))",
        "locative",
        kinds=TOWN_KINDS,
    ),
    _cue(
        "contested.street_fighting",
        "contested",
        # fighting inside a town: "street fighting in X", "troops fought in the streets of X", "house-to-house battles"
        r"\b(?:street|house-to-house|door-to-door|urban|block-by-block)\s+(?:fighting|battles?|combat|clashes)\b"
        r"|\b(?:fought|fight|fighting|battled|battling|clashed|clashing)\s+(?:[\w’'-]+\s+){0,3}?"
        r"(?=(?:in|on)\s+the\s+streets\s+of\b|street\s+by\s+street\b|for\s+every\s+(?:street|house|building)\b)",
        "locative",
        kinds=TOWN_KINDS,
    ),
    _cue(
        "contested.mopping_up",
        "contested",
        # clearing a town is under way: the attacker is in it, control not settled
        r"\b(?:mopping[- ]up|mop[- ]up|clearing|sweep(?:ing)?)\s+(?:operations?|actions?)\s+"
        r"(?=in\b|inside\b|within\b|of\b)",
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
    _cue(
        "contested.foothold",
        "contested",
        # "gained a foothold in X": the attacker is inside, the town not taken ("no foothold left" is no cue)
        r"\b(?:gained|gain|gaining|established|establish|establishing|secured|won|have|has|had|obtained)\s+"
        r"(?:a\s+|an?\s+\w+\s+)?foothold\s+(?:in|inside|within|on\s+the\s+(?:[\w-]+\s+)?outskirts\s+of)\b",
        "object",
        kinds=TOWN_KINDS,
    ),
    _cue(
        "contested.centre",
        "contested",
        # attackers in the middle of a town: control is not settled (entering the outskirts is only an advance)
        r"\b(?:reached|entered|broke\s+into|pushed\s+into|advanced\s+(?:in)?to|made\s+it\s+(?:in)?to)\s+the\s+"
        r"(?:very\s+)?(?:(?:city|town|village)\s+)?(?:centre|center|heart)\s+of\b",
        "object",
        kinds=TOWN_KINDS,
    ),
    # -- withdrawn --------------------------------------------------------------------------------------------
    _cue(
        "withdrawn.verb",
        "withdrawn",
        r"\b(?:withdr[ae]wn?|withdrawing|withdraws?|pull(?:s|ed|ing)?\s+(?:\w+\s+){0,3}?(?:out|back)|"
        r"retreated|retreating|retreats?|abandoned|abandoning|(?:pushed|driven|forced|ousted)\s+(?:back|out)\s+(?:of|from))\b",
        "object",
    ),
    _cue(
        "withdrawn.ordered_out",
        "withdrawn",
        # "ordered his troops out of X", "led the garrison out of X", "ordered troops to leave X"
        r"\b(?:ordered|orders|moved|led|took|brought)\s+(?:(?:his|her|its|their|the|all|our|remaining|last|[\w-]+)\s+){0,3}?"
        r"(?:troops|forces|units|soldiers|fighters|men|personnel|garrison|defenders)\s+(?:(?:\w+\s+)?out\s+of|"
        r"to\s+(?:leave|abandon|quit))\b",
        "object",
    ),
    _cue(
        "withdrawn.forced_to_leave",
        "withdrawn",
        # armed forces only: "residents were forced to leave" is no withdrawal
        r"\b(?:(?:forced|compelled|obliged|had)\s+to\s+(?:leave|abandon|quit|flee)|fled)\b",
        "object",
        needs_forces=True,
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
        "advancing_toward.partly_encircled",
        "advancing_toward",
        # "semi-encircled", "nearly surrounded": an encirclement under way, not done (before encircled.state)
        r"\b(?:semi|half|partially|partly|nearly|almost|virtually|all\s+but)[- ]?"
        r"(?:encircled|surrounded|encirclement)\b",
        "either",
        passive=True,
    ),
    _cue(
        "encircled.state",
        "encircled",
        # "cut off" a place, not its power, water or one supply road
        r"\b(?:encircled|surrounded|besieged|trapped|blockaded|under\s+(?:a\s+)?blockade|cut\s+off(?!\s+(?:[\w-]+\s+)?"
        r"(?:supply|supplies|power|electricity|water|gas|heat|heating|internet|communications?|roads?|routes?|lines?|"
        r"access|ties|funding|aid)\b)|in\s+(?:an?\s+|the\s+)?(?:operational\s+|fire\s+)?"
        r"(?:cauldron|pocket|kettle|encirclement|bag|sack)|cauldron|encirclement)\b",
        "either",
    ),
    # -- advancing_toward -------------------------------------------------------------------------------------
    _cue(
        "advancing_toward.nominal",
        "advancing_toward",
        # "a march on the city would require ...": a noun, so a modal after the place makes it hypothetical
        r"(?:(?<=\ba\s)|(?<=\ban\s)|(?<=\bany\s))(?:march|push|drive|offensive|thrust|advance)\s+"
        r"(?:on|toward|towards)\s+(?=the\s+(?:town|city|village)\b|(?-i:[A-Z]))",
        "object",
        nominal=True,
    ),
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
        r"approach(?:es)?(?!\s+(?:to|of)\b)|approached|approaching|nearing|neared|nears|(?:moved|moving|drawing|drew|edged|edging|inched|inching|"
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
    _cue(
        "advancing_toward.outskirts",
        "advancing_toward",
        r"\b(?:reach(?:ed|es|ing)?|got\s+to|arriv(?:ed|ing)\s+at|entered|broke\s+into|break\s+into)\s+(?:the\s+)?"
        r"(?:[\w-]+\s+)?(?:outskirts|approaches|edges?|suburbs|fringes|gates|perimeter|limits)\s+(?:of|to)\b",
        "object",
    ),
    _cue(
        "advancing_toward.gains_near",
        "advancing_toward",
        r"\b(?:advanced|advancing|advances|advance|gained\s+ground|gaining\s+ground|gains?|(?:made|making)\s+(?:\w+\s+)?"
        r"(?:gains|advances|progress))\s+(?:[\w’'-]+\s+){0,2}?(?:near|around|outside|close\s+to|"
        r"on\s+the\s+(?:outskirts|approaches)\s+(?:of|to)|in\s+the\s+direction\s+of)\b",
        "object",
    ),
    # -- struck -----------------------------------------------------------------------------------------------
    _cue(
        "struck.under_attack",
        "struck",
        # "came under missile fire", "under heavy Russian shelling"; not "came under fire for/over/from critics"
        r"\bunder\s+(?:[\w-]+\s+){0,3}?(?:attack|fire|shelling|bombardment|bombing|strikes)\b"
        r"(?!\s+(?:for|over)\s+(?:his|her|its|their|the\s+(?:way|handling|decision|slow|lack|failure|response)|handling|"
        r"failing|allowing|not|saying|remarks|comments|claims)\b)"
        r"(?!\s+from\s+(?:\w+\s+)?(?:critics|lawmakers|politicians|opposition|rights|activists|media))",
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
        r"\b(?:attack(?:ed|s|ing)?|shell(?:ed|s|ing)|bomb(?:ed|s|ing)|bombard(?:ed|s|ing|ment)|pummel+ed|pounded|pounds|"
        # "targeted" the verb, not the adjective ("targeted operations", "targeted sanctions")
        r"pounding|(?:targeted|targeting)(?![\"”']?\s+(?:[\w-]+\s+)?(?:operations?|raids?|killings?|sanctions|measures|"
        r"campaign|assassinations?|approach|advertising|ads|efforts?|therapy|help|support|aid)\b)|hammered|hammering|"
        r"rained\s+(?:[\w-]+\s+){0,3}?(?:down\s+)?on|air\s*strikes?|air\s+raids?|"
        # "launched four assaults on X" (attempts, counted); "the assault on X" is rather the whole operation
        r"(?<!counter-)(?<!counter)assaults(?=\s+(?:on|against)\b)|assaulted|"
        # the General Staff's count: "stopped 47 assault actions of the aggressor near X"
        r"assault\s+(?:actions|attempts))\b"
        # "attacks on X had been prepared from there": a planned attack is none
        r"(?![^.;,]{0,50}?\b(?:been|being|be|were|was|are|is)\s+(?:\w+ly\s+)?(?:prepared|planned|plotted|readied|"
        r"organi[sz]ed)\b)",
        "locative",
    ),
    _cue(
        # "launched 412 drones of various types at X", "fired a barrage of rockets at X": the target follows "at"
        "struck.launched_at",
        "struck",
        r"\b(?:launched|launches|fired|fires)\s+(?:[\w,-]+\s+){0,4}?(?:drones|missiles|rockets|bombs|shells|munitions)"
        r"(?:\s+of\s+various\s+types)?\s+(?:at|on|against)\b",
        "object",
    ),
    _cue(
        "struck.hit",
        "struck",
        r"\b(?:missiles?|drones?|rockets?|shells?|bombs?|strikes?|projectiles?|munitions?|warheads?|debris|shelling)\s+"
        r"(?:\w+\s+)?(?:hit|hits|hitting|struck|strikes|damaged|destroyed|wrecked|(?:slammed|slams|crashed|crashes|smashed|ploughed|plowed)\s+into|"
        r"lands?\s+(?:in|on|near)|landed\s+(?:in|on|near)|"
        r"(?:tore|ripped)\s+(?:into|through)|exploded\s+(?:in|over|near|above)|fell\s+(?:on|onto))\b"
        # "was hit by debris", not "hit by sanctions"
        r"|\b(?:hit|damaged|destroyed|struck)\s+(?:there\s+|here\s+)?by\s+(?:[\w-]+\s+){0,3}?(?:missiles?|drones?|rockets?|shells?|bombs?|strikes?|debris|shelling|"
        r"artillery|munitions?|projectiles?|fire)\b",
        "locative",
    ),
    # -- evacuating -------------------------------------------------------------------------------------------
    _cue(
        "evacuating.evacuation",
        "evacuating",
        r"\b(?<!no\splans\sto\s)(?<!no\splan\sto\s)(?<!no\sneed\sto\s)(?<!no\sreason\sto\s)(?<!not\sto\s)"
        r"(?<!refused\sto\s)(?<!declined\sto\s)(?<!no\sintention\sto\s)"
        r"(?:evacuat(?:e|ed|es|ing|ion|ions)|mandatory\s+evacuation)\b",
        "locative",
        salient=True,
    ),
    _cue(
        "evacuating.told_to_leave",
        "evacuating",
        # "ordered families with children to leave X", "urged residents of X to get out"; passive: "told to leave"
        r"\b(?:(?:ordered|orders?|told|tells?|telling|urged|urges?|urging|warned|warns?|warning|called\s+on|calls\s+on|"
        r"calling\s+on|asked|asks|asking|advised|advises|advising|instructed|instructs)\s+(?:[\w’'-]+\s+){0,5}?"
        r"(?:residents|families|civilians|people|population|inhabitants|citizens|children|locals|everyone|"
        r"palestinians|gazans|lebanese|israelis|ukrainians|russians|syrians|sudanese)\b"
        r"(?=[^.;]{0,80}?\bto\s+(?:leave|flee|evacuate|get\s+out|move\s+out|relocate|depart|"
        r"(?:head|move|go)\s+(?:north|south|east|west)\w*)\b)"
        r"|(?:ordered|told|urged|warned|asked|advised|instructed)\s+to\s+(?:leave|flee|evacuate|get\s+out|move\s+out|"
        r"relocate|depart)\b)",
        "locative",
        salient=True,
    ),
    _cue(
        "evacuating.moved_out",
        "evacuating",
        r"\b(?:moved|moving|relocated|relocating|bused|bussed|busing|ferried|ferrying|took|taking|brought|bringing)\s+"
        r"(?:[\w’'-]+\s+){0,6}?(?:residents|civilians|people|families|inhabitants|children|citizens|patients)\s+"
        r"(?:out\s+of|away\s+from)\b",
        "locative",
        salient=True,
    ),
)
