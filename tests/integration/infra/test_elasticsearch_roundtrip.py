"""The real node: documents indexed with the official async client can be searched and aggregated."""

from __future__ import annotations

import pytest
from elasticsearch import AsyncElasticsearch
from elasticsearch.helpers import async_bulk

pytestmark = pytest.mark.integration


async def test_index_search_and_aggregate(es_url: str, unique_prefix: str) -> None:
    index = f"{unique_prefix}articles"
    async with AsyncElasticsearch(es_url, request_timeout=30) as client:
        await client.indices.create(
            index=index,
            settings={"number_of_shards": 1, "number_of_replicas": 0},
            mappings={
                "properties": {
                    "title": {"type": "text"},
                    "source": {"type": "keyword"},
                    "place": {"type": "keyword"},
                    "published": {"type": "date"},
                }
            },
        )
        documents = [
            {"title": "Forces captured the village", "source": "a", "place": "p1", "published": "2026-01-01T00:00:00Z"},
            {
                "title": "Village not captured, says army",
                "source": "b",
                "place": "p1",
                "published": "2026-01-02T00:00:00Z",
            },
            {"title": "Strikes on the bridge", "source": "a", "place": "p2", "published": "2026-01-03T00:00:00Z"},
        ]
        ok, errors = await async_bulk(
            client, ({"_index": index, "_id": str(n), "_source": d} for n, d in enumerate(documents)), refresh=True
        )
        assert (ok, errors) == (3, [])

        found = await client.search(index=index, query={"match": {"title": "captured"}})
        assert {hit["_id"] for hit in found["hits"]["hits"]} == {"0", "1"}

        aggregated = await client.search(
            index=index,
            size=0,
            aggs={"by_place": {"terms": {"field": "place"}, "aggs": {"sources": {"cardinality": {"field": "source"}}}}},
        )
        buckets = {
            b["key"]: (b["doc_count"], b["sources"]["value"]) for b in aggregated["aggregations"]["by_place"]["buckets"]
        }
        assert buckets == {"p1": (2, 2), "p2": (1, 1)}

        await client.indices.delete(index=index)
