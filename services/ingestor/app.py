"""The ingestor service: schedule polls, write articles + feed state to Kafka in one transaction.

Exactly once in effect (docs/ingestor.md, "Delivery"):
- the producer is transactional (``transactional.id`` per instance). Starting it fences any older instance with the
  same id and aborts the transaction that instance left open — so a SIGKILLed ingestor's half-written batch is
  discarded before the new one reads anything;
- only THEN is ``feeds.state`` read to its end (read_committed);
- each poll's articles, dead letters and the feed's new state are written in ONE transaction: either all of them
  become visible or none does. A restart therefore resumes from a state that matches exactly what was produced:
  nothing is re-emitted, nothing is skipped. Consumers of ``articles.raw`` read with ``isolation_level=read_committed``.
"""

from __future__ import annotations

import asyncio
import heapq
import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import AsyncExitStack, asynccontextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError, ProducerFenced

from newsmon.contracts import DeadLetter, FeedState, RawArticle
from newsmon.contracts.topics import ARTICLES_RAW, DLQ, FEEDS_STATE
from newsmon.errors import NewsmonError, TransientError
from newsmon.kafka import encode, encode_key
from newsmon.metrics import Metrics, NullMetrics, PrometheusMetrics
from newsmon.settings import KafkaSettings
from services.ingestor.feeds import FeedConfig, load_feeds
from services.ingestor.fetch import Fetcher
from services.ingestor.poll import SERVICE, FeedCheck, FeedPoller
from services.ingestor.schedule import SchedulePolicy
from services.ingestor.settings import IngestorSettings
from services.ingestor.state import KnownIds, ensure_topics, load_states

logger = logging.getLogger(__name__)

COMMIT_RETRY_DELAY = 5.0


class ProducerFencedError(NewsmonError):
    """Another ingestor with the same transactional.id has started: this one must stop."""


class Committer(Protocol):
    """Makes a poll's outcome durable as one unit: its articles, its dead letters and the feed's new state."""

    async def commit(self, articles: Sequence[RawArticle], letters: Sequence[DeadLetter], state: FeedState) -> None: ...


@dataclass
class _Pending:
    articles: Sequence[RawArticle]
    letters: Sequence[DeadLetter]
    state: FeedState
    done: asyncio.Future[None] = field(default_factory=lambda: asyncio.get_running_loop().create_future())


class Outbox:
    """Writes poll results to Kafka in transactions; concurrent callers are grouped into one transaction."""

    def __init__(
        self,
        producer: AIOKafkaProducer,
        settings: KafkaSettings,
        *,
        max_batch: int = 200,
        linger: float = 0.05,
        metrics: Metrics | None = None,
    ) -> None:
        self._producer = producer
        self._settings = settings
        self._max_batch = max_batch
        self._linger = linger
        self._metrics: Metrics = metrics or NullMetrics()
        self._queue: asyncio.Queue[_Pending] = asyncio.Queue()
        self._fenced: BaseException | None = None
        self.transactions = 0

    async def commit(self, articles: Sequence[RawArticle], letters: Sequence[DeadLetter], state: FeedState) -> None:
        """Return once the articles, dead letters and state are committed; raise if the transaction failed."""
        if self._fenced is not None:
            raise ProducerFencedError("the producer was fenced by another ingestor instance") from self._fenced
        pending = _Pending(articles, letters, state)
        self._queue.put_nowait(pending)
        await pending.done

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            batch = [await self._queue.get()]
            deadline = loop.time() + self._linger
            while len(batch) < self._max_batch:
                remaining = deadline - loop.time()
                if remaining <= 0 and self._queue.empty():
                    break
                try:
                    batch.append(await asyncio.wait_for(self._queue.get(), timeout=max(remaining, 0)))
                except TimeoutError:
                    break
            await self._write(batch)

    async def _write(self, batch: list[_Pending]) -> None:
        try:
            async with self._producer.transaction():
                futures = []
                for pending in batch:
                    for article in pending.articles:
                        futures.append(await self._send(ARTICLES_RAW.name, article.id, encode(article)))
                    for letter in pending.letters:
                        futures.append(await self._send(DLQ.name, letter.key or letter.id, encode(letter)))
                    futures.append(await self._send(FEEDS_STATE.name, pending.state.feed, encode(pending.state)))
                await asyncio.gather(*futures)
        except ProducerFenced as exc:
            self._fenced = exc
            error: BaseException = ProducerFencedError(f"fenced: {exc}")
        except (KafkaError, OSError) as exc:
            error = TransientError(f"transaction of {len(batch)} poll results failed: {exc}")
        except Exception as exc:  # whatever happens, no caller may wait forever for this batch
            logger.exception("unexpected failure writing a transaction")
            error = TransientError(f"transaction of {len(batch)} poll results failed: {type(exc).__name__}: {exc}")
        else:
            self.transactions += 1
            for pending in batch:
                for _ in pending.articles:
                    self._metrics.on_message_out(ARTICLES_RAW.name)
                for letter in pending.letters:
                    self._metrics.on_dead_letter(SERVICE, letter.error_kind)
                if not pending.done.done():
                    pending.done.set_result(None)
            return
        logger.error("%s", error)
        for pending in batch:
            if not pending.done.done():
                pending.done.set_exception(error)

    async def _send(self, topic: str, key: str, value: bytes) -> asyncio.Future[Any]:
        future: asyncio.Future[Any] = await self._producer.send(self._settings.topic(topic), value, key=encode_key(key))
        return future


