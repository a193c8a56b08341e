"""Kafka plumbing every service shares: clients, encoding, publishing and dead letters.

Services depend on the small ``Publisher`` protocol; ``KafkaPublisher`` is its adapter for aiokafka and
``newsmon.testing.RecordingPublisher`` its in-memory fake.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager, suppress
from datetime import UTC, datetime
from typing import Any, Protocol, TypeVar

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError, TopicAlreadyExistsError
from pydantic import BaseModel, TypeAdapter, ValidationError

from newsmon.contracts import DeadLetter
from newsmon.contracts.dead_letters import Service
from newsmon.contracts.ids import stable_id
from newsmon.contracts.topics import DLQ, Topic
from newsmon.errors import PoisonError, TransientError
from newsmon.settings import KafkaSettings

logger = logging.getLogger(__name__)

ModelT = TypeVar("ModelT", bound=BaseModel)
Headers = Sequence[tuple[str, bytes]]


def connection_options(settings: KafkaSettings) -> dict[str, Any]:
    """Options shared by producers, consumers and admin clients."""
    options: dict[str, Any] = {
        "bootstrap_servers": settings.bootstrap,
        "security_protocol": settings.security_protocol,
    }
    if settings.sasl_mechanism:
        options["sasl_mechanism"] = settings.sasl_mechanism
        options["sasl_plain_username"] = settings.sasl_username
        if settings.sasl_password is not None:
            options["sasl_plain_password"] = settings.sasl_password.get_secret_value()
    return options


def encode(model: BaseModel) -> bytes:
    """JSON on the wire, exactly as the contract serialises it."""
    return model.model_dump_json().encode("utf-8")


def encode_key(key: str) -> bytes:
    return key.encode("utf-8")


def decode(target: type[ModelT] | TypeAdapter[Any], data: bytes | None) -> Any:
    """Parse a record value into its contract; anything that does not match is poison, not a crash."""
    if data is None:
        raise PoisonError("record has no value", kind="empty")
    try:
        if isinstance(target, TypeAdapter):
            return target.validate_json(data)
        return target.model_validate_json(data)
    except ValidationError as exc:
        errors = exc.errors()
        where = ".".join(str(part) for part in errors[0]["loc"]) if errors else ""
        message = errors[0]["msg"] if errors else str(exc)
        raise PoisonError(
            f"does not match the contract: {where or '<root>'}: {message}", kind="invalid_message"
        ) from exc


@asynccontextmanager
async def producer(
    settings: KafkaSettings,
    *,
    client_id: str | None = None,
    transactional_id: str | None = None,
    linger_ms: int = 5,
) -> AsyncIterator[AIOKafkaProducer]:
    """An idempotent producer (acks=all): broker retries never duplicate a record."""
    client = AIOKafkaProducer(
        **connection_options(settings),
        client_id=client_id or settings.client_id,
        enable_idempotence=True,
        acks="all",
        linger_ms=linger_ms,
        transactional_id=transactional_id,
        max_request_size=4 * 1024 * 1024,
    )
    try:
        await client.start()
    except KafkaError as exc:
        await client.stop()
        raise TransientError(f"cannot reach Kafka at {settings.bootstrap}: {exc}") from exc
    try:
        yield client
    finally:
        await client.stop()


@asynccontextmanager
async def consumer(
    settings: KafkaSettings,
    *,
    group: str | None,
    topics: Iterable[str],
    auto_offset_reset: str = "earliest",
    isolation_level: str = "read_committed",
    max_poll_records: int = 500,
    **options: Any,
) -> AsyncIterator[AIOKafkaConsumer]:
    """A consumer with manual commits: callers commit after their side effect is durable.

    ``topics`` are logical names; the settings' topic prefix is applied here.
    """
    client = AIOKafkaConsumer(
        *[settings.topic(name) for name in topics],
        **connection_options(settings),
        client_id=settings.client_id,
        group_id=group,
        enable_auto_commit=False,
        auto_offset_reset=auto_offset_reset,
        isolation_level=isolation_level,
        max_poll_records=max_poll_records,
        **options,
    )
    try:
        await client.start()
    except KafkaError as exc:
        await client.stop()
        raise TransientError(f"cannot reach Kafka at {settings.bootstrap}: {exc}") from exc
    try:
        yield client
    finally:
        await client.stop()


class Publisher(Protocol):
    """Where a service hands records on. Returns once the record is durable (acknowledged)."""

    async def publish(self, topic: str, key: str, value: BaseModel, headers: Headers = ()) -> None: ...


class KafkaPublisher:
    """``Publisher`` on an aiokafka producer; topic names are logical, the prefix is applied here."""

    def __init__(self, client: AIOKafkaProducer, settings: KafkaSettings) -> None:
        self._client = client
        self._settings = settings

    async def publish(self, topic: str, key: str, value: BaseModel, headers: Headers = ()) -> None:
        physical = self._settings.topic(topic)
        try:
            await self._client.send_and_wait(physical, encode(value), key=encode_key(key), headers=list(headers))
        except KafkaError as exc:
            raise TransientError(f"cannot produce to {physical} (key {key}): {exc}") from exc

    async def publish_many(self, records: Iterable[tuple[str, str, BaseModel]], headers: Headers = ()) -> None:
        """Send a batch and wait until every record is acknowledged."""
        futures = []
        for topic, key, value in records:
            physical = self._settings.topic(topic)
            futures.append(await self._client.send(physical, encode(value), key=encode_key(key), headers=list(headers)))
        try:
            for future in futures:
                await future
        except KafkaError as exc:
            raise TransientError(f"cannot produce batch: {exc}") from exc


def _payload_text(raw: bytes | None) -> tuple[str | None, str | None]:
    if raw is None:
        return None, None
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return base64.b64encode(raw).decode("ascii"), "base64"


class DeadLetterPublisher:
    """Writes what could not be processed to the dead-letter topic, with the reason and the original record."""

    def __init__(self, publisher: Publisher, service: Service) -> None:
        self._publisher = publisher
        self._service = service

    def build(
        self,
        *,
        stage: str,
        error_kind: str,
        reason: str,
        record: ConsumerRecord[bytes, bytes] | None = None,
        feed: str | None = None,
        url: str | None = None,
        key: str | None = None,
        payload: bytes | str | None = None,
        subscriber: str | None = None,
        attempts: int = 1,
    ) -> DeadLetter:
        if record is not None:
            key = key or (record.key.decode("utf-8", "replace") if record.key else None)
            payload = payload if payload is not None else record.value
        raw = payload.encode("utf-8") if isinstance(payload, str) else payload
        text, encoding = _payload_text(raw)
        # A consumed record is identified by its position: two bad records under one key are two dead letters.
        source = f"{record.topic}:{record.partition}:{record.offset}" if record else (key or url or feed or "")
        return DeadLetter(
            id=stable_id(self._service, stage, source, error_kind, subscriber or ""),
            service=self._service,
            stage=stage,
            error_kind=error_kind,
            reason=reason,
            occurred_at=datetime.now(UTC),
            feed=feed,
            url=url,
            topic=record.topic if record else None,
            partition=record.partition if record else None,
            offset=record.offset if record else None,
            key=key,
            payload=text,
            payload_encoding=encoding,  # type: ignore[arg-type]
            subscriber=subscriber,
            attempts=attempts,
        )

    async def publish(self, **fields: Any) -> DeadLetter:
        letter = self.build(**fields)
        logger.warning("dead letter: %s/%s %s: %s", letter.service, letter.stage, letter.error_kind, letter.reason)
        await self._publisher.publish(DLQ.name, letter.key or letter.id, letter, headers=_reason_headers(letter))
        return letter


def _reason_headers(letter: DeadLetter) -> list[tuple[str, bytes]]:
    return [
        ("newsmon-service", letter.service.encode()),
        ("newsmon-stage", letter.stage.encode()),
        ("newsmon-error-kind", letter.error_kind.encode()),
    ]


def headers_dict(headers: Iterable[tuple[str, bytes]] | None) -> Mapping[str, str]:
    return {name: value.decode("utf-8", "replace") for name, value in headers or ()}


class IdleCommitter:
    """Commits the consumer's positions after an empty poll, when they moved past transaction markers only.

    Input written in transactions ends each transaction with a control record the consumer skips but never returns.
    Committing ``last record + 1`` therefore leaves the group one offset short of the end for ever (a lag of 1 that
    nothing consumes). After an empty poll every record up to the position has been handled, so the position is safe
    to commit. Call ``after_empty_poll`` only from a loop that handles and commits each batch before polling again.
    """

    def __init__(self, client: AIOKafkaConsumer) -> None:
        self._client = client
        self._committed: dict[Any, int] = {}

    def note_committed(self, offsets: Mapping[Any, int]) -> None:
        self._committed.update(offsets)

    async def after_empty_poll(self) -> None:
        moved: dict[Any, int] = {}
        for partition in self._client.assignment():
            try:
                position = await self._client.position(partition)
                if partition not in self._committed:
                    self._committed[partition] = await self._client.committed(partition) or 0
            except (KafkaError, AssertionError) as exc:  # partition revoked meanwhile
                logger.debug("no position for %s: %s", partition, exc)
                continue
            if position > self._committed[partition]:
                moved[partition] = position
        if not moved:
            return
        try:
            await self._client.commit(moved)
        except KafkaError as exc:
            logger.debug("idle commit failed (a rebalance is under way): %s", exc)
            return
        self._committed.update(moved)


async def ensure_topics(settings: KafkaSettings, topics: Iterable[Topic], *, owner: str) -> None:
    """Create the given topics of the topic table when they do not exist yet (a fresh cluster, a new prefix).

    Existing topics are left as they are: ``newsmon topics apply`` is the tool that reconciles their settings.
    """
    admin = AIOKafkaAdminClient(**connection_options(settings), client_id=f"{settings.client_id}-{owner}-admin")
    try:
        await admin.start()
        existing = set(await admin.list_topics())
        missing = [
            NewTopic(settings.topic(topic.name), topic.partitions, 1, topic_configs=topic.config)
            for topic in topics
            if settings.topic(topic.name) not in existing
        ]
        if missing:
            with suppress(TopicAlreadyExistsError):
                await admin.create_topics(missing)
            logger.info("created topics %s", ", ".join(topic.name for topic in missing))
    except KafkaError as exc:
        raise TransientError(f"cannot create the {owner}'s topics at {settings.bootstrap}: {exc}") from exc
    finally:
        await admin.close()
