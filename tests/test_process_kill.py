"""The process killed mid-burst (SIGKILL: no cleanup at all) and started again.

Every event Slack saw acknowledged must become exactly one ticket, and every first reply that was due
must be posted exactly once, whichever process posts it. Events the dead process never acknowledged are
redelivered by "Slack" (this test) to the new one, as Slack does.
"""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import time
from pathlib import Path

import aiohttp
from sqlalchemy import func, select

from adapters.db.tables import TicketRow, table_of
from tests.cli_support import free_port, healthy, slack_process
from tests.settling import quiet
from tests.slack_fake import EMPLOYEE, FakeSlack, event_callback, send

ROOT = Path(__file__).resolve().parent.parent
TICKETS = table_of(TicketRow)


def serve(database_url: str, slack_url: str, port: int, log: Path) -> subprocess.Popen[bytes]:
    """`fixloop serve` as its own process, as in production."""
    args = ["serve", "--host", "127.0.0.1", "--port", str(port)]
    quick = {"FIXLOOP_LEASE_SECONDS": "2", "FIXLOOP_SWEEP_SECONDS": "0.3"}
    return slack_process(args, database_url, slack_url, log, **quick)


def event(i: int) -> tuple[str, str]:
    """(event_id, signed body) of the i-th DM, each opening a ticket of its own.

    Each comes from its own person: one person's near-identical requests would join their open ticket.
    """
    message = {
        "type": "message",
        "channel": f"D0EMP{i:03d}",
        "channel_type": "im",
        "user": f"{EMPLOYEE}{i:03d}",
        "text": f"My laptop {i} cannot reach the VPN since this morning",
        "ts": f"17100000{i:02d}.000100",
    }
    return f"EvKill{i:03d}", json.dumps(event_callback(message, f"EvKill{i:03d}"))


async def count_tickets(engine) -> int:  # type: ignore[no-untyped-def]
    async with engine.connect() as conn:
        return int((await conn.execute(select(func.count()).select_from(TICKETS))).scalar_one())


async def test_a_process_killed_mid_burst_loses_and_doubles_nothing(engine, db_url, tmp_path) -> None:
    fake = FakeSlack()
    await fake.server.start_server()
    port, log = free_port(), tmp_path / "serve.log"
    base = f"http://127.0.0.1:{port}"
    first = serve(db_url, fake.url, port, log)
    second: subprocess.Popen[bytes] | None = None
    n = 40
    events = [event(i) for i in range(n)]
    acked: set[str] = set()
    try:
        await healthy(base, first)
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as session:

            quarter = asyncio.Event()

            async def one(event_id: str, body: str) -> None:
                if await send(session, base, body, 0):
                    acked.add(event_id)
                    if len(acked) >= n // 4:
                        quarter.set()

            async def killer() -> None:
                await quarter.wait()
                first.send_signal(signal.SIGKILL)  # no shutdown hook runs: leases are simply abandoned

            await asyncio.gather(killer(), *(one(e, b) for e, b in events))
            first.wait(timeout=10)
            assert n // 4 <= len(acked) < n, f"the kill did not land mid-burst ({len(acked)} of {n} acked)"

            second = serve(db_url, fake.url, port, log)
            await healthy(base, second)
            for retry in range(1, 30):  # Slack redelivers what was not acknowledged; some acked ones too
                pending = [(e, b) for e, b in events if e not in acked]
                pending += events[:3]
                results = await asyncio.gather(*(send(session, base, b, retry) for _, b in pending))
                acked |= {e for (e, _), ok in zip(pending, results, strict=True) if ok}
                if len(acked) == n:
                    break
                await asyncio.sleep(0.3)
        assert len(acked) == n

        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            threads = [p.get("thread_ts") for p in fake.delivered() if str(p.get("channel", "")).startswith("D0EMP")]
            if await count_tickets(engine) == n and len(set(threads)) == n:
                break
            await asyncio.sleep(0.3)
        await quiet(engine)  # every event handled and every post settled, the dead process's leases included
        threads = [p.get("thread_ts") for p in fake.delivered() if str(p.get("channel", "")).startswith("D0EMP")]
        assert await count_tickets(engine) == n, log.read_text()[-3000:]
        print("replayed after the kill:", log.read_text().count("replaying slack event"))
        # Every thread answered, and no post made twice (an outage notice may follow the answer: 40 people
        # reporting the VPN at once are an incident).
        assert set(threads) == {json.loads(b)["event"]["ts"] for _, b in events}, "replies lost"
        posts = [(p.get("thread_ts"), p.get("text")) for p in fake.delivered()
                 if str(p.get("channel", "")).startswith("D0EMP")]
        assert len(posts) == len(set(posts)), "replies doubled"
    finally:
        for proc in (first, second):
            if proc is not None and proc.poll() is None:
                proc.terminate()
                proc.wait(timeout=15)
        await fake.server.close()
