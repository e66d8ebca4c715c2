"""Pure functions from Slack commands, buttons and modals to ids and core commands; no I/O."""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from typing import Any

from adapters.payload import mapping, text
from adapters.slack.ids import PLATFORM, Input
from core.errors import InvalidInput
from core.limits import MAX_BUTTON_VALUE, MAX_COMMAND, MAX_FIELD, check_size
from core.messages import Escalate, RecordReview

TICKET_ID = re.compile(r"FX-[A-Z0-9]{6}", re.IGNORECASE)
MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^<>]*)?>")  # [^<>]: linear even on "<@U1|<@U1|..."


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
    cause: str | None = None
    other: str | None = None  # the second ticket of a Link button; the incident of Resolve incident

    def encode(self) -> str:
        """Compact JSON, well under Slack's 2,000-character value limit."""
        return json.dumps(
            {k: v for k, v in asdict(self).items() if v not in (None, "")}, separators=(",", ":")
        )

    @classmethod
    def decode(cls, value: object) -> Ref:
        """Parse a value made by encode; anything else is refused with a clear message."""
        try:
            text_value = check_size(value, MAX_BUTTON_VALUE, "button value") if isinstance(value, str) else ""
            data = json.loads(text_value)
            if not isinstance(data, dict) or not set(data) <= set(cls.__dataclass_fields__):
                raise TypeError("not a Ref")
            return cls(**{k: _checked(k, v) for k, v in data.items()})
        except (ValueError, TypeError, RecursionError) as exc:
            raise InvalidInput(
                "That button or form is not one Fixloop made, or it is damaged. "
                "Use /ticket to find the ticket and try again."
            ) from exc


def _checked(key: str, value: object) -> Any:
    """A Ref field as encode writes it: the score a whole number, every other field text."""
    if key == "score":
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError("score")
    elif not isinstance(value, str):
        raise TypeError(key)
    return value


def actor(body: dict[str, Any]) -> str:
    """The Slack user id of whoever sent an interaction or command."""
    user = body.get("user")
    who = text(body, "user") if isinstance(user, str) else text(mapping(body, "user"), "id")
    who = who or text(body, "user_id")
    if not who:
        raise InvalidInput("This request does not say who sent it, so Fixloop cannot act on it.")
    return str(who)


def escalate_args(text: str, team_keys: list[str]) -> tuple[str | None, str | None, str]:
    """`/escalate [TICKET] [team] [reason]`: the ticket id anywhere, the team first, the rest the reason."""
    ticket, team, rest = None, None, list[str]()
    keys = {k.lower(): k for k in team_keys}
    for word in check_size(text, MAX_COMMAND, "command text").split():
        if ticket is None and TICKET_ID.fullmatch(word):
            ticket = word.upper()
        elif team is None and not rest and word.lower() in keys:
            team = keys[word.lower()]
        else:
            rest.append(word)
    return ticket, team, " ".join(rest)


def ticket_id_in(text: str) -> str | None:
    """The first ticket id in a command's text."""
    found = TICKET_ID.search(check_size(text or "", MAX_COMMAND, "command text"))
    return found.group(0).upper() if found else None


def mentioned_user(text: str) -> str | None:
    """The first <@U...> user mention in a command's text."""
    found = MENTION.search(check_size(text or "", MAX_COMMAND, "command text"))
    return found.group(1) if found else None


def view_values(view: dict[str, Any]) -> dict[str, str]:
    """Flatten a submitted modal's state to {block_id: value}."""
    out: dict[str, str] = {}
    blocks = mapping(mapping(view, "state"), "values")
    for block_id in blocks:
        actions = mapping(blocks, block_id)
        for name in actions:
            element = mapping(actions, name)
            value = text(element, "value", None) or text(mapping(element, "selected_option"), "value", None)
            if element.get("type") == "checkboxes":
                value = "true" if element.get("selected_options") else ""
            out[block_id] = check_size((value or "").strip(), MAX_FIELD, f"field {block_id!r}")
    return out


def _ticket(view: dict[str, Any], values: dict[str, str]) -> tuple[Ref, str]:
    meta = Ref.decode(text(view, "private_metadata", None) or "{}")
    ticket = values.get(Input.TICKET) or meta.ticket
    if not ticket:
        raise InvalidInput("Say which ticket: its id looks like FX-AB12CD.")
    return meta, ticket.upper()


def escalation_from_view(view: dict[str, Any], user: str) -> Escalate:
    """The /escalate modal's answers as an Escalate command."""
    values = view_values(view)
    _, ticket = _ticket(view, values)
    team, reason = values.get(Input.TEAM) or None, values.get(Input.REASON, "")
    return Escalate(ticket_id=ticket, agent=user, team=team, reason=reason, platform=PLATFORM)


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
        platform=PLATFORM,
    )


def owner_form(view: dict[str, Any]) -> tuple[Ref, str, dict[str, str]]:
    """The escalation post a root-cause or fix form belongs to, its ticket, and its values."""
    values = view_values(view)
    meta, ticket = _ticket(view, values)
    return meta, ticket, values
