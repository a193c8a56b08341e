"""A minimal consumer built the way every newsmon service is: read, handle, publish, commit — and stop gracefully.

Run as a process by the shutdown tests: ``python relay_worker.py --input T --output U --group G [--delay 0.01]``.
Reads RawArticles from ``--input`` and republishes each one (after ``--delay`` seconds of "work") to ``--output``.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import time

from newsmon.contracts import RawArticle
from newsmon.health import serve_health
from newsmon.kafka import KafkaPublisher, consumer, decode, producer
from newsmon.lifecycle import DEFAULT_SIGNALS, graceful_shutdown
from newsmon.logging import bind_context, configure_logging, context_from_headers, correlation_headers
from newsmon.metrics import PrometheusMetrics, age_seconds
from newsmon.settings import CommonSettings

log = logging.getLogger("relay")


async def run(args: argparse.Namespace) -> None:
    settings = CommonSettings()
    configure_logging("relay", settings.logging)
    metrics = PrometheusMetrics("relay")
    # --no-graceful: SIGTERM keeps its default action (the process dies at once), to show the harness notices
    signals = () if args.no_graceful else DEFAULT_SIGNALS
    async with (
        graceful_shutdown(signals) as stopping,
        serve_health(settings.metrics, service="relay", metrics=metrics) as health,
        producer(settings.kafka) as kafka_producer,
        consumer(settings.kafka, group=args.group, topics=[args.input]) as kafka_consumer,
    ):
        health.set_ready("kafka")
        publisher = KafkaPublisher(kafka_producer, settings.kafka)
        handled = 0
        while not stopping.is_set():
            batches = await kafka_consumer.getmany(timeout_ms=300, max_records=args.batch)
            for records in batches.values():
                for record in records:
                    began = time.perf_counter()
                    metrics.on_message_in(args.input)
                    article = decode(RawArticle, record.value)
                    with bind_context(**context_from_headers(record.headers), article_id=article.id):
                        await asyncio.sleep(args.delay)  # the work
                        await publisher.publish(args.output, article.id, article, headers=correlation_headers())
                    metrics.on_message_out(args.output)
                    metrics.on_freshness("relayed", age_seconds(article.published), age_seconds(article.fetched_at))
                    metrics.on_processed("relay", time.perf_counter() - began)
                    handled += 1
            if batches:
                # every record handed out by getmany was published above: commit exactly those
                await kafka_consumer.commit()
        log.info("stopping after %d records: committed, flushing the producer", handled)
    log.info("stopped cleanly")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--input", required=True, help="logical input topic (the settings' prefix applies)")
    parser.add_argument("--output", required=True, help="logical output topic")
    parser.add_argument("--group", required=True)
    parser.add_argument("--delay", type=float, default=0.01, help="seconds of simulated work per record")
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument("--no-graceful", action="store_true", help="leave SIGTERM unhandled")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
