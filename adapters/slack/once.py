"""Slack buttons and forms act once: a double click, a proxy's retry or a replayed request changes nothing.

Slack never redelivers interactive payloads, but people click twice and requests get replayed. Each action
claims (what was clicked, what it does) in the database first, the way Teams card buttons do
(adapters/db/action_claims.py); a claim whose action failed is given back, so the button works again.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, Protocol

from adapters.payload import mapping, text
from adapters.slack.ids import Action, View

ALREADY_CLICKED = "That button was already used; the message shows what happened."
ALREADY_SUBMITTED = "This form was already submitted; nothing was done twice."
# Buttons that spend one another: once the requester answered, neither answer can be given again.
SPENT_BY: dict[str, str] = {
    Action.SOLVED: "requester",
    Action.NEED_HELP: "requester",
    Action.ASSIGN: "assign",
    Action.RESOLVE: "resolve",
    Action.JUDGE_NEEDED: "judge",
    Action.JUDGE_NOT_NEEDED: "judge",
    Action.FIX_SHIPPED: "ship",
    Action.CSAT_NOT_SOLVED: "csat",
    **{f"{Action.CSAT}.{n}": "csat" for n in range(1, 6)},
    Action.FOLLOW_UP_CHANGED: "follow_up",
    Action.FOLLOW_UP_NOT_YET: "follow_up",
    Action.FIX_SOLVED: "fix_answer",
    Action.FIX_STILL: "fix_answer",
    Action.INCIDENT_RESOLVE: "incident_resolve",
    View.ESCALATE: "escalate",
    View.ROOT_CAUSE: "root_cause",
    View.LINK_FIX: "link_fix",
    View.REVIEW: "review",
}


class Claims(Protocol):
    async def claim(self, target: str, action: str) -> bool: ...
    async def release(self, target: str, action: str) -> None: ...


def clicked(body: dict[str, Any], ticket: str) -> str:
    """What a button click acts on: the message that carried it (and the ticket its button names)."""
    container, message = mapping(body, "container"), mapping(body, "message")
    channel = text(mapping(body, "channel"), "id") or text(container, "channel_id") or "-"
    ts = text(container, "message_ts") or text(message, "ts") or "-"
    return f"{channel}:{ts}:{ticket}"


def submitted(view: dict[str, Any]) -> str:
    """What a form submission acts on: the modal, by its view id (the same for each resubmission of it)."""
    return f"view:{text(view, 'id') or '-'}"


@asynccontextmanager
async def once(claims: Claims | None, target: str, action: str) -> AsyncIterator[bool]:
    """Yield True to the first claim of (target, action), False to any later one; a failure gives it back."""
    group = SPENT_BY.get(action, action)
    if claims is None:  # no database (unit rigs): nothing to claim against
        yield True
        return
    if not await claims.claim(target, group):
        yield False
        return
    try:
        yield True
    except BaseException:
        await claims.release(target, group)
        raise
