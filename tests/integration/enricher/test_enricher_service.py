"""The enricher service against the real broker: raw articles in; enriched articles, claims and dead letters out;
offsets committed only after the results were acknowledged."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from newsmon.contracts import Claim, DeadLetter, EnrichedArticle, NumericFact, RawArticle, place_record_adapter
from services.enricher.app import build
from services.enricher.settings import EnricherSettings

pytestmark = pytest.mark.integration

SEEDS = Path(__file__).resolve().parents[3].parent / "shared" / "seeds"


def _seed(name: str, published: str) -> RawArticle:
    path = next(SEEDS.glob(f"{name}_*.txt"))
    return RawArticle(
        id=f"seed-{name}",
        url=f"https://seeds.example/{path.name}",
        source="seed",
        published=datetime.fromisoformat(published),
        text=path.read_text(encoding="utf-8"),
    )


async def _read_all(
    bootstrap: str, topics: list[str], wanted: Callable[[dict[str, list[Any]]], bool], within: float = 60.0
) -> dict[str, list[Any]]:
    reader = AIOKafkaConsumer(
        *topics, bootstrap_servers=bootstrap, auto_offset_reset="earliest", enable_auto_commit=False, group_id=None
    )
    await reader.start()
    found: dict[str, list[Any]] = {topic: [] for topic in topics}
    try:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline and not wanted(found):
            batches = await reader.getmany(timeout_ms=500)
            for records in batches.values():
                for record in records:
                    found[record.topic].append(record)
    finally:
        await reader.stop()
    return found


def _expected_place_records(enriched_records: list[Any]) -> int:
    articles = [EnrichedArticle.model_validate_json(r.value) for r in enriched_records]
    return sum(len(a.claims) + len([f for f in a.facts if f.places]) for a in articles) if len(articles) >= 2 else 1


async def test_raw_articles_become_enriched_articles_claims_and_dead_letters(
    kafka_bootstrap: str, common_settings: Callable[..., Any]
) -> None:
    settings: EnricherSettings = common_settings(EnricherSettings, enricher={"batch_max_wait_ms": 200})
    topic = settings.kafka.topic
    articles = [_seed("000", "2025-01-07T12:00:00+00:00"), _seed("004", "2025-03-13T12:00:00+00:00")]

    stopping = asyncio.Event()
    started = time.monotonic()
    async with build(settings) as enricher:
        startup_seconds = time.monotonic() - started
        writer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap)
        await writer.start()
        try:
            for article in articles:
                await writer.send_and_wait(topic("articles.raw"), article.to_json_bytes(), key=article.id.encode())
            await writer.send_and_wait(topic("articles.raw"), b'{"not": "an article"}', key=b"broken")
        finally:
            await writer.stop()
        running = asyncio.create_task(enricher.run(stopping))
        found = await _read_all(
            kafka_bootstrap,
            [topic("articles.enriched"), topic("claims.by-place"), topic("dlq")],
            lambda got: len(got[topic("articles.enriched")]) >= 2
            and len(got[topic("dlq")]) >= 1
            and len(got[topic("claims.by-place")]) >= _expected_place_records(got[topic("articles.enriched")]),
        )
        await asyncio.sleep(1.0)  # let the loop commit the batch it sent
        stopping.set()
        await asyncio.wait_for(running, timeout=10)

    enriched = {r.key.decode(): EnrichedArticle.model_validate_json(r.value) for r in found[topic("articles.enriched")]}
    assert set(enriched) == {"seed-000", "seed-004"}
    assert any(c.predicate == "captured" and c.place.name == "Kurakhove" for c in enriched["seed-000"].claims)

    records = [(r.key.decode(), place_record_adapter.validate_json(r.value)) for r in found[topic("claims.by-place")]]
    claims = [(key, value) for key, value in records if isinstance(value, Claim)]
    facts = [(key, value) for key, value in records if isinstance(value, NumericFact)]
    assert len(claims) == sum(len(a.claims) for a in enriched.values())
    assert all(key == claim.place.id for key, claim in claims), "claims are keyed by place id"
    assert all(key == sorted(p.id for p in fact.places)[0] for key, fact in facts), "facts by their smallest place id"
    assert any(c.predicate == "encircled" and c.modality == "denied" for _, c in claims)

    letters = [DeadLetter.model_validate_json(r.value) for r in found[topic("dlq")]]
    assert [(d.service, d.stage, d.key) for d in letters] == [("enricher", "decode", "broken")]
    assert letters[0].reason

    # every raw record (the broken one included) is committed: a restart would not redo them
    check = AIOKafkaConsumer(
        bootstrap_servers=kafka_bootstrap, group_id=settings.enricher.group, enable_auto_commit=False
    )
    await check.start()
    try:
        partitions = [
            TopicPartition(topic("articles.raw"), p) for p in check.partitions_for_topic(topic("articles.raw")) or ()
        ]
        ends = await check.end_offsets(partitions)
        committed = {tp: await check.committed(tp) or 0 for tp in partitions}
    finally:
        await check.stop()
    assert committed == ends
    print(f"\nenricher start-up (gazetteer + Kafka clients): {startup_seconds:.2f} s")
