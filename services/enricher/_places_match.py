"""Finding candidate place names in text: automaton hits, capitalisation, overlaps and region forms."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import pairwise

from services.enricher._dateline import is_dateline
from services.enricher._gazetteer_text import NAME_PARTICLES, REGION_WORDS, key_of, normalise
from services.enricher.gazetteer import AREA, COUNTRY, POPULATED, REGION, Gazetteer, MatchFlag

SENTENCE_BREAKS = frozenset(".!?:;\n•»|—–")
OPENERS = frozenset(" \t\"'“‘«([")
# Capitalised words that often precede a place name without being part of a person's or an organisation's name.
# fmt: off
DESCRIPTORS = frozenset((
    "north", "south", "east", "west", "northern", "southern", "eastern", "western", "central", "upper", "lower",
    "greater", "new", "old", "saint", "st", "st.", "mount", "lake", "port", "fort", "cape", "pro", "anti", "ex",
    "post", "pre",
))
# fmt: on
_NEXT_WORD = re.compile(r"[ \t]+([A-Z][\w’'\-]*)")
BYLINE_NOTE = "By …"
_LETTERS = re.compile(r"[^\W\d_]+")
# "By Maria Kostenko, Christian Edwards and Nick Paton Walsh": names in a byline are people
_BYLINE = re.compile(r"\bBy\s+[A-Z][a-z]+\s+[A-Z][\w\-]+(?:,\s+[A-Z][\w\- ]+|\s+and\s+[A-Z][\w\- ]+)*")
_WORD = re.compile(r"[A-Za-z][\w’'\-]*")
_PLURAL_REGION_AFTER = re.compile(r"\s+(regions|oblasts|provinces|governorates)\b", re.IGNORECASE)
_COORDINATOR = re.compile(r"\s*(,\s*and|,|and|&|or|, or)\s*", re.IGNORECASE)
_REGION_OF_BEFORE = re.compile(r"\b(regions?|oblasts?|provinces?|governorates?)\s+of\s+(the\s+)?$", re.IGNORECASE)
# "the Dnipropetrovsk regional military administration", "Kharkiv regional governor": the stem is the region
_REGIONAL_AFTER = re.compile(r"\s+regional\b", re.IGNORECASE)
REGIONAL_ADJECTIVE = "followed by 'regional'"
_CITY_OF_BEFORE = re.compile(r"\b(city|town|village)\s+of\s+$", re.IGNORECASE)
_CITY_AFTER = re.compile(r"\s+(city|town)\b", re.IGNORECASE)
# "Kharkiv, Ukraine's second-largest city", "Kherson, the only regional capital", "Odesa, a Black Sea port"
_CITY_APPOSITIVE = re.compile(
    r",\s+(?:the|a|an|its|[A-Z][a-z]+['’]s)\s+(?:[\w-]+\s+){0,4}?(?:city|capital|town|port|village)\b"
)
_VILLAGE_OF_BEFORE = re.compile(r"\b(?:village|hamlet)\s+of\s+$", re.IGNORECASE)
_VILLAGE_APPOSITIVE = re.compile(r",\s+(?:a|an|the)\s+(?:[\w-]+\s+){0,3}?(?:village|hamlet)\b")
_VILLAGES_AFTER = re.compile(r",\s+(?:two|three|both)\s+(?:[\w-]+\s+){0,2}?(?:villages|hamlets)\b")
_VILLAGES_LISTED_AFTER = re.compile(
    r"\s+and\s+[A-Z][\w'’-]+,\s+(?:two|both)\s+(?:[\w-]+\s+){0,2}?(?:villages|hamlets)\b"
)
_LISTED_BEFORE = re.compile(r"[A-Z][\w'’-]+\s+and\s+$")
_CITY_BEFORE_COMMA = re.compile(r"\b(?:city|capital|town|port),\s+$")
_CITY_DISTRICT_AFTER = re.compile(r"['’]s\s+[A-Z][\w-]+\s+(?:district|neighbou?rhood|microdistrict)\b")
# "75 miles east of Kharkiv", "40 km from Pokrovsk": distances are measured from a town, not a region
_DISTANCE_FROM_BEFORE = re.compile(
    r"(?:\bkm|kilomet(?:er|re)s?|miles?)\)?\s+(?:\([^)]{0,30}\)\s+)?(?:(?:north|south|east|west)\w*\s+)?"
    r"(?:of|from)\s+(?:the\s+)?$",
    re.IGNORECASE,
)
# a river, sea or lake named after a place is not the place: "the Dnipro River", "Lake Geneva", "Sea of Azov"
# ... and neither is a pipeline ("the Druzhba pipeline", then "deliveries through Druzhba")
_WATER_AFTER = re.compile(
    r"\s+(?:River|river|Sea|Lake|Reservoir|reservoir|Canal|Strait|Bay|Lagoon|(?:oil\s+|gas\s+)?pipeline)\b"
)
_WATER_BEFORE = re.compile(r"\b(?:River|Lake|Sea\s+of|Gulf\s+of|Bay\s+of|Strait\s+of)\s+$")
# "cross the Dnipro", "on the far bank of the Dnipro.": a bare name after "the" where only a river can be crossed
_CROSSED_BEFORE = re.compile(r"\b(?:cross(?:es|ed|ing)?|across|banks?\s+of|side\s+of)\s+the\s+$")
# ... unless a noun follows ("across the Kharkiv region", "along the Pokrovsk highway") or the name goes on
_CROSSED_AFTER = re.compile(
    r"(?![\w'’-]|\s+(?:[A-Z]|[\w-]+\s+(?:region|oblast|province|district|highway|road|axis|front|direction|"
    r"sector|area|border)\b|(?:region|oblast|province|district|highway|road|axis|front|direction|sector|area|"
    r"border|city|town)\b))"
)
# "the Dnipro operational-strategic group", "the Dnepr battlegroup": a unit named after a place is not the place
_UNIT_AFTER = re.compile(
    r"\s+(?:operational[- ](?:strategic|tactical)\s+group|group\s+of\s+(?:troops|forces)|battle[- ]?group|grouping)\b",
    re.IGNORECASE,
)
_MONTH_DATE = re.compile(r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec")
_DAY_AFTER = re.compile(r"\.?\s*\d")
_QUALIFIER_GAP = re.compile(r",[ \t]*")
_IN_REGION_GAP = re.compile(r"\s+in\s+(?:the\s+)?")


@dataclass(slots=True)
class Match:
    """One place name in the text with its readings, before disambiguation."""

    start: int
    end: int
    surface: str
    key_id: int
    candidates: list[tuple[int, int]]  # (record, MatchFlag value)
    key: str = ""  # the automaton key, " kursk "
    sentence_start: bool = False
    common: bool = False
    all_caps: bool = False
    after_name: str | None = None  # the capitalised word right before it, when that looks like a longer name
    before_name: str | None = None  # the capitalised word right after it ("Vladimir Putin", "Donald Trump")
    before_title: str | None = None  # a capitalised common word right after it ("Homeland Security", "Miami Heat")
    echo_name: str | None = None  # the same name elsewhere in the article is part of a person's name ("Amy Jackson")
    forced_reason: str | None = None  # why a bare stem was read as its region ("Donetsk and Luhansk regions")
    qualifiers: list[int] = field(default_factory=list)  # readings of "Missouri" in "Independence, Missouri"
    located: bool = False  # the qualifier follows "in": "Uspenovka in the Zaporozhye Region" (no list)

    @property
    def plausible(self) -> bool:
        """Clearly written as a place name: such matches (only) give context to the others."""
        return not (self.common or self.after_name or self.before_name) and (
            any(flag <= MatchFlag.SPELLING or flag == MatchFlag.REGION_FORM for _, flag in self.candidates)
        )

    @property
    def group(self) -> tuple[int, int]:
        """Matches of one group share a reading (one sense per article); forced region readings form their own."""
        forced = self.candidates[0][0] if self.forced_reason is not None else -1
        return self.key_id, forced


@dataclass(slots=True)
class Memo:
    """What scanning learns about a word or a name from the gazetteer alone: kept across articles by the finder
    (news names the same people and places again and again), emptied when it grows past ``MEMO_SIZE``."""

    name_part: dict[str, bool] = field(default_factory=dict)  # word -> _looks_like_name_part
    common: dict[str, bool] = field(default_factory=dict)  # surface -> Match.common
    # (key id, written in short capitals) -> the readings a match of the key starts with
    readings: dict[tuple[int, bool], list[tuple[int, int]]] = field(default_factory=dict)
    # key id -> the countries it names as a demonym, and whether it names a place too (see _key_facts)
    keys: dict[int, tuple[tuple[str, ...], bool]] = field(default_factory=dict)

    def bounded(self) -> Memo:
        if len(self.name_part) + len(self.common) + len(self.readings) + len(self.keys) > MEMO_SIZE:
            self.name_part.clear()
            self.common.clear()
            self.readings.clear()
            self.keys.clear()
        return self


MEMO_SIZE = 100_000


@dataclass(slots=True)
class Scan:
    matches: list[Match]
    demonyms: list[tuple[int, str]]  # (position, country code) of "Ukrainian", "Kremlin", ...


def is_proper(surface: str) -> bool:
    """A name as written in running text: first word capitalised, later words capitalised or particles/kind words."""
    if not surface[:1].isupper():
        return False
    if " " not in surface and "-" not in surface:
        return True
    for word in re.split(r"[\s\-]+", surface)[1:]:
        if word and not word[0].isupper() and not word[0].isdigit():
            lowered = word.lower()
            if lowered not in NAME_PARTICLES and lowered not in REGION_WORDS:
                return False
    return True


def at_sentence_start(text: str, start: int) -> bool:
    index = start - 1
    while index >= 0 and text[index] in OPENERS:
        index -= 1
    return index < 0 or text[index] in SENTENCE_BREAKS


def scan(gazetteer: Gazetteer, text: str, memo: Memo | None = None) -> Scan:
    memo = Memo() if memo is None else memo.bounded()
    padded = " " + normalise(text) + " "
    hits: list[tuple[int, int, int, str]] = []  # (start, -end, key id, surface)
    demonyms: list[tuple[int, str]] = []
    key_lengths = gazetteer.key_lengths
    keys = memo.keys
    for last, key_id in gazetteer.automaton.iter(padded):
        start = last - key_lengths[key_id] + 1  # the key's leading space sits on padded[start] = text[start - 1]
        if not text[start].isupper():
            continue
        surface = text[start : last - 1]
        if (" " in surface or "-" in surface) and not is_proper(surface):  # one word written capitalised is proper
            continue
        known = keys.get(key_id)
        if known is None:
            known = keys[key_id] = _key_facts(gazetteer, key_id)
        countries, names_places = known
        if countries:
            demonyms.extend([(start, code) for code in countries])
            if not names_places:
                continue
        hits.append((start, 1 - last, key_id, surface))
    hits.sort()  # by start, the longest first (no two hits share a span: one span is one key)
    kept: list[Match] = []
    water: set[str] = set()  # keys of the names that the article uses for a river, sea or lake
    reach = -1
    readings = memo.readings
    for start, negative_end, key_id, surface in hits:
        if start < reach:
            continue
        end = -negative_end
        short_caps = len(surface) <= 3 and surface.isupper()  # "II", "ONE": only country abbreviations (US, UK)
        places = readings.get((key_id, short_caps))
        if places is None:
            places = [
                (r, f)
                for r, f in gazetteer.candidates(key_id)
                if f != MatchFlag.DEMONYM and (not short_caps or gazetteer.kinds[r] == COUNTRY)
            ]
            readings[(key_id, short_caps)] = places
        if places and _MONTH_DATE.fullmatch(surface) and _DAY_AFTER.match(text, end):
            reach = end  # "on Nov. 27", "Dec 5": a date
        elif places and (_names_water(text, start, end) or _crossed(gazetteer, text, start, end, places)):
            water.add(padded[start : end + 2])
            reach = end
        elif places and _UNIT_AFTER.match(text, end):
            reach = end
        elif places:
            kept.append(Match(start, end, surface, key_id, list(places), padded[start : end + 2]))
            reach = end
    if water:  # one sense per article: "across the Dnipro" after "the Dnipro River" is the river too
        kept = [m for m in kept if m.key not in water or _named_as_city(text, m)]
    starts = {match.start for match in kept}
    ends = {match.end for match in kept}
    headlines: dict[int, bool] = {}
    bylines: dict[int, re.Match[str] | None] = {}
    for match in kept:
        _describe(gazetteer, text, match, starts, ends, headlines, bylines, memo)
    _echo_person_names(kept)
    _read_region_forms(gazetteer, text, kept)
    _link_qualifiers(gazetteer, text, kept)
    return Scan(kept, demonyms)


def _names_water(text: str, start: int, end: int) -> bool:
    after = _WATER_AFTER.match(text, end)
    return after is not None or _WATER_BEFORE.search(text, max(0, start - 12), start) is not None


def _crossed(gazetteer: Gazetteer, text: str, start: int, end: int, places: list[tuple[int, int]]) -> bool:
    return (
        _CROSSED_BEFORE.search(text, max(0, start - 20), start) is not None
        and _CROSSED_AFTER.match(text, end) is not None
        and all(gazetteer.kinds[record] == POPULATED for record, _ in places)
    )


def called_a_village(text: str, match: Match) -> bool:
    """ "the village of X", "the border village of X", "X, a village just to the west", "X and Y, two small
    villages": the text says the place is a village."""
    return (
        _VILLAGE_OF_BEFORE.search(text, max(0, match.start - 30), match.start) is not None
        or _VILLAGE_APPOSITIVE.match(text, match.end) is not None
        or _VILLAGES_LISTED_AFTER.match(text, match.end) is not None
        or (
            _LISTED_BEFORE.search(text, max(0, match.start - 30), match.start) is not None
            and _VILLAGES_AFTER.match(text, match.end) is not None
        )
    )


