"""The actor finder's patterns, compiled once, and the trigger words that decide which of them run on a sentence.

``PATTERNS`` holds the regular expressions of every pass of ``actors.ActorFinder``; ``_register_triggers`` tells the
fast first pass (``_scan``) which words each pattern cannot match without, so a pattern runs only on the sentences
that have one of them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from services.enricher._lexicon import (
    DEMONYM_COMPOUNDS,
    FORCE_NOUNS,
    GROUPINGS,
    MEDIA,
    ORGANISATIONS,
    POLICE_NOUNS,
    ROLE_NOUNS,
    STATES,
)
from services.enricher._scan import TRIGGERS, first_characters, lower_case_source, normalise

_APOSTROPHE = "['’]"
_REGIONAL_COMMAND = r"(?:southern|northern|eastern|western|central|north-eastern|south-eastern|territorial)"
"""A regional command before "Defence Forces" ("Ukraine's Southern Defence Forces")."""

_Trie = dict[str, "_Trie"]


def alternation(words: Iterable[str]) -> str:
    """The words as one alternation, factored by common prefixes ("Russia(?:n|-backed)?|..."): ``re`` tries the
    branches of an alternation one by one, so the lists of states, roles and force nouns, tried at every word, cost
    a few first letters instead of hundreds of words. Longer words are tried first; a blank matches any blanks."""
    trie: _Trie = {}
    for word in set(words):
        node = trie
        for token in re.findall(r"\s+|.", word, re.DOTALL):
            node = node.setdefault(" " if token.isspace() else token, {})
        node[""] = {}
    return "|".join(_branches(trie))


def _branches(node: _Trie) -> list[str]:
    return [(r"\s+" if key == " " else re.escape(key)) + _rest(node[key]) for key in sorted(node) if key]


def _rest(node: _Trie) -> str:
    branches = _branches(node)
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 and "" not in node else "(?:" + "|".join(branches) + ")"
    return body + "?" if "" in node else body


class _Patterns:
    """All regular expressions, compiled once."""

    def __init__(self) -> None:
        self.demonym_side: dict[str, str] = {}
        self.country_side: dict[str, str] = {}
        self.metonym_side: dict[str, str] = {}
        for code, entry in STATES.items():
            for demonym in entry.demonyms:
                self.demonym_side[demonym.lower()] = code
            for name in entry.names:
                self.country_side[name.lower()] = code
            for metonym in entry.metonyms:
                self.metonym_side[metonym.lower()] = code
        countries = alternation(n for e in STATES.values() for n in e.names)
        metonyms = alternation(m for e in STATES.values() for m in e.metonyms)
        # a side word before a noun: "Russian forces", also "Ukraine officials", "Kremlin officials" and, with the
        # side of the word before the hyphen, "Russian-installed", "Iran-backed", "Kremlin-appointed"
        side_words = alternation(w for e in STATES.values() for w in (*e.demonyms, *e.names, *e.metonyms))
        demonyms = rf"(?:{side_words})(?:-(?:{'|'.join(DEMONYM_COMPOUNDS)})\b)?"
        owner = (
            rf"(?:(?P<country>{countries}|{metonyms}){_APOSTROPHE}s"
            rf"|the\s+(?P<demonym>{demonyms})|(?P<demonym2>{demonyms}))"
        )
        other_institutions = alternation(POLICE_NOUNS)
        self.owner_demonyms = demonyms
        # both branches start at a word: the owner, or the ministry or general staff "of" a country
        ministry_starts = first_characters(f"{countries}|{metonyms}|the|{side_words}|general|defen|ministry")
        self.ministry = re.compile(
            rf"\b{ministry_starts}(?:{owner}\s+(?P<what>(?P<other>{other_institutions})|defen[cs]e\s+ministry|ministry\s+of\s+defen[cs]e|"
            rf"foreign\s+ministry|ministry\s+of\s+foreign\s+affairs|defen[cs]e\s+chief|general\s+staff|armed\s+forces|"
            rf"(?:{_REGIONAL_COMMAND}\s+)?defen[cs]e\s+forces|military|army|(?:{alternation(FORCE_NOUNS)}))\b"
            # "the General Staff of the Armed Forces of Ukraine", "the Defence Forces of Ukraine"
            rf"|(?P<what2>general\s+staff(?:\s+of\s+the\s+armed\s+forces)?|armed\s+forces|defen[cs]e\s+forces|"
            rf"(?:defen[cs]e\s+)?ministry)\s+of\s+(?P<country2>{countries}){_APOSTROPHE}?s?"
            rf"(?:\s+military)?\b)",
            re.IGNORECASE,
        )
        self.ministry_lower = re.compile(lower_case_source(self.ministry.pattern))
        """``ministry`` for lower-cased text: several times faster than IGNORECASE."""
        # the owner ("Russia's", "the Russian"), else a quote or the capitalised name
        grouping_starts = first_characters(f"{countries}|{metonyms}|the|{side_words}", also='A-Z"“')
        self.grouping = re.compile(
            rf"\b{grouping_starts}(?:{owner}\s+)?[\"“]?(?P<name>[A-Z][a-z]+(?:-[A-Z][a-z]+)?)[\"”]?\s+"
            rf"(?:operational(?:[- ]strategic|\s+and\s+strategic)?\s+)?group(?:ing)?(?:\s+of\s+forces)?\b"
        )
        # "operational-strategic groups" are Ukraine's formations; Russia's are "groups of forces"
        self.ukrainian_formation = re.compile(r"operational[- ](?:and\s+)?strategic", re.IGNORECASE)
        # "the Battlegroup Centre", "Battle Group North" (Russian briefings in English): the name after the noun
        self.battlegroup = re.compile(r"\b[Bb]attle[- ]?[Gg]roup\s+(?P<name>[A-Z][a-z]+)\b")
        groupings = alternation(GROUPINGS)
        self.known_grouping = re.compile(rf"\b{first_characters(groupings)}(?P<name>{groupings})\b")
        state_names = f"{countries}|{metonyms}"
        self.state = re.compile(
            rf"{first_characters(state_names)}(?<![\w.])(?P<name>{state_names})(?![\w-])"
            rf"(?!{_APOSTROPHE}s\s+(?:{alternation(ROLE_NOUNS)}))"
            # "Kyiv Mayor Vitali Klitschko", "Moscow Mayor": a title, not the state
            r"(?!\s+(?:Mayor|Governor|City|Regional)\b)"
            # "Kharkiv, Ukraine's second-largest city", "Russia's Belgorod region": the state only locates a place
            rf"(?!{_APOSTROPHE}s\s+(?:[\w-]+\s+){{0,3}}?(?:city|town|village|region|oblast|province|capital|port|"
            r"border\s+(?:town|city|village|region)|territory|district|republic)\b)"
            # a name used as a noun modifier names no actor: "Ukraine war live", "the Russia desk"
            r"(?!\s+(?:war|conflict|crisis|live|news|updates?|desk|correspondent|coverage)\b)"
        )
        self.media = re.compile(
            rf"\b(?P<name>{alternation(MEDIA)})(?![\w-])"
            rf"|\b(?P<demonym>{demonyms})\s+(?P<what>state\s+media|state\s+television|state\s+tv|media|"
            rf"(?:military\s+|war\s+|mil)?bloggers?)\b"
        )
        # "the Ukrainian war-mapping group DeepState", "the Russian news agency Interfax-Ukraine": an organisation
        # named after a demonym and what it is; its side is the demonym's
        self.named_group = re.compile(
            rf"\b(?P<demonym>{demonyms})\s+(?:[\w-]+\s+){{0,2}}?(?P<what>group|agency|outlet|channel|project|"
            rf"website|monitor|newspaper|broadcaster|organi[sz]ation|think\s+tank|network)\s+"
            rf"(?P<name>[A-Z][\w-]*[a-zA-Z](?:\s+[A-Z][\w-]*[a-zA-Z]){{0,2}})\b"
        )
        self.organisation = re.compile(rf"\b(?P<name>{alternation(ORGANISATIONS)})\b")
        roles = alternation(ROLE_NOUNS)
        name = r"(?P<name>[A-Z][a-z]+(?:[-'’][A-Z]?[a-z]+)?(?:\s+[A-Z][a-z]+(?:[-'’][A-Z]?[a-z]+)?){1,2})"
        self.role_phrase = roles
        # "Viktor Trehubov, a Ukrainian military spokesman," / "Viktor Tregubov, spokesperson for Khortytsia,"
        self.appositive = re.compile(
            rf"{name},\s+(?P<role>(?:(?:an?|the|its|their)\s+)?(?:[\w.’'\"“”-]+\s+){{0,4}}?(?:{roles})"
            rf"(?:\s+(?:for|of|at|with|to)\s+(?:[\w.’'\"“”-]+\s+){{0,8}}?[\w.’'\"“”-]+?)?)(?=[,.;]|\s+(?:said|says|told|has|had|who|insisted|claimed|stated|wrote))",
        )
        # 'said Serhii, a major and deputy battalion commander,': a speaker named by first name only (wire copy
        # protecting soldiers), only right after a reporting verb
        self.first_name_appositive = re.compile(
            rf"\b(?:said|says|told|added)\s+(?P<name>[A-Z][a-z]+),\s+(?P<role>(?:an?|the|their|its)\s+"
            rf"(?:[\w-]+\s+){{0,4}}?(?:{roles})\b(?:\s+(?:[\w-]+\s+){{0,4}}?(?:{roles})\b)?)"
        )
        # "Ukrainian military spokesman Viktor Trehubov", "Russian President Vladimir Putin",
        # "One blogger, Yuriy Butusov,"
        # anchored on the role word, the words before it are read backwards (fast: see the module _scan)
        # also "the head of the Donetsk regional military administration, Vadym Filashkin, said": the role and its
        # institution first, then the name between commas
        self.prefixed = re.compile(
            rf"\b(?i:{first_characters(roles)}(?:{roles}))(?:-elect)?[”\"]?"
            rf"(?:\s+(?P<of>of|for|at|in|with)\s+(?:[\w.’'\"“”-]+\s+){{0,6}}?[\w.’'\"“”-]+,)?,?\s+{name}"
            rf"(?(of)(?=\s*,|\s+(?:said|says|told|wrote|added)\b)|\b)"
        )
        self.named_speaker = re.compile(
            rf"(?<![\w’'-]){name}\s+(?:has\s+|had\s+|also\s+|then\s+|later\s+)?"
            r"(?:said|says|told|claimed|claims|wrote|writes|added|insisted|stated|announced|posted)\b"
        )
        self.description = re.compile(
            r"\b[Tt]he\s+(?P<role>head|chief|leader|commander|founder)\s+of\s+(?P<org>[^,.;]{3,60}?)"
            r"\s+(?:has\s+|had\s+)?(?:said|says|claimed|claims|announced|told|insisted|wrote)\b",
            re.MULTILINE,
        )
        # the words of a role before it: capitalised ("Russian President"), or a few lower-case ones that qualify it
        # ("Russian military expert", 'the Russian occupation "official"')
        self.role_lead = re.compile(
            r"(?:(?:former|acting)\s+)?(?:(?:[A-Z][\w.’'-]*|military|war|defen[cs]e|security|political|occupation|"
            r"senior|top|government|opposition|regional|local|battalion|brigade|unit|spokes(?:man|woman|person)|chief|"
            r"commander)\s+){0,4}[\"“]?$"
        )
        # "the army's spokesman, X": the side of the armed forces named last
        self.army_owner = re.compile(r"\bthe\s+(?:army|military|armed\s+forces|air\s+force|navy)['’]s\s+$", re.I)
        generic_roles = (
            r"officials?|spokes(?:man|woman|person)|sources?|commanders?|authorities|soldiers?|analysts?|"
            r"governor|mayor|head\s+of\s+the\s+(?:city|regional|military)\s+administration|administration|command|"
            r"(?:health|interior|emergenc(?:y|ies)|energy|justice|education)\s+ministry|"
            r"residents|witnesses|eyewitnesses|locals|villagers|medics|paramedics|rescuers|doctors"
        )
        self.generic = re.compile(rf"\b{first_characters(generic_roles)}(?P<role>{generic_roles})\b", re.IGNORECASE)
        articles = (
            r"an?|the|one|another|two|some|several|local|senior|the\s+(?:town|city|village|region|oblast|province)['’]s"
        )
        modifiers = (
            r"military|senior|government|defen[cs]e|local|regional|city|district|army|intelligence|security|"
            r"occupation|civil|civilian|municipal|provincial|state|battalion|brigade|company|platoon|regiment|unit|"
            r"frontline|front-line|field|drone|prominent"
        )
        # searched in the 50 characters before a role word: only where a word starts, or at the end
        self.generic_lead = re.compile(
            rf"(?=[a-z]|$)(?<![a-z])(?:\b(?P<article>{articles})\s+)?"
            # "the Gaza health ministry", "the Kharkiv regional administration": a place name (checked against the
            # article's places) where a demonym would be
            rf"(?:(?P<demonym>{demonyms})\s+|(?!(?:{modifiers}|{articles})\b)(?P<place>(?-i:[A-Z])[\w'’-]+(?:\s+(?-i:[A-Z])[\w'’-]+)?)\s+)?"
            rf"(?P<mod>(?:(?:{modifiers})\s+){{1,2}})?$",
            re.IGNORECASE,
        )
        force_words = alternation(w.lower() for w in (*FORCE_NOUNS, *POLICE_NOUNS))
        self.ministry_anchor = re.compile(
            rf"(?<![a-z])(?:ministry|defen[cs]e|general\s+staff|armed\s+forces|{force_words})(?![a-z])"
        )
        self.side_of_word = {**self.metonym_side, **self.country_side, **self.demonym_side}
        self.side_word = re.compile(rf"(?<!\w)(?:{alternation(self.side_of_word)})(?!\w)")
        for word, code in list(self.side_of_word.items()):  # "russian-installed": after side_word, which needs none
            self.demonym_side.setdefault(word, code)
            for suffix in DEMONYM_COMPOUNDS:
                self.demonym_side[f"{word}-{suffix}"] = code
        self.role_noun = re.compile(rf"(?<!\w)(?:{alternation(r.lower() for r in ROLE_NOUNS)})(?!\w)")
        # also "according to the update", "the daily report said": a bulletin stands for the institution that
        # issued it, the latest one named
        self.institution_reference = re.compile(
            r"\b[Tt]he\s+(?:ministry|grouping|general\s+staff|(?:(?:daily|morning|evening|latest|operational)\s+)?"
            r"(?:update|bulletin|briefing|summary))\b(?!\s+of\b)",
            re.I,
        )
        self.bare_army = re.compile(
            r"(?<![\w’'-])(?:[Tt]he\s+)?(?:[Aa]rmy|[Mm]ilitary|[Jj]unta)\b(?=\s+(?:also\s+)?(?:says|said|denied|denies|"
            r"claims|claimed|insists|insisted|reported|reports|stated|added|confirmed|acknowledged)\b)"
        )
        self.pronoun = re.compile(
            r"\b(?P<p>[Hh]e|[Ss]he|[Ii]t|[Tt]hey|[Tt]he\s+(?:ministry|grouping|blogger|spokesman|spokesperson|general\s+staff|"
            r"president|kremlin\s+spokesman|official|army|military|junta))\b(?=\s*(?:,\s*\w+\s*,\s*)?\s*"
            r"(?:also\s+|then\s+|later\s+|further\s+|on\s+\w+\s+)?(?:said|says|told|added|claimed|stated|wrote|went\s+on|"
            r"insisted|noted|warned|reported|announced|asserted|described|argued|dismissed|denied|questioned|praised|"
            r"recently|urged|ordered|called|accused|confirmed|acknowledged|admitted|explained|stressed|declared|"
            r"posted|estimated|vowed|promised|predicted|reiterated)\b)"
        )


OWNER_PRONOUN = re.compile(r"(?:its|their)\s", re.IGNORECASE)
"""A role phrase owned by a pronoun ("Their spokesman"): the institution named just before."""
HEADLINE_SAYS = re.compile(r"[ \t]+(?:says|said)[ \t]*(?:\n|$)")
"""A bare role as a headline's source: "..., governor says" (headlines drop articles)."""
WITNESS_ROLES = frozenset(
    {"residents", "witnesses", "eyewitnesses", "locals", "villagers", "medics", "paramedics", "rescuers", "doctors"}
)
"""People on the ground: a speaker only before a reporting verb, with the side of the nearest place."""
WITNESS_SPEAKS = re.compile(
    r"[^.;!?\"“”]{0,60}?\b(?:said|say|says|told|tell|reported|report|described|describe|recounted|added)\b"
)
UNIT_OWNER = re.compile(
    r"\b(?:corps|brigade|battalion|regiment|division|unit)(?:['’]s?)?\s+(?:[\w-]+\s+){0,2}?"
    r"(?:spokes(?:man|woman|person)|commander|officer|chief|head|deputy)\b",
    re.IGNORECASE,
)
"""A unit's speaker: "the corps' spokesperson", "a brigade commander", "the battalion's deputy commander"."""
OWNER_PRONOUN_BEFORE = re.compile(r"\b(?:its|their)\s+$", re.IGNORECASE)
LOCAL_WORDS = frozenset({"local", "regional", "city", "district", "municipal", "provincial", "occupation"})
"""Modifiers of a local office ("the regional military administration"): its side is that of the nearest place."""
EVENT_NOUNS = frozenset({"strikes", "airstrikes", "air strikes", "attacks", "shelling", "bombardment"})
"""Force nouns that name what forces do: the mention is their owner alone ("Russian" in "Russian attacks")."""
ORGANISATION_WORDS = frozenset(
    {
        "press", "agency", "watch", "council", "union", "committee", "group", "service", "office", "party", "army",
        "guard", "police", "corps", "brigade", "battalion", "company", "university", "bank", "fund", "court",
        "parliament", "assembly", "conference", "security", "nations", "international", "foundation", "center",
        "centre", "post", "journal", "telegraph", "guardian", "independent", "kremlin", "pentagon",
        "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january", "february", "march",
        "april", "may", "june", "july", "august", "september", "october", "november", "december", "meanwhile",
        "separately", "earlier", "later", "also", "but", "and", "when", "while", "however", "yet", "still", "then",
    }
)  # fmt: skip
"""Words of institutions, outlets and sentence openings, never of a person's name ("Associated Press said",
"On Monday Ivan Petrov said")."""

