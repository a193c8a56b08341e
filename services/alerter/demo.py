"""``newsmon demo``: the seed articles as a local feed, ingested, enriched and checked in one process."""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console

from newsmon.contracts import AlertEvent, EnrichedArticle, RawArticle
from services.alerter.embedded import Enrich, default_enricher, fetch_feed_articles, replay
from services.alerter.settings import AlerterSettings

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DemoResult:
    articles: tuple[RawArticle, ...]
    enriched: tuple[EnrichedArticle, ...]
    events: tuple[AlertEvent, ...]

    @property
    def claims(self) -> int:
        return sum(len(article.claims) for article in self.enriched)

    @property
    def facts(self) -> int:
        return sum(len(article.facts) for article in self.enriched)


async def run_demo(
    settings: AlerterSettings,
    *,
    seeds_dir: Path | None = None,
    enrich: Enrich | None = None,
    console: Console | None = None,
) -> DemoResult:
    """Serve the seeds on 127.0.0.1, poll the feed, fetch every page, enrich, and run the rules."""
    from services.ingestor.seedfeed import SeedSite, default_seeds_dir, load_seeds

    say = console.print if console is not None else (lambda *_: None)
    directory = seeds_dir or default_seeds_dir()
    seeds = load_seeds(directory)
    started = time.perf_counter()
    with SeedSite(seeds) as site:
        say(f"[dim]serving {len(seeds)} seed articles from {directory} at {site.feed_url}[/dim]")
        http = settings.http.model_copy(update={"allowed_private_hosts": ("127.0.0.1",)})
        outlets = {site.page_url(seed): seed.outlet for seed in seeds}
        articles = await fetch_feed_articles(site.feed_url, http, sources=outlets)
    say(f"[dim]ingested {len(articles)} articles; enriching and checking them in publication order[/dim]")
    enricher: Enrich = enrich if enrich is not None else await asyncio.to_thread(default_enricher)
    enriched: list[EnrichedArticle] = []
    events: list[AlertEvent] = []
    for article, caused in replay(articles, enricher, settings.alerter.rule_config()):
        enriched.append(article)
        events.extend(caused)
        for event in caused:
            line = f"  [bold]{event.event}[/bold] {event.alert.kind} · {event.alert.summary}"
            say(f"{line}  [dim]← {article.source}[/dim]")
    logger.info("demo: %d articles, %d events in %.1fs", len(articles), len(events), time.perf_counter() - started)
    return DemoResult(tuple(articles), tuple(enriched), tuple(events))
