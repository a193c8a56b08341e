"""Indexer throughput against a raw bulk load of the same documents, side by side in one run.

    python -m services.indexer.bench --docs 20000

Raw: the shaped documents sent with ``elasticsearch.helpers.async_bulk`` (500 per request) straight into an index
made from the same template. Indexer: the same records produced to Kafka first, then consumed, decoded, shaped,
bulk-written and committed by the real service loop; timed from its first batch to its last acknowledged one.
Uses the Kafka and Elasticsearch of the settings (``NEWSMON_KAFKA__BOOTSTRAP``, ``NEWSMON_ELASTICSEARCH__URL``) with
throw-away prefixes, removed afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
import uuid
from dataclasses import asdict, dataclass

from elasticsearch.helpers import async_bulk
from pydantic import BaseModel

from newsmon.contracts import Claim
from newsmon.contracts.topics import CLAIMS_BY_PLACE
from newsmon.kafka import KafkaPublisher, producer
from newsmon.settings import MetricsSettings
from services.indexer import samples
from services.indexer.app import build
from services.indexer.documents import claim_document
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


async def run(settings: IndexerSettings, count: int) -> BenchResult:
    run_id = uuid.uuid4().hex[:8]
    raw_prefix, indexer_prefix = f"bench-{run_id}-raw-", f"bench-{run_id}-idx-"
    claims = bench_claims(count)
    documents = [claim_document(claim) for claim in claims]
    specs = {"claims": load_specs()["claims"]}
    es = elasticsearch_client(settings.elasticsearch, request_timeout=120)
    try:
        await apply_all(es, specs, raw_prefix)  # type: ignore[arg-type]
        raw_alias = specs["claims"].alias(raw_prefix)
        actions = ({"_index": raw_alias, "_id": d.id, "_source": d.source} for d in documents)
        started = time.perf_counter()
        await async_bulk(es, actions, chunk_size=500, max_chunk_bytes=settings.indexer.bulk_max_bytes)
        raw_seconds = time.perf_counter() - started

        kafka = settings.kafka.model_copy(update={"topic_prefix": indexer_prefix})
        indexer_settings = settings.model_copy(
            update={
                "kafka": kafka,
                "elasticsearch": settings.elasticsearch.model_copy(update={"index_prefix": indexer_prefix}),
                "indexer": settings.indexer.model_copy(update={"group": f"{indexer_prefix}indexer"}),
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
        indexer_seconds = stats.last_batch_done_at - stats.first_batch_at
        average = sum(len(json.dumps(d.source)) for d in documents) // max(count, 1)
        return BenchResult(
            docs=count,
            raw_seconds=round(raw_seconds, 3),
            raw_docs_per_second=round(count / raw_seconds),
            indexer_seconds=round(indexer_seconds, 3),
            indexer_docs_per_second=round(count / indexer_seconds),
            ratio=round(raw_seconds / indexer_seconds, 2),
            bulk_requests=stats.batches,
            avg_doc_bytes=average,
        )
    finally:
        for prefix in (raw_prefix, indexer_prefix):
            await remove_all(es, prefix)
        await es.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=20000, help="documents per side")
    arguments = parser.parse_args()
    result = asyncio.run(run(IndexerSettings(), arguments.docs))
    print(json.dumps(asdict(result), indent=2))


if __name__ == "__main__":
    main()
