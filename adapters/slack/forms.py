"""Pure functions from Slack commands, buttons and modals to ids and core commands; no I/O."""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from typing import Any

from adapters.slack.ids import Input
from core.errors import InvalidInput
from core.messages import Escalate, RecordReview

TICKET_ID = re.compile(r"FX-[A-Z0-9]{6}", re.IGNORECASE)
MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")


@dataclass(frozen=True)
class Ref:
    """The ids a button value or a modal's private_metadata carries, and nothing else."""

    ticket: str = ""
    article: str | None = None
    escalation: str | None = None
    score: int | None = None
    channel: str | None = None
    ts: str | None = None
    review: str | None = None

    def encode(self) -> str:
        """Compact JSON, well under Slack's 2,000-character value limit."""
        return json.dumps(
            {k: v for k, v in asdict(self).items() if v not in (None, "")}, separators=(",", ":")
        )

    @classmethod
    def decode(cls, value: str | None) -> Ref:
        """Parse a value made by encode; anything else is refused with a clear message."""
        try:
            data = json.loads(value or "")
            return cls(**data)
        except (ValueError, TypeError) as exc:
            raise InvalidInput(
                "That button or form is not one Fixloop made, or it is damaged. "
                "Use /ticket to find the ticket and try again."
            ) from exc


def actor(body: dict[str, Any]) -> str:
    """The Slack user id of whoever sent an interaction or command."""
    user = body.get("user") or {}
    who = user.get("id") if isinstance(user, dict) else user
    who = who or body.get("user_id")
    if not who:
        raise InvalidInput("This request does not say who sent it, so Fixloop cannot act on it.")
    return str(who)


def escalate_args(text: str, team_keys: list[str]) -> tuple[str | None, str | None, str]:
    """`/escalate [TICKET] [team] [reason]`: the ticket id anywhere, the team first, the rest the reason."""
    ticket, team, rest = None, None, []
    keys = {k.lower(): k for k in team_keys}
    for word in text.split():
        if ticket is None and TICKET_ID.fullmatch(word):
            ticket = word.upper()
        elif team is None and not rest and word.lower() in keys:
            team = keys[word.lower()]
        else:
            rest.append(word)
    return ticket, team, " ".join(rest)


def ticket_id_in(text: str) -> str | None:
    """The first ticket id in a command's text."""
    found = TICKET_ID.search(text or "")
    return found.group(0).upper() if found else None


def mentioned_user(text: str) -> str | None:
    """The first <@U...> user mention in a command's text."""
    found = MENTION.search(text or "")
    return found.group(1) if found else None


def view_values(view: dict[str, Any]) -> dict[str, str]:
    """Flatten a submitted modal's state to {block_id: value}."""
    out: dict[str, str] = {}
    for block_id, actions in ((view.get("state") or {}).get("values") or {}).items():
        for element in actions.values():
            value = element.get("value") or (element.get("selected_option") or {}).get("value")
            if element.get("type") == "checkboxes":
                value = "true" if element.get("selected_options") else ""
            out[block_id] = (value or "").strip()
    return out


def _ticket(view: dict[str, Any], values: dict[str, str]) -> tuple[Ref, str]:
    meta = Ref.decode(view.get("private_metadata") or "{}")
    ticket = values.get(Input.TICKET) or meta.ticket
    if not ticket:
        raise InvalidInput("Say which ticket: its id looks like FX-AB12CD.")
    return meta, ticket.upper()


def escalation_from_view(view: dict[str, Any], user: str) -> Escalate:
    """The /escalate modal's answers as an Escalate command."""
    values = view_values(view)
    _, ticket = _ticket(view, values)
    return Escalate(
        ticket_id=ticket, agent=user, team=values.get(Input.TEAM) or None, reason=values.get(Input.REASON, "")
    )


def review_from_view(view: dict[str, Any], user: str) -> RecordReview:
    """The /review modal's four parts as a RecordReview command."""
    values = view_values(view)
    _, ticket = _ticket(view, values)
    return RecordReview(
        ticket_id=ticket,
        manager=user,
        what_happened=values.get(Input.WHAT_HAPPENED, ""),
        why_it_mattered=values.get(Input.WHY_IT_MATTERED, ""),
        what_good_looks_like=values.get(Input.WHAT_GOOD_LOOKS_LIKE, ""),
        what_changes_next=values.get(Input.WHAT_CHANGES_NEXT, ""),
        send_to_agent=values.get(Input.SEND_TO_AGENT) == "true",
    )


def owner_form(view: dict[str, Any]) -> tuple[Ref, str, dict[str, str]]:
    """The escalation post a root-cause or fix form belongs to, its ticket, and its values."""
    values = view_values(view)
    meta, ticket = _ticket(view, values)
    return meta, ticket, values
