"""Pure functions from Slack event and shortcut payloads to core commands: no I/O, easy to test as data."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from adapters.payload import mapping, need, text
from adapters.slack.attachments import files_of
from adapters.slack.forms import MENTION, actor
from adapters.slack.ids import PLATFORM, TICKET_EMOJI
from core.errors import InvalidInput
from core.messages import LogRequest
from core.org import Org
from core.tickets import Surface

USER_SUBTYPES = {None, "thread_broadcast", "file_share"}
Route = Literal["log", "join", "ignore"]


def thread_key(channel: str, root_ts: str) -> str:
    """The opaque thread key of a Slack thread."""
    return f"{PLATFORM}:{channel}:{root_ts}"


def message_ref(channel: str, ts: str) -> str:
    """The platform id of one message, unique across the workspace."""
    return f"{PLATFORM}:{channel}:{ts}"


def is_help_channel(org: Org, channel: str | None) -> bool:
    """A channel listed under [surfaces] in fixloop.toml: every message there is a request."""
    return bool(channel) and f"{PLATFORM}:{channel}" in org.surfaces


def home_team(body: dict[str, Any]) -> str | None:
    """The workspace Fixloop is installed in, as the payload names it (events: team_id; actions: team.id)."""
    return text(body, "team_id") or text(mapping(body, "team"), "id")


def surface_of(body: dict[str, Any], author: dict[str, Any]) -> Surface | None:
    """EXTERNAL when Slack shows a shared (Slack Connect) channel or an author from another workspace.

    Core takes the more external of this and the channel's configured surface. `author` is the event or the
    message whose writer is the requester: Slack names their workspace in `user_team` (else `team`).
    """
    if body.get("is_ext_shared_channel"):
        return Surface.EXTERNAL
    theirs, ours = text(author, "user_team") or text(author, "team"), home_team(body)
    return Surface.EXTERNAL if theirs and ours and theirs != ours else None


def route(event: dict[str, Any], org: Org, bot_user_id: str | None) -> Route:
    """Whether a message event opens or extends a ticket, may only join one, or is not for us."""
    if text(event, "subtype") not in USER_SUBTYPES or event.get("bot_id") or not text(event, "user"):
        return "ignore"
    if text(event, "channel_type") == "im" or is_help_channel(org, text(event, "channel")):
        return "log"
    if bot_user_id and f"<@{bot_user_id}>" in (text(event, "text", None) or ""):
        return "ignore"  # the app_mention event carries it
    thread_ts = text(event, "thread_ts")
    return "join" if thread_ts and thread_ts != text(event, "ts") else "ignore"


def _request(
    body: dict[str, Any],
    author: dict[str, Any],
    *,
    user: str,
    text: str,
    channel: str,
    ts: str,
    thread_ts: str | None,
) -> LogRequest:
    root = thread_ts or ts
    return LogRequest(
        platform=PLATFORM,
        requester=user,
        text=text,
        thread_key=thread_key(channel, root),
        chat={"channel": channel, "thread_ts": root},
        channel=channel,
        surface=surface_of(body, author),
        message_ref=message_ref(channel, ts),
        attachments=files_of(author),  # the message's own files (`author` is the message or event)
    )


def message_request(event: dict[str, Any], body: dict[str, Any], org: Org) -> LogRequest:
    """A DM, help-channel message or thread reply as a help request."""
    return _request(
        body,
        event,
        user=need(event, "user"),
        text=text(event, "text", None) or "",
        channel=need(event, "channel"),
        ts=need(event, "ts"),
        thread_ts=text(event, "thread_ts"),
    )


def mention_request(event: dict[str, Any], body: dict[str, Any], org: Org) -> LogRequest:
    """An @mention as a help request, the mention itself stripped."""
    return _request(
        body,
        event,
        user=need(event, "user"),
        text=MENTION.sub("", text(event, "text", None) or "").strip(),
        channel=need(event, "channel"),
        ts=need(event, "ts"),
        thread_ts=text(event, "thread_ts"),
    )


def shortcut_request(shortcut: dict[str, Any], org: Org) -> LogRequest:
    """The "Log as ticket" message shortcut: the message's author is the requester."""
    message, channel = mapping(shortcut, "message"), text(mapping(shortcut, "channel"), "id")
    ts = text(message, "ts")
    if not channel or not ts:
        raise InvalidInput("Slack did not say which message to log; try the shortcut again.")
    return _request(
        shortcut,
        message,
        user=text(message, "user") or actor(shortcut),
        text=text(message, "text", None) or "",
        channel=channel,
        ts=ts,
        thread_ts=text(message, "thread_ts"),
    )


def reaction_target(event: dict[str, Any]) -> tuple[str, str] | None:
    """(channel, ts) of the message a 🎫 reaction was added to, or None for any other reaction."""
    item = mapping(event, "item")
    if event.get("reaction") != TICKET_EMOJI or item.get("type") != "message":
        return None
    return need(item, "channel"), need(item, "ts")


def reaction_request(
    event: dict[str, Any], message: dict[str, Any], body: dict[str, Any], org: Org
) -> LogRequest:
    """The message a 🎫 reaction marked, as a help request from its author."""
    item = mapping(event, "item")
    return _request(
        body,
        message,
        user=text(message, "user") or text(event, "item_user") or need(event, "user"),
        text=text(message, "text", None) or "",
        channel=need(item, "channel"),
        ts=need(item, "ts"),
        thread_ts=text(message, "thread_ts"),
    )


@dataclass(frozen=True)
class Change:
    """An edit (text set) or a deletion (text None) of a logged message."""

    thread_key: str
    ref: str
    text: str | None
    by: str  # the editor; for a deletion its author (Slack's event does not say who deleted it)


def change_of(event: dict[str, Any]) -> Change | None:
    """The edit or deletion a message_changed / message_deleted event reports, if it is a person's."""
    channel, subtype = text(event, "channel") or "", text(event, "subtype")
    if subtype == "message_changed":
        msg = mapping(event, "message")
        ts = text(msg, "ts")
        if msg.get("bot_id") or not ts or msg.get("subtype"):
            return None
        root = text(msg, "thread_ts") or ts
        by = text(msg, "user") or "unknown"
        return Change(thread_key(channel, root), message_ref(channel, ts), text(msg, "text", None) or "", by)
    if subtype == "message_deleted":
        prev = mapping(event, "previous_message")
        ts = text(event, "deleted_ts") or text(prev, "ts")
        if not ts or prev.get("bot_id"):
            return None
        key, by = thread_key(channel, text(prev, "thread_ts") or ts), text(prev, "user") or "unknown"
        return Change(key, message_ref(channel, ts), None, by)
    return None
