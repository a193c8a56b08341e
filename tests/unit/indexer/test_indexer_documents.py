from __future__ import annotations

from typing import Any

import pytest

from newsmon.errors import PoisonError
from newsmon.kafka import encode
from services.indexer import samples
from services.indexer.documents import (
    Document,
    alert_document,
    article_document,
    claim_document,
    dead_letter_document,
    decode_document,
    fact_document,
)
from services.indexer.mappings import flatten_fields, load_specs


def _paths(source: dict[str, Any], parent: str = "") -> set[str]:
    paths: set[str] = set()
    for key, value in source.items():
        path = f"{parent}{key}"
        paths.add(path)
        items = value if isinstance(value, list) else [value]
        for item in items:
            if isinstance(item, dict) and {"lat", "lon"} != set(item):
                paths |= _paths(item, f"{path}.")
    return paths


def _every_document() -> list[Document]:
    return [
        article_document(samples.enriched_article(1)),
        claim_document(samples.claim(1)),
        fact_document(samples.distance_fact(1)),
        alert_document(samples.alert_event(2)),
        dead_letter_document(samples.dead_letter(1)),
    ]


def test_claim_document_is_flat_for_kibana_filters() -> None:
    document = claim_document(samples.claim(7, samples.POKROVSK, "advancing_toward"))
    source = document.source
    assert document.index == "claims"
    assert document.id == samples.claim(7, samples.POKROVSK, "advancing_toward").id
    assert source["place_name"] == "Pokrovsk"
    assert source["predicate"] == "advancing_toward"
    assert source["said_by"] == "Russian Defense Ministry"
    assert source["said_by_side"] == "RU"
    assert source["outlet"] == "CNN"
    assert source["place"]["location"] == {"lat": 48.28014, "lon": 37.17706}
    assert source["effective_time"] == "2025-01-05T12:00:00+00:00"  # the time the claim is about


def test_article_document_lists_places_and_claims() -> None:
    source = article_document(samples.enriched_article(3)).source
    assert source["place_names"] == ["Kurakhove", "Pokrovsk"]
    assert source["claim_count"] == 2
    assert source["predicates"] == ["captured", "contested"]
    assert [place["location"]["lat"] for place in source["places"]] == [47.9847, 48.28014]


def test_alert_document_carries_its_version_for_external_versioning() -> None:
    document = alert_document(samples.alert_event(3))
    assert document.version == 3
    assert document.id == samples.alert_event(1).alert.id  # every event of one alert replaces one document
    assert document.source["said_by_sides"] == ["RU", "UA"]
    assert document.source["status"] == "open"


def test_place_without_coordinates_has_no_location() -> None:
    place = samples.POKROVSK.model_copy(update={"lat": None, "lon": None})
    assert claim_document(samples.claim(1, place)).source["place"]["location"] is None


@pytest.mark.parametrize("document", _every_document(), ids=lambda document: document.index)
def test_every_document_field_is_in_the_strict_mapping(document: Document) -> None:
    fields = flatten_fields(load_specs()[document.index].mapping)
    missing = _paths(document.source) - set(fields)
    assert not missing, f"{document.index}: fields missing from deploy/elasticsearch: {sorted(missing)}"


def test_decode_document_routes_claims_and_facts_of_one_topic() -> None:
    claim = decode_document("claims.by-place", encode(samples.claim(1)))
    fact = decode_document("claims.by-place", encode(samples.distance_fact(1)))
    assert (claim.index, fact.index) == ("claims", "facts")


def test_decode_document_treats_a_broken_record_as_poison() -> None:
    with pytest.raises(PoisonError):
        decode_document("alerts", b'{"id": "x"}')
