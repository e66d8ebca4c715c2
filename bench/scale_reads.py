"""bench/scale.py's start and reads sections: `fixloop serve` until healthy, and every read path."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
import urllib.request

import psycopg
from sqlalchemy.engine import make_url

from bench.read_paths import PATHS, WEEK
from bench.scale import ROOT, Figure, Ledger, Target, env_for, fixloop, run


def stored_tickets(target: Target) -> int:
    """How many tickets the target database holds."""
    if target.backend == "postgresql":
        with psycopg.connect(target.url) as conn:
            return int(conn.execute("SELECT count(*) FROM tickets").fetchone()[0])  # type: ignore[index]
    with sqlite3.connect(make_url(target.url).database or "") as conn:
        return int(conn.execute("SELECT count(*) FROM tickets").fetchone()[0])


def ensure_imported(target: Target, ledger: Ledger) -> None:
    """Import the ledger unless an earlier section (import) did."""
    if stored_tickets(target) < ledger.rows:
        fixloop(target, "import", "tickets", str(ledger.path), "--format", "csv")


def start_section(target: Target, ledger: Ledger) -> list[Figure]:
    """Seconds from `fixloop serve` to the first 200 from /healthz, on the imported ledger."""
    ensure_imported(target, ledger)
    port = 18700 + ledger.rows % 97
    started = time.perf_counter()
    argv = [sys.executable, "-m", "bot", "serve", "--port", str(port)]
    with subprocess.Popen(argv, cwd=ROOT, env=env_for(target), stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL) as proc:  # fmt: skip
        try:
            seconds = _healthy(f"http://127.0.0.1:{port}/healthz", proc, started)
        finally:
            proc.terminate()
            proc.wait(30)
    return [Figure("fixloop serve -> /healthz 200", f"{seconds:.1f} s")]


def _healthy(url: str, proc: subprocess.Popen[bytes], started: float, within: float = 600) -> float:
    while time.perf_counter() - started < within:
        if proc.poll() is not None:
            raise SystemExit(f"fixloop serve exited {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return time.perf_counter() - started
        except OSError:
            time.sleep(0.2)
    raise SystemExit("fixloop serve did not become healthy")


def reads_section(target: Target, ledger: Ledger) -> list[Figure]:
    """Each read path's seconds and peak RSS: the CLI commands whole, the others around the one call."""
    ensure_imported(target, ledger)
    week = ["--from", WEEK.start.date().isoformat(), "--to", WEEK.end.date().isoformat()]
    figures = []
    for args in (["kpis", *week], ["causes"], ["digest", *week]):
        ran = fixloop(target, *args)
        whole = f"{ran.seconds:.2f} s (the whole process), peak RSS {ran.peak_mb:,.0f} MB"
        if "Traceback" in ran.output:
            whole = "FAILED " + ran.output.strip().splitlines()[-1][:300]
        figures.append(Figure(f"fixloop {args[0]}", whole))
    for name in PATHS:
        ran = run([sys.executable, str(ROOT / "bench" / "read_paths.py"), name], env_for(target))
        failed = [line for line in ran.output.splitlines() if line.startswith("FAILED")]
        if failed:
            figures.append(Figure(name, failed[-1]))
            continue
        seconds, before = ran.output.split()[-2:]
        grew = max(0.0, ran.peak_mb - float(before))
        process = f"process peak RSS {ran.peak_mb:,.0f} MB, {float(before):,.0f} MB before the call"
        figures.append(Figure(name, f"{float(seconds):.3f} s, the call's peak +{grew:,.0f} MB", process))
    return figures


SECTIONS = {"start": start_section, "reads": reads_section}