def _named_as_city(text: str, match: Match) -> bool:
    """ "the city of Kherson", "Kharkiv city", "Kharkiv, Ukraine's second-largest city", "the regional capital,
    Bryansk", "Zaporizhzhia's Shevchenkivskyi district", a dateline ("KHERSON —")."""
    return (
        is_dateline(text, match.start, match.end)
        or _CITY_BEFORE_COMMA.search(text, max(0, match.start - 12), match.start) is not None
        or _CITY_DISTRICT_AFTER.match(text, match.end) is not None
        or _CITY_OF_BEFORE.search(text, max(0, match.start - 20), match.start) is not None
        or _CITY_AFTER.match(text, match.end) is not None
        or _CITY_APPOSITIVE.match(text, match.end) is not None
    )


def _key_facts(gazetteer: Gazetteer, key_id: int) -> tuple[tuple[str, ...], bool]:
    """The countries a key names as a demonym ("Ukrainian"), and whether it names any place as well."""
    candidates = gazetteer.candidates(key_id)
    countries = tuple(gazetteer.countries[r] for r, f in candidates if f == MatchFlag.DEMONYM)
    return countries, any(f != MatchFlag.DEMONYM for _, f in candidates)


def _echo_person_names(matches: list[Match]) -> None:
    """One sense per article: "Jackson said" after "Amy Berman Jackson" is the judge, not Jackson, Mississippi."""
    longer: dict[int, str] = {}
    for match in matches:
        if match.after_name is not None and match.after_name != BYLINE_NOTE:
            longer.setdefault(match.key_id, f"{match.after_name} {match.surface}")
        elif match.before_name is not None:
            longer.setdefault(match.key_id, f"{match.surface} {match.before_name}")
    for match in matches:
        if match.key_id in longer and match.after_name is None and match.before_name is None:
            match.echo_name = longer[match.key_id]


