"""Card buttons and form submits; each returns the card that replaces the clicked one, in place."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Protocol

from botbuilder.core import MessageFactory, TurnContext

from adapters.teams import cards, escalation_cards, fix_actions, forms, incident_actions, priority, translate
from adapters.teams.cards import Card
from adapters.teams.escape import md, md_url
from adapters.teams.ids import PER_SUBJECT, PLATFORM, SPENT_BY, Action, Input
from adapters.teams.translate import Submit
from core.desk import Desk
from core.messages import AnswerFollowUp, Escalate, RecordReview
from core.org import PersonRole
from core.threads import STAFF
from core.tickets import Judgement

AGENT, MANAGER = (PersonRole.AGENT,), (PersonRole.MANAGER,)
ROLES: dict[Action, tuple[PersonRole, ...]] = {
    Action.ASSIGN: AGENT,
    Action.RESOLVE: AGENT,
    Action.ESCALATE: AGENT,
    Action.ESCALATE_SUBMIT: AGENT,
    Action.JUDGE_NEEDED: STAFF,
    Action.JUDGE_NOT_NEEDED: STAFF,
    Action.ROOT_CAUSE: STAFF,
    Action.LINK_FIX: STAFF,
    Action.FIX_SHIPPED: STAFF,
    Action.FILE_FIX: STAFF,
    Action.INCIDENT_RESOLVE: AGENT,
    Action.LINK_TICKET: AGENT,
    Action.REVIEW_SUBMIT: MANAGER,
    Action.FOLLOW_UP_CHANGED: MANAGER,
    Action.FOLLOW_UP_NOT_YET: MANAGER,
    Action.PRIORITY: AGENT,
}
Handler = Callable[[TurnContext, Submit, Desk, str], Awaitable[Card | None]]


class CardClaims(Protocol):
    async def claim(self, card_id: str, action: str) -> bool: ...
    async def release(self, card_id: str, action: str) -> None: ...
    def across_platforms(self) -> CardClaims: ...


async def dispatch(turn_context: TurnContext, submit: Submit, desk: Desk, claims: CardClaims) -> None:
    """Check the role, claim the button once per card, act, and update the card in place."""
    activity = turn_context.activity
    user = translate.actor(activity)
    if submit.action in ROLES:
        desk.org.require(user, *ROLES[submit.action], platform=PLATFORM)
    card_id, group = activity.reply_to_id or submit.ticket, SPENT_BY.get(submit.action)
    if group and submit.action in PER_SUBJECT:  # a double click must not file two tracker issues
        group = f"{group}:{submit.ticket}"
    if group and not await claims.claim(card_id, group):
        await turn_context.send_activity("That button was already used; the card shows what happened.")
        return
    try:
        updated = await HANDLERS[submit.action](turn_context, submit, desk, user)
    except BaseException:
        if group:  # the action did not happen, so the button is not spent
            await claims.release(card_id, group)
        raise
    if updated is not None:
        await replace(turn_context, updated)


async def replace(turn_context: TurnContext, card: Card) -> None:
    """Update the clicked card in place (a new message when Teams did not say which card it was)."""
    activity = MessageFactory.attachment(cards.attachment(card))
    activity.id = turn_context.activity.reply_to_id
    if activity.id:
        await turn_context.update_activity(activity)
    else:
        await turn_context.send_activity(activity)


def _name(turn_context: TurnContext, user: str) -> str:
    sender = turn_context.activity.from_property
    return md((sender.name if sender else None) or user)  # a display name is whatever the person typed


async def on_solved(tc: TurnContext, s: Submit, desk: Desk, user: str) -> Card:
    """The requester says an article solved it."""
    await desk.ticket_for(s.ticket, user, PLATFORM)
    ticket = await desk.solved(s.ticket, s.article, user)
    return cards.closed(f"Ticket {ticket.id}", f"Solved by {md(ticket.article_id or '')}. Glad it helped!")


async def on_need_help(tc: TurnContext, s: Submit, desk: Desk, user: str) -> Card:
    """The requester still needs a person: the ticket goes to triage."""
    await desk.ticket_for(s.ticket, user, PLATFORM)
    ticket = await desk.need_human(s.ticket, user)
    return cards.closed(f"Ticket {ticket.id}", "A person will pick this up; you will hear back here.")


async def on_assign(tc: TurnContext, s: Submit, desk: Desk, user: str) -> Card:
    """An agent takes a ticket from the triage queue; the card keeps Escalate and Resolve."""
    ticket = await desk.assign(s.ticket, user, PLATFORM)
    ctx = await desk.triage_context(ticket.id)
    return cards.triage(ctx, "assigned", done=f"{ticket.id} assigned to {_name(tc, user)}.")


async def on_resolve(tc: TurnContext, s: Submit, desk: Desk, user: str) -> Card:
    """An agent resolves a ticket; the requester gets the survey."""
    ticket = await desk.resolve(s.ticket, user, PLATFORM)
    done = f"Resolved by {_name(tc, user)}; the requester was asked for feedback."
    return cards.closed(f"{ticket.id} {md(ticket.subject)}", done)


async def on_escalate(tc: TurnContext, s: Submit, desk: Desk, user: str) -> None:
    """Post the escalation form, pre-filled with the owner of the likely cause."""
    await send_escalation_form(tc, desk, s.ticket, None, "")


async def send_escalation_form(
    tc: TurnContext, desk: Desk, ticket: str, team: str | None, reason: str
) -> None:
    """The form as a new card in this conversation (Teams has no modal without a task module)."""
    suggestion = await desk.suggest_owner(ticket)
    form = forms.escalate_form(
        ticket.upper(), desk.org.teams, team or suggestion.team, suggestion.why, reason
    )
    await tc.send_activity(MessageFactory.attachment(cards.attachment(form)))


async def on_escalate_submit(tc: TurnContext, s: Submit, desk: Desk, user: str) -> Card:
    """Escalate with the evidence; the form becomes a note of where it went."""
    team = s.values.get(Input.TEAM) or None
    reason = s.values.get(Input.REASON, "")
    esc = await desk.escalate(Escalate(s.ticket, user, team=team, reason=reason, platform=PLATFORM))
    done = f"Escalated to {md(esc.to_team)} ({esc.id}); the requester was told who has it now."
    return cards.closed(f"Escalate {esc.ticket_id}", done)


async def escalation_card(desk: Desk, escalation_id: str, done: str | None = None) -> Card:
    """The evidence card as it stands now: judged, root cause, fix."""
    esc = await desk.escalations.get(escalation_id)
    if esc is None:
        return cards.closed(f"Escalation {escalation_id}", done or "This escalation is no longer on record.")
    ticket = await desk.tickets.get(esc.ticket_id)
    cause = await desk.causes.get(ticket.cause_key) if ticket and ticket.cause_key else None
    return escalation_cards.escalation(esc, cause, done)


async def on_judge(tc: TurnContext, s: Submit, desk: Desk, user: str) -> Card:
    """The owning team judges the escalation: needed, or could have been solved at tier 1."""
    needed = s.action == Action.JUDGE_NEEDED
    verdict = Judgement.NEEDED if needed else Judgement.NOT_NEEDED
    await desk.judge(s.escalation or "", verdict, user, PLATFORM)
    said = "needed" if needed else "could have been solved at tier 1"
    note = f"{_name(tc, user)} judged this escalation {said}."
    return await escalation_card(desk, s.escalation or "", note)


async def on_root_cause(tc: TurnContext, s: Submit, desk: Desk, user: str) -> Card:
    """Record the root cause from the card's inline form."""
    title = s.values.get(Input.TITLE) or None
    text = s.values.get(Input.ROOT_CAUSE, "")
    cause = await desk.record_root_cause(s.ticket, text, user, title=title, platform=PLATFORM)
    return await escalation_card(
        desk, s.escalation or "", f"{_name(tc, user)} recorded the root cause: {md(cause.title)}."
    )


