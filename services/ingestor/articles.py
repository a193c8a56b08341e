"""Article pages to RawArticle: main text and metadata by trafilatura, the feed's summary when the page fails."""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime

import trafilatura
from trafilatura.settings import Document

from newsmon.contracts import RawArticle
from services.ingestor.fetch import PAGE_ACCEPT, Fetcher, FetchError
from services.ingestor.parse import FeedItem, language_code

logger = logging.getLogger(__name__)

_HTML_LANG = re.compile(rb"<html[^>]*?\blang\s*=\s*[\"']?([A-Za-z]{2,3}(?:[-_][A-Za-z0-9]+)?)", re.IGNORECASE)
_HTML_TYPES = ("text/html", "application/xhtml+xml", "text/plain", "application/xml", "text/xml")
MIN_PAGE_TEXT = 80
"""Pages whose extracted text is shorter than this are not trusted over the feed's own summary."""


@dataclass(frozen=True)
class Extracted:
    text: str
    title: str | None
    author: str | None
    published: datetime | None
    language: str | None


@dataclass(frozen=True)
class PageOutcome:
    """An article built from the page or the feed summary; ``error`` says why the page was not used."""

    article: RawArticle
    error: FetchError | None = None


def extract(html: bytes, url: str) -> Extracted | None:
    """Main text and metadata of an article page; None when trafilatura finds no main text."""
    try:
        document = trafilatura.bare_extraction(
            html, url=url, with_metadata=True, include_comments=False, include_tables=True, favor_recall=True
        )
    except Exception as exc:  # trafilatura raises assorted lxml/parsing errors on odd pages
        logger.debug("trafilatura failed on %s: %s", url, exc)
        return None
    if not isinstance(document, Document) or not (document.text or "").strip():
        return None
    published = None
    if document.date:
        try:
            published = datetime.fromisoformat(document.date)
        except ValueError:
            published = None
        if published is not None and published.tzinfo is None:
            published = published.replace(tzinfo=UTC)
    language = language_code(document.language)
    if language is None:
        match = _HTML_LANG.search(html[:4096])
        language = language_code(match.group(1).decode("ascii")) if match else None
    text = (document.text or "").strip()
    first, _, rest = text.partition("\n")
    if document.title and first.strip() == document.title.strip() and rest.strip():
        text = rest.strip()  # the headline is the title, not a paragraph of the text
    return Extracted(
        text=text,
        title=document.title or None,
        author=document.author or None,
        published=published,
        language=language,
    )


def from_summary(
    item: FeedItem,
    *,
    feed_url: str,
    source: str,
    fetched_at: datetime,
    reason: str,
    tags: tuple[str, ...] = (),
    language: str | None = None,
) -> RawArticle:
    """The article as the feed describes it, saying why the page was not used."""
    return RawArticle(
        id=item.id,
        url=item.url or feed_url,
        source=source,
        feed=feed_url,
        guid=item.guid,
        published=item.published,
        fetched_at=fetched_at,
        title=item.title,
        text=item.summary or item.title,
        language=item.language or language,
        author=item.author,
        tags=tuple(dict.fromkeys((*tags, *item.tags))),
        text_origin="feed_summary",
        fetch_error=reason,
    )


async def build_article(
    item: FeedItem,
    fetcher: Fetcher | None,
    *,
    feed_url: str,
    source: str,
    tags: tuple[str, ...] = (),
    language: str | None = None,
) -> PageOutcome:
    """Fetch the item's page and extract it; fall back to the feed summary (``text_origin="feed_summary"``)."""
    fetched_at = datetime.now(UTC)

    def fallback(reason: str, error: FetchError | None) -> PageOutcome:
        article = from_summary(
            item, feed_url=feed_url, source=source, fetched_at=fetched_at, reason=reason, tags=tags, language=language
        )
        return PageOutcome(article, error)

    if item.link is None:
        return fallback("the item has no link to an article page", None)
    if fetcher is None:
        return fallback("page fetching is disabled", None)
    try:
        response = await fetcher.get(item.link, accept=PAGE_ACCEPT)
    except FetchError as exc:
        return fallback(f"{exc.kind}: {exc.reason}", exc)
    content_type = response.headers.get("content-type", "text/html").split(";", 1)[0].strip().lower()
    if content_type and not content_type.startswith(_HTML_TYPES):
        error = FetchError("not_html", f"the page is {content_type}, not HTML", url=response.url, transient=False)
        return fallback(f"not_html: {error.reason}", error)
    extracted = await asyncio.to_thread(extract, response.body, response.url)
    if extracted is None or len(extracted.text) < min(MIN_PAGE_TEXT, max(len(item.summary), 1)):
        error = FetchError("no_main_text", "no article text found in the page", url=response.url, transient=False)
        return fallback(f"no_main_text: {error.reason}", error)
    article = RawArticle(
        id=item.id,
        url=item.url or response.url,
        source=source,
        feed=feed_url,
        guid=item.guid,
        published=item.published or extracted.published,
        fetched_at=fetched_at,
        title=item.title or extracted.title or "",
        text=extracted.text,
        language=extracted.language or item.language or language,
        author=item.author or extracted.author,
        tags=tuple(dict.fromkeys((*tags, *item.tags))),
        text_origin="page",
    )
    return PageOutcome(article)
