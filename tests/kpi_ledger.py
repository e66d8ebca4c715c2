"""The hand-computed KPI ledger (see test_kpis.py's docstring for every ticket and figure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from core.causes import Cause
from core.kpis import Period
from core.tickets import Judgement, Priority, Resolution, Surface, Ticket

SLA = {"high": 8.0, "urgent": 4.0}  # normal has no entry, so it falls back to 72 h

INT, EXT = Surface.INTERNAL, Surface.EXTERNAL


P = Period(datetime(2026, 3, 2, tzinfo=UTC), datetime(2026, 3, 9, tzinfo=UTC))


def at(month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    """A UTC instant in 2026."""
    return datetime(2026, month, day, hour, minute, second, tzinfo=UTC)


def after(start: datetime, **delta: float) -> datetime:
    """start + a timedelta, to keep the ledger readable."""
    return start + timedelta(**delta)


def ticket(id: str, surface: Surface, created: datetime, **fields: object) -> Ticket:
    """A ticket with only the fields a KPI needs."""
    return Ticket(id=id, surface=surface, created_at=created, **fields)  # type: ignore[arg-type]


def resolved(
    id: str,
    surface: Surface,
    created: datetime,
    hours: float,
    cause: str | None,
    agents: list[str],
    **kw: object,
) -> Ticket:
    """A ticket resolved by an agent `hours` after it was created."""
    fields: dict[str, object] = {"resolution": Resolution.AGENT, "cause_key": cause, "agents": agents}
    fields.update(kw)
    return ticket(id, surface, created, resolved_at=after(created, hours=hours), **fields)


# fmt: off
def ledger() -> list[Ticket]:
    """The 27 tickets of the module docstring."""
    a1, a2, a3, a4, a5 = at(3, 2, 9), at(3, 3, 10), at(3, 3, 8), at(3, 4, 9), at(3, 5, 9)
    b1, b2, b3, b4, b5 = at(3, 2, 11), at(3, 3, 15), at(3, 4, 12), at(3, 5, 8), at(3, 6, 9)
    k1, k2, k3, o1, o2 = at(3, 2, 10), at(3, 4, 16), at(3, 5, 11), at(3, 6, 12), at(3, 8, 18)
    return [
        resolved("T01", INT, at(1, 13, 9), 1, "sso-expiry", ["carol"]),
        resolved("T02", EXT, at(1, 20, 9), 2, "sso-expiry", ["carol"]),
        resolved("T03", EXT, at(2, 3, 9), 1, "sso-expiry", ["carol"]),
        resolved("T04", INT, at(2, 4, 9), 1, "sso-expiry", ["carol"]),
        resolved("T05", EXT, at(2, 5, 9), 1, "sso-expiry", ["carol"]),
        resolved("M1", EXT, at(2, 10, 9), 1, "mail-sync", ["carol"]),
        resolved("V1", EXT, at(2, 11, 6), 2, "vpn-drop", ["carol"]),
        ticket("O6", EXT, at(2, 17)),
        resolved("O3", EXT, at(2, 20, 10), 2, "mail-sync", ["bob"], reopened_at=[at(2, 25, 10)]),
        resolved("D1", INT, at(2, 24, 10), 2, "disk-full", ["alice"], csat=2, csat_at=at(3, 2, 8)),
        resolved(
            "O4", INT, at(2, 26, 9), 1, "vpn-drop", [], priority=Priority.URGENT,
            reopened_at=[at(3, 7, 9)], closed_at=at(3, 10, 9),
        ),
        resolved(
            "A1", INT, a1, 5, "disk-full", ["alice"], first_bot_reply_at=after(a1, seconds=2),
            first_human_reply_at=after(a1, minutes=30), csat=5, csat_at=at(3, 2, 15),
        ),
        resolved(
            "A2", INT, a2, 2, "disk-full", ["alice"], first_bot_reply_at=after(a2, seconds=4),
            first_human_reply_at=after(a2, minutes=20), csat=4, csat_at=at(3, 3, 13),
        ),
        resolved(
            "A3", INT, a3, 24, "vpn-drop", ["alice"], first_bot_reply_at=after(a3, seconds=3),
            first_human_reply_at=after(a3, minutes=60), escalated_at=at(3, 3, 9, 30), escalated_to="network",
            escalation_judgement=Judgement.NEEDED, resolution=Resolution.FIX, csat=3, csat_at=at(3, 4, 9),
        ),
        resolved(
            "A4", INT, a4, 1, "mail-sync", ["alice"], first_human_reply_at=after(a4, minutes=10),
            reopened_at=[at(3, 6, 10)], closed_at=at(3, 6, 12), csat=2, csat_at=at(3, 6, 13),
        ),
        resolved("A5", INT, a5, 4, None, ["alice"], first_human_reply_at=after(a5, minutes=40)),
        resolved(
            "B1", EXT, b1, 2, "vpn-drop", ["bob"], first_bot_reply_at=after(b1, seconds=5),
            first_human_reply_at=after(b1, minutes=15), csat=5, csat_at=at(3, 2, 14),
        ),
        resolved(
            "B2", EXT, b2, 12, "sso-expiry", ["carol", "bob"], first_human_reply_at=after(b2, minutes=30),
            csat=4, csat_at=at(3, 4, 4),
        ),
        resolved(
            "B3", EXT, b3, 20, "mail-sync", ["bob"], first_bot_reply_at=after(b3, seconds=6),
            first_human_reply_at=after(b3, minutes=5), reopened_at=[at(3, 14, 12)], closed_at=at(3, 14, 15),
        ),
        resolved(
            "B4", EXT, b4, 30, "printer", ["bob"], first_bot_reply_at=after(b4, seconds=2),
            first_human_reply_at=after(b4, minutes=45), escalated_at=at(3, 5, 9), escalated_to="facilities",
            csat=1, csat_at=at(3, 6, 15),
        ),
        resolved(
            "B5", INT, b5, 2, "printer", ["bob"], first_human_reply_at=after(b5, minutes=25),
            csat=5, csat_at=at(3, 6, 12),
        ),
        resolved(
            "K1", INT, k1, 5 / 60, None, [], resolution=Resolution.ARTICLE, article_id="kb-vpn",
            first_bot_reply_at=after(k1, seconds=1), csat=5, csat_at=at(3, 2, 10, 6),
        ),
        resolved(
            "K2", EXT, k2, 0.5, "vpn-drop", [], resolution=Resolution.ARTICLE, article_id="kb-vpn",
            first_bot_reply_at=after(k2, seconds=3),
        ),
        resolved(
            "K3", EXT, k3, 1, None, ["carol"], resolution=Resolution.ARTICLE, article_id="kb-reset",
            first_bot_reply_at=after(k3, seconds=2), first_human_reply_at=after(k3, minutes=20),
        ),
        ticket(
            "O1", INT, o1, cause_key="disk-full", priority=Priority.HIGH, agents=["alice"],
            first_bot_reply_at=after(o1, seconds=2), first_human_reply_at=after(o1, minutes=120),
        ),
        ticket(
            "O2", EXT, o2, first_bot_reply_at=after(o2, seconds=4), escalated_at=at(3, 8, 21),
            escalation_judgement=Judgement.NOT_NEEDED, escalation_judged_at=at(3, 8, 22),
        ),
        ticket("O5", EXT, at(3, 9)),
    ]


def causes() -> list[Cause]:
    """The causes of the module docstring."""
    return [
        Cause("disk-full", "Disk full", root_cause_at=at(3, 3, 12), fix_shipped_at=at(3, 5)),
        Cause("vpn-drop", "VPN drops", root_cause_at=at(3, 6)),
        Cause("sso-expiry", "SSO expiry", root_cause_at=at(2, 5), fix_shipped_at=at(2, 9)),
        Cause("mail-sync", "Mail sync"),
        Cause("printer", "Printer"),
        Cause("orphan", "No tickets", root_cause_at=at(3, 4), fix_shipped_at=at(1, 1)),
    ]
