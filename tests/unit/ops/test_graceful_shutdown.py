"""SIGTERM and SIGINT stop intake; a second signal cancels."""

from __future__ import annotations

import asyncio
import os
import signal

import pytest

from newsmon.lifecycle import Stopped, first_of, graceful_shutdown, sleep_or_stop


async def test_sigterm_sets_the_stopping_event_and_the_loop_finishes_its_batch() -> None:
    handled: list[int] = []
    async with graceful_shutdown() as stopping:
        batch = 0
        while not stopping.is_set():
            batch += 1
            if batch == 3:
                os.kill(os.getpid(), signal.SIGTERM)
            await asyncio.sleep(0.01)
            handled.append(batch)  # the batch in hand is finished even though the signal arrived
    assert handled == [1, 2, 3]


async def test_sigint_stops_too_and_handlers_are_removed_afterwards() -> None:
    async with graceful_shutdown() as stopping:
        os.kill(os.getpid(), signal.SIGINT)
        await asyncio.wait_for(stopping.wait(), timeout=2)
    loop = asyncio.get_running_loop()
    assert loop.remove_signal_handler(signal.SIGINT) is False
    assert loop.remove_signal_handler(signal.SIGTERM) is False


async def test_a_second_signal_cancels_the_task_that_waits() -> None:
    async def service() -> str:
        async with graceful_shutdown():
            try:
                await asyncio.sleep(30)  # a flush that hangs
            finally:
                cleaned.append(True)
        return "finished"

    cleaned: list[bool] = []
    task = asyncio.create_task(service())
    await asyncio.sleep(0.05)
    os.kill(os.getpid(), signal.SIGTERM)
    await asyncio.sleep(0.05)
    assert not task.done()
    os.kill(os.getpid(), signal.SIGTERM)
    with pytest.raises(asyncio.CancelledError):
        await task
    assert cleaned == [True]


async def test_an_external_event_can_be_shared() -> None:
    shared = asyncio.Event()
    async with graceful_shutdown(signals=(), stopping=shared) as stopping:
        assert stopping is shared


async def test_sleep_or_stop_wakes_when_stopping() -> None:
    stopping = asyncio.Event()
    assert await sleep_or_stop(stopping, 0.01) is False
    asyncio.get_running_loop().call_later(0.02, stopping.set)
    assert await asyncio.wait_for(sleep_or_stop(stopping, 30), timeout=2) is True


async def test_first_of_returns_the_result_or_raises_stopped() -> None:
    stopping = asyncio.Event()
    assert await first_of(stopping, asyncio.sleep(0, result="done")) == "done"

    cancelled = asyncio.Event()

    async def long_wait() -> None:
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            cancelled.set()
            raise

    asyncio.get_running_loop().call_later(0.02, stopping.set)
    with pytest.raises(Stopped):
        await first_of(stopping, long_wait())
    assert cancelled.is_set()
