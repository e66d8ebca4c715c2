"""FixloopBot: the ActivityHandler. Each handler translates, calls the desk, renders and replies."""

from __future__ import annotations

import logging
from typing import Protocol

from botbuilder.core import ActivityHandler, MessageFactory, TurnContext
from botbuilder.schema import ActivityTypes, ConversationReference

from adapters.locks import KeyedLocks
from adapters.teams import actions, agent_commands, cards, commands, knowledge, relay, translate
from adapters.teams.attachments import files_of
from adapters.teams.escape import md
from adapters.teams.ids import PLATFORM
from adapters.teams.translate import Place
from core.desk import Desk
from core.knowledge import KnowledgeDesk

log = logging.getLogger("fixloop.teams")


class EventLog(Protocol):
    async def first_time(self, platform: str, event_id: str) -> bool: ...


class ReferenceStore(Protocol):
    async def save(self, key: str, reference: ConversationReference) -> None: ...
    async def get(self, key: str) -> ConversationReference | None: ...
    async def latest(self) -> ConversationReference | None: ...


class FixloopBot(ActivityHandler):
    """Intake, typed commands and card buttons, for personal chats, group chats and channels."""

    def __init__(
        self,
        desk: Desk,
        references: ReferenceStore,
        claims: actions.CardClaims,
        events: EventLog | None = None,
        home_tenant: str = "",
        knowledge: KnowledgeDesk | None = None,
        poster: relay.Poster | None = None,
    ) -> None:
        self.desk, self.references, self.claims, self.events = desk, references, claims, events
        self.knowledge = knowledge  # gaps and drafts (adapters/teams/knowledge.py)
        self.home_tenant = home_tenant  # a sender from any other tenant is external
        self.locks = KeyedLocks()
        self.poster = poster  # posts a requester's later messages into the triage and escalation reply chains

    async def on_turn(self, turn_context: TurnContext) -> None:
        """Remember where to write later; drop an activity delivered before; then dispatch by type."""
        activity = turn_context.activity
        await remember(self.references, activity)
        first_seen = self.events is None or not activity.id or activity.type != ActivityTypes.message
        key = f"{translate.place_of(activity).base}|{activity.id}"
        if not first_seen and not await self.events.first_time(PLATFORM, key):  # type: ignore[union-attr]
            log.info("activity %s was delivered before; skipped", activity.id)
            return
        await super().on_turn(turn_context)

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        """A card button, a typed command, or a help request."""
        activity = turn_context.activity
        if await knowledge.handle(turn_context, self.knowledge, self.claims):
            return
        submit = translate.submit_of(activity)
        if submit is not None:
            await actions.dispatch(turn_context, submit, self.desk, self.claims)
            return
        typed = translate.command_of(activity, self.desk.org)
        if typed is not None:
            await commands.dispatch(turn_context, typed, self.desk)
            return
        front = agent_commands.command_of(activity, self.desk.org)
        if front is not None:
            await agent_commands.dispatch(turn_context, front, self.desk)
            return
        if await relay.from_agent_side(turn_context, self.desk, self.locks):
            return  # a reply in a triage or escalation post's reply chain, not a new ticket
        await self.on_request(turn_context)

    async def on_request(self, turn_context: TurnContext) -> None:
        """A message that opens or joins a ticket; a new ticket gets its first reply in the same place."""
        activity = turn_context.activity
        route = translate.route(activity, self.desk.org)
        if route == "ignore" or not (translate.text_of(activity) or files_of(activity)):  # a file alone asks
            return
        place = translate.place_of(activity)
        async with self.locks.hold(f"{place.base}|{place.root or translate.actor(activity)}"):
            root = await self.root_of(turn_context, place)
            cmd = translate.log_request(activity, self.desk.org, root, self.home_tenant)
            if route == "join" and await self.desk.find_thread(cmd.thread_key or "") is None:
                return
            reply = await self.desk.log_request(cmd)
        if reply.is_new:
            await turn_context.send_activity(
                MessageFactory.attachment(cards.attachment(cards.first_reply(reply)), text=md(reply.text))
            )
        elif self.poster is not None and not reply.replayed:  # the agents in the reply chains see it too
            name = activity.from_property.name if activity.from_property else ""
            await relay.to_agent_side(self.poster, reply.ticket, cmd.requester, str(name or ""), cmd.text)

    async def root_of(self, turn_context: TurnContext, place: Place) -> str:
        """The message a ticket hangs on: the reply chain's root, or in a chat the requester's open ticket."""
        activity = turn_context.activity
        if place.root:
            return place.root
        requester = translate.actor(activity)
        for t in await self.desk.tickets.list(
            requester=requester, open_only=True, newest_first=True, limit=20
        ):
            if t.platform == PLATFORM and t.chat.get("conversation_id") == place.base:
                return t.chat.get("activity_id") or str(activity.id)
        return str(activity.id)

    async def on_message_update_activity(self, turn_context: TurnContext) -> None:
        """An edited message updates the ticket's record of it."""
        activity = turn_context.activity
        place = translate.place_of(activity)
        key = translate.thread_key(place, await self.root_of(turn_context, place))
        ref, by = f"{PLATFORM}:{place.base}:{activity.id}", translate.actor(activity)
        await self.desk.edit_message(key, ref, translate.text_of(activity), by, PLATFORM)

    async def on_message_delete_activity(self, turn_context: TurnContext) -> None:
        """A deleted message is marked deleted; the record keeps its text."""
        activity = turn_context.activity
        place = translate.place_of(activity)
        key = translate.thread_key(place, await self.root_of(turn_context, place))
        ref, by = f"{PLATFORM}:{place.base}:{activity.id}", translate.actor(activity)
        await self.desk.delete_message(key, ref, by, PLATFORM)


async def remember(references: ReferenceStore, activity: object) -> None:
    """Store the conversation reference of a personal chat (per user) or a channel (per channel)."""
    reference = TurnContext.get_conversation_reference(activity)
    place = translate.place_of(activity)
    tenant = translate.tenant_of(activity)
    reference.conversation.tenant_id = (
        reference.conversation.tenant_id or tenant
    )  # the schema drops "tenantId"
    if place.kind == "personal" and reference.user is not None:
        for who in {reference.user.id, getattr(reference.user, "aad_object_id", None)} - {None}:
            await references.save(f"user:{who}", reference)
    elif place.kind == "channel":
        reference.conversation.id = place.base  # a message to the channel itself starts a new post
        await references.save(f"channel:{place.base}", reference)
    else:
        await references.save(f"conversation:{place.base}", reference)
