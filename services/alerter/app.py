"""The alerter as a faust-streaming app: ``claims.by-place`` → per-place state table → ``alerts``.

The agent is thin: decode, load the place's state from the table, call the pure lifecycle, send the events, store
the state. The table lives in memory and is backed by its changelog topic, so a restarted or rebalanced worker
rebuilds every place's state from Kafka before it processes the next claim. Event ids are deterministic, so a
claim processed twice (after a crash between send and commit) yields the same event id twice, never a new alert.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

import faust
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel

from newsmon.contracts import AlertEvent, Claim, NumericFact, place_record_adapter
from newsmon.contracts.claims import place_key
from newsmon.contracts.dead_letters import Service
from newsmon.contracts.topics import ALERTS, CLAIMS_BY_PLACE, DLQ, Topic
from newsmon.errors import PoisonError
from newsmon.kafka import DeadLetterPublisher, Headers, connection_options, decode
from newsmon.logging import bind_context, configure_logging, correlation_headers
from newsmon.metrics import Metrics, PrometheusMetrics, age_seconds
from services.alerter import codec
from services.alerter.lifecycle import empty_state, process
from services.alerter.rules import RuleConfig
from services.alerter.settings import AlerterSettings
from services.alerter.state import PlaceState

logger = logging.getLogger(__name__)

SERVICE: Service = "alerter"
TABLE_NAME = "place-state"
PRODUCER_BATCH_BYTES = 512 * 1024
PRODUCER_LINGER_SECONDS = 0.005


class FaustPublisher:
    """``newsmon.kafka.Publisher`` on faust's own producer: returns once the broker acknowledged the record."""

    def __init__(self, app: faust.App, settings: AlerterSettings, value_serializer: str) -> None:
        self._app = app
        self._settings = settings
        self._serializer = value_serializer
        self._topics: dict[str, Any] = {}

    def _topic(self, name: str) -> Any:
        if name not in self._topics:
            self._topics[name] = self._app.topic(
                self._settings.kafka.topic(name), key_serializer="raw", value_serializer=self._serializer
            )
        return self._topics[name]

    async def publish(self, topic: str, key: str, value: BaseModel, headers: Headers = ()) -> None:
        pending = await self._topic(topic).send(key=key.encode("utf-8"), value=value, headers=list(headers))
        await pending

    def send_soon(self, topic: str, key: str, value: BaseModel, headers: Headers = ()) -> None:
        """Put the record in the producer's buffer, in order, without waiting. Safe inside an agent: faust flushes
        the producer before it commits the consumed offsets, so a crash before the flush replays the claim."""
        self._topic(topic).send_soon(key=key.encode("utf-8"), value=value, headers=list(headers))


class AlertPublisher(Protocol):
    """What the handler needs of the publisher: ``FaustPublisher`` in the worker, a recorder in the unit tests."""

    async def publish(self, topic: str, key: str, value: BaseModel, headers: Headers = ()) -> None: ...

    def send_soon(self, topic: str, key: str, value: BaseModel, headers: Headers = ()) -> None: ...


class StateTable(Protocol):
    """What the handler needs of the faust table (a dict in the unit tests)."""

    def get(self, key: bytes) -> PlaceState | None: ...


@dataclass
class AlerterCounters:
    records: int = 0
    events: int = 0
    dead_letters: int = 0
    batches: int = 0
    by_event: dict[str, int] = field(default_factory=dict)


def _ages(record: Claim | NumericFact) -> tuple[float | None, float | None]:
    return age_seconds(record.article.published), age_seconds(record.article.fetched_at)


@dataclass
class _Touched:
    """A place changed by the batch: its latest state and the partition its claims came from."""

    state: PlaceState
    partition: int


StoreState = Callable[[bytes, PlaceState, int], None]


