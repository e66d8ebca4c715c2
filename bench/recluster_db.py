"""Re-clustering and knowledge gaps read FROM a database of N tickets: whole history against bounded reads.

    python -m bench.recluster_db 100000 [--url postgresql://postgres@127.0.0.1:5432] [--phase read|full]
                                 [--gaps] [--paths whole,bounded] [--database NAME]

Seeds a scratch PostgreSQL database `fixloop_bench_recluster_N` (or `--database NAME`) once (real texts
from ../shared/data as bench/causes.py draws them, two messages per ticket, 40% of tickets on 200 causes,
a third resolved by an agent), through the production bulk import. Then each path runs in its own
process, so its peak memory (ru_maxrss) is its own:
- whole: every ticket with its messages (what `TicketRepository.list_all()` returned), then clustering;
- bounded: (id, text, surface, cause, created_at) in keyset pages of 5,000 (core/reclustering.read_docs).
`--phase read` stops after the read; `full` clusters too (core.cause_engine.propose_causes, WardClusterer).
`--gaps`: the knowledge gaps over the whole history against the SQL-selected candidates.
`--apply --paths thread,process`: the weekly job (bounded reads; it re-points the tickets, so the database
changes): read and cluster on a worker thread (`thread`, as before) or in a spawned child process that
reads the texts itself (`process`, as `serve` runs it: bot/recluster_process.py), then apply in batches;
with the event loop's longest stall.
CPU seconds are this process's (the database server's are not counted); the load average is printed.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import random
import resource
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg

from adapters.db.bulk_import import SqlTicketImport
from adapters.db.causes import SqlCauseRepository
from adapters.db.engine import make_engine
from adapters.db.migrate import upgrade
from adapters.db.tickets import SqlTicketRepository
from bench.causes import corpus
from core.causes import Cause
from core.org import ImpactWeights
from core.tickets import Message, Resolution, Role, Status, Surface, Ticket

START = datetime(2023, 1, 2, tzinfo=UTC)
CAUSES = 200


def ticket(i: int, text: str, rnd: random.Random) -> Ticket:
    """One drawn ticket: a requester's message, an agent's reply; a share resolved, some on a cause."""
    at = START + timedelta(minutes=i)
    words = text.split()
    t = Ticket(id=f"T{i:07d}", surface=Surface.INTERNAL if i % 3 else Surface.EXTERNAL, created_at=at,
               requester=f"u{i % 5000}", subject=" ".join(words[:6]), text=text,
               cause_key=f"c{rnd.randrange(CAUSES)}" if rnd.random() < 0.4 else None,
               messages=[Message(at, Role.REQUESTER, f"u{i % 5000}", text),
                         Message(at + timedelta(minutes=5), Role.AGENT, f"a{i % 40}", "Try this: " + text)])
    draw = rnd.random()
    if draw < 0.7:
        t.status, t.resolved_at, t.agents = Status.RESOLVED, at + timedelta(hours=2), [f"a{i % 40}"]
        t.resolution = Resolution.AGENT if draw < 0.35 else Resolution.ARTICLE
        t.article_id = "kb-1" if t.resolution == Resolution.ARTICLE else None
    return t


async def seed(url: str, n: int) -> None:
    """Import n tickets (and the causes they point to) unless the database holds them already."""
    engine = make_engine(url)
    try:
        if await SqlTicketRepository(engine).count() >= n:
            return
        rnd, texts = random.Random(7), corpus(n)
        causes = [Cause(key=f"c{k}", title=f"cause {k}", created_at=START) for k in range(CAUSES)]
        async with SqlTicketImport(engine).load() as load:
            for start in range(0, n, 10_000):
                await load.add([ticket(i, texts[i], rnd) for i in range(start, min(n, start + 10_000))])
            await load.finish(causes)
    finally:
        await engine.dispose()


def database(server: str, name: str) -> str:
    """Create the scratch database if needed and migrate it; its SQLAlchemy URL."""
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    url = f"{server}/{name}"
    upgrade(url)
    return url


def usage() -> tuple[float, float]:
    """(CPU seconds, peak MB) of this process so far."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime, r.ru_maxrss / 1024


async def measure(url: str, path: str, phase: str) -> dict[str, Any]:
    """Read the tickets one way (and cluster them for `full`); seconds, CPU seconds, peak MB."""
    from adapters.search.clustering import WardClusterer
    from core.cause_engine import propose_causes
    from core.reclustering import read_docs

    engine = make_engine(url)
    tickets, causes = SqlTicketRepository(engine), SqlCauseRepository(engine)
    cpu0, base = usage()
    started = time.perf_counter()
    every: list[Any] = list(await tickets.list()) if path == "whole" else list(await read_docs(tickets))
    known = await causes.list()
    read = time.perf_counter() - started
    out: dict[str, Any] = {"path": path, "tickets": len(every), "read_seconds": round(read, 1),
                           "read_peak_mb": round(usage()[1])}
    await engine.dispose()
    if phase == "full":
        t0 = time.perf_counter()
        result = await asyncio.to_thread(propose_causes, every, known, clusterer=WardClusterer())
        digest = hashlib.sha1(json.dumps(sorted(result.assignments.items())).encode()).hexdigest()[:12]
        out.update(cluster_seconds=round(time.perf_counter() - t0, 1), proposed=len(result.causes),
                   assignments_sha1=digest)  # the same on both paths: the same proposal
    cpu, peak = usage()
    return {**out, "seconds": round(time.perf_counter() - started, 1), "cpu_seconds": round(cpu - cpu0, 1),
            "peak_mb": round(peak), "baseline_mb": round(base)}


