"""``newsmon bench run|faults``: the end-to-end benchmark and the fault suite on the real stack.

Servers: ``NEWSMON_KAFKA_BOOTSTRAP`` + ``NEWSMON_ES_URL`` name running ones (never stopped or restarted: the cases
that need that are skipped). Otherwise the local stack of ``--run-dir`` / ``--kafka-port`` / ``--es-port`` (or the
``NEWSMON_INFRA__*`` settings) is used: started when it is not running and stopped again at the end. Only servers
started here are restarted by fault cases, unless ``--own-stack`` says the running stack of that run dir belongs to
the caller (never pass it for the shared dev stack).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from newsmon.bench.faults import Servers

bench_app = typer.Typer(help="End-to-end benchmark and fault suite on the real Kafka and Elasticsearch.")


def register(app: typer.Typer) -> None:
    app.add_typer(bench_app, name="bench")


SeedsOption = Annotated[Path | None, typer.Option("--seeds", help="Directory of seed articles (*.txt)")]
RunDirOption = Annotated[
    Path | None, typer.Option("--run-dir", help="Run directory of the local stack (default: NEWSMON_INFRA__RUN_DIR)")
]
KafkaPortOption = Annotated[int | None, typer.Option("--kafka-port", help="Port of the local broker (controller: +1)")]
EsPortOption = Annotated[int | None, typer.Option("--es-port", help="HTTP port of the local node (transport: +100)")]
OwnStackOption = Annotated[
    bool, typer.Option("--own-stack", help="The running stack of --run-dir is yours: fault cases may restart it")
]


@contextmanager
def servers(
    run_dir: Path | None, kafka_port: int | None, es_port: int | None, *, own_stack: bool = False
) -> Iterator[Servers]:
    """Servers named in the environment, else the local stack (started here and stopped afterwards if it was down)."""
    from rich.console import Console

    from newsmon.bench.faults import Servers, start_when_port_free
    from newsmon.infra.processes import free_port
    from newsmon.infra.stack import LocalStack
    from newsmon.settings import CommonSettings

    kafka = os.environ.get("NEWSMON_KAFKA_BOOTSTRAP")
    es = os.environ.get("NEWSMON_ES_URL")
    if kafka and es:
        yield Servers(kafka, es)
        return
    infra = CommonSettings().infra
    updates: dict[str, object] = {}
    if run_dir is not None:
        updates["run_dir"] = run_dir
    if kafka_port is not None:
        updates |= {"kafka_port": kafka_port, "kafka_controller_port": kafka_port + 1}
    if es_port is not None:
        updates |= {"es_port": es_port, "es_transport_port": es_port + 100}
    stack = LocalStack(infra.model_copy(update=updates))
    statuses = stack.status()
    scratch: Path | None = None
    if not updates and any(status.state == "foreign" for status in statuses):
        # Something not started from this run dir holds the default ports (another checkout's stack, a container):
        # leave it alone and run a stack of our own on free ports beside it.
        scratch = Path(tempfile.mkdtemp(prefix="newsmon-bench-stack-"))
        scratch.chmod(0o755)  # the Elasticsearch user must be able to enter it
        ports = {name: free_port() for name in ("kafka_port", "kafka_controller_port", "es_port", "es_transport_port")}
        stack = LocalStack(infra.model_copy(update={"run_dir": scratch, **ports}))
        statuses = stack.status()
    was_running = {status.name for status in statuses if status.running}
    started = {"kafka", "elasticsearch"} - was_running
    if started:
        names = " and ".join(sorted(started))
        Console(stderr=True).print(f"starting {names} of the local stack in {stack.settings.run_dir}")
    stack.up()
    owned = own_stack or not was_running
    try:
        yield Servers(stack.kafka.bootstrap, stack.elasticsearch.url, stack if owned else None, stack)
    finally:
        for name, server in (("kafka", stack.kafka), ("elasticsearch", stack.elasticsearch)):
            if name in started:
                server.stop()
            elif not server.is_running():  # it ran before the suite: leave it running, even if a failed case stopped it
                start_when_port_free(server)
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)


@bench_app.command("run")
def bench_run(
    articles: Annotated[int, typer.Option(help="Articles to produce")] = 3000,
    rate: Annotated[float, typer.Option(help="Articles per second offered to articles.raw")] = 200.0,
    enrichers: Annotated[int, typer.Option(help="Enricher processes (one consumer group)")] = 1,
    drain: Annotated[float, typer.Option(help="Seconds to wait after the load for the last articles")] = 180.0,
    seeds: SeedsOption = None,
    run_dir: RunDirOption = None,
    kafka_port: KafkaPortOption = None,
    es_port: EsPortOption = None,
    markdown: Annotated[bool, typer.Option(help="Also print the table as Markdown (for docs/benchmarks.md)")] = False,
    profile: Annotated[
        Path | None, typer.Option(help="Sample every service with py-spy into this directory and print the top")
    ] = None,
) -> None:
    """Measure sustained articles/s and produce→alert / produce→searchable latency; compare with raw limits."""
    from rich.console import Console

    from newsmon.bench.e2e import BenchConfig, default_seeds_dir, result_rows, run

    console = Console(stderr=True)
    _quiet_clients()
    with servers(run_dir, kafka_port, es_port) as found:
        config = BenchConfig(
            found.kafka_bootstrap,
            found.es_url,
            seeds or default_seeds_dir(),
            articles=articles,
            rate=rate,
            enrichers=enrichers,
            drain_timeout=drain,
            server_pids=found.pids(),
            profile_dir=profile,
        )
        result = asyncio.run(run(config, report=console.print))
    from rich.table import Table

    table = Table(title="end-to-end benchmark")
    table.add_column("figure")
    table.add_column("value", justify="right")
    for row in result_rows(result):
        table.add_row(*row)
    Console().print(table)
    if profile is not None:
        _print_profiles(profile)
    if markdown:
        print("| figure | value |\n|---|---|")
        print("\n".join(f"| {name} | {value} |" for name, value in result_rows(result)))
    print(result.summary_line())


@bench_app.command("faults")
def bench_faults(
    articles: Annotated[int, typer.Option(help="Articles per case")] = 40,
    seeds: SeedsOption = None,
    only: Annotated[list[str] | None, typer.Option("--case", help="Run only the cases whose name has this")] = None,
    run_dir: RunDirOption = None,
    kafka_port: KafkaPortOption = None,
    es_port: EsPortOption = None,
    own_stack: OwnStackOption = False,
    markdown: Annotated[bool, typer.Option(help="Also print the table as Markdown (for docs/benchmarks.md)")] = False,
) -> None:
    """Kill, restart and starve each part mid-stream; count what went in and out. Fails on any loss or duplicate."""
    from newsmon.bench.e2e import default_seeds_dir
    from newsmon.bench.faults import run_suite
    from newsmon.bench.outcomes import print_table

    _quiet_clients()
    with servers(run_dir, kafka_port, es_port, own_stack=own_stack) as found:
        results = asyncio.run(
            run_suite(found, seeds or default_seeds_dir(), articles=articles, only=only, report=_report)
        )
    print_table(results, markdown=markdown)
    if any(not r.ok for r in results):
        raise typer.Exit(1)


def _print_profiles(directory: Path) -> None:
    from newsmon.bench.profile import summarize

    for raw in sorted(directory.glob("*.txt")):
        samples, rows = summarize(raw)
        print(f"\n{raw.stem}: {samples} samples (own share, inclusive share, function)")
        for function, inclusive, own in rows:
            print(f"  {own:6.1%} {inclusive:6.1%}  {function}")


def _quiet_clients() -> None:
    """The broker restart and the node outage are on purpose: the clients' reconnect errors are not news."""
    import logging

    for name in ("aiokafka", "elastic_transport", "kafka"):
        logging.getLogger(name).setLevel(logging.CRITICAL)


def _report(line: str) -> None:
    print(line, flush=True)
