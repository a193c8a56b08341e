"""The gazetteer: what it holds (places, regions, countries, spellings) and how it is cached on disk."""

from __future__ import annotations

import pickle
import random
from pathlib import Path

import pytest

from services.enricher._gazetteer_build import city_districts, press_spellings
from services.enricher._gazetteer_text import key_of, normalise, skeleton
from services.enricher.gazetteer import (
    AREA,
    COUNTRY,
    POPULATED,
    REGION,
    Gazetteer,
    MatchFlag,
    cache_path,
    load_gazetteer,
)


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return load_gazetteer()


def readings(gazetteer: Gazetteer, name: str) -> dict[str, MatchFlag]:
    key_id = gazetteer.key_id(name)
    assert key_id is not None, f"{name!r} is not in the gazetteer"
    return {gazetteer.ids[record]: MatchFlag(flag) for record, flag in gazetteer.candidates(key_id)}


def record_of(gazetteer: Gazetteer, place_id: str) -> int:
    return gazetteer.ids.index(place_id)


def test_every_curated_row_found_its_record(gazetteer: Gazetteer) -> None:
    assert gazetteer.build_warnings == ()


def test_cities_500_are_all_there_with_both_pokrovsks(gazetteer: Gazetteer) -> None:
    assert len(gazetteer) > 230_000
    assert {"704422", "2017824"} <= set(readings(gazetteer, "Pokrovsk"))
    ukrainian = gazetteer.place(record_of(gazetteer, "704422"))
    assert (ukrainian.country_code, ukrainian.admin1, ukrainian.kind) == ("UA", "Donetsk Oblast", "populated_place")
    assert ukrainian.population == 60127
    assert ukrainian.lat == pytest.approx(48.28, abs=0.05)
    assert ukrainian.lon == pytest.approx(37.18, abs=0.05)
    yakutian = gazetteer.place(record_of(gazetteer, "2017824"))
    assert yakutian.admin1 == "Sakha Republic (Yakutia)"


@pytest.mark.parametrize(
    ("spelling", "place_id", "display"),
    [
        ("Kiev", "703448", "Kyiv"),
        ("Kharkov", "706483", "Kharkiv"),
        ("Kurakhovo", "695357", "Kurakhove"),
        ("Konstantinovka", "705104", "Kostiantynivka"),
        ("Kostyantynivka", "705104", "Kostiantynivka"),
        ("Nikolaev", "700569", "Mykolaiv"),
        ("Zaporozhye", "687700", "Zaporizhzhia"),
        ("Lugansk", "702658", "Luhansk"),
        ("Dnipropetrovsk", "709930", "Dnipro"),
        ("Odessa", "698740", "Odesa"),
        ("Ugledar", "690823", "Vuhledar"),
        ("Dzerzhinsk", "709354", "Toretsk"),
        ("Chasov Yar", "710915", "Chasiv Yar"),
        ("Avdeyevka", "713122", "Avdiivka"),
        ("Kryvyi Rih", "703845", "Kryvyi Rih"),
        ("Sloviansk", "693468", "Sloviansk"),
    ],
)
def test_transliterations_news_uses_are_full_names(
    gazetteer: Gazetteer, spelling: str, place_id: str, display: str
) -> None:
    assert readings(gazetteer, spelling)[place_id] == MatchFlag.NAME
    assert gazetteer.names[record_of(gazetteer, place_id)] == display


def test_geonames_alternates_are_spellings_or_other_names(gazetteer: Gazetteer) -> None:
    # "Pokrowsk" is the same name transliterated; "Grishino" is what the town was once called
    assert readings(gazetteer, "Pokrowsk")["704422"] == MatchFlag.SPELLING
    assert readings(gazetteer, "Grishino")["704422"] == MatchFlag.ALTERNATE
    # alternates in other scripts or in lower case (pinyin) are not keys
    assert gazetteer.key_id("Київ") is None
    assert gazetteer.key_id("ji fu") is None


