"""A Notice to and from JSON, so it can wait in the outbox table (bytes such as a chart PNG as base64)."""

from __future__ import annotations

import base64
from datetime import date, datetime
from typing import Any

from core.ports import Notice

BYTES = "__bytes_b64__"


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes | bytearray):
        return {BYTES: base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _restore(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {BYTES}:
            return base64.b64decode(value[BYTES])
        return {k: _restore(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_restore(v) for v in value]
    return value


def encode(notice: Notice) -> dict[str, Any]:
    """The notice as JSON-ready data."""
    return {
        "kind": notice.kind,
        "to": notice.to,
        "text": notice.text,
        "ticket_id": notice.ticket_id,
        "data": _plain(notice.data),
        "key": notice.key,
    }


def decode(payload: dict[str, Any]) -> Notice:
    """The notice back from encode()."""
    return Notice(
        kind=str(payload["kind"]),
        to=str(payload["to"]),
        text=str(payload.get("text", "")),
        ticket_id=payload.get("ticket_id"),
        data=_restore(payload.get("data") or {}),
        key=payload.get("key"),
    )
