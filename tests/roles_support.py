"""What the role tests compare before and after a refused action."""

from __future__ import annotations

from typing import Any


async def desk_state(desk: Any) -> Any:
    """Everything a refused action must leave as it was: tickets, escalations, causes, reviews, audit."""
    tickets = [
        (t.id, t.status, t.agents, len(t.messages), t.resolved_at, t.cause_key, t.escalation_judgement)
        for t in await desk.tickets.list()
    ]
    escalations = sorted((e.id, e.judgement, e.ticket_id) for e in await desk.escalations.list())
    causes = sorted((c.key, c.root_cause, c.fix_url, c.fix_status) for c in await desk.causes.list())
    return tickets, escalations, causes, len(await desk.reviews.list()), len(await desk.audit_entries())
