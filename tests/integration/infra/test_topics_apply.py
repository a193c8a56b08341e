"""`topics apply` on the real broker: creates, then reports unchanged; grows partitions, refuses to shrink them."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator

import pytest
from aiokafka.admin import AIOKafkaAdminClient

from newsmon.contracts import TOPICS
from newsmon.infra.topics import apply_topics
from newsmon.settings import KafkaSettings

pytestmark = pytest.mark.integration


@pytest.fixture
async def kafka(kafka_bootstrap: str, unique_prefix: str) -> AsyncIterator[KafkaSettings]:
    settings = KafkaSettings(bootstrap=kafka_bootstrap, topic_prefix=unique_prefix)
    yield settings
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    await admin.start()
    try:
        ours = [name for name in await admin.list_topics() if name.startswith(unique_prefix)]
        if ours:
            await admin.delete_topics(ours)
    finally:
        await admin.close()


async def test_apply_creates_every_topic_then_changes_nothing(kafka: KafkaSettings, kafka_bootstrap: str) -> None:
    first = await apply_topics(kafka)
    assert [(o.topic, o.action) for o in first] == [(kafka.topic(t.name), "created") for t in TOPICS]

    second = await apply_topics(kafka)
    assert {o.action for o in second} == {"unchanged"}

    admin = AIOKafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    await admin.start()
    try:
        described = await admin.describe_topics([kafka.topic(t.name) for t in TOPICS])
    finally:
        await admin.close()
    partitions = {d["topic"]: len(d["partitions"]) for d in described}
    assert partitions == {kafka.topic(t.name): t.partitions for t in TOPICS}


async def test_partitions_grow_and_config_follows_but_partitions_never_shrink(kafka: KafkaSettings) -> None:
    base = dataclasses.replace(TOPICS[1], partitions=2)
    assert [o.action for o in await apply_topics(kafka, [base])] == ["created"]

    grown = dataclasses.replace(base, partitions=4, retention_ms=base.retention_ms // 2)
    (outcome,) = await apply_topics(kafka, [grown])
    assert outcome.action == "updated"
    assert "partitions 2 → 4" in outcome.detail
    assert f"retention.ms {base.retention_ms} → {grown.retention_ms}" in outcome.detail
    assert [o.action for o in await apply_topics(kafka, [grown])] == ["unchanged"]

    (refused,) = await apply_topics(kafka, [base])
    assert refused.action == "refused"
    assert "cannot remove partitions" in refused.detail
