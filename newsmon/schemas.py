"""JSON Schemas of every topic payload, generated from the contracts into ``deploy/schemas/``.

One ``<topic>.schema.json`` per topic (a topic with several payload types gets a ``oneOf`` discriminated by their
``type`` field) and ``topics.json``, the topic table for tools that do not read Python. ``render_schemas`` is pure, so
a test can regenerate in memory and compare with the committed files.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import reduce
from operator import or_
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, Field, TypeAdapter

from newsmon.contracts import TOPICS, Topic

JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
TOPICS_FILE = "topics.json"


def payload_models(topic: Topic) -> tuple[type[BaseModel], ...]:
    return topic.payload if isinstance(topic.payload, tuple) else (topic.payload,)


def schema_file_name(topic: Topic) -> str:
    return f"{topic.name}.schema.json"


def topic_schema(topic: Topic) -> dict[str, Any]:
    models = payload_models(topic)
    if len(models) == 1:
        schema = models[0].model_json_schema(mode="validation")
    else:
        union = reduce(or_, models)
        discriminated = all("type" in model.model_fields for model in models)
        annotated: Any = Annotated[union, Field(discriminator="type")] if discriminated else union
        schema = TypeAdapter[Any](annotated).json_schema(mode="validation")
        schema["title"] = " | ".join(model.__name__ for model in models)
    return {
        "$schema": JSON_SCHEMA_DIALECT,
        "$id": schema_file_name(topic),
        **schema,
        "x-newsmon-topic": {"name": topic.name, "key": topic.key, "encoding": "JSON, UTF-8"},
    }


def topic_table(topics: Sequence[Topic] = TOPICS) -> list[dict[str, Any]]:
    return [
        {
            "name": topic.name,
            "payload": [model.__name__ for model in payload_models(topic)],
            "schema": schema_file_name(topic),
            "key": topic.key,
            "partitions": topic.partitions,
            "retention_ms": topic.retention_ms,
            "cleanup_policy": topic.config["cleanup.policy"],
            "config": topic.config,
        }
        for topic in topics
    ]


def render_schemas(topics: Sequence[Topic] = TOPICS) -> dict[str, str]:
    """File name → file content, for every schema file."""
    files = {schema_file_name(topic): _dump(topic_schema(topic)) for topic in topics}
    files[TOPICS_FILE] = _dump({"topics": topic_table(topics)})
    return files


def write_schemas(directory: Path, topics: Sequence[Topic] = TOPICS) -> list[Path]:
    """Write the schema files, removing generated ones whose topic is gone; return the paths written."""
    directory.mkdir(parents=True, exist_ok=True)
    files = render_schemas(topics)
    for stale in directory.glob("*.schema.json"):
        if stale.name not in files:
            stale.unlink()
    written = []
    for name, content in files.items():
        path = directory / name
        path.write_text(content)
        written.append(path)
    return written


def _dump(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
