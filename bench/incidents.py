"""How often the incident rule fires: on the sample ledger (samples/tickets.csv) and on IT help-desk data.

    python -m bench.incidents [--limit 3000] [--rate 20] [--only ledger|helpdesk] [--refit]

The replay uses the rule's own pure functions (core/incidents.py: `matching`, `fires`, `close_to`) in
the order core/incident_flow.py applies them at intake: join an open incident of the same cause (or close
in meaning), else look for a group in the window. An incident stays open until a day passes without a
new report (in production an agent or the cause's fix closes it). Words are weighed as at intake: by the
newest 300 tickets' document frequencies, counted once and kept a minute of the replay's clock
(adapters/search/word_weights.py); --refit fits them again for every report, as intake did before.

Ledger: real timestamps and requesters. Two modes: "causes known" (the ledger's cause labels, as if the
cause engine had assigned every ticket) and "no causes" (meaning only, as for a problem never seen).
Help desk (../shared/data/it-helpdesk, no timestamps, no requesters): arrival is SIMULATED as a Poisson
process of --rate tickets per business hour (Mon-Fri 08-18), in the file's shuffled order, each ticket
from a different person. The data holds no known outage, so every incident there is a false alarm or a
run of genuinely alike requests; its 8 topic groups are far too coarse to stand for causes.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from adapters.search.tfidf import TfidfRetriever
from adapters.search.word_weights import Words
from bench.quality import helpdesk
from core.gists import Afresh, KeptWeights, WordWeights
from core.incidents import IncidentPolicy, IncidentRules, close_to, fires, matching, words
from core.tickets import Surface, Ticket

ROOT = Path(__file__).resolve().parent.parent
IDLE = timedelta(days=1)  # an incident with no new report for this long is taken as closed
BACKGROUND = 300
REFIT = False  # --refit: weigh words afresh for every report (the intake before kept weights)


@dataclass
class Opened:
    at: datetime
    tickets: list[Ticket]
    last: datetime | None = None
    cause: str = ""


def ledger() -> tuple[list[Ticket], dict[str, str]]:
    """The sample tickets in arrival order, and each one's labelled cause."""
    with (ROOT / "samples" / "tickets.csv").open(newline="", encoding="utf-8") as f:
        rows = sorted(csv.DictReader(f), key=lambda r: r["created_at"])
    tickets = [
        Ticket(
            id=r["id"],
            surface=Surface.INTERNAL,
            requester=r["requester"],
            subject=r["subject"],
            text=r["text"],
            created_at=datetime.fromisoformat(r["created_at"].replace("Z", "+00:00")),
        )
        for r in rows
    ]
    return tickets, {r["id"]: r["cause"] for r in rows}


def simulated_helpdesk(limit: int, rate: float, seed: int = 0) -> tuple[list[Ticket], dict[str, str]]:
    """Help-desk tickets with simulated arrival times (Poisson, business hours) and one person each."""
    rng, at, out, topics = random.Random(seed), datetime(2026, 1, 5, 8, tzinfo=UTC), [], {}
    for n, row in enumerate(helpdesk()[:limit]):
        at = _business(at + timedelta(hours=rng.expovariate(rate)))
        out.append(
            Ticket(
                id=f"HD-{n:06d}",
                surface=Surface.INTERNAL,
                requester=f"person-{n}",
                subject=row["text"][:80],
                text=row["text"],
                created_at=at,
            )
        )
        topics[out[-1].id] = row["label"]
    return out, topics


def _business(at: datetime) -> datetime:
    """The time moved forward into business hours (Mon-Fri, 08:00-18:00)."""
    while at.weekday() >= 5 or not 8 <= at.hour < 18:
        at = (
            (at + timedelta(days=1)).replace(hour=8, minute=0)
            if at.hour >= 18 or at.weekday() >= 5
            else at.replace(hour=8, minute=0)
        )
    return at


def replay(arrivals: Sequence[Ticket], causes: dict[str, str] | None, policy: IncidentPolicy) -> list[Opened]:
    """The incidents the rule opens on these arrivals (causes: each ticket's known cause, or None)."""
    rules = IncidentRules(policy, lambda: TfidfRetriever(chars=False), weigh=Words().weigh)
    kept = KeptWeights()
    seen: list[Ticket] = []
    opened: list[Opened] = []
    linked: set[str] = set()
    for a in arrivals:
        t = replace(a, cause_key=(causes or {}).get(a.id) or None)
        live = [o for o in opened if o.last and t.created_at - o.last < IDLE]
        weights = _weights(rules, kept, seen, t.created_at)
        joined = _join(t, live, rules, weights)
        if joined is None:
            recent = [
                x for x in seen[-500:] if x.created_at >= t.created_at - policy.window and x.id not in linked
            ]
            group = [*matching(t, recent, rules, weights=weights), t]
            if fires(group, policy):
                joined = Opened(t.created_at, [], cause=t.cause_key or f"new-{t.id}")
                opened.append(joined)
                for x in group[:-1]:
                    _link(joined, x, linked)
        if joined is not None:
            t.cause_key = joined.cause
            _link(joined, t, linked)
        seen.append(t)
    return opened


def _weights(rules: IncidentRules, kept: KeptWeights, seen: list[Ticket], now: datetime) -> WordWeights:
    """The newest tickets' word weights at `now`: kept a minute, or (--refit) counted for every report."""
    texts = [words(x) for x in seen[-BACKGROUND:]]
    if REFIT or rules.weigh is None:
        return Afresh(texts, rules.similar)
    return kept.fresh(now) or kept.keep(rules.weigh(texts), now)


