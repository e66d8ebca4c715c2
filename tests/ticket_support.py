"""A ticket with every field set, for repository round trips."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from core.tickets import Judgement, Message, Priority, Resolution, Role, Status, Surface, Ticket

PARIS = timezone(timedelta(hours=2))


T0 = datetime(2026, 3, 2, 9, 15, 0, 123456, tzinfo=UTC)


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def full_ticket(ticket_id: str = "FX-AAAAAA", thread: str | None = "slack:C1:1700000000.0001") -> Ticket:
    """A ticket with every field set away from its default."""
    return Ticket(
        id=ticket_id,
        surface=Surface.EXTERNAL,
        created_at=at(0).astimezone(PARIS),  # stored as UTC, read back as UTC: the same instant
        platform="slack",
        requester="U123",
        subject="VPN fails",
        text="VPN fails since this morning ✈",
        priority=Priority.HIGH,
        status=Status.RESOLVED,
        thread_key=thread,
        chat={"channel": "C1", "thread_ts": "1700000000.0001"},
        messages=[
            Message(at=at(0), role=Role.REQUESTER, author="U123", text="VPN fails", ref="1700000000.0001"),
            Message(at=at(0.01), role=Role.BOT, author="fixloop", text="Try KB-1"),
            Message(
                at=at(1),
                role=Role.AGENT,
                author="alice",
                text="fixed",
                ref="m3",
                edited_at=at(1.5),
                deleted_at=at(2),
            ),
        ],
        agents=["alice", "bob"],
        suggested_article_ids=["KB-1", "KB-2"],
        first_bot_reply_at=at(0.01),
        first_human_reply_at=at(1),
        resolved_at=at(3),
        resolution=Resolution.ARTICLE,
        article_id="KB-1",
        reopened_at=[at(4).astimezone(PARIS), at(30)],
        closed_at=at(31),
        escalated_at=at(2),
        escalated_to="network",
        escalation_judgement=Judgement.NEEDED,
        escalation_judged_at=at(2.5),
        cause_key="vpn-cert",
        csat=4,
        csat_at=at(32),
        affected_users=12,
        source="import:zendesk",
    )