class Ingestor:
    """Polls every feed on its schedule and commits what each poll found."""

    def __init__(
        self,
        settings: IngestorSettings,
        feeds: Sequence[FeedConfig],
        poller: FeedPoller,
        outbox: Committer,
        states: dict[str, FeedState],
        known: KnownIds,
    ) -> None:
        self.settings = settings
        self.feeds = {feed.url: feed for feed in feeds}
        self.poller = poller
        self.outbox = outbox
        self.states = states
        self.known = known
        self._due: list[tuple[datetime, str]] = []
        self._wake = asyncio.Event()
        self._slots = asyncio.Semaphore(settings.ingestor.max_concurrent_polls)
        self._tasks: set[asyncio.Task[None]] = set()
        self._stopping = asyncio.Event()
        self._polling: set[str] = set()
        self.polls = 0

    def _schedule(self, url: str, when: datetime) -> None:
        heapq.heappush(self._due, (when, url))
        self._wake.set()

    async def run(self, stopping: asyncio.Event) -> None:
        self._stopping = stopping
        self._due.clear()
        now = datetime.now(UTC)
        for url, feed in self.feeds.items():
            state = self.states.get(url)
            when = state.next_poll if state and state.next_poll else now
            # A shortened interval in the feed list takes effect at once, not after the old one.
            self._schedule(url, min(when, now + timedelta(seconds=feed.interval)))
        fatal: list[BaseException] = []
        try:
            while not stopping.is_set() and not fatal:
                now = datetime.now(UTC)
                while self._due and self._due[0][0] <= now and not stopping.is_set():
                    _, url = heapq.heappop(self._due)
                    if url in self._polling:
                        continue  # never two polls of one feed at once: it is rescheduled when its poll ends
                    self._polling.add(url)
                    task = asyncio.create_task(self._poll(url, fatal), name=f"poll {url}")
                    self._tasks.add(task)
                    task.add_done_callback(self._tasks.discard)
                self._wake.clear()
                delay = (self._due[0][0] - datetime.now(UTC)).total_seconds() if self._due else 3600.0
                waiters = {asyncio.create_task(self._wake.wait()), asyncio.create_task(stopping.wait())}
                await asyncio.wait(waiters, timeout=max(delay, 0.0), return_when=asyncio.FIRST_COMPLETED)
                for waiter in waiters:
                    waiter.cancel()
        finally:
            if self._tasks:
                # Finish the polls in hand: each either commits or leaves nothing behind.
                await asyncio.gather(*self._tasks, return_exceptions=True)
        if fatal:
            raise fatal[0]

    async def _poll(self, url: str, fatal: list[BaseException]) -> None:
        feed = self.feeds[url]
        try:
            when = await self._poll_feed(feed)
            if when is None:
                return
        except ProducerFencedError as exc:
            fatal.append(exc)
            self._wake.set()
            return
        except Exception:
            logger.exception("unexpected failure polling %s", url)
            when = datetime.now(UTC) + timedelta(seconds=COMMIT_RETRY_DELAY)
        finally:
            self._polling.discard(url)
            self.polls += 1
        self._schedule(url, when)

    async def _poll_feed(self, feed: FeedConfig) -> datetime | None:
        """One poll, committed chunk by chunk; returns when to poll again (None: stopping, not polled)."""
        previous = self.states.get(feed.url)
        # The slot bounds the HTTP work in flight; waiting for a Kafka commit does not hold one.
        async with self._slots:
            if self._stopping.is_set():
                return None
            check = await self.poller.check(feed, previous)
        reserved = [item.id for item in check.new_items]
        self.known.reserve(reserved)
        try:
            if not check.new_items and previous is not None and not state_needs_write(previous, check.state):
                # A 304 (or an unchanged document) changes nothing a restart needs: no Kafka write at all.
                # After a restart such a feed is simply due at once, which costs one more conditional GET.
                self.states[feed.url] = check.state
            elif not check.new_items:
                await self._commit(check, [], list(check.dead_letters), check.state)
            else:
                await self._produce_chunks(check)
        except TransientError as exc:
            logger.warning("feed %s: not committed, will retry: %s", feed.url, exc)
            return datetime.now(UTC) + timedelta(seconds=COMMIT_RETRY_DELAY)
        finally:
            self.known.release(reserved)
        if check.new_items or check.failed:
            logger.info(
                "feed %s: %s, %d new, %d duplicate, %d dead letters",
                feed.url,
                check.outcome,
                len(check.new_items),
                check.duplicates,
                len(check.dead_letters),
            )
        return check.state.next_poll or datetime.now(UTC) + timedelta(seconds=feed.interval)

    async def _produce_chunks(self, check: FeedCheck) -> None:
        size = self.settings.ingestor.chunk_size
        items = check.new_items
        produced: list[str] = []
        for start in range(0, len(items), size):
            chunk = items[start : start + size]
            async with self._slots:
                articles, letters = await self.poller.articles(check, chunk)
            produced.extend(article.id for article in articles)
            last = start + size >= len(items)
            state = check.state if last else check.progress(produced)
            extra = list(check.dead_letters) if start == 0 else []
            await self._commit(check, articles, [*extra, *letters], state)

    async def _commit(
        self, check: FeedCheck, articles: list[RawArticle], letters: list[DeadLetter], state: FeedState
    ) -> None:
        await self.outbox.commit(articles, letters, state)
        self.known.replace(self.states.get(check.feed.url), state)
        self.states[check.feed.url] = state


