"""The lag report's arithmetic, JSON and table, without a broker."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime

from rich.console import Console

from newsmon.lag import GroupLag, LagReport, LagReporter, PartitionLag
from newsmon.metrics import InMemoryMetrics
from newsmon.ops.cli import _duration, lag_table
from newsmon.settings import KafkaSettings

TAKEN = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def report() -> LagReport:
    enricher = GroupLag(
        group="newsmon-enricher",
        state="Empty",
        members=0,
        partitions=(
            PartitionLag("articles.raw", 0, 12, 20, 8, 4.5, datetime(2026, 11, 23, 7, 59, 55, tzinfo=UTC)),
            PartitionLag("articles.raw", 1, None, 5, 5, None),
            PartitionLag("articles.raw", 2, 7, 7, 0, 0.0),
        ),
    )
    indexer = GroupLag(group="newsmon-indexer", state="Stable", members=1, partitions=())
    return LagReport(taken_at=TAKEN, groups=(enricher, indexer))


def test_totals_per_group_and_topic() -> None:
    enricher = report().group("newsmon-enricher")
    assert enricher.total_lag == 13
    assert enricher.max_lag_seconds == 4.5
    assert enricher.topic_totals() == {"articles.raw": 13}
    assert enricher.partition("articles.raw", 1).committed is None
    assert report().group("newsmon-indexer").max_lag_seconds is None


def test_json_document_is_plain_data() -> None:
    document = json.loads(json.dumps(report().to_dict()))
    [enricher, _indexer] = document["groups"]
    assert document["taken_at"] == "2026-11-23T08:00:00+00:00"
    assert enricher["total_lag"] == 13
    assert enricher["partitions"][0] == {
        "topic": "articles.raw",
        "partition": 0,
        "committed": 12,
        "end": 20,
        "lag": 8,
        "lag_seconds": 4.5,
        "oldest_unconsumed_at": "2026-11-23T07:59:55+00:00",
    }
    assert enricher["partitions"][1]["committed"] is None


def test_table_shows_every_partition_and_the_totals() -> None:
    console = Console(file=io.StringIO(), width=160, color_system=None)
    console.print(lag_table(report()))
    text = console.file.getvalue()  # type: ignore[attr-defined]
    assert "newsmon-enricher (Empty, 0 members)" in text
    assert text.count("articles.raw") == 3
    assert "total" in text
    assert "13" in text
    assert " - " in text  # the partition never committed on


def test_empty_report_says_so() -> None:
    console = Console(file=io.StringIO(), width=160, color_system=None)
    console.print(lag_table(LagReport(taken_at=TAKEN)))
    assert "no consumer group" in console.file.getvalue()  # type: ignore[attr-defined]


def test_durations_read_naturally() -> None:
    assert _duration(None) == "?"
    assert _duration(4.25) == "4.2s"
    assert _duration(125) == "2m05s"
    assert _duration(3 * 3600 + 61) == "3h01m"


def test_reporter_publishes_every_partition_to_the_metrics() -> None:
    metrics = InMemoryMetrics()
    reporter = LagReporter(KafkaSettings(), metrics)
    reporter.publish(report())
    assert metrics.consumer_lag == {
        ("newsmon-enricher", "articles.raw", 0): (8, 4.5),
        ("newsmon-enricher", "articles.raw", 1): (5, None),
        ("newsmon-enricher", "articles.raw", 2): (0, 0.0),
    }
    assert reporter.healthy
    assert reporter.measured.is_set()


def test_default_groups_include_the_prefixed_faust_app_id() -> None:
    from newsmon.ops.cli import _default_prefixes

    assert _default_prefixes(KafkaSettings()) == ("newsmon",)
    assert _default_prefixes(KafkaSettings(topic_prefix="tenant-a.")) == ("newsmon", "tenant-a.newsmon")
