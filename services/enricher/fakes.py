"""A place finder over a small fixed table, for tests that exercise claims without loading the gazetteer.

It matches whole words, longest first, and knows the places of the seed articles and a few others; the real
``services.enricher.places.PlaceFinder`` is what production and the end-to-end tests use.
"""

from __future__ import annotations

import re

from newsmon.contracts import Place, PlaceMention


def _place(pid: str, name: str, kind: str, cc: str, admin1: str | None, lat: float, lon: float, pop: int = 0) -> Place:
    geonames = int(pid) if pid.isdigit() else 0
    return Place(
        id=pid,
        geonames_id=geonames,
        name=name,
        kind=kind,  # type: ignore[arg-type]
        country_code=cc,
        admin1=admin1,
        lat=lat,
        lon=lon,
        population=pop or None,
    )


KURAKHOVE = _place("695357", "Kurakhove", "populated_place", "UA", "Donetsk Oblast", 47.98, 37.28, 18220)
POKROVSK = _place("704422", "Pokrovsk", "populated_place", "UA", "Donetsk Oblast", 48.28, 37.18, 60127)
DACHENSKE = _place("ppl:UA.05:dachenske", "Dachenske", "populated_place", "UA", "Donetsk Oblast", 48.25, 37.13)
BELAYA = _place("578230", "Belaya", "populated_place", "RU", "Kursk Oblast", 51.14, 35.46, 2810)
SUDZHA = _place("486816", "Sudzha", "populated_place", "RU", "Kursk Oblast", 51.19, 35.27, 6940)
KURSK_OBLAST = _place("adm1:RU.41", "Kursk Oblast", "region", "RU", "Kursk Oblast", 51.5, 36.0)
DONETSK_OBLAST = _place("adm1:UA.05", "Donetsk Oblast", "region", "UA", "Donetsk Oblast", 48.0, 37.8)
LUHANSK_OBLAST = _place("adm1:UA.14", "Luhansk Oblast", "region", "UA", "Luhansk Oblast", 48.6, 39.3)
KRYVYI_RIH = _place("703845", "Kryvyi Rih", "populated_place", "UA", "Dnipropetrovsk Oblast", 47.91, 33.39, 603904)
BAKHMUT = _place("713174", "Bakhmut", "populated_place", "UA", "Donetsk Oblast", 48.59, 38.0, 80500)
AVDIIVKA = _place("713122", "Avdiivka", "populated_place", "UA", "Donetsk Oblast", 48.14, 37.74, 35826)
CHASIV_YAR = _place("711416", "Chasiv Yar", "populated_place", "UA", "Donetsk Oblast", 48.59, 37.84, 12557)
TORETSK = _place("709354", "Toretsk", "populated_place", "UA", "Donetsk Oblast", 48.4, 37.85, 30914)
VUHLEDAR = _place("690823", "Vuhledar", "populated_place", "UA", "Donetsk Oblast", 47.78, 37.25, 14144)
KUPIANSK = _place("704617", "Kupiansk", "populated_place", "UA", "Kharkiv Oblast", 49.71, 37.62, 27169)
VOVCHANSK = _place("689658", "Vovchansk", "populated_place", "UA", "Kharkiv Oblast", 50.29, 36.94, 17000)
SELYDOVE = _place("695594", "Selydove", "populated_place", "UA", "Donetsk Oblast", 48.15, 37.3, 21916)
KRAMATORSK = _place("704508", "Kramatorsk", "populated_place", "UA", "Donetsk Oblast", 48.72, 37.56, 147145)
KOSTIANTYNIVKA = _place("705104", "Kostiantynivka", "populated_place", "UA", "Donetsk Oblast", 48.53, 37.71, 67350)
ODESA = _place("698740", "Odesa", "populated_place", "UA", "Odesa Oblast", 46.48, 30.73, 1015826)
KHARKIV = _place("706483", "Kharkiv", "populated_place", "UA", "Kharkiv Oblast", 49.98, 36.25, 1430885)
KYIV = _place("703448", "Kyiv", "populated_place", "UA", "Kyiv City", 50.45, 30.52, 2952301)
MOSCOW = _place("524901", "Moscow", "populated_place", "RU", "Moscow", 55.75, 37.62, 10381222)
BELGOROD = _place("578072", "Belgorod", "populated_place", "RU", "Belgorod Oblast", 50.61, 36.58, 356402)
TYOTKINO = _place("483029", "Tyotkino", "populated_place", "RU", "Kursk Oblast", 51.27, 34.3, 4000)
RUSSIA = _place("2017370", "Russia", "country", "RU", None, 60.0, 100.0)
UKRAINE = _place("690791", "Ukraine", "country", "UA", None, 49.0, 32.0)

TABLE: dict[str, Place] = {
    "Kurakhove": KURAKHOVE,
    "Kurakhovo": KURAKHOVE,
    "Pokrovsk": POKROVSK,
    "Dachenske": DACHENSKE,
    "Belaya": BELAYA,
    "Sudzha": SUDZHA,
    "Kursk region": KURSK_OBLAST,
    "Kursk oblast": KURSK_OBLAST,
    "Kursk Oblast": KURSK_OBLAST,
    "Kursk": KURSK_OBLAST,
    "Donetsk region": DONETSK_OBLAST,
    "Donetsk": DONETSK_OBLAST,
    "Luhansk": LUHANSK_OBLAST,
    "Kryvyi Rih": KRYVYI_RIH,
    "Bakhmut": BAKHMUT,
    "Avdiivka": AVDIIVKA,
    "Chasiv Yar": CHASIV_YAR,
    "Toretsk": TORETSK,
    "Vuhledar": VUHLEDAR,
    "Kupiansk": KUPIANSK,
    "Vovchansk": VOVCHANSK,
    "Selydove": SELYDOVE,
    "Kramatorsk": KRAMATORSK,
    "Kostiantynivka": KOSTIANTYNIVKA,
    "Konstantinovka": KOSTIANTYNIVKA,
    "Odesa": ODESA,
    "Kharkiv": KHARKIV,
    "Kyiv": KYIV,
    "Moscow": MOSCOW,
    "Belgorod": BELGOROD,
    "Tyotkino": TYOTKINO,
    "Russia": RUSSIA,
    "Ukraine": UKRAINE,
}
_PATTERN = re.compile(r"\b(" + "|".join(sorted(map(re.escape, TABLE), key=len, reverse=True)) + r")\b")


class TableFinder:
    """``PlaceFinder`` look-alike over ``TABLE``."""

    def find(self, text: str) -> list[PlaceMention]:
        return [
            PlaceMention(
                place=TABLE[m.group(1)],
                surface=m.group(1),
                start=m.start(),
                end=m.end(),
                confidence=1.0,
                reason="test table",
            )
            for m in _PATTERN.finditer(text)
        ]

    def resolve_name(self, name: str, context: str = "") -> Place | None:
        return TABLE.get(name)