def _describe(
    gazetteer: Gazetteer,
    text: str,
    match: Match,
    starts: set[int],
    ends: set[int],
    headlines: dict[int, bool],
    bylines: dict[int, re.Match[str] | None],
    memo: Memo,
) -> None:
    surface = match.surface
    match.sentence_start = at_sentence_start(text, match.start)
    match.all_caps = surface.isupper() and len(surface) > 1
    common = memo.common.get(surface)
    if common is None:
        common = memo.common[surface] = _is_common_name(gazetteer, match)
    match.common = common
    after: str | None = None
    before: str | None = None
    title: str | None = None
    word_start, word = _previous_word(text, match.start)
    hyphenated = match.start > 0 and text[match.start - 1] == "-"
    # "Paul Ryan", "Ed Gillespie": two capitalised names side by side are one longer name, even when each of them
    # is also a place; "Russia-Ukraine" (a hyphen between two places) is two places
    if word and not (hyphenated and word_start + len(word) in ends) and _name_part(gazetteer, word, memo):
        after = word
    following = _NEXT_WORD.match(text, match.end)
    if following is not None:
        word = following.group(1)
        if word.lower() not in REGION_WORDS:
            if _name_part(gazetteer, word, memo):
                before = word
            elif word[0].isupper() and following.start(1) not in starts and _is_common(gazetteer, word.lower()):
                title = word
    line_start = text.rfind("\n", 0, match.start) + 1
    line_end = text.find("\n", match.end)
    line_end = len(text) if line_end < 0 else line_end
    if line_start not in bylines:
        bylines[line_start] = _BYLINE.search(text, line_start, line_end) if "By " in text[line_start:line_end] else None
    byline = bylines[line_start]
    if byline is not None and byline.start() < match.start < byline.end():
        match.after_name = BYLINE_NOTE
        return
    if after is None and before is None and title is None:
        return
    if line_start not in headlines:
        headlines[line_start] = _is_title_case(text, line_start, line_end)
    if not headlines[line_start]:  # in a headline every word is capitalised: neighbours tell nothing
        match.after_name, match.before_name, match.before_title = after, before, title