PATTERNS = _Patterns()
ARMY_ROLE = re.compile(
    r"(?:(?:an?|the|its)\s+)?(?:army|military)(?:-(?:aligned|backed|allied|appointed|installed))?\s+"
    r"(?!analyst|expert|blogger|observer|researcher)",
    re.IGNORECASE,
)
"""A role of the army named without its state ("Army spokesman", "the army-aligned governor"): the side of the armed
forces named last."""
SOURCE_TOLD = re.compile(
    rf"(?:\s+(?:in|at|with|close\s+to|familiar\s+with)\s+[^.;,\"“]{{0,50}}?)?\s+(?:has\s+|had\s+)?told\s+"
    rf"(?:the\s+)?(?P<medium>{alternation(MEDIA)})\b"
)
"""After "source(s)": who they told, when it is an outlet ("a source in the security services told TASS")."""
# a capitalised word, maybe after Mr/Mrs/Ms; the lookahead lets re skip every other position at once (2× faster)
SURNAME = re.compile(r"(?=[A-Z])(?:\bMr\.?\s+|\bMrs\.?\s+|\bMs\.?\s+)?\b([A-Z][a-z]{2,}(?:-[A-Z][a-z]+)?)\b")


def _first_words(phrases: Iterable[str]) -> list[str]:
    return [w for phrase in phrases for w in normalise(phrase).split()[:2] if w != "the"][:1000]


