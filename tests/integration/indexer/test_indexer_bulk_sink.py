"""The bulk sink against the real node: refused documents come back with the reason, their neighbours are indexed."""

from __future__ import annotations

import pytest
from elasticsearch import AsyncElasticsearch

from services.indexer import samples
from services.indexer.app import alias_resolver
from services.indexer.documents import Document, alert_document, claim_document
from services.indexer.mappings import apply_all, load_specs
from services.indexer.sink import ElasticsearchSink

pytestmark = pytest.mark.integration


async def test_a_field_of_the_wrong_type_is_refused_and_its_neighbours_indexed(
    es: AsyncElasticsearch, prefix: str
) -> None:
    specs = load_specs()
    await apply_all(es, specs, prefix)
    sink = ElasticsearchSink(es, alias_resolver(specs, prefix), refresh=True)
    good = [claim_document(samples.claim(number)) for number in range(1, 5)]
    bad_source = {**good[0].source, "id": "poison", "distance_km": "thirty kilometres"}
    poisoned = Document("claims", "poison", bad_source)
    outcome = await sink.write([good[0], good[1], poisoned, good[2], good[3]])
    assert outcome.indexed == 4
    assert [(r.document.id, r.status, r.error_type) for r in outcome.rejected] == [
        ("poison", 400, "document_parsing_exception")
    ]
    assert "distance_km" in outcome.rejected[0].reason
    assert (await es.count(index=f"{prefix}news-claims")).body["count"] == 4


async def test_an_older_alert_version_never_overwrites_a_newer_one(es: AsyncElasticsearch, prefix: str) -> None:
    specs = load_specs()
    await apply_all(es, specs, prefix)
    sink = ElasticsearchSink(es, alias_resolver(specs, prefix), refresh=True)
    first = await sink.write([alert_document(samples.alert_event(2))])
    late = await sink.write([alert_document(samples.alert_event(1)), alert_document(samples.alert_event(2))])
    assert (first.indexed, late.indexed, late.stale) == (1, 0, 2)
    stored = await es.get(index=f"{prefix}news-alerts", id=samples.alert_event(1).alert.id)
    assert stored["_source"]["version"] == 2
    assert stored["_version"] == 2


async def test_an_oversized_request_is_split_until_it_fits(es: AsyncElasticsearch, prefix: str) -> None:
    specs = load_specs()
    await apply_all(es, specs, prefix)
    sink = ElasticsearchSink(es, alias_resolver(specs, prefix), refresh=True, max_bytes=2048)
    documents = [claim_document(samples.claim(number)) for number in range(20)]
    outcome = await sink.write(documents)
    assert outcome.indexed == 20
    assert sink.stats.requests > 1
