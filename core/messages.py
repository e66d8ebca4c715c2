"""Commands into the core and the results that come back, shared by Slack, Teams and the console."""

from __future__ import annotations

from dataclasses import dataclass, field

from core.attachments import Attachment
from core.causes import Cause
from core.kb import Suggestions
from core.limits import MAX_TEXT
from core.org import Team
from core.tickets import Priority, Surface, Ticket


@dataclass(frozen=True)
class LogRequest:
    platform: str
    requester: str
    text: str
    thread_key: str | None = None
    chat: dict[str, str] = field(default_factory=dict)
    channel: str | None = None
    surface: Surface | None = None  # EXTERNAL when the platform showed a shared channel or an outsider
    subject: str = ""
    priority: Priority = Priority.NORMAL
    message_ref: str | None = None
    attachments: tuple[Attachment, ...] = ()  # files sent with the message: a file alone is a request


@dataclass(frozen=True)
class Escalate:
    ticket_id: str
    agent: str
    team: str | None = None  # None: route to the suggested owner
    reason: str = ""
    platform: str | None = None  # the platform that vouches for `agent`; None: key or any platform's id


@dataclass(frozen=True)
class RecordReview:
    ticket_id: str
    manager: str
    what_happened: str
    why_it_mattered: str
    what_good_looks_like: str
    what_changes_next: str
    send_to_agent: bool = False
    platform: str | None = None  # the platform that vouches for `manager`; None: key or any platform's id


@dataclass(frozen=True)
class AnswerFollowUp:
    """A manager's answer, a week after a review, to whether the agreed change happened."""

    review_id: str
    by: str
    changed: bool
    note: str = ""
    platform: str | None = None  # the platform that vouches for `by`; None: key or any platform's id


@dataclass
class Reply:
    """The bot's answer to a help request."""

    ticket: Ticket
    suggestions: Suggestions
    is_new: bool  # this message opened the ticket (a replay of that message counts: its reply is due)
    likely_cause: Cause | None = None
    likely_owner: Team | None = None
    replayed: bool = False  # the message was logged before (a redelivery); nothing new was recorded

    @property
    def text(self) -> str:
        """A plain-text rendering, for the console and for chat notification fallbacks."""
        if not self.is_new:
            return f"Added to ticket {self.ticket.id}."
        if self.suggestions.abstained:
            return (
                f"Ticket {self.ticket.id} is logged. No article fits this one; "
                "a person will pick it up shortly."
            )
        lines = [f"Ticket {self.ticket.id} is logged. These articles may solve it:"]
        for i, s in enumerate(self.suggestions.items, 1):
            lines.append(f"{i}. {s.article.title} ({s.article.id}): {s.article.snippet()}")
        lines.append("Did one solve it? Answer 'solved N', or 'help' if you still need a person.")
        return "\n".join(lines)


def check_text(text: str, what: str = "message") -> str:
    """Refuse empty or oversize input with a message that says what to change."""
    from core.errors import InvalidInput

    stripped = text.strip()
    if not stripped:
        raise InvalidInput(f"The {what} is empty. Describe the problem in a sentence or two.")
    if len(stripped) > MAX_TEXT:
        raise InvalidInput(
            f"The {what} is {len(stripped):,} characters; the limit is {MAX_TEXT:,}. "
            "Attach long logs as a file and summarise them here."
        )
    return stripped
