"""Block Kit of the triage post's priority picker: pure, so blocks.py and the listener both use it."""

from __future__ import annotations

import copy
from typing import Any

from adapters.slack.ids import Action
from core.tickets import Priority, Ticket


def option(ticket_id: str, priority: Priority) -> dict[str, Any]:
    """One choice of the picker."""
    return {
        "text": {"type": "plain_text", "text": f"{priority.value.capitalize()} priority"},
        "value": f"{ticket_id}:{priority.value}",
    }


def picker(ticket: Ticket) -> dict[str, Any]:
    """The select in the triage post's actions row, showing the ticket's priority."""
    return {
        "type": "static_select",
        "action_id": Action.PRIORITY,
        "placeholder": {"type": "plain_text", "text": "Priority"},
        "options": [option(ticket.id, p) for p in Priority],
        "initial_option": option(ticket.id, ticket.priority),
    }


def with_priority(old: list[dict[str, Any]], ticket: Ticket) -> list[dict[str, Any]]:
    """The post's blocks with the picker showing the ticket's priority now."""
    out = copy.deepcopy(old)
    for block in out:
        for element in block.get("elements", []) if block.get("type") == "actions" else []:
            if element.get("action_id") == Action.PRIORITY:
                element["initial_option"] = option(ticket.id, ticket.priority)
    return out
