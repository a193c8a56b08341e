"""deploy/schemas/ is generated from the contracts: this fails when someone forgot `make schemas`."""

from __future__ import annotations

import json
from pathlib import Path

from newsmon.contracts import TOPICS
from newsmon.schemas import TOPICS_FILE, render_schemas, write_schemas

SCHEMAS_DIR = Path(__file__).resolve().parents[3] / "deploy" / "schemas"


def test_committed_schemas_match_the_contracts() -> None:
    expected = render_schemas()
    on_disk = {path.name: path.read_text() for path in SCHEMAS_DIR.glob("*.json")}
    stale = sorted(set(on_disk) - set(expected))
    missing = sorted(set(expected) - set(on_disk))
    changed = sorted(name for name in set(expected) & set(on_disk) if expected[name] != on_disk[name])
    assert (stale, missing, changed) == ([], [], []), "run `make schemas` (newsmon schemas write) and commit"


def test_one_schema_per_topic_and_a_topic_table() -> None:
    table = json.loads(render_schemas()[TOPICS_FILE])["topics"]
    assert [row["name"] for row in table] == [topic.name for topic in TOPICS]
    claims = next(row for row in table if row["name"] == "claims.by-place")
    assert claims["payload"] == ["Claim", "NumericFact"]
    assert claims["schema"] == "claims.by-place.schema.json"


def test_schemas_forbid_unknown_fields_and_name_their_topic() -> None:
    schema = json.loads(render_schemas()["articles.raw.schema.json"])
    assert schema["additionalProperties"] is False
    assert "text" in schema["required"]
    assert schema["x-newsmon-topic"]["name"] == "articles.raw"
    union = json.loads(render_schemas()["claims.by-place.schema.json"])
    assert union["discriminator"]["propertyName"] == "type"


def test_write_removes_schemas_of_topics_that_are_gone(tmp_path: Path) -> None:
    (tmp_path / "old.topic.schema.json").write_text("{}")
    written = write_schemas(tmp_path)
    assert not (tmp_path / "old.topic.schema.json").exists()
    assert {path.name for path in written} == set(render_schemas())
