"""When to poll a feed next: its interval with jitter, exponential backoff while it fails, Retry-After honoured."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime


@dataclass(frozen=True)
class SchedulePolicy:
    jitter: float = 0.1
    """Fraction of the delay added or removed at random, so feeds drift apart instead of polling in lockstep."""
    backoff_base: float = 60.0
    """Delay after the first failure; doubles with each further consecutive failure."""
    max_backoff: float = 6 * 3600.0
    """Longest delay between two polls of a failing feed."""
    max_retry_after: float = 24 * 3600.0
    """A server's Retry-After is honoured up to this many seconds."""


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP date); None when absent or garbled."""
    if not value:
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
    return float(max(0.0, (when - now).total_seconds()))


def backoff_delay(failures: int, interval: float, policy: SchedulePolicy) -> float:
    """Delay before the next poll after ``failures`` consecutive failures (0 = healthy)."""
    if failures <= 0:
        return interval
    exponent: int = min(failures - 1, 30)
    delay: float = policy.backoff_base * float(2**exponent)
    return min(max(delay, min(interval, policy.backoff_base)), policy.max_backoff)


def next_poll(
    now: datetime,
    *,
    interval: float,
    failures: int,
    retry_after: float | None = None,
    policy: SchedulePolicy | None = None,
    rng: random.Random | None = None,
) -> datetime:
    """The time of the next poll: interval (or backoff) with jitter, never earlier than Retry-After asks."""
    policy = policy or SchedulePolicy()
    rng = rng or random.Random()
    delay = backoff_delay(failures, interval, policy)
    delay *= 1.0 + rng.uniform(-policy.jitter, policy.jitter)
    if retry_after is not None:
        delay = max(delay, min(retry_after, policy.max_retry_after))
    return now + timedelta(seconds=max(delay, 0.0))