def state_needs_write(old: FeedState, new: FeedState) -> bool:
    """Whether ``new`` differs from ``old`` in what must survive a restart (not only the poll times)."""
    return (old.etag, old.last_modified, old.seen_ids, old.failures, old.last_error) != (
        new.etag,
        new.last_modified,
        new.seen_ids,
        new.failures,
        new.last_error,
    )


@dataclass
class Running:
    """What ``build`` yields: the service and its parts, for tests and the CLI."""

    ingestor: Ingestor
    outbox: Outbox
    fetcher: Fetcher
    metrics: Metrics


@asynccontextmanager
async def build(
    settings: IngestorSettings,
    *,
    feeds: Sequence[FeedConfig] | None = None,
    metrics: Metrics | None = None,
    fetcher: Fetcher | None = None,
) -> AsyncIterator[Running]:
    """Enter the clients in order (fetcher, topics, transactional producer, state), yield the service, close all."""
    from newsmon.health import serve_health
    from newsmon.kafka import producer

    section = settings.ingestor
    if feeds is None:
        feeds = load_feeds(section.feeds_file)
    feeds = [
        f if "interval" in f.model_fields_set else f.model_copy(update={"interval": section.default_interval})
        for f in feeds
    ]
    metrics = metrics or PrometheusMetrics(service=SERVICE)
    async with AsyncExitStack() as stack:
        health = await stack.enter_async_context(serve_health(settings.metrics, service=SERVICE, metrics=metrics))
        health.set_ready("kafka", False)
        if fetcher is None:
            fetcher = await stack.enter_async_context(Fetcher(settings.http))
        await ensure_topics(settings.kafka)
        transactional_id = f"{settings.kafka.topic_prefix}{section.transactional_id}"
        # Starting the transactional producer fences older instances and aborts their open transaction: it must
        # happen before the state is read, or the read could stop at a transaction that is about to be aborted.
        client = await stack.enter_async_context(
            producer(
                settings.kafka, client_id=f"{settings.kafka.client_id}-ingestor", transactional_id=transactional_id
            )
        )
        states = await load_states(settings.kafka)
        known = KnownIds()
        for state in states.values():
            known.replace(None, state)
        poller = FeedPoller(
            fetcher,
            fetch_pages=section.fetch_pages,
            max_seen_ids=section.max_seen_ids,
            max_concurrent_pages=section.max_concurrent_pages,
            policy=SchedulePolicy(
                jitter=section.jitter, backoff_base=section.backoff_base, max_backoff=section.max_backoff
            ),
            metrics=metrics,
            is_known=known.__contains__,
        )
        outbox = Outbox(
            client, settings.kafka, max_batch=section.commit_batch, linger=section.commit_linger, metrics=metrics
        )
        outbox_task = asyncio.create_task(outbox.run(), name="ingestor outbox")
        stack.push_async_callback(_cancel, outbox_task)
        health.set_ready("kafka", True)
        logger.info(
            "ingestor ready: %d feeds, %d with saved state, %d known article ids", len(feeds), len(states), len(known)
        )
        yield Running(Ingestor(settings, feeds, poller, outbox, states, known), outbox, fetcher, metrics)


async def _cancel(task: asyncio.Task[None]) -> None:
    task.cancel()
    with suppress(asyncio.CancelledError):
        await task
