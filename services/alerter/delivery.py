"""Getting one webhook message to one subscriber: retries with backoff and full jitter, Retry-After, circuit breakers.

Everything that waits or reads the time goes through a :class:`Clock`, so tests drive it with :class:`FakeClock`
and an ``httpx.MockTransport`` instead of sleeping.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import random
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Literal, Protocol

import httpx

from newsmon.metrics import Metrics, NullMetrics
from services.alerter.webhook_settings import Subscriber, WebhookSettings
from services.alerter.webhooks import sign_request

log = logging.getLogger(__name__)

# Outcomes reported through ``Metrics.on_webhook_sent``: ``failed`` counts failed requests, ``retried`` the retries
# scheduled after them, ``dead_lettered`` the messages given up on; the dispatcher adds the other three.
Outcome = Literal["delivered", "retried", "failed", "dead_lettered", "silenced", "skipped_duplicate"]
OUTCOMES: tuple[Outcome, ...] = ("delivered", "retried", "failed", "dead_lettered", "silenced", "skipped_duplicate")
RETRY_AFTER_STATUSES = frozenset({429, 503})
RETRYABLE_STATUSES = frozenset({408, 425, 429})
MAX_RESPONSE_BYTES = 64 * 1024  # receivers' answers are ignored; more than this is not read


class Clock(Protocol):
    def monotonic(self) -> float: ...

    def now(self) -> datetime: ...

    async def sleep(self, seconds: float) -> None: ...


class SystemClock:
    def monotonic(self) -> float:
        return time.monotonic()

    def now(self) -> datetime:
        return datetime.now(UTC)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


class FakeClock:
    """A clock that only moves when slept on or advanced; records every sleep."""

    def __init__(self, start: datetime | None = None) -> None:
        self._start = start or datetime.now(UTC)
        self._elapsed = 0.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self._elapsed

    def now(self) -> datetime:
        return datetime.fromtimestamp(self._start.timestamp() + self._elapsed, UTC)

    def advance(self, seconds: float) -> None:
        self._elapsed += seconds

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.advance(seconds)


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with full jitter: retry n waits uniform(0, min(max_delay, base_delay * 2**(n-1)))."""

    base_delay: float = 1.0
    max_delay: float = 30.0
    max_retry_after: float = 120.0

    @classmethod
    def from_settings(cls, settings: WebhookSettings) -> RetryPolicy:
        return cls(settings.retry_base_delay, settings.retry_max_delay, settings.max_retry_after)

    def ceiling(self, retry: int) -> float:
        return min(self.max_delay, self.base_delay * 2.0 ** (retry - 1))

    def backoff(self, retry: int, rng: random.Random) -> float:
        return float(rng.uniform(0.0, self.ceiling(retry)))


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP date; None when absent or unreadable."""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


@dataclass(frozen=True)
class AttemptFailure:
    error_kind: str
    reason: str
    retryable: bool
    status_code: int | None = None
    retry_after: float | None = None


def classify_response(response: httpx.Response, now: datetime) -> AttemptFailure | None:
    """None for a 2xx (accepted); otherwise why it failed and whether retrying can help."""
    status = response.status_code
    if 200 <= status < 300:
        return None
    retry_after = (
        parse_retry_after(response.headers.get("retry-after"), now) if status in RETRY_AFTER_STATUSES else None
    )
    retryable = status >= 500 or status in RETRYABLE_STATUSES
    reason = f"HTTP {status} {response.reason_phrase}".strip()
    return AttemptFailure(f"http_{status}", reason, retryable, status, retry_after)


def classify_exception(exc: BaseException) -> AttemptFailure:
    if isinstance(exc, httpx.TimeoutException | TimeoutError):
        return AttemptFailure("timeout", f"timed out: {type(exc).__name__}", retryable=True)
    if isinstance(exc, httpx.ConnectError):
        return AttemptFailure("connect_error", f"cannot connect: {exc}", retryable=True)
    if isinstance(exc, httpx.RemoteProtocolError):
        return AttemptFailure("connection_closed", f"connection closed by receiver: {exc}", retryable=True)
    return AttemptFailure("transport_error", f"{type(exc).__name__}: {exc}", retryable=True)


async def _drain(response: httpx.Response, limit: int = MAX_RESPONSE_BYTES) -> None:
    """Read (and drop) a small answer so the connection can be reused; stop reading a large one."""
    if response.is_stream_consumed:  # already in memory (responses built in-process, e.g. by MockTransport)
        return
    received = 0
    async for chunk in response.aiter_raw():
        received += len(chunk)
        if received > limit:
            return


class CircuitState(enum.Enum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class CircuitBreaker:
    """Opens after ``threshold`` consecutive failures; after ``cool_down`` seconds lets one probe through."""

    def __init__(self, threshold: int, cool_down: float, clock: Clock) -> None:
        self.threshold = threshold
        self.cool_down = cool_down
        self._clock = clock
        self._state = CircuitState.CLOSED
        self._failures = 0
        self._opened_at = 0.0
        self._probe_in_flight = False

    @property
    def state(self) -> CircuitState:
        return self._state

    @property
    def consecutive_failures(self) -> int:
        return self._failures

    def retry_in(self) -> float:
        if self._state is not CircuitState.OPEN:
            return 0.0
        return max(0.0, self._opened_at + self.cool_down - self._clock.monotonic())

    def allow_request(self) -> bool:
        if self._state is CircuitState.OPEN and self.retry_in() <= 0:
            self._state = CircuitState.HALF_OPEN
            self._probe_in_flight = False
        if self._state is CircuitState.HALF_OPEN:
            if self._probe_in_flight:
                return False
            self._probe_in_flight = True
            return True
        return self._state is CircuitState.CLOSED

    def record_success(self) -> None:
        self._state = CircuitState.CLOSED
        self._failures = 0
        self._probe_in_flight = False

    def record_failure(self) -> None:
        self._failures += 1
        self._probe_in_flight = False
        if self._state is CircuitState.HALF_OPEN or self._failures >= self.threshold:
            if self._state is not CircuitState.OPEN:
                log.warning("circuit opened after %d consecutive failures", self._failures)
            self._state = CircuitState.OPEN
            self._opened_at = self._clock.monotonic()


@dataclass(frozen=True)
class DeliveryResult:
    """How one message ended for one subscriber: accepted, or given up on (to be dead-lettered)."""

    subscriber: str
    webhook_id: str
    delivered: bool
    attempts: int
    status_code: int | None = None
    error_kind: str | None = None
    reason: str | None = None


class WebhookSender:
    """Sends signed messages with retries; keeps one circuit breaker per subscriber."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        policy: RetryPolicy,
        *,
        breaker_threshold: int = 5,
        breaker_cool_down: float = 60.0,
        clock: Clock | None = None,
        rng: random.Random | None = None,
        metrics: Metrics | None = None,
    ) -> None:
        self._client = client
        self._policy = policy
        self._breaker_threshold = breaker_threshold
        self._breaker_cool_down = breaker_cool_down
        self._clock: Clock = clock or SystemClock()
        self._rng = rng or random.Random()
        self.metrics: Metrics = metrics or NullMetrics()
        self._breakers: dict[str, CircuitBreaker] = {}

    def breaker(self, subscriber: str) -> CircuitBreaker:
        if subscriber not in self._breakers:
            self._breakers[subscriber] = CircuitBreaker(self._breaker_threshold, self._breaker_cool_down, self._clock)
        return self._breakers[subscriber]

    async def deliver(
        self, subscriber: Subscriber, webhook_id: str, body: bytes, *, alert_id: str | None = None
    ) -> DeliveryResult:
        """Try up to ``subscriber.max_attempts`` times; never raises for HTTP trouble."""
        breaker = self.breaker(subscriber.name)
        failure: AttemptFailure | None = None
        attempts = 0
        for number in range(1, subscriber.max_attempts + 1):
            if not breaker.allow_request():
                reason = f"circuit open after {breaker.consecutive_failures} consecutive failures"
                if failure:
                    reason += f"; last: {failure.reason}"
                return self._give_up(subscriber, webhook_id, attempts, "circuit_open", reason, failure)
            attempts = number
            status, failure = await self._attempt(subscriber, webhook_id, body, alert_id)
            if failure is None:
                breaker.record_success()
                self.metrics.on_webhook_sent(subscriber.name, "delivered")
                log.info("webhook %s delivered to %s after %d attempt(s)", webhook_id, subscriber.name, number)
                return DeliveryResult(subscriber.name, webhook_id, True, number, status_code=status)
            breaker.record_failure()
            self.metrics.on_webhook_sent(subscriber.name, "failed")
            if not failure.retryable or number == subscriber.max_attempts:
                break
            if failure.retry_after is not None and failure.retry_after > self._policy.max_retry_after:
                limit = self._policy.max_retry_after
                reason = (
                    f"{failure.reason}; Retry-After {failure.retry_after:.0f}s is longer than the {limit:.0f}s we wait"
                )
                return self._give_up(subscriber, webhook_id, attempts, "retry_after_too_long", reason, failure)
            delay = failure.retry_after if failure.retry_after is not None else self._policy.backoff(number, self._rng)
            self.metrics.on_webhook_sent(subscriber.name, "retried")
            log.info(
                "webhook %s to %s failed (%s); retry %d in %.2fs",
                webhook_id,
                subscriber.name,
                failure.reason,
                number,
                delay,
            )
            await self._clock.sleep(delay)
        assert failure is not None
        return self._give_up(subscriber, webhook_id, attempts, failure.error_kind, failure.reason, failure)

    def _give_up(
        self,
        subscriber: Subscriber,
        webhook_id: str,
        attempts: int,
        error_kind: str,
        reason: str,
        last: AttemptFailure | None,
    ) -> DeliveryResult:
        log.warning("webhook %s to %s given up after %d attempt(s): %s", webhook_id, subscriber.name, attempts, reason)
        status = last.status_code if last else None
        return DeliveryResult(subscriber.name, webhook_id, False, attempts, status, error_kind, reason)

    async def _attempt(
        self, subscriber: Subscriber, webhook_id: str, body: bytes, alert_id: str | None
    ) -> tuple[int | None, AttemptFailure | None]:
        request = sign_request(
            subscriber.secret.get_secret_value(), webhook_id, body, self._clock.now(), alert_id=alert_id
        )
        try:
            # httpx timeouts are per phase; the outer deadline bounds a receiver that trickles its answer.
            async with (
                asyncio.timeout(subscriber.timeout),
                self._client.stream(
                    "POST",
                    subscriber.url,
                    content=request.body,
                    headers=request.headers,
                    timeout=httpx.Timeout(subscriber.timeout),
                    follow_redirects=False,
                ) as response,
            ):
                await _drain(response)
        except (httpx.HTTPError, TimeoutError) as exc:
            return None, classify_exception(exc)
        return response.status_code, classify_response(response, self._clock.now())