async def on_link_fix(tc: TurnContext, s: Submit, desk: Desk, user: str) -> Card:
    """Link the fix from the card's inline form."""
    cause = await desk.link_fix(s.ticket, s.values.get(Input.FIX_URL, ""), user, PLATFORM)
    return await escalation_card(
        desk, s.escalation or "", f"{_name(tc, user)} linked the fix: {md_url(cause.fix_url)}"
    )


async def on_fix_shipped(tc: TurnContext, s: Submit, desk: Desk, user: str) -> Card:
    """The owner marks the fix shipped."""
    cause = await desk.ship_fix(s.ticket, user, platform=PLATFORM)
    return await escalation_card(
        desk, s.escalation or "", f"{_name(tc, user)} shipped the fix for {md(cause.title)}."
    )


async def on_file_fix(tc: TurnContext, s: Submit, desk: Desk, user: str) -> Card | None:
    """File the cause's fix issue in its owner's tracker (or give the one already filed)."""
    filed = await desk.file_fix_issue(s.ticket, user, PLATFORM)
    who = f"{_name(tc, user)} filed the fix issue" if filed.new else "The fix issue is"
    note = f"{who}: {md_url(filed.url)}"  # the tracker's URL: a link only when it is a plain one
    if s.escalation:  # from the evidence card: the card shows it
        return await escalation_card(desk, s.escalation, note)
    await tc.send_activity(note)  # from the causes list: the list stays as it is
    return None


