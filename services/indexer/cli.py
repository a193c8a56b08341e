"""Commands of the indexer: ``newsmon index``, ``es apply``, ``reindex``, ``search`` and ``kibana import``."""

from __future__ import annotations

import asyncio
import functools
import json
import logging
from collections.abc import Coroutine
from dataclasses import asdict
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

if TYPE_CHECKING:
    from services.indexer.search import SearchResult
    from services.indexer.settings import IndexerSettings

T = TypeVar("T")

INDEX_HELP = "Which index: articles, claims, facts, alerts or deadletters"

es_app = typer.Typer(help="Elasticsearch index templates, indices and aliases.", no_args_is_help=True)
kibana_app = typer.Typer(help="Kibana data views, saved searches and the dashboard.", no_args_is_help=True)


def _settings() -> IndexerSettings:
    from services.indexer.settings import IndexerSettings

    return IndexerSettings()


def _run(main: Coroutine[Any, Any, T]) -> T:
    """Run a command's coroutine; errors the user can act on are printed as one line, not a traceback."""
    from elastic_transport import TransportError
    from elasticsearch import ApiError

    from newsmon.errors import NewsmonError

    try:
        return asyncio.run(main)
    except NewsmonError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(code=1) from exc
    except ApiError as exc:
        error = exc.body.get("error", {}) if isinstance(exc.body, dict) else {}
        reason = error.get("reason", "") if isinstance(error, dict) else str(error)
        hint = " (run `newsmon es apply` first)" if exc.status_code == 404 else ""
        typer.echo(f"error: Elasticsearch answered {exc.status_code} {exc.message}: {reason}{hint}", err=True)
        raise typer.Exit(code=1) from exc
    except TransportError as exc:
        typer.echo(f"error: cannot reach Elasticsearch: {exc}", err=True)
        raise typer.Exit(code=1) from exc


def _check_index(name: str) -> Any:
    from services.indexer.documents import INDEX_NAMES

    if name not in INDEX_NAMES:
        raise typer.BadParameter(f"{name!r} is not an index; choose one of {', '.join(INDEX_NAMES)}")
    return name


def index() -> None:
    """Run the indexer: articles, claims, facts, alerts and dead letters from Kafka into Elasticsearch."""
    from newsmon.health import serve_health
    from newsmon.lifecycle import graceful_shutdown
    from newsmon.logging import configure_logging
    from newsmon.metrics import PrometheusMetrics
    from services.indexer.app import build
    from services.indexer.es import is_ready

    settings = _settings()
    configure_logging("indexer", settings.logging)

    async def main() -> None:
        # SecretStr fields (passwords, API keys) serialise as '**********'
        logging.getLogger("services.indexer").info("effective settings: %s", settings.model_dump_json())
        metrics = PrometheusMetrics(service="indexer")
        async with (
            serve_health(settings.metrics, service="indexer", metrics=metrics) as health,
            graceful_shutdown() as stopping,
        ):
            health.set_ready("kafka", False)
            async with build(settings, metrics=metrics) as indexer:
                if indexer.elasticsearch is not None:
                    health.add_readiness_check("elasticsearch", functools.partial(is_ready, indexer.elasticsearch))
                health.set_ready("kafka", True)
                await indexer.run(stopping)

    asyncio.run(main())


