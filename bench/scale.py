"""Fixloop at a company's scale: each section times one path at 10k, 100k (and 1M) tickets.

Run: .venv/bin/python bench/scale.py [--sizes 10000,100000] [--sections import]
       [--database-url postgresql://postgres@127.0.0.1:5432/test] [--no-sqlite]
Every size gets a ledger made from samples/tickets.csv (the 12 weeks replicated, each copy shifted 12
weeks earlier, its ids and cause keys suffixed), and a scratch database per backend: an SQLite file, and
with --database-url a PostgreSQL database beside the URL's (created, migrated, dropped). Each figure is
printed with the floor it is compared with, measured in the same run on the same machine.

Sections (add one: a function (Target, Ledger) -> list[Figure], then an entry in SECTIONS):
- import: `fixloop import tickets` as a user runs it, into an empty database and again (every row an
  update); rows/s and the process's peak RSS, against a raw load of the same file into a bare table of text
  columns (COPY on PostgreSQL, csv + executemany on SQLite).
- start: `fixloop serve` until /healthz answers, on the imported ledger, twice: the first start has no
  stored model, fits and stores them (on the newest FIXLOOP_FIT_EXAMPLES examples, 10,000 unless set, so
  that it ends at 1M); the second loads them, the start a user sees from then on. Wall and the process's
  CPU seconds, beside the interpreter floor (`fixloop --help`) in the same run (bench/start.py goes deeper).
- reads: `fixloop kpis`, `fixloop causes`, `fixloop digest` as processes, then every chat-facing read path
  (bench/read_paths.py: /causes, App Home, the terminal chat's leader and agent commands, the queue, the
  triage context, the evidence bundle, the owner suggestion), each in its own process: the call's seconds
  and the process's peak RSS (the RSS before the call beside it: imports and the runtime).
Sections share one database per size and backend, in the order given; reads and start import the ledger
first when the database is empty.
"""

from __future__ import annotations

import argparse
import csv
import os
import shlex
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from adapters.db import migrate  # noqa: E402

SAMPLE = ROOT / "samples" / "tickets.csv"
TIME = "/usr/bin/time"  # GNU time: a child's own peak RSS (see run)
SPAN = timedelta(weeks=12)  # what the sample covers; copy k is shifted k spans earlier
TIMES = ("created_at", "first_bot_reply_at", "first_human_reply_at", "resolved_at", "closed_at",
         "escalated_at", "escalation_judged_at", "root_cause_at", "fix_shipped_at", "csat_at")  # fmt: skip


@dataclass(frozen=True)
class Ledger:
    path: Path
    rows: int


@dataclass(frozen=True)
class Target:
    backend: str  # "sqlite" or "postgresql"
    url: str


@dataclass(frozen=True)
class Figure:
    what: str
    value: str
    floor: str = ""  # the baseline it is compared with, and the ratio


def make_ledger(rows: int, folder: Path) -> Ledger:
    """A ledger of `rows` tickets replicated from the sample, cached in `folder` across runs."""
    path = folder / f"ledger-{rows}.csv"
    if path.exists():
        return Ledger(path, rows)
    with SAMPLE.open(newline="", encoding="utf-8") as file:
        reader = csv.DictReader(file)
        columns, sample = list(reader.fieldnames or []), list(reader)
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, columns)
        writer.writeheader()
        for _, row in zip(range(rows), _copies(sample), strict=False):
            writer.writerow(row)
    return Ledger(path, rows)


def _copies(sample: list[dict[str, str]]) -> Iterator[dict[str, str]]:
    """The sample again and again, each copy earlier by one span, with its own ids and causes."""
    k = 0
    while True:
        shift = SPAN * k
        for row in sample:
            copy = dict(row, id=f"{row['id']}-{k}")
            if row["cause"]:
                copy["cause"] = f"{row['cause']}-{k}"
            for column in TIMES:
                if row[column]:
                    copy[column] = _earlier(row[column], shift)
            copy["reopened_at"] = ";".join(_earlier(v, shift) for v in row["reopened_at"].split(";") if v)
            yield copy
        k += 1


