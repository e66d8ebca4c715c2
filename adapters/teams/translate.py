"""Pure functions from Teams activities to core commands and ids: no I/O, tested as data."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

from botbuilder.schema import Activity

from adapters.payload import mapping, text
from adapters.teams.attachments import files_of
from adapters.teams.ids import PLATFORM, Verb
from adapters.teams.submits import Submit as Submit  # re-exported: callers read both from here
from adapters.teams.submits import submit_of as submit_of
from core.errors import InvalidInput
from core.limits import MAX_FIELD, MAX_ID, MAX_RAW_TEXT, check_size
from core.messages import LogRequest
from core.org import Org, PersonRole
from core.tickets import Surface

TICKET_ID = re.compile(r"FX-[A-Z0-9]{6}", re.IGNORECASE)
# Linear on any input: neither pattern can run past the next "<", so "<at><at>..." or "<<<..." stays fast.
MENTION_TAG = re.compile(r"<at\b[^<>]*>[^<]*</at>", re.IGNORECASE)
TAG = re.compile(r"<[^<>]+>")
Route = Literal["log", "join", "ignore"]


@dataclass(frozen=True)
class Place:
    """Where an activity happened: the kind of conversation, its id, and the reply chain's root."""

    kind: str  # "personal", "channel" or "groupChat"
    base: str  # the conversation id without ";messageid=..."
    root: str | None = None  # a channel reply chain's root message id


@dataclass(frozen=True)
class Typed:
    """A command typed to the bot."""

    verb: Verb
    ticket: str | None = None
    team: str | None = None
    reason: str = ""
    mentioned: tuple[tuple[str, str], ...] = ()  # (id, name) of the people @mentioned


def place_of(activity: Activity) -> Place:
    """The conversation an activity belongs to."""
    conversation = activity.conversation
    if conversation is None or not conversation.id:
        raise InvalidInput("This message does not say which conversation it belongs to.")
    base, _, root = check_size(str(conversation.id), 2 * MAX_ID, "conversation id").partition(";messageid=")
    kind = str(conversation.conversation_type or "personal")
    if kind == "channel":
        return Place(kind, base, root or activity.id)
    return Place(kind, base)


def actor(activity: Activity) -> str:
    """Who acted: the Entra object id when Teams gives it (stable across bots), else the Teams user id."""
    sender = activity.from_property
    who = sender and (sender.aad_object_id or sender.id)
    if not who:
        raise InvalidInput("This message does not say who sent it, so Fixloop cannot act on it.")
    return check_size(str(who), MAX_ID, "sender id")


def text_of(activity: Activity) -> str:
    """The message text with @mentions and HTML tags removed; raw text over the limit is refused first."""
    raw = check_size(str(activity.text or ""), MAX_RAW_TEXT, "message (with its formatting)")
    stripped = MENTION_TAG.sub(" ", raw)
    return " ".join(TAG.sub(" ", stripped).replace("&nbsp;", " ").split())


def mentions(activity: Activity) -> list[tuple[str, str]]:
    """(id, name) of everyone @mentioned, the bot included."""
    found = []
    for entity in activity.entities or []:
        data = entity_data(entity)
        if data.get("type") != "mention":
            continue
        mentioned = mapping(data, "mentioned")
        if text(mentioned, "id"):
            found.append((text(mentioned, "id") or "", text(mentioned, "name", MAX_FIELD) or ""))
    return found


def entity_data(entity: object) -> dict[str, Any]:
    """An entity as the JSON Teams sent: a deserialized Entity keeps all but `type` in additional_properties.

    `Activity().deserialize(...)` makes every entity a plain Entity whose serialize() gives `{"type": ...}`
    only, so a mention's `mentioned` would be lost; a Mention built in code has them as attributes.
    """
    if isinstance(entity, dict):
        return entity
    serialize = getattr(entity, "serialize", None)
    data = serialize() if callable(serialize) else {}
    extra = getattr(entity, "additional_properties", None) or {}
    return {**extra, **data} if isinstance(data, dict) and isinstance(extra, dict) else {}


def mentions_bot(activity: Activity) -> bool:
    """Whether the bot itself is @mentioned."""
    bot = activity.recipient.id if activity.recipient else None
    return any(mid == bot for mid, _ in mentions(activity))


def is_help_channel(org: Org, place: Place) -> bool:
    """A conversation listed under [surfaces] in fixloop.toml: every message there is a request."""
    return f"{PLATFORM}:{place.base}" in org.surfaces


