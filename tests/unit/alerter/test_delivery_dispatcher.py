"""The dispatcher's decisions, with in-memory publishers and a MockTransport receiver: what is sent, skipped,
silenced or dead-lettered, and what is recorded for each."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import httpx
from aiokafka import ConsumerRecord
from standardwebhooks import Webhook

from newsmon.contracts.alerts import AlertEvent
from newsmon.contracts.dead_letters import DeadLetter
from newsmon.contracts.deliveries import WebhookDelivery
from newsmon.kafka import DeadLetterPublisher, encode
from newsmon.metrics import InMemoryMetrics
from newsmon.testing import RecordingPublisher
from services.alerter.delivery import FakeClock, RetryPolicy, WebhookSender
from services.alerter.dispatcher import Dispatcher
from services.alerter.silence import ResolvedPlace, SilenceBook, new_silence
from services.alerter.webhook_replay import ReplayFilter, replay
from services.alerter.webhook_samples import KURAKHOVE, KURSK, SENT_AT, TEST_SECRET, alert_event, subscriber
from services.alerter.webhook_settings import Subscriber
from services.alerter.webhook_state import DeliveryLog


class Receivers:
    """One MockTransport for all subscribers: each host answers with its status; requests are kept in order."""

    def __init__(self, **status_by_host: int) -> None:
        self.status_by_host = status_by_host
        self.received: list[tuple[str, str, str]] = []  # host, webhook-id, event type

    def __call__(self, request: httpx.Request) -> httpx.Response:
        payload = Webhook(TEST_SECRET).verify(request.content, dict(request.headers))
        self.received.append((request.url.host, request.headers["webhook-id"], payload["type"]))
        return httpx.Response(self.status_by_host.get(request.url.host, 200))


def build(
    subscribers: tuple[Subscriber, ...], receivers: Receivers, deliveries: DeliveryLog | None = None
) -> tuple[Dispatcher, RecordingPublisher, InMemoryMetrics]:
    clock = FakeClock(datetime.now(UTC))
    publisher, metrics = RecordingPublisher(), InMemoryMetrics()
    sender = WebhookSender(
        httpx.AsyncClient(transport=httpx.MockTransport(receivers)),
        RetryPolicy(base_delay=0.1, max_delay=1.0),
        clock=clock,
        rng=random.Random(1),
        metrics=metrics,
    )
    dispatcher = Dispatcher(
        subscribers=subscribers,
        sender=sender,
        deliveries=deliveries or DeliveryLog(publisher),
        silences=SilenceBook(),
        dead_letters=DeadLetterPublisher(publisher, "dispatcher"),
        metrics=metrics,
        clock=clock,
    )
    return dispatcher, publisher, metrics


def record(event: AlertEvent, offset: int) -> ConsumerRecord[bytes, bytes]:
    value = encode(event)
    key = event.alert.id.encode()
    return ConsumerRecord("alerts", 0, offset, 0, 0, key, value, None, len(key), len(value), [])


def outcomes(publisher: RecordingPublisher) -> list[tuple[str, str, str]]:
    return [
        (d.subscriber, d.event_id, d.outcome)
        for d in publisher.on("webhooks.deliveries")
        if isinstance(d, WebhookDelivery)
    ]


async def test_each_event_goes_to_each_matching_subscriber_and_is_recorded() -> None:
    receivers = Receivers()
    subs = (subscriber("all", "https://all.example"), subscriber("ru", "https://ru.example", countries=["RU"]))
    dispatcher, publisher, metrics = build(subs, receivers)
    ua, ru = alert_event(place=KURAKHOVE), alert_event(place=KURSK, kind="encirclement_dispute")
    await dispatcher.handle_records([record(ua, 0), record(ru, 1)])
    opened = "alert.opened"
    assert sorted(receivers.received) == sorted(
        [("all.example", ua.id, opened), ("all.example", ru.id, opened), ("ru.example", ru.id, opened)]
    )
    assert sorted(outcomes(publisher)) == sorted(
        [("all", ua.id, "delivered"), ("all", ru.id, "delivered"), ("ru", ru.id, "delivered")]
    )
    assert metrics.webhooks[("all", "delivered")] == 2


async def test_events_of_one_alert_arrive_in_order() -> None:
    receivers = Receivers()
    dispatcher, _, _ = build((subscriber("ops", "https://ops.example"),), receivers)
    events = [alert_event(event="opened", version=1)] + [alert_event(event="updated", version=v) for v in (2, 3, 4)]
    events.append(alert_event(event="resolved", version=5))
    other = alert_event(place=KURSK)
    await dispatcher.handle_records([record(e, i) for i, e in enumerate([events[0], other, *events[1:]])])
    mine = [webhook_id for _, webhook_id, _ in receivers.received if webhook_id != other.id]
    assert mine == [e.id for e in events]


async def test_an_event_already_settled_is_skipped_not_sent_again() -> None:
    receivers = Receivers()
    event = alert_event()
    deliveries = DeliveryLog()
    deliveries.remember(
        WebhookDelivery(
            subscriber="ops", event_id=event.id, alert_id=event.alert.id, event="alert.opened",
            outcome="delivered", attempts=1, settled_at=SENT_AT,
        )
    )  # fmt: skip
    dispatcher, publisher, metrics = build((subscriber("ops", "https://ops.example"),), receivers, deliveries)
    await dispatcher.handle_records([record(event, 0)])
    assert receivers.received == []
    assert outcomes(publisher) == []
    assert metrics.webhooks[("ops", "skipped_duplicate")] == 1


async def test_a_silenced_place_is_recorded_as_silenced_and_not_sent() -> None:
    receivers = Receivers()
    dispatcher, publisher, metrics = build((subscriber("ops", "https://ops.example"),), receivers)
    silence = new_silence(
        ResolvedPlace("704508", "Kurakhove", "test"), timedelta(hours=6), datetime.now(UTC), reason="noisy"
    )
    dispatcher.silences.apply(silence.key, silence)
    kurakhove, kursk = alert_event(place=KURAKHOVE), alert_event(place=KURSK)
    await dispatcher.handle_records([record(kurakhove, 0), record(kursk, 1)])
    assert [webhook_id for _, webhook_id, _ in receivers.received] == [kursk.id]
    assert ("ops", kurakhove.id, "silenced") in outcomes(publisher)
    assert metrics.webhooks[("ops", "silenced")] == 1


async def test_a_failing_subscriber_gets_a_dead_letter_while_others_are_served() -> None:
    receivers = Receivers(**{"down.example": 500})
    subs = (
        subscriber("down", "https://down.example/hook?token=abc", max_attempts=3),
        subscriber("up", "https://up.example"),
    )
    dispatcher, publisher, metrics = build(subs, receivers)
    event = alert_event()
    await dispatcher.handle_records([record(event, 7)])
    (letter,) = [v for v in publisher.on("dlq") if isinstance(v, DeadLetter)]
    assert (letter.service, letter.stage, letter.subscriber, letter.attempts) == ("dispatcher", "deliver", "down", 3)
    assert letter.error_kind == "http_500"
    assert AlertEvent.model_validate_json(letter.payload or "") == event
    assert (letter.topic, letter.offset, letter.key) == ("alerts", 7, f"down:{event.id}")
    assert "token" not in (letter.url or "")
    assert "token" not in letter.reason
    assert sorted(outcomes(publisher)) == [("down", event.id, "dead_lettered"), ("up", event.id, "delivered")]
    assert metrics.webhooks[("down", "dead_lettered")] == 1
    assert metrics.dead_letters[("dispatcher", "http_500")] == 1


async def test_an_unreadable_alert_record_is_dead_lettered_as_poison() -> None:
    dispatcher, publisher, _ = build((subscriber("ops", "https://ops.example"),), Receivers())
    bad = ConsumerRecord("alerts", 0, 3, 0, 0, b"k", b"{not json", None, 1, 9, [])
    await dispatcher.handle_records([bad])
    (letter,) = publisher.on("dlq")
    assert isinstance(letter, DeadLetter)
    assert (letter.stage, letter.error_kind, letter.payload) == ("decode", "invalid_message", "{not json")


async def test_replay_resends_a_dead_letter_once_and_records_it() -> None:
    receivers = Receivers(**{"down.example": 503})
    down = subscriber("down", "https://down.example", max_attempts=2)
    dispatcher, publisher, _ = build((down,), receivers)
    event = alert_event()
    await dispatcher.handle_records([record(event, 0)])
    letters = [v for v in publisher.on("dlq") if isinstance(v, DeadLetter)]
    assert len(letters) == 1

    receivers.status_by_host["down.example"] = 200
    kwargs = {"subscribers": (down,), "sender": dispatcher.sender, "deliveries": dispatcher.deliveries}
    first = await replay(letters, **kwargs)  # type: ignore[arg-type]
    assert [(i.subscriber, i.event_id, i.status) for i in first] == [("down", event.id, "delivered")]
    assert dispatcher.deliveries.is_delivered("down", event.id)
    again = await replay(letters, **kwargs)  # type: ignore[arg-type]
    assert [i.status for i in again] == ["already_delivered"]
    assert [host for host, _, _ in receivers.received].count("down.example") == 3  # 2 failed + 1 replayed


async def test_replay_filters_and_dry_run() -> None:
    receivers = Receivers(**{"a.example": 500, "b.example": 500})
    subs = (subscriber("a", "https://a.example", max_attempts=1), subscriber("b", "https://b.example", max_attempts=1))
    dispatcher, publisher, _ = build(subs, receivers)
    await dispatcher.handle_records([record(alert_event(), 0)])
    letters = [v for v in publisher.on("dlq") if isinstance(v, DeadLetter)]
    sent_before = len(receivers.received)
    items = await replay(
        letters,
        subscribers=subs,
        sender=dispatcher.sender,
        deliveries=dispatcher.deliveries,
        wanted=ReplayFilter(subscriber="b"),
        dry_run=True,
    )
    assert [(i.subscriber, i.status) for i in items] == [("b", "pending")]
    assert len(receivers.received) == sent_before
    unknown = await replay(letters, subscribers=(), sender=dispatcher.sender, deliveries=dispatcher.deliveries)
    assert {i.status for i in unknown} == {"unknown_subscriber"}
