"""Durable Teams intake: a message activity is in the inbox before the Bot Framework gets its 2xx.

The turn runs inside the request, so its outcome decides the answer: handled -> 2xx and done; the
database went away mid-way -> 503 (the channel redelivers) and the inbox sweeper replays it too; a
redelivery of a handled activity -> 200 and nothing else.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from botbuilder.core import TurnContext
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import Activity, ActivityTypes

from adapters.db.inbox import UNAVAILABLE, Accepted, InboxEvent, SqlInbox
from adapters.teams.ids import PLATFORM
from core.errors import FixloopError

log = logging.getLogger("fixloop.teams")
DURABLE_TYPES = {ActivityTypes.message, ActivityTypes.message_update, ActivityTypes.message_delete}
Logic = Callable[[TurnContext], Awaitable[None]]


def key_of(activity: Activity) -> str | None:
    """The inbox key of an activity that carries what someone wrote; None for the rest."""
    if activity.type not in DURABLE_TYPES or not activity.id:
        return None
    conversation = activity.conversation.id if activity.conversation else ""
    suffix = "" if activity.type == ActivityTypes.message else f"|{activity.type}"
    return f"{conversation}|{activity.id}{suffix}"


@dataclass
class Outcome:
    """What a turn ended with; a retryable failure is kept here instead of being shown to the user."""

    error: Exception | None = None


def tracked(logic: Logic, outcome: Outcome) -> Logic:
    """Run the bot's turn; a domain error still reaches on_error (the user is told), others are kept."""

    async def run(turn_context: TurnContext) -> None:
        try:
            await logic(turn_context)
        except FixloopError:
            raise
        except Exception as exc:  # the message is safe in the inbox and will be handled on retry
            log.warning("Teams turn failed; the activity stays in the inbox: %r", exc)
            outcome.error = exc

    return run


async def accept(
    inbox: SqlInbox, activity: Activity, body: dict[str, Any], queued: bool = False
) -> tuple[Accepted, int] | None:
    """Store the activity; None when it is not one to store. Raises UNAVAILABLE when the database is away."""
    key = key_of(activity)
    if key is None:
        return None
    return await inbox.accept(PLATFORM, key, json.dumps(body), queued=queued)


async def settle(inbox: SqlInbox, row: int, outcome: Outcome) -> bool:
    """Mark the stored activity done, or failed for a retry; True when it was handled."""
    try:
        if outcome.error is None:
            await inbox.done(row)
            return True
        await inbox.failed(row, f"{type(outcome.error).__name__}: {outcome.error}")
    except UNAVAILABLE:  # the lease expires and the sweeper replays it
        log.warning("could not record the outcome of inbox event %s; it will be replayed", row)
    return outcome.error is None


def replayer(
    adapter: CloudAdapter, inbox: SqlInbox, logic: Callable[[], Logic], app_id: str
) -> Callable[[InboxEvent], Awaitable[None]]:
    """How the sweeper runs a stored activity again, as a proactive turn (its token was checked at intake)."""

    async def replay(event: InboxEvent) -> None:
        activity = Activity().deserialize(json.loads(event.payload))
        outcome = Outcome()
        identity = adapter.create_claims_identity(app_id)
        await adapter.process_proactive(identity, activity, None, tracked(logic(), outcome))
        await settle(inbox, event.id, outcome)

    return replay
