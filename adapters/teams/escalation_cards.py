"""The escalation's evidence card in the owning team's channel, with the owner's forms and buttons."""

from __future__ import annotations

from adapters.teams.attachments import attachment_facts
from adapters.teams.cards import Card, Element, card, cut, facts, note, submit, text
from adapters.teams.escape import md, md_url
from adapters.teams.ids import Action, Input
from core.causes import Cause, FixStatus
from core.escalation import Escalation
from core.limits import MAX_FIELD, MAX_TITLE, MAX_URL


def _owner_forms(ticket_id: str, esc_id: str) -> list[Element]:
    root = card(
        {
            "type": "Input.Text",
            "id": Input.ROOT_CAUSE,
            "label": "Root cause",
            "isMultiline": True,
            "maxLength": MAX_FIELD,
            "isRequired": True,
            "errorMessage": "Say what the root cause is.",
        },
        {"type": "Input.Text", "id": Input.TITLE, "label": "Short name (optional)", "maxLength": MAX_TITLE},
        actions=[submit("Save root cause", Action.ROOT_CAUSE, ticket=ticket_id, escalation=esc_id)],
    )
    fix = card(
        {
            "type": "Input.Text",
            "id": Input.FIX_URL,
            "label": "Jira, GitHub or Linear URL",
            "style": "Url",
            "maxLength": MAX_URL,
            "isRequired": True,
            "errorMessage": "Paste the link to the fix.",
        },
        actions=[submit("Save link", Action.LINK_FIX, ticket=ticket_id, escalation=esc_id)],
    )
    return [
        {"type": "Action.ShowCard", "title": "Record root cause", "card": root},
        {"type": "Action.ShowCard", "title": "Link fix", "card": fix},
    ]


def escalation(esc: Escalation, cause: Cause | None = None, done: str | None = None) -> Card:
    """The evidence card in the owning team's channel; judged or shipped buttons disappear."""
    ev = esc.evidence
    lines = [f"**{md(m.get('author', ''))}**: {md(cut(m.get('text', ''), 300))}" for m in ev.transcript[-6:]]
    tried = ", ".join(md(a.get("title", a.get("id", ""))) for a in ev.articles_tried)
    similar = ", ".join(f"{md(s['id'])} ({md(cut(s.get('subject', ''), 60))})" for s in ev.similar_tickets)
    likely = ev.likely_cause
    body = [
        text(f"**Escalation {esc.id}** for ticket **{esc.ticket_id}**", size="Medium"),
        facts(
            [
                ("Requester", md(ev.requester)),
                ("Surface", md(ev.surface)),
                ("Reason", md(esc.reason) or "none given"),
                *attachment_facts(ev.attachments),
            ]
        ),
        text("**Summary**"),
        text(md(ev.summary)),
        text("**Transcript (latest)**"),
        text("\n\n".join(lines) or "(empty)", isSubtle=True),
        facts(
            [
                ("Articles tried", tried or "none"),
                ("Similar tickets", similar or "none"),
                ("Likely cause", md(f"{likely['title']} [{likely['key']}]") if likely else "not known yet"),
            ]
        ),
    ]
    if cause is not None:
        body.append(
            facts(
                [
                    ("Root cause", md(cause.root_cause) if cause.root_cause else "not recorded"),
                    ("Fix", f"{cause.fix_status}{' ' + md_url(cause.fix_url) if cause.fix_url else ''}"),
                ]
            )
        )
    ids = {"ticket": esc.ticket_id, "escalation": esc.id}
    actions = (
        []
        if esc.judgement
        else [
            submit("Needed", Action.JUDGE_NEEDED, "positive", **ids),
            submit("Could have been solved at tier 1", Action.JUDGE_NOT_NEEDED, **ids),
        ]
    )
    actions += _owner_forms(esc.ticket_id, esc.id)
    if cause is None or cause.fix_status != FixStatus.SHIPPED:
        actions.append(submit("Fix shipped", Action.FIX_SHIPPED, **ids))
    if cause is None or not cause.fix_url:
        actions.append(submit("File fix issue", Action.FILE_FIX, **ids))
    return card(*body, *([note(done)] if done else []), actions=actions)
