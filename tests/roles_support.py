"""What the role tests share: the refusals they expect, the scene they act on, the state they compare."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core.messages import Escalate, LogRequest

# The start of each refusal, by the roles an action needs.
AGENT, STAFF, MANAGER, LEADER = (
    "Only an agent can do",
    "Only an agent or manager or leader can do",
    "Only a manager can do",
    "Only a leader can do",
)


@dataclass
class Scene:
    ticket: str
    escalation: str


async def escalated(h: Any, request: LogRequest, agent: str) -> Scene:
    """A ticket escalated by an agent, its notices out, so that every owner's action has something to act on."""
    reply = await h.desk.log_request(request)
    esc = await h.desk.escalate(Escalate(reply.ticket.id, agent, team="it-network", reason="cert"))
    await h.runtime.drain(within=30)  # the escalation's notices are out before anything is counted
    assert "pending" not in await h.runtime.repos.outbox.depth()
    return Scene(reply.ticket.id, esc.id)


async def desk_state(desk: Any) -> Any:
    """Everything a refused action must leave as it was: tickets, escalations, causes, reviews, audit."""
    tickets = [
        (t.id, t.status, t.agents, len(t.messages), t.resolved_at, t.cause_key, t.escalation_judgement)
        for t in await desk.tickets.list()
    ]
    escalations = sorted((e.id, e.judgement, e.ticket_id) for e in await desk.escalations.list())
    causes = sorted((c.key, c.root_cause, c.fix_url, c.fix_status) for c in await desk.causes.list())
    return tickets, escalations, causes, len(await desk.reviews.list()), len(await desk.audit_entries())
