"""Setting a ticket's priority in chat: one agent action, one transaction with its audit entry.

The triage post's priority picker (Slack select, Teams choice set) and the typed `priority` command call
`set_priority`. Choosing the priority a ticket already has changes nothing and writes no audit entry, so a
double click or a replayed request is harmless. A new priority moves the SLA deadlines (core/sla.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from core.audit import AuditAction, AuditEntry
from core.errors import InvalidInput
from core.intake import load_ticket
from core.org import Org, PersonRole
from core.ports import Clock, UnitOfWork
from core.sla import set_deadlines
from core.tickets import Message, Priority, Role, Ticket


@dataclass(frozen=True)
class SetPriority:
    ticket_id: str
    priority: str  # low, normal, high, urgent (checked here: it comes from a click or a typed command)
    by: str  # the agent, as their platform names them (or a person key on the console)
    platform: str | None = None  # the platform that vouches for `by`; None: key or any platform id


@dataclass(frozen=True)
class PrioritySet:
    """The ticket after the change; `changed` is False when it already had that priority."""

    ticket: Ticket
    before: Priority
    changed: bool


def parse_priority(value: str) -> Priority:
    """A priority from a click or a typed word, or a clear refusal."""
    try:
        return Priority(value.strip().lower())
    except ValueError:
        names = ", ".join(p.value for p in Priority)
        raise InvalidInput(f"{value!r} is not a priority; use one of {names}.") from None


def apply_priority(ticket: Ticket, priority: Priority, org: Org) -> bool:
    """Give a ticket a priority and move its SLA deadlines with it; False when it already had it.

    Shared by the picker's use case below and the typed `priority` command (core/frontline.py).
    """
    if ticket.priority == priority:
        return False
    ticket.priority = priority
    set_deadlines(ticket, org)
    return True


async def set_priority(cmd: SetPriority, *, uow: UnitOfWork, org: Org, clock: Clock) -> PrioritySet:
    """An agent sets a ticket's priority; its SLA deadlines follow, and the audit log records who did it."""
    org.require(cmd.by, PersonRole.AGENT, platform=cmd.platform)
    priority = parse_priority(cmd.priority)
    person = org.person(cmd.by, cmd.platform)
    who = person.key if person else cmd.by
    async with uow:
        ticket = await load_ticket(cmd.ticket_id, uow.tickets)
        before = ticket.priority
        if not apply_priority(ticket, priority, org):
            return PrioritySet(ticket, before, changed=False)
        now = clock.now()
        said = f"Priority {before} -> {priority}"
        ticket.add_message(Message(at=now, role=Role.SYSTEM, author=who, text=said))
        await uow.tickets.save(ticket)
        entry = AuditEntry(
            now, who, AuditAction.PRIORITY_SET, ticket_id=ticket.id, detail=f"{before} -> {priority}"
        )
        await uow.audit.record(entry)
        await uow.commit()
    return PrioritySet(ticket, before, changed=True)
