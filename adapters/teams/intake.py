"""Teams' part of the intake: the key of a message activity, and the handler of a stored one.

A message (or its edit or deletion) is stored and acknowledged by POST /api/messages; a worker then
runs the bot's turn as a proactive turn (the token was checked when the activity arrived) and the bot
replies through the connector, as it does for any turn.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable

from botbuilder.core import TurnContext
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import Activity, ActivityTypes

from adapters.intake import Handler, Outcome
from adapters.queues import InboxEvent
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


def tracked(logic: Logic, outcome: Outcome) -> Logic:
    """Run the bot's turn; a failure the person should hear of now reaches on_error, the others are kept."""

    async def run(turn_context: TurnContext) -> None:
        try:
            await logic(turn_context)
        except FixloopError:
            raise  # on_error tells the person; the event is done
        except Exception as exc:  # the message is safe in the inbox and is handled again
            if outcome.record(exc):
                raise
            log.warning("Teams turn failed; the activity stays in the inbox: %r", exc)

    return run


def handler(adapter: CloudAdapter, logic: Callable[[], Logic], app_id: str) -> Handler:
    """Run a stored activity's turn as a proactive turn; raise what it failed with, for a retry."""

    async def handle(event: InboxEvent) -> None:
        activity = Activity().deserialize(json.loads(event.payload))
        outcome = Outcome(last_attempt=event.last_attempt)
        identity = adapter.create_claims_identity(app_id)
        await adapter.process_proactive(identity, activity, None, tracked(logic(), outcome))
        if outcome.error is not None:
            raise outcome.error

    return handle
