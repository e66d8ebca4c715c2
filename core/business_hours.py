"""Business hours: a team's working days, opening hours and holidays in its time zone, and clock maths.

SLA clocks count only business time where a team has hours configured: a target of 8 hours set at 16:00 on a
Friday in a 09:00-17:00 Monday-to-Friday team falls due at 16:00 on Monday. Days are local calendar days, so
daylight saving is followed (a working day is shorter or longer in UTC, never in wall-clock time).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MAX_DAYS = 3 * 366  # a calendar with fewer open days than this in three years is refused, not looped on


class NoBusinessHours(ValueError):
    """The calendar has no open time left to count in (every day closed or a holiday)."""


@dataclass(frozen=True)
class BusinessHours:
    """Open from `opens` to `closes` (local time) on `days` (0 = Monday), except on `holidays`."""

    timezone: str = "UTC"
    days: frozenset[int] = frozenset(range(5))
    opens: time = time(9)
    closes: time = time(17)
    holidays: frozenset[date] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        if not self.opens < self.closes:
            raise ValueError(f"business hours must open before they close ({self.opens} - {self.closes})")
        if not self.days or not self.days <= set(range(7)):
            raise ValueError("business hours need at least one working day (0 = Monday .. 6 = Sunday)")

    def windows(self, start: datetime) -> Iterator[tuple[datetime, datetime]]:
        """The open intervals (UTC) from `start` on, the first one cut at `start`."""
        zone = ZoneInfo(self.timezone)
        day = start.astimezone(zone).date()
        for _ in range(MAX_DAYS):
            if day.weekday() in self.days and day not in self.holidays:
                a = datetime.combine(day, self.opens, tzinfo=zone).astimezone(UTC)
                b = datetime.combine(day, self.closes, tzinfo=zone).astimezone(UTC)
                if b > start:
                    yield max(a, start), b
            day += timedelta(days=1)
        raise NoBusinessHours(f"no business hours within {MAX_DAYS} days of {start.isoformat()}")

    def add(self, start: datetime, span: timedelta) -> datetime:
        """The moment `span` of business time after `start` has passed."""
        left = span
        if left <= timedelta(0):
            return start
        for a, b in self.windows(start):
            if b - a >= left:
                return a + left
            left -= b - a
        raise AssertionError("unreachable: windows() raises when it runs out")

    def elapsed(self, start: datetime, end: datetime) -> timedelta:
        """Business time between `start` and `end` (zero when end is not after start)."""
        total = timedelta(0)
        if end <= start:
            return total
        for a, b in self.windows(start):
            if a >= end:
                break
            total += min(b, end) - a
        return total


def add_time(calendar: BusinessHours | None, start: datetime, span: timedelta) -> datetime:
    """`start` + `span`, counting business time only when there is a calendar (else wall-clock time)."""
    return start + span if calendar is None else calendar.add(start, span)


def elapsed_time(calendar: BusinessHours | None, start: datetime, end: datetime) -> timedelta:
    """Time between two moments, counting business time only when there is a calendar."""
    if calendar is None:
        return max(timedelta(0), end - start)
    return calendar.elapsed(start, end)
