"""`newsmon reindex`: rebuild from Kafka into v+1 and move the alias only when the copy is complete."""

from __future__ import annotations

import pytest
from elasticsearch import AsyncElasticsearch
from indexer_helpers import count, produce
from pydantic import BaseModel

from newsmon.contracts.topics import CLAIMS_BY_PLACE
from services.indexer import samples
from services.indexer.app import ensure_topics
from services.indexer.mappings import apply_all, indices_behind, load_specs
from services.indexer.reindex import reindex
from services.indexer.settings import IndexerSettings

pytestmark = pytest.mark.integration


async def test_reindex_rebuilds_claims_from_kafka_and_switches_the_alias(
    settings: IndexerSettings, es: AsyncElasticsearch, prefix: str
) -> None:
    await ensure_topics(settings.kafka)
    await apply_all(es, load_specs(), prefix)
    records: list[tuple[str, str, BaseModel]] = []
    for number in range(30):
        claim = samples.claim(number)
        records.append((CLAIMS_BY_PLACE.name, claim.place.id, claim))
    fact = samples.distance_fact(1)
    records.append((CLAIMS_BY_PLACE.name, fact.places[0].id, fact))
    await produce(settings.kafka, records)
    seen: list[tuple[int, int]] = []

    report = await reindex(settings, "claims", es, progress=lambda done, total: seen.append((done, total)))

    assert report.old_indices == [f"{prefix}news-claims-v1"]
    assert report.new_index == f"{prefix}news-claims-v2"
    assert await indices_behind(es, f"{prefix}news-claims") == [f"{prefix}news-claims-v2"]
    assert (report.records, report.written, report.skipped, report.rejected) == (31, 30, 1, 0)
    assert report.documents == 30
    assert await count(es, f"{prefix}news-claims") == 30
    assert seen[-1] == (31, 31)

    again = await reindex(settings, "claims", es, delete_old=True)
    assert again.new_index == f"{prefix}news-claims-v3"
    assert again.deleted_old == [f"{prefix}news-claims-v2"]
    assert await count(es, f"{prefix}news-claims") == 30