def route(activity: Activity, org: Org) -> Route:
    """Whether a message opens or extends a ticket, may only join one, or is not for Fixloop."""
    place = place_of(activity)
    if place.kind == "personal" or mentions_bot(activity):
        return "log"
    if place.kind == "channel" and is_help_channel(org, place) and place.root == activity.id:
        return "log"
    return "join" if place.kind == "channel" and place.root != activity.id else "ignore"


def thread_key(place: Place, root: str) -> str:
    """The opaque thread key of a Teams reply chain or chat ticket."""
    return f"{PLATFORM}:{place.base};messageid={root}"


def tenant_of(activity: Activity) -> str | None:
    """The tenant id Teams puts in channelData (the schema drops the conversation's tenantId)."""
    return text(mapping(mapping({"data": activity.channel_data}, "data"), "tenant"), "id")


def chat_of(activity: Activity, place: Place, root: str) -> dict[str, str]:
    """What the notifier needs to write into the ticket's conversation later."""
    tenant = tenant_of(activity) or ""
    conversation = f"{place.base};messageid={root}" if place.kind == "channel" else place.base
    return {
        "conversation_id": conversation,
        "service_url": check_size(str(activity.service_url or ""), MAX_FIELD, "service URL"),
        "activity_id": root,
        "kind": place.kind,
        "tenant_id": str(tenant),
    }


OUTSIDERS = {"guest", "anonymous"}  # Teams' userRole of people who are not members of the tenant


def surface_of(activity: Activity, home_tenant: str) -> Surface | None:
    """EXTERNAL when the sender is from outside the organisation, else None (core decides from the channel).

    Outside: a guest or anonymous user, or a tenant other than Fixloop's own (MICROSOFT_APP_TENANT_ID) on the
    sender or the conversation. Core takes the more external of this and the channel's configured surface.
    """
    sender = activity.from_property
    extra = (getattr(sender, "additional_properties", None) or {}) if sender is not None else {}
    if str(extra.get("userRole") or "").lower() in OUTSIDERS:
        return Surface.EXTERNAL
    conversation = activity.conversation
    seen = {
        tenant_of(activity),
        getattr(conversation, "tenant_id", None) if conversation is not None else None,
        extra.get("tenantId"),
    }
    others = {str(t) for t in seen if t} - {home_tenant}
    return Surface.EXTERNAL if home_tenant and others else None


def log_request(activity: Activity, org: Org, root: str, home_tenant: str = "") -> LogRequest:
    """A message as a help request in the ticket rooted at `root`."""
    place = place_of(activity)
    return LogRequest(
        platform=PLATFORM,
        requester=actor(activity),
        text=text_of(activity),
        thread_key=thread_key(place, root),
        chat=chat_of(activity, place, root),
        channel=place.base,
        surface=surface_of(activity, home_tenant),
        message_ref=f"{PLATFORM}:{place.base}:{activity.id}",
        attachments=files_of(activity),
    )


def _escalate_args(words: list[str], team_keys: list[str]) -> tuple[str | None, str | None, str]:
    ticket, team, rest = None, None, list[str]()
    keys = {k.lower(): k for k in team_keys}
    for word in words:
        if ticket is None and not rest and TICKET_ID.fullmatch(word):
            ticket = word.upper()
        elif team is None and not rest and word.lower() in keys:
            team = keys[word.lower()]
        else:
            rest.append(word)
    return ticket, team, " ".join(rest)


def command_of(activity: Activity, org: Org) -> Typed | None:
    """A typed command, or None when the text is a help request (an employee's "escalate ..." is one)."""
    words = text_of(activity).split()
    verb, rest = (words[0].lstrip("/").lower(), words[1:]) if words else ("", [])
    roles = org.roles_of(actor(activity), PLATFORM)
    first_is_ticket = bool(rest) and bool(TICKET_ID.fullmatch(rest[0]))
    bot = activity.recipient.id if activity.recipient else None
    people = tuple(m for m in mentions(activity) if m[0] != bot)
    if verb in (Verb.HELP, Verb.CAUSES, Verb.CONSOLE) and not rest:
        return Typed(Verb(verb))
    if verb == Verb.TICKET and (not rest or (len(rest) == 1 and first_is_ticket)):
        return Typed(Verb.TICKET, ticket=rest[0].upper() if rest else None)
    if verb == Verb.ESCALATE and (first_is_ticket or PersonRole.AGENT in roles):
        ticket, team, reason = _escalate_args(rest, org.team_keys())
        return Typed(Verb.ESCALATE, ticket=ticket, team=team, reason=reason)
    if verb == Verb.REVIEW and (first_is_ticket or PersonRole.MANAGER in roles):
        return Typed(Verb.REVIEW, ticket=rest[0].upper() if first_is_ticket else None, mentioned=people)
    return None
