"""Bulk writer: never drops a document. Retries what Elasticsearch could not take yet, hands back what it refused.

Per item of a bulk response:
- 2xx: indexed;
- 409 on an externally versioned document: a newer version is already stored — done, nothing to do;
- 429, 5xx and 404 (alias missing, e.g. mid-setup): retried with backoff until they go through;
- any other 4xx (mapping conflict, malformed value, too large): a rejection the caller dead-letters.
A request that fails as a whole (node down, timeout, 429/5xx) is retried with backoff; a 413 splits the batch.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, cast

from elastic_transport import ConnectionError as TransportConnectionError
from elastic_transport import ConnectionTimeout
from elasticsearch import ApiError, AsyncElasticsearch

from services.indexer.documents import Document

log = logging.getLogger(__name__)

FILTER_PATH = "errors,items.*.status,items.*.error.type,items.*.error.reason,items.*.error.caused_by"


@dataclass(frozen=True)
class Rejection:
    """A document Elasticsearch refused for what it is: retrying would not help."""

    document: Document
    status: int
    error_type: str
    reason: str


@dataclass
class BulkOutcome:
    indexed: int = 0
    stale: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    retries: int = 0


@dataclass
class SinkStats:
    """Counters over the life of a sink: what tests and the benchmark read."""

    indexed: int = 0
    stale: int = 0
    rejected: int = 0
    retries: int = 0
    requests: int = 0


class DocumentSink(Protocol):
    async def write(self, documents: Sequence[Document]) -> BulkOutcome: ...


@dataclass(frozen=True)
class Backoff:
    """Exponential backoff with full jitter, capped; attempts are unbounded — the sink never gives up."""

    initial: float = 0.2
    maximum: float = 10.0

    def delay(self, attempt: int) -> float:
        ceiling = min(self.maximum, self.initial * (2 ** min(attempt, 30)))
        return random.uniform(ceiling / 2, ceiling)  # jitter, not cryptography


@dataclass(frozen=True)
class ItemVerdicts:
    indexed: int
    stale: int
    retry: list[int]  # positions in the request, to send again
    rejected: list[Rejection]


def _dumps(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def encode_operation(document: Document, index: str) -> tuple[bytes, bytes]:
    """The action line and source line of one bulk ``index`` operation, already serialized."""
    action: dict[str, Any] = {"_index": index, "_id": document.id}
    if document.version is not None:
        action["version"] = document.version
        action["version_type"] = "external"
    return _dumps({"index": action}), _dumps(document.source)


def chunk_by_bytes(encoded: Sequence[tuple[bytes, bytes]], max_bytes: int) -> list[range]:
    """Consecutive ranges of operations whose serialized size stays under ``max_bytes`` (at least one each)."""
    chunks: list[range] = []
    start, size = 0, 0
    for position, (action, source) in enumerate(encoded):
        length = len(action) + len(source) + 2
        if position > start and size + length > max_bytes:
            chunks.append(range(start, position))
            start, size = position, 0
        size += length
    if start < len(encoded):
        chunks.append(range(start, len(encoded)))
    return chunks


def _error_text(error: Any) -> tuple[str, str]:
    if not isinstance(error, dict):
        return "unknown", str(error)
    reason = str(error.get("reason", ""))
    caused_by = error.get("caused_by")
    if isinstance(caused_by, dict) and caused_by.get("reason"):
        reason = f"{reason}: {caused_by['reason']}"
    return str(error.get("type", "unknown")), reason


def sort_items(documents: Sequence[Document], items: Sequence[dict[str, Any]]) -> ItemVerdicts:
    """Sort a bulk response's items (same order as the request) into done, retry and rejected."""
    indexed = stale = 0
    retry: list[int] = []
    rejected: list[Rejection] = []
    for position, (document, item) in enumerate(zip(documents, items, strict=True)):
        result = next(iter(item.values()))
        status = int(result.get("status", 500))
        if 200 <= status < 300:
            indexed += 1
        elif status == 409 and document.version is not None:
            stale += 1
        elif status in (404, 429) or status >= 500:
            retry.append(position)
        else:
            error_type, reason = _error_text(result.get("error"))
            rejected.append(Rejection(document, status, error_type, reason))
    return ItemVerdicts(indexed, stale, retry, rejected)


