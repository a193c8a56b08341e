"""``newsmon bench``: the end-to-end benchmark and the fault suite on the real stack."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Annotated

import typer

bench_app = typer.Typer(help="End-to-end benchmark and fault suite on the real Kafka and Elasticsearch.")


def register(app: typer.Typer) -> None:
    app.add_typer(bench_app, name="bench")


SeedsOption = Annotated[Path | None, typer.Option("--seeds", help="Directory of seed articles (*.txt)")]


def _servers() -> tuple[str, str, object | None]:
    """Servers named in the environment, else the local stack (started here and stopped afterwards if it was down)."""
    from newsmon.infra.stack import LocalStack
    from newsmon.settings import InfraSettings

    kafka = os.environ.get("NEWSMON_KAFKA_BOOTSTRAP")
    es = os.environ.get("NEWSMON_ES_URL")
    if kafka and es:
        return kafka, es, None
    stack = LocalStack(InfraSettings())
    started = [s.name for s in stack.status() if not s.running]
    stack.up()
    return stack.kafka.bootstrap, stack.elasticsearch.url, stack if started else None


@bench_app.command("run")
def bench_run(
    articles: Annotated[int, typer.Option(help="Articles to produce")] = 3000,
    rate: Annotated[float, typer.Option(help="Articles per second offered to articles.raw")] = 200.0,
    seeds: SeedsOption = None,
) -> None:
    """Measure sustained articles/s and produce→alert / produce→searchable latency; compare with raw limits."""
    from rich.console import Console
    from rich.table import Table

    from newsmon.bench.e2e import BenchConfig, default_seeds_dir, run

    console = Console()
    kafka, es, started = _servers()
    try:
        config = BenchConfig(kafka, es, seeds or default_seeds_dir(), articles=articles, rate=rate)
        result = asyncio.run(run(config, report=console.print))
    finally:
        if started is not None:
            started.down()  # type: ignore[attr-defined]
    table = Table(title="end-to-end benchmark")
    table.add_column("figure")
    table.add_column("value", justify="right")
    rows = [
        ("articles produced / searchable", f"{result.articles} / {result.searchable}"),
        ("offered rate (articles/s)", f"{result.offered_rate:.0f}"),
        ("sustained rate (articles/s)", f"{result.sustained_per_s:.1f}"),
        ("produce → alert p50 / p99 (s)", f"{result.alert_p50:.3f} / {result.alert_p99:.3f}"),
        ("produce → searchable p50 / p99 (s)", f"{result.search_p50:.3f} / {result.search_p99:.3f}"),
        ("articles that caused an alert event", str(result.alerted_articles)),
        ("alert events (duplicated records)", f"{result.alert_events} ({result.duplicate_alert_events})"),
        ("raw Kafka produce+consume (msgs/s)", f"{result.raw_kafka_per_s:.0f}"),
        ("raw Elasticsearch bulk (docs/s)", f"{result.raw_es_per_s:.0f}"),
        ("ours / raw Kafka", f"{result.sustained_per_s / result.raw_kafka_per_s:.3f}"),
        ("ours / raw Elasticsearch", f"{result.sustained_per_s / result.raw_es_per_s:.3f}"),
    ]
    rows += [(f"CPU seconds: {name}", f"{seconds:.1f}") for name, seconds in sorted(result.cpu_seconds.items())]
    for row in rows:
        table.add_row(*row)
    console.print(table)
    print(result.summary_line())


@bench_app.command("faults")
def bench_faults(
    articles: Annotated[int, typer.Option(help="Articles per case")] = 40,
    seeds: SeedsOption = None,
    only: Annotated[list[str] | None, typer.Option("--case", help="Run only these cases")] = None,
) -> None:
    """Kill, restart and starve each part mid-stream; count what went in and out. Fails on any loss or duplicate."""
    from newsmon.bench.e2e import default_seeds_dir
    from newsmon.bench.faults import print_table, run_suite

    kafka, es, started = _servers()
    try:
        results = asyncio.run(
            run_suite(kafka, es, seeds or default_seeds_dir(), articles=articles, only=only, servers=started)
        )
    finally:
        if started is not None:
            started.down()  # type: ignore[attr-defined]
    print_table(results)
    if any(not r.ok for r in results):
        raise typer.Exit(1)