def _is_common_name(gazetteer: Gazetteer, match: Match) -> bool:
    """Every word of the name is common English ("Bath", "Reading"); the same for every match of its surface."""
    words = [word for word in _LETTERS.findall(match.surface.lower()) if len(word) > 1]  # "U.S." has no word
    common = bool(words) and all(word in gazetteer.common_words for word in words)
    if common and len(words) > 1:
        # "West Bank", "Mount Lebanon": a name of several common words for a region or country is a proper name
        common = not any(
            gazetteer.kinds[r] != POPULATED and f in (MatchFlag.NAME, MatchFlag.REGION_FORM)
            for r, f in match.candidates
        )
    return common


def _name_part(gazetteer: Gazetteer, word: str, memo: Memo) -> bool:
    found = memo.name_part.get(word)
    if found is None:
        found = memo.name_part[word] = _looks_like_name_part(gazetteer, word)
    return found


def _previous_word(text: str, start: int) -> tuple[int, str]:
    """The word right before ``start`` when only blanks or one hyphen separate them ("" after punctuation)."""
    index = start - 1
    if index >= 0 and text[index] == "-":
        index -= 1
    else:
        while index >= 0 and text[index] in " \t":
            index -= 1
        if index == start - 1:
            return start, ""
    end = index + 1
    while index >= 0 and (text[index].isalnum() or text[index] in "'’"):
        index -= 1
    word = text[index + 1 : end]
    if (index >= 0 and text[index] == ".") or word.endswith(("'s", "’s")):
        return start, ""  # an abbreviation or a possessive: not the first half of a name
    return index + 1, word


