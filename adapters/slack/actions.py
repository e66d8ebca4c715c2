"""Button listeners: Solved it, I still need help, Assign to me, Resolve, the owner's buttons, CSAT."""

from __future__ import annotations

from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import blocks, modals
from adapters.slack.forms import Ref, actor
from adapters.slack.ids import PLATFORM, Action, Input
from adapters.slack.once import ALREADY_CLICKED, Claims, clicked, once
from core.desk import Desk
from core.messages import AnswerFollowUp
from core.org import PersonRole
from core.threads import STAFF
from core.tickets import Judgement

Body = dict[str, Any]


async def _update(respond: AsyncRespond, body: Body, note: str, drop: set[str] | None = None) -> None:
    """Replace the clicked message: the used buttons go, a note says what happened."""
    old = (body.get("message") or {}).get("blocks") or []
    await respond(replace_original=True, blocks=blocks.done(old, note, drop), text=note)


async def _used(respond: AsyncRespond) -> None:
    """Tell the person who clicked a spent button, privately, that nothing happened twice."""
    await respond(text=ALREADY_CLICKED, response_type="ephemeral", replace_original=False)


async def on_solved(
    ack: AsyncAck, body: Body, action: Body, respond: AsyncRespond, desk: Desk, claims: Claims | None = None
) -> None:
    """The requester says an article solved it."""
    await ack()
    ref, user = Ref.decode(action.get("value")), actor(body)
    await desk.ticket_for(ref.ticket, user, PLATFORM)
    async with once(claims, clicked(body, ref.ticket), Action.SOLVED) as first:
        if not first:
            return await _used(respond)
        ticket = await desk.solved(ref.ticket, ref.article, user)
    await _update(respond, body, f"Solved by {blocks.esc(ticket.article_id or '')}. Glad it helped!")


async def on_need_help(
    ack: AsyncAck, body: Body, action: Body, respond: AsyncRespond, desk: Desk, claims: Claims | None = None
) -> None:
    """The requester still needs a person: the ticket goes to triage."""
    await ack()
    ref, user = Ref.decode(action.get("value")), actor(body)
    await desk.ticket_for(ref.ticket, user, PLATFORM)
    async with once(claims, clicked(body, ref.ticket), Action.NEED_HELP) as first:
        if not first:
            return await _used(respond)
        await desk.need_human(ref.ticket, user)
    await _update(respond, body, "A person will pick this up; you will hear back in this thread.")


async def on_assign(
    ack: AsyncAck, body: Body, action: Body, respond: AsyncRespond, desk: Desk, claims: Claims | None = None
) -> None:
    """An agent takes a ticket from the triage queue."""
    await ack()
    user, ref = actor(body), Ref.decode(action.get("value"))
    async with once(claims, clicked(body, ref.ticket), Action.ASSIGN) as first:
        if not first:
            return await _used(respond)
        ticket = await desk.assign(ref.ticket, user, PLATFORM)
    await _update(respond, body, f"{ticket.id} assigned to <@{user}>.", drop={Action.ASSIGN})


async def on_resolve(
    ack: AsyncAck, body: Body, action: Body, respond: AsyncRespond, desk: Desk, claims: Claims | None = None
) -> None:
    """An agent resolves a ticket; the requester gets the survey."""
    await ack()
    user, ref = actor(body), Ref.decode(action.get("value"))
    async with once(claims, clicked(body, ref.ticket), Action.RESOLVE) as first:
        if not first:
            return await _used(respond)
        ticket = await desk.resolve(ref.ticket, user, PLATFORM)
    await _update(respond, body, f"{ticket.id} resolved by <@{user}>; the requester was asked for feedback.")


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
    async with once(claims, clicked(body, ref.escalation or ref.ticket), action["action_id"]) as first:
        if not first:
            return await _used(respond)
        judgement = Judgement.NEEDED if needed else Judgement.NOT_NEEDED
        await desk.judge(ref.escalation or "", judgement, user, PLATFORM)
    verdict = "needed" if needed else "could have been solved at tier 1"
    await _update(
        respond,
        body,
        f"<@{user}> judged this escalation {verdict}.",
        drop={Action.JUDGE_NEEDED, Action.JUDGE_NOT_NEEDED},
    )


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
    async with once(claims, clicked(body, ref.ticket), Action.FIX_SHIPPED) as first:
        if not first:
            return await _used(respond)
        cause = await desk.ship_fix(ref.ticket, user, platform=PLATFORM)
    note = f"<@{user}> shipped the fix for {blocks.esc(cause.title)}."
    await _update(respond, body, note, drop={Action.FIX_SHIPPED})


async def on_csat(
    ack: AsyncAck, body: Body, action: Body, respond: AsyncRespond, desk: Desk, claims: Claims | None = None
) -> None:
    """The requester rates the resolution 1-5; a low score reopens the ticket."""
    await ack()
    ref = Ref.decode(action.get("value"))
    async with once(claims, clicked(body, ref.ticket), action["action_id"]) as first:
        if not first:
            return await _used(respond)
        ticket = await desk.record_csat(ref.ticket, ref.score or 0, actor(body), platform=PLATFORM)
    again = " We reopened it and a person will follow up." if ticket.is_open else ""
    await _update(respond, body, f"Thanks: you rated {ticket.id} {ref.score}/5.{again}")


async def on_not_solved(
    ack: AsyncAck, body: Body, action: Body, respond: AsyncRespond, desk: Desk, claims: Claims | None = None
) -> None:
    """The requester says it is not solved: the ticket is reopened and goes back to triage."""
    await ack()
    ref, user = Ref.decode(action.get("value")), actor(body)
    await desk.ticket_for(ref.ticket, user, PLATFORM)
    async with once(claims, clicked(body, ref.ticket), Action.CSAT_NOT_SOLVED) as first:
        if not first:
            return await _used(respond)
        await desk.reopen(ref.ticket, user, "the requester says it is not solved")
    await _update(respond, body, f"{blocks.esc(ref.ticket)} is reopened; a person will follow up.")


async def on_follow_up(
    ack: AsyncAck, body: Body, action: Body, respond: AsyncRespond, desk: Desk, claims: Claims | None = None
) -> None:
    """The review's manager says whether the agreed change happened, with an optional note."""
    await ack()
    ref, user = Ref.decode(action.get("value")), actor(body)
    changed = action["action_id"] == Action.FOLLOW_UP_CHANGED
    values = ((body.get("state") or {}).get("values") or {}).get(Input.FOLLOW_UP_NOTE) or {}
    note = str((values.get(Input.FOLLOW_UP_NOTE) or {}).get("value") or "")
    async with once(claims, clicked(body, ref.review or ref.ticket), action["action_id"]) as first:
        if not first:
            return await _used(respond)
        review = await desk.answer_follow_up(AnswerFollowUp(ref.review or "", user, changed, note, PLATFORM))
    said = "Yes, it changed" if changed else "Not yet"
    if note.strip():
        said += f" (note: {blocks.esc(blocks.cut(note.strip(), 300))})"
    await _update(respond, body, f"<@{user}> answered: {said}. Recorded on review {review.id}.")
