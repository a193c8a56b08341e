"""The seed articles through the enricher's extraction and the alert rules (embedded), then through Kafka and the
indexer: what they produced is searchable by place, predicate, side, date and distance, and counts match."""

from __future__ import annotations

from pathlib import Path

import pytest
from elasticsearch import AsyncElasticsearch
from indexer_helpers import count, produce, wait_for
from pydantic import BaseModel

from newsmon.bench.corpus import load_seeds, variants
from newsmon.contracts import AlertEvent, EnrichedArticle
from newsmon.contracts.topics import ALERTS, ARTICLES_ENRICHED, CLAIMS_BY_PLACE
from services.indexer.mappings import load_specs
from services.indexer.search import SearchRequest, run_search
from services.indexer.settings import IndexerSettings

pytestmark = [pytest.mark.integration, pytest.mark.slow]

SEEDS = Path(__file__).resolve().parents[4] / "shared" / "seeds"


@pytest.fixture(scope="module")
def seed_output() -> tuple[list[EnrichedArticle], list[AlertEvent]]:
    embedded = pytest.importorskip("services.alerter.embedded")
    if not SEEDS.is_dir():
        pytest.skip(f"seed articles not found in {SEEDS}")
    articles, events = [], []
    for enriched, raised in embedded.replay(variants(load_seeds(SEEDS), 5), embedded.default_enricher()):
        articles.append(enriched)
        events.extend(raised)
    return articles, events


async def test_what_the_seeds_produced_is_searchable(
    seed_output: tuple[list[EnrichedArticle], list[AlertEvent]],
    settings: IndexerSettings,
    es: AsyncElasticsearch,
    run_indexer,
    prefix: str,
) -> None:
    articles, events = seed_output
    records: list[tuple[str, str, BaseModel]] = []
    for article in articles:
        records.append((ARTICLES_ENRICHED.name, article.id, article))
        records.extend((CLAIMS_BY_PLACE.name, claim.place.id, claim) for claim in article.claims)
        records.extend((CLAIMS_BY_PLACE.name, fact.places[0].id, fact) for fact in article.facts if fact.places)
    records.extend((ALERTS.name, event.alert.id, event) for event in events)
    claim_ids = {claim.id for article in articles for claim in article.claims}
    fact_ids = {fact.id for article in articles for fact in article.facts if fact.places}
    alert_ids = {event.alert.id for event in events}
    assert claim_ids
    assert alert_ids

    indexer = await run_indexer(settings)
    await produce(settings.kafka, records)

    async def settled() -> bool:
        return (
            await count(es, f"{prefix}news-claims") == len(claim_ids)
            and await count(es, f"{prefix}news-facts") == len(fact_ids)
            and await count(es, f"{prefix}news-alerts") == len(alert_ids)
            and await count(es, f"{prefix}news-articles") == len(articles)
        )

    await wait_for(settled, 60, "the seeds' records to be indexed")
    await indexer.stop()
    assert await count(es, f"{prefix}news-deadletters") == 0

    specs = load_specs()

    async def hits(**options: object) -> list[dict[str, object]]:
        request = SearchRequest(size=100, **options)  # type: ignore[arg-type]
        return (await run_search(es, specs[request.index], prefix, request)).hits

    expected_kurakhove = {c.id for a in articles for c in a.claims if c.place.name == "Kurakhove"}
    assert {hit["id"] for hit in await hits(place="Kurakhove")} == expected_kurakhove
    russian_captured = await hits(place="Kurakhove", predicates=("captured",), sides=("RU",))
    assert russian_captured
    assert all(hit["said_by_side"] == "RU" for hit in russian_captured)
    assert await hits(place="Kurakhove", predicates=("contested",), sides=("UA",))
    january = await hits(since="2025-01-01", until="2025-01-31")
    assert january
    assert all(str(hit["effective_time"]).startswith("2025-01") for hit in january)
    near_kurakhove = await hits(near=(47.9847, 37.28069), within="5km")
    assert {hit["place_name"] for hit in near_kurakhove} == {"Kurakhove"}
    open_disputes = await hits(index="alerts", status="open", place="Kurakhove")
    assert open_disputes
    latest = {event.alert.id: event.alert.version for event in events}
    for hit in open_disputes:
        assert hit["version"] == latest[str(hit["id"])]
