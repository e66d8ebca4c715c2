"""How long `compute_kpis` takes in memory, against the floor of one plain pass over the same tickets.

Run: .venv/bin/python bench/kpis.py [--sizes 10000,100000]
Prints, per size: seconds for all KPIs (total and both surfaces), seconds for the baseline (one loop that
reads created_at of every ticket once), and their ratio. The ratio is what to compare between runs: the
machine is shared and absolute seconds are noisy. (The SQL-side aggregation for 1M tickets belongs to the
digest issue; this measures the in-memory path the foundation uses.)
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.causes import Cause  # noqa: E402
from core.kpis import Period, compute_kpis  # noqa: E402
from core.tickets import Judgement, Priority, Resolution, Status, Surface, Ticket  # noqa: E402

START = datetime(2026, 1, 5, tzinfo=UTC)


def synthetic(n: int, seed: int = 7) -> tuple[list[Ticket], list[Cause]]:
    """n tickets over 20 weeks, 40 causes, with replies, resolutions, escalations, CSAT and reopens."""
    rng = random.Random(seed)
    causes = [Cause(f"c{i}", f"Cause {i}", fix_shipped_at=START + timedelta(weeks=rng.randint(2, 30)),
                    root_cause_at=START + timedelta(weeks=rng.randint(1, 19))) for i in range(40)]
    tickets = []
    for i in range(n):
        created = START + timedelta(seconds=rng.randint(0, 20 * 7 * 86400))
        t = Ticket(id=f"T{i}", surface=rng.choice([Surface.INTERNAL, Surface.EXTERNAL]), created_at=created,
                   priority=rng.choice(list(Priority)), agents=[rng.choice("abcdef")],
                   cause_key=f"c{rng.randint(0, 39)}" if rng.random() < 0.6 else None)
        t.first_bot_reply_at = created + timedelta(seconds=3)
        if rng.random() < 0.7:
            t.first_human_reply_at = created + timedelta(minutes=rng.randint(1, 300))
        if rng.random() < 0.9:
            t.resolved_at = created + timedelta(hours=rng.randint(1, 100))
            t.resolution = rng.choice(list(Resolution))
            t.article_id = f"kb{rng.randint(0, 30)}" if t.resolution == Resolution.ARTICLE else None
            t.status = Status.RESOLVED
            if rng.random() < 0.4:
                t.csat, t.csat_at = rng.randint(1, 5), t.resolved_at + timedelta(hours=1)
            if rng.random() < 0.05:
                t.reopened_at = [t.resolved_at + timedelta(days=1)]
        if rng.random() < 0.1:
            t.escalated_at = created + timedelta(hours=1)
            t.escalation_judgement = rng.choice([Judgement.NEEDED, Judgement.NOT_NEEDED, None])
        tickets.append(t)
    return tickets, causes


def measure(n: int) -> tuple[float, float]:
    """Seconds for compute_kpis and for the baseline pass, best of three each."""
    tickets, causes = synthetic(n)
    period = Period(START + timedelta(weeks=10), START + timedelta(weeks=11))
    kpi_times, base_times = [], []
    for _ in range(3):
        t0 = time.perf_counter()
        compute_kpis(tickets, causes, period, sla_hours={"urgent": 4})
        kpi_times.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        sum(1 for t in tickets if period.start <= t.created_at < period.end)
        base_times.append(time.perf_counter() - t0)
    return min(kpi_times), min(base_times)


def main() -> None:
    """Print the figures and the command that reproduces them."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10000,100000")
    sizes = [int(s) for s in parser.parse_args().sizes.split(",")]
    print("command: .venv/bin/python bench/kpis.py --sizes " + ",".join(map(str, sizes)))
    print(f"{'tickets':>10} {'kpis s':>9} {'baseline s':>11} {'ratio':>7}")
    for n in sizes:
        kpi, base = measure(n)
        print(f"{n:>10} {kpi:>9.3f} {base:>11.4f} {kpi / base:>7.1f}")


if __name__ == "__main__":
    main()
