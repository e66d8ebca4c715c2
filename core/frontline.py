"""The front line's use cases behind the typed commands: assign, reply, resolve, set priority, link.

Each is one transaction: the ticket's change, its audit entry and the notices it causes commit together.
Each is idempotent: the command's own message id (`ref`) is kept on the ticket's log entry, so a
redelivered command changes nothing, and doing again what is already so (assigning the owner, setting the
priority a ticket has, linking linked tickets) changes nothing either. The sender is identified by their
user id on the surface they typed on, and must be an agent there: the same check on every surface.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from core.agent_commands import AgentCommand, Verb
from core.audit import AuditAction, AuditEntry, short
from core.errors import InvalidInput
from core.intake import load_ticket
from core.kb import Library
from core.learning import LearningSync
from core.messages import check_text
from core.org import Org, PersonRole
from core.ports import Clock, Notice, UnitOfWork
from core.priority import apply_priority
from core.resolution import survey_notice
from core.tickets import Message, Priority, Resolution, Role, Status, Ticket


@dataclass(frozen=True)
class Done:
    """What a front-line command did, in a sentence for the agent who typed it (plain text)."""

    ticket: Ticket
    text: str
    changed: bool = True


@dataclass(frozen=True)
class Actor:
    """The agent acting: their person key (or user id when fixloop.toml does not list them) and name."""

    key: str
    name: str


def actor(org: Org, user: str, platform: str | None) -> Actor:
    """The sender as an agent on their platform; NotAllowed for anyone who is not an agent there."""
    org.require(user, PersonRole.AGENT, platform=platform)
    person = org.person(user, platform)
    return Actor(person.key, person.name) if person else Actor(user, user)


def assignee(org: Org, who: str | None, sender: Actor, platform: str | None) -> Actor:
    """The agent to assign: named by user id on the platform or by person key; else the sender."""
    if not who:
        return sender
    token = who.strip().lstrip("@")
    person = org.person(token, platform) or org.person(token)
    if person is None:
        raise InvalidInput(f"No person {token[:60]!r} in fixloop.toml; @mention them or use their key.")
    if PersonRole.AGENT not in person.roles:
        raise InvalidInput(f"{person.name} is not an agent, so tickets cannot be assigned to them.")
    return Actor(person.key, person.name)


def _logged(ticket: Ticket, ref: str | None) -> bool:
    return bool(ref) and any(m.ref == ref for m in ticket.messages)


@dataclass(frozen=True)
class _Step:
    """What every command's step reads: who acts, on which platform, when, and the unit of work."""

    by: Actor
    platform: str | None
    now: datetime
    ref: str | None
    org: Org
    uow: UnitOfWork

    def note(self, ticket: Ticket, text: str) -> None:
        """Log what was done on the ticket, under the command's ref (what makes a replay a no-op)."""
        message = Message(at=self.now, role=Role.SYSTEM, author=self.by.key, text=text, ref=self.ref)
        ticket.add_message(message)


async def run(
    cmd: AgentCommand,
    user: str,
    platform: str | None,
    *,
    ref: str | None = None,
    uow: UnitOfWork,
    org: Org,
    clock: Clock,
    library: Library,
    learning: LearningSync,
) -> Done:
    """Run a front-line command typed by `user` on `platform`, in one transaction."""
    by = actor(org, user, platform)
    async with uow:
        ticket = await load_ticket(cmd.ticket, uow.tickets)
        if _logged(ticket, ref):  # the same command delivered again
            return Done(ticket, f"{ticket.id}: done already.", changed=False)
        done = await _STEPS[cmd.verb](cmd, ticket, _Step(by, platform, clock.now(), ref, org, uow))
        if done.changed:
            await uow.tickets.save(ticket)
            entry = AuditEntry(clock.now(), by.key, _AUDIT[cmd.verb], ticket.id, detail=short(done.text))
            await uow.audit.record(entry)
            await uow.commit()
    if cmd.verb == Verb.RESOLVE and done.changed:
        learning.learn(done.ticket, library)  # as the Resolve button: unhelpful suggestions teach abstention
    return done


