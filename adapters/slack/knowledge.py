"""Knowledge gaps and article drafts in Slack: `/fixloop gaps`, Draft article, Publish / Edit / Discard."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from adapters.held import Claims as HeldClaims
from adapters.held import held
from adapters.slack import blocks
from adapters.slack.escape import esc
from adapters.slack.forms import Ref, actor
from adapters.slack.ids import PLATFORM, Input, View
from adapters.slack.modals import modal, text_input
from adapters.slack.once import ALREADY_CLICKED, Claims, clicked, once
from core.drafts import Draft
from core.errors import InvalidInput
from core.gaps import Gap
from core.knowledge import KnowledgeDesk

Body = dict[str, Any]
GAP_DRAFT = "fixloop.gap_draft"
PUBLISH = "fixloop.draft_publish"
EDIT = "fixloop.draft_edit"
DISCARD = "fixloop.draft_discard"
EDIT_VIEW = "fixloop.draft_edit_view"
ID = re.compile(r"[\w:.'+#-]{1,200}")
NOT_SET_UP = "Knowledge gaps are not set up on this Fixloop."
DRAFTING = "Someone is drafting this gap right now; the draft will appear here in a moment."


def _id(value: object) -> str:
    """A gap key or draft id from a button value; anything else is refused clearly."""
    if not isinstance(value, str) or not ID.fullmatch(value):
        raise InvalidInput("That button is not one Fixloop made, or it is damaged.")
    return value


def _knowledge(knowledge: KnowledgeDesk | None) -> KnowledgeDesk:
    if knowledge is None:
        raise InvalidInput(NOT_SET_UP)
    return knowledge


def gaps_blocks(gaps: Sequence[Gap], limit: int = 5) -> list[dict[str, Any]]:
    """Per surface, the biggest gaps with their volume, owner and a *Draft article* button."""
    if not gaps:
        return [blocks.section("No knowledge gaps: every group of solved tickets had an article.")]
    out: list[dict[str, Any]] = [blocks.section("*Knowledge gaps*: tickets people solved without an article")]
    for surface in sorted({g.surface for g in gaps}):
        out.append(blocks.context(f"{esc(surface)} queue"))
        for g in [g for g in gaps if g.surface == surface][:limit]:
            owner = f" | owner {esc(g.owner)}" if g.owner else ""
            line = (f"*{esc(g.title)}*\n{g.tickets} tickets, impact {g.impact:,.0f}{owner}\n"
                    f"e.g. {esc(', '.join(g.evidence))}")
            button = {"type": "button", "text": {"type": "plain_text", "text": "Draft article"},
                      "action_id": GAP_DRAFT, "value": g.key}
            out.append(blocks.section(line, accessory=button))
    return out


def draft_blocks(draft: Draft) -> list[dict[str, Any]]:
    """The draft as the owner reviews it, every line escaped, with Publish / Edit / Discard."""
    symptoms = "\n".join(f"• {esc(s)}" for s in draft.symptoms) or "_none recorded_"
    steps = "\n".join(f"{i}. {esc(s)}" for i, s in enumerate(draft.steps, 1)) or "_no agent reply had steps_"
    text = (f"*Draft article: {esc(draft.title)}*\n*Problem:* {esc(draft.problem)}\n*Symptoms:*\n{symptoms}\n"
            + (f"*Cause:* {esc(draft.cause)}\n" if draft.cause else "")
            + f"*Steps that fixed it:*\n{steps}\n*Owner:* {esc(draft.owner or '-')}")
    buttons = [{"type": "button", "text": {"type": "plain_text", "text": label}, "action_id": action,
                "value": draft.id, **({"style": style} if style else {})}
               for label, action, style in (("Publish", PUBLISH, "primary"), ("Edit", EDIT, None),
                                            ("Discard", DISCARD, "danger"))]
    return [blocks.section(text), blocks.context(f"From tickets {esc(', '.join(draft.ticket_ids))}"),
            {"type": "actions", "block_id": "fixloop.actions", "elements": buttons}]


async def on_gaps_command(command: Body, respond: AsyncRespond, knowledge: KnowledgeDesk | None) -> None:
    """`/fixloop gaps`: the knowledge owners' view, privately."""
    gaps = await _knowledge(knowledge).gaps(command["user_id"], PLATFORM)
    await respond(blocks=gaps_blocks(gaps), text=f"{len(gaps)} knowledge gaps", response_type="ephemeral")