def _retryable(exc: Exception) -> bool:
    if isinstance(exc, TransportConnectionError | ConnectionTimeout):
        return True
    if isinstance(exc, ApiError):
        return exc.status_code in (404, 408, 429) or exc.status_code >= 500
    return False


class ElasticsearchSink:
    """Writes documents to their aliases with the bulk API; returns only when every one is indexed or refused."""

    def __init__(
        self,
        client: AsyncElasticsearch,
        index_for: Callable[[Document], str],
        *,
        max_bytes: int = 5 * 1024 * 1024,
        backoff: Backoff | None = None,
        refresh: bool = False,
        require_alias: bool = True,
    ) -> None:
        self._client = client
        self._index_for = index_for
        self._max_bytes = max_bytes
        self._backoff = backoff or Backoff()
        self._refresh = refresh
        self._require_alias = require_alias
        self.stats = SinkStats()

    async def write(self, documents: Sequence[Document]) -> BulkOutcome:
        outcome = BulkOutcome()
        encoded = [encode_operation(document, self._index_for(document)) for document in documents]
        for chunk in chunk_by_bytes(encoded, self._max_bytes):
            await self._write_chunk([documents[i] for i in chunk], [encoded[i] for i in chunk], outcome)
        self.stats.indexed += outcome.indexed
        self.stats.stale += outcome.stale
        self.stats.rejected += len(outcome.rejected)
        self.stats.retries += outcome.retries
        return outcome

    async def _write_chunk(
        self, documents: list[Document], encoded: list[tuple[bytes, bytes]], outcome: BulkOutcome
    ) -> None:
        attempt = 0
        pending = list(range(len(documents)))
        while pending:
            lines = [line for position in pending for line in encoded[position]]
            try:
                self.stats.requests += 1
                response = await self._client.bulk(
                    operations=cast(list[Any], lines),  # pre-serialized NDJSON lines pass through as they are
                    refresh=self._refresh,
                    require_alias=self._require_alias,
                    filter_path=FILTER_PATH,
                )
            except ApiError as exc:
                if exc.status_code == 413:
                    await self._split(documents, encoded, pending, exc, outcome)
                    return
                if not _retryable(exc):
                    raise
                attempt = await self._pause(attempt, f"bulk request failed with HTTP {exc.status_code}", outcome)
                continue
            except (TransportConnectionError, ConnectionTimeout) as exc:
                attempt = await self._pause(attempt, f"Elasticsearch unreachable: {exc}", outcome)
                continue
            verdicts = sort_items([documents[p] for p in pending], response.body.get("items", []))
            outcome.indexed += verdicts.indexed
            outcome.stale += verdicts.stale
            outcome.rejected.extend(verdicts.rejected)
            pending = [pending[position] for position in verdicts.retry]
            if pending:
                attempt = await self._pause(attempt, f"{len(pending)} documents refused for now", outcome)

    async def _split(
        self,
        documents: list[Document],
        encoded: list[tuple[bytes, bytes]],
        pending: list[int],
        exc: ApiError,
        outcome: BulkOutcome,
    ) -> None:
        if len(pending) == 1:
            document = documents[pending[0]]
            outcome.rejected.append(Rejection(document, 413, "too_large", f"request too large: {exc.message}"))
            return
        middle = len(pending) // 2
        for half in (pending[:middle], pending[middle:]):
            await self._write_chunk([documents[p] for p in half], [encoded[p] for p in half], outcome)

    async def _pause(self, attempt: int, reason: str, outcome: BulkOutcome) -> int:
        delay = self._backoff.delay(attempt)
        outcome.retries += 1
        log.warning("%s; retry %d in %.1fs", reason, attempt + 1, delay)
        await asyncio.sleep(delay)
        return attempt + 1
