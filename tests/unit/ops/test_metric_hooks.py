"""The metric hooks: what the in-memory fake records and the Prometheus series they produce."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

from prometheus_client import CollectorRegistry

from newsmon.metrics import InMemoryMetrics, Metrics, NullMetrics, PrometheusMetrics, age_seconds, feed_poll_failed


def exercise(metrics: Metrics) -> None:
    metrics.on_message_in("articles.raw")
    metrics.on_message_in("articles.raw")
    metrics.on_message_out("articles.enriched")
    metrics.on_processed("enricher", 0.02)
    metrics.on_dead_letter("enricher", "decode")
    metrics.on_error("enricher", "timeout")
    metrics.on_feed_poll("new", feed="https://a.example/rss")
    metrics.on_feed_poll("not_modified")
    metrics.on_fetch(0.3)
    metrics.on_items(new=3, duplicate=2)
    metrics.on_bulk_flush(docs=40, seconds=0.05)
    metrics.on_webhook_sent("ops-team", "delivered")
    metrics.on_freshness("alerted", 3600.0, 12.5)
    metrics.on_consumer_lag("newsmon-enricher", "articles.raw", 0, 7, 1.5)


def sample(metrics: PrometheusMetrics, name: str, **labels: str) -> float | None:
    return metrics.registry.get_sample_value(name, {"service": "enricher", **labels})


def test_every_implementation_accepts_every_hook() -> None:
    for metrics in (NullMetrics(), InMemoryMetrics(), PrometheusMetrics("enricher")):
        exercise(metrics)


def test_in_memory_metrics_record_calls_and_totals() -> None:
    metrics = InMemoryMetrics()
    exercise(metrics)

    assert metrics.messages_in["articles.raw"] == 2
    assert metrics.messages_out["articles.enriched"] == 1
    assert metrics.dead_letters[("enricher", "decode")] == 1
    assert metrics.errors[("enricher", "timeout")] == 1
    assert metrics.items == {"new": 3, "duplicate": 2}
    assert metrics.webhooks[("ops-team", "delivered")] == 1
    assert metrics.freshness == [("alerted", 3600.0, 12.5)]
    assert metrics.consumer_lag[("newsmon-enricher", "articles.raw", 0)] == (7, 1.5)
    assert metrics.count("on_feed_poll") == 2
    assert metrics.count("on_feed_poll", outcome="new", feed="https://a.example/rss") == 1


def test_prometheus_series_carry_the_values() -> None:
    metrics = PrometheusMetrics("enricher")
    exercise(metrics)

    assert sample(metrics, "newsmon_messages_in_total", topic="articles.raw") == 2
    assert sample(metrics, "newsmon_messages_out_total", topic="articles.enriched") == 1
    assert sample(metrics, "newsmon_processing_seconds_count") == 1
    assert sample(metrics, "newsmon_dead_letters_total", kind="decode") == 1
    assert sample(metrics, "newsmon_errors_total", kind="timeout") == 1
    assert sample(metrics, "newsmon_feed_polls_total", outcome="not_modified") == 1
    assert sample(metrics, "newsmon_fetch_seconds_sum") == 0.3
    assert sample(metrics, "newsmon_feed_items_total", status="duplicate") == 2
    assert sample(metrics, "newsmon_bulk_flush_docs_sum") == 40
    assert sample(metrics, "newsmon_webhook_deliveries_total", subscriber="ops-team", outcome="delivered") == 1
    assert sample(metrics, "newsmon_freshness_since_published_seconds_sum", stage="alerted") == 3600.0
    assert sample(metrics, "newsmon_freshness_since_fetched_seconds_bucket", stage="alerted", le="15.0") == 1
    lag = {"group": "newsmon-enricher", "topic": "articles.raw", "partition": "0"}
    assert sample(metrics, "newsmon_consumer_lag_records", **lag) == 7
    assert sample(metrics, "newsmon_consumer_lag_seconds", **lag) == 1.5
    assert metrics.registry.get_sample_value("newsmon_service_info", {"service": "enricher", "version": "0.1.0"}) == 1


def test_each_instance_has_its_own_registry() -> None:
    first, second = PrometheusMetrics("enricher"), PrometheusMetrics("enricher")
    first.on_message_in("articles.raw")
    assert sample(first, "newsmon_messages_in_total", topic="articles.raw") == 1
    assert sample(second, "newsmon_messages_in_total", topic="articles.raw") is None


def test_a_shared_registry_can_be_passed_in() -> None:
    registry = CollectorRegistry()
    metrics = PrometheusMetrics("alerter", registry=registry)
    metrics.on_message_in("claims.by-place")
    assert registry.get_sample_value("newsmon_messages_in_total", {"service": "alerter", "topic": "claims.by-place"})


def test_a_failing_feed_keeps_the_time_its_failures_began() -> None:
    metrics = PrometheusMetrics("enricher")
    feed = {"feed": "https://b.example/rss"}
    metrics.on_feed_poll("timeout", feed=feed["feed"])
    began = sample(metrics, "newsmon_feed_failing_since_timestamp_seconds", **feed)
    assert began is not None
    assert began > 0
    metrics.on_feed_poll("http_503", feed=feed["feed"])
    metrics.on_feed_poll("skipped", feed=feed["feed"])
    assert sample(metrics, "newsmon_feed_failing_since_timestamp_seconds", **feed) == began
    assert sample(metrics, "newsmon_feed_consecutive_failures", **feed) == 2

    metrics.on_feed_poll("unchanged", feed=feed["feed"])
    assert sample(metrics, "newsmon_feed_failing_since_timestamp_seconds", **feed) == 0
    assert sample(metrics, "newsmon_feed_consecutive_failures", **feed) == 0


def test_feed_outcomes_are_sorted_into_healthy_failed_and_neutral() -> None:
    assert feed_poll_failed("new") is False
    assert feed_poll_failed("not_modified") is False
    assert feed_poll_failed("skipped") is None
    assert feed_poll_failed("error") is True


def test_unknown_lag_seconds_is_not_a_number_and_negative_ages_are_clamped() -> None:
    metrics = PrometheusMetrics("enricher")
    metrics.on_consumer_lag("g", "t", 1, 0, None)
    value = sample(metrics, "newsmon_consumer_lag_seconds", group="g", topic="t", partition="1")
    assert value is not None
    assert math.isnan(value)
    metrics.on_freshness("indexed", -5.0, None)
    assert sample(metrics, "newsmon_freshness_since_published_seconds_sum", stage="indexed") == 0.0
    assert sample(metrics, "newsmon_freshness_since_fetched_seconds_count", stage="indexed") is None


def test_age_seconds() -> None:
    now = datetime(2026, 1, 1, 12, tzinfo=UTC)
    assert age_seconds(now - timedelta(minutes=2), now) == 120.0
    assert age_seconds(None, now) is None