@pytest.mark.parametrize(
    "form",
    ["Kursk region", "Kursk Oblast", "Kursk oblast", "Kursk province", "Kursk Oblast's"],
)
def test_region_forms_name_the_admin1_region(gazetteer: Gazetteer, form: str) -> None:
    assert readings(gazetteer, form.removesuffix("'s")) == {"adm1:RU.41": MatchFlag.REGION_FORM}
    region = gazetteer.place(record_of(gazetteer, "adm1:RU.41"))
    assert (region.kind, region.name, region.country_code, region.admin1) == (
        "region",
        "Kursk Oblast",
        "RU",
        "Kursk Oblast",
    )


def test_regions_with_names_of_their_own(gazetteer: Gazetteer) -> None:
    assert readings(gazetteer, "Donetsk oblast") == {"adm1:UA.05": MatchFlag.REGION_FORM}
    assert readings(gazetteer, "Crimea")["adm1:UA.11"] == MatchFlag.NAME
    assert readings(gazetteer, "Yakutia")["adm1:RU.63"] == MatchFlag.NAME
    # US states come with their geonames ids
    georgia = readings(gazetteer, "Georgia")
    assert georgia["4197000"] == MatchFlag.NAME  # the state
    assert georgia["614540"] == MatchFlag.NAME  # the country
    assert gazetteer.kinds[record_of(gazetteer, "4197000")] == REGION


def test_countries_by_their_common_names(gazetteer: Gazetteer) -> None:
    for name in ("Russia", "Russian Federation"):
        assert readings(gazetteer, name)["2017370"] == MatchFlag.NAME
    assert readings(gazetteer, "U.S.")["6252001"] == MatchFlag.NAME
    assert readings(gazetteer, "Ukrainian") == {"690791": MatchFlag.DEMONYM}
    russia = record_of(gazetteer, "2017370")
    assert gazetteer.kinds[russia] == COUNTRY
    assert gazetteer.capital_records["RU"] == record_of(gazetteer, "524901")


def test_curated_village_and_area(gazetteer: Gazetteer) -> None:
    village = record_of(gazetteer, "ppl:UA.05:dachenske")
    assert gazetteer.kinds[village] == POPULATED
    assert gazetteer.distance_km(village, record_of(gazetteer, "704422")) < 10  # "less than five miles"
    donbas = record_of(gazetteer, "area:donbas")
    assert gazetteer.kinds[donbas] == AREA
    assert gazetteer.contains(donbas, record_of(gazetteer, "695357"))  # Kurakhove is in Donbas
    assert gazetteer.place(donbas).geonames_id == 0


def test_containment(gazetteer: Gazetteer) -> None:
    kursk_oblast, belaya = record_of(gazetteer, "adm1:RU.41"), record_of(gazetteer, "578230")
    assert gazetteer.contains(kursk_oblast, belaya)
    assert gazetteer.contains(record_of(gazetteer, "2017370"), belaya)
    assert not gazetteer.contains(record_of(gazetteer, "adm1:UA.05"), belaya)


def test_normalising_keeps_offsets() -> None:
    alphabet = "Kyiv’s İstanbul Łódź—“Kursk” ß Ǆ-ﬁ ǰ 東京 \n\t.,'"
    generator = random.Random(7)
    for _ in range(300):
        text = "".join(generator.choice(alphabet) for _ in range(generator.randint(0, 40)))
        assert len(normalise(text)) == len(text)
    assert normalise("Ukraine’s Kryvyi Rih.") == "ukraine s kryvyi rih "
    assert key_of("  St.  Petersburg ") == " st  petersburg "


def test_skeleton_sees_through_transliteration() -> None:
    assert skeleton("Kurakhove") == skeleton("Kurakhovo")
    assert skeleton("Kyiv") == skeleton("Kiev")
    assert skeleton("Avdiivka") == skeleton("Avdeyevka")
    assert skeleton("Pokrovsk") != skeleton("Krasnoarmeysk")


