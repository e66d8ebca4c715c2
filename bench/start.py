"""Start-up and inline suggestion at 10k, 100k and 1M tickets on PostgreSQL, with and without stored models.

    .venv/bin/python -m bench.start --sizes 10000,100000,1000000 \\
        --database-url postgresql://postgres@127.0.0.1:5432/test

Per size: a ledger replicated from samples/tickets.csv (bench/scale.py's make_ledger), imported with
`fixloop import tickets` into a scratch database (`<db>_start_<size>`, dropped afterwards); above 100k rows
the imported 100k are copied inside PostgreSQL (each copy 12 weeks earlier) up to the size. Then:
- `fixloop serve` until /healthz answers 200, first with no stored model (it fits and stores them), then
  again (it loads them); the same for `fixloop chat` until its first answer to a help request;
- inline suggestion: in one process that loaded the stored models, the p50/p95 of suggest + cause match +
  team routing for 300 ledger texts, and of a whole `log_request` (with its database writes).
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import shlex
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

from adapters.db import migrate
from bench.scale import ROOT, make_ledger
from tests.conftest import postgres_database

ASK = "my vpn keeps disconnecting every few minutes"
STORED_ONLY = False  # --stored-only: measure with the models a previous run stored


def env(url: str) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": url, "FIXLOOP_LOG_FORMAT": "text", "FIXLOOP_CONFIG":
            str(ROOT / "fixloop.example.toml")}


@dataclass(frozen=True)
class Took:
    wall: float
    cpu: float  # the process's own CPU seconds: what a machine shared with other work does not inflate

    def __str__(self) -> str:
        return f"{self.wall:.2f} s wall, {self.cpu:.2f} s CPU"


def fixloop(url: str, *args: str, stdin: str | None = None) -> tuple[Took, str]:
    """Run `fixloop ARGS` to its end; its wall and CPU seconds and its output."""
    started = time.perf_counter()
    argv = [sys.executable, "-m", "bot", *args]
    with subprocess.Popen(argv, env=env(url), cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True) as proc:
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write(stdin or "")
        proc.stdin.close()
        output = proc.stdout.read()
        _, status, usage = os.wait4(proc.pid, 0)  # reaped here, so its resource usage is its own
        proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"fixloop {shlex.join(args)} failed:\n{output[-3000:]}")
    return Took(time.perf_counter() - started, usage.ru_utime + usage.ru_stime), output


def cpu_seconds(pid: int) -> float:
    """CPU seconds (user + system, every thread) a running process used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve_until_healthy(url: str, timeout: float = 7200) -> tuple[Took, dict[str, object]]:
    """Seconds from launching `fixloop serve` to /healthz 200, and that answer."""
    port = free_port()
    started = time.perf_counter()
    argv = [sys.executable, "-m", "bot", "serve", "--port", str(port)]
    quiet = subprocess.DEVNULL
    proc = subprocess.Popen(argv, env=env(url), cwd=ROOT, stdout=quiet, stderr=quiet)
    try:
        while time.perf_counter() - started < timeout:
            if proc.poll() is not None:
                raise SystemExit("fixloop serve exited before it was healthy")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as answer:
                    if answer.status == 200:
                        took = Took(time.perf_counter() - started, cpu_seconds(proc.pid))
                        return took, json.loads(answer.read())
            except OSError:
                time.sleep(0.05)
        raise SystemExit("fixloop serve was not healthy in time")
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            proc.kill()


def chat_first_answer(url: str) -> Took:
    """Seconds for `fixloop chat` to start, answer one help request and quit."""
    took, output = fixloop(url, "chat", stdin=f"{ASK}\n/quit\n")
    if "Ticket" not in output and "ticket" not in output:
        raise SystemExit(f"fixloop chat did not answer:\n{output[-2000:]}")
    return took


def forget_models(url: str) -> None:
    with psycopg.connect(url) as conn:
        conn.execute("DELETE FROM model_snapshots")


async def suggestion_latency(url: str, texts: list[str]) -> dict[str, float]:
    """p50/p95 milliseconds of the inline suggestion path and of a whole log_request, models loaded."""
    from bot.settings import Settings
    from bot.wiring import build_runtime
    from core.messages import LogRequest

    runtime = await build_runtime(Settings(database_url=url, fixloop_config=ROOT / "fixloop.example.toml"))
    desk, model_ms, model_cpu_ms, request_ms = runtime.desk, [], [], []
    try:
        for i, text in enumerate(texts):
            started, cpu = time.perf_counter(), time.thread_time()
            desk.library.suggest(text, "internal")
            desk.matcher.match(text)
            if desk.router is not None:
                desk.router.predict(text)
            model_ms.append((time.perf_counter() - started) * 1000)
            model_cpu_ms.append((time.thread_time() - cpu) * 1000)
            started = time.perf_counter()
            await desk.log_request(LogRequest(platform="console", requester=f"bench-{i}", text=text,
                                              thread_key=f"bench:{i}:{time.time_ns()}"))
            request_ms.append((time.perf_counter() - started) * 1000)
    finally:
        await runtime.close()
    return {"suggest_p50": pct(model_ms, 50), "suggest_p95": pct(model_ms, 95),
            "suggest_cpu_p50": pct(model_cpu_ms, 50), "suggest_cpu_p95": pct(model_cpu_ms, 95),
            "request_p50": pct(request_ms, 50), "request_p95": pct(request_ms, 95)}


def pct(values: list[float], p: int) -> float:
    return round(statistics.quantiles(values, n=100)[p - 1], 1)