def _earlier(value: str, shift: timedelta) -> str:
    return (datetime.fromisoformat(value) - shift).isoformat().replace("+00:00", "Z")


# --- running a command as a user does, with its peak memory ----------------------------------------


@dataclass(frozen=True)
class Ran:
    seconds: float  # wall clock
    cpu: float  # the process's own CPU seconds (user + system): what load on a shared machine does not change
    peak_mb: float  # peak resident memory
    output: str


def run(argv: list[str], env: dict[str, str]) -> Ran:
    """Run a command; return its wall and CPU seconds, its peak RSS and its output.

    The peak is read by /usr/bin/time, a small parent: Linux starts a child's peak RSS (`ru_maxrss`) at
    its parent's resident size when it forks, so measured from this process (which imports the runtime
    to list the read paths, about 240 MB) every child seemed to need at least that much.
    """
    started = time.perf_counter()
    with tempfile.NamedTemporaryFile("r", suffix=".peak") as peak:
        timed = [TIME, "-q", "-f", "%M", "-o", peak.name, *argv] if Path(TIME).exists() else argv
        piped = {"stdout": subprocess.PIPE, "stderr": subprocess.STDOUT}
        with subprocess.Popen(timed, env=env, cwd=ROOT, **piped) as proc:  # type: ignore[call-overload]
            output = proc.stdout.read().decode() if proc.stdout else ""
            _, status, usage = os.wait4(proc.pid, 0)
            proc.returncode = os.waitstatus_to_exitcode(status)
        kb = peak.read().strip().splitlines()
    seconds = time.perf_counter() - started
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{shlex.join(argv)} failed ({proc.returncode}):\n{output}")
    peak_mb = int(kb[-1]) / 1024 if kb and kb[-1].isdigit() else usage.ru_maxrss / 1024
    return Ran(seconds, usage.ru_utime + usage.ru_stime, peak_mb, output)


def env_for(target: Target) -> dict[str, str]:
    """The environment a user's `fixloop` has: the target database, the example organisation."""
    config = str(ROOT / "fixloop.example.toml")
    return {**os.environ, "DATABASE_URL": target.url, "FIXLOOP_LOG_FORMAT": "text", "FIXLOOP_CONFIG": config}


def fixloop(target: Target, *args: str) -> Ran:
    """`fixloop ARGS` against the target database."""
    return run([sys.executable, "-m", "bot", *args], env_for(target))


# --- section: import ---------------------------------------------------------------------------------


def import_section(target: Target, ledger: Ledger) -> list[Figure]:
    """Import into an empty database, then the same file again (every row an upsert of a stored ticket)."""
    floor = raw_load(target, ledger)
    floor_text = f"raw load {floor:.2f} s ({ledger.rows / floor:,.0f} rows/s)"
    figures = []
    for label in ("import (new)", "re-import (updates)")[: 1 if ONCE else 2]:
        ran = fixloop(target, "import", "tickets", str(ledger.path), "--format", "csv")
        if "0 rejected" not in ran.output:
            raise SystemExit(f"the import rejected rows:\n{ran.output[:2000]}")
        figures.append(
            Figure(
                label,
                f"{ran.seconds:.2f} s, {ledger.rows / ran.seconds:,.0f} rows/s, "
                f"peak RSS {ran.peak_mb:,.0f} MB, its own CPU {ran.cpu:.1f} s",
                f"{floor_text}; import takes {ran.seconds / floor:.1f}x",
            )
        )
    return figures


