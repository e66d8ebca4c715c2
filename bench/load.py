"""Load: signed Slack events (and Teams activities) at rising rates against `fixloop serve` on PostgreSQL.

Run: .venv/bin/python bench/load.py [--database-url postgresql://postgres@127.0.0.1:5432/test | sqlite]
     [--processes 1,2] [--rates 50,100,200,300] [--seconds 10] [--teams-share 0.1] [--duplicates 0.05]
For each process count: a scratch database beside the given server (created, migrated, dropped), that
many `fixloop serve` processes on it, a sink process answering the Slack Web API and the Bot Framework
connector, and this process as the load generator (open loop: events are sent on a fixed schedule, not
when the previous answer came). Each event is a new DM (one ticket each); a share of events is sent a
second time to another process, as Slack's redelivery would be. Teams runs in development mode (no Bot
Framework tokens: the load is on Fixloop, not on JWT checks).
Prints per rate: sent, acknowledged per second (sustained), ack p50 / p99, errors (non-2xx or no answer);
then, once the servers are idle: tickets in the database against distinct events acknowledged (lost,
duplicated) and how long the backlog took to drain.
Aim (issue 7): at least 200 events/s per process with ack p99 under 100 ms, zero lost, zero duplicated.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import random
import sqlite3
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from adapters.db.migrate import upgrade  # noqa: E402
from bench import sink  # noqa: E402
from bench.slack_intake import fixloop, pct  # noqa: E402
from tests.cli_support import free_port, healthy  # noqa: E402
from tests.conftest import postgres_database  # noqa: E402
from tests.slack_fake import SECRET, signature  # noqa: E402

TEXTS = [
    "VPN disconnects every few minutes",
    "I was charged twice for one invoice",
    "Printer on floor 2 shows offline",
    "Cannot log in to the expense tool after the password reset",
    "The espresso machine hums loudly",
]


@dataclass
class Step:
    rate: int
    sent: int = 0
    acks: list[float] = field(default_factory=list)
    errors: int = 0
    first: float = 0.0
    last: float = 0.0


def slack_event(n: int, run: str) -> tuple[str, bytes, dict[str, str]]:
    """(key, body, headers) of the n-th signed DM event."""
    body = json.dumps(
        {
            "type": "event_callback",
            "team_id": "T0ACME",
            "event_id": f"EvL{run}-{n}",
            "event_time": int(time.time()),
            "authorizations": [{"team_id": "T0ACME", "user_id": "U0BOT"}],
            "event": {
                "type": "message",
                "channel": f"DL{n}",
                "channel_type": "im",
                "user": f"U0L{n}",  # one person each: one person's repeats would join their open ticket
                "text": f"{TEXTS[n % len(TEXTS)]} (#{n})",
                "ts": f"1800{n:06d}.000100",
            },
        }
    )
    stamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "X-Slack-Request-Timestamp": str(stamp),
        "X-Slack-Signature": signature(body, stamp),
    }
    return f"slack:{n}", body.encode(), headers


def teams_activity(n: int, sink_url: str) -> tuple[str, bytes, dict[str, str]]:
    """(key, body, headers) of the n-th Teams personal-chat message (development mode: no token)."""
    body = {
        "type": "message",
        "id": f"L{n}{uuid.uuid4().hex[:6]}",
        "channelId": "msteams",
        "serviceUrl": sink_url,
        "from": {"id": f"29:load-user-{n}", "name": f"User {n}", "aadObjectId": str(uuid.uuid4())},
        "recipient": {"id": "28:fixloop", "name": "Fixloop"},
        "conversation": {"id": f"a:load-{n}", "conversationType": "personal", "tenantId": "tenant-load"},
        "channelData": {"tenant": {"id": "tenant-load"}},
        "text": f"{TEXTS[n % len(TEXTS)]} (#{n})",
        "textFormat": "plain",
    }
    return f"teams:{n}", json.dumps(body).encode(), {"Content-Type": "application/json"}


async def post(http: aiohttp.ClientSession, url: str, body: bytes, headers: dict[str, str]) -> float | None:
    """POST; the seconds to a 2xx answer, or None for an error."""
    started = time.perf_counter()
    try:
        async with http.post(url, data=body, headers=headers) as response:
            await response.read()
            ok = 200 <= response.status < 300
    except (TimeoutError, aiohttp.ClientError):
        ok = False
    return time.perf_counter() - started if ok else None


async def drive(
    http: aiohttp.ClientSession,
    bases: list[str],
    step: Step,
    seconds: float,
    start_n: int,
    args,
    sink_url: str,
) -> tuple[set[str], int]:
    """Send `rate` events a second for `seconds`; the keys acknowledged and the next event number."""
    acked: set[str] = set()
    rng = random.Random(start_n)
    tasks = []
    step.first = time.perf_counter()
    total = int(step.rate * seconds)

    async def one(i: int, n: int) -> None:
        teams = rng.random() < args.teams_share
        key, body, headers = teams_activity(n, sink_url) if teams else slack_event(n, args.run)
        base = bases[i % len(bases)]
        latency = await post(http, f"{base}/api/messages" if teams else f"{base}/slack/events", body, headers)
        if latency is None:
            step.errors += 1
            return
        step.acks.append(latency)
        acked.add(key)
        step.last = time.perf_counter()
        if not teams and rng.random() < args.duplicates:  # Slack redelivers: to another replica, maybe
            again = await post(http, f"{bases[(i + 1) % len(bases)]}/slack/events", body, headers)
            if again is None:
                step.errors += 1

    for i in range(total):
        due = step.first + i / step.rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(i, start_n + i)))
        step.sent += 1
    await asyncio.gather(*tasks)
    return acked, start_n + total


def scalars(url: str, sql: str) -> tuple[int, ...]:
    """One row of counts, read over a short connection (PostgreSQL or the SQLite file)."""
    if url.startswith("sqlite"):
        with closing(sqlite3.connect(url.split("///", 1)[1], timeout=30)) as conn:
            row = conn.execute(sql).fetchone()
    else:
        with psycopg.connect(url.replace("postgresql+psycopg", "postgresql")) as conn:
            row = conn.execute(sql).fetchone()
    return tuple(int(value) for value in row)


def count_tickets(url: str) -> tuple[int, int]:
    """(tickets, distinct thread keys) in the database."""
    tickets, threads = scalars(url, "SELECT count(*), count(DISTINCT thread_key) FROM tickets")
    return tickets, threads


def pending_outbox(url: str) -> int:
    return scalars(url, "SELECT count(*) FROM outbox WHERE state = 'pending'")[0]


@contextmanager
def scratch_database(server_url: str) -> Iterator[str]:
    """A new, migrated database for one run: on the PostgreSQL server, or a temporary SQLite file."""
    if server_url == "sqlite":
        with tempfile.TemporaryDirectory(prefix="fixloop-load-") as folder:
            url = f"sqlite:///{folder}/load.db"
            upgrade(url)
            yield url
        return
    with postgres_database("fixloop_load") as url:
        upgrade(url)
        yield url


async def run(url: str, processes: int, mode: str, args) -> None:
    """One configuration: start everything, drive every rate, count."""
    sink_port = free_port()
    sink_proc = multiprocessing.Process(target=sink.run, args=(sink_port,), daemon=True)
    sink_proc.start()
    sink_url = f"http://127.0.0.1:{sink_port}/"
    env = {
        "DATABASE_URL": url,
        "FIXLOOP_CONFIG": str(ROOT / "fixloop.example.toml"),
        "SLACK_BOT_TOKEN": "-".join(("xoxb", "FAKE", "bench", "only")),  # fake, never a real token
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": f"{sink_url}api/",
        "FIXLOOP_ENV": "development",
        "MICROSOFT_APP_ID": "",
        "FIXLOOP_INTAKE": mode,
    }
    fixloop(["import", "kb", "samples/kb"], env)
    ports = [free_port() for _ in range(processes)]
    servers = [fixloop(["serve", "--port", str(p)], env, wait=False) for p in ports]
    if mode == "queued":  # one worker process beside each server process
        servers += [fixloop(["worker"], env, wait=False) for _ in ports]
    bases = [f"http://127.0.0.1:{p}" for p in ports]
    acked: set[str] = set()
    n = 0
    connector = aiohttp.TCPConnector(limit=0)
    try:
        async with aiohttp.ClientSession(
            connector=connector, timeout=aiohttp.ClientTimeout(total=10)
        ) as http:
            for base, server in zip(bases, servers, strict=False):  # workers come after the servers
                await healthy(base, server)
            extra = f" + {processes} worker process(es)" if mode == "queued" else ""
            engine = "SQLite file" if url.startswith("sqlite") else "PostgreSQL database"
            print(f"\n== {mode} intake: {processes} server process(es){extra} on one {engine} ==")
            print(f"{'rate/s':>7} {'sent':>6} {'acked/s':>8} {'ack p50':>9} {'ack p99':>9} {'errors':>7}")
            started = time.perf_counter()
            for rate in args.rates:
                step = Step(rate * processes)
                keys, n = await drive(http, bases, step, args.seconds, n, args, sink_url)
                acked |= keys
                span = max(step.last - step.first, 1e-9)
                print(
                    f"{step.rate:>7} {step.sent:>6} {len(step.acks) / span:>8.1f} "
                    f"{pct(step.acks, 50) if step.acks else float('nan'):>7.1f}ms "
                    f"{pct(step.acks, 99) if step.acks else float('nan'):>7.1f}ms {step.errors:>7}"
                )
            sent_done = time.perf_counter()
            deadline = sent_done + args.drain
            while time.perf_counter() < deadline:
                tickets, _ = count_tickets(url)
                if tickets >= len(acked) and pending_outbox(url) == 0:
                    break
                await asyncio.sleep(0.5)
            drained = time.perf_counter() - sent_done
            tickets, threads = count_tickets(url)
            total_time = time.perf_counter() - started
            print(
                f"acknowledged events: {len(acked)}  tickets: {tickets}  "
                f"lost: {max(0, len(acked) - threads)}  duplicated: {tickets - threads}  "
                f"backlog drained {drained:.1f} s after the last send  "
                f"(processing: {tickets / total_time:.0f} tickets/s overall; "
                f"outbox pending {pending_outbox(url)})"
            )
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=20)
        sink_proc.kill()


def main() -> None:
    """Parse the arguments and run each process count on its own scratch PostgreSQL database."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url", default="postgresql://postgres@127.0.0.1:5432/test",
        help="a PostgreSQL server (a scratch database is made on it), or sqlite: a scratch file (make run)",
    )
    parser.add_argument("--processes", default="1,2")
    parser.add_argument("--modes", default="inline,queued", help="inline, queued (FIXLOOP_INTAKE)")
    parser.add_argument("--rates", default="50,100,200,300", help="events per second per process")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--teams-share", type=float, default=0.1)
    parser.add_argument("--duplicates", type=float, default=0.05)
    parser.add_argument("--drain", type=float, default=180.0, help="seconds to wait for the backlog")
    args = parser.parse_args()
    args.rates = [int(x) for x in args.rates.split(",")]
    print("command: .venv/bin/python bench/load.py " + " ".join(sys.argv[1:]))
    print(f"machine: {os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f} at start")
    if args.database_url != "sqlite":
        os.environ["TEST_DATABASE_URL"] = args.database_url
    for mode in args.modes.split(","):
        for processes in [int(x) for x in args.processes.split(",")]:
            args.run = uuid.uuid4().hex[:6]
            with scratch_database(args.database_url) as url:
                asyncio.run(run(url, processes, mode, args))


if __name__ == "__main__":
    main()
