"""Cues of who holds a place: the negative and holding forms ("has not fallen", "still hold parts of X"), which
come first so that they win over the positive cue they contain, then the captured forms."""

from __future__ import annotations

from services.enricher._cue_parts import NUMBER, TOWN_KINDS, Cue, cue
from services.enricher._lexicon import STATES

_DEMONYMS = "|".join(sorted({d for e in STATES.values() for d in e.demonyms}, key=len, reverse=True))
_SIDE_WORD = rf"(?:{_DEMONYMS}|Russia|Ukraine|Moscow|Kyiv|Kiev)"
_SIDE = rf"(?P<side>{_DEMONYMS}|Russia|Ukraine|Moscow|Kyiv|Kiev)"
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

CONTROL_CUES: tuple[Cue, ...] = (
    # -- negative and holding forms first: they win over the positive cue they contain -----------------------
    cue(
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
    cue(
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
    cue(
        "not_captured.not_fallen",
        "not_captured",
        r"\b(?:has|have|had|did|does|do)\s*(?:not|n['’]t|never)\s+(?:yet\s+)?(?:fallen|fall|been\s+(?:captured|taken|"
        r"seized|lost|occupied|overrun))\b",
        "subject",
    ),
    cue(
        "not_captured.not_occupied",
        "not_captured",
        r"\b(?:is|are|was|were|has\s+been|have\s+been|had\s+been)\s*(?:not|n['’]t|never)\s+(?:been\s+)?"
        r"(?:(?:yet|fully|completely|actually)\s+)?(?:occupied|captured|taken|seized|lost|overrun|surrendered)\b"
        r"(?!\s+by\b)",
        "subject",
        passive=True,
    ),
    cue(
        "not_captured.not_under",
        "not_captured",
        rf"\b(?:is|are|was|were|remains?|remained)\s*(?:not|n['’]t|never)\s+(?:(?:yet|fully|currently)\s+)?"
        rf"(?:under|in)\s+(?:the\s+)?(?:{_SIDE_WORD}(?:['’]s)?\s+)?(?:control|hands)\b",
        "subject",
        passive=True,
    ),
    cue(
        "not_captured.remains_held",
        "not_captured",
        rf"\b(?:remains?|remained|(?:is|are|was|were)\s+still|still)\s+(?:firmly\s+|fully\s+)?(?:in|under)\s+"
        rf"(?:the\s+)?(?:{_SIDE}(?:['’]s)?\s+)?(?:control|hands)\b",
        "subject",
    ),
    cue(
        # "Tiahynka is under our control": the speaker's side holds it
        "not_captured.our_control",
        "not_captured",
        r"\b(?:is|are|was|were|remains?|remained|stays?|stayed)\s+(?:still\s+|firmly\s+|fully\s+|completely\s+)?"
        r"(?:(?:under|in)\s+our\s+(?:full\s+|complete\s+)?(?:control|hands)|under\s+(?:the\s+)?(?:full\s+|complete\s+|"
        r"total\s+)?control\s+of\s+our\s+(?:forces|troops|army|units|defenders))\b",
        "subject",
    ),
    cue(
        "not_captured.still_holding",
        "not_captured",
        r"\b(?:still|continues?\s+to|continued\s+to)\s+(?:hold|holds|holding|held|control|controls|controlling)\b",
        "either",
    ),
    cue(
        "not_captured.holding_positions",
        "not_captured",
        r"\b(?:hold|holds|holding|held)\s+(?:(?:their|its|our|his|the)\s+)?(?:defensive\s+)?(?:positions|lines|ground)\s+"
        r"(?=(?:in(?:\s+and\s+around)?|inside|within)\s)",
        "locative",
        kinds=TOWN_KINDS,
    ),
    cue(
        "not_captured.did_not_take",
        "not_captured",
        r"\b(?:did|do|does|has|have|had)\s*(?:not|n['’]t|never)\s+(?:\w+ly\s+)?(?:capture|captured|seize|seized|take|"
        r"taken|enter|entered)\b",
        "object",
    ),
    cue(
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
    cue(
        "not_encircled.negated",
        "not_encircled",
        r"\b(?:not|no|never|neither)\s+(?:\w+\s+){0,2}?(?:encircled|surrounded|encirclement|cauldron|besieged|blockaded|"
        r"blockade)\b",
        "either",
    ),
    # -- captured ---------------------------------------------------------------------------------------------
    cue(
        "captured.fell_to",
        "captured",
        rf"\b(?:fell|falls|fallen|passed)\s+(?:in)?to\s+(?:the\s+)?{_SIDE}\w*(?:\s+(?:forces|troops|hands|control|army))?",
        "subject",
    ),
    cue(
        "captured.fell",
        "captured",
        r"\b(?:fell|(?:has|have|had)\s+fallen)\b(?!\s+(?:by|short|silent|back|apart|ill|onto|upon|into|on\s+(?:a|an|the|"
        r"some|several|two|three|houses?|buildings?|homes?|roofs?|cars?)\b))",
        "subject",
        kinds=TOWN_KINDS,
    ),
    cue(
        "captured.passive",
        "captured",
        r"\b(?:is|are|was|were|been|being)\s+(?:(?:now|fully|completely|officially|reportedly|definitively|finally|"
        r"totally)\s+)*[\"“]?(?:(?:fully|completely)\s+)?(?:re)?(?:captured|seized|liberated|taken|overrun)\b[\"”]?",
        "subject",
        passive=True,
    ),
    cue(
        "captured.headline",
        "captured",
        # a headline's bare participle: "Town X taken", "X captured by Russian troops"; the word before is a name
        r"(?<=[^\W\d_])\s+(?:(?:fully|completely)\s+)?(?:re)?(?:captured|seized|taken|liberated|overrun)\b"
        r"(?=\s*(?:$|[;:–—]|,\s|\s-\s|\s+(?:by|after|as|amid)\b))",
        "subject",
        passive=True,
    ),
    cue(
        "captured.took_control",
        "captured",
        r"\b(?:took|taken|take|taking|seized|gained|established|assumed|seize|gain|establish|wrested|wrest|won|"
        r"regained|regain|restored|restore|secured|claims?|claimed|declared)\s+(?:full\s+|complete\s+|total\s+)?"
        r"control\s+(?:of|over)\b",
        "object",
    ),
    cue(
        "captured.lost_control",
        "captured",
        # "Ukraine lost control of X": taken by the other side (nominal: the actor is not the subject)
        r"\b(?:lost|losing|loses)\s+(?:full\s+|complete\s+|total\s+)?control\s+(?:of|over)\b",
        "object",
        nominal=True,
    ),
    cue(
        "captured.back_under",
        "captured",
        # "X is back under Ukrainian control", "returned to Russian hands": a change of hands, never a holding
        rf"\b(?:returned|returning|returns?|back|came|come|brought|restored|passed)\s+(?:\w+\s+)?(?:under|to|in|into)\s+"
        rf"(?:the\s+)?{_SIDE}(?:['’]s)?\s+(?:control|hands|rule)\b",
        "subject",
    ),
    cue(
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
    cue(
        "captured.flag",
        "captured",
        r"\b(?:raised|hoisted|planted)\s+(?:(?:the|a|its|their)\s+)?(?:[\w’'-]+\s+){0,2}?flags?\s+(?:over|above|in|on)\b",
        "object",
    ),
    cue(
        "captured.verb",
        "captured",
        # present tense too, as headlines write it ("Russian troops liberate X"); "capture of" is the nominal cue
        # "capture" is a noun too ("Kurakhove's capture opens the road to X"): the verb only before its object
        r"\b(?:re)?(?:captured|captures|seized|seizes|seize|liberated|liberates|liberate|overran|conquered|"
        r"capture(?=\s+(?:the\s+(?:[\w-]+\s+)?(?:town|city|village|settlement)\b|(?-i:[A-Z]))))\b",
        "object",
    ),
    cue(
        "captured.took",
        "captured",
        r"\b(?:(?:fully|completely|finally)\s+)?(?:took|taken|takes?|retook|retaken|retakes?)(?:\s+over)?[\"”'’]?\s+"
        r"(?=(?:the\s+)?(?:(?:village|town|city|settlement|hamlet)\s+of\s+)?(?-i:[A-Z])"
        r"|the\s+(?:[\w-]+\s+)?(?:town|city|village|settlement)\b(?!['’]s|\s+(?:of|hall|council|centre|center|"
        r"authorities|officials|administration|government|mayor)\b))",
        "object",
    ),
    cue(
        "captured.cleared",
        "captured",
        # "cleared X of Ukrainian troops" (done; "clearing" is still under way, see contested.mopping_up)
        r"\b(?:cleared|purged)\s+(?=(?:[\w’'-]+\s+){1,6}?of\s+(?:the\s+)?(?:remaining\s+|last\s+)?(?:[\w-]+\s+)?"
        r"(?:troops|forces|units|soldiers|fighters|militants|enemy|invaders|occupiers|formations|saboteurs)\b)",
        "object",
    ),
    cue(
        "captured.nominal",
        "captured",
        r"\b(?:capture|fall|liberation|seizure|loss|takeover)[\"”']?\s+of\b",
        "object",
        nominal=True,
    ),
    cue(
        "captured.possessive",
        "captured",
        r"(?<=['’]s)\s+(?:capture|fall|liberation|seizure|loss)\b",
        "subject",
        nominal=True,
    ),
)
