"""The inline worker thread: its own event loop, woken from the serving loop, restarted if it cannot start."""

from __future__ import annotations

import asyncio
import threading

from bot.worker_thread import WorkerThread


class Loop:
    """A background loop stand-in that records the thread and event loop each wake arrives on."""

    def __init__(self) -> None:
        self.woken = threading.Event()
        self.on: list[tuple[int, asyncio.AbstractEventLoop]] = []

    def wake(self) -> None:
        self.on.append((threading.get_ident(), asyncio.get_running_loop()))
        self.woken.set()


class Worker:
    """A runtime stand-in: what the worker thread starts and closes."""

    def __init__(self) -> None:
        self.sweeper, self.dispatcher = Loop(), Loop()
        self.started = self.closed = False

    def start_background(self, work: bool = True) -> None:
        self.started = work

    async def close(self) -> None:
        self.closed = True


async def test_the_worker_runs_on_its_own_thread_and_loop_and_is_woken_there() -> None:
    worker = Worker()

    async def build() -> Worker:
        return worker

    thread = WorkerThread(build)
    thread.start()
    await asyncio.to_thread(thread.ready.wait, 10)
    thread.wake()
    thread.wake_outbox()
    assert await asyncio.to_thread(worker.sweeper.woken.wait, 10)
    assert await asyncio.to_thread(worker.dispatcher.woken.wait, 10)
    [(ident, loop)] = worker.sweeper.on
    assert ident != threading.get_ident() and loop is not asyncio.get_running_loop()
    await thread.stop()
    assert worker.started and worker.closed


async def test_a_worker_that_could_not_start_is_started_again() -> None:
    attempts: list[int] = []
    worker = Worker()

    async def build() -> Worker:
        attempts.append(1)
        if len(attempts) == 1:
            raise OSError("the database is not up yet")
        return worker

    thread = WorkerThread(build, restart_after=0.01)
    thread.start()
    await asyncio.to_thread(thread.ready.wait, 10)
    assert len(attempts) == 2 and thread.runtime is worker
    await thread.stop()
    assert worker.closed