SECOND_WORDS = {
    "institution_reference": "actor.institution_reference.noun",
    "pronoun": "actor.pronoun.verb",
}
"""Patterns that run only where the sentence also has one of a second list of words (see ``_register_triggers``)."""
_PRONOUN_VERBS = (
    "said", "says", "told", "added", "claimed", "stated", "wrote", "went", "insisted", "noted", "warned", "reported",
    "announced", "asserted", "described", "argued", "dismissed", "denied", "questioned", "praised", "recently",
    "urged", "ordered", "called", "accused", "confirmed", "acknowledged", "admitted", "explained", "stressed",
    "declared", "posted", "estimated", "vowed", "promised", "predicted", "reiterated",
)  # fmt: skip
"""The words one of which follows the pronoun in every match of ``_Patterns.pronoun``."""


def _register_triggers() -> None:
    roles = _first_words(ROLE_NOUNS)
    TRIGGERS.add("actor.appositive", roles)
    TRIGGERS.add("actor.first_name_appositive", ["said", "says", "told", "added"])
    TRIGGERS.add("actor.prefixed", roles)
    TRIGGERS.add("actor.named_speaker", ["said", "says", "told", "claim", "wrote", "writes", "added", "insist"])
    TRIGGERS.add("actor.named_speaker", ["stated", "announced", "posted"])
    TRIGGERS.add(
        "actor.ministry", ["ministry", "defen", "general", "armed", *_first_words((*FORCE_NOUNS, *POLICE_NOUNS))]
    )
    TRIGGERS.add("actor.grouping", ["group"])
    TRIGGERS.add("actor.battlegroup", ["battle"])
    TRIGGERS.add("actor.known_grouping", _first_words(GROUPINGS))
    TRIGGERS.add("actor.media", [*_first_words(MEDIA), "media", "state", "blogger", "milblogger", "tv", "television"])
    TRIGGERS.add(
        "actor.named_group",
        ["group", "agency", "outlet", "channel", "project", "website", "monitor", "newspaper", "broadcaster", "organi",
         "think", "network"],
    )  # fmt: skip
    TRIGGERS.add("actor.organisation", _first_words(ORGANISATIONS))
    TRIGGERS.add("actor.state", _first_words(n for e in STATES.values() for n in (*e.names, *e.metonyms)))
    TRIGGERS.add(
        "actor.generic",
        [
            "official", "spokes", "source", "commander", "authorit", "soldier", "analyst", "governor", "mayor", "head",
            "administration", "command", "ministry", "resident", "witness", "eyewitness", "local", "villager",
            "medic", "paramedic", "rescuer", "doctor",
        ],
    )  # fmt: skip
    TRIGGERS.add("actor.institution_reference", ["the"])
    TRIGGERS.add("actor.pronoun", ["he", "she", "it", "they", "the"])
    # the words above are in almost every sentence: these two patterns also need a word of their second part
    TRIGGERS.add(
        SECOND_WORDS["institution_reference"],
        ["ministry", "grouping", "general", "update", "bulletin", "briefing", "summary"],
    )
    TRIGGERS.add(SECOND_WORDS["pronoun"], _PRONOUN_VERBS)


_register_triggers()
