"""The front line's typed commands, parsed once for Slack, Teams and the terminal chat.

`assign FX-AB12CD @person`, `reply FX-AB12CD text`, `resolve FX-AB12CD [note]`,
`priority FX-AB12CD low|normal|high|urgent`, `link FX-AB12CD FX-CD34EF`. Each surface hands over the text
after its own prefix (`/fixloop`, an @mention of the bot, the terminal's `/`) and turns the person named
in `assign` into one of its user ids; the rest is decided here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from core.errors import InvalidInput
from core.limits import MAX_ID, check_size
from core.tickets import Priority

TICKET_ID = re.compile(r"FX-[A-Z0-9]{6}", re.IGNORECASE)


class Verb(StrEnum):
    ASSIGN = "assign"
    REPLY = "reply"
    RESOLVE = "resolve"
    PRIORITY = "priority"
    LINK = "link"


USAGE = {
    Verb.ASSIGN: "assign FX-AB12CD @person (or no one: yourself)",
    Verb.REPLY: "reply FX-AB12CD your answer to the requester",
    Verb.RESOLVE: "resolve FX-AB12CD [note]",
    Verb.PRIORITY: "priority FX-AB12CD low|normal|high|urgent",
    Verb.LINK: "link FX-AB12CD FX-CD34EF",
}


@dataclass(frozen=True)
class AgentCommand:
    """A front-line command as typed: the verb, the ticket, and what the verb needs."""

    verb: Verb
    ticket: str
    person: str | None = None  # assign: the person as the surface wrote them; None is the sender
    text: str = ""  # reply: the answer; resolve: the note
    priority: Priority | None = None
    other: str | None = None  # link: the second ticket


def verb_of(text: str) -> Verb | None:
    """The front-line verb a text starts with ("/reply" as "reply"), or None."""
    words = text.split(maxsplit=1)
    first = words[0].lstrip("/").lower() if words else ""
    return Verb(first) if first in Verb.__members__.values() else None


def looks_like_command(text: str) -> bool:
    """Whether a text is a front-line command whoever sent it: a verb, then a ticket id.

    An employee's "reply to my email is stuck" is a help request; "reply FX-AB12CD hi" is a command (and
    is refused for someone who is not an agent, rather than opened as a ticket).
    """
    words = text.split()
    return verb_of(text) is not None and len(words) > 1 and TICKET_ID.fullmatch(words[1]) is not None


def parse(text: str) -> AgentCommand | None:
    """The command in a text, or None when the text does not start with a front-line verb.

    Raises InvalidInput with the command's usage when the verb is there but the rest is not right.
    """
    verb = verb_of(text)
    if verb is None:
        return None
    rest = text.split(maxsplit=1)[1].strip() if len(text.split(maxsplit=1)) > 1 else ""
    ticket, _, tail = rest.partition(" ")
    if not ticket:
        raise InvalidInput(f"Say which ticket: `{USAGE[verb]}`.")
    ticket = check_size(ticket, MAX_ID, "ticket id").upper()
    return _ARGS[verb](verb, ticket, tail.strip())


def _assign(verb: Verb, ticket: str, tail: str) -> AgentCommand:
    if len(tail.split()) > 1 and not tail.startswith("<"):
        raise InvalidInput(f"Name one person: `{USAGE[verb]}`.")
    return AgentCommand(verb, ticket, person=tail or None)


def _with_text(verb: Verb, ticket: str, tail: str) -> AgentCommand:
    if verb == Verb.REPLY and not tail:
        raise InvalidInput(f"Say what to tell the requester: `{USAGE[verb]}`.")
    return AgentCommand(verb, ticket, text=tail)


def _priority(verb: Verb, ticket: str, tail: str) -> AgentCommand:
    values = [p.value for p in Priority]
    if tail.lower() not in values:
        shown = f"{tail[:40]!r} is not a priority" if tail else "Say which priority"
        raise InvalidInput(f"{shown}: use one of {', '.join(values)} (`{USAGE[verb]}`).")
    return AgentCommand(verb, ticket, priority=Priority(tail.lower()))


def _link(verb: Verb, ticket: str, tail: str) -> AgentCommand:
    words = tail.split()
    if len(words) != 1:
        raise InvalidInput(f"Name the one ticket to link to: `{USAGE[verb]}`.")
    other = check_size(words[0], MAX_ID, "ticket id").upper()
    if other == ticket:
        raise InvalidInput(f"{ticket} cannot be linked to itself.")
    return AgentCommand(verb, ticket, other=other)


_ARGS = {
    Verb.ASSIGN: _assign,
    Verb.REPLY: _with_text,
    Verb.RESOLVE: _with_text,
    Verb.PRIORITY: _priority,
    Verb.LINK: _link,
}
