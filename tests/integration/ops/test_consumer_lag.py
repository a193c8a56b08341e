"""``newsmon lag`` on a real broker: lag grows by exactly what is produced while a group is stopped, then drains."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer
from ops_helpers import consume_and_commit, produce_articles, run_process

from newsmon.lag import LagProbe, LagReporter, measure_lag
from newsmon.metrics import InMemoryMetrics
from newsmon.settings import KafkaSettings

pytestmark = pytest.mark.integration

NEWSMON = Path(sys.executable).with_name("newsmon")


async def lag_cli(bootstrap: str, *args: str) -> dict[str, Any]:
    """``newsmon lag --json`` as a separate process, the way a script would call it."""
    env = {**os.environ, "NEWSMON_KAFKA__BOOTSTRAP": bootstrap}
    result = await run_process([str(NEWSMON), "lag", "--json", *args], env=env, check=False)
    assert result.returncode == 0, result.stderr
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def group_of(document: dict[str, Any], group: str) -> dict[str, Any]:
    [found] = [g for g in document["groups"] if g["group"] == group]
    return found


async def test_lag_grows_while_the_group_is_stopped_and_returns_to_zero(
    kafka_bootstrap: str,
    kafka_settings: KafkaSettings,
    ops_prefix: str,
    create_topic: Callable[[str, int], Any],
    raw_producer: AIOKafkaProducer,
) -> None:
    topic = await create_topic(f"{ops_prefix}articles.raw", 2)
    group = f"newsmon-{ops_prefix}enricher"

    await produce_articles(raw_producer, topic, 10)
    assert await consume_and_commit(kafka_bootstrap, group, topic, None) == 10
    caught_up = (await measure_lag(kafka_settings, groups=[group])).group(group)
    assert caught_up.total_lag == 0
    assert {p.partition for p in caught_up.partitions} == {0, 1}

    await produce_articles(raw_producer, topic, 20)
    assert await consume_and_commit(kafka_bootstrap, group, topic, 12) == 12
    before = group_of(await lag_cli(kafka_bootstrap, "--group", group), group)
    assert before["total_lag"] == 8

    # the consumer is stopped; articles keep arriving
    await produce_articles(raw_producer, topic, 5)
    await asyncio.sleep(1.0)
    after = group_of(await lag_cli(kafka_bootstrap, "--group", group), group)
    assert after["total_lag"] - before["total_lag"] == 5
    assert after["topics"] == {topic: 13}
    assert sum(p["end"] for p in after["partitions"]) == 35
    assert after["max_lag_seconds"] >= 1.0
    assert after["max_lag_seconds"] < 120
    lagging = [p for p in after["partitions"] if p["lag"]]
    assert all(p["oldest_unconsumed_at"] for p in lagging)

    # the consumer comes back and drains
    assert await consume_and_commit(kafka_bootstrap, group, topic, None) == 13
    drained = group_of(await lag_cli(kafka_bootstrap, "--group", group), group)
    assert drained["total_lag"] == 0
    assert drained["max_lag_seconds"] == 0


async def test_groups_are_found_by_prefix_and_other_groups_are_left_out(
    kafka_bootstrap: str,
    kafka_settings: KafkaSettings,
    ops_prefix: str,
    create_topic: Callable[[str, int], Any],
    raw_producer: AIOKafkaProducer,
) -> None:
    topic = await create_topic(f"{ops_prefix}claims.by-place", 1)
    ours, theirs = f"newsmon-{ops_prefix}alerter", f"other-{ops_prefix}app"
    await produce_articles(raw_producer, topic, 4)
    await consume_and_commit(kafka_bootstrap, ours, topic, 1)
    await consume_and_commit(kafka_bootstrap, theirs, topic, 2)

    report = await measure_lag(kafka_settings, prefixes=[f"newsmon-{ops_prefix}"])
    assert [g.group for g in report.groups] == [ours]
    assert report.group(ours).partition(topic, 0).lag == 3

    both = await measure_lag(kafka_settings, prefixes=[f"newsmon-{ops_prefix}", f"other-{ops_prefix}"])
    assert both.group(theirs).total_lag == 2
    # several groups described at once (aiokafka cannot decode a multi-group DescribeGroups response)
    assert [(g.state, g.members) for g in both.groups] == [("Empty", 0), ("Empty", 0)]

    document = await lag_cli(kafka_bootstrap, "--prefix", f"other-{ops_prefix}", "--no-seconds")
    assert [g["group"] for g in document["groups"]] == [theirs]
    assert document["groups"][0]["partitions"][0]["lag_seconds"] is None


async def test_a_partition_the_group_never_committed_on_counts_from_its_beginning(
    kafka_bootstrap: str,
    kafka_settings: KafkaSettings,
    ops_prefix: str,
    create_topic: Callable[[str, int], Any],
    raw_producer: AIOKafkaProducer,
) -> None:
    topic = await create_topic(f"{ops_prefix}articles.raw", 2)
    group = f"newsmon-{ops_prefix}enricher"
    await produce_articles(raw_producer, topic, 3, partition=0)
    await consume_and_commit(kafka_bootstrap, group, topic, None)  # commits partition 0 and (empty) 1
    await produce_articles(raw_producer, topic, 4, partition=1)
    other = f"newsmon-{ops_prefix}late"
    await consume_and_commit(kafka_bootstrap, other, topic, 1)  # commits only where its one record came from

    report = await measure_lag(kafka_settings, groups=[group, other])
    assert report.group(group).total_lag == 4
    late = report.group(other)
    assert len(late.partitions) == 2
    [uncommitted] = [p for p in late.partitions if p.committed is None]
    assert uncommitted.lag in {3, 4}
    assert late.total_lag == 7 - 1


async def test_the_table_output_names_groups_and_totals(
    kafka_bootstrap: str, ops_prefix: str, create_topic: Callable[[str, int], Any], raw_producer: AIOKafkaProducer
) -> None:
    topic = await create_topic(f"{ops_prefix}alerts", 1)
    group = f"newsmon-{ops_prefix}indexer"
    await produce_articles(raw_producer, topic, 3)
    await consume_and_commit(kafka_bootstrap, group, topic, 1)
    env = {**os.environ, "NEWSMON_KAFKA__BOOTSTRAP": kafka_bootstrap, "COLUMNS": "200"}
    result = await run_process([str(NEWSMON), "lag", "--group", group], env=env, check=False)
    assert result.returncode == 0, result.stderr
    assert group in result.stdout
    assert topic in result.stdout
    assert "total" in result.stdout


async def test_lag_reporter_feeds_the_metrics(
    kafka_bootstrap: str,
    kafka_settings: KafkaSettings,
    ops_prefix: str,
    create_topic: Callable[[str, int], Any],
    raw_producer: AIOKafkaProducer,
) -> None:
    topic = await create_topic(f"{ops_prefix}articles.enriched", 1)
    group = f"newsmon-{ops_prefix}indexer"
    await produce_articles(raw_producer, topic, 6)
    await consume_and_commit(kafka_bootstrap, group, topic, 2)

    metrics = InMemoryMetrics()
    reporter = LagReporter(kafka_settings, metrics, groups=[group], interval=0.2)
    stopping = asyncio.Event()
    task = asyncio.create_task(reporter.run(stopping))
    await asyncio.wait_for(reporter.measured.wait(), timeout=30)
    stopping.set()
    await asyncio.wait_for(task, timeout=10)

    records, seconds = metrics.consumer_lag[(group, topic, 0)]
    assert records == 4
    assert seconds is not None
    assert 0 <= seconds < 120
    assert reporter.healthy


async def test_an_unreachable_broker_is_a_clear_error() -> None:
    from newsmon.errors import TransientError

    with pytest.raises(TransientError, match="cannot reach Kafka"):
        async with LagProbe(KafkaSettings(bootstrap="127.0.0.1:1"), request_timeout_ms=2000):
            pass