@es_app.command("apply")
def es_apply(as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON")] = False) -> None:
    """Install index templates, create missing versioned indices and aliases, extend mappings. Idempotent."""
    from rich.console import Console
    from rich.table import Table

    from services.indexer.es import elasticsearch_client, wait_until_ready
    from services.indexer.mappings import apply_all, load_specs

    settings = _settings()

    async def main() -> list[Any]:
        client = elasticsearch_client(settings.elasticsearch)
        try:
            await wait_until_ready(client, settings.elasticsearch.url, wait_seconds=30)
            return await apply_all(
                client,
                load_specs(),
                settings.elasticsearch.index_prefix,
                shards=settings.indexer.shards,
                replicas=settings.indexer.replicas,
            )
        finally:
            await client.close()

    results = _run(main())
    if as_json:
        typer.echo(json.dumps([asdict(result) for result in results], indent=2))
    else:
        table = Table("alias", "index", "action", "detail", title=f"Elasticsearch at {settings.elasticsearch.url}")
        for result in results:
            colour = {"needs reindex": "yellow", "created": "green"}.get(result.action, "")
            table.add_row(
                result.alias, result.index, f"[{colour}]{result.action}[/]" if colour else result.action, result.detail
            )
        Console().print(table)
    if any(result.action == "needs reindex" for result in results):
        raise typer.Exit(code=2)


def reindex(
    name: Annotated[str, typer.Argument(help=INDEX_HELP)],
    delete_old: Annotated[bool, typer.Option("--delete-old", help="Delete the previous index afterwards")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON")] = False,
) -> None:
    """Rebuild an index from its Kafka topic into a new version, then switch the alias atomically."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from services.indexer.es import elasticsearch_client, wait_until_ready
    from services.indexer.reindex import reindex as run_reindex

    settings = _settings()
    index_name = _check_index(name)
    console = Console(stderr=True)

    async def main() -> Any:
        client = elasticsearch_client(settings.elasticsearch)
        try:
            await wait_until_ready(client, settings.elasticsearch.url, wait_seconds=30)
            with Progress(
                TextColumn(f"[bold]reindex {index_name}[/]"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("records"),
                TimeElapsedColumn(),
                console=console,
                disable=as_json,
            ) as progress:
                task = progress.add_task("copy", total=None)
                return await run_reindex(
                    settings,
                    index_name,
                    client,
                    progress=lambda done, total: progress.update(task, completed=done, total=total),
                    delete_old=delete_old,
                )
        finally:
            await client.close()

    report = _run(main())
    if as_json:
        typer.echo(json.dumps(asdict(report), indent=2))
        return
    console.print(
        f"[green]{report.alias}[/] → [bold]{report.new_index}[/] (was {', '.join(report.old_indices) or 'nothing'}): "
        f"{report.records} records read from {report.topic}, {report.written} written, {report.skipped} for another "
        f"index, {report.undecodable} undecodable, {report.rejected} refused (dead-lettered), {report.caught_up} "
        f"caught up after the switch; {report.documents} documents; {report.seconds:.1f}s"
    )


def search(
    text: Annotated[str | None, typer.Argument(help='Free text in Lucene syntax, e.g. evidence:"fighting"')] = None,
    index_name: Annotated[str, typer.Option("--index", "-i", help=INDEX_HELP)] = "claims",
    place: Annotated[str | None, typer.Option(help="Place name (or oblast), e.g. Pokrovsk")] = None,
    predicate: Annotated[list[str] | None, typer.Option(help="captured, contested, ... (repeatable)")] = None,
    side: Annotated[list[str] | None, typer.Option(help="Side of the speaker: RU, UA, ... (repeatable)")] = None,
    said_by: Annotated[str | None, typer.Option(help="Speaker or institution, e.g. 'Defense Ministry'")] = None,
    outlet: Annotated[str | None, typer.Option(help="Outlet, e.g. CNN")] = None,
    status: Annotated[str | None, typer.Option(help="Alerts: open or resolved")] = None,
    kind: Annotated[str | None, typer.Option(help="Alerts: control_dispute, ...; facts: distance, ...")] = None,
    since: Annotated[str | None, typer.Option(help="From: a date (2025-01-01) or a span back (7d, 24h)")] = None,
    until: Annotated[str | None, typer.Option(help="Until: a date or a span back")] = None,
    near: Annotated[str | None, typer.Option(help="LAT,LON: only documents near this point")] = None,
    within: Annotated[str, typer.Option(help="Radius for --near, e.g. 25km")] = "25km",
    size: Annotated[int, typer.Option(help="Documents to show")] = 20,
    agg: Annotated[list[str] | None, typer.Option(help="Count by a keyword field, e.g. predicate (repeatable)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print hits and counts as JSON")] = False,
) -> None:
    """Search articles, claims, facts, alerts or dead letters (the same questions as the Kibana saved searches)."""
    from services.indexer.es import elasticsearch_client
    from services.indexer.mappings import load_specs
    from services.indexer.search import SearchRequest, parse_point, run_search

    settings = _settings()
    name = _check_index(index_name)
    try:
        point = parse_point(near) if near else None
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    request = SearchRequest(
        index=name,
        text=text,
        place=place,
        predicates=tuple(predicate or ()),
        sides=tuple(side or ()),
        said_by=said_by,
        outlet=outlet,
        status=status,
        kind=kind,
        since=since,
        until=until,
        near=point,
        within=within,
        size=size,
        aggregate=tuple(agg or ()),
    )

    async def main() -> SearchResult:
        client = elasticsearch_client(settings.elasticsearch)
        try:
            return await run_search(client, load_specs()[name], settings.elasticsearch.index_prefix, request)
        finally:
            await client.close()

    try:
        result = _run(main())
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    if as_json:
        typer.echo(json.dumps({"total": result.total, "hits": result.hits, "counts": result.buckets}, indent=2))
        return
    _print_result(name, result)


COLUMNS: dict[str, tuple[str, ...]] = {
    "claims": ("effective_time", "place_name", "predicate", "actor", "said_by", "said_by_side", "outlet"),
    "articles": ("published", "outlet", "title", "place_names", "claim_count"),
    "facts": ("published", "kind", "value", "unit", "place_names", "said_by", "outlet"),
    "alerts": ("last_updated", "place_name", "kind", "status", "severity", "summary"),
    "deadletters": ("occurred_at", "service", "stage", "error_kind", "reason"),
}


def _print_result(name: str, result: SearchResult) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    table = Table(*COLUMNS[name], title=f"{result.total} {name} (showing {len(result.hits)})")
    for hit in result.hits:
        cells = []
        for column in COLUMNS[name]:
            value = hit.get(column)
            cells.append(", ".join(map(str, value)) if isinstance(value, list) else "" if value is None else str(value))
        table.add_row(*cells)
    console.print(table)
    for field_name, buckets in result.buckets.items():
        counts = Table(field_name, "count", title=f"by {field_name}")
        for key, count in buckets:
            counts.add_row(key, str(count))
        console.print(counts)


@kibana_app.command("import")
def kibana_import(
    url: Annotated[str, typer.Option(help="Kibana base URL, e.g. http://127.0.0.1:5601")],
    space: Annotated[str | None, typer.Option(help="Kibana space id (default space if omitted)")] = None,
) -> None:
    """Load the data views, saved searches, Lens chart, map and dashboard of deploy/kibana/ into Kibana."""
    import httpx

    from services.indexer.kibana import import_saved_objects, load_objects, with_prefix

    settings = _settings()
    objects = with_prefix(load_objects(), settings.elasticsearch.index_prefix)

    async def main() -> Any:
        timeout = httpx.Timeout(settings.http.total_timeout, connect=settings.http.connect_timeout)
        headers = {"User-Agent": settings.http.user_agent}
        async with httpx.AsyncClient(timeout=timeout, headers=headers) as client:
            return await import_saved_objects(client, url, objects, space=space)

    result = _run(main())
    if not result.success:
        for error in result.errors:
            typer.echo(f"{error.get('type')} {error.get('id')}: {error.get('error')}", err=True)
        raise typer.Exit(code=1)
    typer.echo(f"imported {result.count} saved objects into {url}")


def register(app: typer.Typer) -> None:
    """Add this part's commands to the ``newsmon`` CLI."""
    app.command("index")(index)
    app.command("reindex")(reindex)
    app.command("search")(search)
    app.add_typer(es_app, name="es")
    app.add_typer(kibana_app, name="kibana")
