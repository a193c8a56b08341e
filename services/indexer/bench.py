"""Indexer throughput against a raw bulk load of the same documents, side by side in one run.

    python -m services.indexer.bench --docs 20000
    python -m services.indexer.bench --e2e ../shared/seeds

Raw: the shaped documents sent with ``elasticsearch.helpers.async_bulk`` (500 per request) straight into an index
made from the same template. The two sides alternate for ``--rounds`` rounds after a small warm-up load, each into
fresh indices, and the best time of each side counts (other processes share the machine).
Indexer: the same records produced to Kafka first, then consumed, decoded, shaped,
bulk-written and committed by the real service loop; timed from its first batch to its last acknowledged one.
Uses the Kafka and Elasticsearch of the settings (``NEWSMON_KAFKA__BOOTSTRAP``, ``NEWSMON_ELASTICSEARCH__URL``) with
throw-away prefixes, removed afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient
from elasticsearch import AsyncElasticsearch
from elasticsearch.helpers import async_bulk
from pydantic import BaseModel

from newsmon.contracts import Claim, EnrichedArticle
from newsmon.contracts.topics import ARTICLES_ENRICHED, CLAIMS_BY_PLACE
from newsmon.kafka import KafkaPublisher, connection_options, producer
from newsmon.settings import KafkaSettings, MetricsSettings
from services.indexer import samples
from services.indexer.app import build
from services.indexer.documents import Document, claim_document
from services.indexer.es import elasticsearch_client
from services.indexer.mappings import apply_all, load_specs, remove_all
from services.indexer.settings import IndexerSettings

PLACES = (samples.KURAKHOVE, samples.POKROVSK, samples.KURSK_REGION)
PREDICATES = ("captured", "contested", "advancing_toward", "not_captured")


@dataclass
class BenchResult:
    docs: int
    raw_seconds: float
    raw_docs_per_second: float
    indexer_seconds: float
    indexer_docs_per_second: float
    ratio: float
    bulk_requests: int
    avg_doc_bytes: int
    raw_runs: list[float]
    indexer_runs: list[float]


def bench_claims(count: int) -> list[Claim]:
    return [
        samples.claim(
            number,
            PLACES[number % len(PLACES)],
            PREDICATES[number % len(PREDICATES)],  # type: ignore[arg-type]
            samples.RU_MOD if number % 2 else samples.TREHUBOV,
        )
        for number in range(count)
    ]


async def run(settings: IndexerSettings, count: int, rounds: int = 2) -> BenchResult:
    run_id = uuid.uuid4().hex[:8]
    prefixes = [f"bench-{run_id}-warm-"]
    claims = bench_claims(count)
    documents = [claim_document(claim) for claim in claims]
    specs = {"claims": load_specs()["claims"]}
    es = elasticsearch_client(settings.elasticsearch, request_timeout=120)

    async def raw_load(prefix: str, batch: list[Document]) -> float:
        prefixes.append(prefix)
        await apply_all(es, specs, prefix)  # type: ignore[arg-type]
        alias = specs["claims"].alias(prefix)
        actions = ({"_index": alias, "_id": d.id, "_source": d.source} for d in batch)
        started = time.perf_counter()
        await async_bulk(es, actions, chunk_size=500, max_chunk_bytes=settings.indexer.bulk_max_bytes)
        return time.perf_counter() - started

    async def indexer_load(prefix: str) -> tuple[float, int]:
        prefixes.append(prefix)
        kafka = settings.kafka.model_copy(update={"topic_prefix": prefix})
        indexer_settings = settings.model_copy(
            update={
                "kafka": kafka,
                "elasticsearch": settings.elasticsearch.model_copy(update={"index_prefix": prefix}),
                "indexer": settings.indexer.model_copy(update={"group": f"{prefix}indexer"}),
                "metrics": MetricsSettings(enabled=False),
            }
        )
        async with build(indexer_settings, topics=(CLAIMS_BY_PLACE.name,)) as indexer:
            records: list[tuple[str, str, BaseModel]] = [(CLAIMS_BY_PLACE.name, c.place.id, c) for c in claims]
            async with producer(kafka) as client:
                publisher = KafkaPublisher(client, kafka)
                for start in range(0, len(records), 5000):
                    await publisher.publish_many(records[start : start + 5000])
            stopping = asyncio.Event()
            task = asyncio.create_task(indexer.run(stopping))
            while indexer.stats.indexed < count:
                if task.done():
                    task.result()
                await asyncio.sleep(0.05)
            stopping.set()
            await task
            stats = indexer.stats
        if stats.first_batch_at is None or stats.last_batch_done_at is None:
            raise RuntimeError("the indexer handled no batch")
        return stats.last_batch_done_at - stats.first_batch_at, stats.batches

    try:
        await raw_load(prefixes[0], documents[: max(count // 10, 1)])  # warm the node up first
        raw_runs: list[float] = []
        indexer_runs: list[tuple[float, int]] = []
        for round_ in range(rounds):  # alternate, so load from other processes hits both sides alike
            raw_runs.append(await raw_load(f"bench-{run_id}-raw{round_}-", documents))
            indexer_runs.append(await indexer_load(f"bench-{run_id}-idx{round_}-"))
        raw_seconds = min(raw_runs)
        indexer_seconds, batches = min(indexer_runs)
        average = sum(len(json.dumps(d.source)) for d in documents) // max(count, 1)
        return BenchResult(
            docs=count,
            raw_seconds=round(raw_seconds, 3),
            raw_docs_per_second=round(count / raw_seconds),
            indexer_seconds=round(indexer_seconds, 3),
            indexer_docs_per_second=round(count / indexer_seconds),
            ratio=round(raw_seconds / indexer_seconds, 2),
            bulk_requests=batches,
            avg_doc_bytes=average,
            raw_runs=[round(seconds, 3) for seconds in raw_runs],
            indexer_runs=[round(seconds, 3) for seconds, _ in indexer_runs],
        )
    finally:
        for prefix in prefixes:
            await remove_all(es, prefix)
            if "-idx" in prefix:
                await _delete_topics(settings.kafka.model_copy(update={"topic_prefix": prefix}))
        await es.close()


@dataclass
class EndToEndResult:
    articles: int
    claims: int
    enrich_median_ms: float
    searchable_median_ms: float
    searchable_max_ms: float


async def end_to_end(settings: IndexerSettings, seeds_dir: Path) -> EndToEndResult:
    """Each seed article: raw → extraction → Kafka → indexer → found by a search (refresh interval 1s included)."""
    from newsmon.bench.corpus import load_seeds, variants
    from services.alerter.embedded import default_enricher  # the embedded wiring: the enricher's pure pipeline

    enrich = default_enricher()
    articles = list(variants(load_seeds(seeds_dir), 5))
    prefix = f"bench-{uuid.uuid4().hex[:8]}-e2e-"
    kafka = settings.kafka.model_copy(update={"topic_prefix": prefix})
    e2e_settings = settings.model_copy(
        update={
            "kafka": kafka,
            "elasticsearch": settings.elasticsearch.model_copy(update={"index_prefix": prefix}),
            "indexer": settings.indexer.model_copy(update={"group": f"{prefix}indexer", "batch_max_wait_ms": 20}),
            "metrics": MetricsSettings(enabled=False),
        }
    )
    es = elasticsearch_client(settings.elasticsearch)
    enrich_ms: list[float] = []
    searchable_ms: list[float] = []
    claims = 0
    try:
        async with build(e2e_settings) as indexer, producer(kafka) as client:
            stopping = asyncio.Event()
            task = asyncio.create_task(indexer.run(stopping))
            publisher = KafkaPublisher(client, kafka)
            for article in articles:
                started = time.perf_counter()
                enriched = enrich(article)
                enrich_ms.append((time.perf_counter() - started) * 1000)
                records: list[tuple[str, str, BaseModel]] = [(ARTICLES_ENRICHED.name, enriched.id, enriched)]
                records += [(CLAIMS_BY_PLACE.name, claim.place.id, claim) for claim in enriched.claims]
                await publisher.publish_many(records)
                claims += len(enriched.claims)
                while not await _searchable(es, prefix, enriched):  # noqa: ASYNC110 - polling, no event to await
                    await asyncio.sleep(0.02)
                searchable_ms.append((time.perf_counter() - started) * 1000)
            stopping.set()
            await task
    finally:
        await remove_all(es, prefix)
        await _delete_topics(kafka)
        await es.close()
    return EndToEndResult(
        articles=len(articles),
        claims=claims,
        enrich_median_ms=round(statistics.median(enrich_ms)),
        searchable_median_ms=round(statistics.median(searchable_ms)),
        searchable_max_ms=round(max(searchable_ms)),
    )


async def _searchable(es: AsyncElasticsearch, prefix: str, article: EnrichedArticle) -> bool:
    found = await es.count(index=f"{prefix}news-articles", query={"ids": {"values": [article.id]}})
    if found.body["count"] < 1:
        return False
    claims = await es.count(index=f"{prefix}news-claims", query={"term": {"article_id": article.id}})
    return int(claims.body["count"]) >= len(article.claims)


async def _delete_topics(kafka: KafkaSettings) -> None:
    admin = AIOKafkaAdminClient(**connection_options(kafka), client_id=f"{kafka.client_id}-bench-admin")
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        doomed = [name for name in existing if name.startswith(kafka.topic_prefix)]
        if doomed:
            await admin.delete_topics(doomed)
    finally:
        await admin.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=20000, help="documents per side")
    parser.add_argument("--rounds", type=int, default=2, help="alternating raw/indexer rounds; the best of each counts")
    parser.add_argument("--e2e", type=Path, metavar="SEEDS_DIR", help="instead: raw seed article → searchable")
    arguments = parser.parse_args()
    result: Any
    if arguments.e2e:
        result = asyncio.run(end_to_end(IndexerSettings(), arguments.e2e))
    else:
        result = asyncio.run(run(IndexerSettings(), arguments.docs, arguments.rounds))
    print(json.dumps(asdict(result), indent=2))


if __name__ == "__main__":
    main()
