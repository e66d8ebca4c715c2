"""Time and tickets loaded to choose coaching prompts and SLA nudges: SQL candidates vs the whole ledger.

Run: .venv/bin/python bench/jobs.py --url postgresql://postgres@127.0.0.1:5432/test [--sizes 10000,100000]
Each size gets a scratch database beside the URL's, loaded like bench/digest.py (8 agents, 52 weeks),
then dropped. Printed per size: seconds (best of 3) and candidate tickets returned, for the coaching
prompts of week 40 and the SLA nudges at its end, from adapters/db/job_sql.py and from the in-memory
selection, and whether both picked the same.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from adapters.db.engine import make_engine  # noqa: E402
from adapters.db.job_sql import SqlJobCandidates  # noqa: E402
from adapters.db.tickets import SqlTicketRepository  # noqa: E402
from bench.digest import START, load  # noqa: E402
from core.coaching import coaching_prompts  # noqa: E402
from core.jobs import LedgerCandidates  # noqa: E402
from core.org import Org, Person, PersonRole  # noqa: E402
from core.periods import last_full_week  # noqa: E402
from core.schedule import near_sla  # noqa: E402

AGENTS = tuple("abcdefgh")
ORG = Org(
    people=(
        Person("boss", "Boss", frozenset({PersonRole.MANAGER})),
        *(Person(a, a, frozenset({PersonRole.AGENT}), manager="boss") for a in AGENTS),
    ),
    sla_hours={"urgent": 4, "high": 24},
    timezone="Europe/Berlin",
)


async def best(fn: Callable[[], Awaitable[Any]]) -> tuple[float, Any]:
    """Best wall time of three runs, and the last result."""
    times, result = [], None
    for _ in range(3):
        t0 = time.perf_counter()
        result = await fn()
        times.append(time.perf_counter() - t0)
    return min(times), result


async def run(url: str) -> list[str]:
    """The four timings, as printable cells."""
    engine = make_engine(url)
    week = last_full_week(START + timedelta(weeks=41), ORG.timezone)
    now = week.end
    sql_side, memory = SqlJobCandidates(engine), LedgerCandidates(SqlTicketRepository(engine))
    try:
        cells = []
        picks = []
        for source in (sql_side, memory):
            seconds, tickets = await best(lambda s=source: s.coaching_tickets(AGENTS, week))
            prompts = coaching_prompts(ORG, tickets, week.start, week.end)
            picks.append(
                [(p.agent, p.strong and p.strong.ticket.id, p.weak and p.weak.ticket.id) for p in prompts]
            )
            cells.append(f"{seconds:.2f} s / {len(tickets)}")
        cells.append("same" if picks[0] == picks[1] else "DIFFERENT")
        nudges = []
        for source in (sql_side, memory):
            seconds, tickets = await best(lambda s=source: s.near_sla(now, ORG.sla_for, 0.8, 10**9))
            nudges.append([t.id for t, _ in near_sla(tickets, now, ORG.sla_for, 0.8)])
            cells.append(f"{seconds:.2f} s / {len(tickets)}")
        cells.append("same" if nudges[0] == nudges[1] else "DIFFERENT")
        return cells
    finally:
        await engine.dispose()


def measure(server: str, n: int) -> list[str]:
    """Load a scratch database with n tickets and time both selections on it."""
    name = f"bench_jobs_{n}"
    url = make_url(server).set(database=name).render_as_string(hide_password=False)
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        load(url, n)
        return asyncio.run(run(url))
    finally:
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def main() -> None:
    """Print the figures and the command that reproduces them."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--sizes", default="10000,100000")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"command: .venv/bin/python bench/jobs.py --url {args.url} --sizes {','.join(map(str, sizes))}")
    heads = ("coaching SQL", "coaching memory", "", "nudges SQL", "nudges memory", "")
    print(f"{'tickets':>8} " + " ".join(f"{h:>18}" for h in heads) + "  (seconds / candidates returned)")
    for n in sizes:
        print(f"{n:>8} " + " ".join(f"{c:>18}" for c in measure(args.url, n)), flush=True)


if __name__ == "__main__":
    main()
