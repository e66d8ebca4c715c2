"""Button listeners: Solved it, I still need help, Assign to me, Resolve, the owner's buttons, CSAT."""

from __future__ import annotations

from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import blocks, modals
from adapters.slack.clicks import click_once
from adapters.slack.forms import Ref, actor
from adapters.slack.ids import PLATFORM, Action, Input
from adapters.slack.once import Claims
from core.desk import Desk
from core.messages import AnswerFollowUp
from core.org import PersonRole
from core.threads import STAFF
from core.tickets import Judgement

Body = dict[str, Any]


async def on_solved(
    ack: AsyncAck, body: Body, action: Body, respond: AsyncRespond, desk: Desk, claims: Claims | None = None
) -> None:
    """The requester says an article solved it."""
    await ack()
    ref, user = Ref.decode(action.get("value")), actor(body)
    await desk.ticket_for(ref.ticket, user, PLATFORM)

    async def work() -> str:
        ticket = await desk.solved(ref.ticket, ref.article, user)
        return f"Solved by {blocks.esc(ticket.article_id or '')}. Glad it helped!"

    await click_once(claims, body, respond, ref.ticket, Action.SOLVED, work)


async def on_need_help(
    ack: AsyncAck, body: Body, action: Body, respond: AsyncRespond, desk: Desk, claims: Claims | None = None
) -> None:
    """The requester still needs a person: the ticket goes to triage."""
    await ack()
    ref, user = Ref.decode(action.get("value")), actor(body)
    await desk.ticket_for(ref.ticket, user, PLATFORM)

    async def work() -> str:
        await desk.need_human(ref.ticket, user)
        return "A person will pick this up; you will hear back in this thread."

    await click_once(claims, body, respond, ref.ticket, Action.NEED_HELP, work)


async def on_assign(
    ack: AsyncAck, body: Body, action: Body, respond: AsyncRespond, desk: Desk, claims: Claims | None = None
) -> None:
    """An agent takes a ticket from the triage queue."""
    await ack()
    user, ref = actor(body), Ref.decode(action.get("value"))

    async def work() -> str:
        ticket = await desk.assign(ref.ticket, user, PLATFORM)
        return f"{ticket.id} assigned to <@{user}>."

    await click_once(claims, body, respond, ref.ticket, Action.ASSIGN, work, drop={Action.ASSIGN})


async def on_resolve(
    ack: AsyncAck, body: Body, action: Body, respond: AsyncRespond, desk: Desk, claims: Claims | None = None
) -> None:
    """An agent resolves a ticket; the requester gets the survey."""
    await ack()
    user, ref = actor(body), Ref.decode(action.get("value"))

    async def work() -> str:
        ticket = await desk.resolve(ref.ticket, user, PLATFORM)
        return f"{ticket.id} resolved by <@{user}>; the requester was asked for feedback."

    await click_once(claims, body, respond, ref.ticket, Action.RESOLVE, work)


async def on_escalate(ack: AsyncAck, body: Body, action: Body, client: AsyncWebClient, desk: Desk) -> None:
    """Open the escalation form for the ticket on the clicked message."""
    await ack()
    user = actor(body)
    desk.org.require(user, PersonRole.AGENT, platform=PLATFORM)
    ref = Ref.decode(action.get("value"))
    await open_escalation(client, desk, body["trigger_id"], Ref(ref.ticket, channel=_channel(body)), None, "")


async def open_escalation(
    client: AsyncWebClient, desk: Desk, trigger_id: str, meta: Ref, team: str | None, reason: str
) -> None:
    """Open the escalation modal pre-filled with the owner of the likely cause."""
    suggestion = await desk.suggest_owner(meta.ticket)
    view = modals.escalate(meta, desk.org.teams, team or suggestion.team, suggestion.why, reason)
    await client.views_open(trigger_id=trigger_id, view=view)


def _channel(body: Body) -> str | None:
    return (body.get("channel") or {}).get("id")