# titles written after a place, before a person's name: "Kharkiv Governor Oleh Syniehubov", "Kyiv Mayor …"
_TITLES = frozenset((
    "governor", "gov", "mayor", "president", "minister", "premier", "spokesman", "spokeswoman", "spokesperson",
    "commander", "chief", "head", "deputy", "official", "officials", "ambassador", "envoy", "police", "prosecutor",
    "ombudsman", "authorities", "administration", "council", "parliament", "legislature",
))  # fmt: skip


def _looks_like_name_part(gazetteer: Gazetteer, word: str) -> bool:
    """A capitalised word that is neither common English, a place descriptor ("Eastern"), a title ("Governor") nor
    a demonym."""
    lowered = word.lower().rstrip(".")
    if not word[0].isupper() or lowered in DESCRIPTORS or lowered in _TITLES:
        return False
    if any(_is_common(gazetteer, part) for part in lowered.split("-")):
        return False
    for suffix in ("'s", "’s"):
        lowered = lowered.removesuffix(suffix)
    key_id = gazetteer.key_id(lowered)
    return key_id is None or all(flag != MatchFlag.DEMONYM for _, flag in gazetteer.candidates(key_id))


_INFLECTIONS = (("ies", "y"), ("es", ""), ("s", ""), ("ed", ""), ("ed", "e"), ("ing", ""), ("ing", "e"))


