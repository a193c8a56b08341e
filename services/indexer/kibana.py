"""Kibana saved objects: read ``deploy/kibana/*.ndjson``, list the fields they use, import them over HTTP.

``newsmon kibana import --url`` posts the file to ``/api/saved_objects/_import?overwrite=true`` (multipart, with the
``kbn-xsrf`` header Kibana demands). The data views name the aliases; with an index prefix their titles are
rewritten on the way (``news-claims`` → ``<prefix>news-claims``), the ids stay the same.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from newsmon.errors import ConfigurationError, TransientError

DEFAULT_SAVED_OBJECTS = Path(__file__).resolve().parents[2] / "deploy" / "kibana" / "newsmon.ndjson"
KQL_FIELD = re.compile(r"([A-Za-z_][\w.]*)\s*:")
RECORDS_PSEUDO_FIELD = "___records___"  # Lens' "count of records": not a field of the index


def load_objects(path: Path = DEFAULT_SAVED_OBJECTS) -> list[dict[str, Any]]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError as exc:
        raise ConfigurationError(f"saved objects file {path} is missing") from exc
    return [json.loads(line) for line in lines if line.strip()]


def with_prefix(objects: list[dict[str, Any]], prefix: str) -> list[dict[str, Any]]:
    """Data views point at ``<prefix>news-*`` aliases; everything else is unchanged."""
    if not prefix:
        return objects
    result = []
    for item in objects:
        if item["type"] == "index-pattern":
            attributes = {**item["attributes"], "title": prefix + item["attributes"]["title"]}
            item = {**item, "attributes": attributes}
        result.append(item)
    return result


def to_ndjson(objects: list[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(item, ensure_ascii=False) + "\n" for item in objects).encode("utf-8")


@dataclass(frozen=True)
class FieldUse:
    """One field one saved object relies on, and the data view (by id) it must exist in."""

    object_id: str
    data_view: str
    field: str


def _reference(item: dict[str, Any], name: str) -> str:
    for reference in item.get("references", []):
        if reference["name"] == name:
            return str(reference["id"])
    raise ValueError(f"{item['id']}: no reference named {name!r}")


def _kql_fields(query: str) -> list[str]:
    return KQL_FIELD.findall(query)


def _search_uses(item: dict[str, Any]) -> Iterator[tuple[str, str]]:
    attributes = item["attributes"]
    source = json.loads(attributes["kibanaSavedObjectMeta"]["searchSourceJSON"])
    view = _reference(item, source["indexRefName"])
    for column in attributes.get("columns", []):
        yield view, column
    for sort_field, _order in attributes.get("sort", []):
        yield view, sort_field
    for name in _kql_fields(source.get("query", {}).get("query", "")):
        yield view, name


def _lens_uses(item: dict[str, Any]) -> Iterator[tuple[str, str]]:
    state = item["attributes"]["state"]
    for layer_id, layer in state["datasourceStates"]["formBased"]["layers"].items():
        view = _reference(item, f"indexpattern-datasource-layer-{layer_id}")
        for column in layer["columns"].values():
            if column.get("sourceField") not in (None, RECORDS_PSEUDO_FIELD):
                yield view, column["sourceField"]
            for secondary in column.get("params", {}).get("secondaryFields", []):
                yield view, secondary


def _map_uses(item: dict[str, Any]) -> Iterator[tuple[str, str]]:
    for layer in json.loads(item["attributes"]["layerListJSON"]):
        source = layer.get("sourceDescriptor", {})
        if "indexPatternRefName" not in source:
            continue
        view = _reference(item, source["indexPatternRefName"])
        for key in ("geoField", "sortField", "topHitsSplitField"):
            if source.get(key):
                yield view, source[key]
        for name in source.get("tooltipProperties", []):
            yield view, name


def field_uses(objects: list[dict[str, Any]]) -> list[FieldUse]:
    """Every field the saved objects name: columns, sorts, KQL queries, Lens columns, map layers, time fields."""
    uses: list[FieldUse] = []
    for item in objects:
        kind = item["type"]
        pairs: Iterator[tuple[str, str]]
        if kind == "index-pattern":
            pairs = iter([(item["id"], item["attributes"]["timeFieldName"])])
        elif kind == "search":
            pairs = _search_uses(item)
        elif kind == "lens":
            pairs = _lens_uses(item)
        elif kind == "map":
            pairs = _map_uses(item)
        else:
            continue
        uses.extend(FieldUse(item["id"], view, name) for view, name in pairs)
    return uses


@dataclass(frozen=True)
class ImportResult:
    success: bool
    count: int
    errors: list[dict[str, Any]] = field(default_factory=list)


async def import_saved_objects(
    client: httpx.AsyncClient,
    kibana_url: str,
    objects: list[dict[str, Any]],
    *,
    space: str | None = None,
) -> ImportResult:
    """POST the objects to Kibana's import API, overwriting earlier versions of the same ids."""
    base = kibana_url.rstrip("/")
    path = f"/s/{space}/api/saved_objects/_import" if space else "/api/saved_objects/_import"
    try:
        response = await client.post(
            f"{base}{path}",
            params={"overwrite": "true"},
            headers={"kbn-xsrf": "newsmon"},
            files={"file": ("newsmon.ndjson", to_ndjson(objects), "application/ndjson")},
        )
    except httpx.TransportError as exc:
        raise TransientError(f"cannot reach Kibana at {base}: {exc}") from exc
    if response.status_code >= 400:
        raise ConfigurationError(
            f"Kibana at {base} refused the import with HTTP {response.status_code}: {response.text[:500]}"
        )
    body = response.json()
    return ImportResult(
        success=bool(body.get("success")),
        count=int(body.get("successCount", 0)),
        errors=list(body.get("errors", [])),
    )
