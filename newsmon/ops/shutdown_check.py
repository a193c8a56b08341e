"""A harness that proves a consumer shuts down gracefully: SIGTERM mid-run loses nothing and duplicates nothing.

Any service that reads one topic and writes another can be checked the same way (the ops tests run it on a
minimal relay; each service's tests run it on the real service)::

    result = await check_graceful_shutdown(
        kafka=settings.kafka,                       # bootstrap of the broker under test
        command=[sys.executable, "-m", "services.enricher", "run"],
        env={"NEWSMON_KAFKA__TOPIC_PREFIX": prefix},
        input_topic=f"{prefix}articles.raw",
        output_topic=f"{prefix}articles.enriched",
        group="newsmon-enricher",
        records=[(a.id.encode(), encode(a)) for a in articles],
        output_identity=lambda record: record.key.decode(),   # which input an output stands for
    )
    result.assert_exactly_once()

What it does:

1. produces ``records`` to ``input_topic``;
2. starts the service, waits until ``stop_after`` outputs exist, sends SIGTERM, waits for a clean exit (0);
3. at that moment the group's committed offsets must cover exactly the inputs whose outputs exist: an output
   without a commit would be produced again after a restart (a duplicate), a commit without an output is a loss;
4. starts the service again, waits until the group has no lag and the output count is stable, SIGTERM again;
5. every input must have exactly one output (by ``output_identity``).
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeAlias

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.structs import TopicPartition

from newsmon.kafka import connection_options
from newsmon.settings import KafkaSettings

Record: TypeAlias = ConsumerRecord[bytes, bytes]


@dataclass
class ShutdownCheckResult:
    inputs: int
    outputs_at_first_stop: int
    committed_at_first_stop: int
    first_exit_code: int | None
    second_exit_code: int | None
    uncommitted_outputs: list[str] = field(default_factory=list)
    committed_without_output: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    duplicates: dict[str, int] = field(default_factory=dict)
    first_stop_seconds: float = 0.0
    logs: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        found = []
        if self.first_exit_code != 0:
            found.append(f"first run exited with {self.first_exit_code} after SIGTERM, not 0")
        if self.second_exit_code != 0:
            found.append(f"second run exited with {self.second_exit_code} after SIGTERM, not 0")
        if self.uncommitted_outputs:
            found.append(f"{len(self.uncommitted_outputs)} outputs written but their inputs not committed")
        if self.committed_without_output:
            found.append(f"{len(self.committed_without_output)} inputs committed without an output")
        if self.missing:
            found.append(f"{len(self.missing)} inputs never produced an output")
        if self.duplicates:
            found.append(f"{len(self.duplicates)} inputs produced more than one output")
        return found

    def assert_exactly_once(self) -> None:
        problems = self.problems()
        if problems:
            tail = "\n".join(self.logs[-2:])[-4000:]
            raise AssertionError("; ".join(problems) + f"\n--- service output (last runs) ---\n{tail}")


async def check_graceful_shutdown(
    *,
    kafka: KafkaSettings,
    command: Sequence[str],
    input_topic: str,
    output_topic: str,
    group: str,
    records: Sequence[tuple[bytes, bytes]],
    output_identity: Callable[[Record], str],
    input_identity: Callable[[Record], str] | None = None,
    env: Mapping[str, str] | None = None,
    stop_after: int | None = None,
    time_limit: float = 120.0,
) -> ShutdownCheckResult:
    """Run the scenario above; inspect or ``assert_exactly_once()`` the result. Topics must exist."""
    identify_input = input_identity or _key_text
    await _produce(kafka, input_topic, records)
    threshold = stop_after if stop_after is not None else max(1, len(records) // 4)
    logs: list[str] = []

    first = _Service(command, env)
    began = time.monotonic()
    try:
        await _wait_for(lambda: _count(kafka, output_topic), lambda n: n >= threshold, time_limit, "first outputs")
    except TimeoutError as exc:
        await first.kill(logs)
        raise TimeoutError(f"{exc}\n--- service output ---\n{logs[-1][-4000:]}") from exc
    stop_began = time.monotonic()
    first_exit = await first.sigterm_and_wait(time_limit, logs)
    first_stop_seconds = time.monotonic() - stop_began

    inputs = await _read_all(kafka, input_topic)
    outputs = await _read_all(kafka, output_topic)
    committed = await _committed(kafka, group)
    consumed_ids = {
        identify_input(record)
        for record in inputs
        if record.offset < committed.get(TopicPartition(record.topic, record.partition), 0)
    }
    output_ids = {output_identity(record) for record in outputs}
    result = ShutdownCheckResult(
        inputs=len(records),
        outputs_at_first_stop=len(outputs),
        committed_at_first_stop=len(consumed_ids),
        first_exit_code=first_exit,
        second_exit_code=None,
        uncommitted_outputs=sorted(output_ids - consumed_ids),
        committed_without_output=sorted(consumed_ids - output_ids),
        first_stop_seconds=first_stop_seconds,
        logs=logs,
    )

    second = _Service(command, env)
    try:
        remaining = max(time_limit - (time.monotonic() - began), 30.0)
        await _wait_for(lambda: _lag(kafka, group, input_topic), lambda lag: lag == 0, remaining, "the group to drain")
        await _wait_stable(lambda: _count(kafka, output_topic), 1.5)
    finally:
        result.second_exit_code = await second.sigterm_and_wait(time_limit, logs)

    all_inputs = {identify_input(record) for record in inputs}
    seen = Counter(output_identity(record) for record in await _read_all(kafka, output_topic))
    result.missing = sorted(all_inputs - set(seen))
    result.duplicates = {identity: n for identity, n in seen.items() if n > 1}
    return result


def _key_text(record: Record) -> str:
    return record.key.decode("utf-8") if record.key is not None else f"{record.partition}:{record.offset}"


class _Service:
    """One run of the service under test; its output goes to a file (a pipe nobody reads would block it)."""

    def __init__(self, command: Sequence[str], env: Mapping[str, str] | None) -> None:
        self.output = tempfile.TemporaryFile()  # noqa: SIM115 - closed in collect()
        self.process = subprocess.Popen(
            list(command),
            env={**os.environ, **(env or {})},
            stdin=subprocess.DEVNULL,
            stdout=self.output,
            stderr=subprocess.STDOUT,
        )

    def collect(self) -> str:
        self.output.seek(0)
        text = self.output.read().decode("utf-8", "replace")
        self.output.close()
        return text

    async def sigterm_and_wait(self, time_limit: float, logs: list[str]) -> int | None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            code: int | None = await asyncio.to_thread(self.process.wait, time_limit)
        except subprocess.TimeoutExpired:
            self.process.kill()
            await asyncio.to_thread(self.process.wait)
            code = None
        logs.append(self.collect())
        return code

    async def kill(self, logs: list[str]) -> None:
        self.process.kill()
        await asyncio.to_thread(self.process.wait)
        logs.append(self.collect())


async def _wait_for(
    measure: Callable[[], Awaitable[int]], done: Callable[[int], bool], time_limit: float, what: str
) -> int:
    deadline = time.monotonic() + time_limit
    value = 0
    while time.monotonic() < deadline:
        value = await measure()
        if done(value):
            return value
        await asyncio.sleep(0.2)
    raise TimeoutError(f"gave up waiting for {what} after {time_limit:.0f}s (last value {value})")


async def _wait_stable(measure: Callable[[], Awaitable[int]], quiet_seconds: float) -> None:
    last = await measure()
    while True:
        await asyncio.sleep(quiet_seconds)
        current = await measure()
        if current == last:
            return
        last = current


async def _produce(kafka: KafkaSettings, topic: str, records: Sequence[tuple[bytes, bytes]]) -> None:
    client = AIOKafkaProducer(**connection_options(kafka), enable_idempotence=True, acks="all")
    await client.start()
    try:
        futures = [await client.send(topic, value, key=key) for key, value in records]
        for future in futures:
            await future
    finally:
        await client.stop()


async def _partitions(kafka: KafkaSettings, topic: str) -> list[TopicPartition]:
    admin = AIOKafkaAdminClient(**connection_options(kafka))
    await admin.start()
    try:
        [described] = await admin.describe_topics([topic])
    finally:
        await admin.close()
    return [
        TopicPartition(topic, p["partition"]) for p in sorted(described["partitions"], key=lambda p: p["partition"])
    ]


async def _count(kafka: KafkaSettings, topic: str) -> int:
    client = AIOKafkaConsumer(**connection_options(kafka), group_id=None, enable_auto_commit=False)
    await client.start()
    try:
        partitions = await _partitions(kafka, topic)
        starts = await client.beginning_offsets(partitions)
        ends = await client.end_offsets(partitions)
        return sum(ends[tp] - starts[tp] for tp in partitions)
    finally:
        await client.stop()


async def _read_all(kafka: KafkaSettings, topic: str) -> list[Record]:
    client = AIOKafkaConsumer(
        **connection_options(kafka),
        group_id=None,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        isolation_level="read_committed",
    )
    await client.start()
    try:
        partitions = await _partitions(kafka, topic)
        ends = await client.end_offsets(partitions)
        client.assign(partitions)
        await client.seek_to_beginning(*partitions)
        found: list[Record] = []
        pending = {tp for tp in partitions if ends[tp] > 0}
        deadline = time.monotonic() + 30
        while pending and time.monotonic() < deadline:
            for tp, batch in (await client.getmany(timeout_ms=500)).items():
                found.extend(batch)
                if await client.position(tp) >= ends[tp]:
                    pending.discard(tp)
        return found
    finally:
        await client.stop()


async def _committed(kafka: KafkaSettings, group: str) -> dict[TopicPartition, int]:
    admin = AIOKafkaAdminClient(**connection_options(kafka))
    await admin.start()
    try:
        offsets = await admin.list_consumer_group_offsets(group)
        return {tp: meta.offset for tp, meta in offsets.items() if meta.offset >= 0}
    finally:
        await admin.close()


async def _lag(kafka: KafkaSettings, group: str, topic: str) -> int:
    committed = await _committed(kafka, group)
    client = AIOKafkaConsumer(**connection_options(kafka), group_id=None)
    await client.start()
    try:
        partitions = await _partitions(kafka, topic)
        ends = await client.end_offsets(partitions)
        return sum(ends[tp] - committed.get(tp, 0) for tp in partitions)
    finally:
        await client.stop()
