"""Every file of the shared feed corpus, served over HTTP and polled: no crash, every recoverable item produced,
one dead letter with a reason for each feed that yields nothing."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from ingestor_helpers import articles_in, by_id, dead_letters_in, poll_once
from ingestor_sites import LocalSite, Static

from services.ingestor.feeds import FeedConfig
from services.ingestor.parse import parse_feed
from services.ingestor.settings import IngestorSettings

pytestmark = [pytest.mark.integration, pytest.mark.slow]

CORPUS = Path(__file__).resolve().parents[3].parent / "shared" / "corpus" / "feeds"
UNSAFE = re.compile(r"<\s*(script|iframe|object|embed|applet|meta)\b|\bon[a-z]+\s*=|javascript:", re.IGNORECASE)
HEADER_LINE = re.compile(rb"^Header:\s*([A-Za-z-]+):\s*(.*?)\s*$", re.MULTILINE)


def served_headers(body: bytes) -> dict[str, str]:
    """The ``Header:`` lines a feedparser fixture asks to be served with; else XML with no charset."""
    headers = {"Content-Type": "application/xml"}
    for name, value in HEADER_LINE.findall(body[:2048]):
        headers[name.decode("ascii").title()] = value.decode("latin-1")
    return headers


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"the shared feed corpus is not at {CORPUS}")
async def test_every_corpus_feed_is_polled_without_a_crash(settings_for: Callable[..., IngestorSettings]) -> None:
    files = sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.suffix in {".xml", ".rss", ".atom", ".rdf"})
    assert len(files) == 411
    with LocalSite() as site:
        feeds = []
        expected_ids: set[str] = set()
        empty: dict[str, str] = {}
        for path in files:
            route = "/" + path.relative_to(CORPUS).as_posix()
            body = path.read_bytes()
            headers = served_headers(body)
            site.static[route] = Static(body, headers["Content-Type"], headers={k: v for k, v in headers.items()})
            url = site.url(route)
            feeds.append(FeedConfig(url=url, interval=3600))
            # What the parser recovers from exactly these bytes and headers (the ETag does not matter to it).
            parsed = parse_feed(body, url=url, headers={k.lower(): v for k, v in headers.items()})
            expected_ids.update(item.id for item in parsed.items)
            if not parsed.items:
                empty[url] = parsed.failure().kind  # type: ignore[union-attr]
        settings = settings_for(fetch_pages=False, max_concurrent_polls=32)
        await poll_once(settings, feeds, deadline=300)

    articles = await articles_in(settings.kafka, at_least=len(expected_ids))
    counts = by_id(articles)
    assert set(counts) == expected_ids
    assert set(counts.values()) == {1}
    letters = await dead_letters_in(settings.kafka, at_least=len(empty))
    per_feed = Counter(letter.feed for letter in letters)
    assert set(per_feed) == set(empty)
    assert set(per_feed.values()) == {1}
    assert all(letter.reason and letter.stage == "parse_feed" for letter in letters)
    assert {letter.feed: letter.error_kind for letter in letters} == empty
    assert len(empty) < 200
    assert len(expected_ids) > 600
    hostile = [a for a in articles if a.feed and "/wellformed/sanitize/" in a.feed]
    assert len(hostile) > 20
    for article in hostile:
        fields = [article.title, article.text, article.source, article.author or "", article.url, *article.tags]
        assert not [f for f in fields if UNSAFE.search(f)], article
