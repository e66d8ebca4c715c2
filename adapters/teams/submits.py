"""Card submits: the Fixloop action a Teams message carries, with its ids and inputs, checked and bounded."""

from __future__ import annotations

from dataclasses import dataclass, field

from botbuilder.schema import Activity

from adapters.payload import text
from adapters.teams.ids import ACTION_KEY, Action
from core.errors import InvalidInput
from core.limits import MAX_CARD_FIELDS, MAX_FIELD, MAX_ID, check_size


@dataclass(frozen=True)
class Submit:
    """An Action.Submit from a Fixloop card: its action, the ids it carries, and the inputs."""

    action: Action
    ticket: str = ""
    article: str | None = None
    escalation: str | None = None
    score: int | None = None
    values: dict[str, str] = field(default_factory=dict)


def submit_of(activity: Activity) -> Submit | None:
    """The Fixloop card action a message carries, or None when it carries none."""
    value = activity.value if isinstance(activity.value, dict) else None
    if not value or ACTION_KEY not in value:
        return None
    try:
        action = Action(str(value[ACTION_KEY]))
        score = _score(value.get("score"))
    except (ValueError, TypeError, OverflowError) as exc:
        raise InvalidInput(DAMAGED) from exc
    return Submit(
        action=action,
        ticket=text(value, "ticket") or "",
        article=text(value, "article"),
        escalation=text(value, "escalation"),
        score=score,
        values=_inputs(value),
    )


DAMAGED = (
    "That button or form is not one Fixloop made, or it is damaged. "
    "Type `ticket` to find your tickets and try again."
)
KNOWN = {"ticket", "article", "escalation", "score", ACTION_KEY}


def _score(value: object) -> int | None:
    """A CSAT score as the card sends it: a whole number, or its digits as text."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise TypeError("score")
    return int(value)  # int() refuses digit strings over 4,300 long by itself


def _inputs(value: dict[str, object]) -> dict[str, str]:
    """A card's inputs: at most MAX_CARD_FIELDS, each text (a toggle's true/false too) within MAX_FIELD."""
    inputs = {k: v for k, v in value.items() if k not in KNOWN and v is not None}
    if len(inputs) > MAX_CARD_FIELDS:
        raise InvalidInput(f"The form sent {len(inputs)} fields; the limit is {MAX_CARD_FIELDS}.")
    out = {}
    for key, item in inputs.items():
        if isinstance(item, bool):
            item = "true" if item else "false"
        if not isinstance(item, str | int | float):
            raise InvalidInput(DAMAGED)
        name = check_size(str(key), MAX_ID, "field name")
        out[name] = check_size(str(item).strip(), MAX_FIELD, f"field {key!r}")
    return out
