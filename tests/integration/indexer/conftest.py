"""Helpers for the indexer's tests against the real Kafka broker and Elasticsearch node."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from elasticsearch import AsyncElasticsearch
from indexer_helpers import RunningIndexer, make_settings

from newsmon.settings import ElasticsearchSettings
from services.indexer.es import elasticsearch_client
from services.indexer.mappings import remove_all
from services.indexer.settings import IndexerSettings


@pytest.fixture
def prefix(unique_prefix: Any) -> str:
    """A fresh lower-case prefix (index names must be lower case), whether the fixture is a factory or a string."""
    value = unique_prefix() if callable(unique_prefix) else unique_prefix
    return str(value).lower()


@pytest.fixture
def settings(kafka_bootstrap: str, es_url: str, prefix: str) -> IndexerSettings:
    return make_settings(kafka_bootstrap, es_url, prefix)


@pytest.fixture
async def es(es_url: str, prefix: str) -> AsyncIterator[AsyncElasticsearch]:
    client = elasticsearch_client(ElasticsearchSettings(url=es_url))
    yield client
    await remove_all(client, prefix)
    await client.close()


@pytest.fixture
async def run_indexer() -> AsyncIterator[Callable[[IndexerSettings], Awaitable[RunningIndexer]]]:
    running: list[RunningIndexer] = []

    async def start(settings: IndexerSettings) -> RunningIndexer:
        indexer = await RunningIndexer(settings).start()
        running.append(indexer)
        return indexer

    yield start
    for indexer in running:
        if not indexer.stopping.is_set():
            await indexer.stop(seconds=10)
