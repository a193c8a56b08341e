"""What the alerter remembers about one place: recent claims and facts, the alerts raised, the records already seen.

Serialisable (pydantic), so the faust table stores it through the codec and recovers it from the changelog.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from newsmon.contracts import Alert, Claim, NumericFact, StorySignature
from services.alerter.rules import RuleConfig, claim_time

PlaceRecord = Annotated[Claim | NumericFact, Field(discriminator="type")]


class AlertMemory(BaseModel):
    """An alert as last emitted, with the about-time of the claim that resolved it (if it is resolved)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    alert: Alert
    resolved_at: datetime | None = Field(default=None, description="About-time of the settling claim")


class ArticleStory(BaseModel):
    """The story signature of one article, kept once however many of its claims the place holds."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    article_id: str
    story: StorySignature


class PlaceState(BaseModel):
    """Bounded history of one place (the key of ``claims.by-place``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    place_id: str
    records: tuple[PlaceRecord, ...] = Field(
        default=(), description="Claims and facts in arrival order, stored without their story signature"
    )
    stories: tuple[ArticleStory, ...] = Field(default=(), description="Signatures of the latest articles, oldest first")
    alerts: tuple[AlertMemory, ...] = ()
    seen_ids: tuple[str, ...] = Field(default=(), description="Record ids already processed, newest last")
    newest_time: datetime | None = Field(default=None, description="Latest about-time seen at this place")

    def has_seen(self, record_id: str) -> bool:
        return record_id in self.seen_ids

    def alert(self, alert_id: str) -> AlertMemory | None:
        for memory in self.alerts:
            if memory.alert.id == alert_id:
                return memory
        return None

    def story_map(self) -> dict[str, StorySignature]:
        return {entry.article_id: entry.story for entry in self.stories}

    @property
    def claims(self) -> tuple[Claim, ...]:
        return tuple(record for record in self.records if isinstance(record, Claim))

    @property
    def facts(self) -> tuple[NumericFact, ...]:
        return tuple(record for record in self.records if isinstance(record, NumericFact))


def remember(state: PlaceState, record: Claim | NumericFact, config: RuleConfig) -> PlaceState:
    """The state with ``record`` added and everything outside the history window or over the limits dropped.

    The record is kept without its story signature (kilobytes, and the same for every claim of an article): the
    signature is kept once per article, for the ``max_story_articles`` latest articles.
    """
    time = claim_time(record)
    newest = state.newest_time
    if time is not None and (newest is None or time > newest):
        newest = time
    stories = state.stories
    if record.story is not None and all(entry.article_id != record.article.article_id for entry in stories):
        stories = (*stories, ArticleStory(article_id=record.article.article_id, story=record.story))
    stored = record.model_copy(update={"story": None}) if record.story is not None else record
    records = (*state.records, stored)
    if newest is not None:
        horizon = newest - config.history_window
        records = tuple(r for r in records if (t := claim_time(r)) is None or t >= horizon)
    records = records[-config.max_records :]
    kept_articles = {r.article.article_id for r in records}
    stories = tuple(entry for entry in stories if entry.article_id in kept_articles)[-config.max_story_articles :]
    seen = (*state.seen_ids, record.id)[-config.max_seen_ids :]
    return state.model_copy(update={"records": records, "stories": stories, "seen_ids": seen, "newest_time": newest})


def with_alert(state: PlaceState, memory: AlertMemory, max_alerts: int = 64) -> PlaceState:
    others = tuple(m for m in state.alerts if m.alert.id != memory.alert.id)
    alerts = (*others, memory)[-max_alerts:]
    return state.model_copy(update={"alerts": alerts})
