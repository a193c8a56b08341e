"""Commands of the enricher: ``newsmon extract FILE`` (offline, explainable) and ``newsmon enrich`` (the service)."""

from __future__ import annotations

import asyncio
import hashlib
import json
import sys
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from newsmon.contracts import RawArticle
    from services.enricher.extract import Extraction
    from services.enricher.settings import EnricherSettings


def register(app: typer.Typer) -> None:
    """Add this part's commands to the ``newsmon`` CLI."""
    app.command(name="extract")(extract_command)
    app.command(name="enrich")(enrich_command)


def read_articles(path: Path, published: datetime | None = None) -> Iterator[RawArticle]:
    """Articles of a file: JSON lines in the RawArticle contract, or a ``.txt`` file as one bare article."""
    from newsmon.contracts import RawArticle
    from newsmon.contracts.ids import article_id

    content = path.read_text(encoding="utf-8")
    if path.suffix.lower() == ".txt":
        digest = hashlib.sha256(content.encode("utf-8")).hexdigest()
        yield RawArticle(
            id=article_id(f"sha256:{digest}"),
            url=path.resolve().as_uri(),
            source=path.stem,
            published=published,
            text=content,
        )
        return
    for number, line in enumerate(content.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record: dict[str, Any] = json.loads(line)
        except json.JSONDecodeError as exc:
            raise typer.BadParameter(f"{path}:{number}: not JSON: {exc}") from exc
        record.setdefault("url", f"{path.resolve().as_uri()}#{number}")
        record.setdefault("source", path.stem)
        record.setdefault("id", article_id(record["url"]))
        if published is not None and not record.get("published"):
            record["published"] = published.isoformat()
        yield RawArticle.model_validate(record)


def extract_command(
    file: Annotated[
        Path,
        typer.Argument(
            help="JSON lines of RawArticle (id, url, source, published, title, text) "
            "or a .txt file holding one article",
            exists=True,
            dir_okay=False,
        ),
    ],
    explain: Annotated[
        bool,
        typer.Option(
            "--explain",
            help="Show, per claim, the rule and cues that produced it, and the cues that were dropped and why",
        ),
    ] = False,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the JSON lines here instead of standard output")
    ] = None,
    published: Annotated[
        datetime | None,
        typer.Option(
            help="Publication time for articles that have none (.txt files); 'on Monday' is resolved against it"
        ),
    ] = None,
    bench: Annotated[
        int, typer.Option(help="Benchmark instead: extract the articles this many times, report articles/s")
    ] = 0,
) -> None:
    """Extract places, actors, claims, numeric facts and the story signature; one enriched article per line."""
    from rich.console import Console

    from services.enricher.extract import explain as run_explain
    from services.enricher.gazetteer import load_gazetteer
    from services.enricher.places import PlaceFinder

    if published is not None and published.tzinfo is None:
        raise typer.BadParameter("--published needs a time zone, e.g. 2025-01-07T12:00:00+00:00")
    console = Console(stderr=output is None and not explain)
    started = time.perf_counter()
    finder = PlaceFinder(load_gazetteer())
    if bench:
        run_benchmark(console, list(read_articles(file, published)), finder, bench, time.perf_counter() - started)
        return
    sink = output.open("w", encoding="utf-8") if output else None
    try:
        for article in read_articles(file, published):
            result = run_explain(article, finder=finder)
            line = result.article.model_dump_json()
            if sink is not None:
                sink.write(line + "\n")
            elif not explain:
                sys.stdout.write(line + "\n")
            if explain:
                print_explanation(console, result)
    finally:
        if sink is not None:
            sink.close()


def run_benchmark(console: Any, articles: list[RawArticle], finder: Any, rounds: int, load_seconds: float) -> None:
    from services.enricher.extract import extract

    for article in articles:  # warm-up: compiled patterns, caches
        extract(article, finder=finder)
    cpu_started, wall_started = time.process_time(), time.perf_counter()
    for _ in range(rounds):
        for article in articles:
            extract(article, finder=finder)
    cpu, wall = time.process_time() - cpu_started, time.perf_counter() - wall_started
    count = rounds * len(articles)
    console.print(
        f"gazetteer load {load_seconds:.2f} s; extracted {count} articles in {wall:.2f} s wall, {cpu:.2f} s CPU: "
        f"[bold]{count / cpu:.0f} articles/s per core[/bold] ({count / wall:.0f}/s wall, "
        f"{1000 * cpu / count:.2f} ms CPU per article)"
    )


