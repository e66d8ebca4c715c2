"""WriteGate: one SQLite writer at a time per process, handed over at once, acknowledgements first.

SQLite has one write lock per file. A writer that finds it taken waits in SQLite's busy handler, which
sleeps and polls (1, 2, 5 ... 100 ms steps) instead of waking when the lock is free. With inline
intake, one acknowledgement (a single INSERT) competed that way with the worker thread's handlers
(8 at a time, each holding the lock from its first write to its commit): the pollers kept missing the
short gaps, and the acknowledgement waited p50 about 1 s, p99 about 2.6 s at 200 events/s.

Inside one process the writers queue here instead: a transaction takes the gate before its first write
and gives it back once its commit or rollback returned, so SQLite's lock is free whenever the gate is;
the next writer is woken at once, on its own event loop (the worker thread has its own), and a waiting
acknowledgement goes before waiting handlers. Writers in other processes (`fixloop worker`, the CLI)
still meet SQLite's busy handler, as before.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections import deque
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.util.concurrency import await_

WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "WITH")  # statements that start a write transaction
URGENT = "fixloop_urgent_write"  # execution option: this transaction is an acknowledgement
_Waiter = tuple[asyncio.AbstractEventLoop, "asyncio.Future[None]"]


class WriteGate:
    """A lock that waiters on any thread's event loop can await; urgent waiters are served first."""

    def __init__(self) -> None:
        self._mutex = threading.Lock()
        self._held = False
        self._queues: tuple[deque[_Waiter], deque[_Waiter]] = (deque(), deque())  # urgent, normal

    async def acquire(self, *, urgent: bool = False, patience: float = 5.0) -> None:
        """Wait for the gate; raise SQLite's own 'database is locked' after `patience` seconds."""
        loop = asyncio.get_running_loop()
        with self._mutex:
            if not self._held:
                self._held = True
                return
            waiter: _Waiter = (loop, loop.create_future())
            self._queues[0 if urgent else 1].append(waiter)
        try:
            await asyncio.wait_for(waiter[1], patience)
        except BaseException as exc:
            self._give_up(waiter)
            if isinstance(exc, TimeoutError):
                raise sqlite3.OperationalError("database is locked") from exc
            raise

    def _give_up(self, waiter: _Waiter) -> None:
        """A waiter stopped waiting: leave the queue, or pass on the gate if it was handed over."""
        with self._mutex:
            for queue in self._queues:
                if waiter in queue:
                    queue.remove(waiter)
        future = waiter[1]
        if not future.done():
            future.cancel()  # a hand-over already on its way sees this and passes the gate on
        elif not future.cancelled():
            self.release()  # handed over, but its owner is gone

    def release(self) -> None:
        """Hand the gate to the next waiter (urgent first), or leave it free."""
        with self._mutex:
            for queue in self._queues:
                while queue:
                    loop, future = queue.popleft()
                    try:
                        loop.call_soon_threadsafe(self._grant, future)
                    except RuntimeError:  # its loop closed: that waiter is gone
                        continue
                    return
            self._held = False

    def _grant(self, future: asyncio.Future[None]) -> None:
        if future.done():  # the waiter gave up after it was chosen: pass the gate on
            self.release()
        else:
            future.set_result(None)


_GATES: dict[str, WriteGate] = {}
_GATES_MUTEX = threading.Lock()


def gate_for(path: str) -> WriteGate:
    """The process's gate for one SQLite file (every engine on that file shares it)."""
    with _GATES_MUTEX:
        return _GATES.setdefault(path, WriteGate())


def install(engine: Engine, path: str, timeout: float) -> None:
    """Make every transaction of `engine` take the file's gate before its first write."""
    gate = gate_for(path)
    holding: set[int] = set()  # ids of aiosqlite connections inside a write transaction

    def ended(raw: Any) -> None:
        """The transaction ended (or its connection did): SQLite's lock is free, pass the gate on."""
        if id(raw) in holding:
            holding.discard(id(raw))
            gate.release()

    def wrap(raw: Any, name: str) -> None:
        original = getattr(raw, name)

        async def settled(*args: Any, **kwargs: Any) -> Any:
            try:
                return await original(*args, **kwargs)
            finally:
                ended(raw)

        setattr(raw, name, settled)

    def wrap_stop(raw: Any) -> None:  # a connection SQLAlchemy terminates (its task was cancelled)
        original = raw.stop

        def stopped(*args: Any, **kwargs: Any) -> Any:
            try:
                return original(*args, **kwargs)
            finally:
                ended(raw)

        raw.stop = stopped

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        raw = dbapi_connection._connection
        for name in ("commit", "rollback", "close"):
            wrap(raw, name)
        if hasattr(raw, "stop"):
            wrap_stop(raw)

    @event.listens_for(engine, "before_cursor_execute")
    def _before(conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        raw = conn.connection.dbapi_connection._connection
        if id(raw) in holding or not statement.lstrip()[:7].upper().startswith(WRITES):
            return
        await_(gate.acquire(urgent=bool(conn.get_execution_options().get(URGENT)), patience=timeout))
        holding.add(id(raw))
