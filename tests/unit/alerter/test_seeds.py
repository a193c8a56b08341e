"""Acceptance on the seed articles: exactly the findings of ../shared/seeds/README.md, through ``replay``.

Runs the real enricher (gazetteer, claims, facts, story signatures) and the real rules in process.
"""

from __future__ import annotations

from collections import defaultdict
from functools import cache
from pathlib import Path

import pytest
from typer.testing import CliRunner

from newsmon.cli import app
from newsmon.contracts import AlertEvent, RawArticle
from services.alerter.embedded import default_enricher, latest_alerts, replay, seed_raw_articles

pytestmark = pytest.mark.slow


@cache
def seed_articles() -> tuple[RawArticle, ...]:
    seeds = seed_raw_articles()
    assert len(seeds) == 5, "the seed articles live in ../shared/seeds next to the checkout"
    return seeds


def seed_id(prefix: str) -> str:
    return next(article.id for article in seed_articles() if article.url.rsplit("/", 1)[1].startswith(prefix))


@cache
def seed_events() -> tuple[AlertEvent, ...]:
    return tuple(event for _, caused in replay(seed_articles(), default_enricher()) for event in caused)


def alerts_by_kind() -> dict[str, list[AlertEvent]]:
    found: dict[str, list[AlertEvent]] = defaultdict(list)
    for event in latest_alerts(seed_events()):
        found[event.alert.kind].append(event)
    return found


def test_exactly_the_three_expected_findings() -> None:
    found = {(event.alert.kind, event.alert.place.name) for event in latest_alerts(seed_events())}
    kinds = sorted(kind for kind, _ in found)
    assert kinds == ["control_dispute", "encirclement_dispute", "numeric_discrepancy"], found


def test_kurakhove_is_one_control_dispute_opened_once_and_updated_by_the_later_articles() -> None:
    (final,) = alerts_by_kind()["control_dispute"]
    assert final.alert.place.name == "Kurakhove"
    history = [event for event in seed_events() if event.alert.id == final.alert.id]
    assert history[0].event == "opened"
    assert history[0].cause_article_id == seed_id("000")
    assert all(event.event == "updated" for event in history[1:])
    assert {seed_id("000"), seed_id("001"), seed_id("002")} <= set(final.alert.article_ids)
    for_side, against_side = final.alert.sides
    assert for_side.predicate == "captured"
    assert "RU" in for_side.sides_of_speakers
    assert "UA" in against_side.sides_of_speakers
    assert {source.article_id for source in for_side.sources} >= {seed_id("000"), seed_id("001"), seed_id("002")}
    assert {source.article_id for source in against_side.sources} >= {seed_id("001"), seed_id("002")}
    assert final.alert.status == "open"


def test_kursk_encirclement_is_disputed_by_the_ukrainian_military() -> None:
    (final,) = alerts_by_kind()["encirclement_dispute"]
    assert "Kursk" in final.alert.place.name
    assert final.alert.article_ids == (seed_id("004"),)
    assert "RU" in final.alert.sides[0].sides_of_speakers
    assert "UA" in final.alert.sides[1].sides_of_speakers


def test_the_kurakhove_pokrovsk_distance_is_a_low_severity_discrepancy() -> None:
    (final,) = alerts_by_kind()["numeric_discrepancy"]
    names = {final.alert.place.name, *(place.name for place in final.alert.related_places)}
    assert names == {"Kurakhove", "Pokrovsk"}
    assert final.alert.severity == "low"
    assert len(final.alert.sides) == 2
    low, high = final.alert.sides
    assert low.value is not None
    assert high.value is not None
    assert low.value == pytest.approx(32.2, abs=0.5)  # 20 miles (001)
    assert high.value == pytest.approx(40.2, abs=0.5)  # 25 miles / 40 km (000, 002)


def test_no_alert_from_the_non_contradictions() -> None:
    for event in seed_events():
        assert event.alert.kind != "control_dispute" or event.alert.place.name == "Kurakhove"
        assert seed_id("003") not in event.alert.article_ids  # August 2024 gains vs March 2025 recapture


def test_replaying_the_seeds_twice_gives_the_same_events() -> None:
    again = tuple(event for _, caused in replay(seed_articles(), default_enricher()) for event in caused)
    assert again == seed_events()


def test_newsmon_replay_prints_every_event_as_a_json_line(tmp_path: Path) -> None:
    articles = tmp_path / "seeds.jsonl"
    articles.write_text("".join(a.model_dump_json() + "\n" for a in reversed(seed_articles())), encoding="utf-8")
    result = CliRunner().invoke(app, ["replay", str(articles)])
    assert result.exit_code == 0, result.output
    printed = tuple(AlertEvent.model_validate_json(line) for line in result.stdout.splitlines())
    assert printed == seed_events()  # input order does not matter: publication order does
