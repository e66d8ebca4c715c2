"""Knowledge gaps and article drafts in Teams: `gaps`, Draft article, Publish / Edit / Discard."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from botbuilder.core import MessageFactory, TurnContext

from adapters.held import held
from adapters.payload import text as text_field
from adapters.teams import cards, translate
from adapters.teams.actions import CardClaims, replace
from adapters.teams.cards import Card, Element
from adapters.teams.escape import md
from adapters.teams.ids import ACTION_KEY, PLATFORM
from core.drafts import Draft
from core.errors import InvalidInput
from core.gaps import Gap
from core.knowledge import KnowledgeDesk
from core.limits import MAX_FIELD, check_size

GAP_DRAFT, PUBLISH, EDIT, DISCARD = "gap_draft", "draft_publish", "draft_edit", "draft_discard"
ACTIONS = (GAP_DRAFT, PUBLISH, EDIT, DISCARD)
ID = re.compile(r"[\w:.'+#-]{1,200}")
ALREADY = "That draft was already decided; the card shows what happened."
DRAFTING = "Someone is drafting this gap right now; the draft will appear here in a moment."


def _submit(title: str, action: str, target: str, style: str | None = None) -> Element:
    out: Element = {"type": "Action.Submit", "title": title, "data": {ACTION_KEY: action, "target": target}}
    return {**out, "style": style} if style else out


def gaps_card(gaps: Sequence[Gap], limit: int = 5) -> Card:
    """Per surface, the biggest gaps with volume, owner and a *Draft article* button each."""
    if not gaps:
        return cards.card(cards.text("No knowledge gaps: every group of solved tickets had an article."))
    body: list[Element] = [cards.text("**Knowledge gaps**: tickets people solved without an article")]
    for surface in sorted({g.surface for g in gaps}):
        body.append(cards.text(f"{md(surface)} queue", isSubtle=True, separator=True))
        for g in [g for g in gaps if g.surface == surface][:limit]:
            owner = f" | owner {md(g.owner)}" if g.owner else ""
            body.append(cards.text(f"**{md(g.title)}**: {g.tickets} tickets, impact {g.impact:,.0f}{owner}; "
                                   f"e.g. {md(', '.join(g.evidence))}"))
            body.append({"type": "ActionSet", "actions": [_submit("Draft article", GAP_DRAFT, g.key)]})
    return cards.card(*body)


def draft_card(draft: Draft, done: str | None = None) -> Card:
    """The draft for review, every line escaped; Publish / Edit (an inline form) / Discard until decided."""
    body: list[Element] = [
        cards.text(f"**Draft article: {md(draft.title)}**", size="Medium"),
        cards.facts([("Problem", md(draft.problem)), ("Cause", md(draft.cause or "-")),
                     ("Owner", md(draft.owner or "-")), ("From tickets", md(", ".join(draft.ticket_ids)))]),
        cards.text("**Symptoms**\n\n" + "\n\n".join(md(s) for s in draft.symptoms)),
        cards.text("**Steps that fixed it**\n\n" + "\n\n".join(f"{i}\\. {md(s)}"
                                                                 for i, s in enumerate(draft.steps, 1))),
    ]
    if done:
        return cards.card(*body, cards.note(done))
    form = cards.card(
        {"type": "Input.Text", "id": "title", "label": "Title", "value": draft.title, "maxLength": 120},
        {"type": "Input.Text", "id": "problem", "label": "Problem", "value": draft.problem,
         "isMultiline": True},
        {"type": "Input.Text", "id": "steps", "label": "Steps, one per line", "value": "\n".join(draft.steps),
         "isMultiline": True},
        actions=[_submit("Save", EDIT, draft.id)])
    return cards.card(*body, actions=[_submit("Publish", PUBLISH, draft.id, "positive"),
                                      {"type": "Action.ShowCard", "title": "Edit", "card": form},
                                      _submit("Discard", DISCARD, draft.id, "destructive")])


def is_gaps_command(activity: Any) -> bool:
    """Whether the message is the typed `gaps` command."""
    return translate.text_of(activity).strip().lower().lstrip("/") == "gaps"


def knowledge_action(activity: Any) -> tuple[str, str] | None:
    """(action, target) of a knowledge card button, or None when the message carries none."""
    value = activity.value if isinstance(activity.value, dict) else None
    if not value or value.get(ACTION_KEY) not in ACTIONS:
        return None
    target = text_field(value, "target") or ""
    if not ID.fullmatch(target):
        raise InvalidInput("That button is not one Fixloop made, or it is damaged.")
    return str(value[ACTION_KEY]), target


async def handle(turn_context: TurnContext, knowledge: KnowledgeDesk | None, claims: CardClaims) -> bool:
    """Run the `gaps` command or a knowledge button; False when the message is neither."""
    activity = turn_context.activity
    action = knowledge_action(activity)
    if action is None and not is_gaps_command(activity):
        return False
    if knowledge is None:
        raise InvalidInput("Knowledge gaps are not set up on this Fixloop.")
    user = translate.actor(activity)
    if action is None:
        gaps = await knowledge.gaps(user, PLATFORM)
        await _send(turn_context, gaps_card(gaps), f"{len(gaps)} knowledge gaps")
        return True
    verb, target = action
    if verb == GAP_DRAFT:
        await _draft(turn_context, knowledge, claims, target, user)
    elif verb == EDIT:
        values = activity.value
        steps = _field(values, "steps").splitlines()
        draft = await knowledge.edit(target, user, PLATFORM, title=_field(values, "title"),
                                     problem=_field(values, "problem"), steps=steps)
        await replace(turn_context, draft_card(draft))
    else:
        await _decide(turn_context, knowledge, claims, verb, target, user)
    return True


async def _draft(turn_context: TurnContext, knowledge: KnowledgeDesk, claims: CardClaims, gap: str,
                 user: str) -> None:
    """*Draft article*: the gap's open draft, made once however many press it at the same moment."""
    knowledge.require_owner(user, PLATFORM)
    async with held(claims, f"gap:{gap}", "gap.draft") as first:
        draft = await knowledge.draft(gap, user, PLATFORM) if first else None
    if draft is None:
        await turn_context.send_activity(DRAFTING)
        return
    await _send(turn_context, draft_card(draft), f"Draft article: {draft.title}")


