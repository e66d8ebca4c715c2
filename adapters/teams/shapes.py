"""The shape of a Bot Framework activity, checked at the edge before botbuilder deserializes it.

msrest's deserializer takes a list where text belongs and makes it a string (a ticket titled
"['a', 'b']"), and a body nested thousands deep raises before anything can answer. So the fields
Fixloop reads are checked here and anything else is refused with the reason.
"""

from __future__ import annotations

from typing import Any

from adapters.payload import BadShape, json_object

__all__ = ["BadShape", "check", "parse"]


_TEXT = ("type", "id", "text", "textFormat", "serviceUrl", "channelId", "replyToId", "name", "locale")
_OBJECTS = ("from", "recipient", "conversation", "channelData")
_LISTS_OF_OBJECTS = ("entities", "attachments", "membersAdded", "membersRemoved")


def parse(raw: bytes) -> dict[str, Any]:
    """The activity as a dict; BadShape when it is not a JSON object or a field has the wrong type."""
    return check(json_object(raw))


def check(body: dict[str, Any]) -> dict[str, Any]:
    """The activity itself when the fields Fixloop reads have the types the Bot Framework documents."""
    if not isinstance(body.get("type"), str) or not body["type"]:
        raise BadShape("the activity has no type")
    for name in _TEXT:
        if body.get(name) is not None and not isinstance(body[name], str):
            raise BadShape(f"the activity's {name!r} is not text")
    for name in _OBJECTS:
        if body.get(name) is not None and not isinstance(body[name], dict):
            raise BadShape(f"the activity's {name!r} is not an object")
    for name in _LISTS_OF_OBJECTS:
        value = body.get(name)
        if value is not None and not (isinstance(value, list) and all(isinstance(v, dict) for v in value)):
            raise BadShape(f"the activity's {name!r} is not a list of objects")
    return body
