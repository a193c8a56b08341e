"""Fakes that record state, shared by every service's tests (preferred to mock.patch)."""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import BaseModel

from newsmon.kafka import Headers


@dataclass
class PublishedRecord:
    topic: str
    key: str
    value: BaseModel
    headers: Headers = ()


@dataclass
class RecordingPublisher:
    """In-memory ``Publisher``: keeps every record in order; can be told to fail."""

    records: list[PublishedRecord] = field(default_factory=list)
    fail_with: Exception | None = None

    async def publish(self, topic: str, key: str, value: BaseModel, headers: Headers = ()) -> None:
        if self.fail_with is not None:
            raise self.fail_with
        self.records.append(PublishedRecord(topic, key, value, tuple(headers)))

    def on(self, topic: str) -> list[BaseModel]:
        return [record.value for record in self.records if record.topic == topic]