def _join(t: Ticket, live: list[Opened], rules: IncidentRules, weights: WordWeights) -> Opened | None:
    for o in live:
        same = (
            t.cause_key == o.cause
            if t.cause_key
            else bool(close_to(words(t), o.tickets[-20:], weights.similar, rules.policy.similarity))
        )
        if same:
            return o
    return None


def _link(o: Opened, t: Ticket, linked: set[str]) -> None:
    t.cause_key = o.cause
    o.tickets.append(t)
    o.last = max(o.last or t.created_at, t.created_at)
    linked.add(t.id)


def summary(
    name: str, arrivals: Sequence[Ticket], truth: dict[str, str], opened: list[Opened], hours: float
) -> dict[str, object]:
    """Incidents opened, per week and per hour, their size, and how pure they are against the labels."""
    weeks = hours / (168 if name.startswith("ledger") else 50)  # ledger: calendar hours; help desk: business
    purity = [
        Counter(truth.get(t.id, "") for t in o.tickets).most_common(1)[0][1] / len(o.tickets) for o in opened
    ]
    return {
        "data": name,
        "incidents": len(opened),
        "per_week": round(len(opened) / weeks, 2),
        "hours_with_an_opening_pct": round(
            100 * len({o.at.replace(minute=0, second=0) for o in opened}) / hours, 2
        ),
        "median_size": sorted(len(o.tickets) for o in opened)[len(opened) // 2] if opened else 0,
        "label_purity": round(sum(purity) / len(purity), 2) if purity else None,
        "opened": [_described(o, truth) for o in opened[:12]],
    }


def _described(o: Opened, truth: dict[str, str]) -> str:
    label = Counter(truth.get(t.id, "") for t in o.tickets).most_common(1)[0][0] or "(no label)"
    return f"{o.at:%Y-%m-%d %H:%M} {len(o.tickets)} tickets, mostly {label}"


def volume_baselines(arrivals: Sequence[Ticket], hours: float) -> dict[str, float]:
    """The volume-only rules the issue quotes, for comparison: no matching at all."""
    by_hour = Counter(t.created_at.replace(minute=0, second=0, microsecond=0) for t in arrivals)
    fired, start = 0, 0
    for i, t in enumerate(arrivals):  # 5 tickets from 5 people within an hour, counted once per burst
        while arrivals[start].created_at < t.created_at - timedelta(hours=1):
            start += 1
        window = arrivals[start : i + 1]
        if len(window) >= 5 and len({x.requester for x in window}) >= 5:
            fired, start = fired + 1, i + 1
    return {
        "hours_with_4_or_more_tickets_pct": round(
            100 * sum(1 for n in by_hour.values() if n >= 4) / hours, 2
        ),
        "five_from_five_in_an_hour_per_week": round(fired / (hours / 168), 2),
    }


def span_hours(arrivals: Sequence[Ticket]) -> float:
    """Calendar hours from the first arrival to the last."""
    return (arrivals[-1].created_at - arrivals[0].created_at).total_seconds() / 3600


POLICIES = {
    "default": IncidentPolicy(),
    "5 from 5 in 60 min": IncidentPolicy(min_tickets=5, min_requesters=5, window_minutes=60),
    "3 from 3 in 30 min": IncidentPolicy(min_tickets=3, min_requesters=3),
    "default, similarity 0.25": IncidentPolicy(similarity=0.25),
}


def main(argv: list[str] | None = None) -> int:
    """Print the figures as JSON lines."""
    p = argparse.ArgumentParser(prog="python -m bench.incidents")
    p.add_argument("--limit", type=int, default=3000, help="help-desk tickets replayed (of 42,497)")
    p.add_argument("--rate", type=float, default=20.0, help="simulated help-desk tickets per business hour")
    p.add_argument("--only", choices=("ledger", "helpdesk"), help="run one of the two parts")
    p.add_argument("--refit", action="store_true", help="weigh words afresh for every report (as before)")
    args = p.parse_args(argv)
    global REFIT
    REFIT = args.refit
    print(json.dumps({"words_weighed": "afresh per report" if REFIT else "kept a minute (replay clock)"}))
    started = time.perf_counter()
    if args.only != "helpdesk":
        _ledger_part()
    if args.only != "ledger":
        _helpdesk_part(args.limit, args.rate)
    print(json.dumps({"seconds": round(time.perf_counter() - started, 1)}))
    return 0


def _ledger_part() -> None:
    tickets, causes = ledger()
    hours = span_hours(tickets)
    print(json.dumps({"data": "ledger", **volume_baselines(tickets, hours)}))
    for name, policy in POLICIES.items():
        for mode, known in (("causes known", causes), ("no causes", None)):
            opened = replay(tickets, known, policy)
            print(json.dumps({"policy": name, **summary(f"ledger, {mode}", tickets, causes, opened, hours)}))


def _helpdesk_part(limit: int, rate: float) -> None:
    desk, topics = simulated_helpdesk(limit, rate)
    business = limit / rate
    for name in ("default",):  # each ticket is from another person: min_requesters cannot tell rules apart
        opened = replay(desk, None, POLICIES[name])
        print(
            json.dumps(
                {
                    "policy": name,
                    "rate_per_hour": rate,
                    **summary("help desk (simulated arrival)", desk, topics, opened, business),
                }
            )
        )
    as_causes = replay(desk, topics, POLICIES["default"])  # topic groups taken as causes: what not to do
    print(
        json.dumps(
            {
                "policy": "default, topic groups as causes",
                "incidents": len(as_causes),
                "per_week": round(len(as_causes) / (business / 50), 2),
            }
        )
    )


if __name__ == "__main__":
    raise SystemExit(main())
