"""`newsmon es apply` on the real node: versioned indices behind aliases, idempotent, honest about mapping changes."""

from __future__ import annotations

import copy

import pytest
from elasticsearch import AsyncElasticsearch

from services.indexer.mappings import apply_all, apply_one, indices_behind, load_specs

pytestmark = pytest.mark.integration


async def test_apply_creates_versioned_indices_behind_aliases_and_is_idempotent(
    es: AsyncElasticsearch, prefix: str
) -> None:
    specs = load_specs()
    first = await apply_all(es, specs, prefix)
    assert {result.action for result in first} == {"created"}
    assert await indices_behind(es, f"{prefix}news-claims") == [f"{prefix}news-claims-v1"]
    second = await apply_all(es, specs, prefix)
    assert {result.action for result in second} == {"unchanged"}
    mapping = (await es.indices.get_mapping(index=f"{prefix}news-claims")).body[f"{prefix}news-claims-v1"]
    assert mapping["mappings"]["properties"]["place"]["properties"]["location"]["type"] == "geo_point"
    assert mapping["mappings"]["dynamic"] == "strict"


async def test_an_added_field_is_applied_in_place_a_changed_type_asks_for_a_reindex(
    es: AsyncElasticsearch, prefix: str
) -> None:
    spec = load_specs()["claims"]
    await apply_one(es, spec, prefix)
    added = copy.deepcopy(spec.template)
    added["template"]["mappings"]["properties"]["confidence"] = {"type": "float"}
    result = await apply_one(es, type(spec)(spec.name, spec.base, added), prefix)
    assert result.action == "mapping updated"
    changed = copy.deepcopy(added)
    changed["template"]["mappings"]["properties"]["predicate"] = {"type": "integer"}
    result = await apply_one(es, type(spec)(spec.name, spec.base, changed), prefix)
    assert result.action == "needs reindex"
    assert "reindex claims" in result.detail


async def test_the_node_has_what_the_mappings_need(es: AsyncElasticsearch) -> None:
    # The integ-test-zip node has only the standard analyzer: the mappings must not ask for more.
    response = await es.indices.analyze(analyzer="standard", text="Kurakhove captured")
    assert [token["token"] for token in response.body["tokens"]] == ["kurakhove", "captured"]
