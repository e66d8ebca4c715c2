"""CPU seconds of the aggregated read paths on PostgreSQL: this process's and the database backend's.

    .venv/bin/python bench/read_cpu.py postgresql://postgres@127.0.0.1:5432/DB [--repeat 3]

On a machine shared with other work, wall seconds stretch with the load; CPU seconds do not. Each call
(the KPIs of the bench's week, the top 10 causes, the digest) runs on one connection whose backend runs
every plan serially (max_parallel_workers_per_gather = 0, so no CPU hides in parallel workers), and the
backend's CPU is read from /proc (the database must run on this machine). Prints per call: wall seconds,
this process's CPU, the backend's CPU, and the load average.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import text  # noqa: E402
from sqlalchemy.ext.asyncio import async_sessionmaker  # noqa: E402

from adapters.db.engine import make_engine  # noqa: E402
from adapters.db.reports import SqlReports  # noqa: E402
from bench.read_paths import NOW, WEEK  # noqa: E402
from bot.config import load_config  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def backend_cpu(pid: int) -> float:
    """User + system CPU seconds of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def main(url: str, repeat: int) -> None:
    org = load_config(ROOT / "fixloop.example.toml").org
    options = "-c jit=off -c max_parallel_workers_per_gather=0"
    engine = make_engine(url, pool_size=1, max_overflow=0, connect_args={"options": options})
    reports = SqlReports(async_sessionmaker(engine, expire_on_commit=False))
    calls = {
        "kpis (the week)": lambda: reports.kpis(WEEK, sla_hours=org.sla_for),
        "ranked causes (top 10)": lambda: reports.ranked_causes(NOW, org.weights, limit=10),
        "digest (the week)": lambda: reports.digest(WEEK, org=org, now=NOW),
    }
    async with engine.connect() as conn:
        pid = int((await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one())
    try:
        for _ in range(repeat):
            for name, call in calls.items():
                wall, cpu, db = time.perf_counter(), time.process_time(), backend_cpu(pid)
                await call()
                wall, cpu, db = time.perf_counter() - wall, time.process_time() - cpu, backend_cpu(pid) - db
                load = os.getloadavg()[0]
                print(f"{name:<24} {wall:6.2f} s wall, CPU: this process {cpu:5.2f} s, database {db:5.2f} s, "
                      f"together {cpu + db:5.2f} s (load {load:.1f})", flush=True)  # fmt: skip
    finally:
        await engine.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"reproduce: .venv/bin/python bench/read_cpu.py {args.url} --repeat {args.repeat}")
    asyncio.run(main(args.url, args.repeat))