def print_explanation(console: Any, result: Extraction) -> None:
    from rich.panel import Panel
    from rich.table import Table

    article = result.article
    when = article.published.date().isoformat() if article.published else "no date"
    console.rule(f"[bold]{article.title or article.source}[/bold]  [dim]{article.id} · {when}[/dim]")
    places = ", ".join(sorted({f"{m.place.name} ({m.place.id})" for m in article.places}))
    console.print(f"[bold]places[/bold] {places or '—'}")
    actors = ", ".join(f"{a.name} [dim]{a.side or '?'}{' ' + a.role if a.role else ''}[/dim]" for a in article.actors)
    console.print(f"[bold]actors[/bold] {actors or '—'}")
    for number, (claim, trace) in enumerate(zip(article.claims, result.traces, strict=True), start=1):
        table = Table.grid(padding=(0, 2))
        table.add_column(style="dim", no_wrap=True)
        table.add_column()
        table.add_row(
            "sentence",
            f"{trace.sentence + 1}: “{claim.evidence.sentence}” [dim][{claim.evidence.start}:"
            f"{claim.evidence.end}][/dim]",
        )
        for step, detail in trace.steps.items():
            table.add_row(step, detail)
        table.add_row("modality", claim.modality)
        title = (
            f"[bold]{number}. {claim.predicate}[/bold] {claim.place.name} · actor {claim.actor or '—'} · "
            f"said by {claim.attributed_to.name}"
        )
        console.print(Panel(table, title=title, title_align="left"))
    if result.dropped:
        dropped = Table("sentence", "cue", "text", "why no claim", title="cues that did not become claims")
        for cue in result.dropped:
            dropped.add_row(str(cue.sentence + 1), cue.rule, cue.text, cue.reason)
        console.print(dropped)
    for fact in article.facts:
        where = " – ".join(p.name for p in fact.places)
        console.print(
            f"[bold]fact[/bold] {fact.kind} {where}: {fact.value:g} {fact.unit} "
            f"[dim](text: {fact.original_value:g} {fact.original_unit}; said by {fact.attributed_to.name})[/dim]"
        )


def enrich_command(
    run_for: Annotated[float | None, typer.Option(help="Stop after this many seconds")] = None,
) -> None:
    """Run the enricher: articles.raw → articles.enriched + claims.by-place (runs until SIGTERM)."""
    from newsmon.logging import configure_logging
    from services.enricher.settings import EnricherSettings

    settings = EnricherSettings()
    if run_for is not None:
        settings.enricher.run_for = run_for
    configure_logging("enricher", settings.logging)
    asyncio.run(_enrich(settings))


async def _enrich(settings: EnricherSettings) -> None:
    import logging

    from newsmon.health import serve_health
    from newsmon.lifecycle import graceful_shutdown
    from newsmon.metrics import PrometheusMetrics
    from services.enricher.app import build

    log = logging.getLogger("services.enricher")
    log.info(
        "effective settings: %s",
        settings.model_dump_json(exclude={"kafka": {"sasl_password"}, "elasticsearch": {"password", "api_key"}}),
    )
    metrics = PrometheusMetrics(service="enricher")
    async with (
        graceful_shutdown() as stopping,
        serve_health(settings.metrics, service="enricher", metrics=metrics) as health,
    ):
        health.set_ready("kafka", False)
        async with build(settings, metrics=metrics) as enricher:
            health.set_ready("kafka", True)
            if settings.enricher.run_for is not None:
                asyncio.get_running_loop().call_later(settings.enricher.run_for, stopping.set)
            await enricher.run(stopping)
            stats = enricher.stats
            log.info(
                "stopped cleanly: %d articles, %d claims, %d facts, %d dead letters",
                stats.articles, stats.claims, stats.facts, stats.dead_lettered,
            )  # fmt: skip
