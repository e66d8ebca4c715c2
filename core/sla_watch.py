"""The SLA watch: a nudge to the triage channel before a deadline passes, and the team lead told at breach.

Runs with the `sla_nudge` job. Each ticket's deadlines are stored on it (core/sla.py); for each target not met
yet, once `nudge_share` of the target's time has passed (business time where the team has hours) the triage
channel is nudged, once per deadline; when the deadline passes, the lead of the team the clock runs on
(`[teams.<key>] lead` in fixloop.toml, else that team's channel) is told, once per ticket and target.
Both are job claims, so replicas and retries send each at most once.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Protocol, runtime_checkable

from core.business_hours import add_time
from core.jobs import Claimer
from core.org import Org
from core.ports import Notice, Notifier, TicketRepository
from core.schedule import WAITING, Run
from core.sla import Target, calendar, due_at, met_at, target_hours, team_for
from core.tickets import Ticket

WATCHED = 200  # tickets per tick, soonest deadline first; the rest are seen on the next ticks
HORIZON = timedelta(days=31)  # deadlines further ahead than this cannot be near enough to nudge yet
LATE = timedelta(days=1)  # a breach older than this when first seen (Fixloop was down) is not sent late


@runtime_checkable
class SlaCandidates(Protocol):
    """Waiting tickets with an unmet deadline in [since, until), soonest first (adapters/db/sla_sql.py)."""

    async def sla_due(self, since: datetime, until: datetime, limit: int = WATCHED) -> list[Ticket]: ...


class LedgerSlaCandidates:
    """SlaCandidates from every open ticket in memory: the reference the SQL selection is tested against."""

    def __init__(self, tickets: TicketRepository) -> None:
        self.tickets = tickets

    async def sla_due(self, since: datetime, until: datetime, limit: int = WATCHED) -> list[Ticket]:
        """Waiting tickets with an unmet deadline in [since, until), soonest first."""
        found = []
        for t in await self.tickets.list(open_only=True):
            due = soonest(t, since, until) if t.status in WAITING else None
            if due is not None:
                found.append((due, t.id, t))
        return [t for _, _, t in sorted(found, key=lambda x: (x[0], x[1]))][:limit]


def soonest(ticket: Ticket, since: datetime, until: datetime) -> datetime | None:
    """The earliest deadline of a ticket in [since, until) whose target is not met yet."""
    dues = [due_at(ticket, t) for t in Target if met_at(ticket, t) is None]
    inside = [d for d in dues if d is not None and since <= d < until]
    return min(inside) if inside else None


def nudge_at(org: Org, ticket: Ticket, target: Target) -> datetime | None:
    """When the nudge for a target is due: `nudge_share` of its time after the clocks started."""
    due = due_at(ticket, target)
    if due is None:
        return None
    start = ticket.sla_started_at or ticket.created_at  # an imported deadline: its clock ran from creation
    hours = target_hours(org, target, ticket.priority, str(ticket.surface)) * org.sla.nudge_share
    return min(due, add_time(calendar(org, team_for(org, target, ticket)), start, timedelta(hours=hours)))


def _notice(org: Org, ticket: Ticket, target: Target, due: datetime, now: datetime) -> tuple[Run, Notice]:
    """The nudge (before the deadline) or the breach escalation (at or after it) for one target."""
    what = "first response" if target == Target.FIRST_RESPONSE else "resolution"
    data = {
        "target": str(target),
        "due_at": due.isoformat(),
        "priority": str(ticket.priority),
        "agent": ticket.agent,
    }
    subject = ticket.subject[:80]
    if now < due:
        left = int((due - now).total_seconds() // 60)
        text = f"{ticket.id} ({ticket.priority}) is due a {what} in {left} min: {subject}"
        run = Run(f"sla_nudge:{target}:{ticket.id}", due)  # a new deadline (new priority) may nudge again
        return run, Notice(kind="sla_nudge", to="triage", text=text, ticket_id=ticket.id, data=data)
    team = team_for(org, target, ticket)
    lead = org.sla.leads.get(team)
    text = (
        f"{ticket.id} ({ticket.priority}) missed its {what} target (due {due:%Y-%m-%d %H:%M} UTC): {subject}"
    )
    notice = Notice(
        kind="sla_breach",
        to=f"person:{lead}" if lead else f"team:{team}",
        text=text,
        ticket_id=ticket.id,
        data={**data, "team": team, "lead": lead},
    )
    started = ticket.sla_started_at or ticket.created_at
    return Run(f"sla_breach:{target}:{ticket.id}", started), notice  # once per ticket and target


def due_notices(org: Org, tickets: Sequence[Ticket], now: datetime) -> list[tuple[Run, Notice]]:
    """Every nudge and breach escalation due now among waiting tickets, soonest deadline first."""
    out = []
    for ticket in tickets:
        if ticket.status not in WAITING:
            continue
        for target in Target:
            due, nudge = due_at(ticket, target), nudge_at(org, ticket, target)
            if due is None or nudge is None or met_at(ticket, target) is not None or due < now - LATE:
                continue
            if now >= nudge:
                out.append((due, ticket.id, _notice(org, ticket, target, due, now)))
    return [pair for _, _, pair in sorted(out, key=lambda x: (x[0], x[1]))]


async def watch_sla(*, candidates: SlaCandidates, org: Org, claimer: Claimer, notifier: Notifier) -> int:
    """Send the SLA nudges and breach escalations due now, each once."""
    now = claimer.clock.now()
    tickets = await candidates.sla_due(now - LATE, now + HORIZON)
    return await claimer.each(due_notices(org, tickets, now), notifier)