async def on_judge(
    ack: AsyncAck, body: Body, action: Body, respond: AsyncRespond, desk: Desk, claims: Claims | None = None
) -> None:
    """The owning team judges the escalation: needed, or could have been solved at tier 1."""
    await ack()
    user, needed = actor(body), action["action_id"] == Action.JUDGE_NEEDED
    ref = Ref.decode(action.get("value"))

    judgement, verdict = (
        (Judgement.NEEDED, "needed") if needed else (Judgement.NOT_NEEDED, "could have been solved at tier 1")
    )

    async def work() -> str:
        await desk.judge(ref.escalation or "", judgement, user, PLATFORM)
        return f"<@{user}> judged this escalation {verdict}."

    spent: set[str] = {Action.JUDGE_NEEDED, Action.JUDGE_NOT_NEEDED}
    await click_once(claims, body, respond, ref.escalation or ref.ticket, action["action_id"], work, spent)


async def on_owner_form(ack: AsyncAck, body: Body, action: Body, client: AsyncWebClient, desk: Desk) -> None:
    """Record root cause / Link fix: open the form for the escalation's ticket."""
    await ack()
    desk.org.require(actor(body), *STAFF, platform=PLATFORM)
    ref = Ref.decode(action.get("value"))
    meta = Ref(ref.ticket, channel=_channel(body), ts=(body.get("message") or {}).get("ts"))
    view = modals.root_cause(meta) if action["action_id"] == Action.ROOT_CAUSE else modals.link_fix(meta)
    await client.views_open(trigger_id=body["trigger_id"], view=view)


async def on_fix_shipped(
    ack: AsyncAck, body: Body, action: Body, respond: AsyncRespond, desk: Desk, claims: Claims | None = None
) -> None:
    """The owner marks the fix shipped."""
    await ack()
    user, ref = actor(body), Ref.decode(action.get("value"))

    async def work() -> str:
        cause = await desk.ship_fix(ref.ticket, user, platform=PLATFORM)
        return f"<@{user}> shipped the fix for {blocks.esc(cause.title)}."

    await click_once(claims, body, respond, ref.ticket, Action.FIX_SHIPPED, work, drop={Action.FIX_SHIPPED})


async def on_csat(
    ack: AsyncAck, body: Body, action: Body, respond: AsyncRespond, desk: Desk, claims: Claims | None = None
) -> None:
    """The requester rates the resolution 1-5; a low score reopens the ticket."""
    await ack()
    ref = Ref.decode(action.get("value"))

    async def work() -> str:
        ticket = await desk.record_csat(ref.ticket, ref.score or 0, actor(body), platform=PLATFORM)
        again = " We reopened it and a person will follow up." if ticket.is_open else ""
        return f"Thanks: you rated {ticket.id} {ref.score}/5.{again}"

    await click_once(claims, body, respond, ref.ticket, action["action_id"], work)


async def on_not_solved(
    ack: AsyncAck, body: Body, action: Body, respond: AsyncRespond, desk: Desk, claims: Claims | None = None
) -> None:
    """The requester says it is not solved: the ticket is reopened and goes back to triage."""
    await ack()
    ref, user = Ref.decode(action.get("value")), actor(body)
    await desk.ticket_for(ref.ticket, user, PLATFORM)

    async def work() -> str:
        await desk.reopen(ref.ticket, user, "the requester says it is not solved")
        return f"{blocks.esc(ref.ticket)} is reopened; a person will follow up."

    await click_once(claims, body, respond, ref.ticket, Action.CSAT_NOT_SOLVED, work)


async def on_follow_up(
    ack: AsyncAck, body: Body, action: Body, respond: AsyncRespond, desk: Desk, claims: Claims | None = None
) -> None:
    """The review's manager says whether the agreed change happened, with an optional note."""
    await ack()
    ref, user = Ref.decode(action.get("value")), actor(body)
    changed = action["action_id"] == Action.FOLLOW_UP_CHANGED
    values = ((body.get("state") or {}).get("values") or {}).get(Input.FOLLOW_UP_NOTE) or {}
    note = str((values.get(Input.FOLLOW_UP_NOTE) or {}).get("value") or "")

    async def work() -> str:
        review = await desk.answer_follow_up(AnswerFollowUp(ref.review or "", user, changed, note, PLATFORM))
        said = "Yes, it changed" if changed else "Not yet"
        if note.strip():
            said += f" (note: {blocks.esc(blocks.cut(note.strip(), 300))})"
        return f"<@{user}> answered: {said}. Recorded on review {review.id}."

    await click_once(claims, body, respond, ref.review or ref.ticket, action["action_id"], work)
