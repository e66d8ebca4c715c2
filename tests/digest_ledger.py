"""The hand-computed digest ledger of test_digest.py (a DST week in Europe/Berlin)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from core.causes import Cause
from core.periods import last_full_week
from core.tickets import Resolution, Surface, Ticket
from tests.fakes import sample_org

ORG = replace(sample_org(), timezone="Europe/Berlin")

I, E = Surface.INTERNAL, Surface.EXTERNAL  # noqa: E741


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


def t(
    tid: str,
    surface: Surface,
    created: datetime,
    cause: str | None = None,
    human: float | None = None,
    resolved: float | None = None,
    **kw,
) -> Ticket:
    ticket = Ticket(tid, surface, created, cause_key=cause, **kw)
    if human is not None:
        ticket.first_human_reply_at = created + timedelta(minutes=human)
    if resolved is not None:
        ticket.resolved_at, ticket.resolution = (
            created + timedelta(hours=resolved),
            kw.get("resolution", Resolution.AGENT),
        )
    return ticket


def ledger() -> list[Ticket]:
    b1 = t(
        "B1",
        E,
        at(10, 20, 10),
        "billing",
        60,
        4,
        agents=["ben"],
        platform="slack",
        chat={"channel": "C1", "thread_ts": "1.2"},
    )
    b1.reopened_at = [b1.resolved_at + timedelta(days=1)]
    return [
        t("V0", I, at(10, 12, 9), "vpn", 20, 3, agents=["ana"]),
        t("E0", I, at(10, 18, 21, 30)),
        t("A1", I, at(10, 19, 8), "vpn", 30, 2, agents=["ana"]),
        t("A2", I, at(10, 25, 22, 30), "vpn", 10, 0.25, agents=["ana"]),
        b1,
        t("K1", E, at(10, 21, 9), None, None, 5 / 60, resolution=Resolution.ARTICLE, article_id="kb-vpn"),
        t("N1", E, at(10, 25, 23)),
    ]


CAUSES = [Cause("vpn", "VPN drops", owner="it-network"), Cause("billing", "Double charge", owner="billing")]


P = last_full_week(datetime(2026, 10, 28, tzinfo=UTC), "Europe/Berlin")
