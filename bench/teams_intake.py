"""Time from a Teams message to Fixloop's reply activity, at 1, 10 and 50 concurrent activities.

Run: .venv/bin/python bench/teams_intake.py [--levels 1,10,50] [--rounds 3] [--database-url URL]
Each activity is a new help request in its own personal chat, POSTed with a signed RS256 token to the
real aiohttp app (bot.server.create_app, Bot Framework JWT validation on); the clock stops when the fake
Bot Connector on 127.0.0.1 receives the reply for that activity. Prints median, p90 and max seconds per
level, and activities per second. SQLite in a temporary folder by default; pass a PostgreSQL URL to compare.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from adapters.db import migrate  # noqa: E402
from tests.teams_fake import harness, message  # noqa: E402

TEXTS = ["VPN disconnects every few minutes", "Printer shows offline", "I was charged twice for one invoice"]


async def one(h, n: int, round_: int) -> float:  # type: ignore[no-untyped-def]
    """Seconds from the POST to the reply reaching the connector."""
    activity_id = f"bench-{round_}-{n}"
    chat = f"a:bench-chat-{round_}-{n}"
    started = time.monotonic()
    response = await h.post(message(TEXTS[n % 3], conversation=chat, id=activity_id))
    assert response.status == 201, response.status
    reply = await h.connector.wait_for("reply", where=lambda c: c.activity_id == activity_id, within=60)
    return reply[0].at - started


async def level(h, concurrency: int, rounds: int) -> tuple[list[float], float]:  # type: ignore[no-untyped-def]
    """All latencies at one concurrency, and the activities per second."""
    latencies, wall = [], 0.0
    for r in range(rounds):
        started = time.monotonic()
        latencies += await asyncio.gather(*(one(h, n, r + concurrency * 100) for n in range(concurrency)))
        wall += time.monotonic() - started
    return latencies, concurrency * rounds / wall


async def main(levels: list[int], rounds: int, url: str | None) -> None:
    """Warm up once, then measure each level."""
    with tempfile.TemporaryDirectory() as folder:
        url = url or f"sqlite:///{folder}/bench.db"
        migrate.upgrade(url)
        async with harness(url, Path(folder)) as h:
            await one(h, 0, 999_999)  # first request fetches the signing keys and warms the indexes
            print(f"{'concurrent':>10} {'median s':>9} {'p90 s':>7} {'max s':>7} {'per s':>7}")
            for n in levels:
                lat, rate = await level(h, n, rounds)
                p90 = statistics.quantiles(lat, n=10, method="inclusive")[-1] if len(lat) > 1 else lat[0]
                print(f"{n:>10} {statistics.median(lat):>9.3f} {p90:>7.3f} {max(lat):>7.3f} {rate:>7.1f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--levels", default="1,10,50")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    print("command: .venv/bin/python bench/teams_intake.py " + " ".join(sys.argv[1:]))
    asyncio.run(main([int(x) for x in args.levels.split(",")], args.rounds, args.database_url))