class ClaimHandler:
    """What the agent does with a batch of records; separate from faust's loop so its steps read top to bottom.

    Records are applied one by one in offset order (per place, the order of the partition), each place's state is
    carried from one record to the next in memory and stored once at the end of the batch, and the events go to
    the producer's buffer as they are made. Nothing is awaited per record except a dead letter (rare).
    """

    def __init__(
        self,
        table: StateTable,
        store: StoreState,
        publisher: AlertPublisher,
        config: RuleConfig,
        metrics: Metrics,
    ) -> None:
        self._table = table
        self._store = store
        self._publisher = publisher
        self._dead_letters = DeadLetterPublisher(publisher, SERVICE)
        self._config = config
        self.metrics = metrics
        self.counters = AlerterCounters()

    async def handle_batch(self, messages: Sequence[Any]) -> list[AlertEvent]:
        started = time.perf_counter()
        self.counters.batches += 1
        touched: dict[bytes, _Touched] = {}
        emitted: list[AlertEvent] = []
        for message in messages:
            self.counters.records += 1
            self.metrics.on_message_in(CLAIMS_BY_PLACE.name)
            emitted.extend(await self._handle(message, touched))
        for key, place in touched.items():
            self._store(key, place.state, place.partition)
        # one observation per record, each the batch's mean: the histogram keeps counting records
        each = (time.perf_counter() - started) / max(len(messages), 1)
        for _ in messages:
            self.metrics.on_processed(SERVICE, each)
        return emitted

    async def handle(self, message: Any) -> list[AlertEvent]:
        return await self.handle_batch([message])

    async def _handle(self, message: Any, touched: dict[bytes, _Touched]) -> list[AlertEvent]:
        try:
            record = decode(place_record_adapter, message.value)
        except PoisonError as exc:
            await self._dead_letter(message, exc.kind, str(exc), "decode")
            return []
        key: bytes = message.key or place_key(record).encode("utf-8")
        with bind_context(article_id=record.article.article_id):
            return await self._apply(key, record, message, touched)

    async def _apply(
        self, key: bytes, record: Claim | NumericFact, message: Any, touched: dict[bytes, _Touched]
    ) -> list[AlertEvent]:
        known = touched.get(key)
        state = known.state if known else self._table.get(key)
        try:
            new_state, events = process(state or empty_state(key.decode("utf-8")), record, self._config)
        except Exception as exc:  # a record the rules cannot handle must not stop every other place
            logger.exception("rules failed on %s at %s:%s", record.id, message.topic, message.offset)
            await self._dead_letter(message, "rule_error", f"{type(exc).__name__}: {exc}", "rules")
            return []
        for event in events:
            with bind_context(alert_id=event.alert.id):
                self._publisher.send_soon(ALERTS.name, event.alert.id, event, headers=correlation_headers())
                logger.info("%s v%d: %s", event.event, event.alert.version, event.alert.summary)
            self.metrics.on_message_out(ALERTS.name)
            self.metrics.on_freshness("alerted", *_ages(record))
            self.counters.events += 1
            self.counters.by_event[event.event] = self.counters.by_event.get(event.event, 0) + 1
        if new_state is not state:
            touched[key] = _Touched(new_state, message.partition)
        return events

    async def _dead_letter(self, message: Any, kind: str, reason: str, stage: str) -> None:
        self.counters.dead_letters += 1
        self.metrics.on_dead_letter(SERVICE, kind)
        await self._dead_letters.publish(stage=stage, error_kind=kind, reason=reason, record=message)


def table_store(table: Any) -> StoreState:
    """Write a place's state into the table and its changelog partition (the partition its claims came from).

    ``table[key] = value`` takes the partition from faust's current event, which is one event of the batch, not
    necessarily one of this place's partition; the table's store is the in-memory one (``store="memory://"``).
    """

    def store(key: bytes, state: PlaceState, partition: int) -> None:
        table.data[key] = state
        table.send_changelog(partition, key, state)

    return store


