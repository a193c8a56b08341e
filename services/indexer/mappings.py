"""Index templates, versioned indices and their aliases, loaded from ``deploy/elasticsearch/``.

Every logical index is an alias (``news-claims``) over one versioned index (``news-claims-v1``). The template
(``news-claims`` for pattern ``news-claims-v*``) gives each new version its settings and mapping, so a rebuild
(``newsmon reindex``) creates ``-v2`` from the current file and moves the alias when it is complete.
"""

from __future__ import annotations

import copy
import json
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from elasticsearch import AsyncElasticsearch, BadRequestError, NotFoundError

from newsmon.errors import ConfigurationError
from services.indexer.documents import INDEX_NAMES, IndexName

log = logging.getLogger(__name__)

DEFAULT_MAPPINGS_DIR = Path(__file__).resolve().parents[2] / "deploy" / "elasticsearch"

ApplyAction = Literal["created", "unchanged", "mapping updated", "needs reindex"]


@dataclass(frozen=True)
class IndexSpec:
    """One logical index: its base name (``news-claims``) and the template body from its JSON file."""

    name: IndexName
    base: str
    template: dict[str, Any]

    def alias(self, prefix: str) -> str:
        return f"{prefix}{self.base}"

    def versioned(self, prefix: str, version: int) -> str:
        return f"{prefix}{self.base}-v{version}"

    def pattern(self, prefix: str) -> str:
        return f"{prefix}{self.base}-v*"

    @property
    def mapping(self) -> dict[str, Any]:
        mapping: dict[str, Any] = self.template["template"]["mappings"]
        return mapping

    @property
    def time_field(self) -> str:
        return str(self.template.get("_meta", {}).get("time_field", ""))

    def version_of(self, index: str, prefix: str) -> int:
        """The version number in a concrete index name, e.g. 3 for ``news-claims-v3``."""
        match = re.fullmatch(re.escape(self.alias(prefix)) + r"-v(\d+)", index)
        if match is None:
            raise ConfigurationError(f"index {index!r} is not a versioned index of alias {self.alias(prefix)!r}")
        return int(match.group(1))


@dataclass(frozen=True)
class ApplyResult:
    alias: str
    index: str
    action: ApplyAction
    detail: str = ""


def load_specs(directory: Path = DEFAULT_MAPPINGS_DIR) -> dict[IndexName, IndexSpec]:
    """Read ``news-<name>.json`` for every logical index; a missing or broken file is a configuration error."""
    specs: dict[IndexName, IndexSpec] = {}
    for name in INDEX_NAMES:
        path = directory / f"news-{name}.json"
        try:
            template = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise ConfigurationError(f"index template {path} is missing; restore it from the repository") from exc
        except json.JSONDecodeError as exc:
            raise ConfigurationError(f"index template {path} is not valid JSON: {exc}") from exc
        specs[name] = IndexSpec(name=name, base=f"news-{name}", template=template)
    return specs


def template_body(spec: IndexSpec, prefix: str, *, shards: int, replicas: int) -> dict[str, Any]:
    """The ``PUT _index_template`` body: the file's template with patterns and shard counts filled in."""
    body = copy.deepcopy(spec.template)
    body["index_patterns"] = [spec.pattern(prefix)]
    index_settings = body["template"].setdefault("settings", {}).setdefault("index", {})
    index_settings["number_of_shards"] = shards
    index_settings["number_of_replicas"] = replicas
    return body


async def put_template(
    client: AsyncElasticsearch, spec: IndexSpec, prefix: str, *, shards: int = 1, replicas: int = 0
) -> None:
    body = template_body(spec, prefix, shards=shards, replicas=replicas)
    await client.indices.put_index_template(
        name=spec.alias(prefix),
        index_patterns=body["index_patterns"],
        priority=body.get("priority"),
        template=body["template"],
        meta=body.get("_meta"),
    )


async def indices_behind(client: AsyncElasticsearch, alias: str) -> list[str]:
    """Concrete indices the alias points to, the write index first; empty when the alias does not exist."""
    try:
        response = await client.indices.get_alias(name=alias)
    except NotFoundError:
        return []
    found = dict(response.body)

    def is_write(index: str) -> bool:
        return bool(found[index]["aliases"][alias].get("is_write_index", len(found) == 1))

    return sorted(found, key=lambda index: (not is_write(index), index))


async def create_index(client: AsyncElasticsearch, index: str, *, alias: str | None = None) -> bool:
    """Create ``index`` (its template supplies the mapping); False when it already existed."""
    aliases = {alias: {"is_write_index": True}} if alias else None
    try:
        await client.indices.create(index=index, aliases=aliases)
    except BadRequestError as exc:
        if exc.error == "resource_already_exists_exception":
            return False
        raise
    return True


