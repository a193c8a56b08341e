"""The fault suite: each case feeds articles through the services as processes, breaks something mid-stream (kill -9,
a broker restart, Elasticsearch down, a failing webhook receiver, poisoned records, one of two instances killed), and
counts what came out against what must come out (``newsmon.bench.outcomes``).
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import shutil
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from elasticsearch import AsyncElasticsearch

from newsmon.bench.corpus import load_seeds, variants
from newsmon.bench.measure import remove_run
from newsmon.bench.outcomes import CaseResult, Expected, Snapshot, count_case
from newsmon.bench.processes import Stack, StackEnv
from newsmon.bench.receiver import Receiver
from newsmon.contracts import RawArticle
from newsmon.kafka import encode, encode_key, producer
from newsmon.settings import KafkaSettings

if TYPE_CHECKING:
    from newsmon.infra.local_es import LocalElasticsearch
    from newsmon.infra.local_kafka import LocalKafka
    from newsmon.infra.stack import LocalStack

SETTLE_SECONDS = 150.0
RATE = 8.0  # articles/s: slow enough that every fault lands mid-stream
# Records that break the contract in different ways: not JSON, wrong shape, no value, not UTF-8.
POISON: tuple[bytes | None, ...] = (
    b"{not json",
    b'{"id": 42, "text": ["not", "an", "article"]}',
    None,
    b"\xff\xfe\x00",
)


@dataclass(frozen=True)
class Servers:
    """Where the cases run; ``own`` is the local stack when this suite may stop and restart it."""

    kafka_bootstrap: str
    es_url: str
    own: LocalStack | None = None
    local: LocalStack | None = None  # the local stack in use, even when not ours to restart (for its pids)

    def pids(self) -> dict[str, int]:
        stack = self.local or self.own
        if stack is None:
            return {}
        found = {"kafka": stack.kafka.pid(), "elasticsearch": stack.elasticsearch.pid()}
        return {name: pid for name, pid in found.items() if pid is not None}


Inject = Callable[[Stack, Servers], Awaitable[str]]


@dataclass(frozen=True)
class Case:
    name: str
    inject: Inject | None = None
    instances: int = 1
    with_dispatcher: bool = False
    receiver_failures: int = 0
    replay_webhooks: bool = False  # run `newsmon webhooks replay` once the stream has settled, as an operator would
    poison: int = 0
    needs_own_servers: bool = False


async def produce_articles(kafka: KafkaSettings, articles: list[RawArticle], rate: float, poison: int = 0) -> None:
    """Produce at ``rate``, each article until the broker acknowledged it (a broker restart is waited out);
    ``poison`` bad records are sent as one burst in the middle of the stream."""
    async with producer(kafka, client_id="newsmon-faults-load") as client:
        for index, article in enumerate(articles):
            if poison and index == len(articles) // 2:
                for number in range(poison):
                    value = POISON[number % len(POISON)]
                    await _send_until_acked(client, kafka.topic("articles.raw"), value, f"poison-{number}".encode())
            await _send_until_acked(client, kafka.topic("articles.raw"), encode(article), encode_key(article.id))
            await asyncio.sleep(1.0 / rate)


async def _send_until_acked(client: object, topic: str, value: bytes | None, key: bytes) -> None:
    from aiokafka import AIOKafkaProducer
    from aiokafka.errors import KafkaError

    assert isinstance(client, AIOKafkaProducer)
    for _ in range(120):
        try:
            await client.send_and_wait(topic, value, key=key)
            return
        except KafkaError:  # the broker is restarting: as an ingestor would, send it again (same key, same id)
            await asyncio.sleep(1.0)
    raise RuntimeError(f"could not produce to {topic} for two minutes")


async def _settle(
    kafka: KafkaSettings,
    es: AsyncElasticsearch,
    alias: str,
    expected: Expected,
    receiver: Receiver | None,
    stack: Stack,
) -> None:
    """Wait until every document, claim and alert is out (and delivered), or the settle time is over."""
    ids = sorted(expected.article_ids)
    deadline = time.monotonic() + SETTLE_SECONDS
    while time.monotonic() < deadline:
        stack.check_alive()
        with contextlib.suppress(Exception):  # a server may still be coming back
            if (await Snapshot.take(kafka, es, alias, ids)).complete(expected, receiver):
                return
        await asyncio.sleep(1.0)


async def run_case(case: Case, servers: Servers, articles: list[RawArticle], expected: Expected) -> CaseResult:
    from newsmon.infra.topics import apply_topics

    began = time.monotonic()
    prefix = f"f{secrets.token_hex(3)}-"
    env = StackEnv(servers.kafka_bootstrap, servers.es_url, prefix, Path(".newsmon/faults") / prefix.rstrip("-"))
    # faust notices a killed worker after its session timeout (60 s by default); the aiokafka services use 10 s.
    # The same 10 s here keeps the cases short without changing what they check (faust reads these from the env).
    env.extra.update({"BROKER_SESSION_TIMEOUT": "10", "BROKER_HEARTBEAT_INTERVAL": "1"})
    receiver = Receiver(fail_first=case.receiver_failures) if case.with_dispatcher else None
    if receiver is not None:
        env.extra.update(receiver.subscriber_env(await receiver.start()))
    kafka = KafkaSettings(bootstrap=servers.kafka_bootstrap, topic_prefix=prefix)
    await apply_topics(kafka)
    services = ("enricher", "alerter", "indexer", *(("dispatcher",) if case.with_dispatcher else ()))
    stack = Stack(env, services=services, instances=case.instances)
    es = AsyncElasticsearch(servers.es_url, request_timeout=30)
    alias = f"{prefix}news-articles"
    note = ""
    try:
        stack.start()
        await stack.wait_ready(kafka)
        load = asyncio.create_task(produce_articles(kafka, articles, RATE, case.poison))
        if case.inject is not None:
            await asyncio.sleep(len(articles) / RATE / 2)  # mid-stream
            note = await case.inject(stack, servers)
        await load
        await _settle(kafka, es, alias, expected, receiver, stack)
        if case.replay_webhooks:
            replayed = await _replay_webhooks(env, kafka, es, alias, expected)
            note += f"; {replayed} dead-lettered deliveries re-sent by `newsmon webhooks replay`"
        await asyncio.sleep(3.0)  # let late duplicates show
        stack.check_alive()
        out = await Snapshot.take(kafka, es, alias, sorted(expected.article_ids))
    finally:
        await asyncio.to_thread(stack.stop)  # SIGTERM and wait: the receiver must keep answering meanwhile
        await es.close()
        if receiver is not None:
            await receiver.stop()
        with contextlib.suppress(Exception):
            await remove_run(kafka, servers.es_url, prefix)
    result = count_case(case.name, case.poison, expected, out, receiver, note, time.monotonic() - began)
    if result.ok:  # the services' logs and faust's data are kept only for a failed case
        shutil.rmtree(env.log_dir, ignore_errors=True)
    else:
        result.note += f"{'; ' if result.note else ''}logs in {env.log_dir}"
    return result


async def _replay_webhooks(
    env: StackEnv, kafka: KafkaSettings, es: AsyncElasticsearch, alias: str, expected: Expected
) -> int:
    """What an operator does once the receiver is healthy again: re-send the dead-lettered deliveries."""
    before = await Snapshot.take(kafka, es, alias, sorted(expected.article_ids))
    command = [sys.executable, "-m", "newsmon.cli", "webhooks", "replay", "--subscriber", "faults", "--json"]
    process = await asyncio.create_subprocess_exec(
        *command, env=env.environment(), stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    output, _ = await asyncio.wait_for(process.communicate(), timeout=120)
    if process.returncode != 0:
        raise RuntimeError(f"newsmon webhooks replay failed ({process.returncode}):\n{output.decode()[-2000:]}")
    return len(before.undelivered)


def _kill(service: str) -> Inject:
    async def inject(stack: Stack, servers: Servers) -> str:
        process = stack.of(service)
        await asyncio.to_thread(process.kill)
        await asyncio.sleep(2.0)
        process.start()
        return f"kill -9 {service} mid-stream, restarted after 2 s"

    return inject


def start_when_port_free(server: LocalKafka | LocalElasticsearch, seconds: float = 150.0) -> None:
    """Start a stopped server again on its port.

    A port whose closed connections are still in TIME_WAIT can be refused by the infra's port check (it was, before
    the check bound with SO_REUSEADDR like the servers do): retry while the refusal is about a taken port.
    """
    from newsmon.errors import ConfigurationError

    deadline = time.monotonic() + seconds
    while True:
        try:
            server.start()
            return
        except ConfigurationError as exc:
            if "already taken" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(2.0)


async def _restart_kafka(stack: Stack, servers: Servers) -> str:
    assert servers.own is not None
    began = time.monotonic()
    await asyncio.to_thread(servers.own.kafka.stop)
    await asyncio.to_thread(start_when_port_free, servers.own.kafka)
    return f"broker stopped and started again mid-stream (down {time.monotonic() - began:.0f} s)"


async def _stop_elasticsearch(stack: Stack, servers: Servers) -> str:
    assert servers.own is not None
    node = servers.own.elasticsearch
    await asyncio.to_thread(node.stop)
    await asyncio.sleep(30.0)
    began = time.monotonic()
    await asyncio.to_thread(start_when_port_free, node)
    return f"Elasticsearch stopped for 30 s (then {time.monotonic() - began:.0f} s to start)"


async def _receiver_failing(stack: Stack, servers: Servers) -> str:
    return "receiver answers 500 to the first 8 requests"


async def _kill_one_instance(stack: Stack, servers: Servers) -> str:
    for name in stack.services:
        await asyncio.to_thread(stack.of(name, 1).kill)
    return "instance 2 of each service killed (-9) mid-stream; instance 1 took over"


CASES: tuple[Case, ...] = (
    Case("baseline"),
    Case("kill -9 enricher", _kill("enricher")),
    Case("kill -9 alerter", _kill("alerter")),
    Case("kill -9 indexer", _kill("indexer")),
    Case("kill -9 dispatcher", _kill("dispatcher"), with_dispatcher=True),
    Case("Kafka broker restart", _restart_kafka, needs_own_servers=True),
    Case("Elasticsearch down 30 s", _stop_elasticsearch, needs_own_servers=True),
    Case(
        "webhook receiver failing",
        _receiver_failing,
        with_dispatcher=True,
        receiver_failures=8,
        replay_webhooks=True,
    ),
    Case("burst of poisoned records", poison=20),
    Case("scale-out: 2 of each, kill one", _kill_one_instance, instances=2, with_dispatcher=True),
)


def corpus(seeds_dir: Path, articles: int) -> list[RawArticle]:
    """The case corpus in publication order (the order the embedded run uses too)."""
    return sorted(variants(load_seeds(seeds_dir), articles), key=_publication_time)


def _publication_time(article: RawArticle) -> datetime:
    return article.published or article.fetched_at or datetime.min.replace(tzinfo=UTC)


async def run_suite(
    servers: Servers,
    seeds_dir: Path,
    *,
    articles: int,
    only: list[str] | None = None,
    report: Callable[[str], None] = print,
) -> list[CaseResult]:
    chosen = [c for c in CASES if not only or any(word.lower() in c.name.lower() for word in only)]
    articles_in = corpus(seeds_dir, articles)
    expected = await asyncio.to_thread(Expected.of, articles_in)
    results = []
    for case in chosen:
        if case.needs_own_servers and servers.own is None:
            note = "skipped: needs servers this suite started itself (not ones given by env or already running)"
            results.append(CaseResult(case.name, 0, 0, "", 0, 0, 0, 0, 0, note=note, skipped=True))
            report(f"fault case: {case.name}: {note}")
            continue
        report(f"fault case: {case.name}")
        result = await run_case(case, servers, articles_in, expected)
        report(
            f"  {result.documents_out}/{result.articles_in} documents, {result.alerts_out}/{result.alerts_expected} "
            f"alerts, losses {result.losses}, duplicates {result.duplicates} ({result.seconds:.0f} s)"
        )
        results.append(result)
    return results
