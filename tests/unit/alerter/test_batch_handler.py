"""The faust agent's handler without faust: a batch of consumed records in, events and stored states out.

The worker's own behaviour on the broker (recovery, exactly-once in effect) is tested in
``tests/integration/alerter/test_faust_agent.py``; here, what batching must not change and what it must save.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel

from newsmon.contracts import AlertEvent, Claim, DeadLetter
from newsmon.kafka import Headers
from newsmon.metrics import InMemoryMetrics
from services.alerter.app import ClaimHandler
from services.alerter.embedded import EmbeddedAlerter
from services.alerter.rules import RuleConfig
from services.alerter.samples import KURAKHOVE, MONDAY, POKROVSK, RU_MOD, UA_MILITARY, article, claim, hours
from services.alerter.state import PlaceState


@dataclass
class Message:
    """The fields of a consumed record the handler reads."""

    value: bytes
    key: bytes | None
    partition: int
    offset: int
    topic: str = "claims.by-place"


class Recorder:
    """Publisher and table store in one: keeps what was sent and stored, in order."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str, BaseModel]] = []
        self.published: list[tuple[str, str, BaseModel]] = []
        self.stored: list[tuple[bytes, PlaceState, int]] = []
        self.table: dict[bytes, PlaceState] = {}

    async def publish(self, topic: str, key: str, value: BaseModel, headers: Headers = ()) -> None:
        self.published.append((topic, key, value))

    def send_soon(self, topic: str, key: str, value: BaseModel, headers: Headers = ()) -> None:
        self.sent.append((topic, key, value))

    def store(self, key: bytes, state: PlaceState, partition: int) -> None:
        self.table[key] = state
        self.stored.append((key, state, partition))


def _handler(recorder: Recorder, metrics: InMemoryMetrics) -> ClaimHandler:
    return ClaimHandler(recorder.table, recorder.store, recorder, RuleConfig(), metrics)


def _messages(records: list[Claim], partition_of: dict[str, int]) -> list[Message]:
    return [
        Message(record.to_json_bytes(), record.place.id.encode(), partition_of[record.place.id], offset)
        for offset, record in enumerate(records)
    ]


def _stream() -> list[Claim]:
    """Two places, each a RU capture claim, the UA answer and a second RU article: opened, then updated."""
    records = []
    for where in (KURAKHOVE, POKROVSK):
        first = article(f"https://a.example/{where.id}", "CNN", published=MONDAY + hours(20))
        second = article(f"https://b.example/{where.id}", "BBC", published=MONDAY + hours(22))
        third = article(f"https://c.example/{where.id}", "AP", published=MONDAY + hours(23))
        records += [
            claim("captured", RU_MOD, at=first, where=where, actor="RU", about=MONDAY),
            claim("contested", UA_MILITARY, at=second, where=where, about=MONDAY + hours(2)),
            claim("captured", RU_MOD, at=third, where=where, actor="RU", about=MONDAY),
        ]
    # interleave the places, as partitions' records arrive in a batch
    return [records[i] for i in (0, 3, 1, 4, 2, 5)]


async def test_a_batch_emits_what_the_records_one_by_one_emit_and_stores_each_place_once() -> None:
    records = _stream()
    partition_of = {records[0].place.id: 2, records[1].place.id: 5}
    recorder, metrics = Recorder(), InMemoryMetrics()

    events = await _handler(recorder, metrics).handle_batch(_messages(records, partition_of))

    one_by_one = EmbeddedAlerter()
    expected = [event for record in records for event in one_by_one.process(record)]
    assert events == expected
    versions = [(e.event, e.alert.version) for e in events]
    assert versions == [("opened", 1), ("opened", 1), ("updated", 2), ("updated", 2)]
    assert [(topic, key, value) for topic, key, value in recorder.sent] == [("alerts", e.alert.id, e) for e in events]
    # one write per place for the whole batch, to the partition its claims came from, with the final state
    assert sorted((key.decode(), partition) for key, _, partition in recorder.stored) == sorted(
        (place, partition) for place, partition in partition_of.items()
    )
    assert {key.decode(): state for key, state, _ in recorder.stored} == one_by_one.states


async def test_every_alert_event_reports_the_freshness_of_the_claim_that_caused_it() -> None:
    records = _stream()
    recorder, metrics = Recorder(), InMemoryMetrics()
    partition_of = {record.place.id: 0 for record in records}

    events = await _handler(recorder, metrics).handle_batch(_messages(records, partition_of))

    alerted = [entry for entry in metrics.freshness if entry[0] == "alerted"]
    assert len(alerted) == len(events) == 4
    causes = {record.article.article_id: record for record in records}
    for event, (_, since_published, since_fetched) in zip(events, alerted, strict=True):
        cause = causes[event.cause_article_id or ""]
        assert cause.article.published is not None
        assert since_published is not None
        assert since_published > 0  # the samples were published in 2025
        assert since_fetched is None  # the samples carry no fetch time
    assert metrics.count("on_message_out", topic="alerts") == 4
    assert metrics.count("on_message_in") == len(records)


async def test_a_replayed_batch_emits_nothing_and_a_poisoned_record_is_dead_lettered_alone() -> None:
    records = _stream()
    recorder, metrics = Recorder(), InMemoryMetrics()
    handler = _handler(recorder, metrics)
    partition_of = {record.place.id: 1 for record in records}
    await handler.handle_batch(_messages(records, partition_of))
    sent_before = len(recorder.sent)

    poisoned = Message(b"{not json", records[0].place.id.encode(), 1, 99)
    again = await handler.handle_batch([*_messages(records, partition_of), poisoned])

    assert again == []
    assert len(recorder.sent) == sent_before
    assert [(topic, type(value)) for topic, _, value in recorder.published] == [("dlq", DeadLetter)]
    letter = recorder.published[0][2]
    assert isinstance(letter, DeadLetter)
    assert (letter.stage, letter.offset) == ("decode", 99)
    assert (handler.counters.dead_letters, handler.counters.batches) == (1, 2)
    assert all(isinstance(event, AlertEvent) for _, _, event in recorder.sent)
