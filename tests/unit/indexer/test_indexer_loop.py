"""The indexer loop and the sink's retries with in-memory stand-ins: no server needed."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from aiokafka.structs import ConsumerRecord
from elastic_transport import ApiResponseMeta, HttpHeaders, NodeConfig
from elastic_transport import ConnectionError as TransportConnectionError
from elasticsearch import ApiError

from newsmon.contracts import DeadLetter
from newsmon.kafka import DeadLetterPublisher, encode
from newsmon.testing import RecordingPublisher
from services.indexer import samples
from services.indexer.app import Indexer
from services.indexer.documents import Document, claim_document
from services.indexer.sink import Backoff, BulkOutcome, ElasticsearchSink, Rejection

FAST = Backoff(initial=0.001, maximum=0.002)


def record(topic: str, value: bytes, offset: int = 0) -> ConsumerRecord[bytes, bytes]:
    return ConsumerRecord(topic, 0, offset, 0, 0, b"key", value, None, 3, len(value), ())


class RefusingSink:
    """Refuses documents whose id is in ``refuse``; records what it was given."""

    def __init__(self, refuse: set[str]) -> None:
        self.refuse = refuse
        self.written: list[Document] = []

    async def write(self, documents: Sequence[Document]) -> BulkOutcome:
        self.written.extend(documents)
        outcome = BulkOutcome()
        for document in documents:
            if document.id in self.refuse:
                outcome.rejected.append(Rejection(document, 400, "document_parsing_exception", "bad field"))
            else:
                outcome.indexed += 1
        return outcome


def indexer(sink: RefusingSink, publisher: RecordingPublisher) -> Indexer:
    topics = {"p.claims.by-place": "claims.by-place", "p.dlq": "dlq"}
    return Indexer(None, sink, DeadLetterPublisher(publisher, "indexer"), topics, backoff=FAST)  # type: ignore[arg-type]


async def test_refused_and_undecodable_records_are_dead_lettered_and_the_rest_indexed() -> None:
    claims = [samples.claim(number) for number in range(3)]
    sink, publisher = RefusingSink({claims[1].id}), RecordingPublisher()
    loop = indexer(sink, publisher)
    await loop.handle(
        [
            record("p.claims.by-place", encode(claims[0]), 0),
            record("p.claims.by-place", encode(claims[1]), 1),
            record("p.claims.by-place", b"not json", 2),
            record("p.claims.by-place", encode(claims[2]), 3),
        ]
    )
    letters = publisher.on("dlq")
    assert [(letter.stage, letter.offset) for letter in letters] == [("decode", 2), ("index", 1)]  # type: ignore[attr-defined]
    refused = letters[1]
    assert isinstance(refused, DeadLetter)
    assert claims[1].id in refused.reason
    assert refused.payload == encode(claims[1]).decode()
    assert (loop.stats.records, loop.stats.indexed, loop.stats.dead_lettered) == (4, 2, 2)


async def test_a_refused_dead_letter_is_indexed_as_a_stub_not_sent_back_to_the_dlq() -> None:
    letter = samples.dead_letter(1)
    sink, publisher = RefusingSink({letter.id}), RecordingPublisher()
    await indexer(sink, publisher).handle([record("p.dlq", encode(letter))])
    assert publisher.records == []
    stub = sink.written[-1]
    assert (stub.id, stub.source["error_kind"]) == (letter.id, "dead_letter_rejected")


class FlakyElasticsearch:
    """Answers bulk requests from a script: an exception to raise or a list of item statuses."""

    def __init__(self, script: list[Any]) -> None:
        self.script = script
        self.requests: list[list[bytes]] = []

    async def bulk(self, operations: list[bytes], **_options: Any) -> Any:
        self.requests.append(operations)
        step = self.script.pop(0)
        if isinstance(step, Exception):
            raise step
        return type("Response", (), {"body": {"items": [{"index": {"status": status}} for status in step]}})()


def api_error(status: int) -> ApiError:
    meta = ApiResponseMeta(status, "1.1", HttpHeaders(), 0.0, NodeConfig("http", "127.0.0.1", 9200))
    return ApiError(f"HTTP {status}", meta=meta, body={})


async def test_the_sink_waits_out_a_dead_node_and_retries_only_what_was_refused_for_now() -> None:
    documents = [claim_document(samples.claim(number)) for number in range(3)]
    node = FlakyElasticsearch([TransportConnectionError("refused"), api_error(503), [201, 429, 201], [201]])
    sink = ElasticsearchSink(node, lambda _d: "news-claims", backoff=FAST)  # type: ignore[arg-type]
    outcome = await sink.write(documents)
    assert (outcome.indexed, outcome.retries, outcome.rejected) == (3, 3, [])
    retried = [json.loads(line)["index"]["_id"] for line in node.requests[-1][::2]]
    assert retried == [documents[1].id]


async def test_a_request_too_large_is_split_and_a_single_huge_document_refused() -> None:
    documents = [claim_document(samples.claim(number)) for number in range(2)]
    node = FlakyElasticsearch([api_error(413), [201], api_error(413)])
    sink = ElasticsearchSink(node, lambda _d: "news-claims", backoff=FAST)  # type: ignore[arg-type]
    outcome = await sink.write(documents)
    assert outcome.indexed == 1
    assert [(r.document.id, r.error_type) for r in outcome.rejected] == [(documents[1].id, "too_large")]
