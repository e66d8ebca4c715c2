"""Buttons of fixes in the owner's tracker: File fix issue, That solved it, Still happening."""

from __future__ import annotations

from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond

from adapters.slack import escape
from adapters.slack.clicks import click_once, first_click, redraw
from adapters.slack.forms import Ref, actor
from adapters.slack.ids import PLATFORM, Action
from adapters.slack.once import Claims
from core.desk import Desk

Body = dict[str, Any]


async def on_file_fix(
    ack: AsyncAck, body: Body, action: Body, respond: AsyncRespond, desk: Desk, claims: Claims | None = None
) -> None:
    """File the cause's fix issue in its owner's tracker (or give the one already filed)."""
    await ack()
    ref, user = Ref.decode(action.get("value")), actor(body)
    # A double click must not file two issues: the click is claimed before the tracker is called.
    target = ref.cause or ref.ticket
    filed = await first_click(
        claims, body, respond, target, Action.FILE_FIX, lambda: desk.file_fix_issue(target, user, PLATFORM)
    )
    if filed is None:
        return
    link = escape.link(filed.url, filed.cause.key)  # the tracker's URL: a link only when it is a plain one
    note = f"<@{user}> filed the fix issue {link}." if filed.new else f"The fix issue is {link}."
    if ref.cause:  # from /causes or App Home: tell the clicker only, the list stays as it is
        await respond(text=note, replace_original=False, response_type="ephemeral")
        return
    await redraw(respond, body, note, {Action.FILE_FIX})


async def on_fix_answer(
    ack: AsyncAck, body: Body, action: Body, respond: AsyncRespond, desk: Desk, claims: Claims | None = None
) -> None:
    """The requester answers the fix news, once: That solved it, or Still happening."""
    await ack()
    ref, user = Ref.decode(action.get("value")), actor(body)
    await desk.ticket_for(ref.ticket, user, PLATFORM)

    async def work() -> str:
        if action["action_id"] == Action.FIX_SOLVED:
            await desk.fix_solved(ref.ticket, user, PLATFORM)
            return f"Thanks: {ref.ticket} is resolved as fixed."
        await desk.fix_still_happening(ref.ticket, user, PLATFORM)
        return f"Thanks for telling us: {ref.ticket} goes back to the team that owns the fix."

    await click_once(claims, body, respond, ref.ticket, action["action_id"], work)
