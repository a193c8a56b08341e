"""One poll of one feed, without Kafka: fetch → parse → new items → articles, plus the feed's next state.

This is the ingestor's core, reused in-process by ``newsmon demo``::

    async with Fetcher(settings.http) as fetcher:
        poller = FeedPoller(fetcher)
        result = await poller.poll(FeedConfig(url=...), state=None)   # or: await poll_feed(feed, None, fetcher)
        result.articles, result.new_state, result.dead_letters

The service (``app.py``) uses the two halves separately — :meth:`FeedPoller.check` then
:meth:`FeedPoller.articles` in chunks — so that it can commit a long feed's articles a chunk at a time.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Final

from newsmon.contracts import DeadLetter, FeedState, RawArticle
from newsmon.contracts.ids import stable_id
from newsmon.metrics import Metrics, NullMetrics
from services.ingestor.articles import build_article
from services.ingestor.feeds import FeedConfig
from services.ingestor.fetch import Fetcher, FetchError, FetchResponse
from services.ingestor.parse import FeedItem, ParsedFeed, Problem, parse_feed
from services.ingestor.schedule import SchedulePolicy, next_poll

logger = logging.getLogger(__name__)

SERVICE: Final = "ingestor"
PAYLOAD_SAMPLE = 4096
_PARSE_IN_THREAD = 256 * 1024
_FAR_FUTURE = datetime.max.replace(tzinfo=UTC)


def dead_letter(
    *,
    stage: str,
    error_kind: str,
    reason: str,
    feed: str,
    url: str | None = None,
    payload: bytes | None = None,
    attempts: int = 1,
) -> DeadLetter:
    """A dead letter of the ingestor; the id is stable per (stage, URL, kind) so repeats overwrite downstream."""
    text: str | None = None
    encoding: str | None = None
    if payload:
        sample = payload[:PAYLOAD_SAMPLE]
        try:
            text, encoding = sample.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            text, encoding = base64.b64encode(sample).decode("ascii"), "base64"
    return DeadLetter(
        id=stable_id(SERVICE, stage, url or feed, error_kind),
        service=SERVICE,
        stage=stage,
        error_kind=error_kind,
        reason=reason,
        occurred_at=datetime.now(UTC),
        feed=feed,
        url=url or feed,
        key=url or feed,
        payload=text,
        payload_encoding=encoding,  # type: ignore[arg-type]
        attempts=attempts,
    )


@dataclass(frozen=True)
class FeedCheck:
    """The feed document's verdict: which items are new, what the state becomes, or why it failed."""

    feed: FeedConfig
    outcome: str
    """``new``, ``unchanged`` (fetched, nothing new), ``not_modified`` (304), or a failure kind."""
    state: FeedState
    """The state once every new item is produced: new validators, all ids seen, next poll."""
    base_state: FeedState
    """The previous state (old validators, next poll still due): the start of a chunked commit."""
    new_items: tuple[FeedItem, ...] = ()
    duplicates: int = 0
    parsed: ParsedFeed | None = None
    dead_letters: tuple[DeadLetter, ...] = ()
    error: FetchError | None = None
    seconds: float = 0.0
    seen_limit: int = 2000

    @property
    def failed(self) -> bool:
        return self.outcome not in ("new", "unchanged", "not_modified")

    @property
    def source(self) -> str:
        title = self.parsed.title if self.parsed else ""
        return self.feed.name or title or self.feed.url

    @property
    def problems(self) -> tuple[Problem, ...]:
        return self.parsed.problems if self.parsed else ()

    def progress(self, produced: Sequence[str]) -> FeedState:
        """State after a chunk of the new items: their ids seen, validators still the old ones.

        A crash before the last chunk then re-fetches the whole document and produces only what is left.
        """
        seen = _bounded((*self.base_state.seen_ids, *produced), self.seen_limit)
        return self.base_state.model_copy(update={"seen_ids": seen})


@dataclass(frozen=True)
class PollResult:
    feed: FeedConfig
    outcome: str
    articles: tuple[RawArticle, ...]
    new_state: FeedState
    dead_letters: tuple[DeadLetter, ...]
    duplicates: int = 0
    problems: tuple[Problem, ...] = field(default=())


