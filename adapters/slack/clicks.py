"""What every Slack button does around its use case: act once per clicked message, then say what happened."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from slack_bolt.context.respond.async_respond import AsyncRespond

from adapters.slack import blocks
from adapters.slack.once import ALREADY_CLICKED, Claims, clicked, once

T = TypeVar("T")
Body = dict[str, Any]


async def first_click(
    claims: Claims | None,
    body: Body,
    respond: AsyncRespond,
    target: str,
    action: str,
    work: Callable[[], Awaitable[T]],
) -> T | None:
    """Run the button's use case on the first click of (message, target, action); a later click is told,
    privately, that nothing happened twice, and gets None."""
    async with once(claims, clicked(body, target), action) as first:
        if first:
            return await work()
    await respond(text=ALREADY_CLICKED, response_type="ephemeral", replace_original=False)
    return None


async def redraw(respond: AsyncRespond, body: Body, note: str, drop: set[str] | None = None) -> None:
    """Replace the clicked message: the used buttons go (or those in `drop`), a note says what happened."""
    old = (body.get("message") or {}).get("blocks") or []
    await respond(replace_original=True, blocks=blocks.done(old, note, drop), text=note)


async def click_once(
    claims: Claims | None,
    body: Body,
    respond: AsyncRespond,
    target: str,
    action: str,
    work: Callable[[], Awaitable[str]],
    drop: set[str] | None = None,
) -> None:
    """Run the use case on the first click and redraw the message with the note it returns."""
    note = await first_click(claims, body, respond, target, action, work)
    if note is not None:
        await redraw(respond, body, note, drop)