def test_cache_is_written_once_and_reused(tmp_path: Path, gazetteer: Gazetteer) -> None:
    builds: list[int] = []

    def build() -> Gazetteer:
        builds.append(1)
        return gazetteer

    first = load_gazetteer(tmp_path, build=build)
    second = load_gazetteer(tmp_path, build=build)

    assert builds == [1]
    assert cache_path(tmp_path).exists()
    assert second.ids == first.ids
    assert second.key_id("Pokrovsk") == first.key_id("Pokrovsk")
    assert list(tmp_path.iterdir()) == [cache_path(tmp_path)]  # no temporary file left behind


@pytest.mark.parametrize("content", [b"", b"not a pickle", pickle.dumps({"a": 1})])
def test_unreadable_cache_is_rebuilt(tmp_path: Path, gazetteer: Gazetteer, content: bytes) -> None:
    path = cache_path(tmp_path)
    path.write_bytes(content)
    builds: list[int] = []

    def build() -> Gazetteer:
        builds.append(1)
        return gazetteer

    loaded = load_gazetteer(tmp_path, build=build)

    assert builds == [1]
    assert loaded is gazetteer
    assert isinstance(pickle.loads(path.read_bytes()), Gazetteer)  # noqa: S301 - the test's own cache file


def test_cache_key_follows_the_versions(tmp_path: Path) -> None:
    name = cache_path(tmp_path).name
    assert name.startswith("gazetteer-gnc3.0.2-b")
    assert cache_path(None).parent == Path.home() / ".cache" / "newsmon" / "gazetteer"


@pytest.mark.parametrize(
    ("form", "spellings"),
    [
        ("Dobropol'ye", {"Dobropolye"}),
        ("Vasil'evka", {"Vasilyevka"}),
        ("Ternovatoe", {"Ternovatoye"}),
        ("Belozjorskoe", {"Belozerskoye"}),
        ("Velikij Burluk", {"Velikiy Burluk", "Veliky Burluk"}),
        ("Grajvoron", {"Grayvoron", "Graivoron"}),
        ("Pokrovsk", set()),
    ],
)
def test_press_spellings_of_scholarly_romanisations(form: str, spellings: set[str]) -> None:
    assert press_spellings(form) == spellings


def test_press_spellings_are_found_but_never_outrank_a_real_name(gazetteer: Gazetteer) -> None:
    assert {gazetteer.ids[r] for r, _ in gazetteer.candidates(gazetteer.key_id("Dobropolye"))} >= {"709900"}
    readings = dict(gazetteer.candidates(gazetteer.key_id("Krasny Liman")))
    lyman = gazetteer.ids.index("704204")
    assert readings[lyman] == MatchFlag.ALTERNATE  # its own former name, not a derived form of the village's


def _city(geonameid: int, name: str, lat: float, lon: float, population: int, *alternates: str) -> dict[str, object]:
    return {
        "geonameid": geonameid,
        "name": name,
        "latitude": lat,
        "longitude": lon,
        "population": population,
        "alternatenames": list(alternates),
    }


def test_city_districts_are_the_districts_next_to_a_bigger_city() -> None:
    cities = {
        "1": _city(1, "Sumy", 50.92, 34.80, 256_000),
        "2": _city(2, "Zarichnyi", 50.90, 34.81, 150_000, "Zarichnyi District", "Zarichnyi rayon"),
        # the same kind of name far from any bigger place, and a village: towns of their own
        "3": _city(3, "Kovpakivskyi", 45.0, 60.0, 140_000, "Kovpakivskyi District"),
        "4": _city(4, "Tinwald", 50.91, 34.79, 4_000, "Tinwald District"),
        "5": _city(5, "Shostka", 51.86, 33.48, 74_000, "Shostka Raion Centre"),
    }

    assert city_districts(cities) == {2}
