"""Commands of the foundation: `infra up|down|status|bench`, `topics apply`, `schemas write`, `docs write`."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from rich.console import Console

    from newsmon.settings import CommonSettings

infra_app = typer.Typer(help="Local Kafka and Elasticsearch, started without Docker.", no_args_is_help=True)
topics_app = typer.Typer(help="Kafka topics from the topic table.", no_args_is_help=True)
schemas_app = typer.Typer(help="JSON Schemas of the message contracts.", no_args_is_help=True)
docs_app = typer.Typer(help="Generated reference documentation.", no_args_is_help=True)

JsonOption = Annotated[bool, typer.Option("--json", help="Machine-readable output")]


def register(app: typer.Typer) -> None:
    """Add this part's commands to the ``newsmon`` CLI."""
    app.add_typer(infra_app, name="infra")
    app.add_typer(topics_app, name="topics")
    app.add_typer(schemas_app, name="schemas")
    app.add_typer(docs_app, name="docs")


def _settings() -> CommonSettings:
    from newsmon.settings import CommonSettings

    return CommonSettings()


def _fail(message: str) -> typer.Exit:
    from rich.console import Console

    Console(stderr=True).print(f"[bold red]error:[/] {message}", highlight=False)
    return typer.Exit(code=1)


@infra_app.command("up")
def infra_up(
    kafka: Annotated[bool, typer.Option(help="Start the Kafka broker")] = True,
    elasticsearch: Annotated[bool, typer.Option(help="Start the Elasticsearch node")] = True,
    as_json: JsonOption = False,
) -> None:
    """Start the local Kafka broker and Elasticsearch node (downloads them once)."""

    from newsmon.errors import NewsmonError
    from newsmon.infra.stack import LocalStack

    _configure_logging()
    began = time.monotonic()
    stack = LocalStack(_settings().infra)
    try:
        results = stack.up(kafka=kafka, elasticsearch=elasticsearch)
    except NewsmonError as exc:
        raise _fail(str(exc)) from exc
    total = time.monotonic() - began
    if as_json:
        typer.echo(json.dumps({"seconds": round(total, 2), "servers": [r.__dict__ for r in results]}))
        return
    console = _console()
    for result in results:
        if result.already_running:
            console.print(f"[green]✓[/] {result.name} already running on {result.address} (pid {result.pid})")
        else:
            fetched = " (downloaded first)" if result.downloaded else ""
            extra = f" — {result.detail}" if result.detail else ""
            console.print(
                f"[green]✓[/] {result.name} up on {result.address} in {result.seconds:.1f}s "
                f"(pid {result.pid}){fetched}{extra}"
            )
    console.print(f"ready in {total:.1f}s; run dir {stack.kafka.dir.parent}")


@infra_app.command("down")
def infra_down(as_json: JsonOption = False) -> None:
    """Stop exactly the processes `infra up` started (from this run directory's pid files)."""
    from newsmon.infra.stack import LocalStack

    stopped = LocalStack(_settings().infra).down()
    if as_json:
        typer.echo(json.dumps(stopped))
        return
    for name, was_running in stopped.items():
        typer.echo(f"{name}: {'stopped' if was_running else 'was not running'}")


@infra_app.command("status")
def infra_status(as_json: JsonOption = False) -> None:
    """Show whether the local Kafka and Elasticsearch run, with the versions they report."""
    from rich.table import Table

    from newsmon.infra.stack import LocalStack

    statuses = LocalStack(_settings().infra).status()
    if as_json:
        typer.echo(json.dumps([{**s.__dict__, "running": s.running} for s in statuses]))
    else:
        table = Table(title="newsmon local infrastructure")
        for column in ("service", "state", "address", "pid", "version", "detail"):
            table.add_column(column, no_wrap=column != "detail", min_width=24 if column == "detail" else None)
        colours = {"running": "green", "stopped": "red", "foreign": "yellow", "unhealthy": "red"}
        for s in statuses:
            state = f"[{colours.get(s.state, 'white')}]{s.state}[/]"
            table.add_row(s.name, state, s.address, str(s.pid or "-"), s.version or "-", s.detail)
        _console().print(table)
    if not all(s.running for s in statuses):
        raise typer.Exit(code=3)


