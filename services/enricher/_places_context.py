"""Scoring the readings of a place name: a prior from the gazetteer plus the evidence of the article around it."""

from __future__ import annotations

import math
from dataclasses import dataclass

from services.enricher._places_match import Match
from services.enricher.gazetteer import AREA, COUNTRY, POPULATED, REGION, Gazetteer, MatchFlag

FLAG_PRIOR = {
    MatchFlag.NAME: 0.0,
    MatchFlag.SPELLING: -0.1,
    MatchFlag.ALTERNATE: -0.7,
    MatchFlag.REGION_FORM: 0.6,
    MatchFlag.DEMONYM: -9.0,
}
KIND_PRIOR = {POPULATED: 0.0, REGION: 0.3, COUNTRY: 0.6, AREA: 0.5}
COUNTRY_NAMED = 0.5
DEMONYM_USED = 0.4
REGION_NAMED = 0.7
PER_CONTAINED = 0.35
MAX_CONTAINED = 0.8
QUALIFIED = 1.5
EARTH_RADIUS_KM = 6371.0
MAX_NEARBY_SQUARED = (400 / EARTH_RADIUS_KM) ** 2  # in radians squared

Group = tuple[int, int]
Evidence = list[tuple[float, str]]


@dataclass(frozen=True, slots=True)
class Reading:
    """The chosen record of a name, the evidence for it, and how far ahead of the runner-up it came."""

    record: int
    evidence: Evidence
    runner_up: int | None
    margin: float
    foreign: bool = False  # the article names other countries, and none of its other places is in this one

    @property
    def support(self) -> float:
        return sum(value for value, _ in self.evidence if value > 0)

    @property
    def qualified(self) -> bool:
        return any(value == QUALIFIED for value, _ in self.evidence)


def prior(gazetteer: Gazetteer, record: int, flag: int) -> float:
    """What a reading is worth before context: size (log of population), kind, and how the name matched."""
    return (
        0.12 * math.log10(gazetteer.weights[record] + 10)
        + KIND_PRIOR[gazetteer.kinds[record]]
        + FLAG_PRIOR[MatchFlag(flag)]
    )


@dataclass(frozen=True, slots=True)
class RoundContext:
    """What the informative names of the article currently mean; each name reads it without its own entry."""

    choices: tuple[tuple[Group, int], ...]
    populated: tuple[tuple[Group, int, float, float], ...]  # places, with latitude and longitude in radians
    containers: tuple[tuple[Group, int], ...]  # regions and areas
    # (country, admin-1 code) -> the regions and areas of ``containers`` that hold the places there
    holders: dict[tuple[str, str], tuple[tuple[Group, int], ...]]
    countries: dict[str, tuple[Group, ...]]  # country -> the names read as that country
    inside_country: dict[str, tuple[tuple[Group, int], ...]]  # country -> the other readings in it
    demonyms: frozenset[str]

    @classmethod
    def of(cls, gazetteer: Gazetteer, choices: dict[Group, int], demonyms: set[str]) -> RoundContext:
        kinds = gazetteer.kinds
        countries: dict[str, list[Group]] = {}
        inside_country: dict[str, list[tuple[Group, int]]] = {}
        ordered = tuple(sorted(choices.items()))
        containers = tuple((group, record) for group, record in ordered if kinds[record] in (REGION, AREA))
        holders: dict[tuple[str, str], list[tuple[Group, int]]] = {}
        for group, record in containers:
            country = gazetteer.countries[record]
            # what Gazetteer.contains accepts: a region holds its admin-1, an area the admin-1s it spans
            if kinds[record] == REGION:
                codes: tuple[str, ...] = (gazetteer.admin1_codes[record],)
            else:
                codes = gazetteer.area_admin1.get(record, ())
            for code in dict.fromkeys(codes):
                holders.setdefault((country, code), []).append((group, record))
        for group, record in ordered:
            if kinds[record] == COUNTRY:
                countries.setdefault(gazetteer.countries[record], []).append(group)
            else:
                inside_country.setdefault(gazetteer.countries[record], []).append((group, record))
        return cls(
            choices=ordered,
            populated=tuple(
                (group, record, math.radians(gazetteer.lats[record]), math.radians(gazetteer.lons[record]))
                for group, record in ordered
                if kinds[record] == POPULATED
            ),
            containers=containers,
            holders={place: tuple(members) for place, members in holders.items()},
            countries={code: tuple(groups) for code, groups in countries.items()},
            inside_country={code: tuple(members) for code, members in inside_country.items()},
            demonyms=frozenset(demonyms),
        )


