"""Time and peak memory to compose the weekly digest from SQL aggregates, for 10k, 100k and 1M tickets.

Run: .venv/bin/python bench/digest.py --url postgresql://postgres@127.0.0.1:5432/test \
       [--sizes 10000,100000,1000000]
Each size gets a scratch database beside the URL's (created, migrated, loaded with COPY, analysed, dropped).
Tickets spread over 52 weeks, 60% with one of 200 causes; the digest covers week 40. Printed per size:
wall seconds to compose (best of 3, KPIs of the week and the week before, top causes, 12-week trend),
peak Python heap while composing (tracemalloc, a separate run), and the process's peak RSS.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import resource
import sys
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from adapters.db import migrate  # noqa: E402
from adapters.db.digest_sql import SqlDigests  # noqa: E402
from adapters.db.engine import make_engine  # noqa: E402
from core.org import Org  # noqa: E402
from core.periods import last_full_week  # noqa: E402

START = datetime(2025, 1, 6, tzinfo=UTC)  # a Monday
WEEKS, CAUSES = 52, 200
COLUMNS = (
    "id",
    "surface",
    "created_at",
    "platform",
    "requester",
    "subject",
    "text",
    "priority",
    "status",
    "chat",
    "agents",
    "agent",
    "suggested_article_ids",
    "first_bot_reply_at",
    "first_human_reply_at",
    "resolved_at",
    "resolution",
    "article_id",
    "reopened_at",
    "closed_at",
    "escalated_at",
    "escalation_judgement",
    "cause_key",
    "csat",
    "csat_at",
    "affected_users",
    "source",
)


def rows(n: int, rng: random.Random):  # type: ignore[no-untyped-def]
    """n synthetic ledger rows for COPY, in the tickets table's column order above."""
    for i in range(n):
        created = START + timedelta(seconds=rng.randint(0, WEEKS * 7 * 86400))
        agent = rng.choice("abcdefgh")
        human = created + timedelta(minutes=rng.randint(1, 300)) if rng.random() < 0.7 else None
        resolved = created + timedelta(hours=rng.randint(1, 100)) if rng.random() < 0.9 else None
        resolution = rng.choice(("article", "agent", "fix")) if resolved else None
        reopened = [(resolved + timedelta(days=1)).isoformat()] if resolved and rng.random() < 0.05 else []
        csat = rng.randint(1, 5) if resolved and rng.random() < 0.4 else None
        escalated = created + timedelta(hours=1) if rng.random() < 0.1 else None
        yield (
            f"T{i}",
            rng.choice(("internal", "external")),
            created,
            "console",
            "",
            "",
            "",
            rng.choice(("low", "normal", "high", "urgent")),
            "resolved" if resolved and not reopened else "new",
            "{}",
            json.dumps([agent]),
            agent,
            "[]",
            created + timedelta(seconds=3),
            human,
            resolved,
            resolution,
            f"kb{rng.randint(0, 30)}" if resolution == "article" else None,
            json.dumps(reopened),
            None,
            escalated,
            rng.choice(("needed", "not_needed", None)) if escalated else None,
            f"c{rng.randint(0, CAUSES - 1)}" if rng.random() < 0.6 else None,
            csat,
            resolved + timedelta(hours=1) if csat else None,
            rng.randint(0, 3),
            "bench",
        )


def load(url: str, n: int) -> None:
    """Migrate a fresh database and COPY n tickets and the causes into it."""
    migrate.upgrade(url)
    rng = random.Random(7)
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        with cur.copy(f"COPY tickets ({', '.join(COLUMNS)}) FROM STDIN") as copy:
            for row in rows(n, rng):
                copy.write_row(row)
        with cur.copy(
            "COPY causes (key, title, fix_status, fix_shipped_at, root_cause_at, key_phrases, "
            "named_by_person) FROM STDIN"
        ) as copy:
            for c in range(CAUSES):
                shipped = START + timedelta(weeks=rng.randint(4, 70))
                copy.write_row(
                    (
                        f"c{c}",
                        f"Cause {c}",
                        "shipped" if shipped < START + timedelta(weeks=WEEKS) else "none",
                        shipped,
                        START + timedelta(weeks=rng.randint(1, 50)),
                        "[]",
                        False,
                    )
                )
        cur.execute("ANALYZE")


async def compose(url: str, traced: bool) -> tuple[float, int]:
    """Seconds to compose the week-40 digest, and the traced peak heap if asked."""
    engine = make_engine(url)
    org = Org(sla_hours={"urgent": 4, "high": 24}, timezone="Europe/Berlin")
    period = last_full_week(START + timedelta(weeks=41), org.timezone)
    try:
        if traced:
            tracemalloc.start()
        t0 = time.perf_counter()
        digest = await SqlDigests(engine).compose(period, org=org, now=period.end + timedelta(hours=9))
        seconds = time.perf_counter() - t0
        peak = tracemalloc.get_traced_memory()[1] if traced else 0
        assert digest.lines and len(digest.trend) == 12
        return seconds, peak
    finally:
        if traced:
            tracemalloc.stop()
        await engine.dispose()


def measure(server: str, n: int) -> tuple[float, int]:
    """Load a scratch database with n tickets and time the digest on it."""
    name = f"bench_digest_{n}"
    url = make_url(server).set(database=name).render_as_string(hide_password=False)
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        load(url, n)
        best = min(asyncio.run(compose(url, traced=False))[0] for _ in range(3))
        return best, asyncio.run(compose(url, traced=True))[1]
    finally:
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def main() -> None:
    """Print the figures and the command that reproduces them."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--sizes", default="10000,100000,1000000")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"command: .venv/bin/python bench/digest.py --url {args.url} --sizes {','.join(map(str, sizes))}")
    print(f"{'tickets':>10} {'compose s':>10} {'peak heap MB':>13} {'peak RSS MB':>12}")
    for n in sizes:
        seconds, peak = measure(args.url, n)
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"{n:>10} {seconds:>10.2f} {peak / 2**20:>13.1f} {rss:>12.0f}", flush=True)


if __name__ == "__main__":
    main()
