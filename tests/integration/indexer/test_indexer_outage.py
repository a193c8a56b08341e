"""Elasticsearch stops for 30 seconds in the middle of a run: the indexer waits, retries, and loses nothing.

This test starts ITS OWN Elasticsearch node (another port, another run directory) through the infra API, so the
shared development stack is never touched.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from indexer_helpers import count, make_settings, produce, read_topic, wait_for
from pydantic import BaseModel

from newsmon.contracts import DeadLetter
from newsmon.contracts.topics import ALERTS, CLAIMS_BY_PLACE, DLQ
from newsmon.errors import ConfigurationError
from newsmon.infra.local_es import LocalElasticsearch
from newsmon.infra.processes import free_port
from newsmon.settings import ElasticsearchSettings, InfraSettings
from services.indexer import samples
from services.indexer.es import elasticsearch_client

pytestmark = [pytest.mark.integration, pytest.mark.slow]

OUTAGE_SECONDS = 30


@pytest.fixture
async def own_elasticsearch() -> AsyncIterator[LocalElasticsearch]:
    # Not pytest's tmp_path: its 0700 parents keep out the unprivileged user Elasticsearch runs as.
    run_dir = Path(tempfile.mkdtemp(prefix="newsmon-indexer-outage-"))
    run_dir.chmod(0o755)
    node = LocalElasticsearch(
        InfraSettings(run_dir=run_dir / "run", es_port=free_port(), es_transport_port=free_port(), es_heap="256m")
    )
    try:
        await asyncio.to_thread(node.start, 240)
        yield node
    finally:
        await asyncio.to_thread(node.stop)
        shutil.rmtree(run_dir, ignore_errors=True)


def claims(first: int, last: int) -> list[tuple[str, str, BaseModel]]:
    records: list[tuple[str, str, BaseModel]] = []
    for number in range(first, last):
        claim = samples.claim(number, samples.POKROVSK if number % 2 else samples.KURAKHOVE)
        records.append((CLAIMS_BY_PLACE.name, claim.place.id, claim))
    return records


async def test_stopping_elasticsearch_for_30_seconds_loses_nothing(
    own_elasticsearch: LocalElasticsearch, kafka_bootstrap: str, prefix: str, run_indexer: Callable[..., object]
) -> None:
    settings = make_settings(kafka_bootstrap, own_elasticsearch.url, prefix, retry_max_backoff=2.0)
    es = elasticsearch_client(ElasticsearchSettings(url=own_elasticsearch.url))
    try:
        running = await run_indexer(settings)  # type: ignore[operator]
        await produce(settings.kafka, claims(0, 100))
        await wait_for(lambda: _is(count(es, f"{prefix}news-claims"), 100), 60, "the first 100 claims")

        await asyncio.to_thread(own_elasticsearch.stop)
        await produce(settings.kafka, claims(100, 250))
        await produce(settings.kafka, [(ALERTS.name, "a", samples.alert_event(version)) for version in (1, 2, 3)])
        await asyncio.sleep(OUTAGE_SECONDS)
        await _restart(own_elasticsearch)

        await wait_for(lambda: _is(count(es, f"{prefix}news-claims"), 250), 120, "all 250 claims after the outage")
        await wait_for(lambda: _is(count(es, f"{prefix}news-alerts"), 1), 30, "the alert")
        stored = await es.get(index=f"{prefix}news-alerts", id=samples.alert_event(1).alert.id)
        assert stored["_source"]["version"] == 3
        await running.stop()  # type: ignore[attr-defined]
        letters = [DeadLetter.model_validate_json(value) for value in await read_topic(settings.kafka, DLQ.name)]
        assert letters == []  # nothing was refused or dropped: it waited
        assert running.indexer.stats.retries > 0  # type: ignore[attr-defined]
    finally:
        await es.close()


async def _restart(node: LocalElasticsearch) -> None:
    """Start the node again on its port. The infra's port check refuses while the old node's sockets linger in
    TIME_WAIT (the node itself would bind with SO_REUSEADDR): retry until it lets go, about a minute at most."""
    deadline = asyncio.get_running_loop().time() + 120
    while True:
        try:
            await asyncio.to_thread(node.start, 240)
            return
        except ConfigurationError as exc:
            if "already taken" not in str(exc) or asyncio.get_running_loop().time() > deadline:
                raise
            await asyncio.sleep(2)


async def _is(awaitable: object, expected: int) -> bool:
    return await awaitable == expected  # type: ignore[misc]
