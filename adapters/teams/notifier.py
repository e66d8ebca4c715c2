"""TeamsNotifier: core notices to a Teams channel, personal chat or ticket thread, proactively, as cards."""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Protocol

from botbuilder.core import BotAdapter, MessageFactory, TurnContext
from botbuilder.schema import Activity, ChannelAccount, ConversationAccount, ConversationParameters
from botbuilder.schema import ConversationReference as Reference

from adapters.outbox.codec import decode
from adapters.outbox.dispatcher import Permanent
from adapters.queues import OutboxItem
from adapters.teams import cards, digest_card, fix_cards, forms, incident_cards, incident_posts, relay
from adapters.teams.actions import escalation_card
from adapters.teams.escape import md
from adapters.teams.ids import PLATFORM
from core.org import Org
from core.ports import Notice

if TYPE_CHECKING:
    from core.desk import Desk

log = logging.getLogger("fixloop.teams")
CHANNEL_ID = "msteams"
TEAMS_USER = re.compile(
    r"29:[\w.-]+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE
)


class References(Protocol):
    async def save(self, key: str, reference: Reference) -> None: ...
    async def get(self, key: str) -> Reference | None: ...
    async def latest(self) -> Reference | None: ...


class ChartStore(Protocol):
    async def put(self, png: bytes) -> str: ...


class NotConnected(RuntimeError):
    """A notice belongs on Teams, but Teams has never talked to Fixloop, so its service URL is unknown."""


