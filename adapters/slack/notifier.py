"""SlackNotifier: core notices to the right Slack channel, DM or thread, as Block Kit."""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import blocks, digest_blocks, fix_blocks, incident_blocks, incident_posts, posting, relay
from adapters.slack.escape import esc
from core.escalation import Evidence
from core.org import Org
from core.ports import Notice

if TYPE_CHECKING:
    from core.desk import Desk

log = logging.getLogger("fixloop.slack")
SLACK_USER = re.compile(r"[UW][A-Z0-9]{2,}")
RELAYED_KINDS = ("triage", "escalation")  # notices whose thread relays agents' replies to the requester


class SlackNotifier:
    """Posts triage, escalation, status, CSAT, digest, coaching and review notices; raises if Slack fails.

    The client retries 429 after Retry-After and 5xx with backoff (adapters/slack/client.py); a notice that
    names nothing on Slack (a Teams thread, a person with no Slack id) is not for this notifier.
    """

    name = "slack"

    def __init__(self, client: AsyncWebClient, org: Org, desk: Desk | None = None) -> None:
        self.client = client
        self.org = org
        self.desk = desk

    def bind(self, desk: Desk) -> None:
        """Give the notifier the desk, to read tickets and triage context (the desk holds the notifier)."""
        self.desk = desk

    async def send(self, notice: Notice, *, key: str | None = None, retried: bool = False) -> None:
        """Post the notice where it belongs on Slack, or do nothing when it does not belong on Slack.

        With an outbox key the message carries it as metadata, and a retry first looks for it: a try
        whose answer was lost (a timeout after Slack posted) is not posted twice.
        """
        target = await self.target(notice)
        if target is None:
            return
        channel, thread_ts = target
        if notice.kind == "incident" and self.desk is not None:  # one post per incident, updated in place
            return await incident_posts.send(self.client, self.desk, notice, channel, retried=retried)
        if key and retried and await posting.already_posted(self.client, channel, thread_ts, key):
            log.info("outbox: %s was delivered by an earlier try; not posting again", key)
            return
        posted = await self.client.chat_postMessage(
            channel=channel,
            thread_ts=thread_ts,
            text=blocks.cut(esc(notice.text), 3000),
            blocks=await self.render(notice),
            metadata=posting.metadata(key) if key else None,
        )
        if notice.kind in RELAYED_KINDS and notice.ticket_id and thread_ts is None:
            await self._remember_post(notice, str(posted.get("channel") or channel), posted.get("ts"))
        chart = notice.data.get("chart_png")
        if isinstance(chart, bytes | bytearray) and chart:
            await self._upload_chart(channel, bytes(chart), str(notice.data.get("chart_name") or "trend.png"))

    async def _remember_post(self, notice: Notice, channel: str, ts: object) -> None:
        """Keep where a triage or escalation notice was posted on its ticket, so replies there relay."""
        if self.desk is None or not isinstance(ts, str) or not ts:
            return
        try:
            ticket = await self.desk.tickets.get(notice.ticket_id or "")
            if ticket is None or ticket.platform != "slack":  # only Slack requesters can be relayed to
                return
            await self.desk.remember_chat(ticket.id, relay.post_refs(notice.kind, channel, ts))
        except Exception:  # the notice is posted; only the relay of replies in its thread is lost
            log.exception("could not remember the %s post of %s", notice.kind, notice.ticket_id)

    async def _upload_chart(self, channel: str, png: bytes, name: str) -> None:
        # files_upload_v2 resolves the channel id itself; a user id (DM) cannot take a file share.
        await self.client.files_upload_v2(
            channel=channel, content=png, filename=name, title="Fixloop: 12-week trend"
        )

    async def target(self, notice: Notice) -> tuple[str, str | None] | None:
        """(channel, thread_ts) for a notice's `to`, or None when it has no place on Slack."""
        kind, _, rest = notice.to.partition(":")
        if kind == "team":
            team = self.org.team(rest)
            channel = team.channels.get("slack") if team else None
        elif kind == "person":
            channel = self._user(rest)
        elif kind == "thread":
            return await self._thread(rest)
        else:
            channel = self.org.channels.get(notice.to, {}).get("slack") or self._triage_team(notice.to)
        return (channel, None) if channel else None

    def _triage_team(self, role: str) -> str | None:
        team = self.org.team(self.org.triage_team) if role == "triage" else None
        return team.channels.get("slack") if team else None

    def _user(self, key_or_id: str) -> str | None:
        person = self.org.person(key_or_id)
        if person and person.ids.get("slack"):
            return person.ids["slack"]
        return key_or_id if SLACK_USER.fullmatch(key_or_id) else None

    async def _thread(self, ticket_id: str) -> tuple[str, str | None] | None:
        ticket = await self.desk.tickets.get(ticket_id) if self.desk else None
        if ticket is None or ticket.platform != "slack" or not ticket.chat.get("channel"):
            return None
        return ticket.chat["channel"], ticket.chat.get("thread_ts")

    async def render(self, notice: Notice) -> blocks.Blocks:
        """The Block Kit of a notice, by kind; plain text sections for kinds without their own layout."""
        data, ticket_id = notice.data, notice.ticket_id or ""
        if notice.kind == "triage" and self.desk is not None and ticket_id:
            shown = blocks.triage(await self.desk.triage_context(ticket_id), str(data.get("why", "")))
            return shown + incident_blocks.similar(ticket_id, await self.desk.similar_open(ticket_id))
        if notice.kind == "escalation" and "evidence" in data:
            return blocks.escalation(
                ticket_id,
                str(data.get("escalation_id", "")),
                Evidence.from_dict(data["evidence"]),
                str(data.get("reason", "")),
            )
        if notice.kind == "csat" and ticket_id:
            return blocks.csat_survey(ticket_id, notice.text)
        if notice.kind == "agent_reply" and data.get("reply"):  # as relay.from_agent_side writes it
            line = f"*{esc(str(data.get('agent') or ''))}*: {esc(str(data['reply']))}"
            return [blocks.section(blocks.cut(line, 3000))]
        if notice.kind == "fix_shipped" and ticket_id:
            return fix_blocks.fix_shipped(ticket_id, notice.text, data)
        if notice.kind == "review_follow_up" and data.get("review_id"):
            return blocks.follow_up(str(data["review_id"]), ticket_id, notice.text)
        if notice.kind == "digest" and isinstance(data.get("digest"), dict):
            links = await self.permalinks(data["digest"])
            return digest_blocks.digest(data["digest"], links, chart=bool(data.get("chart_png")))
        return blocks.plain(notice.text)

    async def permalinks(self, digest: dict[str, Any]) -> dict[str, str]:
        """Links to the Slack threads of the evidence tickets; one Slack cannot link stays an id."""
        out: dict[str, str] = {}
        for cause in (*digest.get("top_causes", ()), *digest.get("cross_surface", ())):
            for item in cause.get("evidence", ()):
                chat = item.get("chat") or {}
                ts = chat.get("thread_ts") or chat.get("ts")
                if item.get("platform") != "slack" or item["id"] in out or not chat.get("channel") or not ts:
                    continue
                try:
                    found = await self.client.chat_getPermalink(channel=chat["channel"], message_ts=ts)
                except SlackApiError as exc:  # the thread was deleted, or the bot left the channel
                    log.info("no permalink for %s: %s", item["id"], exc.response.get("error"))
                    continue
                if isinstance(found.get("permalink"), str):
                    out[item["id"]] = found["permalink"]
        return out