def _is_common(gazetteer: Gazetteer, word: str) -> bool:
    """A common English word, allowing for the regular inflections ("strikes", "escalated", "fighting")."""
    words = gazetteer.common_words
    if word in words:
        return True
    return any(
        word.endswith(suffix) and word[: -len(suffix)] + replacement in words for suffix, replacement in _INFLECTIONS
    )


def _is_title_case(text: str, line_start: int, line_end: int) -> bool:
    if line_end - line_start > 200 or text[line_start:line_end].rstrip().endswith((".", "!", "?", ".”", '."')):
        return False  # too long for a headline, or ends like a sentence
    words: list[str] = _WORD.findall(text, line_start, line_end)
    significant = [word for word in words if len(word) > 3]
    if len(significant) < 2 or len(words) > 25:
        return False
    return sum(word[0].isupper() for word in significant) >= 0.8 * len(significant)


def _stem_regions(gazetteer: Gazetteer, match: Match) -> tuple[int, ...]:
    return gazetteer.region_stems.get(match.key or key_of(match.surface), ())


def _force_region(match: Match, region: int, reason: str) -> None:
    match.candidates = [(region, MatchFlag.REGION_FORM)]
    match.forced_reason = reason


def _pick_region(gazetteer: Gazetteer, match: Match, regions: tuple[int, ...]) -> int:
    """Among regions sharing a stem (Kyiv Oblast only, usually), the one holding the name's own place if any."""
    for region in regions:
        if any(gazetteer.contains(region, record) for record, _ in match.candidates):
            return region
    return regions[0]


def _joined(text: str, first: Match, second: Match) -> bool:
    return _COORDINATOR.fullmatch(text, first.end, second.start) is not None


def _read_region_forms(gazetteer: Gazetteer, text: str, matches: list[Match]) -> None:
    """Bare stems read as regions: "Donetsk and Luhansk regions", "the regions of Luhansk and Donetsk"."""
    for index, match in enumerate(matches):
        regions = _stem_regions(gazetteer, match)
        if not regions or match.forced_reason is not None:
            continue
        if _REGIONAL_AFTER.match(text, match.end):
            region = _pick_region(gazetteer, match, regions)
            _force_region(match, region, REGIONAL_ADJECTIVE)
            continue
        chain = [match]
        region_of = _REGION_OF_BEFORE.search(text, max(0, match.start - 30), match.start)
        if region_of is not None:
            cursor = index
            while cursor + 1 < len(matches) and _joined(text, matches[cursor], matches[cursor + 1]):
                if not _stem_regions(gazetteer, matches[cursor + 1]):
                    break
                chain.append(matches[cursor + 1])
                cursor += 1
            phrase_start, phrase_end = region_of.start(), chain[-1].end
        else:
            plural = _PLURAL_REGION_AFTER.match(text, match.end)
            if plural is None:
                continue
            cursor = index
            while cursor > 0 and _joined(text, matches[cursor - 1], chain[-1]):
                if not _stem_regions(gazetteer, matches[cursor - 1]):
                    break
                chain.append(matches[cursor - 1])
                cursor -= 1
            if len(chain) < 2:
                continue
            phrase_start, phrase_end = chain[-1].start, plural.end()
        phrase = " ".join(text[max(0, phrase_start) : phrase_end].split())
        for member in chain:
            region = _pick_region(gazetteer, member, _stem_regions(gazetteer, member))
            _force_region(member, region, f"named in '{phrase}'")


def _is_region_reading(gazetteer: Gazetteer, match: Match) -> bool:
    record, flag = match.candidates[0]
    return len(match.candidates) == 1 and flag == MatchFlag.REGION_FORM and gazetteer.kinds[record] == REGION


