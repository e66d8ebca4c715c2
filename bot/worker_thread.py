"""WorkerThread: `fixloop worker` inside `fixloop serve`, on a thread with its own event loop (inline intake).

Handling an event costs tens of milliseconds of CPU (retrieval, routing, clustering); run in the loop
that acknowledges requests, it delayed every acknowledgement behind it (p99 about 1 s at 88 events/s).
On a thread of its own it no longer blocks the acknowledging loop for a whole handler: the two share
the interpreter lock, which the serving thread gets back within a switch interval (0.1 ms here, set
process-wide when the thread starts; a single long C call can still hold it longer). The thread builds
its own runtime (database engines, clients and locks belong to one event loop each), exactly as a
`fixloop worker` process would, and takes events from the same inbox. For load beyond one core, run
`FIXLOOP_INTAKE=queued` with `fixloop worker` processes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
import threading
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from bot import heap

log = logging.getLogger("fixloop")
RESTART_SECONDS = 5.0  # a worker that could not start (the database was down) tries again after this
SWITCH_INTERVAL = 0.0001  # seconds a thread may hold the interpreter while another waits (default 0.005)


class Worker(Protocol):
    """What the thread runs: a runtime with its background workers."""

    sweeper: Any
    dispatcher: Any

    def start_background(self, work: bool = True) -> None: ...
    async def close(self) -> None: ...


class WorkerThread:
    """Start, wake and stop a worker runtime on its own thread."""

    def __init__(
        self, build: Callable[[], Awaitable[Worker]], restart_after: float = RESTART_SECONDS
    ) -> None:
        self._build, self.restart_after = build, restart_after
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self.runtime: Worker | None = None
        self.ready = threading.Event()  # set once the worker's runtime runs (or failed to start)
        self._stopping = threading.Event()

    def start(self) -> None:
        """Build the worker's runtime on a new thread and run it until stop()."""
        if self._thread is None:
            sys.setswitchinterval(SWITCH_INTERVAL)  # the acknowledging loop gets the interpreter back sooner
            self._stopping.clear()
            self._thread = threading.Thread(target=self._run, name="fixloop-worker", daemon=True)
            self._thread.start()

    def wake(self) -> None:
        """An event was stored: look at the inbox now."""
        self._call(lambda runtime: runtime.sweeper)

    def wake_outbox(self) -> None:
        """A post was queued: deliver it now."""
        self._call(lambda runtime: runtime.dispatcher)

    def _call(self, pick: Callable[[Worker], Any]) -> None:
        loop, runtime = self._loop, self.runtime
        worker = pick(runtime) if runtime is not None else None
        if loop is not None and worker is not None:
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile: the worker is stopping
                loop.call_soon_threadsafe(worker.wake)

    async def stop(self, within: float = 30.0) -> None:
        """Stop the worker after its current pass and wait for its thread to end."""
        if self._thread is None:
            return
        self._stopping.set()
        if self._loop is not None and self._stop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._stop.set)
        await asyncio.to_thread(self._thread.join, within)
        self._thread = None

    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                asyncio.run(self._main())
            except Exception:  # the acknowledging side goes on; stored events wait in the inbox
                log.exception("the inline worker stopped; starting it again in %.0f s", self.restart_after)
                self._stopping.wait(self.restart_after)
            else:
                break
        self.ready.set()

    async def _main(self) -> None:
        self._loop, self._stop = asyncio.get_running_loop(), asyncio.Event()
        runtime = await self._build()
        if self._stopping.is_set():  # stopped while it was being built
            self._stop.set()
        try:
            heap.settle()  # the worker's models are loaded: keep full collections off them
            runtime.start_background(work=True)
            self.runtime = runtime
            self.ready.set()
            log.info("inline worker started on its own thread and event loop")
            await self._stop.wait()
        finally:
            self.runtime = None
            await runtime.close()
