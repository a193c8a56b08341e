from __future__ import annotations

import pytest

from newsmon.errors import ConfigurationError
from services.indexer.documents import INDEX_NAMES
from services.indexer.mappings import flatten_fields, load_specs, template_body


def test_every_index_has_a_strict_mapping_and_a_time_field() -> None:
    specs = load_specs()
    assert set(specs) == set(INDEX_NAMES)
    for spec in specs.values():
        assert spec.mapping["dynamic"] == "strict"
        assert flatten_fields(spec.mapping)[spec.time_field] == "date"


def test_places_are_geo_points() -> None:
    specs = load_specs()
    assert flatten_fields(specs["claims"].mapping)["place.location"] == "geo_point"
    assert flatten_fields(specs["articles"].mapping)["places.location"] == "geo_point"
    assert flatten_fields(specs["alerts"].mapping)["place.location"] == "geo_point"


def test_filterable_text_fields_have_keyword_sub_fields() -> None:
    fields = flatten_fields(load_specs()["claims"].mapping)
    for name in ("place_name", "said_by", "outlet", "admin1"):
        assert fields[name] == "text"
        assert fields[f"{name}.keyword"] == "keyword"
    for name in ("predicate", "actor", "said_by_side", "modality"):
        assert fields[name] == "keyword"


def test_only_the_standard_analyzer_is_used() -> None:
    # The integ-test-zip node has no analysis plugins: any other analyzer would fail index creation.
    for spec in load_specs().values():
        assert "analyzer" not in str(spec.template)


def test_template_body_honours_the_prefix_and_shard_counts() -> None:
    spec = load_specs()["claims"]
    body = template_body(spec, "t1-", shards=2, replicas=1)
    assert body["index_patterns"] == ["t1-news-claims-v*"]
    assert body["template"]["settings"]["index"]["number_of_shards"] == 2
    assert body["template"]["settings"]["index"]["number_of_replicas"] == 1
    assert spec.alias("t1-") == "t1-news-claims"
    assert spec.versioned("t1-", 3) == "t1-news-claims-v3"
    assert spec.version_of("t1-news-claims-v12", "t1-") == 12
    with pytest.raises(ConfigurationError):
        spec.version_of("news-claims", "t1-")


def test_a_missing_template_file_is_a_configuration_error(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ConfigurationError, match="missing"):
        load_specs(tmp_path)
