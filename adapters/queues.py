"""The inbox and outbox as the chat adapters see them: what is stored, and the ports that store it.

The SQL tables behind them live in `adapters/db`; a chat adapter imports only these types.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.exc import SQLAlchemyError

MAX_ATTEMPTS = 8  # handlings of one inbound event before it is given up (state "dead")
UNAVAILABLE = (SQLAlchemyError, OSError, TimeoutError)  # what a database that went away raises


class Accepted(enum.Enum):
    """What to do with an inbound event after it is written."""

    NEW = "new"  # first delivery: handle it
    RETRY = "retry"  # delivered before, never finished, lease expired: handle it again
    DONE = "done"  # handled before: acknowledge and drop
    BUSY = "busy"  # another handler holds it now: acknowledge; the sweeper replays it if that one dies


@dataclass(frozen=True)
class InboxEvent:
    """One stored inbound event."""

    id: int
    platform: str
    event_id: str
    payload: str
    attempts: int

    @property
    def last_attempt(self) -> bool:
        """Whether a failure now gives the event up (so the person should be told now)."""
        return self.attempts >= MAX_ATTEMPTS


@dataclass(frozen=True)
class OutboxItem:
    """One post to deliver."""

    id: str
    key: str
    destination: str
    kind: str
    payload: dict[str, Any]
    attempts: int  # deliveries tried before this one (a claim that died mid-send counts: it may have posted)
    last_error: str | None
    created_at: datetime | None = None


class Inbox(Protocol):
    """Inbound events, stored before they are acknowledged."""

    async def accept(
        self, platform: str, event_id: str, payload: str, *, queued: bool = False
    ) -> tuple[Accepted, int]: ...
    async def done(self, event_id: int) -> None: ...
    async def failed(self, event_id: int, error: str) -> bool: ...


class Outbox(Protocol):
    """Outbound posts, stored before they are delivered."""

    async def put(self, key: str, destination: str, kind: str, payload: dict[str, Any]) -> bool: ...
