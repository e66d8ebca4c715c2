"""Reading single cells: timestamps, enums, numbers, lists; a bad cell fails its row only."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime, tzinfo
from enum import StrEnum
from typing import TypeVar, overload

from adapters.imports.csvfile import Row, norm
from core.limits import MAX_TEXT
from core.tickets import Message, Role, Ticket


class CellError(ValueError):
    """A cell that cannot be read; its message becomes the row's error."""


E = TypeVar("E", bound=StrEnum)
T = TypeVar("T")

_SPACED_OFFSET = re.compile(r"\s+(Z|[+-]\d{2}:?\d{2})$")


def required(row: Row, column: str) -> str:
    """The value of a column the row cannot do without."""
    value = row.get(column)
    if not value:
        raise CellError(f"{column} is empty")
    return value


def parse_aware(value: str, column: str) -> datetime | None:
    """An ISO 8601 timestamp that carries its offset, in UTC; a naive one is refused."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise CellError(f"{column} is not an ISO 8601 timestamp: {value!r}") from None
    if moment.tzinfo is None:
        raise CellError(f"{column} needs a UTC offset (like 2026-03-02T09:15:00Z), got {value!r}")
    return moment.astimezone(UTC)


def parse_local(value: str, column: str, tz: tzinfo, formats: Iterable[str] = ()) -> datetime | None:
    """A help desk's timestamp; without an offset it is wall-clock time in `tz`. Returned in UTC."""
    if not value:
        return None
    moment = _try_iso(_SPACED_OFFSET.sub(r"\1", value))
    for fmt in formats:
        if moment is None:
            moment = _try_format(value, fmt)
    if moment is None:
        raise CellError(f"{column} is not a date and time this parser reads: {value!r}")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    return moment.astimezone(UTC)


def _try_iso(value: str) -> datetime | None:
    """fromisoformat, or None."""
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def _try_format(value: str, fmt: str) -> datetime | None:
    """strptime, or None."""
    try:
        return datetime.strptime(value, fmt)
    except ValueError:
        return None


def must(value: T | None, column: str) -> T:
    """A parsed value the row cannot do without."""
    if value is None:
        raise CellError(f"{column} is empty")
    return value


@overload
def parse_enum(kind: type[E], value: str, column: str) -> E | None: ...
@overload
def parse_enum(kind: type[E], value: str, column: str, default: E) -> E: ...
def parse_enum(kind: type[E], value: str, column: str, default: E | None = None) -> E | None:
    """One of an enum's values, case-insensitive; empty means the default."""
    if not value:
        return default
    try:
        return kind(value.strip().lower())
    except ValueError:
        allowed = ", ".join(m.value for m in kind)
        raise CellError(f"{column} must be one of {allowed}, not {value!r}") from None


def parse_int(value: str, column: str, *, low: int | None = None, high: int | None = None) -> int | None:
    """A whole number within bounds; empty means unknown."""
    if not value:
        return None
    try:
        number = int(value)
    except ValueError:
        raise CellError(f"{column} must be a whole number, not {value!r}") from None
    if (low is not None and number < low) or (high is not None and number > high):
        bounds = f"from {low} to {high}" if high is not None else f"at least {low}"
        raise CellError(f"{column} must be {bounds}, not {number}")
    return number


def split_list(value: str, separators: str = ";") -> list[str]:
    """The non-empty items of a list cell."""
    items = re.split("|".join(map(re.escape, separators)), value) if value else []
    return [item.strip() for item in items if item.strip()]


def check_lengths(row: Row, columns: Iterable[str]) -> None:
    """Refuse a row whose used cell is longer than a message may be: text is never silently cut."""
    if row.longest() <= MAX_TEXT:
        return  # the common case, decided without looking at columns
    used = {norm(c) for c in columns}  # an ignored column cannot fail a row
    for column, values in row.cells.items():
        if column not in used:
            continue
        longest = max((len(v) for v in values), default=0)
        if longest > MAX_TEXT:
            raise CellError(f"{column} is {longest} characters long; the limit is {MAX_TEXT}")


def record_text(ticket: Ticket) -> Ticket:
    """Log the request's text as the requester's first message, as a chat ticket would have it."""
    if ticket.text and not ticket.messages:
        ticket.messages.append(
            Message(at=ticket.created_at, role=Role.REQUESTER, author=ticket.requester, text=ticket.text)
        )
    return ticket
