"""Commands of the alerter: ``newsmon alert`` (the faust worker), ``newsmon replay FILE`` and ``newsmon demo``."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Annotated

import typer

DEFAULT_DEMO_OUT = Path(".newsmon/demo/alerts.jsonl")


def alert(
    web_port: Annotated[
        int | None, typer.Option(help="Port of faust's web server (default: settings, 0 = any)")
    ] = None,
) -> None:
    """Run the alerter: claims.by-place → contradiction rules (faust table per place) → alerts."""
    from services.alerter.app import run_worker
    from services.alerter.settings import AlerterSettings

    settings = AlerterSettings()
    if web_port is not None:
        settings = settings.model_copy(update={"alerter": settings.alerter.model_copy(update={"web_port": web_port})})
    run_worker(settings)


def replay(
    file: Annotated[Path, typer.Argument(help="Articles as JSON lines (RawArticle contract); '-' reads stdin")],
    out: Annotated[Path | None, typer.Option(help="Also write the events to this JSON-lines file")] = None,
) -> None:
    """Enrich the articles and run them through the rules in publication order; print every alert event as JSON."""
    from newsmon.errors import NewsmonError
    from services.alerter.embedded import default_enricher, event_line, read_raw_articles, replay, write_jsonl
    from services.alerter.settings import AlerterSettings

    settings = AlerterSettings()
    try:
        if str(file) == "-":
            articles = read_raw_articles(sys.stdin, name="<stdin>")
        else:
            with file.open(encoding="utf-8") as lines:
                articles = read_raw_articles(lines, name=str(file))
        enrich = default_enricher()
    except (NewsmonError, OSError) as exc:
        typer.echo(f"newsmon replay: {str(exc).splitlines()[0]}", err=True)
        raise typer.Exit(2) from exc
    events = []
    for _, caused in replay(articles, enrich, settings.alerter.rule_config()):
        for event in caused:
            typer.echo(event_line(event))
            events.append(event)
    if out is not None:
        write_jsonl(events, out)


def demo(
    seeds: Annotated[
        Path | None, typer.Option(help="Directory of seed articles (default: ../shared/seeds next to the checkout)")
    ] = None,
    out: Annotated[Path, typer.Option(help="Where the alert events are written as JSON lines")] = DEFAULT_DEMO_OUT,
    json_output: Annotated[bool, typer.Option("--json", help="Print the events as JSON lines instead")] = False,
) -> None:
    """Serve the seed articles as a local feed and run ingest → enrich → alert in this process (no Kafka)."""
    import asyncio

    from rich.console import Console

    from services.alerter.demo import run_demo
    from services.alerter.embedded import event_line, write_jsonl
    from services.alerter.render import print_alerts
    from services.alerter.settings import AlerterSettings

    console = Console(stderr=json_output)
    result = asyncio.run(run_demo(AlerterSettings(), seeds_dir=seeds, console=console))
    path = write_jsonl(result.events, out)
    if json_output:
        for event in result.events:
            typer.echo(event_line(event))
    else:
        print_alerts(console, result.events)
    alerts = len({event.alert.id for event in result.events})
    console.print(
        f"[bold]{len(result.articles)} articles, {result.claims} claims, {result.facts} numeric facts → "
        f"{alerts} alert(s) in {len(result.events)} event(s)[/bold]; written to {path.resolve()}"
    )


def register(app: typer.Typer) -> None:
    """Add this part's commands to the ``newsmon`` CLI."""
    app.command(name="alert")(alert)
    app.command(name="replay")(replay)
    app.command(name="demo")(demo)
    # The webhook dispatcher's commands live in their own module (another part of the alerter).
    if importlib.util.find_spec("services.alerter.webhooks_cli") is not None:
        from services.alerter import webhooks_cli

        webhooks_cli.register(app)
