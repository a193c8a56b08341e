"""The Elasticsearch client as the indexer configures it, and a readiness wait on ``_cluster/health``."""

from __future__ import annotations

import asyncio
import logging
import time

from elastic_transport import ConnectionError as TransportConnectionError
from elastic_transport import ConnectionTimeout
from elasticsearch import ApiError, AsyncElasticsearch

from newsmon.errors import TransientError
from newsmon.settings import ElasticsearchSettings

log = logging.getLogger(__name__)


def elasticsearch_client(
    settings: ElasticsearchSettings, *, request_timeout: float | None = None
) -> AsyncElasticsearch:
    """One client per process. Retries are the sink's job (with backoff, never giving up), not the transport's."""
    return AsyncElasticsearch(
        hosts=[settings.url],
        basic_auth=(settings.username, settings.password.get_secret_value())
        if settings.username and settings.password
        else None,
        api_key=settings.api_key.get_secret_value() if settings.api_key else None,
        request_timeout=request_timeout or settings.request_timeout,
        max_retries=0,
        retry_on_timeout=False,
    )


async def is_ready(client: AsyncElasticsearch) -> bool:
    """Ready when the cluster answers ``_cluster/health`` yellow or green (this distribution has no ``GET /``)."""
    try:
        health = await client.cluster.health(timeout="1s")
    except (TransportConnectionError, ConnectionTimeout, ApiError):
        return False
    return health.body.get("status") in ("yellow", "green")


async def wait_until_ready(client: AsyncElasticsearch, url: str, wait_seconds: float = 60.0) -> None:
    deadline = time.monotonic() + wait_seconds
    while not await is_ready(client):
        if time.monotonic() > deadline:
            raise TransientError(
                f"Elasticsearch at {url} is not ready after {wait_seconds:.0f}s; start it with `newsmon infra up` "
                "or set NEWSMON_ELASTICSEARCH__URL"
            )
        log.info("waiting for Elasticsearch at %s", url)
        await asyncio.sleep(1.0)
