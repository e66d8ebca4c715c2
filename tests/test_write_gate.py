"""The SQLite write gate: one writer at a time per process, handed over at once, acknowledgements first."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.db.engine import make_engine
from adapters.db.write_gate import URGENT, WriteGate


async def test_an_urgent_waiter_goes_before_earlier_ones() -> None:
    gate, order = WriteGate(), []
    await gate.acquire()

    async def wait(name: str, urgent: bool) -> None:
        await gate.acquire(urgent=urgent)
        order.append(name)
        gate.release()

    normal = asyncio.create_task(wait("handler", False))
    await asyncio.sleep(0)
    urgent = asyncio.create_task(wait("ack", True))
    await asyncio.sleep(0)
    gate.release()
    await asyncio.gather(normal, urgent)
    assert order == ["ack", "handler"]


async def test_a_waiter_on_another_threads_loop_is_woken() -> None:
    gate, got = WriteGate(), threading.Event()
    await gate.acquire()
    waiting = threading.Event()

    async def other() -> None:
        task = asyncio.create_task(gate.acquire())
        await asyncio.sleep(0)
        waiting.set()
        await task
        got.set()
        gate.release()

    thread = threading.Thread(target=asyncio.run, args=(other(),))
    thread.start()
    await asyncio.to_thread(waiting.wait, 5)
    gate.release()
    assert await asyncio.to_thread(got.wait, 5)
    await asyncio.to_thread(thread.join, 5)
    await gate.acquire(patience=0.1)  # given back: free again


async def test_a_waiter_that_gives_up_raises_sqlites_own_error_and_passes_nothing_on() -> None:
    gate = WriteGate()
    await gate.acquire()
    with pytest.raises(sqlite3.OperationalError, match="database is locked"):
        await gate.acquire(patience=0.01)
    gate.release()
    await gate.acquire(patience=0.1)


async def test_on_one_file_a_waiting_acknowledgement_writes_before_waiting_handlers(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'gate.db'}"
    serving, worker = make_engine(url), make_engine(url)  # the acknowledging loop's and the worker's
    async with serving.begin() as conn:
        await conn.execute(text("CREATE TABLE t (name TEXT)"))
    order: list[str] = []

    async def write(engine: AsyncEngine, name: str, urgent: bool) -> None:
        async with engine.begin() as conn:
            conn = await conn.execution_options(**{URGENT: urgent})
            await conn.execute(text("INSERT INTO t VALUES (:n)"), {"n": name})
        order.append(name)

    try:
        async with worker.begin() as holder:
            await holder.execute(text("INSERT INTO t VALUES ('first')"))  # holds SQLite's write lock
            handlers = [asyncio.create_task(write(worker, f"handler{i}", False)) for i in range(3)]
            await asyncio.sleep(0.05)
            ack = asyncio.create_task(write(serving, "ack", True))
            await asyncio.sleep(0.05)
            assert order == []
        await asyncio.gather(ack, *handlers)
        assert order[0] == "ack"
        async with serving.connect() as conn:
            rows = (await conn.execute(text("SELECT count(*) FROM t"))).scalar()
        assert rows == 5
    finally:
        await serving.dispose()
        await worker.dispose()
