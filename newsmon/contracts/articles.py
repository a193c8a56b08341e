"""Articles as they travel: raw from the ingestor, enriched by the enricher."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from newsmon.contracts.base import AwareDatetime, Contract
from newsmon.contracts.claims import SCHEMA_VERSION, Claim, NumericFact, StorySignature
from newsmon.contracts.places import Actor, PlaceMention

TextOrigin = Literal["page", "feed_summary", "supplied"]


class RawArticle(Contract):
    """An article as fetched: the text the enricher reads."""

    schema_version: Literal[1] = SCHEMA_VERSION
    id: str = Field(description="Hash of the item identity: canonical URL, else guid, else content hash")
    url: str
    source: str = Field(description="Outlet or feed title")
    feed: str | None = Field(default=None, description="URL of the feed the item came from")
    guid: str | None = None
    published: AwareDatetime | None = None
    fetched_at: AwareDatetime | None = None
    title: str = ""
    text: str
    language: str | None = Field(default=None, description="ISO 639-1 code")
    author: str | None = None
    tags: tuple[str, ...] = ()
    text_origin: TextOrigin = Field(
        default="page",
        description="'page' when extracted from the article page, 'feed_summary' when the page could not be fetched",
    )
    fetch_error: str | None = Field(
        default=None, description="Why the page was not used, when text_origin is feed_summary"
    )


class EnrichedArticle(RawArticle):
    """The raw article plus everything the enricher found in it.

    Its claims and facts carry no story signature of their own: the article's ``story`` is theirs, and is attached
    to each one when it travels alone (``place_records``)."""

    places: tuple[PlaceMention, ...] = ()
    actors: tuple[Actor, ...] = ()
    claims: tuple[Claim, ...] = ()
    facts: tuple[NumericFact, ...] = ()
    story: StorySignature | None = None
    enriched_at: AwareDatetime | None = None
    enricher_version: str | None = None

    def place_records(self) -> list[Claim | NumericFact]:
        """The claims, then the facts about at least one place, each with the article's story signature: what is
        published to ``claims.by-place`` for this article."""
        records: list[Claim | NumericFact] = [*self.claims, *(fact for fact in self.facts if fact.places)]
        if self.story is None:
            return records
        return [record.model_copy(update={"story": self.story}) for record in records]