async def _decide(turn_context: TurnContext, knowledge: KnowledgeDesk, claims: CardClaims, verb: str,
                  draft_id: str, user: str) -> None:
    """Publish or Discard, once per card and once per draft."""
    knowledge.require_owner(user, PLATFORM)
    card_id = turn_context.activity.reply_to_id or draft_id
    if not await claims.claim(card_id, "draft.decide"):
        await turn_context.send_activity(ALREADY)
        return
    try:
        action = "publish" if verb == PUBLISH else "discard"
        decision = await knowledge.decide(draft_id, action, user, PLATFORM)
    except BaseException:
        await claims.release(card_id, "draft.decide")
        raise
    if not decision.changed:
        await turn_context.send_activity(ALREADY)
        return
    d = decision.draft
    sender = turn_context.activity.from_property
    name = md((sender.name if sender else None) or user)
    note = (f"{name} published it as {md(d.article_key)}: suggestions use it now." if verb == PUBLISH
            else f"{name} discarded this draft.")
    await replace(turn_context, draft_card(d, done=note))


def _field(values: Any, key: str) -> str:
    value = values.get(key) if isinstance(values, dict) else None
    return check_size(str(value), MAX_FIELD, key) if isinstance(value, str) else ""


async def _send(turn_context: TurnContext, card: Card, fallback: str) -> None:
    await turn_context.send_activity(MessageFactory.attachment(cards.attachment(card), text=md(fallback)))
