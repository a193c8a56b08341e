"""Message contracts: every Kafka payload, frozen and versioned, JSON on the wire."""

from newsmon.contracts.alerts import Alert, AlertEvent, AlertEventType, AlertKind, Severity, Side, SideSource
from newsmon.contracts.articles import EnrichedArticle, RawArticle
from newsmon.contracts.base import Contract
from newsmon.contracts.claims import (
    PREDICATES,
    ArticleRef,
    Attribution,
    Claim,
    Modality,
    NumericFact,
    Predicate,
    StorySignature,
)
from newsmon.contracts.dead_letters import DeadLetter
from newsmon.contracts.deliveries import PlaceSilence, WebhookDelivery
from newsmon.contracts.feeds import FeedState
from newsmon.contracts.places import Actor, Evidence, Place, PlaceMention
from newsmon.contracts.topics import TOPICS, Topic, place_record_adapter, topic_named

__all__ = [
    "PREDICATES",
    "TOPICS",
    "Actor",
    "Alert",
    "AlertEvent",
    "AlertEventType",
    "AlertKind",
    "ArticleRef",
    "Attribution",
    "Claim",
    "Contract",
    "DeadLetter",
    "EnrichedArticle",
    "Evidence",
    "FeedState",
    "Modality",
    "NumericFact",
    "Place",
    "PlaceMention",
    "PlaceSilence",
    "Predicate",
    "RawArticle",
    "Severity",
    "Side",
    "SideSource",
    "StorySignature",
    "Topic",
    "WebhookDelivery",
    "place_record_adapter",
    "topic_named",
]
