"""The raw benchmark's documents are what the figures claim: 1 KB of JSON each."""

from __future__ import annotations

import json

from newsmon.infra.rawbench import DOCUMENT_BYTES, BenchResult, document, encoded_documents, median_result


def test_documents_are_exactly_one_kilobyte_of_json() -> None:
    sizes = {len(encoded) for encoded in encoded_documents(300)}
    assert sizes == {DOCUMENT_BYTES}
    assert json.loads(next(encoded_documents(1)))["id"] == "0000000000000000"


def test_documents_differ_and_keep_their_shape() -> None:
    first, second = document(1), document(2)
    assert first["id"] != second["id"]
    assert set(first) == {"id", "url", "source", "published", "title", "text"}


def test_rates_are_derived_from_count_bytes_and_time() -> None:
    result = BenchResult("case", count=2000, seconds=2.0, bytes=2_048_000)
    assert result.per_second == 1000.0
    assert result.mb_per_second == 1.024
    assert result.as_dict()["per_second"] == 1000.0
    assert BenchResult("empty", 0, 0.0, 0).per_second == 0.0


def test_the_median_run_is_reported() -> None:
    runs = [BenchResult("c", 10, seconds, 10) for seconds in (3.0, 1.0, 2.0)]
    assert median_result(runs).seconds == 2.0
