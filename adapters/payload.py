"""Reading platform payloads defensively: a missing key is None, a wrong type or an oversize id is refused.

Slack and the Bot Framework send well-formed JSON, but a payload is still input: a key can be missing,
null, a number where text belongs, or a megabyte long. These readers turn each of those into either
"not there" or an InvalidInput whose message the person who acted can read.
"""

from __future__ import annotations

import json
from typing import Any

from core.errors import InvalidInput
from core.limits import MAX_ID, check_size

DAMAGED = "This request is damaged: {what}. Try again; if it keeps happening, tell your Fixloop admin."


def mapping(data: Any, key: str) -> dict[str, Any]:
    """The object under `key`; {} when it is missing or null."""
    value = data.get(key) if isinstance(data, dict) else None
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InvalidInput(DAMAGED.format(what=f"its {key!r} is not an object"))
    return value


def text(data: Any, key: str, limit: int | None = MAX_ID) -> str | None:
    """The string under `key`, or None when it is missing, null or empty; refused when too long."""
    value = data.get(key) if isinstance(data, dict) else None
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise InvalidInput(DAMAGED.format(what=f"its {key!r} is not text"))
    return check_size(value, limit, key) if limit is not None else value


def need(data: Any, key: str, limit: int | None = MAX_ID) -> str:
    """The string under `key`, which the request cannot do without."""
    value = text(data, key, limit)
    if value is None:
        raise InvalidInput(DAMAGED.format(what=f"it has no {key!r}"))
    return value


MAX_DEPTH = 32  # Slack's and the Bot Framework's bodies nest about ten levels; deeper is not theirs


class BadShape(ValueError):
    """A request body that is not what its platform sends; the message says why (answered 400)."""


def json_object(raw: bytes | str, what: str = "the body") -> dict[str, Any]:
    """Decode a JSON object, refusing what is not JSON, not an object, or nested deeper than MAX_DEPTH."""
    try:
        value = json.loads(raw)
    except (ValueError, RecursionError) as exc:  # the C decoder raises RecursionError on deep nesting
        raise BadShape(f"{what} is not valid JSON") from exc
    if not isinstance(value, dict):
        raise BadShape(f"{what} is not a JSON object")
    if _depth(value) > MAX_DEPTH:
        raise BadShape(f"{what} nests deeper than {MAX_DEPTH} levels")
    return value


def _depth(value: Any, level: int = 0) -> int:
    """How deep a decoded value nests (stops counting past MAX_DEPTH)."""
    if level > MAX_DEPTH or not isinstance(value, dict | list):
        return level
    children = value.values() if isinstance(value, dict) else value
    return max((_depth(child, level + 1) for child in children), default=level)
