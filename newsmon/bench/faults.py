"""The fault suite: each case feeds articles through the services as processes, breaks something mid-stream,
and counts what came out against what the same articles give through the embedded pipeline.

Counted per case: articles in; article documents out (Elasticsearch, by id); alerts out (distinct alert ids on the
alerts topic, against the embedded run of the same articles); losses (expected but missing); duplicates in effect
(an article document or alert stored twice, a webhook event accepted twice). Duplicate *records* absorbed by
deterministic ids (a re-sent alert event after a kill -9) are shown separately: at-least-once delivery, exactly once
in effect.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

from aiohttp import web
from elasticsearch import AsyncElasticsearch

from newsmon.bench.corpus import load_seeds, variants
from newsmon.bench.e2e import run_cli
from newsmon.bench.processes import Stack, StackEnv
from newsmon.contracts import AlertEvent, RawArticle
from newsmon.kafka import consumer, decode, encode, encode_key, producer
from newsmon.settings import KafkaSettings

SETTLE_SECONDS = 90.0


@dataclass
class CaseResult:
    name: str
    articles_in: int
    documents_out: int
    alerts_expected: int
    alerts_out: int
    losses: int
    duplicates: int
    duplicate_records: int
    dead_letters: int = 0
    webhook_accepted: int = 0
    note: str = ""

    @property
    def ok(self) -> bool:
        return self.losses == 0 and self.duplicates == 0


@dataclass
class Receiver:
    """A webhook receiver on 127.0.0.1 that fails the first ``fail_first`` requests with 500."""

    fail_first: int = 0
    requests: int = 0
    accepted: Counter[str] = field(default_factory=Counter)
    runner: web.AppRunner | None = None
    port: int = 0

    async def handle(self, request: web.Request) -> web.Response:
        self.requests += 1
        await request.read()
        if self.requests <= self.fail_first:
            return web.Response(status=500, text="receiver failing on purpose")
        self.accepted[request.headers.get("webhook-id", "")] += 1
        return web.Response(status=204)

    async def start(self) -> str:
        app = web.Application()
        app.router.add_post("/hook", self.handle)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return f"http://127.0.0.1:{self.port}/hook"

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()


@dataclass
class Case:
    name: str
    inject: Callable[[Stack, object], Awaitable[str]] | None = None
    instances: int = 1
    with_dispatcher: bool = False
    poison: int = 0
    needs_own_servers: bool = False


async def _expected_alert_ids(articles: list[RawArticle]) -> set[str]:
    from services.alerter.embedded import default_enricher, replay

    enrich = default_enricher()
    ids: set[str] = set()
    for _, events in replay(articles, enrich):
        ids.update(event.alert.id for event in events)
    return ids


async def _produce(kafka: KafkaSettings, articles: list[RawArticle], rate: float, poison: int) -> None:
    async with producer(kafka, client_id="newsmon-faults-load") as client:
        poison_every = max(1, len(articles) // poison) if poison else 0
        for index, article in enumerate(articles):
            await client.send(kafka.topic("articles.raw"), encode(article), key=encode_key(article.id))
            if poison_every and index % poison_every == 0:
                bad = b'{"id": 42, "text": ["not", "an", "article"]}'
                await client.send(kafka.topic("articles.raw"), bad, key=f"poison-{index}".encode())
            await asyncio.sleep(1.0 / rate)
        await client.flush()


async def _read_topic(kafka: KafkaSettings, topic: str) -> list[bytes]:
    values: list[bytes] = []
    async with consumer(kafka, group=None, topics=[topic]) as reader:
        end = await reader.end_offsets(list(reader.assignment()))
        while any((await reader.position(tp)) < offset for tp, offset in end.items()):
            batches = await reader.getmany(timeout_ms=500)
            values.extend(record.value for records in batches.values() for record in records)
    return values


async def _count_documents(es: AsyncElasticsearch, alias: str, ids: list[str]) -> tuple[int, int]:
    """(documents found among ``ids``, total documents in the alias)."""
    await es.indices.refresh(index=alias)
    found = await es.search(index=alias, query={"ids": {"values": ids}}, source=False, size=len(ids))
    total = await es.count(index=alias)
    return len(found["hits"]["hits"]), int(total["count"])


async def _settle(es: AsyncElasticsearch, alias: str, ids: list[str], stack: Stack) -> None:
    deadline = time.monotonic() + SETTLE_SECONDS
    while time.monotonic() < deadline:
        with contextlib.suppress(Exception):
            found, _ = await _count_documents(es, alias, ids)
            if found >= len(ids):
                return
        await asyncio.sleep(1.0)


async def run_case(
    case: Case, kafka_bootstrap: str, es_url: str, articles: list[RawArticle], servers: object
) -> CaseResult:
    prefix = f"f{secrets.token_hex(3)}-"
    env = StackEnv(kafka_bootstrap, es_url, prefix, Path(".newsmon/faults") / prefix.rstrip("-"))
    receiver = Receiver(fail_first=6 if case.with_dispatcher else 0)
    if case.with_dispatcher:
        url = await receiver.start()
        subscriber = f'[{{"name": "faults", "url": "{url}", "secret": "whsec_{_secret()}", "max_attempts": 10}}]'
        env.extra.update(
            {
                "NEWSMON_WEBHOOKS__SUBSCRIBERS": subscriber,
                "NEWSMON_WEBHOOKS__RETRY_BASE_DELAY": "0.2",
                "NEWSMON_WEBHOOKS__RETRY_MAX_DELAY": "1.0",
                "NEWSMON_WEBHOOKS__BREAKER_COOL_DOWN": "1.0",
                "NEWSMON_HTTP__ALLOWED_PRIVATE_HOSTS": '["127.0.0.1"]',
            }
        )
    kafka = KafkaSettings(bootstrap=kafka_bootstrap, topic_prefix=prefix)
    run_cli(env, "topics", "apply")
    run_cli(env, "es", "apply")
    services = ("enricher", "alerter", "indexer", *(("dispatcher",) if case.with_dispatcher else ()))
    stack = Stack(env, services=services, instances=case.instances)
    es = AsyncElasticsearch(es_url, request_timeout=30)
    note = ""
    try:
        stack.start()
        stack.wait_ready()
        load = asyncio.create_task(_produce(kafka, articles, rate=8.0, poison=case.poison))
        if case.inject is not None:
            await asyncio.sleep(len(articles) / 8.0 / 2)  # mid-stream
            note = await case.inject(stack, servers)
        await load
        ids = [a.id for a in articles]
        await _settle(es, f"{prefix}news-articles", ids, stack)
        await asyncio.sleep(5.0)  # alerts and deliveries behind the last document
        found, total = await _count_documents(es, f"{prefix}news-articles", ids)
        events = [decode(AlertEvent, value) for value in await _read_topic(kafka, "alerts")]
        dead = await _read_topic(kafka, "dlq")
    finally:
        stack.stop()
        await es.close()
        await receiver.stop()
    expected = await _expected_alert_ids(articles)
    alert_ids = {event.alert.id for event in events}
    event_counts = Counter(event.id for event in events)
    duplicate_records = sum(count - 1 for count in event_counts.values())
    webhook_duplicates = sum(count - 1 for count in receiver.accepted.values())
    webhook_missing = len(set(event_counts) - set(receiver.accepted)) if case.with_dispatcher else 0
    return CaseResult(
        name=case.name,
        articles_in=len(articles),
        documents_out=found,
        alerts_expected=len(expected),
        alerts_out=len(alert_ids),
        losses=(len(articles) - found) + len(expected - alert_ids) + webhook_missing,
        duplicates=(total - found) + webhook_duplicates,
        duplicate_records=duplicate_records,
        dead_letters=len(dead),
        webhook_accepted=sum(receiver.accepted.values()),
        note=note,
    )


def _secret() -> str:
    import base64

    return base64.b64encode(secrets.token_bytes(24)).decode()


def _kill(service: str) -> Callable[[Stack, object], Awaitable[str]]:
    async def inject(stack: Stack, servers: object) -> str:
        process = stack.of(service)
        process.kill()
        await asyncio.sleep(2.0)
        process.start()
        return f"kill -9 {service}, restarted after 2 s"

    return inject


async def _restart_kafka(stack: Stack, servers: object) -> str:
    began = time.monotonic()
    await asyncio.to_thread(servers.kafka.restart)  # type: ignore[attr-defined]
    return f"broker restarted in {time.monotonic() - began:.1f} s"


async def _stop_elasticsearch(stack: Stack, servers: object) -> str:
    node = servers.elasticsearch  # type: ignore[attr-defined]
    await asyncio.to_thread(node.stop)
    await asyncio.sleep(30.0)
    await asyncio.to_thread(node.start)
    return "Elasticsearch stopped for 30 s"


async def _kill_one_instance(stack: Stack, servers: object) -> str:
    for name in ("enricher", "alerter", "indexer"):
        stack.of(name, 1).kill()
    return "second instance of each service killed; the first took over"


CASES: tuple[Case, ...] = (
    Case("baseline"),
    Case("kill -9 enricher", _kill("enricher")),
    Case("kill -9 alerter", _kill("alerter")),
    Case("kill -9 indexer", _kill("indexer")),
    Case("Kafka broker restart", _restart_kafka, needs_own_servers=True),
    Case("Elasticsearch down 30 s", _stop_elasticsearch, needs_own_servers=True),
    Case("webhook receiver failing", _kill("dispatcher"), with_dispatcher=True),
    Case("burst of poisoned records", poison=20),
    Case("scale-out: 2 of each, kill one", _kill_one_instance, instances=2),
)


async def run_suite(
    kafka_bootstrap: str,
    es_url: str,
    seeds_dir: Path,
    *,
    articles: int,
    only: list[str] | None,
    servers: object | None = None,
) -> list[CaseResult]:
    corpus = sorted(variants(load_seeds(seeds_dir), articles), key=lambda a: a.published or a.fetched_at)  # type: ignore[arg-type, return-value]
    results = []
    for case in CASES:
        if only and not any(word.lower() in case.name.lower() for word in only):
            continue
        if case.needs_own_servers and servers is None:
            results.append(CaseResult(case.name, 0, 0, 0, 0, 0, 0, 0, note="skipped: servers not started by us"))
            continue
        print(f"fault case: {case.name}", flush=True)
        results.append(await run_case(case, kafka_bootstrap, es_url, corpus, servers))
    return results


def print_table(results: list[CaseResult]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="fault suite")
    for column in (
        "case",
        "articles in",
        "documents out",
        "alerts expected",
        "alerts out",
        "losses",
        "duplicates",
        "dup. records (absorbed)",
        "dead letters",
        "webhooks accepted",
        "note",
    ):
        table.add_column(column)
    for r in results:
        table.add_row(
            r.name,
            str(r.articles_in),
            str(r.documents_out),
            str(r.alerts_expected),
            str(r.alerts_out),
            str(r.losses),
            str(r.duplicates),
            str(r.duplicate_records),
            str(r.dead_letters),
            str(r.webhook_accepted),
            r.note,
        )
    Console(width=200).print(table)
    failed = [r.name for r in results if not r.ok]
    print(
        f"faults: {len(results) - len(failed)}/{len(results)} cases without loss or duplicate"
        + (f"; FAILED: {', '.join(failed)}" if failed else "")
    )