async def _assign(cmd: AgentCommand, t: Ticket, s: _Step) -> Done:
    to = assignee(s.org, cmd.person, s.by, s.platform)
    if t.agent == to.key:
        return Done(t, f"{t.id} is already assigned to {to.name}.", changed=False)
    t.assign(to.key)
    if t.status in (Status.NEW, Status.SUGGESTED, Status.NEEDS_HUMAN):
        t.status = Status.IN_PROGRESS
    s.note(t, f"Assigned to {to.key}")
    if to.key != s.by.key:
        said = f"{s.by.name} assigned {t.id} to you: {t.subject}"
        key = f"assigned:{t.id}:{s.ref}" if s.ref else None
        s.uow.notify(Notice(kind="assigned", to=f"person:{to.key}", ticket_id=t.id, text=said, key=key))
    return Done(t, f"{t.id} is assigned to {to.name}.")


async def _reply(cmd: AgentCommand, t: Ticket, s: _Step) -> Done:
    text = check_text(cmd.text, "reply")
    t.record_agent_reply(s.now, s.by.key, text, ref=s.ref)
    s.uow.notify(relay_notice(t, s.by.name, text, s.ref))
    return Done(t, f"Sent to the requester of {t.id}.")


def relay_notice(ticket: Ticket, name: str, text: str, ref: str | None) -> Notice:
    """An agent's answer, to the requester in the ticket's own thread (Slack, Teams or the terminal)."""
    key = f"agent_reply:{ticket.id}:{ref}" if ref else None
    return Notice(
        kind="agent_reply",
        to=f"thread:{ticket.id}",
        ticket_id=ticket.id,
        text=f"{name}: {text}",
        data={"agent": name, "reply": text},
        key=key,
    )


async def _resolve(cmd: AgentCommand, t: Ticket, s: _Step) -> Done:
    if t.status == Status.RESOLVED:
        return Done(t, f"{t.id} is resolved already.", changed=False)
    t.assign(s.by.key)
    t.resolve(s.now, Resolution.AGENT)
    s.note(t, f"Resolved. {cmd.text}".strip())
    s.uow.notify(survey_notice(t))
    return Done(t, f"{t.id} is resolved; the requester was asked for feedback.")


async def _priority(cmd: AgentCommand, t: Ticket, s: _Step) -> Done:
    return change_priority(t, cmd.priority or Priority.NORMAL, s)


def change_priority(t: Ticket, priority: Priority, s: _Step) -> Done:
    """Set a ticket's priority; its SLA deadlines move with it (core/priority.py, as the triage picker)."""
    before = t.priority
    if not apply_priority(t, priority, s.org):
        return Done(t, f"{t.id} is {priority} priority already.", changed=False)
    s.note(t, f"Priority {before} -> {priority}")
    return Done(t, f"{t.id} is now {priority} priority (was {before}).")


async def _link(cmd: AgentCommand, t: Ticket, s: _Step) -> Done:
    other = await load_ticket(cmd.other or "", s.uow.tickets)
    if other.id == t.id:
        raise InvalidInput(f"{t.id} cannot be linked to itself.")
    if other.id in t.linked and t.id in other.linked:
        return Done(t, f"{t.id} and {other.id} are linked already.", changed=False)
    for a, b in ((t, other), (other, t)):
        if b.id not in a.linked:
            a.linked.append(b.id)
        s.note(a, f"Linked to {b.id}")
    await s.uow.tickets.save(other)
    return Done(t, f"{t.id} and {other.id} are linked.")


Step = Callable[[AgentCommand, Ticket, _Step], Awaitable[Done]]
_STEPS: dict[Verb, Step] = {
    Verb.ASSIGN: _assign,
    Verb.REPLY: _reply,
    Verb.RESOLVE: _resolve,
    Verb.PRIORITY: _priority,
    Verb.LINK: _link,
}
_AUDIT = {
    Verb.ASSIGN: AuditAction.ASSIGNED,
    Verb.REPLY: AuditAction.REPLIED,
    Verb.RESOLVE: AuditAction.RESOLVED,
    Verb.PRIORITY: AuditAction.PRIORITY_SET,
    Verb.LINK: AuditAction.TICKETS_LINKED,
}
