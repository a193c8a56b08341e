"""Cues of the fighting over a place: fighting in it, withdrawals from it, its encirclement and advances toward it."""

from __future__ import annotations

from services.enricher._cue_parts import NUMBER, TOWN_KINDS, UNIT, Cue, cue

_CONTINUING = (
    r"(?:continues?|continued|continuing|goes\s+on|went\s+on|go\s+on|(?:is|was|are|were)\s+still\s+(?:underway|"
    r"going\s+on|ongoing|raging|taking\s+place)|(?:remains?|remained)\s+(?:underway|ongoing)|rages?|raged|raging|"
    r"persists?|persisted|(?:is|was|are|were)\s+(?:underway|ongoing))"
)
_FIGHT = r"(?:fighting|fights|clashes|battles?|combat|hostilities|street\s+fighting|skirmishes)"
_NOT_FIRE = r"(?!\s+(?:(?:a|an|the|several|multiple)\s+)?(?:[\w-]+\s+)?(?:fires?|blazes?|flames|wildfires?)\b)"
"""Fire-fighting is no fighting: "rescuers were still battling a blaze in X"."""

FRONT_CUES: tuple[Cue, ...] = (
    # -- contested --------------------------------------------------------------------------------------------
    cue(
        "contested.fighting_continues",
        "contested",
        rf"\b{_FIGHT}\b(?:\s+[\w’'-]+){{0,7}}?\s+{_CONTINUING}\b",
        "locative",
        kinds=TOWN_KINDS,
        salient=True,
    ),
    cue(
        "contested.still_fighting",
        "contested",
        rf"\b(?:still|continu\w+|ongoing)\s+(?:\w+\s+){{0,2}}?(?:{_FIGHT}|fight|engaging|engaged|battling)\b{_NOT_FIRE}",
        "locative",
        kinds=TOWN_KINDS,
        salient=True,
    ),
    cue(
        "contested.fighting_in",
        "contested",
        rf"\b(?:are|were|is|was|been)\s+(?:still\s+)?(?:fighting|battling){_NOT_FIRE}\s+(?:(?:[\w’'-]+\s+){{1,3}}?(?=in\b|inside\b|"
        r"within\b)|"
        r"(?=in\b|inside\b|within\b|for\s+control\b|on\s+the\s+streets))",
        "locative",
        kinds=TOWN_KINDS,
    ),
    cue(
        "contested.street_fighting",
        "contested",
        # fighting inside a town: "street fighting in X", "troops fought in the streets of X", "house-to-house battles"
        r"\b(?:street|house-to-house|door-to-door|urban|block-by-block)\s+(?:fighting|battles?|combat|clashes)\b"
        r"|\b(?:fought|fight|fighting|battled|battling|clashed|clashing)\s+(?:[\w’'-]+\s+){0,3}?"
        r"(?=(?:in|on)\s+the\s+streets\s+of\b|street\s+by\s+street\b|for\s+every\s+(?:street|house|building)\b)",
        "locative",
        kinds=TOWN_KINDS,
    ),
    cue(
        "contested.mopping_up",
        "contested",
        # clearing a town is under way: the attacker is in it, control not settled
        r"\b(?:mopping[- ]up|mop[- ]up|clearing|sweep(?:ing)?)\s+(?:operations?|actions?)\s+"
        r"(?=in\b|inside\b|within\b|of\b)",
        "locative",
        kinds=TOWN_KINDS,
    ),
    cue(
        "contested.contested",
        "contested",
        r"\b(?:remains?|remained|is\s+still|are\s+still)\s+(?:hotly\s+|fiercely\s+)?contested\b",
        "subject",
        kinds=TOWN_KINDS,
    ),
    cue(
        "contested.foothold",
        "contested",
        # "gained a foothold in X": the attacker is inside, the town not taken ("no foothold left" is no cue)
        r"\b(?:gained|gain|gaining|established|establish|establishing|secured|won|have|has|had|obtained)\s+"
        r"(?:a\s+|an?\s+\w+\s+)?foothold\s+(?:in|inside|within|on\s+the\s+(?:[\w-]+\s+)?outskirts\s+of)\b",
        "object",
        kinds=TOWN_KINDS,
    ),
    cue(
        "contested.centre",
        "contested",
        # attackers in the middle of a town: control is not settled (entering the outskirts is only an advance)
        r"\b(?:reached|entered|broke\s+into|pushed\s+into|advanced\s+(?:in)?to|made\s+it\s+(?:in)?to)\s+the\s+"
        r"(?:very\s+)?(?:(?:city|town|village)\s+)?(?:centre|center|heart)\s+of\b",
        "object",
        kinds=TOWN_KINDS,
    ),
    # -- withdrawn --------------------------------------------------------------------------------------------
    cue(
        "withdrawn.verb",
        "withdrawn",
        r"\b(?:withdr[ae]wn?|withdrawing|withdraws?|pull(?:s|ed|ing)?\s+(?:\w+\s+){0,3}?(?:out|back)|"
        r"retreated|retreating|retreats?|abandoned|abandoning|(?:pushed|driven|forced|ousted)\s+(?:back|out)\s+(?:of|from))\b",
        "object",
    ),
    cue(
        "withdrawn.ordered_out",
        "withdrawn",
        # "ordered his troops out of X", "led the garrison out of X", "ordered troops to leave X"
        r"\b(?:ordered|orders|moved|led|took|brought)\s+(?:(?:his|her|its|their|the|all|our|remaining|last|[\w-]+)\s+){0,3}?"
        r"(?:troops|forces|units|soldiers|fighters|men|personnel|garrison|defenders)\s+(?:(?:\w+\s+)?out\s+of|"
        r"to\s+(?:leave|abandon|quit))\b",
        "object",
    ),
    cue(
        "withdrawn.forced_to_leave",
        "withdrawn",
        # armed forces only: "residents were forced to leave" is no withdrawal
        r"\b(?:(?:forced|compelled|obliged|had)\s+to\s+(?:leave|abandon|quit|flee)|fled)\b",
        "object",
        needs_forces=True,
    ),
    cue(
        "withdrawn.nominal",
        "withdrawn",
        r"\b(?:withdrawal|retreat|pullout|pull-out)\s+(?:of\s+(?:[\w’'-]+\s+){0,3}?(?:forces|troops|units|soldiers)\s+)?from\b",
        "object",
        nominal=True,
    ),
    # -- encircled --------------------------------------------------------------------------------------------
    cue(
        "advancing_toward.partly_encircled",
        "advancing_toward",
        # "semi-encircled", "nearly surrounded": an encirclement under way, not done (before encircled.state)
        r"\b(?:semi|half|partially|partly|nearly|almost|virtually|all\s+but)[- ]?"
        r"(?:encircled|surrounded|encirclement)\b",
        "either",
        passive=True,
    ),
    cue(
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
    cue(
        "advancing_toward.nominal",
        "advancing_toward",
        # "a march on the city would require ...": a noun, so a modal after the place makes it hypothetical
        r"(?:(?<=\ba\s)|(?<=\ban\s)|(?<=\bany\s))(?:march|push|drive|offensive|thrust|advance)\s+"
        r"(?:on|toward|towards)\s+(?=the\s+(?:town|city|village)\b|(?-i:[A-Z]))",
        "object",
        nominal=True,
    ),
    cue(
        "advancing_toward.toward",
        "advancing_toward",
        r"\b(?:advanc\w*|push\w*(?!\s+back)|mov(?:e|ed|es|ing)|march\w*|progress\w*|drive|driving|offensive|thrust|inching|"
        r"edging|creeping)\s+(?:[\w’'-]+\s+){0,2}?(?:toward|towards|closer\s+to|on\s+(?=the\s+(?:town|city|village)\b|"
        r"(?-i:[A-Z])))",
        "object",
    ),
    cue(
        "advancing_toward.closing_in",
        "advancing_toward",
        r"\b(?:clos(?:e|es|ed|ing)\s+in\s+on|circl(?:e|es|ed|ing)\s+in\s+on|encircling|bearing\s+down\s+on|"
        r"approach(?:es)?(?!\s+(?:to|of)\b)|approached|approaching|nearing|neared|nears|(?:moved|moving|drawing|drew|edged|edging|inched|inching|"
        r"getting|got)\s+closer\s+to)\b",
        "either",
        salient=True,
    ),
    cue(
        "advancing_toward.toward_which",
        "advancing_toward",
        r"\btowards?\s+which\s+(?:[\w’'-]+\s+){0,5}?(?:advanc\w*|push\w*|mov(?:e|ed|es|ing)|head\w*|march\w*)",
        "antecedent",
    ),
    cue(
        "advancing_toward.within",
        "advancing_toward",
        rf"\b(?:within|only|just|less\s+than|about|some)\s+{NUMBER}\s*{UNIT}\s+(?:\([^)]*\)\s+)?(?:of|from)\b",
        "object",
        needs_forces=True,
    ),
    cue(
        "advancing_toward.outskirts",
        "advancing_toward",
        r"\b(?:reach(?:ed|es|ing)?|got\s+to|arriv(?:ed|ing)\s+at|entered|broke\s+into|break\s+into)\s+(?:the\s+)?"
        r"(?:[\w-]+\s+)?(?:outskirts|approaches|edges?|suburbs|fringes|gates|perimeter|limits)\s+(?:of|to)\b",
        "object",
    ),
    cue(
        "advancing_toward.gains_near",
        "advancing_toward",
        r"\b(?:advanced|advancing|advances|advance|gained\s+ground|gaining\s+ground|gains?|(?:made|making)\s+(?:\w+\s+)?"
        r"(?:gains|advances|progress))\s+(?:[\w’'-]+\s+){0,2}?(?:near|around|outside|close\s+to|"
        r"on\s+the\s+(?:outskirts|approaches)\s+(?:of|to)|in\s+the\s+direction\s+of)\b",
        "object",
    ),
)
