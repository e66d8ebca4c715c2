"""Pure functions building the modals: escalate, root cause, link fix, and the ticket review."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from adapters.slack.blocks import esc, section
from adapters.slack.forms import Ref
from adapters.slack.ids import Input, View
from core.coaching import TEMPLATE
from core.limits import MAX_FIELD, MAX_TITLE, MAX_URL
from core.org import Team

Modal = dict[str, Any]


def _text(label: str) -> dict[str, str]:
    return {"type": "plain_text", "text": label}


def text_input(
    block: Input,
    label: str,
    initial: str = "",
    *,
    multiline: bool = False,
    optional: bool = False,
    max_length: int = MAX_FIELD,
) -> dict[str, Any]:
    """A plain-text input whose block id and action id are both `block`."""
    element: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": block,
        "multiline": multiline,
        "max_length": max_length,
    }
    if initial:
        element["initial_value"] = initial[:max_length]
    return {
        "type": "input",
        "block_id": block,
        "label": _text(label),
        "element": element,
        "optional": optional,
    }


def modal(view: View, title: str, blocks: list[dict[str, Any]], meta: Ref, submit: str) -> Modal:
    """A modal carrying its Ref in private_metadata."""
    return {
        "type": "modal",
        "callback_id": view,
        "title": _text(title[:24]),
        "submit": _text(submit),
        "close": _text("Cancel"),
        "private_metadata": meta.encode(),
        "blocks": blocks,
    }


def escalate(meta: Ref, teams: Sequence[Team], team: str | None, why: str, reason: str) -> Modal:
    """The escalation form, pre-filled with the owner of the likely cause and the reason."""
    options = [{"text": _text(f"{t.name} ({t.key})"[:75]), "value": t.key} for t in teams[:100]]
    select: dict[str, Any] = {"type": "static_select", "action_id": Input.TEAM, "options": options}
    chosen = next((o for o in options if o["value"] == team), None)
    if chosen:
        select["initial_option"] = chosen
    blocks = [
        section(f"Escalate *{meta.ticket}* to the team that owns the fix.\n_Suggested: {esc(why)}_"),
        {"type": "input", "block_id": Input.TEAM, "label": _text("Owning team"), "element": select},
        text_input(Input.REASON, "Reason", reason, multiline=True, optional=True),
    ]
    return modal(View.ESCALATE, "Escalate", blocks, meta, "Escalate")


def root_cause(meta: Ref) -> Modal:
    """The owner records what the root cause is."""
    blocks = [
        text_input(Input.ROOT_CAUSE, "What is the root cause?", multiline=True),
        text_input(Input.TITLE, "Short name of the cause", optional=True, max_length=MAX_TITLE),
    ]
    return modal(View.ROOT_CAUSE, "Record root cause", blocks, meta, "Save")


def link_fix(meta: Ref) -> Modal:
    """The owner links the Jira, GitHub or Linear change that fixes the cause."""
    blocks = [text_input(Input.FIX_URL, "Link to the fix (Jira, GitHub, Linear)", max_length=MAX_URL)]
    return modal(View.LINK_FIX, "Link fix", blocks, meta, "Save")


def review(meta: Ref, ticket_id: str, hint: str) -> Modal:
    """The four-part ticket review."""
    parts = (Input.WHAT_HAPPENED, Input.WHY_IT_MATTERED, Input.WHAT_GOOD_LOOKS_LIKE, Input.WHAT_CHANGES_NEXT)
    send = {
        "type": "checkboxes",
        "action_id": Input.SEND_TO_AGENT,
        "options": [{"text": _text("Send this review to the agent"), "value": "send"}],
    }
    blocks = [
        section(esc(hint) or "Review one ticket with the four-part template."),
        text_input(Input.TICKET, "Ticket", ticket_id, max_length=20),
        *[text_input(block, label, multiline=True) for block, label in zip(parts, TEMPLATE, strict=True)],
        {
            "type": "input",
            "block_id": Input.SEND_TO_AGENT,
            "label": _text("Share"),
            "element": send,
            "optional": True,
        },
    ]
    return modal(View.REVIEW, "Ticket review", blocks, meta, "Save review")
