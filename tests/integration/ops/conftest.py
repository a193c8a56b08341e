"""Fixtures of the operations tests: a fresh prefix, Kafka settings, an admin client, topics, a producer."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from newsmon.settings import KafkaSettings


@pytest.fixture
def ops_prefix(unique_prefix: object) -> str:
    """A fresh prefix, whether ``unique_prefix`` is a factory or a plain string."""
    value = unique_prefix() if callable(unique_prefix) else unique_prefix
    return str(value)


@pytest.fixture
def kafka_settings(kafka_bootstrap: str, ops_prefix: str) -> KafkaSettings:
    return KafkaSettings(bootstrap=kafka_bootstrap, topic_prefix=ops_prefix, client_id="newsmon-ops-test")


@pytest.fixture
async def admin(kafka_bootstrap: str) -> AsyncIterator[AIOKafkaAdminClient]:
    client = AIOKafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    await client.start()
    yield client
    await client.close()


@pytest.fixture
def create_topic(admin: AIOKafkaAdminClient) -> Callable[[str, int], object]:
    async def create(name: str, partitions: int) -> str:
        await admin.create_topics([NewTopic(name, num_partitions=partitions, replication_factor=1)])
        return name

    return create


@pytest.fixture
async def raw_producer(kafka_bootstrap: str) -> AsyncIterator[AIOKafkaProducer]:
    client = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, enable_idempotence=True, acks="all")
    await client.start()
    yield client
    await client.stop()