async def apply_one(
    client: AsyncElasticsearch, spec: IndexSpec, prefix: str, *, shards: int = 1, replicas: int = 0
) -> ApplyResult:
    alias = spec.alias(prefix)
    await put_template(client, spec, prefix, shards=shards, replicas=replicas)
    behind = await indices_behind(client, alias)
    if not behind:
        if await client.indices.exists(index=alias):
            raise ConfigurationError(
                f"{alias!r} is a concrete index, not an alias (something wrote to it before `newsmon es apply`); "
                f"delete it (`curl -X DELETE <es>/{alias}`), run `newsmon es apply`, then `newsmon reindex {spec.name}`"
            )
        first = spec.versioned(prefix, 1)
        if not await create_index(client, first, alias=alias):
            await client.indices.put_alias(index=first, name=alias, is_write_index=True)
        return ApplyResult(alias, first, "created")
    current = behind[0]
    live = (await client.indices.get_mapping(index=current)).body[current]["mappings"]
    if _same_mapping(live, spec.mapping):
        return ApplyResult(alias, current, "unchanged")
    try:
        await client.indices.put_mapping(
            index=current,
            properties=spec.mapping["properties"],
            dynamic=spec.mapping.get("dynamic"),
            date_detection=spec.mapping.get("date_detection"),
        )
    except BadRequestError as exc:
        reason = _reason(exc)
        log.warning("mapping of %s cannot change in place: %s", current, reason)
        return ApplyResult(alias, current, "needs reindex", f"{reason}; run `newsmon reindex {spec.name}`")
    return ApplyResult(alias, current, "mapping updated")


async def apply_all(
    client: AsyncElasticsearch,
    specs: dict[IndexName, IndexSpec],
    prefix: str,
    *,
    shards: int = 1,
    replicas: int = 0,
) -> list[ApplyResult]:
    """Idempotent: templates are (re)written, missing aliases created, mappings extended where they can be."""
    return [await apply_one(client, spec, prefix, shards=shards, replicas=replicas) for spec in specs.values()]


async def switch_alias(client: AsyncElasticsearch, alias: str, old: list[str], new: str) -> None:
    """Move the alias to ``new`` in one atomic ``_aliases`` request."""
    actions: list[dict[str, Any]] = [{"remove": {"index": index, "alias": alias}} for index in old]
    actions.append({"add": {"index": new, "alias": alias, "is_write_index": True}})
    await client.indices.update_aliases(actions=actions)


def _reason(exc: BadRequestError) -> str:
    info = exc.info if isinstance(exc.info, dict) else {}
    error = info.get("error", {})
    if isinstance(error, dict):
        return str(error.get("reason", exc.message))
    return str(exc.message)


def _normalise(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _normalise(item) for key, item in value.items()}
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        return str(value)
    return value


def _same_mapping(live: dict[str, Any], wanted: dict[str, Any]) -> bool:
    # Elasticsearch echoes settings back as strings ("strict", "false"); compare on that footing.
    keys = ("dynamic", "date_detection", "properties")
    return all(_normalise(live.get(key)) == _normalise(wanted.get(key)) for key in keys)


def flatten_fields(mapping: dict[str, Any], parent: str = "") -> dict[str, str]:
    """Every field path of a mapping (objects walked, multi-fields included) → its type."""
    fields: dict[str, str] = {}
    for name, definition in mapping.get("properties", {}).items():
        path = f"{parent}{name}"
        if "properties" in definition:
            fields[path] = "object"
            fields.update(flatten_fields(definition, f"{path}."))
            continue
        fields[path] = str(definition.get("type", "object"))
        for sub, sub_definition in definition.get("fields", {}).items():
            fields[f"{path}.{sub}"] = str(sub_definition.get("type"))
    return fields


async def remove_all(client: AsyncElasticsearch, prefix: str) -> None:
    """Delete every index and template under ``prefix`` by name (the node refuses wildcard deletes).

    For throw-away prefixes of tests and benchmarks; never call it with the production prefix.
    """
    found = await client.indices.get(index=f"{prefix}news-*", allow_no_indices=True, ignore_unavailable=True)
    if found.body:
        await client.indices.delete(index=",".join(found.body))
    try:
        templates = await client.indices.get_index_template(name=f"{prefix}news-*")
    except NotFoundError:
        return
    for template in templates.body.get("index_templates", []):
        await client.indices.delete_index_template(name=template["name"])
