"""Event listeners: messages, @mentions, the 🎫 reaction, edits and deletions, App Home."""

from __future__ import annotations

from typing import Any

from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from adapters.locks import KeyedLocks
from adapters.slack import blocks, home, relay, translate
from adapters.slack.channels import SharedChannels, with_channel_surface
from adapters.slack.posting import Poster
from core.desk import Desk
from core.errors import InvalidInput
from core.messages import LogRequest
from core.tickets import Ticket


async def log_and_reply(cmd: LogRequest, poster: Poster, desk: Desk) -> None:
    """Log the request; a new ticket gets its first reply in the thread (once, however often replayed)."""
    reply = await desk.log_request(cmd)
    if reply.is_new:
        chat = reply.ticket.chat
        await poster.post(
            f"first_reply:{reply.ticket.id}",
            chat["channel"],
            chat.get("thread_ts"),
            blocks.first_reply(reply),
            blocks.esc(reply.text),
        )
    else:  # the requester wrote again: the agents in the triage or escalation thread see it too
        await relay.to_agent_side(poster, reply.ticket, cmd.requester, cmd.text, desk.org, cmd.message_ref)


async def apply_change(change: translate.Change, desk: Desk) -> None:
    """Apply an edit or a deletion of a logged message."""
    if change.text is None:
        await desk.delete_message(change.thread_key, change.ref, change.by, "slack")
    else:
        await desk.edit_message(change.thread_key, change.ref, change.text, change.by, "slack")


async def on_message(
    event: dict[str, Any],
    body: dict[str, Any],
    context: AsyncBoltContext,
    desk: Desk,
    locks: KeyedLocks,
    poster: Poster,
    channels: SharedChannels | None = None,
) -> None:
    """A DM, help-channel message or thread reply joins or opens a ticket; edits and deletions apply."""
    change = translate.change_of(event)
    if change is not None:
        async with locks.hold(change.thread_key):
            await apply_change(change, desk)
        return
    route = translate.route(event, desk.org, context.bot_user_id)
    if route == "ignore":
        return
    if event.get("user") == context.bot_user_id:
        return  # the bot's own posts (relayed replies included) never loop back in
    cmd = await with_channel_surface(translate.message_request(event, body, desk.org), body, channels)
    async with locks.hold(cmd.thread_key or ""):
        if route == "log" or await desk.find_thread(cmd.thread_key or "") is not None:
            await log_and_reply(cmd, poster, desk)
            return
    if route == "join":  # a reply in the thread of a triage or escalation post
        await relay.from_agent_side(event, cmd.text, poster, desk, locks)


async def on_mention(
    event: dict[str, Any],
    body: dict[str, Any],
    desk: Desk,
    locks: KeyedLocks,
    poster: Poster,
    channels: SharedChannels | None = None,
) -> None:
    """An @mention outside help channels and DMs logs a ticket (inside them the message listener does)."""
    if translate.is_help_channel(desk.org, event.get("channel")) or not event.get("user"):
        return
    cmd = await with_channel_surface(translate.mention_request(event, body, desk.org), body, channels)
    if await relay.from_agent_side(event, cmd.text, poster, desk, locks):
        return  # an @mention in a triage or escalation thread is a reply there, not a new ticket
    async with locks.hold(cmd.thread_key or ""):
        await log_and_reply(cmd, poster, desk)


async def fetch_message(client: AsyncWebClient, channel: str, ts: str) -> dict[str, Any]:
    """Read one message by its ts, whether it is a top-level message or a thread reply."""
    history = await client.conversations_history(channel=channel, latest=ts, inclusive=True, limit=1)
    found = [m for m in history.get("messages") or [] if m.get("ts") == ts]
    if not found:
        thread = await client.conversations_replies(channel=channel, ts=ts, limit=1)
        found = [m for m in thread.get("messages") or [] if m.get("ts") == ts]
    if not found:
        raise InvalidInput("Fixloop could not read that message. Invite it to the channel and react again.")
    return dict(found[0])


async def log_once(cmd: LogRequest, poster: Poster, desk: Desk, locks: KeyedLocks) -> Ticket | None:
    """Log a thread that is not a ticket yet; return the existing ticket if it is one."""
    async with locks.hold(cmd.thread_key or ""):
        existing = await desk.find_thread(cmd.thread_key or "")
        if existing is None:
            await log_and_reply(cmd, poster, desk)
        return existing


async def on_reaction(
    event: dict[str, Any],
    body: dict[str, Any],
    client: AsyncWebClient,
    desk: Desk,
    locks: KeyedLocks,
    poster: Poster,
    channels: SharedChannels | None = None,
) -> None:
    """A 🎫 reaction logs the message it marks, once."""
    target = translate.reaction_target(event)
    if target is None:
        return
    message = await fetch_message(client, *target)
    cmd = translate.reaction_request(event, message, body, desk.org)
    cmd = await with_channel_surface(cmd, body, channels)
    await log_once(cmd, poster, desk, locks)


async def on_home(event: dict[str, Any], client: AsyncWebClient, desk: Desk) -> None:
    """Publish the App Home tab when it is opened."""
    if event.get("tab", "home") == "home":
        await home.publish(client, desk, event["user"])


async def ignore() -> None:
    """Events Fixloop receives but does not act on are still acknowledged."""
