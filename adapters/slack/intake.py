"""Slack's part of the intake: the key of an Events API callback, and the handler of a stored one.

Event callbacks are stored and acknowledged without Bolt (`adapters/slack/http.py`, or the Socket
Mode middleware below); a worker then runs each stored event through a Bolt app built for that only
(`build_app(..., stored_events=True)`: no request verification, because the signature was checked
when the event arrived, and never mounted on HTTP), and waits for its listener to finish.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

from adapters.intake import Handler, Intake, Outcome
from adapters.queues import InboxEvent

log = logging.getLogger("fixloop.slack")


def key_of(body: dict[str, Any]) -> str | None:
    """The Events API id of a callback (interactivity and commands have none: Slack never retries them)."""
    event_id = body.get("event_id") if body.get("type") == "event_callback" else None
    return str(event_id) if event_id else None


def from_the_bot(body: dict[str, Any]) -> bool:
    """Whether an event is one of Fixloop's own posts coming back (nothing to store)."""
    event = body.get("event")
    if not isinstance(event, dict):
        return False
    bots = {
        a.get("user_id") for a in body.get("authorizations") or [] if isinstance(a, dict) and a.get("is_bot")
    }
    return bool(event.get("user")) and event.get("user") in bots


def socket_mode_intake(intake: Intake | None) -> Callable[..., Awaitable[BoltResponse | None]]:
    """Bolt middleware storing each Socket Mode event callback and acknowledging it; the rest goes on.

    Over HTTP, event callbacks never reach Bolt (the edge stores them); over Socket Mode they arrive
    through Bolt's handler, already authenticated by the app-level token.
    """

    async def middleware(
        body: dict[str, Any],
        next: Callable[[], Awaitable[None]],  # noqa: A002
    ) -> BoltResponse | None:
        key = key_of(body)
        if intake is None or key is None:
            await next()  # interactivity and commands are acted on while Slack waits
            return None
        if from_the_bot(body) or await intake.receive(key, json.dumps(body)):
            return BoltResponse(status=200, body="")
        return BoltResponse(status=503, body="database unavailable; retry", headers={"Retry-After": "5"})

    return middleware


def handler(app: AsyncApp) -> Handler:
    """Run a stored event callback through the stored-events app; raise what its listener failed with."""

    async def handle(event: InboxEvent) -> None:
        outcome = Outcome(last_attempt=event.last_attempt)
        request = AsyncBoltRequest(
            body=event.payload,
            headers={"content-type": "application/json"},
            context={"outcome": outcome},
        )
        await app.async_dispatch(request)  # the listener has ended: the app processes before it responds
        if outcome.error is not None:
            raise outcome.error

    return handle
