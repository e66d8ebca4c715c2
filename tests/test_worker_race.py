"""Several `fixloop worker` processes racing on one Slack thread: every acknowledged message is kept.

Real processes on one PostgreSQL with FIXLOOP_INTAKE=queued: `serve` stores and acknowledges, the
workers take events from the inbox, several of them adding to the same ticket at the same moment.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.db.tables import InboxRow, MessageRow, TicketRow, table_of
from tests.cli_support import free_port, healthy, slack_process
from tests.slack_fake import EMPLOYEE, FakeSlack, event_callback, signature

pytestmark = pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="needs TEST_DATABASE_URL")

ROOT = Path(__file__).resolve().parent.parent
TICKETS, MESSAGES, INBOX = table_of(TicketRow), table_of(MessageRow), table_of(InboxRow)
ROOT_TS = "1720000000.000100"
REPLIES = 40
AT_ONCE = 10


def _fixloop(command: list[str], database_url: str, slack_url: str, log: Path) -> subprocess.Popen[bytes]:
    """A `fixloop` command as its own process, with queued intake, as in production."""
    queued = {"FIXLOOP_INTAKE": "queued", "FIXLOOP_RELEARN_SECONDS": "3600"}
    return slack_process(command, database_url, slack_url, log, **queued)


@asynccontextmanager
async def fixloop_processes(db_url: str, workers: int, tmp_path: Path) -> AsyncIterator[str]:
    """`fixloop serve` and `workers` `fixloop worker` processes; yields the server's base URL."""
    fake = FakeSlack()
    await fake.server.start_server()
    port = free_port()
    procs = [_fixloop(["serve", "--host", "127.0.0.1", "--port", str(port)], db_url, fake.url,
                      tmp_path / "serve.log")]
    procs += [_fixloop(["worker"], db_url, fake.url, tmp_path / f"worker{i}.log") for i in range(workers)]
    try:
        base = f"http://127.0.0.1:{port}"
        await healthy(base, procs, within=90)
        yield base
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=30)
        await fake.server.close()


def _event(i: int) -> str:
    """The signed body of message i: 0 is the DM that opens the ticket, the others reply in its thread."""
    message = {
        "type": "message",
        "channel": "D0EMP",
        "channel_type": "im",
        "user": EMPLOYEE,
        "text": f"VPN still drops, detail number {i}" if i else "VPN drops every few minutes",
        "ts": f"17200000{i:02d}.000100" if i else ROOT_TS,
    }
    if i:
        message["thread_ts"] = ROOT_TS
    return json.dumps(event_callback(message, f"EvRace{i:03d}"))


async def _send(session: aiohttp.ClientSession, base: str, body: str) -> None:
    ts = int(time.time())
    headers = {"X-Slack-Request-Timestamp": str(ts), "X-Slack-Signature": signature(body, ts),
               "Content-Type": "application/json"}
    async with session.post(f"{base}/slack/events", data=body.encode(), headers=headers) as response:
        assert response.status == 200, await response.text()


async def _until(check, within: float = 300):  # type: ignore[no-untyped-def]  # a cold worker fits its models first
    """Poll an async check until it returns something truthy."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        found = await check()
        if found:
            return found
        await asyncio.sleep(0.1)
    raise AssertionError("the workers did not finish in time")


async def _handled(engine: AsyncEngine, n: int) -> bool:
    async with engine.connect() as conn:
        rows = await conn.execute(select(INBOX.c.state, func.count()).group_by(INBOX.c.state))
        states = {state: int(count) for state, count in rows}
    assert "dead" not in states, states
    return states.get("done", 0) == n


async def _messages_kept(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        ticket = select(TICKETS.c.id).where(TICKETS.c.thread_key.like(f"%{ROOT_TS}"))
        # The people's messages carry their Slack ref; the bot's own first reply has none.
        stmt = select(func.count()).select_from(MESSAGES).where(
            MESSAGES.c.ticket_id.in_(ticket), MESSAGES.c.ref.is_not(None)
        )
        return int((await conn.execute(stmt)).scalar_one())


@pytest.mark.parametrize("workers", [2, 4])
async def test_replies_racing_on_one_thread_across_worker_processes_are_all_kept(
    engine, db_url, tmp_path, workers
) -> None:
    if not db_url.startswith("postgresql"):
        pytest.skip("several processes writing at once is the PostgreSQL deployment")
    async with fixloop_processes(db_url, workers, tmp_path) as base, aiohttp.ClientSession() as session:
        await _send(session, base, _event(0))
        await _until(lambda: _handled(engine, 1))
        gate = asyncio.Semaphore(AT_ONCE)

        async def reply(i: int) -> None:
            async with gate:
                await _send(session, base, _event(i))

        await asyncio.gather(*(reply(i) for i in range(1, REPLIES + 1)))
        await _until(lambda: _handled(engine, REPLIES + 1))
        kept = await _messages_kept(engine)
        async with engine.connect() as conn:
            attempts = (await conn.execute(select(func.max(INBOX.c.attempts)))).scalar_one()
    print(f"\n{workers} workers: {kept} of {REPLIES + 1} messages kept; an event took at most {attempts} attempt(s)")
    assert kept == REPLIES + 1
