"""BackgroundLoop: a worker loop run as a task of the event loop, stopped between passes."""

from __future__ import annotations

import asyncio
import contextlib


class BackgroundLoop:
    """Start, wake and stop a `run()` loop; stopping lets the current pass finish.

    A pass is let finish rather than cancelled: a cancelled database transaction can keep its
    connection checked out, and on SQLite that connection's lock outlives the engine.
    """

    task_name = "fixloop-background"

    def __init__(self) -> None:
        self._task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        self._stopping = False

    async def run(self) -> None:
        """The loop itself: subclasses check `stopping` between passes and `pause` between them."""
        raise NotImplementedError

    @property
    def stopping(self) -> bool:
        """Whether stop() was asked for."""
        return self._stopping

    def wake(self) -> None:
        """Cut the current pause short: there is work now."""
        self._wake.set()

    async def pause(self, seconds: float) -> None:
        """Wait up to `seconds`, or until woken or stopped."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout=max(0.0, seconds))
        self._wake.clear()

    def start(self) -> None:
        """Run in the background of the current event loop."""
        if self._task is None:
            self._stopping = False
            self._task = asyncio.get_running_loop().create_task(self.run(), name=self.task_name)

    async def stop(self, grace: float = 5.0) -> None:
        """Stop after the current pass; cancel only if it has not ended within `grace` seconds."""
        if self._task is None:
            return
        self._stopping = True
        self._wake.set()
        try:
            await asyncio.wait_for(asyncio.shield(self._task), timeout=grace)
        except TimeoutError:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        self._task = None
