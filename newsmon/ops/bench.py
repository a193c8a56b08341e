"""Micro-benchmarks of the operations layer: ``python -m newsmon.ops.bench [--bootstrap HOST:PORT]``.

- the cost of one metric hook call (Prometheus, in-memory, no-op), against a bare prometheus-client counter;
- one ``/metrics`` scrape of a populated registry over HTTP;
- with ``--bootstrap``: one lag measurement of a 6-partition group, with and without lag in time.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
import uuid
from collections.abc import Callable
from functools import partial

from prometheus_client import CollectorRegistry, Counter

from newsmon.metrics import InMemoryMetrics, Metrics, NullMetrics, PrometheusMetrics


def per_call_ns(call: Callable[[], None], calls: int = 200_000) -> float:
    best = float("inf")
    for _ in range(3):
        began = time.perf_counter_ns()
        for _ in range(calls):
            call()
        best = min(best, (time.perf_counter_ns() - began) / calls)
    return best


def hook_costs() -> dict[str, float]:
    bare = Counter("bare", "bare counter", ["service", "topic"], registry=CollectorRegistry())
    costs = {"bare prometheus-client counter .labels().inc()": per_call_ns(lambda: bare.labels("x", "t").inc())}
    implementations: list[tuple[str, Metrics]] = [
        ("PrometheusMetrics", PrometheusMetrics("bench")),
        ("InMemoryMetrics", InMemoryMetrics()),
        ("NullMetrics", NullMetrics()),
    ]
    for name, metrics in implementations:
        calls = 200_000 if not isinstance(metrics, InMemoryMetrics) else 50_000
        costs[f"{name}.on_message_in"] = per_call_ns(partial(metrics.on_message_in, "articles.raw"), calls)
        costs[f"{name}.on_freshness"] = per_call_ns(partial(metrics.on_freshness, "alerted", 900.0, 30.0), calls)
    return costs


async def scrape_ms() -> float:
    import httpx

    from newsmon.health import HealthServer

    metrics = PrometheusMetrics("bench")
    for n in range(50):
        metrics.on_message_in(f"topic-{n % 6}")
        metrics.on_feed_poll("new", feed=f"https://feed-{n}.example/rss")
        metrics.on_freshness("alerted", n * 10.0, n * 1.0)
        metrics.on_consumer_lag("newsmon-enricher", "articles.raw", n % 6, n, 1.0)
    async with (
        HealthServer(service="bench", registry=metrics.registry) as server,
        httpx.AsyncClient(base_url=server.url) as client,
    ):
        timings = []
        for _ in range(200):
            began = time.perf_counter()
            response = await client.get("/metrics")
            response.raise_for_status()
            timings.append((time.perf_counter() - began) * 1000)
    return statistics.median(timings)


async def lag_ms(bootstrap: str) -> dict[str, float]:
    from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
    from aiokafka.admin import AIOKafkaAdminClient, NewTopic

    from newsmon.lag import LagProbe
    from newsmon.settings import KafkaSettings

    topic, group = f"bench-{uuid.uuid4().hex[:8]}", f"newsmon-bench-{uuid.uuid4().hex[:8]}"
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    await admin.create_topics([NewTopic(topic, 6, 1)])
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    for n in range(600):
        await producer.send(topic, b"{}", partition=n % 6)
    await producer.stop()
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=group, auto_offset_reset="earliest",
                                enable_auto_commit=False)  # fmt: skip
    await consumer.start()
    await consumer.getmany(timeout_ms=2000, max_records=300)
    await consumer.commit()
    await consumer.stop()
    results = {}
    async with LagProbe(KafkaSettings(bootstrap=bootstrap)) as probe:
        for with_seconds in (False, True):
            timings = []
            for _ in range(10):
                began = time.perf_counter()
                await probe.measure(groups=[group], with_seconds=with_seconds)
                timings.append((time.perf_counter() - began) * 1000)
            results["with lag in time" if with_seconds else "offsets only"] = statistics.median(timings)
    await admin.delete_topics([topic])
    await admin.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bootstrap", help="Kafka bootstrap servers; measure lag too")
    args = parser.parse_args()
    for name, ns in hook_costs().items():
        print(f"hook  {name:55s} {ns:8.0f} ns/call")
    print(f"scrape /metrics (50 feeds, 6 partitions, 5 histograms)      {asyncio.run(scrape_ms()):8.2f} ms median")
    if args.bootstrap:
        for name, ms in asyncio.run(lag_ms(args.bootstrap)).items():
            print(f"lag   one 6-partition group, {name:30s} {ms:8.1f} ms median")


if __name__ == "__main__":
    main()
