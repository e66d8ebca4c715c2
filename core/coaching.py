"""Ticket reviews and the choice of one strong and one weak ticket per agent."""

from __future__ import annotations

import re
import secrets
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from core.audit import AuditAction, AuditEntry, short
from core.errors import InvalidInput, TicketNotFound
from core.limits import MAX_FIELD, MAX_ID, check_size
from core.messages import RecordReview
from core.org import Org, PersonRole
from core.periods import Period
from core.ports import Clock, Notice, UnitOfWork
from core.tickets import Judgement, Role, Ticket

TEMPLATE = (
    "What happened",
    "Why it mattered",
    "What good looks like",
    "What changes next time",
)


@dataclass(frozen=True)
class FollowUpAnswer:
    """Whether the change agreed in a review happened, in its manager's words, and when they said so."""

    changed: bool
    by: str
    at: datetime
    note: str = ""

    @property
    def label(self) -> str:
        """The answer as the buttons put it."""
        return "Yes, it changed" if self.changed else "Not yet"


@dataclass
class Review:
    id: str
    ticket_id: str
    agent: str
    manager: str
    what_happened: str
    why_it_mattered: str
    what_good_looks_like: str
    what_changes_next: str
    created_at: datetime
    follow_up_at: datetime | None = None
    sent_to_agent: bool = False
    answer: FollowUpAnswer | None = None


@dataclass(frozen=True)
class Pick:
    ticket: Ticket
    strong: bool
    reasons: tuple[str, ...]
    score: float

    def to_dict(self) -> dict[str, Any]:
        """The pick as JSON-able data for the chat cards."""
        t = self.ticket
        return {
            "ticket_id": t.id, "subject": t.subject, "surface": str(t.surface), "platform": t.platform,
            "chat": dict(t.chat), "strong": self.strong, "reasons": list(self.reasons), "score": self.score,
        }


def new_review_id() -> str:
    """A short review id."""
    return "REV-" + secrets.token_hex(4).upper()


def _score(t: Ticket) -> tuple[float, list[str]]:
    """Positive is strong work, negative weak; reasons say why, in a manager's words."""
    score, reasons = 0.0, []
    if t.csat is not None:
        score += (t.csat - 3) * 1.5
        reasons.append(f"CSAT {t.csat}/5")
    if t.reopened_at:
        score -= 3
        reasons.append("reopened after resolution")
    if t.resolved_at and not t.escalated_at and not t.reopened_at and len(t.agents) <= 1:
        score += 1
        reasons.append("resolved at first contact")
    if t.escalation_judgement == Judgement.NOT_NEEDED:
        score -= 2
        reasons.append("escalation judged unnecessary")
    if t.escalation_judgement == Judgement.NEEDED:
        score += 1
        reasons.append("escalated to the right team")
    notes = " ".join(m.text.lower() for m in t.messages if m.role == Role.AGENT)
    missing = _missing_specifics(notes) if t.messages else []
    if len(missing) >= 2:  # one gap is normal; two or more leave the next person guessing
        score -= 1
        reasons.append("notes miss " + _join(missing))
    return score, reasons


# What good ticket notes record, and words that show each is there.
SPECIFICS = (
    ("the error", re.compile(r"error|code|exception|0x[0-9a-f]+|\b[45]\d\d\b|message says|fails with")),
    ("the time", re.compile(r"\d{1,2}:\d{2}|\b\d{1,2} ?(am|pm)\b|since|yesterday|today|this morning|at \d")),
    ("the steps tried", re.compile(r"tried|restart|reboot|reinstall|clear|reset|checked|step|log")),
)


def _missing_specifics(notes: str) -> list[str]:
    """Which of the error, the time and the steps tried the agent's notes leave out."""
    return [name for name, pattern in SPECIFICS if not pattern.search(notes)]


def _join(parts: list[str]) -> str:
    """"a", "a or b", "a, b or c"."""
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " or " + parts[-1]


def pick_for_review(tickets: Iterable[Ticket], agent: str) -> tuple[Pick | None, Pick | None]:
    """One strong and one weak resolved ticket of the agent (the last in its agents list)."""
    scored = []
    for t in tickets:
        if t.agent == agent and t.resolved_at is not None:
            score, reasons = _score(t)
            scored.append(Pick(ticket=t, strong=score > 0, reasons=tuple(reasons), score=score))
    if not scored:
        return None, None
    scored.sort(key=lambda p: (p.score, p.ticket.id))
    weak, strong = scored[0], scored[-1]
    strong_pick = strong if strong.score > 0 else None
    weak_pick = weak if weak.score < 0 and weak is not strong_pick else None
    return strong_pick, weak_pick