def _bounded(ids: Sequence[str], limit: int) -> tuple[str, ...]:
    unique = list(dict.fromkeys(reversed(ids)))  # newest occurrence wins
    unique.reverse()
    return tuple(unique[-limit:])


class FeedPoller:
    """Polls feeds through one :class:`Fetcher`. Knows nothing of Kafka."""

    def __init__(
        self,
        fetcher: Fetcher,
        *,
        fetch_pages: bool = True,
        max_seen_ids: int = 2000,
        max_concurrent_pages: int = 16,
        policy: SchedulePolicy | None = None,
        metrics: Metrics | None = None,
        is_known: Callable[[str], bool] | None = None,
    ) -> None:
        self.fetcher = fetcher
        self.fetch_pages = fetch_pages
        self.max_seen_ids = max_seen_ids
        self.policy = policy or SchedulePolicy()
        self.metrics: Metrics = metrics or NullMetrics()
        self._is_known = is_known
        self._page_slots = asyncio.Semaphore(max_concurrent_pages)
        self._rng = random.Random()  # jitter, not cryptography

    async def check(self, feed: FeedConfig, state: FeedState | None, *, now: datetime | None = None) -> FeedCheck:
        """Fetch and parse the feed; decide which items are new. Produces nothing."""
        now = now or datetime.now(UTC)
        state = state or FeedState(feed=feed.url)
        started = time.perf_counter()
        try:
            response = await self.fetcher.get(feed.url, etag=state.etag, last_modified=state.last_modified)
        except FetchError as exc:
            return self._failed(feed, state, now, started, exc, stage="fetch_feed")
        if response.not_modified:
            return self._succeeded(feed, state, now, started, "not_modified", response, None, ())
        if len(response.body) > _PARSE_IN_THREAD:
            parsed = await asyncio.to_thread(parse_feed, response.body, url=response.url, headers=response.headers)
        else:
            parsed = parse_feed(response.body, url=response.url, headers=response.headers)
        failure = parsed.failure()
        if failure is not None:
            error = FetchError(failure.kind, failure.message, url=response.url, transient=False)
            check = self._failed(feed, state, now, started, error, stage="parse_feed", payload=response.body)
            # The document was read: keep its validators so an unchanged broken feed costs a 304 next time.
            validated = check.state.model_copy(update=_validators(response))
            return replace(check, state=validated, parsed=parsed)
        for problem in parsed.problems:
            if problem.item is None:
                logger.info("feed %s: %s: %s", feed.url, problem.kind, problem.message)
        return self._succeeded(feed, state, now, started, "new", response, parsed, parsed.items)

    def _succeeded(
        self,
        feed: FeedConfig,
        state: FeedState,
        now: datetime,
        started: float,
        outcome: str,
        response: FetchResponse,
        parsed: ParsedFeed | None,
        items: Sequence[FeedItem],
    ) -> FeedCheck:
        seen = set(state.seen_ids)
        new_items = []
        duplicates = 0
        for item in items:
            if item.id in seen or (self._is_known is not None and self._is_known(item.id)):
                duplicates += 1
            else:
                new_items.append(item)
        new_items.sort(key=lambda item: item.published or _FAR_FUTURE)
        current_ids = {item.id for item in items}
        # Ids still in the document are always kept, so a long feed never re-emits an item it still lists.
        remembered = [i for i in state.seen_ids if i not in current_ids] + [item.id for item in items]
        if outcome == "new" and not new_items:
            outcome = "unchanged"
        when = next_poll(now, interval=feed.interval, failures=0, policy=self.policy, rng=self._rng)
        final = state.model_copy(
            update={
                **_validators(response),
                "seen_ids": _bounded(remembered, self.max_seen_ids),
                "failures": 0,
                "last_error": None,
                "last_polled": now,
                "next_poll": when,
            }
        )
        # next_poll stays as it was (due): a poll interrupted between chunks resumes at once after a restart.
        base = state.model_copy(update={"last_polled": now})
        seconds = time.perf_counter() - started
        self.metrics.on_feed_poll(outcome, feed=feed.url)
        self.metrics.on_processed(SERVICE, seconds)
        if parsed is not None:
            self.metrics.on_items(len(new_items), duplicates)
        return FeedCheck(
            feed, outcome, final, base, tuple(new_items), duplicates, parsed, (), None, seconds, self.max_seen_ids
        )

    def _failed(
        self,
        feed: FeedConfig,
        state: FeedState,
        now: datetime,
        started: float,
        error: FetchError,
        *,
        stage: str,
        payload: bytes | None = None,
    ) -> FeedCheck:
        failures = state.failures + 1
        when = next_poll(
            now,
            interval=feed.interval,
            failures=failures,
            retry_after=error.retry_after,
            policy=self.policy,
            rng=self._rng,
        )
        reason = error.reason
        letter = dead_letter(
            stage=stage,
            error_kind=error.kind,
            reason=reason,
            feed=feed.url,
            url=error.url if error.url != feed.url else None,
            payload=payload,
            attempts=failures,
        )
        new_state = state.model_copy(
            update={
                "failures": failures,
                "last_error": f"{error.kind}: {reason}",
                "last_polled": now,
                "next_poll": when,
            }
        )
        seconds = time.perf_counter() - started
        logger.warning("feed %s failed (%s, %d in a row): %s", feed.url, error.kind, failures, reason)
        self.metrics.on_feed_poll(error.kind, feed=feed.url)
        self.metrics.on_error(SERVICE, error.kind)
        return FeedCheck(
            feed, error.kind, new_state, new_state, (), 0, None, (letter,), error, seconds, self.max_seen_ids
        )

    async def articles(self, check: FeedCheck, items: Sequence[FeedItem]) -> tuple[list[RawArticle], list[DeadLetter]]:
        """Build the articles of ``items`` (pages fetched concurrently), in item order."""
        language = check.feed.language or (check.parsed.language if check.parsed else None)
        fetcher = self.fetcher if self.fetch_pages else None

        async def one(item: FeedItem) -> tuple[RawArticle, DeadLetter | None]:
            async with self._page_slots:
                started = time.perf_counter()
                outcome = await build_article(
                    item,
                    fetcher,
                    feed_url=check.feed.url,
                    source=check.source,
                    tags=check.feed.tags,
                    language=language,
                )
                if fetcher is not None and item.link is not None:
                    self.metrics.on_fetch(time.perf_counter() - started)
            letter = None
            if outcome.error is not None:
                self.metrics.on_error(SERVICE, outcome.error.kind)
                letter = dead_letter(
                    stage="fetch_article",
                    error_kind=outcome.error.kind,
                    reason=f"{outcome.error.reason}; the feed summary was used instead",
                    feed=check.feed.url,
                    url=item.link,
                )
            return outcome.article, letter

        built = await asyncio.gather(*(one(item) for item in items))
        return [article for article, _ in built], [letter for _, letter in built if letter is not None]

    async def poll(self, feed: FeedConfig, state: FeedState | None, *, now: datetime | None = None) -> PollResult:
        """The whole poll in one call: what the embedded demo uses."""
        check = await self.check(feed, state, now=now)
        articles, letters = await self.articles(check, check.new_items)
        return PollResult(
            feed=feed,
            outcome=check.outcome,
            articles=tuple(articles),
            new_state=check.state,
            dead_letters=(*check.dead_letters, *letters),
            duplicates=check.duplicates,
            problems=check.problems,
        )


def _validators(response: FetchResponse) -> dict[str, str | None]:
    if response.not_modified:
        # A 304 may repeat the validators or omit them; keep the ones we have unless it sends new ones.
        update: dict[str, str | None] = {}
        if response.headers.get("etag"):
            update["etag"] = response.headers["etag"]
        if response.headers.get("last-modified"):
            update["last_modified"] = response.headers["last-modified"]
        return update
    return {"etag": response.headers.get("etag"), "last_modified": response.headers.get("last-modified")}


async def poll_feed(
    feed: FeedConfig, state: FeedState | None, fetcher: Fetcher, *, fetch_pages: bool = True
) -> PollResult:
    """One poll of one feed with default policies: the simplest way to ingest in-process (``newsmon demo``)."""
    return await FeedPoller(fetcher, fetch_pages=fetch_pages).poll(feed, state)
