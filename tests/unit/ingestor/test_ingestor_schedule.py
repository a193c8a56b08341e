"""When to poll next: interval with jitter, exponential backoff, Retry-After."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from services.ingestor.schedule import SchedulePolicy, backoff_delay, next_poll, parse_retry_after

NOW = datetime(2025, 1, 7, 12, 0, tzinfo=UTC)


def test_retry_after_in_seconds_and_as_http_date() -> None:
    assert parse_retry_after("120", NOW) == 120.0
    assert parse_retry_after("Tue, 07 Jan 2025 12:05:00 GMT", NOW) == 300.0
    assert parse_retry_after("Tue, 07 Jan 2025 11:00:00 GMT", NOW) == 0.0
    assert parse_retry_after("soon", NOW) is None
    assert parse_retry_after(None, NOW) is None


def test_backoff_doubles_per_failure_up_to_the_cap() -> None:
    policy = SchedulePolicy(backoff_base=60, max_backoff=3600)
    delays = [backoff_delay(n, 900, policy) for n in range(0, 9)]
    assert delays[:6] == [900, 60, 120, 240, 480, 960]
    assert delays[-1] == 3600
    assert backoff_delay(1000, 900, policy) == 3600


def test_jitter_stays_within_its_fraction() -> None:
    rng = random.Random(7)
    policy = SchedulePolicy(jitter=0.1)
    whens = [next_poll(NOW, interval=600, failures=0, policy=policy, rng=rng) for _ in range(200)]
    delays = [(when - NOW).total_seconds() for when in whens]
    assert min(delays) >= 540
    assert max(delays) <= 660
    assert len(set(delays)) > 100


def test_retry_after_is_never_undercut() -> None:
    when = next_poll(NOW, interval=60, failures=1, retry_after=7200, policy=SchedulePolicy(jitter=0.0))
    assert when == NOW + timedelta(seconds=7200)
    capped = next_poll(NOW, interval=60, failures=1, retry_after=10**9, policy=SchedulePolicy(jitter=0.0))
    assert capped == NOW + timedelta(hours=24)
