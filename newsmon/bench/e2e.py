"""The end-to-end benchmark: every service a process on the real Kafka and Elasticsearch, fed at a fixed rate.

For each article it measures the time from being produced to ``articles.raw`` until (a) the first alert event it
caused appears on ``alerts`` and (b) its document is searchable in Elasticsearch. In the same run it measures the raw
limits of the two servers on the same data: produce + consume of the raw articles through Kafka, and a bulk load of
every document the indexer wrote for them into Elasticsearch. Our throughput is reported as a ratio of each.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from elasticsearch import AsyncElasticsearch
from elasticsearch.helpers import async_bulk

from newsmon.bench.corpus import load_seeds, variants
from newsmon.bench.measure import Observations, percentile, remove_run, watch_alerts, watch_documents
from newsmon.bench.processes import Stack, StackEnv, cpu_seconds_of
from newsmon.bench.profile import Recording, finish, record
from newsmon.contracts import RawArticle
from newsmon.contracts.topics import ARTICLES_RAW, Topic
from newsmon.infra.topics import apply_topics
from newsmon.kafka import consumer, encode, encode_key, producer
from newsmon.settings import KafkaSettings


@dataclass(frozen=True)
class BenchConfig:
    kafka_bootstrap: str
    es_url: str
    seeds_dir: Path
    articles: int = 3000
    rate: float = 200.0
    enrichers: int = 1
    drain_timeout: float = 120.0
    server_pids: dict[str, int] = field(default_factory=dict)  # Kafka / Elasticsearch, for their CPU
    profile_dir: Path | None = None  # sample each service with py-spy while the load runs
    work_dir: Path = Path(".newsmon/bench")
    prefix: str = field(default_factory=lambda: f"bench{secrets.token_hex(3)}-")


@dataclass
class BenchResult:
    articles: int
    offered_rate: float
    produce_seconds: float
    completion_seconds: float  # first produced → last searchable
    output_seconds: float  # first searchable → last searchable
    searchable: int
    alerted_articles: int
    alert_events: int
    duplicate_alert_events: int
    alert_p50: float
    alert_p99: float
    search_p50: float
    search_p99: float
    cpu_seconds: dict[str, float]
    raw_kafka_per_s: float
    raw_es_per_s: float
    load_average: tuple[float, float, float] = (0.0, 0.0, 0.0)

    @property
    def sustained_per_s(self) -> float:
        """Articles made searchable per second while output flowed: the offered rate if the pipeline keeps up,
        its capacity if it does not."""
        return (self.searchable - 1) / self.output_seconds if self.output_seconds > 0 else 0.0

    def summary_line(self) -> str:
        return (
            f"bench: {self.sustained_per_s:.0f} articles/s sustained (offered {self.offered_rate:.0f}/s, "
            f"{self.searchable}/{self.articles} searchable); "
            f"alert p50 {self.alert_p50:.2f}s p99 {self.alert_p99:.2f}s; "
            f"searchable p50 {self.search_p50:.2f}s p99 {self.search_p99:.2f}s; "
            f"vs raw Kafka {self.sustained_per_s / self.raw_kafka_per_s:.3f}x, "
            f"vs raw ES bulk {self.sustained_per_s / self.raw_es_per_s:.3f}x; "
            f"load average {self.load_average[0]:.1f}"
        )


def result_rows(result: BenchResult) -> list[tuple[str, str]]:
    rows = [
        ("articles produced / searchable", f"{result.articles} / {result.searchable}"),
        ("offered rate (articles/s)", f"{result.offered_rate:.0f}"),
        ("produce time (s)", f"{result.produce_seconds:.1f}"),
        ("first produced → last searchable (s)", f"{result.completion_seconds:.1f}"),
        ("first → last searchable (s)", f"{result.output_seconds:.1f}"),
        ("sustained rate: searchable articles/s", f"{result.sustained_per_s:.1f}"),
        ("produce → alert p50 / p99 (s)", f"{result.alert_p50:.3f} / {result.alert_p99:.3f}"),
        ("produce → searchable p50 / p99 (s)", f"{result.search_p50:.3f} / {result.search_p99:.3f}"),
        ("articles that caused an alert event", str(result.alerted_articles)),
        ("alert events (duplicated records)", f"{result.alert_events} ({result.duplicate_alert_events})"),
        ("raw Kafka produce+consume of the raw articles (msgs/s)", f"{result.raw_kafka_per_s:.0f}"),
        ("raw Elasticsearch bulk of the run's documents (articles/s)", f"{result.raw_es_per_s:.0f}"),
        ("ours / raw Kafka", f"{result.sustained_per_s / result.raw_kafka_per_s:.3f}"),
        ("ours / raw Elasticsearch", f"{result.sustained_per_s / result.raw_es_per_s:.3f}"),
    ]
    busy = result.completion_seconds or 1.0
    rows += [
        (f"CPU {name} (s; cores busy)", f"{seconds:.1f}; {seconds / busy:.2f}")
        for name, seconds in sorted(result.cpu_seconds.items())
    ]
    rows.append(("load average (1, 5, 15 min) at start", " ".join(f"{v:.1f}" for v in result.load_average)))
    return rows


async def produce_at_rate(kafka: KafkaSettings, articles: list[RawArticle], rate: float, seen: Observations) -> float:
    """Produce the articles to articles.raw, paced at ``rate`` per second; returns the seconds it took."""
    began = time.monotonic()
    async with producer(kafka, client_id="newsmon-bench-load") as client:
        for index, article in enumerate(articles):
            due = began + index / rate
            delay = due - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            seen.produced_at[article.id] = time.monotonic()
            await client.send(kafka.topic("articles.raw"), encode(article), key=encode_key(article.id))
        await client.flush()
    return time.monotonic() - began


async def raw_kafka_rate(kafka: KafkaSettings, articles: list[RawArticle]) -> float:
    """Produce the same messages (same keys, same producer settings) to a scratch topic partitioned like
    articles.raw, and consume them back: records per second, produce and consume together."""
    scratch = Topic("rawbench", RawArticle, "article id", ARTICLES_RAW.partitions, ARTICLES_RAW.retention_ms)
    await apply_topics(kafka, [scratch])
    payloads = [(encode_key(a.id), encode(a)) for a in articles]
    began = time.monotonic()
    async with producer(kafka, client_id="newsmon-bench-raw") as client:
        for key, value in payloads:
            await client.send(kafka.topic(scratch.name), value, key=key)
        await client.flush()
    received = 0
    async with consumer(kafka, group=None, topics=[scratch.name]) as reader:
        while received < len(payloads):
            batches = await reader.getmany(timeout_ms=500, max_records=5000)
            received += sum(len(records) for records in batches.values())
    return len(payloads) / (time.monotonic() - began)


async def raw_es_rate(es: AsyncElasticsearch, prefix: str, articles: int) -> float:
    """Bulk-load every document the indexer wrote for the run (articles, claims, facts, alerts) into scratch indices
    with the same templates (mapping, refresh interval, shards), then refresh: articles' worth of documents per
    second, the ceiling Elasticsearch sets for our articles/s."""
    documents: list[dict[str, Any]] = []
    for name in ("articles", "claims", "facts", "alerts"):
        target = f"{prefix}news-{name}-v9999"  # matches the template's pattern, not the alias
        found = await es.search(index=f"{prefix}news-{name}", query={"match_all": {}}, size=1000, scroll="1m")
        while found["hits"]["hits"]:
            hits = found["hits"]["hits"]
            documents += [{"_index": target, "_id": hit["_id"], "_source": hit["_source"]} for hit in hits]
            found = await es.scroll(scroll_id=found["_scroll_id"], scroll="1m")
    if not documents or not articles:
        return float("nan")
    began = time.monotonic()
    await async_bulk(es, documents, chunk_size=500, refresh=False)
    await es.indices.refresh(index=f"{prefix}news-*-v9999")
    return articles / (time.monotonic() - began)


async def _drain(seen: Observations, expected: int, wait_seconds: float, stack: Stack) -> float:
    """Wait until every article is searchable (or the timeout); returns when the last one became searchable."""
    deadline = time.monotonic() + wait_seconds
    while len(seen.searchable_at) < expected and time.monotonic() < deadline:
        stack.check_alive()
        await asyncio.sleep(0.5)
    await asyncio.sleep(2.0)  # late alert events of the last articles
    return max(seen.searchable_at.values(), default=time.monotonic())


async def run(config: BenchConfig, *, report: Any = print) -> BenchResult:
    env = StackEnv(config.kafka_bootstrap, config.es_url, config.prefix, config.work_dir / config.prefix.rstrip("-"))
    kafka = KafkaSettings(bootstrap=config.kafka_bootstrap, topic_prefix=config.prefix)
    load_average = os.getloadavg()
    await apply_topics(kafka)
    articles = list(variants(load_seeds(config.seeds_dir), config.articles))
    stack = Stack(env, counts={"enricher": config.enrichers})
    stack.start()
    seen = Observations()
    stop = asyncio.Event()
    es = AsyncElasticsearch(config.es_url, request_timeout=30)
    article_alias = f"{config.prefix}news-articles"
    try:
        watchers = [
            asyncio.create_task(watch_alerts(kafka, seen, stop)),
            asyncio.create_task(watch_documents(es, article_alias, seen, stop)),
        ]
        await stack.wait_ready(kafka)
        report(f"producing {len(articles)} articles at {config.rate:.0f}/s (prefix {config.prefix})")
        recordings = _start_profiles(stack, config, len(articles))
        cpu_before = {**stack.cpu(), **_server_cpu(config.server_pids)}
        first = time.monotonic()
        produce_seconds = await produce_at_rate(kafka, articles, config.rate, seen)
        last = await _drain(seen, len(articles), config.drain_timeout, stack)
        cpu_after = {**stack.cpu(), **_server_cpu(config.server_pids)}
        stop.set()
        await asyncio.gather(*watchers, return_exceptions=True)
        await asyncio.to_thread(finish, recordings)
        report("measuring raw Kafka and raw Elasticsearch on the same messages and documents")
        raw_kafka = await raw_kafka_rate(kafka, articles)
        raw_es = await raw_es_rate(es, config.prefix, len(seen.searchable_at))
    finally:
        stop.set()
        stack.stop()
        await es.close()
        with contextlib.suppress(Exception):
            await remove_run(kafka, config.es_url, config.prefix)
    shutil.rmtree(env.log_dir, ignore_errors=True)  # kept only when the run failed
    duplicates = sum(count - 1 for count in seen.alert_events.values() if count > 1)
    return BenchResult(
        articles=len(articles),
        offered_rate=config.rate,
        produce_seconds=produce_seconds,
        completion_seconds=last - first,
        output_seconds=last - min(seen.searchable_at.values(), default=last),
        searchable=len(seen.searchable_at),
        alerted_articles=len(seen.alerted_at),
        alert_events=len(seen.alert_events),
        duplicate_alert_events=duplicates,
        alert_p50=percentile(seen.alert_latencies(), 0.5),
        alert_p99=percentile(seen.alert_latencies(), 0.99),
        search_p50=percentile(seen.search_latencies(), 0.5),
        search_p99=percentile(seen.search_latencies(), 0.99),
        cpu_seconds={name: cpu_after.get(name, 0.0) - cpu_before.get(name, 0.0) for name in cpu_after},
        raw_kafka_per_s=raw_kafka,
        raw_es_per_s=raw_es,
        load_average=load_average,
    )


def _start_profiles(stack: Stack, config: BenchConfig, articles: int) -> list[Recording]:
    if config.profile_dir is None:
        return []
    seconds = min(articles / config.rate + 20.0, 120.0)
    started = []
    for process in stack.processes:
        if process.process is not None:
            name = f"{process.name}-{process.instance}"
            started.append(record(name, process.process.pid, config.profile_dir, seconds))
    return [recording for recording in started if recording is not None]


def _server_cpu(pids: dict[str, int]) -> dict[str, float]:
    found = {name: cpu_seconds_of(pid) for name, pid in pids.items()}
    return {name: seconds for name, seconds in found.items() if seconds is not None}


def default_seeds_dir() -> Path:
    configured = os.environ.get("NEWSMON_SEEDS_DIR")
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parents[2].parent / "shared" / "seeds"
