"""`newsmon infra bench` measures against the real broker and node and cleans up after itself."""

from __future__ import annotations

from typing import Any

import pytest
from aiokafka.admin import AIOKafkaAdminClient
from elasticsearch import AsyncElasticsearch

from newsmon.infra.rawbench import run_raw_benchmarks

pytestmark = pytest.mark.integration


async def test_raw_benchmarks_run_and_leave_nothing_behind(common_settings: Any, unique_prefix: str) -> None:
    settings = common_settings()
    results = await run_raw_benchmarks(settings, messages=300, documents=300)

    assert [r.count for r in results] == [300, 300, 300]
    assert all(r.seconds > 0 and r.per_second > 0 for r in results)
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka.bootstrap)
    await admin.start()
    try:
        assert not [t for t in await admin.list_topics() if t.startswith(unique_prefix)]
    finally:
        await admin.close()
    async with AsyncElasticsearch(settings.elasticsearch.url) as client:
        assert not await client.indices.exists(index=f"{unique_prefix}rawbench-*", allow_no_indices=False)
