"""Pure functions from core results to the form and list cards: escalate, review, tickets, causes, help."""

from __future__ import annotations

from collections.abc import Sequence

from adapters.teams.cards import Card, card, cut, facts, note, submit, text
from adapters.teams.escape import md
from adapters.teams.fix_cards import file_fix_actions
from adapters.teams.ids import Action, Input
from core.causes import RankedCause
from core.limits import MAX_FIELD
from core.org import Team
from core.tickets import Ticket

HELP = (
    "**Fixloop** logs every request as a ticket and routes it to the team that can fix the cause.\n\n"
    "- Write to me in this chat, or @mention me in a channel; replies in the same thread join the ticket.\n"
    "- `ticket`: your open tickets; `ticket FX-AB12CD`: one ticket\n"
    "- `escalate FX-AB12CD [team] [reason]` (agents): hand a ticket to the team that owns the fix\n"
    "- `causes` (leaders): root causes ranked by business impact\n"
    "- `review FX-AB12CD` or `review @agent` (managers): a four-part ticket review\n"
    "- `assign FX-AB12CD [@agent]`, `reply FX-AB12CD text`, `resolve FX-AB12CD [note]`, "
    "`priority FX-AB12CD low|normal|high|urgent`, `link FX-AB12CD FX-CD34EF` (agents); a reply in a triage "
    "or escalation post's thread reaches the requester too\n"
    "- `gaps` (agents, leaders): tickets solved without an article, and drafts for them\n"
    "- `console`: a one-time sign-in link to the web console (in this personal chat)\n"
    "- `help`: this message"
)
REVIEW_PARTS = (
    (Input.WHAT_HAPPENED, "What happened"),
    (Input.WHY_IT_MATTERED, "Why it mattered"),
    (Input.WHAT_GOOD_LOOKS_LIKE, "What good looks like"),
    (Input.WHAT_CHANGES_NEXT, "What changes next time"),
)


def escalate_form(ticket_id: str, teams: Sequence[Team], team: str | None, why: str, reason: str) -> Card:
    """The escalation form, pre-filled with the owner of the likely cause and the reason typed."""
    choices = [{"title": t.name, "value": t.key} for t in teams]
    picker = {
        "type": "Input.ChoiceSet",
        "id": Input.TEAM,
        "label": "Team that owns the fix",
        "choices": choices,
    }
    reason_box = {
        "type": "Input.Text",
        "id": Input.REASON,
        "label": "Reason",
        "isMultiline": True,
        "maxLength": MAX_FIELD,
    }
    return card(
        text(f"Escalate **{ticket_id}**", size="Medium"),
        text(f"Suggested: {md(why)}", isSubtle=True),
        {**picker, **({"value": team} if team else {}), "isRequired": True, "errorMessage": "Pick a team."},
        {**reason_box, **({"value": reason} if reason else {})},
        actions=[submit("Escalate", Action.ESCALATE_SUBMIT, "positive", ticket=ticket_id)],
    )


def review_form(ticket_id: str, hint: str = "") -> Card:
    """The four-part review form for managers."""
    ticket_box = {"type": "Input.Text", "id": Input.TICKET, "label": "Ticket (FX-AB12CD)", "isRequired": True}
    parts = [
        {
            "type": "Input.Text",
            "id": key,
            "label": label,
            "isMultiline": True,
            "isRequired": True,
            "maxLength": MAX_FIELD,
        }
        for key, label in REVIEW_PARTS
    ]
    toggle = {"type": "Input.Toggle", "id": Input.SEND_TO_AGENT, "title": "Send the review to the agent"}
    return card(
        text("Ticket review", size="Medium"),
        *([text(md(hint), isSubtle=True)] if hint else []),
        {**ticket_box, **({"value": ticket_id} if ticket_id else {})},
        *parts,
        {**toggle, "valueOn": "true", "valueOff": "false", "value": "false"},
        actions=[submit("Save review", Action.REVIEW_SUBMIT, "positive")],
    )


def ticket_list(tickets: Sequence[Ticket], title: str) -> Card:
    """A short list of tickets."""
    if not tickets:
        return card(text(f"**{title}**"), text("Nothing here."))
    return card(
        text(f"**{title}**"), facts([(t.id, f"{md(cut(t.subject, 80))} · {t.status}") for t in tickets[:20]])
    )


def ticket_detail(t: Ticket, staff: bool) -> Card:
    """One ticket with its latest messages; staff get Escalate and Resolve while it is open."""
    lines = [f"**{md(m.author)}**: {md(cut(m.text, 200))}" for m in t.transcript(limit=5)]
    actions = []
    if staff and t.is_open:
        actions = [
            submit("Escalate", Action.ESCALATE, ticket=t.id),
            submit("Resolve", Action.RESOLVE, ticket=t.id),
        ]
    return card(
        text(f"**{t.id}** {md(cut(t.subject, 200))}"),
        facts([("Requester", md(t.requester)), ("Status", str(t.status)), ("Surface", str(t.surface))]),
        text("\n\n".join(lines) or "(no messages)", isSubtle=True),
        actions=actions,
    )


def causes(ranked: Sequence[RankedCause], limit: int = 10) -> Card:
    """Causes ranked by business impact, with volume, surfaces, owner, fix and evidence."""
    if not ranked:
        return card(text("No causes yet: they appear as owners record root causes."))
    body = [text("**Root causes by business impact**")]
    for i, r in enumerate(ranked[:limit], 1):
        both = " ⚠ both queues" if r.cross_surface else ""
        body.append(text(f"{i}. **{md(r.cause.title)}** \\[{md(r.cause.key)}\\]{both}", separator=True))
        volume = f"{r.tickets} tickets ({r.open_tickets} open) · {'+'.join(r.surfaces)}"
        evidence = md(", ".join(r.evidence))
        fix = f"owner {md(r.cause.owner or '-')} · fix {r.cause.fix_status} · evidence {evidence}"
        body.append(text(f"impact {r.impact:,.0f} · {volume} · {fix}", isSubtle=True))
    return card(*body, actions=file_fix_actions(ranked[:limit]) or None)


def help_card() -> Card:
    """What Fixloop does and the commands it understands."""
    return card(text(HELP))


def plain(value: str, done: str | None = None) -> Card:
    """Any text as a card (digests, coaching prompts, status notes), shown literally."""
    return card(text(md(value)), *([note(md(done))] if done else []))
