"""The real broker: what is produced with aiokafka comes back, in order per key, with headers."""

from __future__ import annotations

import json

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

pytestmark = pytest.mark.integration


async def test_produce_then_consume_on_the_real_broker(kafka_bootstrap: str, unique_prefix: str) -> None:
    topic = f"{unique_prefix}roundtrip"
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(topic, num_partitions=3, replication_factor=1)])
    finally:
        await admin.close()

    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all", enable_idempotence=True)
    await producer.start()
    try:
        for number in range(30):
            await producer.send(
                topic,
                key=f"place-{number % 3}".encode(),
                value=json.dumps({"n": number}).encode(),
                headers=[("correlation-id", f"c{number}".encode())],
            )
        await producer.flush()
    finally:
        await producer.stop()

    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=kafka_bootstrap,
        group_id=f"{unique_prefix}group",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    received: dict[str, list[int]] = {}
    headers: set[bytes] = set()
    try:
        while sum(len(v) for v in received.values()) < 30:
            batches = await consumer.getmany(timeout_ms=10_000)
            assert batches, "no records within 10 s"
            for records in batches.values():
                for record in records:
                    assert record.key is not None
                    assert record.value is not None
                    received.setdefault(record.key.decode(), []).append(json.loads(record.value)["n"])
                    headers.update(value for _, value in record.headers)
        await consumer.commit()
    finally:
        await consumer.stop()

    assert sorted(received) == ["place-0", "place-1", "place-2"]
    for key, numbers in received.items():
        assert numbers == sorted(numbers), f"records of {key} arrived out of order"
        assert {n % 3 for n in numbers} == {int(key[-1])}
    assert len(headers) == 30
