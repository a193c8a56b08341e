"""SIGTERM during a busy run loses nothing and duplicates nothing downstream (a real broker, a real process)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from ops_helpers import article

from newsmon.kafka import encode
from newsmon.ops.shutdown_check import ShutdownCheckResult, check_graceful_shutdown
from newsmon.settings import KafkaSettings

pytestmark = [pytest.mark.integration, pytest.mark.slow]

WORKER = Path(__file__).with_name("relay_worker.py")


async def run_check(
    kafka_settings: KafkaSettings, ops_prefix: str, create_topic: Callable[[str, int], Any], *extra: str
) -> ShutdownCheckResult:
    await create_topic(f"{ops_prefix}articles.raw", 3)
    await create_topic(f"{ops_prefix}articles.enriched", 3)
    articles = [article(n, "sigterm") for n in range(400)]
    group = f"newsmon-{ops_prefix}relay"
    return await check_graceful_shutdown(
        kafka=kafka_settings.model_copy(update={"topic_prefix": ""}),
        command=[sys.executable, str(WORKER), "--input", "articles.raw", "--output", "articles.enriched",
                 "--group", group, "--delay", "0.005", "--batch", "40", *extra],
        env={
            "NEWSMON_KAFKA__BOOTSTRAP": kafka_settings.bootstrap,
            "NEWSMON_KAFKA__TOPIC_PREFIX": ops_prefix,
            "NEWSMON_LOGGING__LEVEL": "INFO",
        },
        input_topic=f"{ops_prefix}articles.raw",
        output_topic=f"{ops_prefix}articles.enriched",
        group=group,
        records=[(a.id.encode(), encode(a)) for a in articles],
        output_identity=lambda record: record.key.decode() if record.key else "",
        stop_after=60,
    )  # fmt: skip


async def test_sigterm_mid_run_loses_and_duplicates_nothing(
    kafka_settings: KafkaSettings, ops_prefix: str, create_topic: Callable[[str, int], Any]
) -> None:
    result = await run_check(kafka_settings, ops_prefix, create_topic)

    result.assert_exactly_once()
    # the stop really happened mid-run, with work left for the second run
    assert 60 <= result.outputs_at_first_stop < result.inputs
    assert result.committed_at_first_stop == result.outputs_at_first_stop
    assert result.first_stop_seconds < 15
    assert "stopped cleanly" in result.logs[0]


async def test_the_harness_notices_a_consumer_that_dies_on_sigterm(
    kafka_settings: KafkaSettings, ops_prefix: str, create_topic: Callable[[str, int], Any]
) -> None:
    result = await run_check(kafka_settings, ops_prefix, create_topic, "--no-graceful")

    assert result.first_exit_code == -15
    with pytest.raises(AssertionError, match="exited with -15"):
        result.assert_exactly_once()
