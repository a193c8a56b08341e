"""The service's handling of one batch, without a broker: what goes where, keyed how, and what is dead-lettered."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, cast

from aiokafka import ConsumerRecord
from pydantic import BaseModel

from newsmon.contracts import Claim, DeadLetter, EnrichedArticle, NumericFact, RawArticle
from newsmon.kafka import DeadLetterPublisher
from newsmon.testing import RecordingPublisher
from services.enricher.app import Enricher, outgoing_records
from services.enricher.extract import PlaceFinderLike, extract


class RecordingBatchPublisher:
    def __init__(self) -> None:
        self.batches: list[list[tuple[str, str, BaseModel]]] = []

    async def publish_many(self, records: Iterable[tuple[str, str, BaseModel]]) -> None:
        self.batches.append(list(records))


class FailingFinder:
    def find(self, text: str) -> list[Any]:
        raise RuntimeError("gazetteer exploded")

    def resolve_name(self, name: str, context: str = "") -> None:
        return None


TEXT = (
    "Russia's Defense Ministry said its forces had captured Selydove, about 20 miles (32 kilometers) south of "
    "Pokrovsk. Ukraine's military said fighting continues in Selydove."
)


def _record(offset: int, value: bytes, key: bytes = b"k") -> ConsumerRecord[bytes, bytes]:
    return ConsumerRecord("articles.raw", 0, offset, 0, 0, key, value, None, len(key), len(value), ())


def _raw(article_id: str) -> bytes:
    return RawArticle(id=article_id, url=f"https://e.invalid/{article_id}", source="E", text=TEXT,
                      published=datetime(2025, 1, 7, tzinfo=UTC)).to_json_bytes()  # fmt: skip


async def test_a_batch_becomes_articles_claims_by_place_and_facts_by_smallest_place(
    table_finder: PlaceFinderLike,
) -> None:
    publisher, letters = RecordingBatchPublisher(), RecordingPublisher()
    enricher = Enricher(cast(Any, None), publisher, DeadLetterPublisher(letters, "enricher"), table_finder)

    await enricher.handle([_record(0, _raw("a1")), _record(1, b"not json", key=b"bad")])

    [batch] = publisher.batches
    topics = [topic for topic, _, _ in batch]
    assert topics[0] == "articles.enriched"
    assert batch[0][1] == "a1"
    assert isinstance(batch[0][2], EnrichedArticle)
    claims = [(key, value) for topic, key, value in batch if isinstance(value, Claim)]
    facts = [(key, value) for topic, key, value in batch if isinstance(value, NumericFact)]
    assert claims
    assert all(key == claim.place.id for key, claim in claims)
    assert facts
    assert all(key == min(p.id for p in fact.places) for key, fact in facts)
    assert {topic for topic in topics[1:]} == {"claims.by-place"}
    [letter] = letters.on("dlq")
    assert isinstance(letter, DeadLetter)
    assert (letter.stage, letter.key, letter.offset) == ("decode", "bad", 1)
    assert (enricher.stats.articles, enricher.stats.dead_lettered) == (1, 1)


async def test_an_extraction_failure_is_dead_lettered_and_the_batch_goes_on() -> None:
    publisher, letters = RecordingBatchPublisher(), RecordingPublisher()
    enricher = Enricher(cast(Any, None), publisher, DeadLetterPublisher(letters, "enricher"), FailingFinder())

    await enricher.handle([_record(0, _raw("a1"))])

    assert publisher.batches == []
    [letter] = letters.on("dlq")
    assert isinstance(letter, DeadLetter)
    assert letter.stage == "extract"
    assert "gazetteer exploded" in letter.reason


def test_outgoing_records_follow_the_topic_table(table_finder: PlaceFinderLike) -> None:
    article = RawArticle(id="a2", url="https://e.invalid/a2", source="E", text=TEXT)
    enriched = extract(article, finder=table_finder, now=datetime(2026, 1, 1, tzinfo=UTC))

    records = outgoing_records(enriched)

    assert len(records) == 1 + len(enriched.claims) + len(enriched.facts)