@dataclass(frozen=True)
class CoachingPrompt:
    manager: str
    agent: str
    strong: Pick | None
    weak: Pick | None

    def to_text(self) -> str:
        """The prompt as a manager reads it."""
        lines = [f"Coaching for {self.agent}:"]
        for label, pick in (("Strong", self.strong), ("Weak", self.weak)):
            if pick is None:
                lines.append(f"  {label}: nothing stands out this week")
            else:
                why = "; ".join(pick.reasons) or "no signal"
                lines.append(f"  {label}: {pick.ticket.id} {pick.ticket.subject[:60]} ({why})")
        lines.append("  Review with: " + " / ".join(TEMPLATE))
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """The prompt as JSON-able data for the chat cards."""
        return {"manager": self.manager, "agent": self.agent,
                "strong": self.strong.to_dict() if self.strong else None,
                "weak": self.weak.to_dict() if self.weak else None}


def coaching_prompts(
    org: Org, tickets: Sequence[Ticket], start: datetime, end: datetime
) -> list[CoachingPrompt]:
    """For each manager's agents, a strong and a weak ticket resolved in [start, end)."""
    recent = [t for t in tickets if t.resolved_at and start <= t.resolved_at < end]
    prompts = []
    for manager in org.people:
        if PersonRole.MANAGER not in manager.roles:
            continue
        for agent in org.reports_of(manager.key):
            strong, weak = pick_for_review(recent, agent.key)
            prompts.append(CoachingPrompt(manager=manager.key, agent=agent.key, strong=strong, weak=weak))
    return prompts


async def record_review(cmd: RecordReview, *, uow: UnitOfWork, org: Org, clock: Clock) -> Review:
    """Store a four-part ticket review; optionally send it to the agent; follow up in a week."""
    manager = org.acting(cmd.manager, PersonRole.MANAGER, platform=cmd.platform)
    parts = (cmd.what_happened, cmd.why_it_mattered, cmd.what_good_looks_like, cmd.what_changes_next)
    for name, part in zip(TEMPLATE, parts, strict=True):
        check_size(part.strip(), MAX_FIELD, f"part {name!r}")
    async with uow:
        ticket = await uow.tickets.get(check_size(cmd.ticket_id.strip(), MAX_ID, "ticket id").upper())
        if ticket is None:
            raise TicketNotFound(cmd.ticket_id)
        missing = [name for name, part in zip(TEMPLATE, parts, strict=True) if not part.strip()]
        if missing:
            raise InvalidInput("A review needs all four parts; missing: " + ", ".join(missing) + ".")
        review = _review(cmd, ticket, manager, clock.now())
        await uow.reviews.save(review)
        shared = " (sent to the agent)" if review.sent_to_agent else ""
        await uow.audit.record(
            AuditEntry(
                at=review.created_at,
                who=review.manager,
                action=AuditAction.REVIEWED,
                ticket_id=ticket.id,
                review_id=review.id,
                detail=short(f"review of {review.agent or 'no agent'}{shared}"),
            )
        )
        if review.sent_to_agent:
            text = "\n".join(f"{name}: {part}" for name, part in zip(TEMPLATE, parts, strict=True))
            uow.notify(
                Notice(
                    kind="review",
                    to=f"person:{review.agent}",
                    ticket_id=ticket.id,
                    text=f"Review of {ticket.id} from {review.manager}\n{text}",
                )
            )
        await uow.commit()
    return review


def _review(cmd: RecordReview, ticket: Ticket, manager: str, now: datetime) -> Review:
    return Review(
        id=new_review_id(),
        ticket_id=ticket.id,
        agent=ticket.agent or "",
        manager=manager,
        what_happened=cmd.what_happened.strip(),
        why_it_mattered=cmd.why_it_mattered.strip(),
        what_good_looks_like=cmd.what_good_looks_like.strip(),
        what_changes_next=cmd.what_changes_next.strip(),
        created_at=now,
        follow_up_at=now + timedelta(days=7),
        sent_to_agent=cmd.send_to_agent and bool(ticket.agent),
    )


def review_summary(reviews: Iterable[Review], period: Period) -> dict[str, Any]:
    """Ticket reviews written in the period, per agent and per manager (for `fixloop kpis`)."""
    written = [r for r in reviews if period.contains(r.created_at)]
    per_agent = Counter(r.agent or "(none)" for r in written)
    per_manager = Counter(r.manager for r in written)
    return {
        "count": len(written),
        "sent_to_agent": sum(1 for r in written if r.sent_to_agent),
        "per_agent": dict(sorted(per_agent.items())),
        "per_manager": dict(sorted(per_manager.items())),
    }


def format_review_summary(summary: dict[str, Any]) -> str:
    """The review section of `fixloop kpis` as text."""
    lines = [f"Ticket reviews: {summary['count']} ({summary['sent_to_agent']} sent to the agent)"]
    for label, key in (("per agent", "per_agent"), ("per manager", "per_manager")):
        counts = summary[key]
        lines.append(f"  {label}: " + (", ".join(f"{k} {n}" for k, n in counts.items()) or "none"))
    return "\n".join(lines)
