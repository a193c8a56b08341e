"""Document shaping: contracts in, flat Elasticsearch documents out. Pure functions, no I/O.

Every document id is the record's own deterministic id, so a replay overwrites instead of duplicating.
Fields are kept flat where people filter in Kibana (``place_name``, ``predicate``, ``said_by_side``, ...).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from newsmon.contracts import (
    AlertEvent,
    Claim,
    DeadLetter,
    EnrichedArticle,
    NumericFact,
    Place,
    place_record_adapter,
)
from newsmon.contracts.places import Actor, PlaceMention
from newsmon.contracts.topics import ALERTS, ARTICLES_ENRICHED, CLAIMS_BY_PLACE, DLQ
from newsmon.kafka import decode

IndexName = Literal["articles", "claims", "facts", "alerts", "deadletters"]
INDEX_NAMES: tuple[IndexName, ...] = ("articles", "claims", "facts", "alerts", "deadletters")

Source = dict[str, Any]


@dataclass(frozen=True)
class Document:
    """One document for one logical index (an alias such as ``news-claims``)."""

    index: IndexName
    id: str
    source: Source
    version: int | None = None  # external version: an older alert event never overwrites a newer one


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _location(place: Place) -> dict[str, float] | None:
    if place.lat is None or place.lon is None:
        return None
    return {"lat": place.lat, "lon": place.lon}


def place_source(place: Place) -> Source:
    return {
        "id": place.id,
        "geonames_id": place.geonames_id,
        "name": place.name,
        "kind": place.kind,
        "country_code": place.country_code,
        "admin1": place.admin1,
        "population": place.population,
        "location": _location(place),
    }


def _mention_source(mention: PlaceMention) -> Source:
    return {**place_source(mention.place), "surface": mention.surface, "confidence": mention.confidence}


def _actor_source(actor: Actor) -> Source:
    return {"id": actor.id, "name": actor.name, "kind": actor.kind, "side": actor.side, "role": actor.role}


def _unique(values: Iterable[str | None]) -> list[str]:
    return list(dict.fromkeys(value for value in values if value))


def article_document(article: EnrichedArticle) -> Document:
    source: Source = {
        "id": article.id,
        "url": article.url,
        "outlet": article.source,
        "feed": article.feed,
        "published": _time(article.published),
        "fetched_at": _time(article.fetched_at),
        "enriched_at": _time(article.enriched_at),
        "effective_time": _time(article.published or article.fetched_at or article.enriched_at),
        "title": article.title,
        "text": article.text,
        "language": article.language,
        "author": article.author,
        "tags": list(article.tags),
        "text_origin": article.text_origin,
        "places": [_mention_source(mention) for mention in article.places],
        "place_names": _unique(mention.place.name for mention in article.places),
        "place_ids": _unique(mention.place.id for mention in article.places),
        "actors": [_actor_source(actor) for actor in article.actors],
        "actor_names": _unique(actor.name for actor in article.actors),
        "claim_ids": [claim.id for claim in article.claims],
        "claim_count": len(article.claims),
        "predicates": _unique(claim.predicate for claim in article.claims),
        "said_by": _unique(claim.attributed_to.name for claim in article.claims),
        "fact_ids": [fact.id for fact in article.facts],
        "fact_count": len(article.facts),
        "enricher_version": article.enricher_version,
    }
    return Document("articles", article.id, source)


def claim_document(claim: Claim) -> Document:
    speaker = claim.attributed_to
    source: Source = {
        "id": claim.id,
        "article_id": claim.article.article_id,
        "url": claim.article.url,
        "outlet": claim.article.source,
        "published": _time(claim.article.published),
        "fetched_at": _time(claim.article.fetched_at),
        "effective_time": _time(claim.effective_time),
        "place": place_source(claim.place),
        "place_id": claim.place.id,
        "place_name": claim.place.name,
        "place_kind": claim.place.kind,
        "admin1": claim.place.admin1,
        "country_code": claim.place.country_code,
        "predicate": claim.predicate,
        "actor": claim.actor,
        "said_by": speaker.name,
        "said_by_side": speaker.side,
        "said_by_role": speaker.role,
        "said_by_actor_id": speaker.actor_id,
        "modality": claim.modality,
        "about": _time(claim.about),
        "about_text": claim.about_text,
        "distance_km": claim.distance_km,
        "evidence": claim.evidence.sentence,
        "evidence_start": claim.evidence.start,
        "evidence_end": claim.evidence.end,
        "rule": claim.rule,
    }
    return Document("claims", claim.id, source)


def fact_document(fact: NumericFact) -> Document:
    speaker = fact.attributed_to
    source: Source = {
        "id": fact.id,
        "article_id": fact.article.article_id,
        "url": fact.article.url,
        "outlet": fact.article.source,
        "published": _time(fact.article.published),
        "fetched_at": _time(fact.article.fetched_at),
        "effective_time": _time(fact.article.published or fact.article.fetched_at),
        "kind": fact.kind,
        "value": fact.value,
        "unit": fact.unit,
        "original_value": fact.original_value,
        "original_unit": fact.original_unit,
        "places": [place_source(place) for place in fact.places],
        "place_names": _unique(place.name for place in fact.places),
        "place_ids": _unique(place.id for place in fact.places),
        "subject_id": fact.subject_id,
        "said_by": speaker.name,
        "said_by_side": speaker.side,
        "said_by_role": speaker.role,
        "evidence": fact.evidence.sentence,
    }
    return Document("facts", fact.id, source)


def alert_document(event: AlertEvent) -> Document:
    alert = event.alert
    sides = [
        {
            "predicate": side.predicate,
            "actor": side.actor,
            "said_by": list(side.said_by),
            "said_by_sides": list(side.sides_of_speakers),
            "value": side.value,
            "unit": side.unit,
            "source_count": len(side.sources),
            "outlets": _unique(source.source for source in side.sources),
        }
        for side in alert.sides
    ]
    source: Source = {
        "id": alert.id,
        "kind": alert.kind,
        "status": alert.status,
        "severity": alert.severity,
        "place": place_source(alert.place),
        "place_id": alert.place.id,
        "place_name": alert.place.name,
        "admin1": alert.place.admin1,
        "country_code": alert.place.country_code,
        "related_place_names": _unique(place.name for place in alert.related_places),
        "summary": alert.summary,
        "first_seen": _time(alert.first_seen),
        "last_updated": _time(alert.last_updated),
        "version": alert.version,
        "resolution": alert.resolution,
        "article_ids": list(alert.article_ids),
        "independent_sources": alert.independent_sources,
        "sides": sides,
        "side_count": len(sides),
        "predicates": _unique(side.predicate for side in alert.sides),
        "said_by": _unique(name for side in alert.sides for name in side.said_by),
        "said_by_sides": _unique(code for side in alert.sides for code in side.sides_of_speakers),
        "outlets": _unique(src.source for side in alert.sides for src in side.sources),
        "last_event": event.event,
        "last_event_id": event.id,
        "emitted_at": _time(event.emitted_at),
        "cause_article_id": event.cause_article_id,
    }
    return Document("alerts", alert.id, source, version=alert.version)


def dead_letter_document(letter: DeadLetter) -> Document:
    source: Source = {
        "id": letter.id,
        "service": letter.service,
        "stage": letter.stage,
        "error_kind": letter.error_kind,
        "reason": letter.reason,
        "occurred_at": _time(letter.occurred_at),
        "feed": letter.feed,
        "url": letter.url,
        "topic": letter.topic,
        "partition": letter.partition,
        "offset": letter.offset,
        "key": letter.key,
        "payload": letter.payload,
        "payload_encoding": letter.payload_encoding,
        "subscriber": letter.subscriber,
        "attempts": letter.attempts,
    }
    return Document("deadletters", letter.id, source)


def place_record_document(record: Claim | NumericFact) -> Document:
    """The ``claims.by-place`` topic carries both claims and numeric facts: each goes to its own index."""
    if isinstance(record, Claim):
        return claim_document(record)
    return fact_document(record)


def stub_dead_letter_document(letter_id: str, reason: str, occurred_at: datetime) -> Document:
    """What is left of a dead letter that Elasticsearch itself refused: its id and why, never a silent gap."""
    source: Source = {
        "id": letter_id,
        "service": "indexer",
        "stage": "index",
        "error_kind": "dead_letter_rejected",
        "reason": reason[:2000],
        "occurred_at": occurred_at.isoformat(),
    }
    return Document("deadletters", letter_id, source)


def decode_document(topic: str, data: bytes | None) -> Document:
    """Parse a record of a logical topic into its document; a record that breaks the contract raises PoisonError."""
    if topic == ARTICLES_ENRICHED.name:
        return article_document(decode(EnrichedArticle, data))
    if topic == CLAIMS_BY_PLACE.name:
        return place_record_document(decode(place_record_adapter, data))
    if topic == ALERTS.name:
        return alert_document(decode(AlertEvent, data))
    if topic == DLQ.name:
        return dead_letter_document(decode(DeadLetter, data))
    raise ValueError(f"the indexer does not read topic {topic!r}")


SOURCE_TOPICS: dict[IndexName, str] = {
    "articles": ARTICLES_ENRICHED.name,
    "claims": CLAIMS_BY_PLACE.name,
    "facts": CLAIMS_BY_PLACE.name,
    "alerts": ALERTS.name,
    "deadletters": DLQ.name,
}
"""Where each index is rebuilt from. ``claims.by-place`` feeds two indices (claims and facts)."""