class TeamsNotifier:
    """Posts triage, escalation, status, CSAT, digest, coaching and review notices; raises if Teams fails.

    A notice that names nothing on Teams (a Slack thread, a person with no Teams id) is not for this notifier.
    """

    name = PLATFORM

    def __init__(
        self,
        adapter: BotAdapter,
        references: References,
        org: Org,
        app_id: str = "",
        *,
        charts: ChartStore | None = None,
        public_url: str | None = None,
    ) -> None:
        self.adapter, self.references, self.org, self.app_id = adapter, references, org, app_id
        self.charts, self.public_url = charts, public_url
        self.desk: Desk | None = None

    def bind(self, desk: Desk) -> None:
        """Give the notifier the desk, to read tickets and escalations (the desk holds the notifier)."""
        self.desk = desk

    async def send(self, notice: Notice) -> None:
        """Deliver the notice where it belongs on Teams, or do nothing when it does not belong on Teams."""
        kind, _, rest = notice.to.partition(":")
        if kind == "person":
            await self._to_person(rest, await self._activity(notice))
            return
        reference = (
            await self._thread(rest) if kind == "thread" else await self._channel(self._channel_id(notice))
        )
        if reference is not None and notice.kind == "incident" and self.desk is not None:
            await incident_posts.send(self.adapter, self.app_id, self.desk, notice, reference)
        elif reference is not None:  # rendered only now: a digest stores its chart only if it goes out
            posted = await self.deliver(reference, await self._activity(notice))
            if kind != "thread" and notice.kind in relay.KINDS and notice.ticket_id and posted:
                await self._remember_post(notice, str(reference.conversation.id), posted)

    async def _remember_post(self, notice: Notice, channel: str, post_id: str) -> None:
        """Keep where a triage or escalation notice was posted on its ticket, so replies there relay."""
        if self.desk is None:
            return
        try:
            refs = relay.post_refs(notice.kind, channel, post_id)
            await self.desk.remember_chat(notice.ticket_id or "", refs)
        except Exception:  # the notice is posted; only the relay of replies in its reply chain is lost
            log.exception("could not remember the %s post of %s", notice.kind, notice.ticket_id)

    async def post_in(self, conversation: str, text: str) -> None:
        """Post a line of Adaptive Card markdown (escaped by the caller) into a channel's reply chain."""
        channel = conversation.partition(";messageid=")[0]
        base = await self._channel(channel)
        if base is None:
            return
        chain = ConversationAccount(id=conversation, is_group=True, conversation_type="channel")
        chain.tenant_id = base.conversation.tenant_id if base.conversation else None
        reference = Reference(channel_id=CHANNEL_ID, service_url=base.service_url, conversation=chain,
                              bot=base.bot)
        await self.deliver(reference, MessageFactory.text(text))

    async def _activity(self, notice: Notice) -> Activity:
        card = cards.attachment(await self.render(notice))
        return MessageFactory.attachment(card, text=md(notice.text[:1000]))

    async def deliver(self, reference: Reference, activity: Activity) -> str | None:
        """Continue a stored conversation with one activity and return the posted message's id; raise what
        Teams answered if it failed."""
        failures: list[Exception] = []
        posted: list[str] = []

        async def callback(turn_context: TurnContext) -> None:
            try:
                response = await turn_context.send_activity(activity)
            except Exception as exc:  # raised after the turn: the adapter's error handler would swallow it
                failures.append(exc)
                return
            if response is not None and response.id:
                posted.append(str(response.id))

        await self.adapter.continue_conversation(reference, callback, bot_app_id=self.app_id)
        if failures:
            raise failures[0]
        return posted[0] if posted else None

    def _channel_id(self, notice: Notice) -> str | None:
        kind, _, rest = notice.to.partition(":")
        if kind == "team":
            team = self.org.team(rest)
            return team.channels.get(PLATFORM) if team else None
        by_role = self.org.channels.get(notice.to, {}).get(PLATFORM)
        triage = self.org.team(self.org.triage_team) if notice.to == "triage" else None
        return by_role or (triage.channels.get(PLATFORM) if triage else None)

    async def _channel(self, channel_id: str | None) -> Reference | None:
        if not channel_id:
            return None
        stored = await self.references.get(f"channel:{channel_id}")
        if stored is not None:
            return stored
        base = await self._any()
        conversation = ConversationAccount(id=channel_id, is_group=True, conversation_type="channel")
        conversation.tenant_id = base.conversation.tenant_id if base.conversation else None
        return Reference(
            channel_id=CHANNEL_ID, service_url=base.service_url, conversation=conversation, bot=base.bot
        )

    async def _any(self) -> Reference:
        base = await self.references.latest()
        if base is None:
            raise NotConnected(
                "Teams has not talked to Fixloop yet: add the Fixloop app to the team or chat first."
            )
        return base

    async def _thread(self, ticket_id: str) -> Reference | None:
        ticket = await self.desk.tickets.get(ticket_id) if self.desk else None
        if ticket is None or ticket.platform != PLATFORM or not ticket.chat.get("conversation_id"):
            return None
        chat = ticket.chat
        conversation = ConversationAccount(id=chat["conversation_id"], conversation_type=chat.get("kind"))
        conversation.tenant_id = chat.get("tenant_id") or None
        bot = ChannelAccount(id=self.app_id or None)
        return Reference(
            channel_id=CHANNEL_ID, service_url=chat["service_url"], conversation=conversation, bot=bot
        )

    async def _to_person(self, key_or_id: str, activity: Activity) -> None:
        person = self.org.person(key_or_id)
        user = (
            person.ids.get(PLATFORM) if person else (key_or_id if TEAMS_USER.fullmatch(key_or_id) else None)
        )
        if not user:
            return
        stored = await self.references.get(f"user:{user}")
        if stored is not None:
            await self.deliver(stored, activity)
        else:
            await self._new_chat(user, activity)

    async def _new_chat(self, user: str, activity: Activity) -> None:
        """Open a personal chat with someone who never wrote to the bot, remember it, and write there."""
        base = await self._any()
        tenant = base.conversation.tenant_id if base.conversation else None
        params = ConversationParameters(
            is_group=False,
            bot=base.bot,
            members=[ChannelAccount(id=user)],
            tenant_id=tenant,
            channel_data={"tenant": {"id": tenant}},
        )
        failures: list[Exception] = []

        async def callback(turn_context: TurnContext) -> None:
            reference = TurnContext.get_conversation_reference(turn_context.activity)
            reference.user, reference.activity_id = ChannelAccount(id=user), None
            await self.references.save(f"user:{user}", reference)
            try:
                await turn_context.send_activity(activity)
            except Exception as exc:  # raised after the turn, like deliver()
                failures.append(exc)

        await self.adapter.create_conversation(
            self.app_id, callback, params, channel_id=CHANNEL_ID, service_url=base.service_url
        )
        if failures:
            raise failures[0]

    async def render(self, notice: Notice) -> cards.Card:
        """The card of a notice, by kind; a plain text card for kinds without their own layout."""
        data, ticket_id = notice.data, notice.ticket_id or ""
        if notice.kind == "triage" and self.desk is not None and ticket_id:
            shown = cards.triage(await self.desk.triage_context(ticket_id), str(data.get("why", "")))
            return incident_cards.with_similar(shown, ticket_id, await self.desk.similar_open(ticket_id))
        if notice.kind == "escalation" and self.desk is not None and data.get("escalation_id"):
            return await escalation_card(self.desk, str(data["escalation_id"]))
        if notice.kind == "csat" and ticket_id:
            return cards.csat(ticket_id, notice.text)
        if notice.kind == "fix_shipped" and ticket_id:
            return fix_cards.fix_shipped(ticket_id, notice.text, data)
        if notice.kind in fix_cards.NEWS:
            return fix_cards.news(notice.text)
        if notice.kind == "review_follow_up" and data.get("review_id"):
            return cards.follow_up(str(data["review_id"]), ticket_id, notice.text)
        if notice.kind == "digest" and isinstance(data.get("digest"), dict):
            png = data.get("chart_png")
            url = await self.chart_url(bytes(png)) if isinstance(png, bytes | bytearray) and png else None
            return digest_card.digest(data["digest"], url, has_chart=bool(png))
        return forms.plain(notice.text)

    async def chart_url(self, png: bytes) -> str | None:
        """Store the chart and return its public URL; None when Fixloop has no public URL to serve it at."""
        if self.charts is None or not self.public_url:
            return None
        token = await self.charts.put(png)
        return f"{self.public_url}/charts/{token}.png"


def teams_delivery(notifier: TeamsNotifier) -> Callable[[OutboxItem], Awaitable[None]]:
    """The outbox deliverer for Teams: a stored notice, sent through the notifier (raises to be retried).

    Bot Framework has no way to look a sent message up, so a send whose answer was lost (a timeout after
    Teams accepted it) is sent again: at least once on Teams, where Slack posts are checked for exactly once.
    A notice for a place Teams never told Fixloop about is given up at once (kept in the outbox with why).
    """

    async def deliver(item: OutboxItem) -> None:
        try:
            await notifier.send(decode(item.payload))
        except NotConnected as exc:  # nothing to send with until the app is added: kept, with the reason
            raise Permanent(str(exc)) from exc

    return deliver
