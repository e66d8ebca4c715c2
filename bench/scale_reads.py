"""bench/scale.py's start and reads sections: `fixloop serve` until healthy (fitting the models, then
with them stored), and every read path."""

from __future__ import annotations

import json
import os
import sqlite3
import sys

import psycopg
from sqlalchemy.engine import make_url

from bench import start
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


FIT_EXAMPLES = "10000"  # the newest examples the first start fits on, unless FIXLOOP_FIT_EXAMPLES says


def start_section(target: Target, ledger: Ledger) -> list[Figure]:
    """`fixloop serve` until /healthz answers 200, twice: the first start finds no stored model, fits and
    stores them (bounded to the newest FIXLOOP_FIT_EXAMPLES examples, so that it ends at 1M); the second
    loads them, which is the start a user sees from then on. Wall and the process's own CPU seconds, against
    the interpreter floor (`fixloop --help`) in the same run."""
    ensure_imported(target, ledger)
    examples = os.environ.setdefault("FIXLOOP_FIT_EXAMPLES", FIT_EXAMPLES)  # serve inherits the environment
    _forget_models(target)
    floor, _ = start.fixloop(target.url, "--help")
    cold, _ = start.serve_until_healthy(target.url)
    warm, health = start.serve_until_healthy(target.url)
    models = json.dumps(health.get("models"))
    return [
        Figure(f"fixloop serve -> /healthz 200, first start (fits and stores models, {examples} examples)",
               str(cold), f"floor `fixloop --help` {floor}"),
        Figure("fixloop serve -> /healthz 200, with the stored models", f"{warm}; /healthz models {models}",
               f"floor `fixloop --help` {floor}; {warm.cpu / max(floor.cpu, 1e-9):.1f}x its CPU"),
    ]  # fmt: skip


def _forget_models(target: Target) -> None:
    """Delete the stored models, as a database that never ran `fixloop serve` has none."""
    if target.backend == "postgresql":
        start.forget_models(target.url)
        return
    with sqlite3.connect(make_url(target.url).database or "") as conn:
        conn.execute("DELETE FROM model_snapshots")


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
