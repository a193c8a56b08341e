"""Value objects describing places, actors and the evidence behind a finding."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from newsmon.contracts.base import Contract

PlaceKind = Literal["populated_place", "region", "country", "area"]


class Place(Contract):
    """A resolved place. ``id`` is the geonames id as a string: the key of every claim about it."""

    id: str = Field(description="Geonames id as text; the Kafka key of claims about this place")
    geonames_id: int
    name: str = Field(description="Canonical (English) name")
    kind: PlaceKind
    country_code: str | None = Field(default=None, description="ISO 3166-1 alpha-2")
    admin1: str | None = Field(default=None, description="First-level region (oblast, province, state) name")
    lat: float | None = None
    lon: float | None = None
    population: int | None = None
    surface_forms: tuple[str, ...] = Field(default=(), description="Spellings found in the text")


class PlaceMention(Contract):
    """Where a place was found in an article, and why this reading was chosen."""

    place: Place
    surface: str
    start: int
    end: int
    confidence: float = Field(ge=0.0, le=1.0)
    reason: str = Field(description="Which context decided the reading (country named nearby, distance, population)")


ActorKind = Literal["state", "military", "ministry", "grouping", "person", "media", "organisation", "outlet"]


class Actor(Contract):
    """Someone who acts or speaks: a state, its forces, a ministry, a grouping, a spokesperson."""

    id: str = Field(description="Stable slug, e.g. 'ru.mod' or 'person:viktor-trehubov'")
    name: str
    kind: ActorKind
    side: str | None = Field(default=None, description="ISO country code of the side the actor belongs to")
    role: str | None = None
    surface_forms: tuple[str, ...] = ()


class Evidence(Contract):
    """The sentence that proves a finding, with character offsets into the article text."""

    sentence: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)
