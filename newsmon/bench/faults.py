"""The fault suite: each case feeds articles through the services as processes, breaks something mid-stream,
and counts what came out against what the same articles give through the embedded pipeline.

Counted per case: articles in; article documents out (Elasticsearch, by id); alerts out (distinct alert ids on the
alerts topic, against the embedded run of the same articles); losses (expected but missing: documents, alerts,
webhook deliveries, dead letters of the poisoned records); duplicates in effect (an alert event id that a webhook
receiver accepted twice, a poisoned record dead-lettered twice under different ids, alerts the embedded run does not
raise). Duplicate *records* absorbed by deterministic ids (a re-sent alert event after a kill -9, a document written
twice under its id) are shown separately: at-least-once delivery, exactly once in effect.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from elasticsearch import AsyncElasticsearch
from pydantic import BaseModel, ConfigDict, TypeAdapter

from newsmon.bench.corpus import load_seeds, variants
from newsmon.bench.measure import read_records, read_topic, remove_run
from newsmon.bench.processes import Stack, StackEnv
from newsmon.bench.receiver import Receiver
from newsmon.contracts import AlertEvent, DeadLetter, RawArticle
from newsmon.errors import PoisonError
from newsmon.kafka import decode, encode, encode_key, producer
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


@dataclass
class CaseResult:
    name: str
    articles_in: int
    documents_out: int
    place_records: str  # claims and facts on claims.by-place / expected
    alerts_expected: int
    alerts_out: int
    losses: int
    duplicates: int
    duplicate_records: int
    dead_letters: int = 0
    webhook_accepted: int = 0
    seconds: float = 0.0
    note: str = ""
    skipped: bool = False

    @property
    def ok(self) -> bool:
        return self.skipped or (self.losses == 0 and self.duplicates == 0)


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


@dataclass(frozen=True)
class Expected:
    """What the embedded pipeline makes of the same articles (extraction and rules in publication order)."""

    article_ids: frozenset[str]
    place_record_ids: frozenset[str]  # claims and facts with places: what the enricher sends to claims.by-place
    alert_ids: frozenset[str]

    @classmethod
    def of(cls, articles: list[RawArticle]) -> Expected:
        from services.alerter.embedded import default_enricher, place_records, replay

        records: set[str] = set()
        alerts: set[str] = set()
        for enriched, events in replay(articles, default_enricher()):
            records.update(record.id for record in place_records(enriched))
            alerts.update(event.alert.id for event in events)
        return cls(frozenset(a.id for a in articles), frozenset(records), frozenset(alerts))


def alerts_from_arrivals(records: list[tuple[bytes | None, bytes | None]]) -> set[str]:
    """The alert ids the rules raise from ``claims.by-place`` in the order the alerter received it.

    Claims of one place come from many articles, which the enricher reads from several partitions: with a backlog
    (after a kill, an outage) they reach ``claims.by-place`` in another order than publication, and the rules, which
    forget claims older than their history window, may then raise other alerts than the embedded run. This is the
    alerter's true expected output; the embedded run's is shown beside it.
    """
    from newsmon.contracts import place_record_adapter
    from services.alerter.lifecycle import empty_state, process
    from services.alerter.settings import AlerterSection

    config = AlerterSection().rule_config()
    states: dict[bytes, Any] = {}
    raised: set[str] = set()
    for key, value in records:
        try:
            record = decode(place_record_adapter, value)
        except PoisonError:
            continue
        place = key or b""
        states[place], events = process(states.get(place) or empty_state(place.decode()), record, config)
        raised.update(event.alert.id for event in events)
    return raised


@dataclass
class Snapshot:
    """What has come out of a case so far."""

    documents: int = 0
    place_records: Counter[str] = field(default_factory=Counter)
    expected_alerts: set[str] = field(default_factory=set)
    events: list[AlertEvent] = field(default_factory=list)
    dead_letters: list[DeadLetter] = field(default_factory=list)

    @property
    def alert_ids(self) -> set[str]:
        return {event.alert.id for event in self.events}

    @property
    def undelivered(self) -> set[str]:
        """Alert event ids whose webhook delivery the dispatcher dead-lettered (``subscriber:event id`` keys)."""
        return {
            (letter.key or "").split(":", 1)[-1]
            for letter in self.dead_letters
            if letter.service == "dispatcher" and letter.stage == "deliver"
        }

    @classmethod
    async def take(cls, kafka: KafkaSettings, es: AsyncElasticsearch, alias: str, ids: list[str]) -> Snapshot:
        place_records = await read_records(kafka, "claims.by-place")
        counts: Counter[str] = Counter()
        for _, value in place_records:
            with contextlib.suppress(PoisonError):
                counts[decode(_PLACE_RECORD_ID, value).id] += 1
        return cls(
            documents=await _documents_found(es, alias, ids),
            place_records=counts,
            expected_alerts=alerts_from_arrivals(place_records),
            events=[decode(AlertEvent, value) for value in await read_topic(kafka, "alerts")],
            dead_letters=[decode(DeadLetter, value) for value in await read_topic(kafka, "dlq")],
        )

    def complete(self, expected: Expected, receiver: Receiver | None) -> bool:
        delivered = receiver is None or (
            {event.id for event in self.events} <= set(receiver.accepted) | self.undelivered and receiver.idle_for(2.0)
        )
        return (
            self.documents >= len(expected.article_ids)
            and expected.place_record_ids <= set(self.place_records)
            and self.expected_alerts <= self.alert_ids
            and delivered
        )


class _RecordId(BaseModel):
    """Only the id of a claim or fact (decoding the whole record is not needed to count it)."""

    model_config = ConfigDict(extra="ignore")
    id: str


_PLACE_RECORD_ID = TypeAdapter(_RecordId)


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


async def _documents_found(es: AsyncElasticsearch, alias: str, ids: list[str]) -> int:
    if not await es.indices.exists_alias(name=alias):
        return 0
    await es.indices.refresh(index=alias)
    found = await es.search(index=alias, query={"ids": {"values": ids}}, source=False, size=len(ids))
    return len(found["hits"]["hits"])


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
    return _count(case, expected, out, receiver, note, time.monotonic() - began)


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


def _count(
    case: Case, expected: Expected, out: Snapshot, receiver: Receiver | None, note: str, seconds: float
) -> CaseResult:
    alert_ids = out.alert_ids
    event_counts = Counter(event.id for event in out.events)
    arrived = set(out.place_records)
    poisoned = [letter for letter in out.dead_letters if (letter.key or "").startswith("poison-")]
    poison_keys = {letter.key for letter in poisoned}
    losses = (
        (len(expected.article_ids) - out.documents)
        + len(expected.place_record_ids - arrived)
        + len(out.expected_alerts - alert_ids)
        + (case.poison - len(poison_keys))
    )
    duplicates = (
        len(alert_ids - out.expected_alerts)
        + len(arrived - expected.place_record_ids)
        + (len({letter.id for letter in poisoned}) - len(poison_keys))
    )
    absorbed = sum(n - 1 for n in event_counts.values()) + sum(n - 1 for n in out.place_records.values())
    if receiver is not None:
        losses += len(set(event_counts) - set(receiver.accepted))  # dead-lettered and not replayed: not delivered
        duplicates += len(set(receiver.accepted) - set(event_counts))
        absorbed += sum(n - 1 for n in receiver.accepted.values())
    if out.expected_alerts != expected.alert_ids:
        note += (
            f"{'; ' if note else ''}claims arrived out of publication order: the rules raise "
            f"{len(out.expected_alerts)} alerts from them, {len(expected.alert_ids)} in publication order"
        )
    return CaseResult(
        name=case.name,
        articles_in=len(expected.article_ids),
        documents_out=out.documents,
        place_records=f"{len(arrived & expected.place_record_ids)}/{len(expected.place_record_ids)}",
        alerts_expected=len(out.expected_alerts),
        alerts_out=len(alert_ids),
        losses=losses,
        duplicates=duplicates,
        duplicate_records=absorbed,
        dead_letters=len(out.dead_letters),
        webhook_accepted=sum(receiver.accepted.values()) if receiver is not None else 0,
        seconds=seconds,
        note=note,
    )


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

    The infra's port check refuses a port that closed connections still hold in TIME_WAIT (up to 60 s after the
    server closed them), although the JVM servers themselves bind with SO_REUSEADDR: wait that out.
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


COLUMNS = (
    "case",
    "articles in",
    "documents out",
    "claims + facts out",
    "alerts expected",
    "alerts out",
    "losses",
    "duplicates",
    "dup. records (absorbed)",
    "dead letters",
    "webhooks accepted",
    "s",
    "note",
)


def rows(results: list[CaseResult]) -> list[tuple[str, ...]]:
    return [
        (
            r.name,
            *(
                ("–",) * 10
                if r.skipped
                else (
                    str(r.articles_in),
                    str(r.documents_out),
                    r.place_records,
                    str(r.alerts_expected),
                    str(r.alerts_out),
                    str(r.losses),
                    str(r.duplicates),
                    str(r.duplicate_records),
                    str(r.dead_letters),
                    str(r.webhook_accepted),
                )
            ),
            "" if r.skipped else f"{r.seconds:.0f}",
            r.note,
        )
        for r in results
    ]


def markdown_table(results: list[CaseResult]) -> str:
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    lines += ["| " + " | ".join(row) + " |" for row in rows(results)]
    return "\n".join(lines)


def summary_line(results: list[CaseResult]) -> str:
    ran = [r for r in results if not r.skipped]
    failed = [r.name for r in ran if not r.ok]
    line = f"faults: {len(ran) - len(failed)}/{len(ran)} cases without loss or duplicate"
    skipped = len(results) - len(ran)
    if skipped:
        line += f" ({skipped} skipped)"
    return line + (f"; FAILED: {', '.join(failed)}" if failed else "")


def print_table(results: list[CaseResult], *, markdown: bool = False) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="fault suite")
    for column in COLUMNS:
        table.add_column(column)
    for row in rows(results):
        table.add_row(*row)
    Console(width=220).print(table)
    if markdown:
        print(markdown_table(results))
    print(summary_line(results))
