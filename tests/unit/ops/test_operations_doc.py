"""docs/operations.md documents exactly the series and hooks newsmon/metrics.py provides."""

from __future__ import annotations

import re
from pathlib import Path

from newsmon.metrics import Metrics, PrometheusMetrics

DOC = Path(__file__).resolve().parents[3] / "docs" / "operations.md"


def documented_series() -> dict[str, tuple[str, set[str]]]:
    """series name → (type, labels) from the metrics reference table."""
    table = DOC.read_text().split("## Metrics reference", 1)[1].split("\n## ", 1)[0]
    found = {}
    for row in re.finditer(r"^\| `(newsmon_[a-z_]+)` \| (\w+) \| ([^|]*) \|", table, re.MULTILINE):
        name, kind, labels = row.groups()
        found[name] = (kind, set(re.findall(r"`(\w+)`", labels)))
    return found


def exposed_series() -> dict[str, tuple[str, set[str]]]:
    """series name → (type, labels) from a registry in which every hook has been called once."""
    metrics = PrometheusMetrics("enricher")
    metrics.on_message_in("articles.raw")
    metrics.on_message_out("articles.enriched")
    metrics.on_processed("enricher", 0.1)
    metrics.on_dead_letter("enricher", "invalid_message")
    metrics.on_error("enricher", "timeout")
    metrics.on_feed_poll("error", feed="https://a.example/rss")
    metrics.on_fetch(0.2)
    metrics.on_items(1, 1)
    metrics.on_bulk_flush(10, 0.1)
    metrics.on_webhook_sent("ops", "delivered")
    metrics.on_freshness("alerted", 60.0, 30.0)
    metrics.on_consumer_lag("newsmon-enricher", "articles.raw", 0, 5, 2.0)
    suffix = {"counter": "_total", "info": "_info"}
    found = {}
    for family in metrics.registry.collect():
        name = family.name + suffix.get(family.type, "")
        labels = {key for sample in family.samples for key in sample.labels if key != "le"}
        found[name] = (family.type, labels)
    return found


def test_every_series_is_documented_with_its_type_and_labels() -> None:
    assert documented_series() == exposed_series()


def test_every_hook_is_documented() -> None:
    hooks = {name for name in vars(Metrics) if name.startswith("on_")}
    text = DOC.read_text()
    assert hooks
    assert {hook for hook in hooks if f"`{hook}(" not in text} == set()
