"""Independent tools agree with us: kcat reads our topics as valid contract JSON; Kafka's consumer-group tool,
run from the broker's own jars, reports the same lag as ``newsmon lag``."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer
from ops_helpers import article, consume_and_commit, produce_articles, run_process
from ops_kafka_tools import describe_group, kcat

from newsmon.contracts import RawArticle
from newsmon.contracts.topics import ARTICLES_RAW
from newsmon.kafka import KafkaPublisher, producer
from newsmon.lag import measure_lag
from newsmon.logging import bind_context, correlation_headers
from newsmon.settings import KafkaSettings

pytestmark = pytest.mark.integration

KCAT = kcat()
needs_kcat = pytest.mark.skipif(KCAT is None, reason="kcat is not installed (apt-get install -y kcat); CI installs it")


@needs_kcat
async def test_kcat_reads_our_topic_as_valid_contract_json(kafka_settings: KafkaSettings) -> None:
    assert KCAT is not None
    sent = [article(n, "kcat") for n in range(7)]
    async with producer(kafka_settings) as client:
        publisher = KafkaPublisher(client, kafka_settings)
        for item in sent:
            with bind_context(article_id=item.id, feed=item.feed):
                await publisher.publish(ARTICLES_RAW.name, item.id, item, headers=correlation_headers())

    topic = kafka_settings.topic(ARTICLES_RAW.name)
    result = await run_process(
        [KCAT, "-b", kafka_settings.bootstrap, "-C", "-t", topic, "-o", "beginning", "-e", "-q", "-J"]
    )
    envelopes = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    assert len(envelopes) == len(sent)

    received = {}
    for envelope in envelopes:
        parsed = RawArticle.model_validate_json(envelope["payload"])  # the shared contract, strictly
        assert envelope["key"] == parsed.id
        headers = dict(zip(envelope["headers"][::2], envelope["headers"][1::2], strict=True))
        assert headers["newsmon-article-id"] == parsed.id
        assert headers["newsmon-feed"] == parsed.feed
        received[parsed.id] = parsed
    assert received == {item.id: item for item in sent}


@needs_kcat
async def test_kcat_sees_the_same_end_offsets(
    kafka_settings: KafkaSettings,
    kafka_bootstrap: str,
    ops_prefix: str,
    create_topic: Callable[[str, int], Any],
    raw_producer: AIOKafkaProducer,
) -> None:
    assert KCAT is not None
    topic = await create_topic(f"{ops_prefix}articles.enriched", 3)
    group = f"newsmon-{ops_prefix}indexer"
    await produce_articles(raw_producer, topic, 3)
    await consume_and_commit(kafka_bootstrap, group, topic, None)
    await produce_articles(raw_producer, topic, 17)
    report = (await measure_lag(kafka_settings, groups=[group])).group(group)

    query = [f"{topic}:{p}:-1" for p in range(3)]
    args = [arg for spec in query for arg in ("-t", spec)]
    result = await run_process([KCAT, "-b", kafka_bootstrap, "-Q", *args])
    # lines read "<topic> [<partition>] offset <n>"
    kcat_ends = {}
    for line in result.stdout.splitlines():
        name, partition, _word, offset = line.split()
        kcat_ends[(name, int(partition.strip("[]")))] = int(offset)
    assert kcat_ends == {(p.topic, p.partition): p.end for p in report.partitions}
    assert sum(kcat_ends.values()) == 20


@pytest.mark.slow
async def test_kafka_consumer_group_tool_reports_the_same_lag(
    kafka_settings: KafkaSettings,
    kafka_bootstrap: str,
    ops_prefix: str,
    create_topic: Callable[[str, int], Any],
    raw_producer: AIOKafkaProducer,
) -> None:
    topic = await create_topic(f"{ops_prefix}articles.raw", 3)
    group = f"newsmon-{ops_prefix}enricher"
    await produce_articles(raw_producer, topic, 6)
    await consume_and_commit(kafka_bootstrap, group, topic, None)  # every partition has a committed offset
    await produce_articles(raw_producer, topic, 30)
    await consume_and_commit(kafka_bootstrap, group, topic, 11)

    ours = (await measure_lag(kafka_settings, groups=[group])).group(group)
    theirs = await asyncio.to_thread(describe_group, kafka_bootstrap, group)

    assert ours.total_lag == 36 - 6 - 11
    assert {(r.topic, r.partition): (r.current, r.end, r.lag) for r in theirs} == {
        (p.topic, p.partition): (p.committed, p.end, p.lag) for p in ours.partitions
    }
