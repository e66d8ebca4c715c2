"""Reporting periods: half-open ranges of time, the last full week in a zone, and CLI dates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from core.errors import InvalidInput


@dataclass(frozen=True)
class Period:
    """A half-open time range [start, end)."""

    start: datetime
    end: datetime

    @property
    def length(self) -> timedelta:
        """L = end - start."""
        return self.end - self.start

    def shifted(self, k: int) -> Period:
        """The k-th period before this one: [start - kL, end - kL)."""
        step = self.length * k
        return Period(self.start - step, self.end - step)

    def contains(self, at: datetime | None) -> bool:
        """Whether a timestamp falls in the period (an empty timestamp never does)."""
        return at is not None and self.start <= at < self.end


def _zone(tz: str) -> ZoneInfo:
    """The IANA time zone, or InvalidInput naming it."""
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidInput(f"Unknown time zone {tz!r}: use an IANA name such as 'Europe/Berlin'.") from exc


def _local_midnight(day: datetime, zone: ZoneInfo) -> datetime:
    """00:00 of a local calendar day, as UTC."""
    return datetime.combine(day.date(), time(), tzinfo=zone).astimezone(UTC)


def last_full_week(now: datetime, tz: str) -> Period:
    """The last complete Monday-to-Monday week in the zone; 167 or 169 hours across a DST change."""
    zone = _zone(tz)
    # A naive "now" is taken as UTC, like the Clock port's.
    local = (now if now.tzinfo else now.replace(tzinfo=UTC)).astimezone(zone)
    this_monday = local - timedelta(days=local.weekday())
    # Each bound is a local Monday converted on its own, so a DST change inside the week shows in L.
    return Period(_local_midnight(this_monday - timedelta(days=7), zone), _local_midnight(this_monday, zone))


def _parse_instant(text: str, zone: ZoneInfo, name: str) -> datetime:
    """An ISO 8601 date or date-time as UTC; a bare date, or a time without offset, is local to zone."""
    try:
        parsed = datetime.fromisoformat(text.strip())
    except ValueError as exc:
        raise InvalidInput(
            f"The {name} date {text!r} is not ISO 8601: write e.g. 2026-03-02 or 2026-03-02T09:00:00Z."
        ) from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone)
    return parsed.astimezone(UTC)


def parse_period(from_: str | None, to: str | None, now: datetime, tz: str) -> Period:
    """The period asked for; neither bound means the last full week."""
    if not from_ and not to:
        return last_full_week(now, tz)
    if not from_ or not to:
        raise InvalidInput("Give both a from and a to date, or neither for the last full week.")
    zone = _zone(tz)
    start, end = _parse_instant(from_, zone, "from"), _parse_instant(to, zone, "to")
    if start >= end:
        raise InvalidInput(f"The from date ({from_}) must be before the to date ({to}).")
    return Period(start, end)


def parse_instant(text: str, tz: str, name: str = "since") -> datetime:
    """An ISO 8601 date or date-time typed by a user, as UTC; a bare date means 00:00 in `tz`."""
    return _parse_instant(text, _zone(tz), name)
