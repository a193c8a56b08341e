"""Retries with backoff and full jitter, Retry-After, the circuit breaker — on a fake clock and MockTransport."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest
from standardwebhooks import Webhook

from newsmon.metrics import InMemoryMetrics
from services.alerter.delivery import (
    CircuitBreaker,
    CircuitState,
    DeliveryResult,
    FakeClock,
    RetryPolicy,
    WebhookSender,
    parse_retry_after,
)
from services.alerter.webhook_samples import TEST_SECRET, alert_event, subscriber
from services.alerter.webhooks import webhook_body

Handler = Callable[[httpx.Request], httpx.Response]
URL = "https://hooks.example.org/newsmon"


class Receiver:
    """Answers each request with the next scripted response (the last one repeats) and keeps the requests."""

    def __init__(self, *script: httpx.Response | Exception) -> None:
        self.script = list(script)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        step = self.script[min(len(self.requests), len(self.script)) - 1]
        if isinstance(step, Exception):
            raise step
        return httpx.Response(step.status_code, headers=step.headers)  # a fresh one: a body can be read once


def sender_for(
    receiver: Receiver, clock: FakeClock, metrics: InMemoryMetrics | None = None, **kw: float
) -> WebhookSender:
    policy = RetryPolicy(base_delay=1.0, max_delay=8.0, max_retry_after=60.0)
    return WebhookSender(
        httpx.AsyncClient(transport=httpx.MockTransport(receiver)),
        policy,
        breaker_threshold=int(kw.get("threshold", 10)),
        breaker_cool_down=kw.get("cool_down", 30.0),
        clock=clock,
        rng=random.Random(7),
        metrics=metrics,
    )


async def send(sender: WebhookSender, attempts: int = 4, name: str = "ops") -> DeliveryResult:
    event = alert_event()
    return await sender.deliver(subscriber(name, URL, max_attempts=attempts), event.id, webhook_body(event))


class TestBackoff:
    def test_ceilings_double_up_to_the_maximum(self) -> None:
        policy = RetryPolicy(base_delay=0.5, max_delay=5.0)
        assert [policy.ceiling(n) for n in range(1, 7)] == [0.5, 1.0, 2.0, 4.0, 5.0, 5.0]

    def test_full_jitter_spreads_delays_over_zero_to_the_ceiling(self) -> None:
        policy = RetryPolicy(base_delay=1.0, max_delay=30.0)
        rng = random.Random(1)
        delays = [policy.backoff(3, rng) for _ in range(2000)]
        assert 0.0 <= min(delays) < 0.1
        assert 3.9 < max(delays) <= 4.0
        assert 1.8 < sum(delays) / len(delays) < 2.2


class TestRetryAfter:
    NOW = datetime(2025, 1, 7, 12, 0, tzinfo=UTC)

    def test_seconds(self) -> None:
        assert parse_retry_after("120", self.NOW) == 120.0

    def test_http_date(self) -> None:
        later = format_datetime(self.NOW + timedelta(seconds=45), usegmt=True)
        assert parse_retry_after(later, self.NOW) == 45.0

    def test_a_date_in_the_past_means_now(self) -> None:
        earlier = format_datetime(self.NOW - timedelta(minutes=5), usegmt=True)
        assert parse_retry_after(earlier, self.NOW) == 0.0

    @pytest.mark.parametrize("value", [None, "", "soon", "-5"])
    def test_absent_or_unreadable(self, value: str | None) -> None:
        assert parse_retry_after(value, self.NOW) is None


class TestRetries:
    async def test_server_errors_are_retried_with_jittered_backoff_until_accepted(self) -> None:
        clock, metrics = FakeClock(), InMemoryMetrics()
        receiver = Receiver(httpx.Response(500), httpx.Response(502), httpx.Response(204))
        result = await send(sender_for(receiver, clock, metrics))
        assert result.delivered
        assert result.attempts == 3
        assert result.status_code == 204
        assert len(clock.sleeps) == 2
        assert 0 <= clock.sleeps[0] <= 1.0
        assert 0 <= clock.sleeps[1] <= 2.0
        assert metrics.webhooks == {("ops", "failed"): 2, ("ops", "retried"): 2, ("ops", "delivered"): 1}

    async def test_every_attempt_carries_the_same_webhook_id_and_a_fresh_valid_signature(self) -> None:
        clock = FakeClock(datetime.now(UTC))
        receiver = Receiver(httpx.Response(503), httpx.Response(200))
        await send(sender_for(receiver, clock))
        ids = {request.headers["webhook-id"] for request in receiver.requests}
        assert ids == {alert_event().id}
        for request in receiver.requests:
            payload = Webhook(TEST_SECRET).verify(request.content, dict(request.headers))
            assert payload["type"] == "alert.opened"
        stamps = [int(request.headers["webhook-timestamp"]) for request in receiver.requests]
        assert stamps[1] >= stamps[0]

    async def test_after_the_last_attempt_the_result_says_why(self) -> None:
        clock = FakeClock()
        receiver = Receiver(httpx.Response(500))
        result = await send(sender_for(receiver, clock), attempts=3)
        assert not result.delivered
        assert (result.attempts, result.error_kind, result.status_code) == (3, "http_500", 500)
        assert len(receiver.requests) == 3
        assert len(clock.sleeps) == 2

    @pytest.mark.parametrize("status", [400, 401, 404, 410, 301])
    async def test_client_errors_and_redirects_are_not_retried(self, status: int) -> None:
        receiver = Receiver(httpx.Response(status, headers={"location": "https://elsewhere.example"}))
        result = await send(sender_for(receiver, FakeClock()))
        assert not result.delivered
        assert result.attempts == 1
        assert result.error_kind == f"http_{status}"

    @pytest.mark.parametrize(
        ("exception", "kind"),
        [
            (httpx.ReadTimeout("slow"), "timeout"),
            (httpx.ConnectError("refused"), "connect_error"),
            (httpx.RemoteProtocolError("Server disconnected without sending a response."), "connection_closed"),
        ],
    )
    async def test_timeouts_refusals_and_dropped_connections_are_retried(self, exception: Exception, kind: str) -> None:
        clock = FakeClock()
        receiver = Receiver(exception)
        result = await send(sender_for(receiver, clock), attempts=3)
        assert (result.delivered, result.attempts, result.error_kind) == (False, 3, kind)
        assert len(clock.sleeps) == 2


class TestRetryAfterHonoured:
    async def test_429_with_seconds_waits_exactly_that_long(self) -> None:
        clock = FakeClock()
        receiver = Receiver(httpx.Response(429, headers={"retry-after": "7"}), httpx.Response(200))
        result = await send(sender_for(receiver, clock))
        assert result.delivered
        assert clock.sleeps == [7.0]

    async def test_503_with_an_http_date_waits_until_then(self) -> None:
        clock = FakeClock(datetime(2025, 1, 7, 12, 0, tzinfo=UTC))
        until = format_datetime(datetime(2025, 1, 7, 12, 0, 20, tzinfo=UTC), usegmt=True)
        receiver = Receiver(httpx.Response(503, headers={"retry-after": until}), httpx.Response(200))
        result = await send(sender_for(receiver, clock))
        assert result.delivered
        assert clock.sleeps == [20.0]

    async def test_a_retry_after_longer_than_we_wait_dead_letters_at_once(self) -> None:
        clock = FakeClock()
        receiver = Receiver(httpx.Response(503, headers={"retry-after": "3600"}))
        result = await send(sender_for(receiver, clock))
        assert (result.delivered, result.attempts, result.error_kind) == (False, 1, "retry_after_too_long")
        assert clock.sleeps == []

    async def test_retry_after_on_a_500_is_ignored_in_favour_of_backoff(self) -> None:
        clock = FakeClock()
        receiver = Receiver(httpx.Response(500, headers={"retry-after": "50"}), httpx.Response(200))
        await send(sender_for(receiver, clock))
        assert clock.sleeps[0] <= 1.0


class TestCircuitBreaker:
    def test_opens_after_the_threshold_of_consecutive_failures(self) -> None:
        breaker = CircuitBreaker(threshold=3, cool_down=10, clock=FakeClock())
        for _ in range(2):
            assert breaker.allow_request()
            breaker.record_failure()
        assert breaker.state.value == "closed"
        breaker.record_failure()
        assert breaker.state.value == "open"
        assert not breaker.allow_request()

    def test_a_success_resets_the_count(self) -> None:
        breaker = CircuitBreaker(threshold=2, cool_down=10, clock=FakeClock())
        breaker.record_failure()
        breaker.record_success()
        breaker.record_failure()
        assert breaker.state.value == "closed"

    def test_after_the_cool_down_one_probe_goes_through(self) -> None:
        clock = FakeClock()
        breaker = CircuitBreaker(threshold=1, cool_down=10, clock=clock)
        breaker.record_failure()
        clock.advance(9.5)
        assert not breaker.allow_request()
        assert breaker.retry_in() == pytest.approx(0.5)
        clock.advance(0.5)
        assert breaker.allow_request()
        assert breaker.state.value == "half_open"
        assert not breaker.allow_request(), "only one probe at a time"
        breaker.record_success()
        assert breaker.state.value == "closed"
        assert breaker.allow_request()

    def test_a_failed_probe_opens_the_circuit_again_for_a_full_cool_down(self) -> None:
        clock = FakeClock()
        breaker = CircuitBreaker(threshold=5, cool_down=10, clock=clock)
        for _ in range(5):
            breaker.record_failure()
        clock.advance(10)
        assert breaker.allow_request()
        breaker.record_failure()
        assert breaker.state.value == "open"
        assert breaker.retry_in() == 10

    async def test_an_open_circuit_fails_fast_without_a_request_then_probes(self) -> None:
        clock = FakeClock()
        receiver = Receiver(httpx.Response(500), httpx.Response(500), httpx.Response(500), httpx.Response(200))
        sender = sender_for(receiver, clock, threshold=3, cool_down=30.0)
        first = await send(sender, attempts=3)
        assert first.error_kind == "http_500"
        assert sender.breaker("ops").state.value == "open"
        second = await send(sender, attempts=3)
        assert (second.error_kind, second.attempts) == ("circuit_open", 0)
        assert len(receiver.requests) == 3
        clock.advance(30.0)
        third = await send(sender, attempts=3)
        assert third.delivered
        assert len(receiver.requests) == 4
        assert sender.breaker("ops").state.value == "closed"

    async def test_breakers_are_per_subscriber(self) -> None:
        clock = FakeClock()
        receiver = Receiver(httpx.Response(500))
        sender = sender_for(receiver, clock, threshold=2)
        await send(sender, attempts=2, name="down")
        assert sender.breaker("down").state is CircuitState.OPEN
        assert sender.breaker("other").state is CircuitState.CLOSED


class TestAnswers:
    async def test_a_huge_answer_is_not_read_to_the_end(self) -> None:
        chunks_sent = 0

        async def endless_body() -> AsyncIterator[bytes]:
            nonlocal chunks_sent
            for _ in range(1000):
                chunks_sent += 1
                yield b"x" * 16384

        def handler(_request: httpx.Request) -> httpx.Response:
            return httpx.Response(200, content=endless_body())

        sender = WebhookSender(
            httpx.AsyncClient(transport=httpx.MockTransport(handler)), RetryPolicy(), clock=FakeClock()
        )
        event = alert_event()
        result = await sender.deliver(subscriber("ops", URL), event.id, webhook_body(event))
        assert result.delivered
        assert chunks_sent < 10
