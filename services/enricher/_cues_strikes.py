"""Cues of strikes on a place and of its evacuation."""

from __future__ import annotations

from services.enricher._cue_parts import Cue, cue

STRIKE_CUES: tuple[Cue, ...] = (
    # -- struck -----------------------------------------------------------------------------------------------
    cue(
        "struck.under_attack",
        "struck",
        # "came under missile fire", "under heavy Russian shelling"; not "came under fire for/over/from critics"
        r"\bunder\s+(?:[\w-]+\s+){0,3}?(?:attack|fire|shelling|bombardment|bombing|strikes)\b"
        r"(?!\s+(?:for|over)\s+(?:his|her|its|their|the\s+(?:way|handling|decision|slow|lack|failure|response)|handling|"
        r"failing|allowing|not|saying|remarks|comments|claims)\b)"
        r"(?!\s+from\s+(?:\w+\s+)?(?:critics|lawmakers|politicians|opposition|rights|activists|media))",
        "subject",
    ),
    cue(
        "struck.strike",
        "struck",
        r"\b(?:struck|strikes?|striking)\b(?!\s+(?:a\s+)?(?:deal|balance|chord|pose|down))",
        "locative",
    ),
    cue(
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
    cue(
        # "launched 412 drones of various types at X", "fired a barrage of rockets at X": the target follows "at"
        "struck.launched_at",
        "struck",
        r"\b(?:launched|launches|fired|fires)\s+(?:[\w,-]+\s+){0,4}?(?:drones|missiles|rockets|bombs|shells|munitions)"
        r"(?:\s+of\s+various\s+types)?\s+(?:at|on|against)\b",
        "object",
    ),
    cue(
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
    cue(
        "evacuating.evacuation",
        "evacuating",
        r"\b(?<!no\splans\sto\s)(?<!no\splan\sto\s)(?<!no\sneed\sto\s)(?<!no\sreason\sto\s)(?<!not\sto\s)"
        r"(?<!refused\sto\s)(?<!declined\sto\s)(?<!no\sintention\sto\s)"
        r"(?:evacuat(?:e|ed|es|ing|ion|ions)|mandatory\s+evacuation)\b",
        "locative",
        salient=True,
    ),
    cue(
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
    cue(
        "evacuating.moved_out",
        "evacuating",
        r"\b(?:moved|moving|relocated|relocating|bused|bussed|busing|ferried|ferrying|took|taking|brought|bringing)\s+"
        r"(?:[\w’'-]+\s+){0,6}?(?:residents|civilians|people|families|inhabitants|children|citizens|patients)\s+"
        r"(?:out\s+of|away\s+from)\b",
        "locative",
        salient=True,
    ),
)