def raw_load(target: Target, ledger: Ledger) -> float:
    """Seconds to load the file into a bare table of text columns: the floor for any import."""
    with ledger.path.open(newline="", encoding="utf-8") as file:
        header = next(csv.reader(file))
    columns = ", ".join(f'"{c}" text' for c in header)
    if target.backend == "postgresql":
        with psycopg.connect(target.url) as conn, conn.cursor() as cur:
            cur.execute(f"CREATE TABLE raw_ledger ({columns})")
            started = time.perf_counter()
            copy_sql = "COPY raw_ledger FROM STDIN (FORMAT csv, HEADER)"
            with ledger.path.open("rb") as data, cur.copy(copy_sql) as copy:
                while chunk := data.read(1 << 20):
                    copy.write(chunk)
            conn.commit()
            seconds = time.perf_counter() - started
            cur.execute("DROP TABLE raw_ledger")
            return seconds
    database = make_url(target.url).database or ""
    with sqlite3.connect(database) as conn:
        conn.execute(f"CREATE TABLE raw_ledger ({columns})")
        started = time.perf_counter()
        with ledger.path.open(newline="", encoding="utf-8") as file:
            reader = csv.reader(file)
            next(reader)
            marks = ", ".join("?" * len(header))
            conn.executemany(f"INSERT INTO raw_ledger VALUES ({marks})", reader)
        conn.commit()
        seconds = time.perf_counter() - started
        conn.execute("DROP TABLE raw_ledger")
        return seconds


SECTIONS: dict[str, Callable[[Target, Ledger], list[Figure]]] = {"import": import_section}
ONCE = "--import-once" in sys.argv  # skip the re-import (at 1M it doubles the run)
REUSE = next((a.split("=", 1)[1] for a in sys.argv if a.startswith("--reuse=")), "")


# --- scratch databases -----------------------------------------------------------------------------


@contextmanager
def scratch(backend: str, server_url: str | None, folder: Path, size: int) -> Iterator[Target]:
    """A freshly migrated empty database, removed afterwards (--reuse: that database, kept)."""
    if REUSE:
        yield Target("postgresql", REUSE)
        return
    if backend == "sqlite":
        path = folder / f"scale-{size}.db"
        for leftover in folder.glob(f"scale-{size}.db*"):
            leftover.unlink()
        url = f"sqlite:///{path}"
        migrate.upgrade(url)
        try:
            yield Target("sqlite", url)
        finally:
            for leftover in folder.glob(f"scale-{size}.db*"):
                leftover.unlink()
        return
    assert server_url is not None
    base = make_url(server_url)
    name = f"{base.database}_scale_{size}_{os.getpid()}"  # other runs on the same server keep theirs
    admin_url = base.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        url = base.set(drivername="postgresql", database=name).render_as_string(hide_password=False)
        try:
            migrate.upgrade(url)
            yield Target("postgresql", url)
        finally:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000", help="ticket counts, comma-separated")
    from bench.scale_reads import SECTIONS as MORE  # they use this module's helpers

    SECTIONS.update(MORE)
    parser.add_argument("--sections", default=",".join(SECTIONS), help=f"any of {', '.join(SECTIONS)}")
    parser.add_argument("--database-url", help="a PostgreSQL server to bench on too (scratch databases)")
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    parser.add_argument("--import-once", action="store_true", help="import: no re-import of the same file")
    parser.add_argument("--reuse", help="a PostgreSQL database already holding the ledger: read it, keep it")
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "fixloop-scale",
                        help="where generated ledgers are kept between runs")  # fmt: skip
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    sections = [s.strip() for s in args.sections.split(",")]
    backends = ([] if args.no_sqlite else ["sqlite"]) + (["postgresql"] if args.database_url else [])
    args.cache.mkdir(parents=True, exist_ok=True)
    print(f"reproduce: .venv/bin/python {shlex.join(sys.argv)}")
    for size in sizes:
        ledger = make_ledger(size, args.cache)
        for backend in backends:
            with scratch(backend, args.database_url, args.cache, size) as target:
                for section in sections:
                    for figure in SECTIONS[section](target, ledger):
                        floor = f"  [{figure.floor}]" if figure.floor else ""
                        print(f"{backend:<10} {size:>9,} {section:<8} {figure.what}: {figure.value}{floor}",
                              flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
