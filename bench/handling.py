"""Handling cost per chat request: `log_request` through the real use case, in process, on SQLite.

Run: .venv/bin/python bench/handling.py [--sizes 300,3000,30000] [--requests 200] [--rounds 1]
     [--baseline REF]
For each size: an SQLite database migrated to head and seeded with that many tickets of history (the
sample ledger's texts over the last 30 days, 10 % still open, each with its request and the bot's
reply), then --requests new requests, each from its own person, are logged through the Desk that
bot/wiring builds (incidents and duplicates on, default [incidents] policy; no articles, no causes, so
every report takes the meaning path of the incident rule). The clock moves 1 s per request. Prints ms
per report (p50, p95) and CPU seconds per report, on this tree with the checks on and (the floor) with
incidents and duplicates off. With --baseline REF the same runs are made on that commit's tree
(extracted with `git archive`, same data: a copy of the same seeded file), interleaved with this
tree's, and the ratio baseline / this tree is printed.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)


def texts() -> list[tuple[str, str, str]]:
    """(subject, text, cause) of the sample ledger's tickets."""
    with (ROOT / "samples" / "tickets.csv").open(newline="", encoding="utf-8") as f:
        return [(r["subject"], r["text"], r["cause"]) for r in csv.DictReader(f)]


async def seed(url: str, size: int) -> None:
    """`size` tickets of history over the 30 days before NOW, every tenth one still open."""
    from adapters.db.engine import make_engine
    from adapters.db.repositories import SqlRepositories
    from core.tickets import Message, Resolution, Role, Status, Surface, Ticket

    engine = make_engine(url)
    repos, pool, step = SqlRepositories.build(engine), texts(), timedelta(days=30) / size
    batch = []
    for n in range(size):
        subject, text, cause = pool[n % len(pool)]
        at = NOW - timedelta(minutes=1) - step * (size - n)
        t = Ticket(id=f"FX-H{n:06d}", surface=Surface.INTERNAL, created_at=at, platform="slack",
                   requester=f"U0HIST{n % 400}", subject=subject, text=text, cause_key=cause or None,
                   status=Status.SUGGESTED)
        t.add_message(Message(at=at, role=Role.REQUESTER, author=t.requester, text=text, ref=f"h{n}"))
        t.record_bot_reply(at, "Here is what I found.")
        if n % 10:  # every tenth ticket is still open
            t.resolve(at + timedelta(hours=1), Resolution.AGENT)
        batch.append(t)
    await repos.tickets.save_many(batch)
    await engine.dispose()


async def handle(url: str, requests: int, off: bool = False) -> dict[str, Any]:
    """Log the requests through the Desk; per-report wall ms and CPU seconds."""
    from adapters.db.engine import make_engine
    from adapters.db.repositories import SqlRepositories
    from bot.wiring import incident_rules
    from core.incidents import IncidentPolicy
    from core.messages import LogRequest
    from tests.uow_support import sql_desk

    engine = make_engine(url)
    repos = SqlRepositories.build(engine)
    desk = sql_desk(repos)
    desk.incidents, desk.incident_rules = repos.incidents, None if off else incident_rules(IncidentPolicy())
    desk.clock.current = NOW
    pool, wall, cpu = list(reversed(texts())), [], 0.0
    for n in range(requests):
        subject, text, _ = pool[n % len(pool)]
        cmd = LogRequest("slack", f"U0NEW{n}", text, thread_key=f"slack:DN{n}:1.{n}",
                         chat={"channel": f"DN{n}", "thread_ts": f"1.{n}"}, message_ref=f"1.{n}")
        desk.clock.advance(seconds=1)
        started, cpu_started = time.perf_counter(), time.process_time()
        await desk.log_request(cmd)
        wall.append(1000 * (time.perf_counter() - started))
        cpu += time.process_time() - cpu_started
    await engine.dispose()
    q = statistics.quantiles(wall, n=20, method="inclusive")
    return {"p50_ms": round(statistics.median(wall), 1), "p95_ms": round(q[18], 1),
            "cpu_ms_per_report": round(1000 * cpu / requests, 1), "cpu_s": round(cpu, 2)}


def child(args: argparse.Namespace) -> None:
    """One run on one tree (sys.path starts with it), printed as a JSON line."""
    print(json.dumps(asyncio.run(handle(f"sqlite+aiosqlite:///{args.db}", args.requests, args.off))))


def run_on(tree: Path, db: Path, requests: int, off: bool = False) -> dict[str, Any]:
    """A child process on a tree and a copy of the seeded database."""
    copy = db.with_name(f"run-{time.monotonic_ns()}.db")
    shutil.copy(db, copy)
    env = {**os.environ, "PYTHONPATH": str(tree)}
    out = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--child", "--db", str(copy), "--tree", str(tree),
         "--requests", str(requests), *(["--off"] if off else [])],
        cwd=tree, env=env, capture_output=True, text=True, check=True,
    )
    copy.unlink()
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", default="300,3000,30000")
    p.add_argument("--requests", type=int, default=200)
    p.add_argument("--rounds", type=int, default=1)
    p.add_argument("--baseline", help="a commit to compare with (its tree, the same data)")
    p.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--db", help=argparse.SUPPRESS)
    p.add_argument("--tree", help=argparse.SUPPRESS)
    p.add_argument("--off", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args()
    sys.path.insert(0, str(Path(args.tree) if args.tree else ROOT))
    if args.child:
        return child(args)
    with tempfile.TemporaryDirectory(prefix="fixloop-handling-") as folder:
        base = _extract(args.baseline, Path(folder)) if args.baseline else None
        for size in [int(s) for s in args.sizes.split(",")]:
            _measure(size, args, Path(folder), base)
    print(f"# reproduce: .venv/bin/python bench/handling.py --sizes {args.sizes} --requests {args.requests} "
          f"--rounds {args.rounds}" + (f" --baseline {args.baseline}" if args.baseline else ""))
    print(f"# load average at the end: {os.getloadavg()}")


def _extract(ref: str, folder: Path) -> Path:
    tree = folder / "baseline"
    tree.mkdir()
    archive = subprocess.run(["git", "archive", ref], cwd=ROOT, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
    return tree


def _measure(size: int, args: argparse.Namespace, folder: Path, base: Path | None) -> None:
    from adapters.db.migrate import upgrade

    db = folder / f"seed-{size}.db"
    upgrade(f"sqlite:///{db}")
    asyncio.run(seed(f"sqlite+aiosqlite:///{db}", size))
    for round_ in range(args.rounds):
        after = run_on(ROOT, db, args.requests)
        line = {"history": size, "round": round_ + 1, "this_tree": after}
        line["this_tree_checks_off"] = run_on(ROOT, db, args.requests, off=True)
        if base is not None:
            before = line["baseline"] = run_on(base, db, args.requests)
            line["ratio_baseline_over_this"] = {
                k: round(before[k] / after[k], 1) for k in ("p50_ms", "p95_ms", "cpu_ms_per_report")
            }
        line["load_average"] = [round(x, 1) for x in os.getloadavg()]
        print(json.dumps(line), flush=True)


if __name__ == "__main__":
    main()
