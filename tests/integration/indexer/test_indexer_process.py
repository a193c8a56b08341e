"""`newsmon index` as its own process: it indexes, answers SIGTERM by finishing and committing, and exits 0."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import pytest
from aiokafka.admin import AIOKafkaAdminClient
from elasticsearch import AsyncElasticsearch
from indexer_helpers import count, produce, wait_for
from pydantic import BaseModel

from newsmon.contracts.topics import CLAIMS_BY_PLACE
from newsmon.kafka import connection_options
from services.indexer import samples
from services.indexer.settings import IndexerSettings

pytestmark = pytest.mark.integration

NEWSMON = Path(sys.executable).parent / "newsmon"


async def test_the_service_indexes_then_stops_cleanly_on_sigterm_with_offsets_committed(
    settings: IndexerSettings, es: AsyncElasticsearch, prefix: str, tmp_path: Path
) -> None:
    env = {
        **os.environ,
        "NEWSMON_KAFKA__BOOTSTRAP": settings.kafka.bootstrap,
        "NEWSMON_KAFKA__TOPIC_PREFIX": prefix,
        "NEWSMON_ELASTICSEARCH__URL": settings.elasticsearch.url,
        "NEWSMON_ELASTICSEARCH__INDEX_PREFIX": prefix,
        "NEWSMON_INDEXER__GROUP": settings.indexer.group,
        "NEWSMON_METRICS__PORT": "0",
    }
    log = tmp_path / "indexer.log"
    with log.open("wb") as output:
        process = await asyncio.create_subprocess_exec(
            str(NEWSMON), "index", env=env, stdout=output, stderr=output, start_new_session=True
        )
    try:
        records: list[tuple[str, str, BaseModel]] = []
        for number in range(40):
            claim = samples.claim(number, samples.POKROVSK)
            records.append((CLAIMS_BY_PLACE.name, claim.place.id, claim))
        await wait_for(lambda: _exists(es, f"{prefix}news-claims"), 90, "the indexer to create its indices")
        await produce(settings.kafka, records)

        async def all_indexed() -> bool:
            return await count(es, f"{prefix}news-claims") == 40

        await wait_for(all_indexed, 60, "40 claims indexed by the process")
        process.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(process.wait(), 60)
        assert code == 0, log.read_text(errors="replace")[-2000:]
        assert "stopping intake" in log.read_text(errors="replace")
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()

    committed = await _committed(settings)
    assert sum(committed.values()) == 40  # every record's offset was committed before it exited


async def _exists(es: AsyncElasticsearch, alias: str) -> bool:
    return bool(await es.indices.exists_alias(name=alias))


async def _committed(settings: IndexerSettings) -> dict[str, int]:
    admin = AIOKafkaAdminClient(**connection_options(settings.kafka))
    await admin.start()
    try:
        offsets = await admin.list_consumer_group_offsets(settings.indexer.group)
    finally:
        await admin.close()
    return {f"{tp.topic}/{tp.partition}": meta.offset for tp, meta in offsets.items() if meta.offset >= 0}
