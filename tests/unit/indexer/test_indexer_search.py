from __future__ import annotations

import pytest

from services.indexer.search import SearchRequest, build_query, date_bound, parse_point


def test_claims_about_a_place_by_predicate_side_and_date() -> None:
    request = SearchRequest(
        index="claims", place="Pokrovsk", predicates=("captured",), sides=("ru",), since="7d", until="2025-02-01"
    )
    query = build_query(request, "effective_time")
    filters = query["bool"]["filter"]
    assert {"multi_match": {"query": "Pokrovsk", "fields": ["place_name", "admin1"], "operator": "and"}} in filters
    assert {"terms": {"predicate": ["captured"]}} in filters
    assert {"terms": {"said_by_side": ["RU"]}} in filters
    assert {"range": {"effective_time": {"gte": "now-7d", "lte": "2025-02-01"}}} in filters
    assert query["bool"]["must"] == [{"match_all": {}}]


def test_geo_distance_uses_the_index_geo_field_in_lon_lat_order() -> None:
    query = build_query(SearchRequest(index="alerts", near=(48.28, 37.18), within="30km", status="open"), "t")
    assert {"geo_distance": {"distance": "30km", "place.location": [37.18, 48.28]}} in query["bool"]["filter"]
    assert {"term": {"status": "open"}} in query["bool"]["filter"]
    with pytest.raises(ValueError, match="distance"):
        build_query(SearchRequest(near=(1.0, 2.0), within="far"), "t")


def test_free_text_is_a_query_string() -> None:
    query = build_query(SearchRequest(text='evidence:"fighting continues"'), "t")
    assert query["bool"]["must"][0]["query_string"]["query"] == 'evidence:"fighting continues"'


def test_parsing_of_points_and_dates() -> None:
    assert parse_point("48.28,37.18") == (48.28, 37.18)
    with pytest.raises(ValueError, match="LAT,LON"):
        parse_point("Pokrovsk")
    with pytest.raises(ValueError, match="globe"):
        parse_point("100,0")
    assert date_bound("24h") == "now-24h"
    assert date_bound("2025-01-06") == "2025-01-06"
