from __future__ import annotations

import json

from services.indexer import samples
from services.indexer.documents import alert_document, claim_document
from services.indexer.sink import Backoff, chunk_by_bytes, encode_operation, sort_items


def test_external_version_is_sent_for_alerts_only() -> None:
    action, source = encode_operation(alert_document(samples.alert_event(4)), "news-alerts")
    assert json.loads(action)["index"] == {
        "_index": "news-alerts",
        "_id": samples.alert_event(4).alert.id,
        "version": 4,
        "version_type": "external",
    }
    assert json.loads(source)["version"] == 4
    claim_action, _ = encode_operation(claim_document(samples.claim(1)), "news-claims")
    assert "version" not in json.loads(claim_action)["index"]


def test_items_are_sorted_into_done_retry_and_rejected() -> None:
    documents = [claim_document(samples.claim(number)) for number in range(6)] + [
        alert_document(samples.alert_event(1))
    ]
    items = [
        {"index": {"status": 201}},
        {"index": {"status": 200}},
        {"index": {"status": 429, "error": {"type": "es_rejected_execution_exception", "reason": "queue full"}}},
        {
            "index": {
                "status": 400,
                "error": {
                    "type": "document_parsing_exception",
                    "reason": "failed to parse field [distance_km]",
                    "caused_by": {"type": "number_format_exception", "reason": 'For input string: "far"'},
                },
            }
        },
        {"index": {"status": 503, "error": {"type": "unavailable_shards_exception", "reason": "primary"}}},
        {"index": {"status": 409, "error": {"type": "version_conflict_engine_exception", "reason": "x"}}},
        {"index": {"status": 409, "error": {"type": "version_conflict_engine_exception", "reason": "newer"}}},
    ]
    verdicts = sort_items(documents, items)
    assert verdicts.indexed == 2
    assert verdicts.stale == 1  # the alert: a newer version is already stored
    assert verdicts.retry == [2, 4]
    assert [(r.document.id, r.status) for r in verdicts.rejected] == [(documents[3].id, 400), (documents[5].id, 409)]
    assert verdicts.rejected[0].reason.endswith('For input string: "far"')


def test_chunks_stay_under_the_byte_limit_and_keep_order() -> None:
    encoded = [(b"a" * 10, b"b" * 88)] * 10  # 100 bytes per operation with the newlines
    chunks = chunk_by_bytes(encoded, 250)
    assert [list(chunk) for chunk in chunks] == [[0, 1], [2, 3], [4, 5], [6, 7], [8, 9]]
    assert [list(chunk) for chunk in chunk_by_bytes([(b"x" * 1000, b"y")], 10)] == [[0]]


def test_backoff_grows_and_is_capped() -> None:
    backoff = Backoff(initial=0.1, maximum=2.0)
    assert 0.05 <= backoff.delay(0) <= 0.1
    assert 1.0 <= backoff.delay(10) <= 2.0
    assert backoff.delay(10_000) <= 2.0