@contextmanager
def scratch(server_url: str, size: int) -> Iterator[str]:
    """A migrated scratch database on the server, dropped afterwards (the tests' own helper)."""
    os.environ["TEST_DATABASE_URL"] = server_url
    with postgres_database(f"fixloop_start_{size}") as url:
        migrate.upgrade(url)
        yield url


def replicate(url: str, copies: int) -> None:
    """Copy every ticket and message `copies` times inside PostgreSQL, each copy 12 weeks earlier: a
    million-ticket history in minutes where importing it on this loaded machine would take hours."""
    with psycopg.connect(url) as conn:
        for table, key in (("tickets", "id"), ("messages", "ticket_id")):
            columns = [r[0] for r in conn.execute(
                "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = %s "
                "ORDER BY ordinal_position", (table,)).fetchall()]
            kinds: dict[str, str] = dict(conn.execute(
                "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = %s",
                (table,)).fetchall())
            exprs = [copied(c, kinds[c], key) for c in columns]
            conn.execute(f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(exprs)} "  # noqa: S608
                         f"FROM {table} t CROSS JOIN generate_series(1, {copies}) AS g(k)")
        conn.execute("ANALYZE tickets")
        conn.execute("ANALYZE messages")


def copied(column: str, kind: str, key: str) -> str:
    """The expression copying one column into copy g.k."""
    if column == key:
        return f"t.{column} || '~' || g.k"
    if column in ("thread_key", "ref"):
        return "NULL"
    if kind.startswith("timestamp"):
        return f"t.{column} - g.k * interval '84 days'"
    return f"t.{column}"


def bench(url: str, size: int, ledger: Path, imported: int, cold_chat: bool, reuse: bool = False) -> None:
    if not reuse:
        load(url, size, ledger, imported)
    measure(url, size, ledger, cold_chat)


def load(url: str, size: int, ledger: Path, imported: int) -> None:
    """The knowledge base and `size` tickets: imported, then copied inside PostgreSQL past 100k."""
    fixloop(url, "import", "kb", str(ROOT / "samples" / "kb"))
    took, _ = fixloop(url, "import", "tickets", str(ledger), "--format", "csv")
    say(size, "import", f"{imported:,} rows in {took} ({imported / took.wall:,.0f} rows/s)")
    if size > imported:
        started = time.perf_counter()
        replicate(url, size // imported - 1)
        say(size, "replicated in PostgreSQL", f"x{size // imported} in {time.perf_counter() - started:.1f} s")


def measure(url: str, size: int, ledger: Path, cold_chat: bool) -> None:
    """Start with and without stored models, and the inline suggestion's latency."""
    empty, _ = fixloop(url, "--help")
    say(size, "floor: `fixloop --help` (interpreter, no models library)", str(empty))
    if not STORED_ONLY:
        forget_models(url)
        cold, _ = serve_until_healthy(url)  # nothing stored: fits every model, stores it
        say(size, "serve healthy, no stored models (fits and stores)", str(cold))
    warm, health = serve_until_healthy(url)
    say(size, "serve healthy, stored models", f"{warm}; /healthz models {json.dumps(health['models'])}")
    say(size, "chat first answer, stored models", str(chat_first_answer(url)))
    if cold_chat:  # a second full fit: measured at the first size only, to keep the run within hours
        forget_models(url)
        say(size, "chat first answer, no stored models (fits and stores)", str(chat_first_answer(url)))
    with ledger.open(newline="", encoding="utf-8") as f:
        texts = [row["text"] for _, row in zip(range(300), csv.DictReader(f), strict=False)]
    latency = asyncio.run(suggestion_latency(url, [t for t in texts if t] or [ASK] * 300))
    say(size, "inline suggestion (suggest + cause + routing) ms", f"wall p50 {latency['suggest_p50']}, "
        f"p95 {latency['suggest_p95']}; CPU p50 {latency['suggest_cpu_p50']}, "
        f"p95 {latency['suggest_cpu_p95']}; "
        f"whole log_request wall p50 {latency['request_p50']}, p95 {latency['request_p95']}")


def say(size: int, what: str, value: str) -> None:
    print(f"{size:>9,} {what}: {value}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--import-limit", type=int, default=100_000,
                        help="import at most this many rows; larger sizes copy them inside PostgreSQL")
    parser.add_argument("--reuse", action="store_true", help="measure on <db>_start_<size> as it is")
    parser.add_argument("--stored-only", action="store_true", help="with --reuse: keep its stored models")
    parser.add_argument("--no-cold-chat", action="store_true", help="skip the second cold fit (chat)")
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "fixloop-scale")
    args = parser.parse_args()
    global STORED_ONLY
    STORED_ONLY = args.stored_only
    args.cache.mkdir(parents=True, exist_ok=True)
    print(f"reproduce: .venv/bin/python -m bench.start {shlex.join(sys.argv[1:])}", flush=True)
    for n, size in enumerate(int(s) for s in args.sizes.split(",")):
        imported = min(size, args.import_limit)
        ledger = make_ledger(imported, args.cache)
        cold_chat = n == 0 and not args.no_cold_chat
        if args.reuse:  # a database a run left behind (interrupted): measure again without loading it
            base = make_url(args.database_url)
            left = base.set(drivername="postgresql", database=f"{base.database}_start_{size}")
            bench(left.render_as_string(hide_password=False), size, ledger.path, imported, cold_chat, True)
            continue
        with scratch(args.database_url, size) as url:
            bench(url, size, ledger.path, imported, cold_chat)


if __name__ == "__main__":
    main()