def read_bare_stems_as_regions(
    gazetteer: Gazetteer,
    text: str,
    matches: list[Match],
    stems_by_region: dict[int, tuple[str, ...]],
    capitals: frozenset[int] | None = None,
) -> None:
    """A stem the article names as a region ("Kursk region") keeps that reading when repeated bare ("in Kursk").

    National capitals are left alone ("Kyiv" stays the city even next to "Kyiv region"), and so are explicit city
    readings ("the city of Kursk", "Kursk city") and a stem in the very sentence that names the region, where the
    two are contrasted ("shelling hit Kharkiv and the Kharkiv region"). ``capitals`` are the records of
    ``gazetteer.capital_records`` (taken from there when not given).
    """
    named: dict[str, int] = {}
    named_at: dict[str, list[int]] = {}
    for match in matches:
        record = match.candidates[0][0]
        # "the Odesa regional governor" names an office, not the region as a place the article is about
        if _is_region_reading(gazetteer, match) and match.forced_reason != REGIONAL_ADJECTIVE:
            surface_key = match.key or key_of(match.surface)
            for stem in stems_by_region.get(record, ()):
                if surface_key.startswith(stem) or stem == surface_key:
                    named.setdefault(stem, record)
                    named_at.setdefault(stem, []).append(match.start)
    if capitals is None:
        capitals = frozenset(gazetteer.capital_records.values())
    # one sense per article: once the text calls a stem a city ("the southern city of Kherson"), the bare stem is
    # the city throughout, even where the article also names the region
    cities = {match.key or key_of(match.surface) for match in matches if named and _named_as_city(text, match)}
    listed = _listed_with_towns(gazetteer, text, matches) if named else set()
    for match in matches:
        if match.forced_reason is not None or match.start in listed:
            continue
        stem = match.key or key_of(match.surface)
        region = named.get(stem)
        if region is None or stem in cities or any(record in capitals for record, _ in match.candidates):
            continue
        if any(_same_sentence(text, match.start, where) for where in named_at[stem]):
            continue
        if _DISTANCE_FROM_BEFORE.search(text, max(0, match.start - 60), match.start):
            continue
        if any(gazetteer.kinds[r] == AREA for r, _ in match.candidates):
            continue
        _force_region(match, region, f"the article names {gazetteer.names[region]} as a region")
    for first, second in pairwise(matches):
        if not _joined(text, first, second):
            continue
        for region_side, bare in ((first, second), (second, first)):
            regions = _stem_regions(gazetteer, bare)
            if (
                regions
                and bare.forced_reason is None
                and _is_region_reading(gazetteer, region_side)
                and not any(gazetteer.kinds[r] == AREA or r in capitals for r, _ in bare.candidates)
            ):
                named_region = gazetteer.names[region_side.candidates[0][0]]
                _force_region(bare, _pick_region(gazetteer, bare, regions), f"coordinated with {named_region}")


def _listed_with_towns(gazetteer: Gazetteer, text: str, matches: list[Match]) -> set[int]:
    """Starts of the stems listed with a town that names no region: "refineries in Ryazan, Volgograd and Kstovo"."""
    found: set[int] = set()
    chain: list[Match] = []
    for match in [*matches, None]:
        if match is not None and chain and _joined(text, chain[-1], match):
            chain.append(match)
            continue
        if len(chain) > 1 and any(
            not _stem_regions(gazetteer, m) and all(gazetteer.kinds[r] == POPULATED for r, _ in m.candidates)
            for m in chain
        ):
            found.update(m.start for m in chain)
        chain = [match] if match is not None else []
    return found


def _same_sentence(text: str, first: int, second: int) -> bool:
    low, high = min(first, second), max(first, second)
    between = text[low:high]
    return "." not in between and "!" not in between and "?" not in between and "\n" not in between


def _link_qualifiers(gazetteer: Gazetteer, text: str, matches: list[Match]) -> None:
    """ "Independence, Missouri" and "Uspenovka in the Zaporozhye Region": the place lies in what follows it."""
    for current, following in pairwise(matches):
        gap = text[current.end : following.start]
        if text.startswith(("'s", "’s"), following.end):
            continue
        if _QUALIFIER_GAP.fullmatch(gap):
            current.qualifiers = [record for record, flag in following.candidates if flag <= MatchFlag.REGION_FORM]
        elif _IN_REGION_GAP.fullmatch(gap):
            current.located = True
            current.qualifiers = [
                record
                for record, flag in following.candidates
                if flag <= MatchFlag.REGION_FORM and gazetteer.kinds[record] in (REGION, COUNTRY)
            ]