async def on_draft(ack: AsyncAck, body: Body, action: Body, respond: AsyncRespond,
                   knowledge: KnowledgeDesk | None, claims: HeldClaims | None = None) -> None:
    """*Draft article*: the gap's open draft (made once, however many click at once), posted for review."""
    await ack()
    k, who, gap = _knowledge(knowledge), actor(body), _id(action.get("value"))
    k.require_owner(who, PLATFORM)
    async with held(claims, f"gap:{gap}", "gap.draft") as first:
        draft = await k.draft(gap, who, PLATFORM) if first else None
    if draft is None:
        await respond(text=DRAFTING, response_type="ephemeral", replace_original=False)
        return
    await respond(blocks=draft_blocks(draft), text=f"Draft article: {esc(draft.title)}",
                  replace_original=False, response_type="in_channel")


async def on_decide(ack: AsyncAck, body: Body, action: Body, respond: AsyncRespond,
                    knowledge: KnowledgeDesk | None, claims: Claims | None = None) -> None:
    """*Publish* / *Discard*: decided once, whoever clicks again or wherever the click is replayed."""
    await ack()
    k, who, draft_id = _knowledge(knowledge), actor(body), _id(action.get("value"))
    k.require_owner(who, PLATFORM)
    verb = "publish" if action.get("action_id") == PUBLISH else "discard"
    async with once(claims, clicked(body, draft_id), "draft.decide") as first:
        decision = await k.decide(draft_id, verb, who, PLATFORM) if first else None
    if decision is None or not decision.changed:
        await respond(text=ALREADY_CLICKED, response_type="ephemeral", replace_original=False)
        return
    d = decision.draft
    note = (f"<@{who}> published *{esc(d.title)}* as {esc(d.article_key)}: suggestions use it now."
            if verb == "publish" else f"<@{who}> discarded this draft.")
    old = (body.get("message") or {}).get("blocks") or draft_blocks(d)
    await respond(replace_original=True, blocks=blocks.done(old, note), text=note)


async def on_edit(ack: AsyncAck, body: Body, action: Body, client: AsyncWebClient,
                  knowledge: KnowledgeDesk | None) -> None:
    """*Edit*: a form with the draft's title, problem and steps (one per line)."""
    await ack()
    k, who, draft_id = _knowledge(knowledge), actor(body), _id(action.get("value"))
    k.require_owner(who, PLATFORM)
    draft = await k.drafts.get(draft_id)
    if draft is None:
        raise InvalidInput(f"No draft {draft_id}.")
    channel = (body.get("channel") or {}).get("id")
    inputs = [text_input(Input.TITLE, "Title", draft.title, max_length=120),
              text_input(Input.WHAT_HAPPENED, "Problem", draft.problem, multiline=True),
              text_input(Input.WHAT_CHANGES_NEXT, "Steps, one per line", "\n".join(draft.steps),
                         multiline=True)]
    view = modal(View.ROOT_CAUSE, "Edit draft", inputs, Ref(draft_id, channel=channel), "Save")
    await client.views_open(trigger_id=body["trigger_id"], view={**view, "callback_id": EDIT_VIEW})


async def on_edit_submit(ack: AsyncAck, body: Body, view: Body, client: AsyncWebClient,
                         knowledge: KnowledgeDesk | None) -> None:
    """The edited draft is saved and shown again for Publish or Discard."""
    meta = Ref.decode(view.get("private_metadata"))
    values = (view.get("state") or {}).get("values") or {}

    def field(block: str) -> str:
        return str(((values.get(block) or {}).get(block) or {}).get("value") or "")

    await ack()
    draft = await _knowledge(knowledge).edit(
        _id(meta.ticket), actor(body), PLATFORM, title=field(Input.TITLE), problem=field(Input.WHAT_HAPPENED),
        steps=field(Input.WHAT_CHANGES_NEXT).splitlines())
    if meta.channel:
        await client.chat_postMessage(channel=meta.channel, blocks=draft_blocks(draft),
                                      text=f"Draft article: {esc(draft.title)}")
