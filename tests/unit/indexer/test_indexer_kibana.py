from __future__ import annotations

import json

import httpx
import pytest

from newsmon.errors import ConfigurationError
from services.indexer.kibana import field_uses, import_saved_objects, load_objects, with_prefix
from services.indexer.mappings import flatten_fields, load_specs


def test_every_field_the_saved_objects_use_exists_in_the_mappings() -> None:
    specs = load_specs()
    fields = {f"newsmon-{name}": flatten_fields(spec.mapping) for name, spec in specs.items()}
    uses = field_uses(load_objects())
    assert len(uses) > 40  # the test reads columns, sorts, queries, Lens columns and map layers
    missing = [use for use in uses if use.field not in fields[use.data_view]]
    assert not missing


def test_geo_and_time_fields_have_the_right_types() -> None:
    specs = load_specs()
    types = {f"newsmon-{name}": flatten_fields(spec.mapping) for name, spec in specs.items()}
    for item in load_objects():
        if item["type"] == "index-pattern":
            assert types[item["id"]][item["attributes"]["timeFieldName"]] == "date"
        if item["type"] == "map":
            for layer in json.loads(item["attributes"]["layerListJSON"]):
                geo = layer["sourceDescriptor"].get("geoField")
                if geo:
                    assert types["newsmon-claims"][geo] == "geo_point"


def test_saved_objects_cover_what_analysts_need() -> None:
    objects = {(item["type"], item["attributes"]["title"]) for item in load_objects()}
    for title in ("news-articles", "news-claims", "news-alerts", "news-deadletters"):
        assert ("index-pattern", title) in objects
    for title in ("Claims by place", "Open disputes", "Dead letters"):
        assert ("search", title) in objects
    dashboard = next(item for item in load_objects() if item["type"] == "dashboard")
    panel_types = {panel["type"] for panel in json.loads(dashboard["attributes"]["panelsJSON"])}
    assert panel_types == {"map", "lens", "search"}
    ids = {item["id"] for item in load_objects()}
    for item in load_objects():
        for reference in item["references"]:
            assert reference["id"] in ids, f"{item['id']} refers to a missing object {reference['id']}"


def test_prefix_rewrites_data_view_titles_only() -> None:
    objects = with_prefix(load_objects(), "t1-")
    titles = {item["attributes"]["title"] for item in objects if item["type"] == "index-pattern"}
    assert "t1-news-claims" in titles
    assert {item["id"] for item in objects} == {item["id"] for item in load_objects()}


async def test_import_posts_multipart_with_the_xsrf_header() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"success": True, "successCount": 11, "successResults": []})

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
        result = await import_saved_objects(client, "http://kibana:5601/", load_objects())
    assert result.success
    assert result.count == 11
    request = seen[0]
    assert request.method == "POST"
    assert request.url.path == "/api/saved_objects/_import"
    assert request.url.params["overwrite"] == "true"
    assert request.headers["kbn-xsrf"]
    assert request.headers["content-type"].startswith("multipart/form-data; boundary=")
    body = request.content.decode()
    assert 'name="file"; filename="newsmon.ndjson"' in body
    assert '"type": "dashboard"' in body


async def test_import_into_a_space_and_errors_reported() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/s/analysts/api/saved_objects/_import"
        return httpx.Response(
            200, json={"success": False, "successCount": 10, "errors": [{"id": "x", "error": {"type": "conflict"}}]}
        )

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
        result = await import_saved_objects(client, "http://kibana:5601", load_objects(), space="analysts")
    assert not result.success
    assert result.errors[0]["id"] == "x"


async def test_a_refused_import_says_why() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(400, json={"message": "missing kbn-xsrf"})

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
        with pytest.raises(ConfigurationError, match="HTTP 400"):
            await import_saved_objects(client, "http://kibana:5601", load_objects())