def free_port(host: str) -> int:
    """A port nobody listens on right now (faust refuses port 0, so "any port" is chosen here)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def build_app(settings: AlerterSettings, metrics: Metrics | None = None) -> tuple[faust.App, ClaimHandler]:
    """The faust app with its table and agent, configured from settings (topic prefix applied everywhere).

    faust's web server (``web_host``:``web_port``) also serves ``/metrics`` (Prometheus) and ``/healthz``.
    """
    section = settings.alerter
    serializer = codec.register(compress_state=section.compress_state)
    app = faust.App(
        f"{settings.kafka.topic_prefix}{section.app_id}",
        broker=[f"kafka://{host.strip()}" for host in settings.kafka.bootstrap.split(",")],
        broker_client_id=f"{settings.kafka.client_id}-alerter",
        store="memory://",
        topic_partitions=section.table_partitions,
        topic_replication_factor=section.replication_factor,
        web_host=section.web_host,
        web_bind=section.web_host,
        web_port=section.web_port or free_port(section.web_host),
        datadir=str(section.data_dir),
        consumer_auto_offset_reset="earliest",
        key_serializer="raw",
        value_serializer="raw",
        producer_acks=-1,
        # A place's state and an alert event run to tens of kB: with the default 16 kB batches each would be a
        # request of its own, and the producer (not the rules) would set the pace.
        producer_max_batch_size=PRODUCER_BATCH_BYTES,
        producer_linger=PRODUCER_LINGER_SECONDS,
        autodiscover=False,
    )
    # faust derives a table's codec from faust Record types only; PlaceState is pydantic, so the codec is named
    # for both the changelog topic (read on recovery) and the table's own writes.
    changelog = app.topic(
        f"{app.conf.id}-{TABLE_NAME}-changelog",
        key_type=bytes,
        key_serializer="raw",
        value_serializer=serializer,
        partitions=section.table_partitions,
        compacting=True,
        deleting=False,
        acks=False,
        internal=True,
        maxsize=131_072,
        allow_empty=True,
    )
    table = app.Table(
        TABLE_NAME, default=None, partitions=section.table_partitions, key_type=bytes, changelog_topic=changelog
    )
    table.value_serializer = serializer  # type: ignore[attr-defined]  # set on Table, absent from TableT
    claims_topic = app.topic(settings.kafka.topic(CLAIMS_BY_PLACE.name), key_serializer="raw", value_serializer="raw")
    prometheus = metrics if metrics is not None else PrometheusMetrics(service=SERVICE)
    handler = ClaimHandler(
        table, table_store(table), FaustPublisher(app, settings, serializer), section.rule_config(), prometheus
    )

    @app.page("/metrics")
    async def metrics_page(web: Any, request: Any) -> Any:
        registry = getattr(prometheus, "registry", None)
        body = generate_latest(registry) if registry is not None else b""
        # aiohttp refuses a charset inside content_type=, so the exposition type goes in as a header
        return web.bytes(body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    @app.page("/healthz")
    async def health_page(web: Any, request: Any) -> Any:
        return web.json({"service": SERVICE, "status": "ok", **asdict(handler.counters)})

    @app.agent(claims_topic, name="alerter")
    async def alerter(stream: Any) -> None:
        # the batch's offsets are acknowledged once this body returns for it, after the states were written
        async for events in stream.take_events(section.batch_size, within=section.batch_within_seconds):
            await handler.handle_batch([event.message for event in events])

    return app, handler


async def ensure_topics(settings: AlerterSettings, topics: Iterable[Topic] = (CLAIMS_BY_PLACE, ALERTS, DLQ)) -> None:
    """Create the topics the alerter reads and writes when they are missing (as the topic table describes them)."""
    admin = AIOKafkaAdminClient(**connection_options(settings.kafka), client_id=f"{settings.kafka.client_id}-admin")
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [
            NewTopic(
                settings.kafka.topic(topic.name),
                topic.partitions,
                settings.alerter.replication_factor,
                topic_configs=topic.config,
            )
            for topic in topics
            if settings.kafka.topic(topic.name) not in existing
        ]
        if missing:
            try:
                await admin.create_topics(missing)
            except KafkaError as exc:  # another process may have created them meanwhile
                logger.debug("create_topics: %s", exc)
    finally:
        await admin.close()


def run_worker(settings: AlerterSettings) -> None:
    """Run the worker until SIGTERM/SIGINT (faust's Worker owns the event loop; newsmon owns the log format)."""
    configure_logging(SERVICE, settings.logging)
    logger.info(
        "alerter starting: %s",
        settings.model_dump_json(include={"kafka": {"bootstrap", "topic_prefix"}, "alerter": True}),
    )
    asyncio.run(ensure_topics(settings))
    app, _ = build_app(settings)
    worker = faust.Worker(app, loglevel=settings.logging.level.lower(), quiet=True, override_logging=False)
    worker.execute_from_commandline()
