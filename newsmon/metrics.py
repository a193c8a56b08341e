"""Named metric hooks every service calls, with a Prometheus and an in-memory implementation.

Services depend on the :class:`Metrics` protocol only and receive an implementation from their entry point::

    metrics = PrometheusMetrics(service="enricher")   # production: one registry per process
    metrics = InMemoryMetrics()                        # tests: assert on what was recorded
    metrics = NullMetrics()                            # when nobody is watching

Hooks (all return ``None`` and never raise):

=======================================================  ===============================================
hook                                                     when to call it
=======================================================  ===============================================
``on_message_in(topic)``                                 a record was taken from ``topic``
``on_message_out(topic)``                                a record was produced to ``topic``
``on_processed(service, seconds)``                       one unit of work finished (decode → handle)
``on_dead_letter(service, kind)``                        a record went to the dead-letter topic
``on_error(service, kind)``                              an error was handled (retried, logged, skipped)
``on_feed_poll(outcome, feed=None)``                     a feed was polled; ``outcome`` is ``new``,
                                                         ``unchanged``, ``not_modified``, ``skipped`` or a
                                                         failure kind (``error``, ``timeout``, ``http_503``…)
``on_fetch(seconds)``                                    an article page was fetched
``on_items(new, duplicate)``                             a feed poll yielded new / already-seen items
``on_bulk_flush(docs, seconds)``                         a bulk request to Elasticsearch completed
``on_webhook_sent(subscriber, outcome)``                 a webhook attempt ended (``delivered``,
                                                         ``retry``, ``failed``, ``dead_letter``…)
``on_freshness(stage, since_published, since_fetched)``  a record reached ``stage`` (``enriched``,
                                                         ``alerted``, ``indexed``, ``delivered``); the ages
                                                         in seconds, ``None`` when unknown
``on_consumer_lag(group, topic, partition, records,      the lag of one partition (set by the lag
seconds)``                                               reporter in :mod:`newsmon.lag`)
=======================================================  ===============================================

The Prometheus series these produce are listed in ``docs/operations.md``; every series carries a ``service`` label.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from prometheus_client import CollectorRegistry, Gauge, Histogram, Info
from prometheus_client import Counter as PromCounter

HEALTHY_FEED_OUTCOMES = frozenset({"new", "unchanged", "not_modified"})
"""Feed poll outcomes that count as success; ``skipped`` is neither; anything else is a failure."""
NEUTRAL_FEED_OUTCOMES = frozenset({"skipped"})

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
FETCH_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 30.0, 60.0)
FRESHNESS_BUCKETS = (
    1.0,
    5.0,
    15.0,
    30.0,
    60.0,
    120.0,
    300.0,
    600.0,
    1800.0,
    3600.0,
    3 * 3600.0,
    12 * 3600.0,
    86400.0,
    3 * 86400.0,
    7 * 86400.0,
)
BULK_SIZE_BUCKETS = (1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000)


class Metrics(Protocol):
    """What services call. Implementations must be cheap and must never raise."""

    def on_message_in(self, topic: str) -> None: ...
    def on_message_out(self, topic: str) -> None: ...
    def on_processed(self, service: str, seconds: float) -> None: ...
    def on_dead_letter(self, service: str, kind: str) -> None: ...
    def on_error(self, service: str, kind: str) -> None: ...
    def on_feed_poll(self, outcome: str, feed: str | None = None) -> None: ...
    def on_fetch(self, seconds: float) -> None: ...
    def on_items(self, new: int, duplicate: int) -> None: ...
    def on_bulk_flush(self, docs: int, seconds: float) -> None: ...
    def on_webhook_sent(self, subscriber: str, outcome: str) -> None: ...
    def on_freshness(
        self, stage: str, seconds_since_published: float | None, seconds_since_fetched: float | None
    ) -> None: ...
    def on_consumer_lag(self, group: str, topic: str, partition: int, records: int, seconds: float | None) -> None: ...


def feed_poll_failed(outcome: str) -> bool | None:
    """True for a failed poll, False for a healthy one, None for outcomes that say nothing (``skipped``)."""
    if outcome in HEALTHY_FEED_OUTCOMES:
        return False
    if outcome in NEUTRAL_FEED_OUTCOMES:
        return None
    return True


def age_seconds(moment: datetime | None, now: datetime | None = None) -> float | None:
    """Seconds from ``moment`` to ``now`` (default: the current time), for ``on_freshness``; None if unknown."""
    if moment is None:
        return None
    return ((now or datetime.now(UTC)) - moment).total_seconds()


class NullMetrics:
    """Records nothing."""

    def on_message_in(self, topic: str) -> None:
        pass

    def on_message_out(self, topic: str) -> None:
        pass

    def on_processed(self, service: str, seconds: float) -> None:
        pass

    def on_dead_letter(self, service: str, kind: str) -> None:
        pass

    def on_error(self, service: str, kind: str) -> None:
        pass

    def on_feed_poll(self, outcome: str, feed: str | None = None) -> None:
        pass

    def on_fetch(self, seconds: float) -> None:
        pass

    def on_items(self, new: int, duplicate: int) -> None:
        pass

    def on_bulk_flush(self, docs: int, seconds: float) -> None:
        pass

    def on_webhook_sent(self, subscriber: str, outcome: str) -> None:
        pass

    def on_freshness(
        self, stage: str, seconds_since_published: float | None, seconds_since_fetched: float | None
    ) -> None:
        pass

    def on_consumer_lag(self, group: str, topic: str, partition: int, records: int, seconds: float | None) -> None:
        pass


@dataclass
class InMemoryMetrics:
    """Keeps every call so tests can assert on them: ``metrics.messages_in["articles.raw"] == 3``."""

    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    messages_in: Counter[str] = field(default_factory=Counter)
    messages_out: Counter[str] = field(default_factory=Counter)
    processed: Counter[str] = field(default_factory=Counter)
    processing_seconds: list[tuple[str, float]] = field(default_factory=list)
    dead_letters: Counter[tuple[str, str]] = field(default_factory=Counter)
    errors: Counter[tuple[str, str]] = field(default_factory=Counter)
    feed_polls: Counter[str] = field(default_factory=Counter)
    feed_polls_by_feed: Counter[tuple[str, str]] = field(default_factory=Counter)
    fetch_seconds: list[float] = field(default_factory=list)
    items: Counter[str] = field(default_factory=Counter)
    bulk_flushes: list[tuple[int, float]] = field(default_factory=list)
    webhooks: Counter[tuple[str, str]] = field(default_factory=Counter)
    freshness: list[tuple[str, float | None, float | None]] = field(default_factory=list)
    consumer_lag: dict[tuple[str, str, int], tuple[int, float | None]] = field(default_factory=dict)

    def count(self, hook: str, **match: Any) -> int:
        """How many calls of ``hook`` had (at least) these argument values."""
        return sum(1 for name, args in self.calls if name == hook and all(args.get(k) == v for k, v in match.items()))

    def _record(self, hook: str, **args: Any) -> None:
        self.calls.append((hook, args))

    def on_message_in(self, topic: str) -> None:
        self._record("on_message_in", topic=topic)
        self.messages_in[topic] += 1

    def on_message_out(self, topic: str) -> None:
        self._record("on_message_out", topic=topic)
        self.messages_out[topic] += 1

    def on_processed(self, service: str, seconds: float) -> None:
        self._record("on_processed", service=service, seconds=seconds)
        self.processed[service] += 1
        self.processing_seconds.append((service, seconds))

    def on_dead_letter(self, service: str, kind: str) -> None:
        self._record("on_dead_letter", service=service, kind=kind)
        self.dead_letters[(service, kind)] += 1

    def on_error(self, service: str, kind: str) -> None:
        self._record("on_error", service=service, kind=kind)
        self.errors[(service, kind)] += 1

    def on_feed_poll(self, outcome: str, feed: str | None = None) -> None:
        self._record("on_feed_poll", outcome=outcome, feed=feed)
        self.feed_polls[outcome] += 1
        if feed is not None:
            self.feed_polls_by_feed[(feed, outcome)] += 1

    def on_fetch(self, seconds: float) -> None:
        self._record("on_fetch", seconds=seconds)
        self.fetch_seconds.append(seconds)

    def on_items(self, new: int, duplicate: int) -> None:
        self._record("on_items", new=new, duplicate=duplicate)
        self.items["new"] += new
        self.items["duplicate"] += duplicate

    def on_bulk_flush(self, docs: int, seconds: float) -> None:
        self._record("on_bulk_flush", docs=docs, seconds=seconds)
        self.bulk_flushes.append((docs, seconds))

    def on_webhook_sent(self, subscriber: str, outcome: str) -> None:
        self._record("on_webhook_sent", subscriber=subscriber, outcome=outcome)
        self.webhooks[(subscriber, outcome)] += 1

    def on_freshness(
        self, stage: str, seconds_since_published: float | None, seconds_since_fetched: float | None
    ) -> None:
        self._record(
            "on_freshness",
            stage=stage,
            seconds_since_published=seconds_since_published,
            seconds_since_fetched=seconds_since_fetched,
        )
        self.freshness.append((stage, seconds_since_published, seconds_since_fetched))

    def on_consumer_lag(self, group: str, topic: str, partition: int, records: int, seconds: float | None) -> None:
        self._record("on_consumer_lag", group=group, topic=topic, partition=partition, records=records, seconds=seconds)
        self.consumer_lag[(group, topic, partition)] = (records, seconds)


class PrometheusMetrics:
    """Prometheus series in a registry of its own (``self.registry``), never the process-global one."""

    def __init__(self, service: str, *, registry: CollectorRegistry | None = None, version: str | None = None) -> None:
        self.service = service
        self.registry = registry if registry is not None else CollectorRegistry(auto_describe=True)
        r = self.registry
        self._info = Info("newsmon_service", "The service and version behind this endpoint", registry=r)
        if version is None:
            from newsmon import __version__

            version = __version__
        self._info.info({"service": service, "version": version})
        self._feed_failures: dict[str, int] = {}
        self._started = Gauge(
            "newsmon_process_start_time_seconds", "Unix time the process started", ["service"], registry=r
        )
        self._started.labels(service).set(time.time())
        self._messages_in = PromCounter(
            "newsmon_messages_in", "Records consumed, by topic", ["service", "topic"], registry=r
        )
        self._messages_out = PromCounter(
            "newsmon_messages_out", "Records produced, by topic", ["service", "topic"], registry=r
        )
        self._processing = Histogram(
            "newsmon_processing_seconds",
            "Time to handle one unit of work (decode → handle → publish)",
            ["service"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self._dead_letters = PromCounter(
            "newsmon_dead_letters", "Records sent to the dead-letter topic, by kind", ["service", "kind"], registry=r
        )
        self._errors = PromCounter("newsmon_errors", "Errors handled, by kind", ["service", "kind"], registry=r)
        self._feed_polls = PromCounter(
            "newsmon_feed_polls", "Feed polls by outcome", ["service", "outcome"], registry=r
        )
        self._feed_failing_since = Gauge(
            "newsmon_feed_failing_since_timestamp_seconds",
            "Unix time of the first failed poll in the current run of failures; 0 while the feed is healthy",
            ["service", "feed"],
            registry=r,
        )
        self._feed_consecutive_failures = Gauge(
            "newsmon_feed_consecutive_failures", "Failed polls in a row", ["service", "feed"], registry=r
        )
        self._fetch = Histogram(
            "newsmon_fetch_seconds", "Time to fetch one article page", ["service"], buckets=FETCH_BUCKETS, registry=r
        )
        self._items = PromCounter(
            "newsmon_feed_items", "Feed items seen, new or duplicate", ["service", "status"], registry=r
        )
        self._bulk_docs = Histogram(
            "newsmon_bulk_flush_docs",
            "Documents per Elasticsearch bulk request",
            ["service"],
            buckets=BULK_SIZE_BUCKETS,
            registry=r,
        )
        self._bulk_seconds = Histogram(
            "newsmon_bulk_flush_seconds",
            "Time of one Elasticsearch bulk request",
            ["service"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self._webhooks = PromCounter(
            "newsmon_webhook_deliveries",
            "Webhook delivery attempts by subscriber and outcome",
            ["service", "subscriber", "outcome"],
            registry=r,
        )
        self._fresh_published = Histogram(
            "newsmon_freshness_since_published_seconds",
            "Age of the article (since its publication) when a record reached the stage",
            ["service", "stage"],
            buckets=FRESHNESS_BUCKETS,
            registry=r,
        )
        self._fresh_fetched = Histogram(
            "newsmon_freshness_since_fetched_seconds",
            "Time since the article was fetched when a record reached the stage",
            ["service", "stage"],
            buckets=FRESHNESS_BUCKETS,
            registry=r,
        )
        self._lag_records = Gauge(
            "newsmon_consumer_lag_records",
            "Records between the group's committed offset and the end of the partition",
            ["service", "group", "topic", "partition"],
            registry=r,
        )
        self._lag_seconds = Gauge(
            "newsmon_consumer_lag_seconds",
            "Age of the oldest unconsumed record (0 when caught up)",
            ["service", "group", "topic", "partition"],
            registry=r,
        )

    def on_message_in(self, topic: str) -> None:
        self._messages_in.labels(self.service, topic).inc()

    def on_message_out(self, topic: str) -> None:
        self._messages_out.labels(self.service, topic).inc()

    def on_processed(self, service: str, seconds: float) -> None:
        self._processing.labels(service).observe(max(seconds, 0.0))

    def on_dead_letter(self, service: str, kind: str) -> None:
        self._dead_letters.labels(service, kind).inc()

    def on_error(self, service: str, kind: str) -> None:
        self._errors.labels(service, kind).inc()

    def on_feed_poll(self, outcome: str, feed: str | None = None) -> None:
        self._feed_polls.labels(self.service, outcome).inc()
        if feed is None:
            return
        failed = feed_poll_failed(outcome)
        if failed is None:
            return
        previous = self._feed_failures.get(feed, 0)
        current = previous + 1 if failed else 0
        self._feed_failures[feed] = current
        if failed and previous == 0:
            self._feed_failing_since.labels(self.service, feed).set(time.time())
        elif not failed:
            self._feed_failing_since.labels(self.service, feed).set(0)
        self._feed_consecutive_failures.labels(self.service, feed).set(current)

    def on_fetch(self, seconds: float) -> None:
        self._fetch.labels(self.service).observe(max(seconds, 0.0))

    def on_items(self, new: int, duplicate: int) -> None:
        self._items.labels(self.service, "new").inc(max(new, 0))
        self._items.labels(self.service, "duplicate").inc(max(duplicate, 0))

    def on_bulk_flush(self, docs: int, seconds: float) -> None:
        self._bulk_docs.labels(self.service).observe(max(docs, 0))
        self._bulk_seconds.labels(self.service).observe(max(seconds, 0.0))

    def on_webhook_sent(self, subscriber: str, outcome: str) -> None:
        self._webhooks.labels(self.service, subscriber, outcome).inc()

    def on_freshness(
        self, stage: str, seconds_since_published: float | None, seconds_since_fetched: float | None
    ) -> None:
        # Clocks of publishers are not ours: a publication time slightly in the future counts as zero.
        if seconds_since_published is not None:
            self._fresh_published.labels(self.service, stage).observe(max(seconds_since_published, 0.0))
        if seconds_since_fetched is not None:
            self._fresh_fetched.labels(self.service, stage).observe(max(seconds_since_fetched, 0.0))

    def on_consumer_lag(self, group: str, topic: str, partition: int, records: int, seconds: float | None) -> None:
        labels = (self.service, group, topic, str(partition))
        self._lag_records.labels(*labels).set(records)
        self._lag_seconds.labels(*labels).set(seconds if seconds is not None else float("nan"))
