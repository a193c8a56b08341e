"""Claims and numeric facts: what the alerter reasons about, one message per place."""

from __future__ import annotations

import base64
import struct
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, PlainSerializer, WithJsonSchema

from newsmon.contracts.base import AwareDatetime, Contract
from newsmon.contracts.places import Evidence, Place

SCHEMA_VERSION: Literal[1] = 1

Predicate = Literal[
    "captured",
    "contested",
    "not_captured",
    "withdrawn",
    "encircled",
    "not_encircled",
    "advancing_toward",
    "struck",
    "evacuating",
]
PREDICATES: tuple[Predicate, ...] = (
    "captured",
    "contested",
    "not_captured",
    "withdrawn",
    "encircled",
    "not_encircled",
    "advancing_toward",
    "struck",
    "evacuating",
)
Modality = Literal["asserted", "denied", "unverified"]
FactKind = Literal["distance", "population", "troops", "casualties", "area"]


HASH_BITS = 32
_LEGACY_SHIFT = 63 - HASH_BITS


def _pack_minhash(values: tuple[int, ...]) -> str:
    return base64.b64encode(struct.pack(f">{len(values)}I", *values)).decode("ascii")


def _unpack_minhash(value: object) -> object:
    """Base64 of big-endian unsigned 32-bit values; a JSON list of integers is read too.

    Lists written before the packed form held 63-bit hashes of another function; they are cut to their top 32 bits
    (which keeps their order) so that they still validate. Such a signature compares with today's as another story."""
    if isinstance(value, str):
        try:
            packed = base64.b64decode(value, validate=True)
        except ValueError as error:
            raise ValueError(f"minhash is not base64: {error}") from None
        if len(packed) % 4:
            raise ValueError("minhash must hold whole 32-bit values")
        return struct.unpack(f">{len(packed) // 4}I", packed)
    if isinstance(value, list | tuple) and any(isinstance(item, int) and item >> HASH_BITS for item in value):
        return tuple(sorted({item >> _LEGACY_SHIFT for item in value}))
    return value


MinHash = Annotated[
    tuple[Annotated[int, Field(ge=0, lt=1 << HASH_BITS)], ...],
    BeforeValidator(_unpack_minhash),
    PlainSerializer(_pack_minhash, return_type=str, when_used="json"),
    WithJsonSchema(
        {
            "anyOf": [
                {
                    "type": "string",
                    "contentEncoding": "base64",
                    "description": "As written: the values as big-endian unsigned 32-bit integers, base64",
                },
                {"type": "array", "items": {"type": "integer", "minimum": 0}, "description": "Also read"},
            ]
        }
    ),
]


class StorySignature(Contract):
    """Near-duplicate signature of an article: copies of one story share most of their MinHash values."""

    minhash: MinHash = Field(description="Bottom-k MinHash values over word shingles, ascending")
    shingle_size: int = 5


class Attribution(Contract):
    """Who says it: a speaker or institution, or the outlet itself ('unattributed')."""

    name: str = Field(description="Speaker or institution as named; 'unattributed' when the outlet asserts it")
    actor_id: str | None = None
    side: str | None = Field(default=None, description="ISO country code of the speaker's side, if known")
    role: str | None = None


class ArticleRef(Contract):
    """Where a claim or fact came from."""

    article_id: str
    url: str
    source: str = Field(description="Outlet name")
    published: AwareDatetime | None = None
    fetched_at: AwareDatetime | None = None


class Claim(Contract):
    """Who asserts what about which place, when, and the sentence that proves it."""

    type: Literal["claim"] = "claim"
    schema_version: Literal[1] = SCHEMA_VERSION
    id: str = Field(description="Deterministic: article, place, predicate and evidence offsets")
    article: ArticleRef
    place: Place
    predicate: Predicate
    actor: str | None = Field(default=None, description="Side that holds / does it (RU, UA, ...)")
    attributed_to: Attribution
    modality: Modality = "asserted"
    about: AwareDatetime | None = Field(
        default=None, description="The time the claim is about, when the text gives one"
    )
    about_text: str | None = Field(default=None, description="The words that gave the time, e.g. 'on Monday'")
    distance_km: float | None = Field(default=None, description="For advancing_toward: distance left, if given")
    evidence: Evidence
    story: StorySignature | None = Field(
        default=None, description="The article's signature; absent on claims nested in their EnrichedArticle"
    )
    rule: str = Field(description="The rule or cue that produced the claim, for --explain")

    @property
    def effective_time(self) -> datetime | None:
        return self.about or self.article.published or self.article.fetched_at


class NumericFact(Contract):
    """A number about one or two places: a distance, a population, troop or casualty figures."""

    type: Literal["numeric_fact"] = "numeric_fact"
    schema_version: Literal[1] = SCHEMA_VERSION
    id: str
    article: ArticleRef
    kind: FactKind
    places: tuple[Place, ...] = Field(description="The places the number is about (two for a distance)")
    value: float = Field(description="Value normalised to the unit")
    unit: str = Field(description="Normalised unit: km, km2, people")
    original_value: float
    original_unit: str
    attributed_to: Attribution
    evidence: Evidence
    story: StorySignature | None = None

    @property
    def subject_id(self) -> str:
        """Key for the places the fact is about, independent of their order in the text."""
        return "+".join(sorted(place.id for place in self.places))


def place_key(record: Claim | NumericFact) -> str:
    """The key a record travels under on ``claims.by-place``: its place, or a fact's smallest place id."""
    if isinstance(record, Claim):
        return record.place.id
    return min(place.id for place in record.places)