def score(
    gazetteer: Gazetteer,
    record: int,
    group: Group,
    matches: list[Match],
    context: RoundContext,
    evidence: Evidence | None,
) -> float:
    """The context bonus of reading ``group``'s name as ``record``; appends the reasons to ``evidence`` if given.

    Ranking calls it many times per article without ``evidence``: the reasons are then not even formatted.
    """
    g = gazetteer
    kind, country = g.kinds[record], g.countries[record]
    total = 0.0
    if kind != COUNTRY and any(other != group for other in context.countries.get(country, ())):
        total += COUNTRY_NAMED
        if evidence is not None:
            evidence.append((COUNTRY_NAMED, f"country {country} named"))
    elif country in context.demonyms:
        total += DEMONYM_USED
        if evidence is not None:
            evidence.append((DEMONYM_USED, f"{country} adjective used"))
    if kind in (POPULATED, AREA):
        # the containers holding it (Gazetteer.contains, by the index: the readings scored here are places and areas)
        holders = [
            r for grp, r in context.holders.get((country, g.admin1_codes[record]), ()) if grp != group and r != record
        ]
        if holders:
            total += REGION_NAMED
            if evidence is not None:
                best = min(holders, key=lambda r: (g.kinds[r] != REGION, r))
                evidence.append((REGION_NAMED, f"in {g.names[best]}, named in the text"))
        for value, other, distance in _nearby(g, record, group, context):
            total += value
            if evidence is not None:
                evidence.append((value, f"{distance:.0f} km from {g.names[other]}"))
    else:
        members = context.inside_country.get(country, ())
        inside = {g.names[r] for grp, r in members if grp != group and g.contains(record, r)}
        if inside:
            value = min(MAX_CONTAINED, PER_CONTAINED * len(inside))
            total += value
            if evidence is not None:
                evidence.append((value, "contains " + ", ".join(sorted(inside)[:3])))
    for match in matches:
        for qualifier in match.qualifiers:
            if qualifier == record or g.contains(qualifier, record):
                total += QUALIFIED
                if evidence is not None:
                    evidence.append((QUALIFIED, f"qualified as '{match.surface}, {g.names[qualifier]}'"))
                return total
    return total


def _nearby(g: Gazetteer, record: int, group: Group, context: RoundContext) -> list[tuple[float, int, float]]:
    """Geographic coherence: the two nearest other places of the article within 400 km, closer is better;
    (bonus, record, distance in km) of each."""
    populated = context.populated
    if not populated:
        return []
    lat, lon = math.radians(g.lats[record]), math.radians(g.lons[record])
    cos_lat = math.cos(lat)
    first: tuple[float, int] | None = None
    second: tuple[float, int] | None = None
    limit = MAX_NEARBY_SQUARED
    for other_group, other, other_lat, other_lon in populated:
        dlat = other_lat - lat
        if dlat * dlat > limit or other_group == group or other == record:
            continue
        dlon = (other_lon - lon) * cos_lat
        squared = dlat * dlat + dlon * dlon
        if squared > limit:
            continue
        if first is None or squared < first[0]:
            first, second = (squared, other), first
        elif second is None or squared < second[0]:
            second = (squared, other)
    found = []
    for nearest in (first, second):
        if nearest is not None:
            distance = EARTH_RADIUS_KM * math.sqrt(nearest[0])
            value = 0.6 if distance < 50 else 0.45 if distance < 150 else 0.25
            found.append((value, nearest[1], distance))
    return found
