"""Benchmarks of the alerter: claims per second through the pure rules, and through the faust worker on Kafka.

``python -m services.alerter.bench rules [CLAIMS] [PLACES]``, ``python -m services.alerter.bench faust [CLAIMS]
[RATE, 0 = all at once] [QUIET SHARE]`` and ``python -m services.alerter.bench articles [ARTICLES] [PLACES]`` (the
last two need the broker named by ``NEWSMON_KAFKA__BOOTSTRAP`` and start ``newsmon alert`` as a separate process;
``articles`` sends records shaped like the enricher's: twelve per article over three places, 256-value signatures).
All report CPU seconds too (of the worker, for faust): on a machine shared with other work, claims per CPU second is
the figure that does not depend on the neighbours.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from newsmon.contracts import AlertEvent, Claim, NumericFact, StorySignature
from newsmon.contracts.claims import place_key
from newsmon.settings import KafkaSettings
from services.alerter.embedded import EmbeddedAlerter
from services.alerter.samples import MONDAY, PUTIN, RU_MOD, UA_MILITARY, article, claim, fact, hours, place
from services.alerter.settings import AlerterSection, AlerterSettings


def workload(claims: int, places: int, quiet_share: float = 0.0) -> list[Claim]:
    """Alternating RU capture claims and UA answers, each from its own article, spread over ``places``: every
    claim after the first two at a place opens or updates an alert (the expensive path). ``quiet_share`` of the
    claims are strikes instead, which dispute nothing (most of a real stream)."""
    records = []
    for n in range(claims):
        where = place(f"Town {n % places}", 1_000_000 + n % places)
        at = article(f"https://bench.example/{n}", f"Outlet {n % 7}", published=MONDAY + hours(n / places))
        if (n * 7919) % 1000 < quiet_share * 1000:
            records.append(claim("struck", RU_MOD, at=at, where=where, actor="RU", about=MONDAY))
        elif n // places % 2 == 0:
            records.append(claim("captured", RU_MOD, at=at, where=where, actor="RU", about=MONDAY))
        else:
            records.append(claim("contested", UA_MILITARY, at=at, where=where, about=MONDAY + hours(1)))
    return records


def article_workload(articles: int, places: int, seed: int = 1) -> list[Claim | NumericFact]:
    """Records as the enricher sends them: twelve per article, consecutive, about three of ``places`` (seven,
    three and one claims, then a distance between the first two), each carrying the article's 256-value signature.
    One claim in six captures or contests the place (disputes), the rest are strikes."""
    rnd = random.Random(seed)
    towns = [place(f"Town {n}", 1_000_000 + n) for n in range(places)]
    records: list[Claim | NumericFact] = []
    for n in range(articles):
        at = article(f"https://bench.example/a/{n}", f"Outlet {n % 7}", published=MONDAY + hours(n / 50))
        story = StorySignature(minhash=tuple(sorted(rnd.sample(range(1 << 32), 256))))
        first, second, third = rnd.sample(towns, 3)
        for k in range(11):
            where = first if k < 7 else second if k < 10 else third
            draw = rnd.random()
            if draw < 0.08:
                made = claim("captured", RU_MOD, at=at, where=where, actor="RU", about=at.published, offset=k * 100)
            elif draw < 0.16:
                made = claim("contested", UA_MILITARY, at=at, where=where, about=at.published, offset=k * 100)
            else:
                made = claim("struck", PUTIN, at=at, where=where, actor="RU", offset=k * 100)
            records.append(made.model_copy(update={"story": story}))
        distance = fact(10 + rnd.random() * 20, at=at, places=(first, second), offset=2000)
        records.append(distance.model_copy(update={"story": story}))
    return records


@dataclass(frozen=True)
class RulesResult:
    claims: int
    places: int
    seconds: float
    events: int
    cpu_seconds: float = 0.0

    @property
    def per_second(self) -> float:
        return self.claims / self.seconds


def bench_rules(claims: int = 20_000, places: int = 200, quiet_share: float = 0.0) -> RulesResult:
    records = workload(claims, places, quiet_share)
    alerter = EmbeddedAlerter()
    started, cpu_started = time.perf_counter(), time.process_time()
    events = sum(len(alerter.process(record)) for record in records)
    return RulesResult(claims, places, time.perf_counter() - started, events, time.process_time() - cpu_started)


@dataclass(frozen=True)
class FaustResult:
    claims: int
    places: int
    seconds: float
    events: int
    latency_p50_ms: float
    latency_p99_ms: float
    worker_cpu_seconds: float | None = None

    @property
    def per_second(self) -> float:
        return self.claims / self.seconds

    @property
    def per_cpu_second(self) -> float | None:
        """Claims per second of the worker's own CPU time: what one core would sustain, whatever else runs."""
        return self.claims / self.worker_cpu_seconds if self.worker_cpu_seconds else None