async def measure_apply(url: str, where: str) -> dict[str, Any]:
    """propose (clustering on a worker thread, or in a child process as `serve` runs it) then
    apply_reclustering, with the loop's longest stall; the child's CPU and memory are not this process's."""
    from adapters.db.engine import make_sessionmaker
    from adapters.db.repositories import SqlRepositories
    from adapters.search.clustering import WardClusterer
    from adapters.search.tfidf import TfidfRetriever
    from bot.recluster_process import propose_in_child
    from core.cause_matching import CauseMatcher
    from core.reclustering import apply_reclustering, propose
    from tests.fakes import FakeClock, sample_org

    engine = make_engine(url)
    tickets, causes = SqlTicketRepository(engine), SqlCauseRepository(engine)
    stalls = [0.0]

    async def heartbeat() -> None:  # what a request handler on the same loop would wait at worst
        while True:
            before = time.perf_counter()
            await asyncio.sleep(0.01)
            stalls[0] = max(stalls[0], time.perf_counter() - before - 0.01)

    beat = asyncio.create_task(heartbeat())
    cpu0, _ = usage()
    started = time.perf_counter()
    if where == "process":
        result = await propose_in_child(url)
    else:
        result = await propose(asyncio.to_thread, tickets=tickets, causes=causes, clusterer=WardClusterer())
    proposed, during_propose = time.perf_counter() - started, stalls[0]
    stalls[0] = 0.0
    unit = SqlRepositories.build(make_sessionmaker(engine)).unit_of_work()
    applied = await apply_reclustering(result, uow=unit,
                                       matcher=CauseMatcher(TfidfRetriever(chars=False)), org=sample_org(),
                                       clock=FakeClock())
    beat.cancel()
    await engine.dispose()
    cpu, peak = usage()
    applying = time.perf_counter() - started - proposed
    return {"propose_seconds": round(proposed, 1), "apply_seconds": round(applying, 1),
            "moved": applied.tickets_moved, "new_causes": applied.new_causes,
            "cpu_seconds": round(cpu - cpu0, 1), "peak_mb": round(peak),
            "loop_stall_ms": {"propose": round(during_propose * 1000), "apply": round(stalls[0] * 1000)}}


async def measure_gaps(url: str, path: str) -> dict[str, Any]:
    """Knowledge gaps from every ticket (whole) or from the SQL-selected candidates (bounded)."""
    from core.gaps import find_gaps, group_gaps

    engine = make_engine(url)
    tickets, causes = SqlTicketRepository(engine), SqlCauseRepository(engine)
    cpu0, base = usage()
    started = time.perf_counter()
    rows = await tickets.list() if path == "whole" else await tickets.gap_candidates()
    now = START + timedelta(days=800)
    known, w = await causes.list(), ImpactWeights()
    gaps = (find_gaps(rows, known, now=now, weights=w) if path == "whole"
            else group_gaps(rows, known, now=now, weights=w))
    await engine.dispose()
    cpu, peak = usage()
    return {"gaps_path": path, "tickets_read": len(rows), "gaps": len(gaps),
            "top": [(g.key, g.tickets) for g in gaps[:3]], "seconds": round(time.perf_counter() - started, 1),
            "cpu_seconds": round(cpu - cpu0, 1), "peak_mb": round(peak), "baseline_mb": round(base)}


def main(argv: list[str] | None = None) -> int:
    """Seed once, then run each path in its own process; one JSON line per run."""
    p = argparse.ArgumentParser(prog="python -m bench.recluster_db")
    p.add_argument("size", type=int)
    p.add_argument("--url", default=os.environ.get("BENCH_PG", "postgresql://postgres@127.0.0.1:5432"))
    p.add_argument("--phase", choices=("read", "full"), default="full")
    p.add_argument("--paths", default="whole,bounded")
    p.add_argument("--gaps", action="store_true")
    p.add_argument("--apply", action="store_true")
    p.add_argument("--database", help="the scratch database's name (default fixloop_bench_recluster_N)")
    p.add_argument("--one", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    name = args.database or f"fixloop_bench_recluster_{args.size}"
    url = f"{args.url}/{name}"
    if args.one:
        run = (measure_apply(url, args.one) if args.apply else measure_gaps(url, args.one) if args.gaps
               else measure(url, args.one, args.phase))
        print(json.dumps({**asyncio.run(run), "load": os.getloadavg()}), flush=True)
        return 0
    url = database(args.url, name)
    started = time.perf_counter()
    asyncio.run(seed(url, args.size))
    print(json.dumps({"seeded": args.size, "seconds": round(time.perf_counter() - started, 1)}), flush=True)
    for path in args.paths.split(","):
        flags = ["--gaps"] if args.gaps else ["--apply"] if args.apply else ["--phase", args.phase]
        cmd = [sys.executable, "-m", "bench.recluster_db", str(args.size), "--url", args.url, "--one", path,
               "--database", name, *flags]
        subprocess.run(cmd, check=True)
    print("reproduce: " + " ".join(["python -m bench.recluster_db", *(argv or sys.argv[1:])]), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
