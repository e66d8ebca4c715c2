"""Pure functions from core results to Adaptive Card JSON; each card shows its buttons from current state."""

from __future__ import annotations

from typing import Any

from botbuilder.core import CardFactory
from botbuilder.schema import Attachment

from adapters.teams.attachments import attachment_facts
from adapters.teams.escape import md, md_link
from adapters.teams.ids import ACTION_KEY, Action, Input
from core.messages import Reply
from core.near_miss import NearMiss, label, phrase
from core.threads import TriageContext
from core.tickets import Priority, Ticket

Card = dict[str, Any]
Element = dict[str, Any]
SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
VERSION = "1.5"  # what Teams renders on desktop, web and mobile


def cut(text: str, width: int) -> str:
    """Shorten text to width characters, marking the cut."""
    return text if len(text) <= width else text[: width - 1] + "…"


def text(value: str, **style: Any) -> Element:
    """A wrapping TextBlock."""
    return {"type": "TextBlock", "text": cut(value, 4000), "wrap": True, **style}


def facts(pairs: list[tuple[str, str]]) -> Element:
    """A FactSet of label/value pairs (values are markdown: escape what people or models wrote)."""
    return {"type": "FactSet", "facts": [{"title": k, "value": cut(v, 500)} for k, v in pairs]}


def submit(title: str, action: Action, style: str | None = None, **ids: Any) -> Element:
    """An Action.Submit carrying the action id and the ids it acts on, and nothing else."""
    data = {ACTION_KEY: str(action), **{k: v for k, v in ids.items() if v not in (None, "")}}
    out: Element = {"type": "Action.Submit", "title": title, "data": data}
    return {**out, "style": style} if style else out


def card(*body: Element, actions: list[Element] | None = None) -> Card:
    """An Adaptive Card, full width in Teams."""
    out: Card = {"type": "AdaptiveCard", "$schema": SCHEMA, "version": VERSION, "body": list(body)}
    out["msteams"] = {"width": "Full"}
    return {**out, "actions": actions} if actions else out


def attachment(value: Card) -> Attachment:
    """The card as a message attachment."""
    return CardFactory.adaptive_card(value)


def note(value: str) -> Element:
    """The line a card gets after a button was used: what happened, by whom."""
    return text(value, isSubtle=True, spacing="Medium", separator=True)


def first_reply(reply: Reply) -> Card:
    """Up to three articles with Solved it, and I still need help; or the honest hand-off."""
    t = reply.ticket
    if reply.suggestions.abstained:
        return card(text(f"Ticket **{t.id}** is logged. No article fits this one; a person will pick it up."))
    body = [text(f"Ticket **{t.id}** is logged. These articles may solve it:")]
    for s in reply.suggestions.items:
        a = s.article
        title = md_link(a.url, a.title) if a.url else f"**{md(a.title)}**"
        solved = submit("Solved it", Action.SOLVED, "positive", ticket=t.id, article=a.id)
        snippet = text(md(a.snippet()), isSubtle=True)
        items = [text(title), snippet, {"type": "ActionSet", "actions": [solved]}]
        body.append({"type": "Container", "separator": True, "items": items})
    return card(*body, actions=[submit("I still need help", Action.NEED_HELP, ticket=t.id)])


def closed(title: str, done: str) -> Card:
    """A card whose buttons are spent: what it was, and what was done (both markdown: escape user text)."""
    return card(text(title, weight="Bolder"), note(done))


def _ticket_facts(t: Ticket) -> list[tuple[str, str]]:
    return [
        ("Requester", md(t.requester)),
        ("Surface", str(t.surface)),
        ("Priority", str(t.priority)),
        ("Status", str(t.status) + (f", with {md(t.agent)}" if t.agent else "")),
    ]


def priority_picker(t: Ticket) -> list[Element]:
    """The triage card's priority choice set and *Set priority* (adapters/teams/priority.py acts on it)."""
    choices = [{"title": f"{p.value.capitalize()} priority", "value": p.value} for p in Priority]
    choice = {
        "type": "Input.ChoiceSet",
        "id": Input.PRIORITY,
        "label": "Priority",
        "style": "compact",
        "value": t.priority.value,
        "choices": choices,
    }
    return [choice, {"type": "ActionSet", "actions": [submit("Set priority", Action.PRIORITY, ticket=t.id)]}]


def triage(ctx: TriageContext, why: str, done: str | None = None) -> Card:
    """The triage card in context; Assign to me until someone has it, Escalate and Resolve while open."""
    t = ctx.ticket
    owner = ctx.likely_owner
    similar = ", ".join(f"{s.id} ({md(cut(s.subject, 60))}, {s.status})" for s in ctx.similar)
    context = [
        ("Already suggested", ", ".join(md(a.title) for a in ctx.articles_tried) or "none"),
        *_near_miss(ctx.near_miss),
        ("Similar tickets", similar or "none"),
        ("Likely cause", md(ctx.likely_cause.title) if ctx.likely_cause else "not known yet"),
        ("Likely owner", md(f"{owner.team} ({owner.why})") if owner.team else "no owner yet"),
    ]
    actions = []
    if t.is_open and not t.agent:
        actions.append(submit("Assign to me", Action.ASSIGN, "positive", ticket=t.id))
    if t.is_open:
        actions.append(submit("Escalate", Action.ESCALATE, ticket=t.id))
        actions.append(submit("Resolve", Action.RESOLVE, ticket=t.id))
    body = [
        text(f"**{t.id}** needs a person ({md(why)})"),
        text(md(cut(t.subject, 300)), isSubtle=True),
        facts(_ticket_facts(t) + attachment_facts(t.attachments) + context),
        *(priority_picker(t) if t.is_open else []),
    ]
    return card(*body, *([note(done)] if done else []), actions=actions)


def _near_miss(miss: NearMiss | None) -> list[tuple[str, str]]:
    return [(label(miss), phrase(miss, [md(cut(n.article.title, 60)) for n in miss.nearest]))] if miss else []


def csat(ticket_id: str, question: str) -> Card:
    """The one-click 1-5 survey, and Not solved."""
    scores = [submit(str(n), Action.CSAT, ticket=ticket_id, score=n) for n in range(1, 6)]
    return card(
        text(md(question)),
        {"type": "ActionSet", "actions": scores},
        actions=[submit("Not solved", Action.CSAT_NOT_SOLVED, "destructive", ticket=ticket_id)],
    )


def follow_up(review_id: str, ticket_id: str, question: str) -> Card:
    """A week after a review: an optional note, then Yes, it changed / Not yet."""
    ids = {"ticket": ticket_id, Input.REVIEW_ID: review_id}
    note = {
        "type": "Input.Text",
        "id": Input.FOLLOW_UP_NOTE,
        "label": "Note (optional)",
        "isMultiline": True,
        "maxLength": 2000,
        "placeholder": "What you saw, or what is still in the way",
    }
    return card(
        text(md(question)),
        note,
        actions=[
            submit("Yes, it changed", Action.FOLLOW_UP_CHANGED, "positive", **ids),
            submit("Not yet", Action.FOLLOW_UP_NOT_YET, **ids),
        ],
    )
