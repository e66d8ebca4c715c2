"""Tickets: the chat thread is the ticket, and every timestamp the KPIs need lives on it."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from core.attachments import Attachment
from core.errors import InvalidTransition
from core.limits import MAX_TEXT as MAX_TEXT  # re-exported: older importers read it from here


class Surface(StrEnum):
    INTERNAL = "internal"
    EXTERNAL = "external"


class Priority(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


class Status(StrEnum):
    NEW = "new"
    SUGGESTED = "suggested"  # the bot offered articles and waits for the requester
    NEEDS_HUMAN = "needs_human"
    IN_PROGRESS = "in_progress"
    ESCALATED = "escalated"
    RESOLVED = "resolved"


class Resolution(StrEnum):
    ARTICLE = "article"
    AGENT = "agent"
    FIX = "fix"


class Role(StrEnum):
    REQUESTER = "requester"
    BOT = "bot"
    AGENT = "agent"
    SYSTEM = "system"


# The note a requester's "I still need help" click leaves in the ticket's log.
ASKED_FOR_A_PERSON = "Asked for a person"


class Judgement(StrEnum):
    NEEDED = "needed"
    NOT_NEEDED = "not_needed"




@dataclass
class Message:
    at: datetime
    role: Role
    author: str
    text: str
    ref: str | None = None  # the platform's id for the message, for edits and deletions
    deleted_at: datetime | None = None
    edited_at: datetime | None = None


@dataclass
class Ticket:
    id: str
    surface: Surface
    created_at: datetime
    platform: str = "console"
    requester: str = ""
    subject: str = ""
    text: str = ""
    priority: Priority = Priority.NORMAL
    status: Status = Status.NEW
    thread_key: str | None = None  # opaque, unique per chat thread: "slack:C1:1700000000.0001"
    chat: dict[str, str] = field(default_factory=dict)  # opaque references for replying
    messages: list[Message] = field(default_factory=list)
    agents: list[str] = field(default_factory=list)
    suggested_article_ids: list[str] = field(default_factory=list)
    first_bot_reply_at: datetime | None = None
    first_human_reply_at: datetime | None = None
    resolved_at: datetime | None = None
    resolution: Resolution | None = None
    article_id: str | None = None
    reopened_at: list[datetime] = field(default_factory=list)
    closed_at: datetime | None = None
    escalated_at: datetime | None = None
    escalated_to: str | None = None
    escalation_judgement: Judgement | None = None
    escalation_judged_at: datetime | None = None
    cause_key: str | None = None
    csat: int | None = None
    csat_at: datetime | None = None
    affected_users: int = 0
    source: str = "chat"
    fix_notified_at: datetime | None = None  # when the requester was told the cause's fix shipped
    version: int = field(default=0, compare=False)  # as read from the store; 0: not read from it
    reassignments: int = 0  # times a help desk moved it to another group (imported history)
    sla_started_at: datetime | None = None  # when it began to wait on a person (core/sla.py)
    first_response_due_at: datetime | None = None
    resolution_due_at: datetime | None = None
    attachments: list[Attachment] = field(default_factory=list)  # references only (core/attachments.py)
    linked: list[str] = field(default_factory=list)  # ids of tickets an agent linked to this one

    @property
    def is_open(self) -> bool:
        """Whether the ticket still waits for a resolution."""
        return self.status != Status.RESOLVED

    @property
    def asked_for_person(self) -> bool:
        """Whether the requester clicked "I still need help" on the bot's answer."""
        return any(m.role == Role.SYSTEM and m.text == ASKED_FOR_A_PERSON for m in self.messages)

    @property
    def agent(self) -> str | None:
        """The agent who owns the ticket now (the last in its hand-off list)."""
        return self.agents[-1] if self.agents else None

    def asked_by(self, user: str, platform: str | None = None) -> bool:
        """Whether `user` writing on `platform` (None: anywhere) asked; an id names the requester only on
        the platform the ticket came from (a Slack id typed in Teams is someone else)."""
        return user == self.requester and platform in (None, self.platform)

    def add_message(self, message: Message) -> None:
        """Append a message to the conversation log and keep the text current."""
        self.messages.append(message)
        if message.role == Role.REQUESTER and not self.text:
            self.text = message.text

    def record_bot_reply(self, at: datetime, text: str) -> None:
        """Log a bot reply and the first-bot-reply time."""
        self.add_message(Message(at=at, role=Role.BOT, author="fixloop", text=text))
        if self.first_bot_reply_at is None:
            self.first_bot_reply_at = at

    def record_agent_reply(self, at: datetime, agent: str, text: str, ref: str | None = None) -> None:
        """Log an agent's reply; the first one stops the first-response clock."""
        self.add_message(Message(at=at, role=Role.AGENT, author=agent, text=text, ref=ref))
        if self.first_human_reply_at is None:
            self.first_human_reply_at = at
        self.assign(agent)
        if self.status in (Status.NEW, Status.SUGGESTED, Status.NEEDS_HUMAN):
            self.status = Status.IN_PROGRESS

    def assign(self, agent: str) -> None:
        """Make an agent the current owner; a different agent is a hand-off."""
        if not self.agents or self.agents[-1] != agent:
            self.agents.append(agent)

    def resolve(self, at: datetime, how: Resolution, article_id: str | None = None) -> None:
        """Resolve; the first resolution is resolved_at, a later one closed_at."""
        if self.status == Status.RESOLVED:
            raise InvalidTransition(f"ticket {self.id} is already resolved")
        if self.resolved_at is None:
            self.resolved_at = at
            self.resolution = how
            self.article_id = article_id
        else:
            self.closed_at = at
        self.status = Status.RESOLVED

    def reopen(self, at: datetime, reason: str) -> None:
        """Reopen a resolved ticket and put it back in front of a person."""
        if self.status != Status.RESOLVED:
            raise InvalidTransition(f"ticket {self.id} is not resolved, so it cannot be reopened")
        self.reopened_at.append(at)
        self.closed_at = None
        self.status = Status.NEEDS_HUMAN
        self.add_message(Message(at=at, role=Role.SYSTEM, author="fixloop", text=f"Reopened: {reason}"))

    def reopen_allowed(self) -> bool:
        """Whether a reopen makes sense now (only a resolved ticket can be reopened)."""
        return self.status == Status.RESOLVED

    def transcript(self, limit: int = 12) -> list[Message]:
        """The last messages of the conversation, deleted ones left out."""
        return [m for m in self.messages if m.deleted_at is None][-limit:]


@dataclass(frozen=True)
class CsatResponse:
    ticket_id: str
    score: int  # 1-5
    solved: bool
    at: datetime
    by: str


def new_ticket_id() -> str:
    """A short, unguessable, human-typable ticket id."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "FX-" + "".join(secrets.choice(alphabet) for _ in range(6))