async def on_csat(tc: TurnContext, s: Submit, desk: Desk, user: str) -> Card:
    """The requester rates the resolution 1-5; a low score reopens the ticket."""
    ticket = await desk.record_csat(s.ticket, s.score or 0, user, platform=PLATFORM)
    again = " We reopened it and a person will follow up." if ticket.is_open else ""
    return cards.closed(f"Ticket {ticket.id}", f"Thanks: you rated {ticket.id} {s.score}/5.{again}")


async def on_not_solved(tc: TurnContext, s: Submit, desk: Desk, user: str) -> Card:
    """The requester says it is not solved: the ticket is reopened and goes back to triage."""
    await desk.ticket_for(s.ticket, user, PLATFORM)
    ticket = await desk.reopen(s.ticket, user, "the requester says it is not solved")
    return cards.closed(f"Ticket {ticket.id}", f"{ticket.id} is reopened; a person will follow up.")


async def on_review_submit(tc: TurnContext, s: Submit, desk: Desk, user: str) -> Card:
    """Store the four-part review."""
    v = s.values
    review = await desk.record_review(
        RecordReview(
            ticket_id=v.get(Input.TICKET) or s.ticket,
            manager=user,
            what_happened=v.get(Input.WHAT_HAPPENED, ""),
            why_it_mattered=v.get(Input.WHY_IT_MATTERED, ""),
            what_good_looks_like=v.get(Input.WHAT_GOOD_LOOKS_LIKE, ""),
            what_changes_next=v.get(Input.WHAT_CHANGES_NEXT, ""),
            send_to_agent=v.get(Input.SEND_TO_AGENT) == "true",
            platform=PLATFORM,
        )
    )
    done = f"Review {review.id} of {review.ticket_id} is saved; Fixloop will ask about it again in a week."
    return cards.closed("Ticket review", done)


async def on_follow_up(tc: TurnContext, s: Submit, desk: Desk, user: str) -> Card:
    """The review's manager says whether the agreed change happened, with an optional note."""
    changed = s.action == Action.FOLLOW_UP_CHANGED
    note = s.values.get(Input.FOLLOW_UP_NOTE, "")
    cmd = AnswerFollowUp(s.values.get(Input.REVIEW_ID, ""), user, changed, note, PLATFORM)
    review = await desk.answer_follow_up(cmd)
    said = "Yes, it changed" if changed else "Not yet"
    if note:
        said += f" (note: {md(cards.cut(note, 300))})"
    title = f"Follow-up on review {review.id} of {review.ticket_id}"
    return cards.closed(title, f"{_name(tc, user)} answered: {said}.")


HANDLERS: dict[Action, Handler] = {
    Action.SOLVED: on_solved,
    Action.NEED_HELP: on_need_help,
    Action.ASSIGN: on_assign,
    Action.RESOLVE: on_resolve,
    Action.ESCALATE: on_escalate,
    Action.ESCALATE_SUBMIT: on_escalate_submit,
    Action.JUDGE_NEEDED: on_judge,
    Action.JUDGE_NOT_NEEDED: on_judge,
    Action.ROOT_CAUSE: on_root_cause,
    Action.LINK_FIX: on_link_fix,
    Action.FIX_SHIPPED: on_fix_shipped,
    Action.CSAT: on_csat,
    Action.CSAT_NOT_SOLVED: on_not_solved,
    Action.REVIEW_SUBMIT: on_review_submit,
    Action.FOLLOW_UP_CHANGED: on_follow_up,
    Action.FOLLOW_UP_NOT_YET: on_follow_up,
    Action.FILE_FIX: on_file_fix,
    Action.FIX_SOLVED: fix_actions.on_fix_answer,
    Action.FIX_STILL: fix_actions.on_fix_answer,
    Action.PRIORITY: priority.on_priority,
    Action.INCIDENT_RESOLVE: incident_actions.on_resolve_incident,
    Action.LINK_TICKET: incident_actions.on_link,
}
