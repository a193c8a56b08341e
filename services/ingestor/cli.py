"""Commands of the ingestor: ``newsmon ingest``, ``newsmon feeds import``, ``newsmon feeds check``."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Annotated, Any

import typer

feeds_app = typer.Typer(name="feeds", help="Manage and inspect the feed list.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    """Add this part's commands to the ``newsmon`` CLI."""
    app.command(name="ingest")(ingest)
    app.add_typer(feeds_app)


def ingest(
    feeds_file: Annotated[
        Path | None, typer.Option("--feeds", help="Feed list to poll (default: settings ingestor.feeds_file)")
    ] = None,
    run_for: Annotated[float | None, typer.Option(help="Stop after this many seconds")] = None,
) -> None:
    """Poll the feeds and write new articles to articles.raw, each exactly once (runs until SIGTERM)."""
    from newsmon.logging import configure_logging
    from services.ingestor.settings import IngestorSettings

    settings = IngestorSettings()
    if feeds_file is not None:
        settings.ingestor.feeds_file = feeds_file
    if run_for is not None:
        settings.ingestor.run_for = run_for
    configure_logging("ingestor", settings.logging)
    asyncio.run(_ingest(settings))


async def _ingest(settings: Any) -> None:
    import logging

    from newsmon.lifecycle import graceful_shutdown
    from services.ingestor.app import build

    log = logging.getLogger("services.ingestor")
    log.info(
        "effective settings: %s",
        settings.model_dump_json(exclude={"kafka": {"sasl_password"}, "elasticsearch": {"password", "api_key"}}),
    )
    async with graceful_shutdown() as stopping, build(settings) as running:
        if settings.ingestor.run_for is not None:
            asyncio.get_running_loop().call_later(settings.ingestor.run_for, stopping.set)
        await running.ingestor.run(stopping)


@feeds_app.command(name="import")
def import_opml(
    opml: Annotated[Path, typer.Argument(help="OPML file exported by a feed reader", exists=True, dir_okay=False)],
    into: Annotated[Path, typer.Option(help="Feed list to add the feeds to")] = Path("deploy/feeds.yaml"),
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what would be added; change nothing")] = False,
) -> None:
    """Add the feeds of an OPML file to the feed list (feeds already listed are kept as they are)."""
    from rich.console import Console

    from newsmon.errors import ConfigurationError
    from services.ingestor.feeds import dump_feed_list, load_feeds, merge, parse_opml

    console = Console()
    try:
        imported = parse_opml(opml.read_bytes())
        existing = load_feeds(into) if into.exists() else []
    except ConfigurationError as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc
    merged, added = merge(existing, imported)
    for feed in added:
        tags = f" [dim]({', '.join(feed.tags)})[/dim]" if feed.tags else ""
        console.print(f"[green]+[/green] {feed.name or feed.url}  {feed.url}{tags}")
    if not dry_run and added:
        into.parent.mkdir(parents=True, exist_ok=True)
        into.write_text(dump_feed_list(merged), encoding="utf-8")
    verb = "would add" if dry_run else "added"
    console.print(f"{verb} {len(added)} of {len(imported)} feeds; {len(merged)} in {into}")


@feeds_app.command(name="check")
def check(
    sources: Annotated[list[str], typer.Argument(help="Feed URLs or files")],
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output")] = False,
) -> None:
    """Parse feeds without Kafka: items, ids, dates, links and every problem. Exit 1 if a feed yields nothing."""
    from services.ingestor.settings import IngestorSettings

    settings = IngestorSettings()
    reports = asyncio.run(_check_all(sources, settings))
    if as_json:
        typer.echo(json.dumps(reports, indent=2, ensure_ascii=False))
    else:
        _print_reports(reports)
    if any(not report["usable"] for report in reports):
        raise typer.Exit(1)


