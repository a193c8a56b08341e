"""Graceful shutdown: SIGTERM or SIGINT stops intake; the service finishes, commits, flushes and closes.

Use it once, around the run loop of a service::

    async with graceful_shutdown() as stopping:
        while not stopping.is_set():
            batch = await consumer.getmany(timeout_ms=500)   # short timeout: notice `stopping` quickly
            await handle(batch)                              # finish what is in flight…
            await consumer.commit()                          # …and commit it
    # leaving `async with` of producer/consumer then flushes and closes them

The first signal sets ``stopping`` (an :class:`asyncio.Event`): take no new records, finish the ones in hand.
A second signal cancels the task that entered the block, for an operator who does not want to wait; ``finally``
blocks and ``async with`` exits still run.

``sleep_or_stop(stopping, seconds)`` waits for the next poll of a feed but wakes at once when stopping, and
``first_of(stopping, awaitable)`` runs a long wait that should be abandoned on shutdown.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import AsyncIterator, Awaitable, Iterable
from contextlib import asynccontextmanager, suppress
from typing import TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")

DEFAULT_SIGNALS: tuple[signal.Signals, ...] = (signal.SIGTERM, signal.SIGINT)


@asynccontextmanager
async def graceful_shutdown(
    signals: Iterable[signal.Signals] = DEFAULT_SIGNALS, *, stopping: asyncio.Event | None = None
) -> AsyncIterator[asyncio.Event]:
    """Yield an event that is set by the first of ``signals``; the handlers are removed on exit.

    Pass ``stopping`` to share one event with other code (tests set it directly instead of sending a signal).
    Outside the main thread signal handlers cannot be installed; then only the event is yielded.
    """
    loop = asyncio.get_running_loop()
    event = stopping if stopping is not None else asyncio.Event()
    task = asyncio.current_task()
    installed: list[signal.Signals] = []

    def on_signal(sig: signal.Signals) -> None:
        if not event.is_set():
            log.info("received %s: stopping intake, finishing work in flight", sig.name)
            event.set()
        elif task is not None and not task.done():
            log.warning("received %s again: cancelling without waiting", sig.name)
            task.cancel()

    for sig in signals:
        try:
            loop.add_signal_handler(sig, on_signal, sig)
        except (ValueError, RuntimeError, NotImplementedError):
            # not the main thread, or a loop without signal support (Windows)
            log.debug("cannot install a handler for %s here", sig.name)
        else:
            installed.append(sig)
    try:
        yield event
    finally:
        for sig in installed:
            loop.remove_signal_handler(sig)


async def sleep_or_stop(stopping: asyncio.Event, seconds: float) -> bool:
    """Sleep up to ``seconds``; return True at once if ``stopping`` is (or becomes) set, else False."""
    if stopping.is_set():
        return True
    with suppress(TimeoutError):
        await asyncio.wait_for(stopping.wait(), timeout=max(seconds, 0.0))
    return stopping.is_set()


class Stopped(Exception):
    """Raised by :func:`first_of` when shutdown began before the awaitable finished."""


async def first_of(stopping: asyncio.Event, awaitable: Awaitable[T]) -> T:
    """Await ``awaitable`` unless ``stopping`` is set first; then cancel it and raise :class:`Stopped`."""
    work = asyncio.ensure_future(awaitable)
    waiter = asyncio.ensure_future(stopping.wait())
    try:
        await asyncio.wait({work, waiter}, return_when=asyncio.FIRST_COMPLETED)
    except asyncio.CancelledError:
        work.cancel()
        raise
    finally:
        waiter.cancel()
    if work.done():
        return work.result()
    work.cancel()
    with suppress(asyncio.CancelledError):
        await work
    raise Stopped("shutdown requested")
