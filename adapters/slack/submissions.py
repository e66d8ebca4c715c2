"""Shortcuts and modal submissions: Log as ticket, Escalate ticket, and the forms they open."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.web.async_client import AsyncWebClient

from adapters.locks import KeyedLocks
from adapters.slack import forms, replies, translate
from adapters.slack.actions import open_escalation
from adapters.slack.channels import SharedChannels, with_channel_surface
from adapters.slack.escape import bare_link, esc
from adapters.slack.forms import Ref, actor
from adapters.slack.ids import PLATFORM, Input, View
from adapters.slack.listeners import log_once
from adapters.slack.once import ALREADY_SUBMITTED, Claims, once, submitted
from adapters.slack.posting import Poster
from core.causes import Cause
from core.desk import Desk
from core.errors import FixloopError, InvalidInput
from core.org import PersonRole

Body = dict[str, Any]
T = TypeVar("T")


async def on_log_shortcut(
    ack: AsyncAck,
    body: Body,
    shortcut: Body,
    client: AsyncWebClient,
    desk: Desk,
    locks: KeyedLocks,
    poster: Poster,
    channels: SharedChannels | None = None,
) -> None:
    """The "Log as ticket" message shortcut (its payload does not say whether the channel is shared)."""
    await ack()
    cmd = await with_channel_surface(translate.shortcut_request(shortcut, desk.org), shortcut, channels)
    existing = await log_once(cmd, poster, desk, locks)
    if existing is not None:
        await replies.tell(client, body, f"This thread is already ticket {existing.id}.")


async def on_escalate_shortcut(
    ack: AsyncAck, body: Body, shortcut: Body, client: AsyncWebClient, desk: Desk
) -> None:
    """The "Escalate ticket" message shortcut, run on any message of a ticket's thread."""
    await ack()
    desk.org.require(actor(body), PersonRole.AGENT, platform=PLATFORM)
    cmd = translate.shortcut_request(shortcut, desk.org)
    ticket = await desk.find_thread(cmd.thread_key or "")
    if ticket is None:
        raise InvalidInput("This thread is not a ticket yet. Use *Log as ticket* first.")
    await open_escalation(client, desk, body["trigger_id"], Ref(ticket.id, channel=cmd.channel), None, "")


async def on_escalate_submit(
    ack: AsyncAck, body: Body, view: Body, client: AsyncWebClient, desk: Desk, claims: Claims | None = None
) -> None:
    """Escalate with the evidence (slow: after the ack); the agent is told where it went."""
    await ack()
    async with once(claims, submitted(view), View.ESCALATE) as first:
        if not first:
            return await replies.tell(client, body, ALREADY_SUBMITTED)
        esc = await desk.escalate(forms.escalation_from_view(view, actor(body)))
    await replies.tell(
        client,
        body,
        f"{esc.ticket_id} is escalated to {esc.to_team} ({esc.id}); the requester was told who has it now.",
    )


class _Spent(Exception):
    """The form was submitted before: nothing is done again."""


async def _checked(
    ack: AsyncAck,
    block: str,
    work: Callable[[], Awaitable[T]],
    *,
    claims: Claims | None,
    view: Body,
    form: View,
) -> T | None:
    """Run a quick form action once per form; a domain error shows on the form instead of closing it.

    A refused form stays open and can be corrected, so a failed action gives its claim back.
    """
    try:
        async with once(claims, submitted(view), form) as first:
            if not first:
                raise _Spent
            result = await work()
    except _Spent:
        await ack()
        return None
    except FixloopError as exc:
        await ack(response_action="errors", errors={block: str(exc)[:150]})
        return None
    await ack()
    return result


async def _note(client: AsyncWebClient, meta: Ref, text: str) -> None:
    if meta.channel and meta.ts:
        await client.chat_postMessage(channel=meta.channel, thread_ts=meta.ts, text=text)


async def on_root_cause_submit(
    ack: AsyncAck, body: Body, view: Body, client: AsyncWebClient, desk: Desk, claims: Claims | None = None
) -> None:
    """Record the root cause; the escalation's thread says so."""
    user = actor(body)

    async def work() -> tuple[Ref, str, Cause]:
        meta, ticket, values = forms.owner_form(view)
        return (
            meta,
            ticket,
            await desk.record_root_cause(
                ticket,
                values.get(Input.ROOT_CAUSE, ""),
                user,
                title=values.get(Input.TITLE) or None,
                platform=PLATFORM,
            ),
        )

    done = await _checked(ack, Input.ROOT_CAUSE, work, claims=claims, view=view, form=View.ROOT_CAUSE)
    if done is not None:
        meta, ticket, cause = done
        await _note(
            client,
            meta,
            f"<@{user}> recorded the root cause of {esc(ticket)} as *{esc(cause.title)}*: "
            f"{esc(cause.root_cause or '')}",
        )


async def on_link_fix_submit(
    ack: AsyncAck, body: Body, view: Body, client: AsyncWebClient, desk: Desk, claims: Claims | None = None
) -> None:
    """Link the fix; the escalation's thread says so."""
    user = actor(body)

    async def work() -> tuple[Ref, Cause]:
        meta, ticket, values = forms.owner_form(view)
        return meta, await desk.link_fix(ticket, values.get(Input.FIX_URL, ""), user, PLATFORM)

    done = await _checked(ack, Input.FIX_URL, work, claims=claims, view=view, form=View.LINK_FIX)
    if done is not None:
        meta, cause = done
        linked = f"<@{user}> linked the fix for *{esc(cause.title)}*: {bare_link(cause.fix_url)}"
        await _note(client, meta, linked)


async def on_review_submit(
    ack: AsyncAck, body: Body, view: Body, client: AsyncWebClient, desk: Desk, claims: Claims | None = None
) -> None:
    """Store the four-part review; the manager gets a confirmation."""
    user = actor(body)
    review = await _checked(
        ack,
        Input.TICKET,
        lambda: desk.record_review(forms.review_from_view(view, user)),
        claims=claims,
        view=view,
        form=View.REVIEW,
    )
    if review is not None:
        await client.chat_postMessage(
            channel=user,
            text=f"Review {review.id} of {review.ticket_id} is saved; "
            "Fixloop will ask about it again in a week.",
        )
