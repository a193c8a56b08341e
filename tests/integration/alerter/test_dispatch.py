"""The webhook dispatcher on the real broker, delivering to real HTTP receivers on 127.0.0.1.

Receivers verify every request with ``standardwebhooks`` as a subscriber would. Faulty receivers answer 500, never
answer, or drop the connection; the dispatcher must retry, then dead-letter; replay must deliver once they recover;
and an acknowledged event must never be sent twice, even when the dispatcher restarts with its offsets lost.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from newsmon.contracts.alerts import AlertEvent
from newsmon.contracts.dead_letters import DeadLetter
from newsmon.contracts.deliveries import WebhookDelivery
from newsmon.contracts.topics import ALERT_SILENCES, ALERTS, DLQ, WEBHOOK_DELIVERIES
from newsmon.kafka import KafkaPublisher, decode, producer
from newsmon.metrics import InMemoryMetrics
from newsmon.settings import KafkaSettings, MetricsSettings
from services.alerter.dispatcher import DispatcherService, build
from services.alerter.webhook_replay import ReplayFilter, open_replay
from services.alerter.webhook_samples import KURAKHOVE, KURSK, LocalReceiver, alert_event, subscriber
from services.alerter.webhook_settings import DispatcherSettings, Subscriber, WebhookSettings
from services.alerter.webhook_state import TopicFollower, ensure_topics

pytestmark = [pytest.mark.integration, pytest.mark.timeout(180)]


async def eventually(check: Callable[[], bool], *, within: float = 30.0, what: str = "condition") -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not check():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


@pytest.fixture
def prefix(unique_prefix: Any) -> str:
    value = unique_prefix() if callable(unique_prefix) else unique_prefix
    return str(value)


def make_settings(kafka_bootstrap: str, prefix: str, group: str = "webhooks") -> DispatcherSettings:
    return DispatcherSettings(
        kafka=KafkaSettings(bootstrap=kafka_bootstrap, topic_prefix=prefix, client_id="newsmon-dispatch-test"),
        webhooks=WebhookSettings(
            config_file=None,
            group=f"{prefix}{group}",
            retry_base_delay=0.05,
            retry_max_delay=0.2,
            breaker_failure_threshold=50,
        ),
        metrics=MetricsSettings(enabled=False),
    )


@pytest.fixture
async def settings(kafka_bootstrap: str, prefix: str) -> DispatcherSettings:
    made = make_settings(kafka_bootstrap, prefix)
    await ensure_topics(made.kafka, (ALERTS, DLQ, WEBHOOK_DELIVERIES, ALERT_SILENCES))
    return made


async def publish(settings: DispatcherSettings, *events: AlertEvent) -> None:
    async with producer(settings.kafka) as client:
        publisher = KafkaPublisher(client, settings.kafka)
        for event in events:
            await publisher.publish(ALERTS.name, event.alert.id, event)


@asynccontextmanager
async def running(
    settings: DispatcherSettings, subscribers: tuple[Subscriber, ...], metrics: InMemoryMetrics
) -> AsyncIterator[DispatcherService]:
    async with build(settings, subscribers=subscribers, metrics=metrics) as service:
        stopping = asyncio.Event()
        task = asyncio.create_task(service.run(stopping))
        try:
            yield service
        finally:
            stopping.set()
            await task


async def read_all(settings: DispatcherSettings, topic: str, parse: Callable[[bytes], Any]) -> list[Any]:
    found: list[Any] = []
    follower = TopicFollower(settings.kafka, topic, lambda _key, value: found.append(parse(value)) if value else None)
    await follower.start()
    await follower.stop()
    return found


def outcomes(metrics: InMemoryMetrics, outcome: str) -> int:
    return sum(n for (_, out), n in metrics.webhooks.items() if out == outcome)


async def test_an_acknowledged_event_is_never_sent_again_even_when_offsets_are_lost(
    kafka_bootstrap: str, prefix: str, settings: DispatcherSettings
) -> None:
    async with LocalReceiver("ok") as receiver:
        ops = subscriber("ops", receiver.url)
        first = [alert_event(place=KURAKHOVE, event="opened"), alert_event(place=KURSK, kind="encirclement_dispute")]
        first.append(alert_event(place=KURAKHOVE, event="updated", version=2))
        await publish(settings, *first)
        metrics = InMemoryMetrics()
        async with running(settings, (ops,), metrics):
            await eventually(lambda: outcomes(metrics, "delivered") == 3, what="three deliveries")
        assert sorted(receiver.accepted_ids()) == sorted(e.id for e in first)
        assert receiver.rejected == []

        # a restart in the same group, then one in a group that has no offsets at all (as if they were lost)
        later = alert_event(place=KURAKHOVE, event="resolved", version=3)
        await publish(settings, later)
        again = InMemoryMetrics()
        async with running(settings, (ops,), again):
            await eventually(lambda: outcomes(again, "delivered") == 1, what="the new event")
        fresh_group = make_settings(kafka_bootstrap, prefix, group="webhooks-fresh")
        lost = InMemoryMetrics()
        async with running(fresh_group, (ops,), lost):
            await eventually(lambda: outcomes(lost, "skipped_duplicate") == 4, what="all four skipped")
        assert outcomes(lost, "delivered") == 0
        assert sorted(receiver.accepted_ids()) == sorted(e.id for e in [*first, later])
        assert len(receiver.requests) == 4

    recorded = await read_all(settings, WEBHOOK_DELIVERIES.name, lambda v: decode(WebhookDelivery, v))
    assert {(d.subscriber, d.event_id, d.outcome) for d in recorded} == {
        ("ops", e.id, "delivered") for e in [*first, later]
    }


async def test_a_crash_between_delivery_and_commit_does_not_resend(settings: DispatcherSettings) -> None:
    async with LocalReceiver("ok") as receiver:
        ops = subscriber("ops", receiver.url)
        events = [alert_event(place=KURAKHOVE), alert_event(place=KURSK, kind="encirclement_dispute")]
        await publish(settings, *events)
        async with build(settings, subscribers=(ops,), metrics=InMemoryMetrics()) as service:
            records: list[Any] = []
            for _ in range(100):
                batch = await service.consumer.getmany(timeout_ms=200)
                records += [record for part in batch.values() for record in part]
                if len(records) == len(events):
                    break
            await service.dispatcher.handle_records(records)
            # the process dies here: delivered and recorded, the offsets never committed
        assert sorted(receiver.accepted_ids()) == sorted(e.id for e in events)

        metrics = InMemoryMetrics()
        async with running(settings, (ops,), metrics):
            await eventually(lambda: outcomes(metrics, "skipped_duplicate") == 2, what="both skipped")
        assert len(receiver.requests) == 2


async def test_failing_receivers_are_retried_then_dead_lettered_and_replay_delivers_once_recovered(
    settings: DispatcherSettings,
) -> None:
    async with LocalReceiver("500") as failing, LocalReceiver("hang") as hanging, LocalReceiver("close") as closing:
        subs = (
            subscriber("failing", failing.url, max_attempts=3),
            subscriber("hanging", hanging.url, max_attempts=3, timeout=0.5),
            subscriber("closing", closing.url, max_attempts=3),
        )
        event = alert_event()
        await publish(settings, event)
        metrics = InMemoryMetrics()
        async with running(settings, subs, metrics):
            await eventually(lambda: outcomes(metrics, "dead_lettered") == 3, what="three dead letters")
        assert [len(r.requests) for r in (failing, hanging, closing)] == [3, 3, 3]
        assert outcomes(metrics, "retried") == 6

        letters = [
            letter
            for letter in await read_all(settings, DLQ.name, lambda v: decode(DeadLetter, v))
            if letter.stage == "deliver"
        ]
        assert {(d.subscriber, d.error_kind, d.attempts) for d in letters} == {
            ("failing", "http_500", 3),
            ("hanging", "timeout", 3),
            ("closing", "connection_closed", 3),
        }
        assert {AlertEvent.model_validate_json(d.payload or "").id for d in letters} == {event.id}

        # the receivers recover; replay sends each dead letter once
        for receiver in (failing, hanging, closing):
            receiver.mode = "ok"
        async with open_replay(settings, subscribers=subs, max_attempts=2) as session:
            items = await session.run(ReplayFilter())
        assert sorted((i.subscriber, i.status) for i in items) == [
            ("closing", "delivered"),
            ("failing", "delivered"),
            ("hanging", "delivered"),
        ]
        for receiver in (failing, hanging, closing):
            assert receiver.accepted_ids() == [event.id]
            assert receiver.requests[-1]["webhook-id"] == event.id

        async with open_replay(settings, subscribers=subs) as session:
            again = await session.run(ReplayFilter(subscriber="failing"))
        assert [i.status for i in again] == ["already_delivered"]
        assert len(failing.accepted) == 1


async def test_alerts_silence_command_mutes_a_place_for_the_dispatcher(
    kafka_bootstrap: str, prefix: str, settings: DispatcherSettings
) -> None:
    env = {**os.environ, "NEWSMON_KAFKA__BOOTSTRAP": kafka_bootstrap, "NEWSMON_KAFKA__TOPIC_PREFIX": prefix}
    silence = await run_cli(env, "alerts", "silence", KURAKHOVE.id, "--for", "2h", "--reason", "test", "--json")
    assert json.loads(silence)["place_id"] == KURAKHOVE.id
    listed = await run_cli(env, "alerts", "silences", "--json")
    assert [json.loads(line)["place_id"] for line in listed.splitlines()] == [KURAKHOVE.id]

    async with LocalReceiver("ok") as receiver:
        muted, heard = alert_event(place=KURAKHOVE), alert_event(place=KURSK, kind="encirclement_dispute")
        await publish(settings, muted, heard)
        metrics = InMemoryMetrics()
        async with running(settings, (subscriber("ops", receiver.url),), metrics):
            await eventually(lambda: outcomes(metrics, "delivered") + outcomes(metrics, "silenced") == 2, what="both")
        assert receiver.accepted_ids() == [heard.id]
        assert outcomes(metrics, "silenced") == 1

    recorded = await run_cli(env, "webhooks", "deliveries", "--json")
    assert sorted(
        (json.loads(line)["event_id"], json.loads(line)["outcome"]) for line in recorded.splitlines()
    ) == sorted([(muted.id, "silenced"), (heard.id, "delivered")])

    await run_cli(env, "alerts", "unsilence", KURAKHOVE.id)
    assert (await run_cli(env, "alerts", "silences", "--json")).strip() == ""


async def run_cli(env: dict[str, str], *args: str) -> str:
    process = await asyncio.create_subprocess_exec(
        str(Path(sys.executable).parent / "newsmon"), *args, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(process.communicate(), timeout=90)
    assert process.returncode == 0, err.decode()
    return out.decode()