def cpu_seconds(pid: int) -> float | None:
    """User plus system CPU time of a process so far (Linux ``/proc``), None where that cannot be read."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


async def bench_faust(
    bootstrap: str,
    claims: int = 5_000,
    places: int = 100,
    rate: float | None = None,
    quiet_share: float = 0.0,
    records: Sequence[Claim | NumericFact] | None = None,
) -> FaustResult:
    """Produce claims to a fresh prefix while the worker runs; time from produce to the event on ``alerts``.

    Without ``rate`` every claim is produced at once (throughput; latency then includes the queue); with a rate
    (claims per second, below the throughput) latency is that of one claim through the worker. ``records``, when
    given, are sent instead of ``workload(claims, places, quiet_share)``.
    """
    from newsmon.kafka import consumer, producer
    from services.alerter.app import ensure_topics

    prefix = f"bench-{uuid.uuid4().hex[:8]}."
    with tempfile.TemporaryDirectory() as data_dir:
        settings = AlerterSettings(
            kafka=KafkaSettings(bootstrap=bootstrap, topic_prefix=prefix),
            alerter=AlerterSection(data_dir=Path(data_dir)),
        )
        await ensure_topics(settings)
        env = dict(os.environ, NEWSMON_KAFKA__BOOTSTRAP=bootstrap, NEWSMON_KAFKA__TOPIC_PREFIX=prefix)
        env["NEWSMON_ALERTER__DATA_DIR"] = data_dir
        env["NEWSMON_LOGGING__LEVEL"] = "WARNING"
        worker = subprocess.Popen(  # noqa: ASYNC220 - started once, before the measurement
            [str(Path(sys.executable).with_name("newsmon")), "alert"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            records = list(records) if records is not None else workload(claims, places, quiet_share)
            claims = len(records)
            sent_at: dict[str, float] = {}
            latencies: list[float] = []
            # the claims that raise an event, as the same rules in process say
            alerter = EmbeddedAlerter()
            expected = len({e.cause_article_id for record in records for e in alerter.process(record)})
            received_at: dict[str, float] = {}
            async with (
                consumer(settings.kafka, group=None, topics=["alerts"]) as alerts,
                producer(settings.kafka) as client,
            ):
                # Warm-up: wait until the worker has joined and answers one dispute.
                topic = settings.kafka.topic("claims.by-place")
                warm = [c.model_copy(update={"place": place("Warm", 999)}) for c in workload(2, 1)]
                for record in warm:
                    await client.send_and_wait(topic, record.to_json_bytes(), key=record.place.id.encode())
                while not any((await alerts.getmany(timeout_ms=1000)).values()):
                    pass

                async def collect() -> None:
                    while len(received_at) < expected:
                        batch = await alerts.getmany(timeout_ms=500, max_records=2000)
                        now = time.perf_counter()
                        for partition_records in batch.values():
                            for message in partition_records:
                                event = AlertEvent.model_validate_json(message.value or b"")
                                received_at.setdefault(event.cause_article_id or "", now)

                collector = asyncio.create_task(collect())
                cpu_before = cpu_seconds(worker.pid)
                started = time.perf_counter()
                for index, sent in enumerate(records):
                    if rate:
                        await asyncio.sleep(max(0.0, started + index / rate - time.perf_counter()))
                    sent_at.setdefault(sent.article.article_id, time.perf_counter())
                    await client.send(topic, sent.to_json_bytes(), key=place_key(sent).encode())
                await client.flush()
                try:
                    await asyncio.wait_for(collector, timeout=600)
                except TimeoutError:
                    collector.cancel()
                cpu_after = cpu_seconds(worker.pid)
            for cause, received in received_at.items():
                if cause in sent_at:
                    latencies.append((received - sent_at[cause]) * 1000)
            events = len(latencies)
            last = max(received_at.values(), default=started)
            latencies.sort()
            return FaustResult(
                claims,
                places,
                last - started,
                events,
                statistics.median(latencies) if latencies else float("nan"),
                latencies[int(len(latencies) * 0.99) - 1] if latencies else float("nan"),
                cpu_after - cpu_before if cpu_after is not None and cpu_before is not None else None,
            )
        finally:
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(timeout=60)
            except subprocess.TimeoutExpired:
                worker.kill()


def main() -> None:
    which = sys.argv[1] if len(sys.argv) > 1 else "rules"
    if which == "rules":
        claims = int(sys.argv[2]) if len(sys.argv) > 2 else 20_000
        places = int(sys.argv[3]) if len(sys.argv) > 3 else 200
        for quiet_share in (0.0, 0.8):
            result = bench_rules(claims, places, quiet_share=quiet_share)
            summary = {
                "quiet_share": quiet_share,
                "claims_per_second": round(result.per_second),
                "claims_per_cpu_second": round(result.claims / result.cpu_seconds),
                "load_average": os.getloadavg()[0],
            }
            print(json.dumps({**asdict(result), **summary}))
    else:
        bootstrap = os.environ.get("NEWSMON_KAFKA__BOOTSTRAP", "127.0.0.1:9092")
        if which == "articles":
            places = int(sys.argv[3]) if len(sys.argv) > 3 else 100
            records = article_workload(int(sys.argv[2]) if len(sys.argv) > 2 else 300, places)
            faust_result = asyncio.run(bench_faust(bootstrap, places=places, records=records))
        else:
            claims = int(sys.argv[2]) if len(sys.argv) > 2 else 5_000
            rate = float(sys.argv[3]) if len(sys.argv) > 3 and float(sys.argv[3]) > 0 else None
            quiet = float(sys.argv[4]) if len(sys.argv) > 4 else 0.0
            faust_result = asyncio.run(bench_faust(bootstrap, claims=claims, rate=rate, quiet_share=quiet))
        per_cpu = faust_result.per_cpu_second
        print(
            json.dumps(
                {
                    **asdict(faust_result),
                    "claims_per_second": round(faust_result.per_second),
                    "claims_per_cpu_second": round(per_cpu) if per_cpu else None,
                    "load_average": os.getloadavg()[0],
                }
            )
        )


if __name__ == "__main__":
    main()
