"""The whole pipeline in one process, records passed in memory: what ``newsmon replay`` and ``newsmon demo`` run.

The rules and the lifecycle are the ones the faust agent calls; only the transport differs. Ingest uses the
ingestor's fetcher, feed parser and page extraction; enrichment the enricher's pure ``extract``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from newsmon.contracts import AlertEvent, Claim, EnrichedArticle, NumericFact, RawArticle
from newsmon.contracts.claims import place_key
from newsmon.contracts.ids import article_id
from newsmon.errors import ConfigurationError, PoisonError
from newsmon.settings import HttpSettings
from services.alerter.lifecycle import empty_state, process
from services.alerter.rules import RuleConfig
from services.alerter.state import PlaceState

logger = logging.getLogger(__name__)

Enrich = Callable[[RawArticle], EnrichedArticle]
LATEST = datetime.max.replace(tzinfo=UTC)


def place_records(article: EnrichedArticle) -> list[Claim | NumericFact]:
    """What the enricher publishes to ``claims.by-place`` for one article, in the same order."""
    return article.place_records()


@dataclass
class EmbeddedAlerter:
    """One state per place in a dict instead of a faust table."""

    config: RuleConfig = field(default_factory=RuleConfig)
    states: dict[str, PlaceState] = field(default_factory=dict)

    def process(self, record: Claim | NumericFact) -> list[AlertEvent]:
        key = place_key(record)
        state = self.states.get(key) or empty_state(key)
        self.states[key], events = process(state, record, self.config)
        return events

    def process_article(self, article: EnrichedArticle) -> list[AlertEvent]:
        events: list[AlertEvent] = []
        for record in place_records(article):
            events.extend(self.process(record))
        return events


def publication_order(articles: Iterable[RawArticle]) -> list[RawArticle]:
    """Oldest first; articles without a date last, in input order."""
    return sorted(articles, key=lambda article: article.published or article.fetched_at or LATEST)


def read_raw_articles(lines: Iterable[str], *, name: str = "<input>") -> list[RawArticle]:
    """RawArticle JSON lines; blank lines are skipped, a line that is not the contract stops with its number."""
    articles = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            articles.append(RawArticle.model_validate_json(line))
        except ValueError as exc:
            raise PoisonError(f"{name}:{number}: not a RawArticle: {exc}", kind="invalid_message") from exc
    return articles


def seed_raw_articles(seeds_dir: Path | None = None) -> tuple[RawArticle, ...]:
    """The seed articles (``../shared/seeds``) as RawArticles, the way ``newsmon replay`` reads them."""
    from services.ingestor.seedfeed import default_seeds_dir, load_seeds

    return tuple(
        RawArticle(
            id=article_id(f"https://seeds.example/{seed.name}"),
            url=f"https://seeds.example/{seed.name}",
            source=seed.outlet,
            published=seed.published,
            title=seed.title,
            text=seed.text,
            text_origin="supplied",
        )
        for seed in load_seeds(seeds_dir or default_seeds_dir())
    )


def default_enricher() -> Enrich:
    """The enricher's pure extraction with the bundled gazetteer (loaded once)."""
    try:
        from services.enricher.extract import extract
        from services.enricher.gazetteer import load_gazetteer
        from services.enricher.places import PlaceFinder
    except ImportError as exc:
        raise ConfigurationError(f"the enricher's extraction is not available: {exc}") from exc
    finder = PlaceFinder(load_gazetteer())

    def enrich(article: RawArticle) -> EnrichedArticle:
        return extract(article, finder=finder)  # type: ignore[no-any-return, unused-ignore]

    return enrich


def replay(
    articles: Iterable[RawArticle], enrich: Enrich, config: RuleConfig | None = None
) -> Iterator[tuple[EnrichedArticle, list[AlertEvent]]]:
    """Each article in publication order, enriched, through the rules: the article and the events it caused."""
    alerter = EmbeddedAlerter(config or RuleConfig())
    for article in publication_order(articles):
        enriched = enrich(article)
        yield enriched, alerter.process_article(enriched)


def latest_alerts(events: Iterable[AlertEvent]) -> list[AlertEvent]:
    """The last event of each alert, in the order the alerts were first raised."""
    latest: dict[str, AlertEvent] = {}
    for event in events:
        latest[event.alert.id] = event
    return list(latest.values())


def write_jsonl(events: Sequence[AlertEvent], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(event.model_dump_json() + "\n" for event in events), encoding="utf-8")
    return path


# -- ingest (demo) -------------------------------------------------------------------------------------------------


async def fetch_feed_articles(
    feed_url: str, http: HttpSettings, *, sources: Mapping[str, str] | None = None
) -> list[RawArticle]:
    """Poll one feed once and build each item's article from its page, as the ingestor does.

    ``sources`` names the outlet of an article URL when the feed's title is not it (the demo feed carries five
    outlets under one title).
    """
    from services.ingestor.articles import build_article
    from services.ingestor.fetch import FEED_ACCEPT, Fetcher
    from services.ingestor.parse import parse_feed

    async with Fetcher(http) as fetcher:
        response = await fetcher.get(feed_url, accept=FEED_ACCEPT)
        parsed = parse_feed(response.body, url=response.url, headers=dict(response.headers))
        if not parsed.items:
            problem = parsed.failure()
            raise PoisonError(f"{feed_url}: {problem.message if problem else 'no items'}", kind="no_items")
        articles = []
        for item in parsed.items:
            outcome = await build_article(item, fetcher, feed_url=feed_url, source=parsed.title or feed_url)
            article = outcome.article
            outlet = (sources or {}).get(item.link or "")
            if outlet:
                article = article.model_copy(update={"source": outlet})
            articles.append(article)
    return articles


def event_line(event: AlertEvent) -> str:
    return json.dumps(event.model_dump(mode="json"), ensure_ascii=False)
