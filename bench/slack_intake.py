"""Slack intake latency: ack time and time to the first reply, at rising concurrency, over real HTTP.

Run: .venv/bin/python bench/slack_intake.py [--database-url postgresql://postgres@127.0.0.1:5432/test]
     [--levels 1,10,50] [--requests 100]
Starts `fixloop serve` in its own process (SQLite in a temporary folder unless a PostgreSQL server URL
is given: a scratch database is created beside it and dropped afterwards), pointed at a fake Slack Web
API on 127.0.0.1 in this process, loads the sample knowledge base, then sends signed DM events. Prints
per concurrency level (that many users at once, each waiting for its reply before asking again): ack p50
and p99 (the HTTP answer to /slack/events) and first reply p50 and p95 (event sent -> chat.postMessage
received by the fake).
Aim (issue 3): ack p99 under 100 ms, first reply p95 under 1 s at 10 concurrent requests.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from adapters.db.migrate import upgrade  # noqa: E402
from tests.cli_support import free_port, healthy  # noqa: E402
from tests.conftest import postgres_database  # noqa: E402
from tests.slack_fake import SECRET, FakeSlack, signature  # noqa: E402

TEXTS = [
    "VPN disconnects every few minutes",
    "I was charged twice for one invoice",
    "Printer shows offline",
    "The espresso machine hums loudly",
]


def pct(values: list[float], q: int) -> float:
    """The q-th percentile in milliseconds, interpolated (numpy's default)."""
    return (
        statistics.quantiles(values, n=100, method="inclusive")[q - 1] * 1000
        if len(values) > 1
        else (values[0] * 1000)
    )


async def one(http: aiohttp.ClientSession, url: str, n: int, level: int) -> tuple[float, float, str]:
    """Send one signed DM event; return (send time, ack seconds, its ts)."""
    ts = f"17{level:03d}{n:05d}.000100"
    event = {
        "type": "message",
        "channel": f"D{level}X{n}",
        "channel_type": "im",
        "user": f"U0B{n}",
        "text": TEXTS[n % len(TEXTS)],
        "ts": ts,
    }
    body = json.dumps(
        {
            "type": "event_callback",
            "team_id": "T0ACME",
            "event_id": f"EvB{level}-{n}",
            "event": event,
            "authorizations": [{"team_id": "T0ACME", "user_id": "U0BOT"}],
        }
    )
    stamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "X-Slack-Request-Timestamp": str(stamp),
        "X-Slack-Signature": signature(body, stamp),
    }
    started = time.monotonic()
    async with http.post(url, data=body.encode(), headers=headers) as response:
        assert response.status == 200, response.status
    return started, time.monotonic() - started, ts


async def replied(fake: FakeSlack, ts: str, within: float = 30) -> float | None:
    """When the first reply in the thread of `ts` reached the fake, or None if it never did."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        at = next(
            (c.at for c in fake.calls if c.method == "chat.postMessage" and c.params.get("thread_ts") == ts),
            None,
        )
        if at is not None:
            return at
        await asyncio.sleep(0.005)
    return None


async def level_run(
    http: aiohttp.ClientSession, url: str, fake: FakeSlack, level: int, requests: int
) -> dict[str, float]:
    """`level` users at once, each sending a request and waiting for its first reply before the next."""
    gate = asyncio.Semaphore(level)

    async def user(n: int) -> tuple[float, float | None]:
        async with gate:
            started, ack, ts = await one(http, url, n, level)
            at = await replied(fake, ts)
            return ack, None if at is None else at - started

    results = await asyncio.gather(*(user(n) for n in range(requests)))
    acks = [ack for ack, _ in results]
    replies = [r for _, r in results if r is not None]
    return {
        "ack_p50": pct(acks, 50),
        "ack_p99": pct(acks, 99),
        "reply_p50": pct(replies, 50),
        "reply_p95": pct(replies, 95),
        "missing": len(results) - len(replies),
    }


def fixloop(args: list[str], env: dict[str, str], wait: bool = True) -> subprocess.Popen[bytes]:
    """Run `python -m bot ...` with the bench's environment."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", *args],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    if wait:
        assert proc.wait() == 0, f"fixloop {' '.join(args)} failed"
    return proc


async def run(db_url: str, levels: list[int], requests: int) -> None:
    """Start the fake Slack and `fixloop serve`, run every level, print a table."""
    fake = FakeSlack()
    await fake.server.start_server()
    port = free_port()
    env = {
        "DATABASE_URL": db_url,
        "FIXLOOP_CONFIG": str(ROOT / "fixloop.example.toml"),
        "SLACK_BOT_TOKEN": "-".join(("xoxb", "FAKE", "bench", "only")),  # fake, never a real token
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": fake.url,
    }
    fixloop(["import", "kb", "samples/kb"], env)
    server = fixloop(["serve", "--port", str(port)], env, wait=False)
    base = f"http://127.0.0.1:{port}"
    try:
        async with aiohttp.ClientSession() as http:
            await healthy(base, server)
            print(f"database: {db_url.split('@')[-1]}  requests per level: {requests}")
            print(
                f"{'concurrency':>11} {'ack p50':>9} {'ack p99':>9} {'reply p50':>10} {'reply p95':>10}"
                " missing"
            )
            for level in levels:
                r = await level_run(http, f"{base}/slack/events", fake, level, requests)
                print(
                    f"{level:>11} {r['ack_p50']:>7.1f}ms {r['ack_p99']:>7.1f}ms {r['reply_p50']:>8.1f}ms "
                    f"{r['reply_p95']:>8.1f}ms {r['missing']:>7.0f}"
                )
    finally:
        server.terminate()
        server.wait(timeout=10)
        await fake.server.close()


def main() -> None:
    """Parse the arguments and run on SQLite or on a scratch PostgreSQL database."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url", help="a PostgreSQL server URL; a scratch database is used beside it"
    )
    parser.add_argument("--levels", default="1,10,50")
    parser.add_argument("--requests", type=int, default=100)
    args = parser.parse_args()
    print("command: .venv/bin/python bench/slack_intake.py " + " ".join(sys.argv[1:]))
    with ExitStack() as stack:
        if args.database_url:
            os.environ["TEST_DATABASE_URL"] = args.database_url
            url = stack.enter_context(postgres_database("fixloop_bench"))
        else:
            url = f"sqlite:///{stack.enter_context(tempfile.TemporaryDirectory())}/bench.db"
        upgrade(url)
        asyncio.run(run(url, [int(x) for x in args.levels.split(",")], args.requests))


if __name__ == "__main__":
    main()