@infra_app.command("pins")
def infra_pins() -> None:
    """Print the checksum table for what Maven resolves now (paste into newsmon/infra/versions.py when bumping)."""
    import tempfile

    from newsmon.errors import NewsmonError
    from newsmon.infra.artifacts import resolve_pins

    with tempfile.TemporaryDirectory(prefix="newsmon-pins-") as work:
        try:
            jars, zip_sha = resolve_pins(Path(work))
        except NewsmonError as exc:
            raise _fail(str(exc)) from exc
    typer.echo("KAFKA_JARS: dict[str, str] = {")
    for name, digest in jars.items():
        typer.echo(f'    "{name}": "{digest}",')
    typer.echo("}")
    typer.echo(f'ELASTICSEARCH_ZIP_SHA256 = "{zip_sha}"')


@infra_app.command("bench")
def infra_bench(
    messages: Annotated[int, typer.Option(help="Kafka messages to produce and consume")] = 20_000,
    documents: Annotated[int, typer.Option(help="Documents to bulk-index")] = 20_000,
    repeat: Annotated[int, typer.Option(help="Runs per case; the median run is reported")] = 1,
    as_json: JsonOption = False,
) -> None:
    """Raw throughput of the broker and the node for 1 KB JSON documents (the ceiling for the pipeline)."""
    import asyncio

    from rich.table import Table

    from newsmon.infra.rawbench import run_raw_benchmarks

    results = asyncio.run(run_raw_benchmarks(_settings(), messages=messages, documents=documents, repeat=repeat))
    if as_json:
        typer.echo(json.dumps([r.as_dict() for r in results]))
        return
    table = Table(title="raw Kafka and Elasticsearch throughput, 1 KB JSON documents")
    for column in ("case", "count", "seconds", "docs/s", "MB/s"):
        table.add_column(column, justify="right" if column != "case" else "left")
    for r in results:
        table.add_row(r.case, str(r.count), f"{r.seconds:.2f}", f"{r.per_second:,.0f}", f"{r.mb_per_second:.1f}")
    _console().print(table)


@topics_app.command("apply")
def topics_apply(as_json: JsonOption = False) -> None:
    """Create or update every topic of the topic table (idempotent; partitions only grow)."""
    import asyncio

    from newsmon.errors import NewsmonError
    from newsmon.infra.topics import apply_topics

    try:
        outcomes = asyncio.run(apply_topics(_settings().kafka))
    except NewsmonError as exc:
        raise _fail(str(exc)) from exc
    if as_json:
        typer.echo(json.dumps([o.__dict__ for o in outcomes]))
    else:
        console = _console()
        for outcome in outcomes:
            colour = "red" if outcome.action == "refused" else "green"
            line = f"{outcome.topic}: [bold {colour}]{outcome.action}[/] {outcome.detail}"
            console.print(line.rstrip(), highlight=False)
    if any(outcome.action == "refused" for outcome in outcomes):
        raise typer.Exit(code=2)


@schemas_app.command("write")
def schemas_write(
    directory: Annotated[Path, typer.Option(help="Where the schema files go")] = Path("deploy/schemas"),
) -> None:
    """Regenerate deploy/schemas/ from the message contracts."""
    from newsmon.schemas import write_schemas

    for path in write_schemas(directory):
        typer.echo(f"wrote {path}")


@docs_app.command("write")
def docs_write(
    output: Annotated[Path, typer.Option(help="Markdown file to write")] = Path("docs/configuration.md"),
) -> None:
    """Regenerate docs/configuration.md from the settings' field descriptions."""
    from newsmon.infra.configdocs import render_configuration

    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(render_configuration())
    typer.echo(f"wrote {output}")


def _console() -> Console:
    from rich.console import Console

    console = Console()
    if not console.is_terminal:  # piped or logged: do not squeeze lines into 80 columns
        console = Console(width=160)
    return console


def _configure_logging() -> None:
    import logging

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
