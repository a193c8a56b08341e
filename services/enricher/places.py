"""Find place mentions in an article and decide which place each one means, with the reason written out.

The pipeline (docs/places.md tells it at length):

1. *Scan*: the gazetteer's Aho-Corasick automaton runs over the normalised text; hits must be whole words and
   written as names (capitalised); overlapping hits keep the longest ("Kursk region" over "Kursk").
2. *Region forms*: bare stems become regions in "Donetsk and Luhansk regions", "the region of Kursk", and when the
   article names the stem as a region elsewhere ("Kursk region" ... "in Kursk").
3. *Disambiguation*, per distinct name (one sense per article): every reading gets a population prior plus context:
   its country or region named in the text, places it contains, distance to the other places, a qualifier
   ("Independence, Missouri"). Up to three rounds, until the readings settle on each other.
4. *Confidence*: how sure the name is a place at all (common English word? sentence start? part of a longer name?)
   plus the context support and the margin over the runner-up. Mentions below the threshold are dropped.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from newsmon.contracts.places import Place, PlaceMention
from services.enricher._gazetteer_text import key_of
from services.enricher._lexicon import OPPONENTS
from services.enricher._places_context import Reading, RoundContext, prior, score
from services.enricher._places_match import (
    Match,
    Memo,
    Scan,
    called_a_village,
    read_bare_stems_as_regions,
    scan,
)
from services.enricher.gazetteer import AREA, COUNTRY, POPULATED, REGION, Gazetteer, MatchFlag

DEFAULT_MIN_CONFIDENCE = 0.5
VILLAGE_MAX_POPULATION = 20_000
"""A place the text calls a village has fewer people; a reading above this is a namesake town."""
MAJOR_CITY_POPULATION = 500_000
ROUNDS = 2
MAX_CANDIDATES = 25
RANKED_CACHE_SIZE = 50_000
MAX_SUPPORT_BONUS = 0.35
QUALIFIED_BONUS = 0.2

Group = tuple[int, int]


def _prefer_eponymous_cities(gazetteer: Gazetteer, candidates: list[tuple[int, int]], priors: dict[int, float]) -> None:
    """A bare name shared by a region and a city means the city when the city is a national capital ("Washington")
    or a large part of that very region ("New York"): news names the city far more often than the state."""
    g = gazetteer
    regions = [r for r, f in candidates if g.kinds[r] == REGION and f == MatchFlag.NAME]
    if not regions:
        return
    capitals = g.capital_records
    for city, flag in candidates:
        if g.kinds[city] != POPULATED or flag > MatchFlag.SPELLING:
            continue
        is_capital = capitals.get(g.countries[city]) == city
        for region in regions:
            if is_capital or (g.contains(region, city) and g.weights[city] * 5 >= g.weights[region]):
                priors[region] = min(priors[region], priors[city] - 0.05)


class PlaceFinder:
    """Finds and resolves place mentions. Deterministic and safe to share between threads: besides the (immutable)
    gazetteer its only state is caches of priors, of ``Place`` objects and of what scanning learnt about words
    (``Memo``), which depend on the gazetteer alone."""

    def __init__(
        self,
        gazetteer: Gazetteer,
        *,
        min_confidence: float = DEFAULT_MIN_CONFIDENCE,
        bare_stem_follows_region: bool = True,
    ) -> None:
        self._gazetteer = gazetteer
        self._min_confidence = min_confidence
        self._bare_stem_follows_region = bare_stem_follows_region
        stems_by_region: dict[int, list[str]] = defaultdict(list)
        for stem, regions in gazetteer.region_stems.items():
            for region in regions:
                stems_by_region[region].append(stem)
        self._stems_by_region = {region: tuple(stems) for region, stems in stems_by_region.items()}
        self._capitals = frozenset(gazetteer.capital_records.values())
        # readings of a key ranked by prior, shared by all articles (they only depend on the gazetteer)
        self._ranked: dict[tuple[int, ...], list[tuple[int, float]]] = {}
        # the contract objects of records with their surface forms: immutable, and not cheap to validate
        self._places: dict[tuple[int, tuple[str, ...]], Place] = {}
        self._memo = Memo()

    @property
    def gazetteer(self) -> Gazetteer:
        return self._gazetteer

    def find(self, text: str) -> list[PlaceMention]:
        """Every place mention in ``text`` (repeats included), sorted by start offset."""
        found = self._scan(text)
        hopeful: set[Group] = set()
        hopeless: set[Group] = set()
        for match in found.matches:
            group = match.group
            if group in hopeful:
                continue  # one hopeful mention is enough
            if self._best_case(match) >= self._min_confidence:
                hopeful.add(group)
                hopeless.discard(group)
            else:
                hopeless.add(group)
        self._refuse_contradicted_locations(found, hopeless)
        self._keep_villages(text, found, hopeless)
        readings = self._disambiguate(found, skip=hopeless)
        kept: list[tuple[Match, Reading, float, str]] = []
        reasons: dict[tuple[tuple[int, int], str | None, tuple[str, ...]], str] = {}
        # matches alike in all that _confidence and _reason read get the same verdict: repeats of a name mostly are
        verdicts: dict[tuple[object, ...], tuple[float, str | None]] = {}
        for match in found.matches:
            group = match.group
            if group in hopeless:
                continue
            alike = (
                group,
                match.surface,
                match.sentence_start,
                match.forced_reason,
                match.after_name,
                match.before_name,
                match.before_title,
                match.echo_name,
            )
            verdict = verdicts.get(alike)
            if verdict is None:
                reading = readings[group]
                notes: list[str] = []
                confidence = self._confidence(match, reading, notes)
                reason: str | None = None
                if confidence >= self._min_confidence:
                    key = (group, match.forced_reason, tuple(notes))
                    reason = reasons.get(key)
                    if reason is None:
                        reason = reasons[key] = self._reason(match, reading, notes)
                verdict = verdicts[alike] = (confidence, reason)
            confidence, reason = verdict
            if reason is not None:
                kept.append((match, readings[group], confidence, reason))
        forms: dict[int, list[str]] = defaultdict(list)
        for match, reading, _, _ in kept:
            if match.surface not in forms[reading.record]:
                forms[reading.record].append(match.surface)
        places = {record: self._place(record, tuple(surfaces)) for record, surfaces in forms.items()}
        return [
            PlaceMention(
                place=places[reading.record],
                surface=match.surface,
                start=match.start,
                end=match.end,
                confidence=round(confidence, 3),
                reason=reason,
            )
            for match, reading, confidence, reason in kept
        ]

    def _refuse_contradicted_locations(self, found: Scan, hopeless: set[Group]) -> None:
        """ "Pleshcheyevka in the Donetsk People's Republic" where no reading lies in that region: a place the
        gazetteer lacks (the namesake elsewhere is not it)."""
        g = self._gazetteer
        for match in found.matches:
            if not match.located:
                continue
            containers = [q for q in match.qualifiers if g.kinds[q] in (REGION, COUNTRY, AREA)]
            if containers and not any(
                record == q or g.contains(q, record) for record, _ in match.candidates for q in containers
            ):
                hopeless.add(match.group)

    def _keep_villages(self, text: str, found: Scan, hopeless: set[Group]) -> None:
        """Where the text calls a name a village, only villages are its readings ("the village of Kamianske" is
        not the city of Kamianske); with none left the village is one the gazetteer lacks ("Kostiantynivka and
        Vodolahy, two small villages" is not the Donetsk city)."""
        villages = {match.group for match in found.matches if called_a_village(text, match)}
        if not villages:
            return
        g = self._gazetteer
        for match in found.matches:
            if match.group not in villages:
                continue
            small = [
                (record, flag)
                for record, flag in match.candidates
                if g.kinds[record] != POPULATED or g.populations[record] <= VILLAGE_MAX_POPULATION
            ]
            if not any(g.kinds[record] == POPULATED for record, _ in small):
                hopeless.add(match.group)
            else:
                match.candidates = small

    def resolve_name(self, name: str, context: str = "") -> Place | None:
        """The best reading of one name (say, the object of "captured") in the light of ``context``.

        The name is taken to be a place: common-word doubts do not apply, but it must be in the gazetteer.
        """
        cleaned = name.strip().strip("\"'“”‘’")
        if cleaned.lower().startswith("the "):
            cleaned = cleaned[4:]
        key_id = self._gazetteer.key_id(cleaned)
        if key_id is None:
            return None
        candidates = [(r, f) for r, f in self._gazetteer.candidates(key_id) if f != MatchFlag.DEMONYM]
        if not candidates:
            return None
        found = self._scan(context)
        start = len(context) + 1
        target = Match(start, start + len(cleaned), cleaned, key_id, candidates, key_of(cleaned))
        found.matches.append(target)
        if self._bare_stem_follows_region:
            read_bare_stems_as_regions(self._gazetteer, context, found.matches, self._stems_by_region, self._capitals)
        reading = self._disambiguate(found, skip=set())[target.group]
        return self._place(reading.record, (cleaned,))

    # -- pipeline -------------------------------------------------------------------------------------------

    def _scan(self, text: str) -> Scan:
        found = scan(self._gazetteer, text, self._memo)
        if self._bare_stem_follows_region:
            read_bare_stems_as_regions(self._gazetteer, text, found.matches, self._stems_by_region, self._capitals)
        return found

    def _disambiguate(self, found: Scan, skip: set[Group]) -> dict[Group, Reading]:
        g = self._gazetteer
        groups: dict[Group, list[Match]] = defaultdict(list)
        for match in found.matches:
            groups[match.group].append(match)
        options: dict[Group, list[tuple[int, float]]] = {}
        for group, matches in groups.items():
            by_prior = self._by_prior(matches[0].candidates)
            options[group] = by_prior[: 1 if group in skip else MAX_CANDIDATES]
        choice = {group: by_prior[0][0] for group, by_prior in options.items()}
        informative = {
            group for group, matches in groups.items() if group not in skip and any(m.plausible for m in matches)
        }
        contested = sorted(group for group in groups if len(options[group]) > 1)
        demonyms = {code for _, code in found.demonyms}
        # "Russian forces shelled Kupiansk": a belligerent's forces are named beside its opponent's towns
        expected = demonyms | {OPPONENTS[code] for code in demonyms if code in OPPONENTS}
        totals: dict[Group, list[tuple[float, int]]] = {}
        stale = contested  # the groups whose totals the round's context may have changed: all of them at first
        previous: RoundContext | None = None
        for _ in range(ROUNDS + 1):
            context = RoundContext.of(g, {grp: choice[grp] for grp in informative}, demonyms)
            if previous is not None:
                moved = [(old, new) for old, new in zip(previous.choices, context.choices, strict=True) if old != new]
                if not moved:
                    break  # the same context as the last round's: the same totals
                stale = self._touched(contested, options, [record for (_, a), (_, b) in moved for record in (a, b)])
            previous = context
            changed = False
            for group in stale:
                ranked = sorted(
                    ((p + score(g, r, group, groups[group], context, None), r) for r, p in options[group]),
                    key=lambda t: (-t[0], t[1]),
                )
                totals[group] = ranked
                if ranked[0][1] != choice[group]:
                    choice[group] = ranked[0][1]
                    changed = True
            if not changed:
                break  # the context the totals were computed in is the final one
        readings: dict[Group, Reading] = {}
        # the countries the other informative names are read in: elsewhere[c] counts them, demonyms aside
        elsewhere = Counter(g.countries[choice[grp]] for grp in informative)
        for group in groups:
            if group in skip:
                continue  # hopeless: its mentions are dropped whatever it reads as
            record = choice[group]
            country = g.countries[record]
            own = 1 if group in informative else 0  # its own reading is not "elsewhere"
            anywhere = bool(demonyms) or len(informative) > own
            foreign = anywhere and country not in expected and elsewhere[country] <= own
            evidence: list[tuple[float, str]] = []
            score(g, record, group, groups[group], context, evidence)
            scored = totals.get(group, [])
            rivals = [(total, other) for total, other in scored if other != record]
            if rivals:
                best_total = next(total for total, other in scored if other == record)
                readings[group] = Reading(record, evidence, rivals[0][1], best_total - rivals[0][0], foreign)
            else:
                readings[group] = Reading(record, evidence, None, 2.0, foreign)
        return readings

    def _touched(
        self, contested: list[Group], options: dict[Group, list[tuple[int, float]]], moved: list[int]
    ) -> list[Group]:
        """The contested groups some reading of which ``score`` may score differently once the informative names
        read as the ``moved`` records (old and new) read otherwise: a reading's score looks at the readings in its
        own country, and, for places and areas, at the places within 400 km (of any country)."""
        g = self._gazetteer
        countries = {g.countries[record] for record in moved}
        near = any(g.kinds[record] == POPULATED for record in moved)
        return [
            group
            for group in contested
            if any(g.countries[r] in countries or (near and g.kinds[r] in (POPULATED, AREA)) for r, _ in options[group])
        ]

    def _place(self, record: int, surfaces: tuple[str, ...]) -> Place:
        key = (record, surfaces)
        place = self._places.get(key)
        if place is None:
            if len(self._places) >= RANKED_CACHE_SIZE:
                self._places.clear()
            place = self._places[key] = self._gazetteer.place(record, surfaces)
        return place

    def _by_prior(self, candidates: list[tuple[int, int]]) -> list[tuple[int, float]]:
        key = tuple(record * 8 + flag for record, flag in candidates)
        ranked = self._ranked.get(key)
        if ranked is None:
            g = self._gazetteer
            priors = {r: prior(g, r, f) for r, f in candidates}
            _prefer_eponymous_cities(g, candidates, priors)
            ranked = sorted(priors.items(), key=lambda o: (-o[1], o[0]))
            if len(self._ranked) >= RANKED_CACHE_SIZE:
                self._ranked.clear()
            self._ranked[key] = ranked
        return ranked

    def _best_case(self, match: Match) -> float:
        """An upper bound of the confidence, before disambiguation: lets hopeless names skip the scoring."""
        best = self._base(match, kind=COUNTRY, weight=10**9, flag=MatchFlag.NAME, notes=None)
        return best + MAX_SUPPORT_BONUS + (QUALIFIED_BONUS if match.qualifiers else 0.0)

    def _base(self, match: Match, *, kind: int, weight: int, flag: int, notes: list[str] | None) -> float:
        """How likely the name is a place at all, from how it is written; says why in ``notes`` if given."""
        if notes is None:
            notes = []  # thrown away: the best case needs the number only
        if match.common:
            base = 0.3
            notes.append("also a common English word")
            if match.sentence_start:
                base = 0.1
                notes.append("at a sentence start")
        else:
            base = 0.75
            if weight >= 100_000 or kind != POPULATED:
                base += 0.1
        if match.forced_reason is not None:
            base = max(base, 0.85)
        if match.all_caps and len(match.surface) > 3:
            base -= 0.1
        if flag == MatchFlag.ALTERNATE:
            base -= 0.35
            notes.append("matched a former or foreign name")
        name_penalty = 0.35 if kind == COUNTRY else 0.75
        if match.after_name is not None:
            base -= name_penalty
            notes.append(f"follows '{match.after_name}' (part of a longer name?)")
        if match.before_name is not None:
            base -= name_penalty
            notes.append(f"followed by '{match.before_name}' (part of a longer name?)")
        if match.before_title is not None:
            base -= 0.3
            notes.append(
                f"followed by '{match.before_title}' (part of a name like '{match.surface} {match.before_title}'?)"
            )
        if match.echo_name is not None:
            base -= 0.4
            notes.append(f"elsewhere part of the name '{match.echo_name}'")
        return base

    def _confidence(self, match: Match, reading: Reading, notes: list[str]) -> float:
        """Confidence that this mention names ``reading``'s place; appends what lowered it to ``notes``."""
        g = self._gazetteer
        record = reading.record
        flag = next(f for r, f in match.candidates if r == record)
        base = self._base(match, kind=g.kinds[record], weight=g.weights[record], flag=flag, notes=notes)
        support = reading.support
        if support == 0 and g.kinds[record] == POPULATED:
            if g.weights[record] < 10_000:
                base -= 0.2
                notes.append("small place with no support in the text")
            if reading.foreign and not self._is_major(record):
                base -= 0.3
                notes.append(f"nothing else in the article is in {g.countries[record]}")
            if flag == MatchFlag.ALTERNATE:
                base -= 0.15
        base += min(MAX_SUPPORT_BONUS, MAX_SUPPORT_BONUS * support)
        if reading.qualified:
            base += QUALIFIED_BONUS  # "Bath, England": the text itself says which place it is
        if reading.margin < 0.15:
            base -= 0.15
            notes.append("close call")
        elif reading.margin < 0.4:
            base -= 0.05
        return max(0.01, min(0.99, base))

    def _is_major(self, record: int) -> bool:
        """A national capital or a city of half a million: world news names them without other places of their
        country ("Washington said", "strikes on Beirut")."""
        return record in self._capitals or self._gazetteer.populations[record] >= MAJOR_CITY_POPULATION

    def _reason(self, match: Match, reading: Reading, notes: list[str]) -> str:
        g = self._gazetteer
        parts: list[str] = []
        if match.forced_reason is not None:
            parts.append(match.forced_reason)
        parts += [reason for value, reason in sorted(reading.evidence, key=lambda e: -e[0]) if value > 0]
        record = reading.record
        if g.kinds[record] == POPULATED and g.populations[record]:
            parts.append(f"population {g.populations[record]:,}")
        if reading.runner_up is not None:
            other = reading.runner_up
            where = ", ".join(x for x in (g.countries[other], g.admin1_name(other)) if x)
            parts.append(f"preferred over {g.names[other]} ({where})")
        parts += notes
        return "; ".join(parts) if parts else "only reading"
