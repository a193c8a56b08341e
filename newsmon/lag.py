"""Consumer lag, read from Kafka itself: committed offsets against end offsets, per group, topic and partition.

- The groups are the system's: every consumer group whose name starts with one of ``prefixes`` (default
  ``newsmon``, which covers ``newsmon-enricher``, ``newsmon-indexer`` and the alerter's faust app id), or the
  ``groups`` named explicitly.
- Committed offsets come from the group coordinator (admin client), end offsets from a ListOffsets request
  (``latest``, read-uncommitted, the same figure Kafka's own ``kafka-consumer-groups.sh`` uses).
- Lag in records = end offset − committed offset, per partition, and totals per group.
- Lag in seconds = now − timestamp of the oldest unconsumed record (the record at the committed offset), 0 when
  caught up, ``None`` when that record cannot be read (deleted by retention, or only a transaction marker left).

::

    async with LagProbe(settings.kafka) as probe:
        report = await probe.measure(groups=["newsmon-enricher"])
    report.group("newsmon-enricher").total_lag

:class:`LagReporter` measures periodically and feeds ``Metrics.on_consumer_lag`` — what ``newsmon lag-exporter``
runs, so lag stays visible while the consumer itself is down.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError
from aiokafka.structs import TopicPartition

from newsmon.errors import TransientError
from newsmon.kafka import connection_options
from newsmon.metrics import Metrics
from newsmon.settings import KafkaSettings

log = logging.getLogger(__name__)

DEFAULT_GROUP_PREFIXES: tuple[str, ...] = ("newsmon",)


@dataclass(frozen=True)
class PartitionLag:
    topic: str
    partition: int
    committed: int | None
    """None: the group never committed here and will start at the beginning of the partition."""
    end: int
    lag: int
    lag_seconds: float | None
    oldest_unconsumed_at: datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["oldest_unconsumed_at"] = self.oldest_unconsumed_at.isoformat() if self.oldest_unconsumed_at else None
        return data


@dataclass(frozen=True)
class GroupLag:
    group: str
    state: str | None
    members: int | None
    partitions: tuple[PartitionLag, ...]

    @property
    def total_lag(self) -> int:
        return sum(p.lag for p in self.partitions)

    @property
    def max_lag_seconds(self) -> float | None:
        known = [p.lag_seconds for p in self.partitions if p.lag_seconds is not None]
        return max(known) if known else None

    def topic_totals(self) -> dict[str, int]:
        totals: dict[str, int] = {}
        for p in self.partitions:
            totals[p.topic] = totals.get(p.topic, 0) + p.lag
        return totals

    def partition(self, topic: str, partition: int) -> PartitionLag:
        for p in self.partitions:
            if p.topic == topic and p.partition == partition:
                return p
        raise KeyError(f"{self.group} has no committed offset for {topic}[{partition}]")

    def to_dict(self) -> dict[str, Any]:
        return {
            "group": self.group,
            "state": self.state,
            "members": self.members,
            "total_lag": self.total_lag,
            "max_lag_seconds": self.max_lag_seconds,
            "topics": self.topic_totals(),
            "partitions": [p.to_dict() for p in self.partitions],
        }


@dataclass(frozen=True)
class LagReport:
    taken_at: datetime
    groups: tuple[GroupLag, ...] = field(default_factory=tuple)

    def group(self, name: str) -> GroupLag:
        for group in self.groups:
            if group.group == name:
                return group
        raise KeyError(f"no committed offsets for consumer group {name!r}")

    def to_dict(self) -> dict[str, Any]:
        return {"taken_at": self.taken_at.isoformat(), "groups": [g.to_dict() for g in self.groups]}


class LagProbe:
    """Holds an admin client and a group-less consumer; ``measure()`` can be called repeatedly."""

    def __init__(self, settings: KafkaSettings, *, request_timeout_ms: int = 10_000) -> None:
        self._settings = settings
        options = connection_options(settings)
        self._admin = AIOKafkaAdminClient(
            **options, client_id=f"{settings.client_id}-lag", request_timeout_ms=request_timeout_ms
        )
        self._consumer = AIOKafkaConsumer(
            **options,
            client_id=f"{settings.client_id}-lag",
            group_id=None,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            isolation_level="read_uncommitted",
            request_timeout_ms=request_timeout_ms,
        )

    async def __aenter__(self) -> LagProbe:
        try:
            await self._admin.start()
            await self._consumer.start()
        except KafkaError as exc:
            await self.close()
            raise TransientError(f"cannot reach Kafka at {self._settings.bootstrap}: {exc}") from exc
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        await self._consumer.stop()
        await self._admin.close()

    async def list_groups(self, prefixes: Iterable[str] = DEFAULT_GROUP_PREFIXES) -> list[str]:
        """Consumer groups whose name starts with one of ``prefixes`` (all groups for ``("",)``)."""
        wanted = tuple(prefixes)
        listed = await self._admin.list_consumer_groups()
        return sorted({str(entry[0]) for entry in listed if str(entry[0]).startswith(wanted)})

    async def measure(
        self,
        *,
        groups: Sequence[str] | None = None,
        prefixes: Iterable[str] = DEFAULT_GROUP_PREFIXES,
        with_seconds: bool = True,
        seconds_timeout: float = 5.0,
    ) -> LagReport:
        """Lag of the named ``groups``, or of every group matching ``prefixes``. Groups without commits are left out."""
        names = list(groups) if groups is not None else await self.list_groups(prefixes)
        committed: dict[str, dict[TopicPartition, int]] = {}
        for name in names:
            offsets = await self._admin.list_consumer_group_offsets(name)
            kept = {tp: meta.offset for tp, meta in offsets.items() if meta.offset >= 0}
            if kept:
                committed[name] = kept
        descriptions = await self._describe(list(committed))
        # A group that committed on some partitions of a topic reads all of them; a partition it never committed
        # on is read from its beginning (newsmon's consumers start at "earliest"), so it lags by all it holds.
        topics = await self._topic_partitions({tp.topic for offsets in committed.values() for tp in offsets})
        positions: dict[str, dict[TopicPartition, int]] = {}
        never_committed: set[TopicPartition] = set()
        for name, offsets in committed.items():
            subscribed = [tp for topic in sorted({tp.topic for tp in offsets}) for tp in topics.get(topic, [])]
            never_committed.update(tp for tp in subscribed if tp not in offsets)
            positions[name] = {tp: offsets[tp] for tp in subscribed if tp in offsets}
        starts = await self._consumer.beginning_offsets(sorted(never_committed)) if never_committed else {}
        for name, offsets in committed.items():
            for topic in {tp.topic for tp in offsets}:
                for tp in topics.get(topic, []):
                    if tp not in positions[name]:
                        positions[name][tp] = starts[tp]
        every_partition = sorted({tp for partitions in topics.values() for tp in partitions})
        ends: dict[TopicPartition, int] = await self._consumer.end_offsets(every_partition) if every_partition else {}
        now = time.time()
        timestamps: dict[tuple[TopicPartition, int], float] = {}
        if with_seconds:
            # one group at a time: two groups may sit at different offsets of the same partition
            for resume in positions.values():
                behind = {tp: offset for tp, offset in resume.items() if ends.get(tp, 0) > offset}
                timestamps.update(await self._timestamps_at(behind, seconds_timeout))

        reports: list[GroupLag] = []
        for name, resume in positions.items():
            partitions = []
            for tp in sorted(resume):
                end = ends[tp]
                offset = resume[tp]
                lag = max(end - offset, 0)
                stamp = timestamps.get((tp, offset))
                seconds: float | None
                if lag == 0:
                    seconds = 0.0
                elif stamp is not None:
                    seconds = max(now - stamp, 0.0)
                else:
                    seconds = None
                partitions.append(
                    PartitionLag(
                        topic=tp.topic,
                        partition=tp.partition,
                        committed=committed[name].get(tp),
                        end=end,
                        lag=lag,
                        lag_seconds=seconds,
                        oldest_unconsumed_at=datetime.fromtimestamp(stamp, UTC) if stamp is not None and lag else None,
                    )
                )
            state, members = descriptions.get(name, (None, None))
            reports.append(GroupLag(group=name, state=state, members=members, partitions=tuple(partitions)))
        return LagReport(taken_at=datetime.fromtimestamp(now, UTC), groups=tuple(reports))

    async def _describe(self, names: list[str]) -> dict[str, tuple[str | None, int | None]]:
        """State and member count per group. One request per group: aiokafka 0.14 fails to decode a
        DescribeGroups response that holds several groups (the connection is dropped)."""
        found: dict[str, tuple[str | None, int | None]] = {}
        for name in names:
            try:
                responses = await self._admin.describe_consumer_groups([name])
            except KafkaError as exc:
                log.debug("cannot describe group %s: %r", name, exc)
                continue
            for response in responses:
                # DescribeGroups response rows: (error_code, group_id, state, protocol_type, protocol, members, ...)
                for row in getattr(response, "groups", ()):
                    try:
                        found[str(row[1])] = (str(row[2]) or None, len(row[5]))
                    except (IndexError, TypeError):
                        continue
        return found

    async def _topic_partitions(self, topics: Iterable[str]) -> dict[str, list[TopicPartition]]:
        """Partitions of each topic that exists; a group may keep offsets for a topic deleted since."""
        names = sorted(set(topics))
        if not names:
            return {}
        found: dict[str, list[TopicPartition]] = {}
        for described in await self._admin.describe_topics(names):
            if described.get("error_code", 0) == 0 and described.get("partitions"):
                numbers = sorted(p["partition"] for p in described["partitions"])
                found[str(described["topic"])] = [TopicPartition(str(described["topic"]), n) for n in numbers]
        return found

    async def _timestamps_at(
        self, positions: dict[TopicPartition, int], wait_seconds: float
    ) -> dict[tuple[TopicPartition, int], float]:
        """Timestamp (epoch seconds) of the record at each position: the oldest one the group has not consumed."""
        found: dict[tuple[TopicPartition, int], float] = {}
        if not positions:
            return found
        consumer = self._consumer
        consumer.assign(list(positions))
        for tp, offset in positions.items():
            consumer.seek(tp, offset)
        pending = set(positions)
        deadline = time.monotonic() + wait_seconds
        try:
            while pending and time.monotonic() < deadline:
                batches = await consumer.getmany(*pending, timeout_ms=200, max_records=len(pending) * 50)
                for tp, records in batches.items():
                    if tp in pending and records:
                        # the record at the committed offset, or the first after it (compaction, markers)
                        found[(tp, positions[tp])] = records[0].timestamp / 1000.0
                        pending.discard(tp)
        finally:
            consumer.assign([])
        return found


async def measure_lag(
    settings: KafkaSettings,
    *,
    groups: Sequence[str] | None = None,
    prefixes: Iterable[str] = DEFAULT_GROUP_PREFIXES,
    with_seconds: bool = True,
) -> LagReport:
    """One measurement with short-lived clients (what ``newsmon lag`` calls)."""
    async with LagProbe(settings) as probe:
        return await probe.measure(groups=groups, prefixes=prefixes, with_seconds=with_seconds)


class LagReporter:
    """Measures every ``interval`` seconds and reports each partition to ``metrics.on_consumer_lag``."""

    def __init__(
        self,
        settings: KafkaSettings,
        metrics: Metrics,
        *,
        groups: Sequence[str] | None = None,
        prefixes: Iterable[str] = DEFAULT_GROUP_PREFIXES,
        interval: float = 15.0,
    ) -> None:
        self._settings = settings
        self._metrics = metrics
        self._groups = groups
        self._prefixes = tuple(prefixes)
        self._interval = interval
        self.last_report: LagReport | None = None
        self.measured = asyncio.Event()
        self.healthy = False
        """Whether the last measurement succeeded (the exporter's readiness)."""

    async def run(self, stopping: asyncio.Event) -> None:
        """Until ``stopping`` is set; Kafka outages are logged and retried at the next interval."""
        from newsmon.lifecycle import sleep_or_stop

        probe: LagProbe | None = None
        try:
            while not stopping.is_set():
                try:
                    if probe is None:
                        probe = await LagProbe(self._settings).__aenter__()
                    report = await probe.measure(groups=self._groups, prefixes=self._prefixes)
                except (KafkaError, TransientError, OSError) as exc:
                    log.warning("lag measurement failed: %s", exc)
                    self.healthy = False
                    if probe is not None:
                        await probe.close()
                        probe = None
                else:
                    self.publish(report)
                if await sleep_or_stop(stopping, self._interval):
                    break
        finally:
            if probe is not None:
                await probe.close()

    def publish(self, report: LagReport) -> None:
        for group in report.groups:
            for p in group.partitions:
                self._metrics.on_consumer_lag(group.group, p.topic, p.partition, p.lag, p.lag_seconds)
        self.last_report = report
        self.healthy = True
        self.measured.set()
