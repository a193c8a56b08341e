"""``newsmon search``: the questions analysts ask, as Elasticsearch queries. ``build_query`` is pure and tested.

Each option maps to one filter on the flat fields of the index (see docs/indexer.md for the KQL equivalents).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from elasticsearch import AsyncElasticsearch

from services.indexer.documents import IndexName
from services.indexer.mappings import IndexSpec

# Per index: which field answers "where", "who said it", "which side", and what the time axis is.
PLACE_FIELDS: dict[IndexName, tuple[str, ...]] = {
    "claims": ("place_name", "admin1"),
    "articles": ("place_names",),
    "facts": ("place_names",),
    "alerts": ("place_name", "admin1", "related_place_names"),
    "deadletters": (),
}
GEO_FIELDS: dict[IndexName, str] = {
    "claims": "place.location",
    "articles": "places.location",
    "facts": "places.location",
    "alerts": "place.location",
}
SIDE_FIELDS: dict[IndexName, str] = {
    "claims": "said_by_side",
    "facts": "said_by_side",
    "alerts": "said_by_sides",
    "articles": "actors.side",
}
PREDICATE_FIELDS: dict[IndexName, str] = {"claims": "predicate", "alerts": "predicates", "articles": "predicates"}
RELATIVE = re.compile(r"^(\d+)([smhdwMy])$")
DISTANCE = re.compile(r"^\d+(\.\d+)?(km|m|mi)$")


@dataclass(frozen=True)
class SearchRequest:
    index: IndexName = "claims"
    text: str | None = None  # Lucene query_string syntax, e.g. 'evidence:"fighting continues"'
    place: str | None = None
    predicates: tuple[str, ...] = ()
    sides: tuple[str, ...] = ()
    said_by: str | None = None
    outlet: str | None = None
    status: str | None = None
    kind: str | None = None
    since: str | None = None
    until: str | None = None
    near: tuple[float, float] | None = None
    within: str = "25km"
    size: int = 20
    aggregate: tuple[str, ...] = field(default=())


def date_bound(value: str) -> str:
    """``7d`` → ``now-7d`` (Elasticsearch date math); an ISO date or ``now-…`` passes through."""
    match = RELATIVE.match(value)
    return f"now-{match.group(1)}{match.group(2)}" if match else value


def parse_point(value: str) -> tuple[float, float]:
    """``48.28,37.18`` → (lat, lon); raises ValueError with what was expected."""
    try:
        lat_text, lon_text = value.split(",")
        lat, lon = float(lat_text), float(lon_text)
    except ValueError as exc:
        raise ValueError(f"--near expects LAT,LON such as 48.28,37.18, got {value!r}") from exc
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ValueError(f"--near {value!r} is outside the globe")
    return lat, lon


def build_query(request: SearchRequest, time_field: str) -> dict[str, Any]:
    """The bool query for a request: every given option is one filter; the free text is the scored part."""
    filters: list[dict[str, Any]] = []
    index = request.index
    if request.place:
        fields = PLACE_FIELDS.get(index) or ("*",)
        filters.append({"multi_match": {"query": request.place, "fields": list(fields), "operator": "and"}})
    if request.predicates:
        filters.append({"terms": {PREDICATE_FIELDS.get(index, "predicate"): list(request.predicates)}})
    if request.sides:
        filters.append({"terms": {SIDE_FIELDS.get(index, "said_by_side"): [s.upper() for s in request.sides]}})
    if request.said_by:
        filters.append({"match": {"said_by": {"query": request.said_by, "operator": "and"}}})
    if request.outlet:
        filters.append({"match": {"outlet": {"query": request.outlet, "operator": "and"}}})
    if request.status:
        filters.append({"term": {"status": request.status}})
    if request.kind:
        filters.append({"term": {"kind": request.kind}})
    if request.since or request.until:
        bounds: dict[str, str] = {}
        if request.since:
            bounds["gte"] = date_bound(request.since)
        if request.until:
            bounds["lte"] = date_bound(request.until)
        filters.append({"range": {time_field: bounds}})
    if request.near is not None:
        if not DISTANCE.match(request.within):
            raise ValueError(f"--within expects a distance such as 25km, got {request.within!r}")
        lat, lon = request.near
        filters.append(
            {"geo_distance": {"distance": request.within, GEO_FIELDS.get(index, "place.location"): [lon, lat]}}
        )
    must: list[dict[str, Any]] = []
    if request.text:
        must.append({"query_string": {"query": request.text, "default_operator": "AND"}})
    return {"bool": {"filter": filters, "must": must or [{"match_all": {}}]}}


def build_aggregations(request: SearchRequest) -> dict[str, Any]:
    return {name: {"terms": {"field": name, "size": 20}} for name in request.aggregate}


@dataclass(frozen=True)
class SearchResult:
    total: int
    hits: list[dict[str, Any]]
    buckets: dict[str, list[tuple[str, int]]]


async def run_search(client: AsyncElasticsearch, spec: IndexSpec, prefix: str, request: SearchRequest) -> SearchResult:
    response = await client.search(
        index=spec.alias(prefix),
        query=build_query(request, spec.time_field),
        aggregations=build_aggregations(request) or None,
        size=request.size,
        sort=[{spec.time_field: {"order": "desc", "unmapped_type": "date"}}, "_doc"],
        track_total_hits=True,
    )
    body = response.body
    buckets = {
        name: [(str(bucket["key"]), int(bucket["doc_count"])) for bucket in result["buckets"]]
        for name, result in body.get("aggregations", {}).items()
    }
    return SearchResult(
        total=int(body["hits"]["total"]["value"]),
        hits=[hit["_source"] for hit in body["hits"]["hits"]],
        buckets=buckets,
    )
