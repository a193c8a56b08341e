"""``newsmon webhooks replay``: send dead-lettered webhook deliveries again, once their receiver is back.

A dead letter of the dispatcher carries the alert event (as JSON) and the subscriber. Replay rebuilds exactly the
same body and ``webhook-id`` (signed afresh for the current time), skips pairs that the delivery log already shows
as delivered, and records each success there, so replaying twice never sends twice.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

import httpx

from newsmon.contracts.alerts import AlertEvent
from newsmon.contracts.dead_letters import DeadLetter
from newsmon.contracts.deliveries import WebhookDelivery
from newsmon.contracts.topics import DLQ, WEBHOOK_DELIVERIES
from newsmon.errors import PoisonError
from newsmon.kafka import KafkaPublisher, decode, producer
from services.alerter.delivery import Clock, RetryPolicy, SystemClock, WebhookSender
from services.alerter.webhook_settings import DispatcherSettings, Subscriber
from services.alerter.webhook_state import DeliveryLog, RecordHandler, TopicFollower, ensure_topics
from services.alerter.webhooks import event_type, webhook_body

log = logging.getLogger(__name__)

ReplayStatus = Literal["delivered", "failed", "already_delivered", "unknown_subscriber", "unreadable", "pending"]


@dataclass(frozen=True)
class ReplayFilter:
    subscriber: str | None = None
    alert_id: str | None = None
    event_id: str | None = None
    error_kind: str | None = None
    since: datetime | None = None

    def accepts(self, letter: DeadLetter) -> bool:
        if letter.service != "dispatcher" or letter.stage != "deliver" or not letter.subscriber:
            return False
        if self.subscriber and letter.subscriber != self.subscriber:
            return False
        if self.error_kind and letter.error_kind != self.error_kind:
            return False
        return not (self.since and letter.occurred_at < self.since)


@dataclass(frozen=True)
class ReplayItem:
    subscriber: str
    event_id: str | None
    alert_id: str | None
    event: str | None
    status: ReplayStatus
    attempts: int = 0
    reason: str | None = None


@dataclass(frozen=True)
class _Candidate:
    letter: DeadLetter
    event: AlertEvent | None


def select(letters: Iterable[DeadLetter], wanted: ReplayFilter) -> list[_Candidate]:
    """The latest dead letter per (subscriber, event) that the filter accepts, oldest first."""
    latest: dict[tuple[str, str], _Candidate] = {}
    for letter in letters:
        if not wanted.accepts(letter):
            continue
        try:
            event: AlertEvent | None = decode(AlertEvent, (letter.payload or "").encode("utf-8"))
        except PoisonError:
            event = None
        if event is not None:
            if wanted.alert_id and event.alert.id != wanted.alert_id:
                continue
            if wanted.event_id and event.id != wanted.event_id:
                continue
        elif wanted.alert_id or wanted.event_id:
            continue
        assert letter.subscriber is not None
        latest[(letter.subscriber, event.id if event else letter.id)] = _Candidate(letter, event)
    return sorted(latest.values(), key=lambda c: c.letter.occurred_at)


async def replay(
    letters: Iterable[DeadLetter],
    *,
    subscribers: tuple[Subscriber, ...],
    sender: WebhookSender,
    deliveries: DeliveryLog,
    wanted: ReplayFilter | None = None,
    clock: Clock | None = None,
    dry_run: bool = False,
) -> list[ReplayItem]:
    """Re-send each selected dead letter once; returns what happened to each, in dead-letter order."""
    clock = clock or SystemClock()
    by_name = {subscriber.name: subscriber for subscriber in subscribers}
    items: list[ReplayItem] = []
    for candidate in select(letters, wanted or ReplayFilter()):
        name = candidate.letter.subscriber or ""
        event = candidate.event
        if event is None:
            items.append(ReplayItem(name, None, None, None, "unreadable", reason="dead letter has no alert event"))
            continue
        status, attempts, reason = await _replay_one(
            by_name.get(name), name, event, candidate.letter, sender, deliveries, clock, dry_run
        )
        items.append(ReplayItem(name, event.id, event.alert.id, event_type(event), status, attempts, reason))
    await deliveries.flush()
    return items


async def _replay_one(
    subscriber: Subscriber | None,
    name: str,
    event: AlertEvent,
    letter: DeadLetter,
    sender: WebhookSender,
    deliveries: DeliveryLog,
    clock: Clock,
    dry_run: bool,
) -> tuple[ReplayStatus, int, str | None]:
    if subscriber is None:
        return "unknown_subscriber", 0, "not in the configuration"
    if deliveries.is_delivered(name, event.id):
        return "already_delivered", 0, None
    if dry_run:
        return "pending", 0, letter.reason
    result = await sender.deliver(subscriber, event.id, webhook_body(event), alert_id=event.alert.id)
    if not result.delivered:
        return "failed", result.attempts, result.reason
    await deliveries.record(
        WebhookDelivery(
            subscriber=name,
            event_id=event.id,
            alert_id=event.alert.id,
            event=event_type(event),
            outcome="delivered",
            attempts=result.attempts,
            status_code=result.status_code,
            settled_at=clock.now(),
            replayed=True,
        )
    )
    return "delivered", result.attempts, None


def _letter_collector(into: list[DeadLetter]) -> RecordHandler:
    def collect(key: str, value: bytes | None) -> None:
        if value is None:
            return
        try:
            into.append(decode(DeadLetter, value))
        except PoisonError:
            log.warning("skipping unreadable dead letter %s", key)

    return collect


@dataclass
class ReplaySession:
    letters: list[DeadLetter]
    deliveries: DeliveryLog
    sender: WebhookSender
    subscribers: tuple[Subscriber, ...]

    async def run(self, wanted: ReplayFilter, *, dry_run: bool = False) -> list[ReplayItem]:
        return await replay(
            self.letters,
            subscribers=self.subscribers,
            sender=self.sender,
            deliveries=self.deliveries,
            wanted=wanted,
            dry_run=dry_run,
        )


@asynccontextmanager
async def open_replay(
    settings: DispatcherSettings,
    *,
    subscribers: tuple[Subscriber, ...] | None = None,
    http_client: httpx.AsyncClient | None = None,
    max_attempts: int | None = None,
) -> AsyncIterator[ReplaySession]:
    """Read the dead letters and the delivery log to their ends, then hand over a session ready to replay."""
    webhooks = settings.webhooks
    subscribers = webhooks.load_subscribers() if subscribers is None else subscribers
    if max_attempts is not None:
        subscribers = tuple(s.model_copy(update={"max_attempts": max_attempts}) for s in subscribers)
    await ensure_topics(settings.kafka)
    async with AsyncExitStack() as stack:
        kafka_producer = await stack.enter_async_context(
            producer(settings.kafka, client_id=f"{settings.kafka.client_id}-replay")
        )
        deliveries = DeliveryLog(KafkaPublisher(kafka_producer, settings.kafka))
        letters: list[DeadLetter] = []
        for name, handler in ((WEBHOOK_DELIVERIES.name, deliveries.apply), (DLQ.name, _letter_collector(letters))):
            follower = TopicFollower(settings.kafka, name, handler)
            await follower.start()
            await follower.stop()
        if http_client is None:
            http_client = await stack.enter_async_context(
                httpx.AsyncClient(headers={"user-agent": settings.http.user_agent}, follow_redirects=False)
            )
        sender = WebhookSender(
            http_client,
            RetryPolicy.from_settings(webhooks),
            breaker_threshold=webhooks.breaker_failure_threshold,
            breaker_cool_down=webhooks.breaker_cool_down,
        )
        yield ReplaySession(letters, deliveries, sender, subscribers)
