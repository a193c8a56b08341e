"""Claims and numeric facts: what the alerter reasons about, one message per place."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

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


class StorySignature(Contract):
    """Near-duplicate signature of an article: copies of one story share most of their MinHash values."""

    minhash: tuple[int, ...] = Field(description="MinHash values over word shingles")
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
    story: StorySignature | None = None
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
