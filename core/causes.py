"""Root causes: the thing to fix, its owner, its fix, and its business impact."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from core.org import ImpactWeights
from core.tickets import Ticket


class FixStatus(StrEnum):
    NONE = "none"
    LINKED = "linked"
    SHIPPED = "shipped"


@dataclass
class Cause:
    key: str
    title: str
    owner: str | None = None
    created_at: datetime | None = None
    root_cause_at: datetime | None = None
    root_cause: str | None = None  # what the owner found
    fix_url: str | None = None
    fix_status: FixStatus = FixStatus.NONE
    fix_shipped_at: datetime | None = None
    key_phrases: tuple[str, ...] = ()
    named_by_person: bool = False  # a person named, merged or fixed it: keep its identity
    version: int = field(default=0, compare=False)  # as read from the store; 0: not read from it

    def record_root_cause(self, at: datetime, text: str) -> None:
        """Record what the owner found; the first record stops time-to-root-cause."""
        self.root_cause = text
        if self.root_cause_at is None:
            self.root_cause_at = at
        self.named_by_person = True

    def link_fix(self, url: str) -> None:
        """Link the change that fixes the cause."""
        self.fix_url = url
        if self.fix_status == FixStatus.NONE:
            self.fix_status = FixStatus.LINKED
        self.named_by_person = True

    def ship_fix(self, at: datetime) -> None:
        """Mark the fix shipped; deflection is counted from this moment."""
        self.fix_status = FixStatus.SHIPPED
        self.fix_shipped_at = at
        self.named_by_person = True


@dataclass
class RankedCause:
    cause: Cause
    tickets: int
    impact: float
    surfaces: tuple[str, ...]
    open_tickets: int
    evidence: list[str] = field(default_factory=list)  # representative ticket ids

    @property
    def cross_surface(self) -> bool:
        """Seen in both the internal and the external queue: where the organisation leaks most."""
        return len(self.surfaces) > 1

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready form: the shape `fixloop causes --json` and the digest share."""
        c = self.cause
        return {
            "key": c.key,
            "title": c.title,
            "owner": c.owner,
            "impact": self.impact,
            "tickets": self.tickets,
            "open_tickets": self.open_tickets,
            "surfaces": list(self.surfaces),
            "cross_surface": self.cross_surface,
            "root_cause_at": c.root_cause_at.isoformat() if c.root_cause_at else None,
            "fix_status": str(c.fix_status),
            "fix_url": c.fix_url,
            "fix_shipped_at": c.fix_shipped_at.isoformat() if c.fix_shipped_at else None,
            "evidence": list(self.evidence),
        }


def ticket_impact(ticket: Ticket, now: datetime, weights: ImpactWeights) -> float:
    """weight(priority) x weight(surface) x (1 + affected users) x (hours open, capped)."""
    end = now if ticket.is_open else (ticket.closed_at or ticket.resolved_at or now)
    hours = max(0.0, (end - ticket.created_at).total_seconds() / 3600)
    hours = min(hours, weights.hours_cap)
    w_priority = weights.priority.get(str(ticket.priority), 1.0)
    w_surface = weights.surface.get(str(ticket.surface), 1.0)
    return w_priority * w_surface * (1 + max(0, ticket.affected_users)) * hours


def rank_causes(
    causes: Iterable[Cause],
    tickets: Iterable[Ticket],
    *,
    now: datetime,
    weights: ImpactWeights,
    evidence: int = 3,
) -> list[RankedCause]:
    """Rank causes by business impact, with volume, surfaces and evidence tickets beside it."""
    by_cause: dict[str, list[Ticket]] = {}
    for t in tickets:
        if t.cause_key:
            by_cause.setdefault(t.cause_key, []).append(t)
    ranked = []
    for cause in causes:
        own = by_cause.get(cause.key, [])
        if not own:
            continue
        impacts = [(ticket_impact(t, now, weights), t) for t in own]
        impacts.sort(key=lambda pair: (-pair[0], pair[1].id))
        ranked.append(
            RankedCause(
                cause=cause,
                tickets=len(own),
                impact=round(sum(i for i, _ in impacts), 2),
                surfaces=tuple(sorted({str(t.surface) for t in own})),
                open_tickets=sum(1 for t in own if t.is_open),
                evidence=[t.id for _, t in impacts[:evidence]],
            )
        )
    ranked.sort(key=lambda r: (-r.impact, -r.tickets, r.cause.key))
    return ranked
