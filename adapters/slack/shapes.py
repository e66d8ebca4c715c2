"""The shape of a Slack request body, checked at the edge (after the signature, before Bolt sees it).

Slack sends JSON for the Events API and a form for interactivity (a `payload` field holding JSON) and
slash commands. Anything else, or the right encoding with the wrong shape, is refused with the reason,
so no listener ever meets a body it cannot read.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from adapters.payload import BadShape, json_object

__all__ = ["BadShape", "check", "parse"]


def parse(raw: bytes, content_type: str) -> dict[str, Any]:
    """The request as a dict (a form's JSON `payload` decoded in place); BadShape when it cannot be."""
    try:
        text = raw.decode()
    except UnicodeDecodeError as exc:
        raise BadShape("the body is not UTF-8") from exc
    if content_type.startswith("application/json"):
        return check(json_object(text, "the body"))
    form = dict(parse_qsl(text, keep_blank_values=True))
    if form.get("ssl_check"):
        return form  # Slack checking the certificate of a slash command's URL: Bolt answers it
    if "payload" in form:
        return check(json_object(form["payload"], "the payload field"))
    if not isinstance(form.get("command"), str) or not form["command"]:
        raise BadShape("the form is neither an interaction payload nor a slash command")
    return form


def check(body: dict[str, Any]) -> dict[str, Any]:
    """The body itself when its kind has the fields Fixloop reads, with the right types; else BadShape."""
    kind = body.get("type")
    if not isinstance(kind, str):
        raise BadShape("it has no 'type'")
    for name, need in _NEEDS.get(kind, ()):
        if not isinstance(body.get(name), need):
            raise BadShape(f"its {name!r} is not {_NAMES[need]}")
    if kind == "event_callback":
        _event(body)
    if kind == "block_actions":
        _actions(body["actions"])
    if kind.startswith("view_") and not isinstance(body["view"].get("callback_id"), str):
        raise BadShape("its view has no 'callback_id'")
    return body


def _event(body: dict[str, Any]) -> None:
    if not isinstance(body["event"].get("type"), str):
        raise BadShape("its event has no 'type'")
    authorizations = body.get("authorizations", [])
    if not isinstance(authorizations, list) or not all(isinstance(a, dict) for a in authorizations):
        raise BadShape("its 'authorizations' is not a list of objects")


def _actions(actions: list[Any]) -> None:
    if not actions or not all(isinstance(a, dict) and isinstance(a.get("action_id"), str) for a in actions):
        raise BadShape("its 'actions' is not a list of actions with an action_id")


_NAMES: dict[type, str] = {str: "text", dict: "an object", list: "a list"}
_NEEDS: dict[str, tuple[tuple[str, type], ...]] = {
    "url_verification": (("challenge", str),),
    "event_callback": (("event_id", str), ("event", dict)),
    "block_actions": (("actions", list), ("user", dict)),
    "view_submission": (("view", dict), ("user", dict)),
    "view_closed": (("view", dict), ("user", dict)),
    "message_action": (("callback_id", str), ("user", dict), ("message", dict), ("channel", dict)),
    "shortcut": (("callback_id", str), ("user", dict)),
}