async def _check_all(sources: list[str], settings: Any) -> list[dict[str, Any]]:
    from services.ingestor.fetch import Fetcher, FetchError
    from services.ingestor.parse import parse_feed

    reports = []
    async with Fetcher(settings.http) as fetcher:
        for source in sources:
            path = Path(source)
            try:
                if path.is_file():
                    url, body, headers = path.resolve().as_uri(), path.read_bytes(), {}
                else:
                    response = await fetcher.get(source)
                    url, body, headers = response.url, response.body, response.headers
            except (FetchError, OSError) as exc:
                kind = getattr(exc, "kind", "io_error")
                problem = {"kind": kind, "message": str(exc), "item": None}
                reports.append({"source": source, "usable": False, "items": [], "problems": [problem]})
                continue
            parsed = parse_feed(body, url=url, headers=headers)
            reports.append(
                {
                    "source": source,
                    "url": url,
                    "usable": parsed.usable,
                    "title": parsed.title,
                    "version": parsed.version,
                    "encoding": parsed.encoding,
                    "language": parsed.language,
                    "items": [item.as_dict() for item in parsed.items],
                    "problems": [problem.as_dict() for problem in parsed.problems],
                }
            )
    return reports


def _print_reports(reports: list[dict[str, Any]]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    for report in reports:
        console.rule(report["source"])
        status = "[green]ok[/green]" if report["usable"] else "[red]nothing usable[/red]"
        console.print(f"status: {status}")
        if "version" in report:
            console.print(
                f"title: {report['title'] or '-'}   format: {report['version'] or '?'}   "
                f"encoding: {report['encoding'] or '?'}   language: {report['language'] or '-'}   "
                f"items: {len(report['items'])}"
            )
        if report["items"]:
            table = Table(show_lines=False)
            for column in ("#", "id", "published", "link", "title"):
                table.add_column(column, overflow="fold")
            for index, item in enumerate(report["items"]):
                table.add_row(
                    str(index),
                    item["id"],
                    item["published"] or f"[yellow]{item['published_raw'] or 'none'}[/yellow]",
                    item["link"] or "[dim]-[/dim]",
                    item["title"][:80],
                )
            console.print(table)
        for problem in report["problems"]:
            where = f"item {problem['item']}: " if problem["item"] is not None else ""
            console.print(f"  [yellow]{problem['kind']}[/yellow] {where}{problem['message']}")


@feeds_app.command(name="bench")
def bench(
    hosts: Annotated[int, typer.Option(help="Loopback addresses serving feeds (127.0.0.2, …)")] = 50,
    feeds_per_host: Annotated[int, typer.Option(help="Feeds per address")] = 20,
    items: Annotated[int, typer.Option(help="Items per feed (all new at the first poll)")] = 10,
    pages: Annotated[bool, typer.Option("--pages", help="Fetch and extract every item's page")] = False,
    seconds: Annotated[float, typer.Option(help="Length of the 304 window")] = 20.0,
    kafka: Annotated[bool, typer.Option("--kafka/--no-kafka", help="Through Kafka (the service) or the core")] = True,
    cpu: Annotated[int | None, typer.Option(help="Pin the ingestor to this core (the server gets another)")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output")] = False,
) -> None:
    """Benchmark: conditional polls per minute against local feeds answering 304, and new-article throughput."""
    import logging
    import os
    import uuid

    from services.ingestor import bench as ingestor_bench
    from services.ingestor.settings import IngestorSettings

    logging.basicConfig(level=logging.WARNING)
    settings = IngestorSettings()
    settings.kafka.topic_prefix = settings.kafka.topic_prefix or f"bench-{uuid.uuid4().hex[:8]}-"
    settings.ingestor.transactional_id = "newsmon-ingestor-bench"
    settings.metrics.enabled = False
    server_cpu = None
    if cpu is not None and hasattr(os, "sched_setaffinity"):
        cores = sorted(os.sched_getaffinity(0))
        server_cpu = next((core for core in cores if core != cpu), None)
        os.sched_setaffinity(0, {cpu})
    server = ingestor_bench.start_server(hosts, 18731, feeds_per_host, items, server_cpu)
    try:
        result = asyncio.run(
            ingestor_bench.run(
                settings,
                hosts=hosts,
                feeds_per_host=feeds_per_host,
                items=items,
                pages=pages,
                seconds=seconds,
                kafka=kafka,
            )
        )
    finally:
        server.kill()
        server.wait()
    figures = result.as_dict()
    if as_json:
        typer.echo(json.dumps(figures, indent=2))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title="newsmon ingestor benchmark")
    table.add_column("measure")
    table.add_column("value", justify="right")
    for name, value in figures.items():
        table.add_row(name, str(value))
    Console().print(table)
