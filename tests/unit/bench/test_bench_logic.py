"""The pure parts of the benchmark and the fault suite: the load corpus, percentiles, the counting of a case."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from newsmon.bench.corpus import OUTLETS, Seed, load_seeds, variants
from newsmon.bench.e2e import BenchResult, default_seeds_dir
from newsmon.bench.measure import percentile
from newsmon.bench.outcomes import CaseResult, Expected, Snapshot, count_case, summary_line
from newsmon.bench.processes import StackEnv
from newsmon.bench.receiver import Receiver

SEED_TEXT = "Russia claims Kurakhove (Kurakhovo) is captured; Pokrovsk is 25 miles away. Dachenske too."


def seeds() -> list[Seed]:
    from datetime import UTC, datetime

    return [Seed(f"00{n}_x", datetime(2025, 1, 7, 9 + n, tzinfo=UTC), SEED_TEXT) for n in range(3)]


def test_variants_move_each_round_to_other_towns_outlets_and_dates() -> None:
    articles = list(variants(seeds(), 9))
    assert len({a.id for a in articles}) == 9
    first, later = articles[:3], articles[3:6]
    assert all("Kurakhove" in a.text and "Kurakhovo" in a.text for a in first)  # round 0: the seeds as they are
    assert all("Kurakhove" not in a.text and "Kurakhovo" not in a.text for a in later)
    assert len({a.text for a in later}) == 1  # one round shares its towns, so its articles dispute the same places
    assert later[0].published is not None
    assert first[0].published is not None
    assert later[0].published - first[0].published == timedelta(days=60)
    assert {a.source for a in articles} <= set(OUTLETS)


def test_the_real_seeds_load_with_their_dates() -> None:
    directory = default_seeds_dir()
    if not directory.is_dir():
        pytest.skip(f"no seeds in {directory}")
    loaded = load_seeds(directory)
    assert len(loaded) == 5
    assert min(seed.published for seed in loaded).year == 2024


def test_load_seeds_refuses_an_empty_directory(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        load_seeds(tmp_path)


def test_percentile_picks_the_nearest_rank() -> None:
    values = [float(n) for n in range(1, 101)]
    assert percentile(values, 0.5) == 51.0
    assert percentile(values, 0.99) == 99.0
    assert percentile([], 0.5) != percentile([], 0.5)  # NaN when nothing was measured


def test_summary_line_carries_every_headline_figure() -> None:
    result = BenchResult(
        articles=100, offered_rate=50, produce_seconds=2, completion_seconds=3, output_seconds=2.0, searchable=100,
        alerted_articles=10, alert_events=30, duplicate_alert_events=0, alert_p50=0.4, alert_p99=0.9,
        search_p50=0.7, search_p99=1.2, cpu_seconds={}, raw_kafka_per_s=990.0, raw_es_per_s=495.0,
    )  # fmt: skip
    line = result.summary_line()
    assert result.sustained_per_s == pytest.approx(49.5)
    assert "50 articles/s sustained" in line
    assert "p99 1.20s" in line
    assert "vs raw Kafka 0.050x" in line


def test_each_service_gets_the_run_prefix_on_topics_indices_and_groups(tmp_path: Path) -> None:
    env = StackEnv("k:1", "http://e:2", "b1-", tmp_path).environment("alerter-1")
    assert env["NEWSMON_KAFKA__TOPIC_PREFIX"] == env["NEWSMON_ELASTICSEARCH__INDEX_PREFIX"] == "b1-"
    assert env["NEWSMON_ENRICHER__GROUP"] == "b1-newsmon-enricher"
    assert env["NEWSMON_WEBHOOKS__GROUP"] == "b1-newsmon-webhooks"
    assert env["NEWSMON_ALERTER__DATA_DIR"].endswith("faust-alerter-1")
    assert "NEWSMON_KAFKA_BOOTSTRAP" not in env


def _expected() -> Expected:
    return Expected(frozenset({"a1", "a2"}), frozenset({"c1", "c2"}), frozenset({"x"}))


def test_a_case_counts_losses_and_duplicates_in_effect_apart_from_absorbed_redeliveries() -> None:
    from newsmon.contracts import AlertEvent

    event = AlertEvent.model_construct(id="e1", alert=type("A", (), {"id": "x"})())
    complete = Snapshot(documents=2, place_records=Counter({"c1": 2, "c2": 1}), expected_alerts={"x"}, events=[event])
    result = count_case("baseline", 0, _expected(), complete, None, "", 1.0)
    assert (result.losses, result.duplicates, result.duplicate_records) == (0, 0, 1)
    assert result.ok

    missing = Snapshot(documents=1, place_records=Counter({"c1": 1}), expected_alerts={"x", "y"}, events=[event])
    result = count_case("kill", 0, _expected(), missing, None, "", 1.0)
    assert result.losses == 1 + 1 + 1  # a document, a claim, an alert
    assert not result.ok


def test_webhooks_missing_or_accepted_for_unknown_events_count() -> None:
    from newsmon.contracts import AlertEvent

    event = AlertEvent.model_construct(id="e1", alert=type("A", (), {"id": "x"})())
    receiver = Receiver()
    receiver.accepted.update({"e1": 2, "ghost": 1})
    out = Snapshot(documents=2, place_records=Counter({"c1": 1, "c2": 1}), expected_alerts={"x"}, events=[event])
    result = count_case("hooks", 0, _expected(), out, receiver, "", 1.0)
    assert (result.losses, result.duplicates, result.duplicate_records) == (0, 1, 1)


def test_summary_counts_skipped_cases_apart() -> None:
    ran = CaseResult("a", 1, 1, "1/1", 1, 1, 0, 0, 0)
    skipped = CaseResult("b", 0, 0, "", 0, 0, 0, 0, 0, skipped=True)
    failed = CaseResult("c", 1, 0, "0/1", 1, 0, 1, 0, 0)
    assert summary_line([ran, skipped]) == "faults: 1/1 cases without loss or duplicate (1 skipped)"
    assert summary_line([ran, failed]).endswith("FAILED: c")


async def test_receiver_fails_first_requests_then_counts_webhook_ids() -> None:
    receiver = Receiver(fail_first=1)
    url = await receiver.start()
    try:
        async with httpx.AsyncClient(timeout=5) as client:
            codes = [
                (await client.post(url, content=b"{}", headers={"webhook-id": f"msg_{n}"})).status_code
                for n in range(3)
            ]
    finally:
        await receiver.stop()
    assert codes == [500, 204, 204]
    assert receiver.accepted == Counter({"msg_1": 1, "msg_2": 1})
