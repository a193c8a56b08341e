"""What a fault case must produce and what it did: expected outputs, a snapshot of the outputs, the counting.

Counted per case: articles in; article documents out (Elasticsearch, by id); claims and facts out (distinct ids on
``claims.by-place`` against the extraction of the same articles); alerts out (distinct alert ids on ``alerts``) against
the alerts the rules raise from ``claims.by-place`` in the order the alerter received it; losses (expected but
missing: documents, claims, alerts, webhook deliveries, dead letters of the poisoned records); duplicates in effect
(alerts nobody expects, claims the extraction does not give, webhook ids accepted for unknown events, a poisoned
record dead-lettered under two ids). Duplicate *records* absorbed by deterministic ids (a re-sent alert event after a
kill -9, a claim sent twice) are shown separately: at-least-once delivery, exactly once in effect.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from elasticsearch import AsyncElasticsearch
from pydantic import BaseModel, ConfigDict, TypeAdapter

from newsmon.bench.measure import read_records, read_topic
from newsmon.bench.receiver import Receiver
from newsmon.contracts import AlertEvent, DeadLetter, RawArticle
from newsmon.errors import PoisonError
from newsmon.kafka import decode
from newsmon.settings import KafkaSettings


@dataclass
class CaseResult:
    name: str
    articles_in: int
    documents_out: int
    place_records: str  # claims and facts on claims.by-place / expected
    alerts_expected: int
    alerts_out: int
    losses: int
    duplicates: int
    duplicate_records: int
    dead_letters: int = 0
    webhook_accepted: int = 0
    seconds: float = 0.0
    note: str = ""
    skipped: bool = False

    @property
    def ok(self) -> bool:
        return self.skipped or (self.losses == 0 and self.duplicates == 0)


@dataclass(frozen=True)
class Expected:
    """What the embedded pipeline makes of the same articles (extraction and rules in publication order)."""

    article_ids: frozenset[str]
    place_record_ids: frozenset[str]  # claims and facts with places: what the enricher sends to claims.by-place
    alert_ids: frozenset[str]

    @classmethod
    def of(cls, articles: list[RawArticle]) -> Expected:
        from services.alerter.embedded import default_enricher, place_records, replay

        records: set[str] = set()
        alerts: set[str] = set()
        for enriched, events in replay(articles, default_enricher()):
            records.update(record.id for record in place_records(enriched))
            alerts.update(event.alert.id for event in events)
        return cls(frozenset(a.id for a in articles), frozenset(records), frozenset(alerts))


def alerts_from_arrivals(records: list[tuple[bytes | None, bytes | None]]) -> set[str]:
    """The alert ids the rules raise from ``claims.by-place`` in the order the alerter received it.

    Claims of one place come from many articles, which the enricher reads from several partitions: with a backlog
    (after a kill, an outage) they reach ``claims.by-place`` in another order than publication, and the rules, which
    forget claims older than their history window, may then raise other alerts than the embedded run. This is the
    alerter's true expected output; the embedded run's is shown beside it.
    """
    from newsmon.contracts import place_record_adapter
    from services.alerter.lifecycle import empty_state, process
    from services.alerter.settings import AlerterSection

    config = AlerterSection().rule_config()
    states: dict[bytes, Any] = {}
    raised: set[str] = set()
    for key, value in records:
        try:
            record = decode(place_record_adapter, value)
        except PoisonError:
            continue
        place = key or b""
        states[place], events = process(states.get(place) or empty_state(place.decode()), record, config)
        raised.update(event.alert.id for event in events)
    return raised


@dataclass
class Snapshot:
    """What has come out of a case so far."""

    documents: int = 0
    place_records: Counter[str] = field(default_factory=Counter)
    expected_alerts: set[str] = field(default_factory=set)
    events: list[AlertEvent] = field(default_factory=list)
    dead_letters: list[DeadLetter] = field(default_factory=list)

    @property
    def alert_ids(self) -> set[str]:
        return {event.alert.id for event in self.events}

    @property
    def undelivered(self) -> set[str]:
        """Alert event ids whose webhook delivery the dispatcher dead-lettered (``subscriber:event id`` keys)."""
        return {
            (letter.key or "").split(":", 1)[-1]
            for letter in self.dead_letters
            if letter.service == "dispatcher" and letter.stage == "deliver"
        }

    @classmethod
    async def take(cls, kafka: KafkaSettings, es: AsyncElasticsearch, alias: str, ids: list[str]) -> Snapshot:
        place_records = await read_records(kafka, "claims.by-place")
        counts: Counter[str] = Counter()
        for _, value in place_records:
            with contextlib.suppress(PoisonError):
                counts[decode(_PLACE_RECORD_ID, value).id] += 1
        return cls(
            documents=await documents_found(es, alias, ids),
            place_records=counts,
            expected_alerts=alerts_from_arrivals(place_records),
            events=[decode(AlertEvent, value) for value in await read_topic(kafka, "alerts")],
            dead_letters=[decode(DeadLetter, value) for value in await read_topic(kafka, "dlq")],
        )

    def complete(self, expected: Expected, receiver: Receiver | None) -> bool:
        delivered = receiver is None or (
            {event.id for event in self.events} <= set(receiver.accepted) | self.undelivered and receiver.idle_for(2.0)
        )
        return (
            self.documents >= len(expected.article_ids)
            and expected.place_record_ids <= set(self.place_records)
            and self.expected_alerts <= self.alert_ids
            and delivered
        )


class _RecordId(BaseModel):
    """Only the id of a claim or fact (decoding the whole record is not needed to count it)."""

    model_config = ConfigDict(extra="ignore")
    id: str


_PLACE_RECORD_ID = TypeAdapter(_RecordId)


async def documents_found(es: AsyncElasticsearch, alias: str, ids: list[str]) -> int:
    if not await es.indices.exists_alias(name=alias):
        return 0
    await es.indices.refresh(index=alias)
    found = await es.search(index=alias, query={"ids": {"values": ids}}, source=False, size=len(ids))
    return len(found["hits"]["hits"])


def count_case(
    name: str, poison: int, expected: Expected, out: Snapshot, receiver: Receiver | None, note: str, seconds: float
) -> CaseResult:
    """Losses, duplicates in effect and absorbed redeliveries of one case (see the module docstring)."""
    alert_ids = out.alert_ids
    event_counts = Counter(event.id for event in out.events)
    arrived = set(out.place_records)
    poisoned = [letter for letter in out.dead_letters if (letter.key or "").startswith("poison-")]
    poison_keys = {letter.key for letter in poisoned}
    losses = (
        (len(expected.article_ids) - out.documents)
        + len(expected.place_record_ids - arrived)
        + len(out.expected_alerts - alert_ids)
        + (poison - len(poison_keys))
    )
    duplicates = (
        len(alert_ids - out.expected_alerts)
        + len(arrived - expected.place_record_ids)
        + (len({letter.id for letter in poisoned}) - len(poison_keys))
    )
    absorbed = sum(n - 1 for n in event_counts.values()) + sum(n - 1 for n in out.place_records.values())
    if receiver is not None:
        losses += len(set(event_counts) - set(receiver.accepted))  # dead-lettered and not replayed: not delivered
        duplicates += len(set(receiver.accepted) - set(event_counts))
        absorbed += sum(n - 1 for n in receiver.accepted.values())
    if out.expected_alerts != expected.alert_ids:
        note += (
            f"{'; ' if note else ''}claims arrived out of publication order: the rules raise "
            f"{len(out.expected_alerts)} alerts from them, {len(expected.alert_ids)} in publication order"
        )
    return CaseResult(
        name=name,
        articles_in=len(expected.article_ids),
        documents_out=out.documents,
        place_records=f"{len(arrived & expected.place_record_ids)}/{len(expected.place_record_ids)}",
        alerts_expected=len(out.expected_alerts),
        alerts_out=len(alert_ids),
        losses=losses,
        duplicates=duplicates,
        duplicate_records=absorbed,
        dead_letters=len(out.dead_letters),
        webhook_accepted=sum(receiver.accepted.values()) if receiver is not None else 0,
        seconds=seconds,
        note=note,
    )


COLUMNS = (
    "case",
    "articles in",
    "documents out",
    "claims + facts out",
    "alerts expected",
    "alerts out",
    "losses",
    "duplicates",
    "dup. records (absorbed)",
    "dead letters",
    "webhooks accepted",
    "s",
    "note",
)


def rows(results: list[CaseResult]) -> list[tuple[str, ...]]:
    return [
        (
            r.name,
            *(
                ("–",) * 10
                if r.skipped
                else (
                    str(r.articles_in),
                    str(r.documents_out),
                    r.place_records,
                    str(r.alerts_expected),
                    str(r.alerts_out),
                    str(r.losses),
                    str(r.duplicates),
                    str(r.duplicate_records),
                    str(r.dead_letters),
                    str(r.webhook_accepted),
                )
            ),
            "" if r.skipped else f"{r.seconds:.0f}",
            r.note,
        )
        for r in results
    ]


def markdown_table(results: list[CaseResult]) -> str:
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    lines += ["| " + " | ".join(row) + " |" for row in rows(results)]
    return "\n".join(lines)


def summary_line(results: list[CaseResult]) -> str:
    ran = [r for r in results if not r.skipped]
    failed = [r.name for r in ran if not r.ok]
    line = f"faults: {len(ran) - len(failed)}/{len(ran)} cases without loss or duplicate"
    skipped = len(results) - len(ran)
    if skipped:
        line += f" ({skipped} skipped)"
    return line + (f"; FAILED: {', '.join(failed)}" if failed else "")


def print_table(results: list[CaseResult], *, markdown: bool = False) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="fault suite")
    for column in COLUMNS:
        table.add_column(column)
    for row in rows(results):
        table.add_row(*row)
    Console(width=220).print(table)
    if markdown:
        print(markdown_table(results))
    print(summary_line(results))
