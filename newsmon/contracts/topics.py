"""The one table of topics: name, payload, key, partitions, retention and compaction."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from pydantic import BaseModel, Field, TypeAdapter

from newsmon.contracts.alerts import AlertEvent
from newsmon.contracts.articles import EnrichedArticle, RawArticle
from newsmon.contracts.claims import Claim, NumericFact
from newsmon.contracts.dead_letters import DeadLetter
from newsmon.contracts.deliveries import PlaceSilence, WebhookDelivery
from newsmon.contracts.feeds import FeedState

PlaceRecord = Annotated[Claim | NumericFact, Field(discriminator="type")]
place_record_adapter: TypeAdapter[Claim | NumericFact] = TypeAdapter(PlaceRecord)

DAY_MS = 24 * 60 * 60 * 1000


@dataclass(frozen=True)
class Topic:
    name: str
    payload: type[BaseModel] | tuple[type[BaseModel], ...]
    key: str
    partitions: int
    retention_ms: int
    compacted: bool = False

    @property
    def config(self) -> dict[str, str]:
        config = {"retention.ms": str(self.retention_ms)}
        config["cleanup.policy"] = "compact" if self.compacted else "delete"
        return config


FEEDS_STATE = Topic("feeds.state", FeedState, "feed URL", 1, -1, compacted=True)
ARTICLES_RAW = Topic("articles.raw", RawArticle, "article id", 6, 30 * DAY_MS)
ARTICLES_ENRICHED = Topic("articles.enriched", EnrichedArticle, "article id", 6, 30 * DAY_MS)
CLAIMS_BY_PLACE = Topic("claims.by-place", (Claim, NumericFact), "place id (geonames id)", 6, 90 * DAY_MS)
ALERTS = Topic("alerts", AlertEvent, "alert id", 3, 365 * DAY_MS)
DLQ = Topic("dlq", DeadLetter, "source key", 3, 30 * DAY_MS)
WEBHOOK_DELIVERIES = Topic("webhooks.deliveries", WebhookDelivery, "subscriber:event id", 3, -1, compacted=True)
ALERT_SILENCES = Topic("alerts.silences", PlaceSilence, "place id (or name:<name>)", 1, -1, compacted=True)

TOPICS: tuple[Topic, ...] = (
    FEEDS_STATE,
    ARTICLES_RAW,
    ARTICLES_ENRICHED,
    CLAIMS_BY_PLACE,
    ALERTS,
    DLQ,
    WEBHOOK_DELIVERIES,
    ALERT_SILENCES,
)


def topic_named(name: str) -> Topic:
    for topic in TOPICS:
        if topic.name == name:
            return topic
    raise KeyError(f"unknown topic {name!r}; known: {', '.join(t.name for t in TOPICS)}")
