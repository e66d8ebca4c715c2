"""A busy week for digest renderers: many causes (some in both queues, some fixed), article wins, a fade."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from core.causes import Cause, FixStatus
from core.digests import Digest, compose_digest
from core.kpis import Period
from core.tickets import Resolution, Surface, Ticket
from tests.fakes import sample_org

WEEK = Period(datetime(2026, 11, 9, tzinfo=UTC), datetime(2026, 11, 16, tzinfo=UTC))
NOW = WEEK.end + timedelta(hours=9)


def _ticket(tid: str, surface: Surface, created: datetime, cause: str | None, n: int) -> Ticket:
    slack = {"channel": "C0HELP", "thread_ts": f"1800000000.{n:06d}"}
    teams = {"conversation_id": "19:help@thread.tacv2;messageid=17", "activity_id": f"17{n}", "tenant_id": "t1"}
    platform = "slack" if n % 2 else "teams"
    t = Ticket(tid, surface, created, platform=platform, cause_key=cause, subject=f"Problem {tid}",
               chat=slack if platform == "slack" else teams, agents=["ana"])
    t.first_human_reply_at = created + timedelta(minutes=15 + n % 40)
    return t


def busy_ledger() -> tuple[list[Ticket], list[Cause]]:
    """Nine causes over five weeks, long titles with mrkdwn characters, 12 article solves, one fixed cause."""
    causes = [
        Cause(f"cause-{i}", f"VPN <drops> & *reconnects* when the laptop wakes, variant {i} " + "x" * 60,
              owner="it-network" if i % 2 else None, fix_url=f"https://jira.example.test/FIX-{i}" if i % 3 else None,
              fix_status=FixStatus.LINKED if i % 3 else FixStatus.NONE)
        for i in range(9)
    ]
    causes.append(Cause("faded", "Printer queue stuck", owner="it-desk", fix_status=FixStatus.SHIPPED,
                        fix_url="https://github.example.test/fix/1", fix_shipped_at=WEEK.start - timedelta(days=9)))
    tickets, n = [], 0
    for week in range(5):
        start = WEEK.start - timedelta(weeks=week)
        for i in range(9):
            for k in range(1 + (i % 4)):
                n += 1
                surface = Surface.EXTERNAL if (i + k) % 3 == 0 else Surface.INTERNAL
                tickets.append(_ticket(f"FX-{n:06d}", surface, start + timedelta(hours=3 * k + i), f"cause-{i}", n))
        for k in range(4 if week >= 2 else 0):  # before the fix shipped: 4 a week
            n += 1
            tickets.append(_ticket(f"FX-{n:06d}", Surface.INTERNAL, start + timedelta(hours=40 + k), "faded", n))
    for k in range(12):  # one article solves 12 tickets in the week
        n += 1
        t = _ticket(f"FX-{n:06d}", Surface.EXTERNAL, WEEK.start + timedelta(hours=50 + k), None, n)
        t.first_human_reply_at = None
        t.resolve(t.created_at + timedelta(minutes=5), Resolution.ARTICLE, "kb-vpn")
        tickets.append(t)
    return tickets, causes


def busy_digest() -> Digest:
    """The digest of the busy week."""
    tickets, causes = busy_ledger()
    return compose_digest(tickets, causes, WEEK, org=sample_org(), now=NOW)


def busy_digest_dict() -> dict[str, Any]:
    """The busy week's digest as the notifiers receive it."""
    return busy_digest().to_dict()
