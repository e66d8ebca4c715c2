"""When scheduled jobs are due and what each run covers: weekly fire times, SLA nudges, review follow-ups."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from core.coaching import Review
from core.periods import Period, last_full_week
from core.tickets import Status, Ticket

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# Tickets waiting on a person; SUGGESTED waits on the requester, so no SLA nudge for it.
WAITING = (Status.NEW, Status.NEEDS_HUMAN, Status.IN_PROGRESS, Status.ESCALATED)


@dataclass(frozen=True)
class Run:
    """One run of a job: the claim row is unique on (job, period_start)."""

    job: str
    period_start: datetime


@dataclass(frozen=True)
class Weekly:
    """A weekly fire time: a day and HH:MM in an IANA time zone."""

    day: str
    at: str
    timezone: str

    def last_fire(self, now: datetime) -> datetime:
        """The most recent fire time at or before now, as UTC (local wall time, so DST is followed)."""
        zone = ZoneInfo(self.timezone)
        local = now.astimezone(zone)
        hour, minute = (int(x) for x in self.at.split(":"))
        back = (local.weekday() - DAYS.index(self.day)) % 7
        for days in (back, back + 7):
            day = (local - timedelta(days=days)).date()
            fire = datetime.combine(day, time(hour, minute), tzinfo=zone).astimezone(UTC)
            if fire <= now:
                return fire
        raise AssertionError("unreachable: a fire time 7 days earlier is always in the past")


@dataclass(frozen=True)
class JobPolicy:
    """How long a claim holds, how late a missed run still goes out, how close to SLA is "near"."""

    lease: timedelta = timedelta(minutes=10)
    catch_up: timedelta = timedelta(days=1)
    near_sla_share: float = 0.8
    follow_up_window: timedelta = timedelta(days=7)


def due_week(weekly: Weekly, now: datetime, policy: JobPolicy) -> Period | None:
    """The week a weekly job should cover now, or None when its last fire is too old to catch up."""
    fire = weekly.last_fire(now)
    if now - fire > policy.catch_up:
        return None
    return last_full_week(fire, weekly.timezone)


def near_sla(
    tickets: Iterable[Ticket], now: datetime, sla_hours: Callable[[str], float], share: float
) -> list[tuple[Ticket, datetime]]:
    """Waiting tickets past `share` of their SLA target but not yet over it, with their due time."""
    out = []
    for t in tickets:
        if t.status not in WAITING or t.resolution_due_at is not None:  # its SLA clocks: core/sla_watch.py
            continue
        due = t.created_at + timedelta(hours=sla_hours(str(t.priority)))
        if t.created_at + (due - t.created_at) * share <= now < due:
            out.append((t, due))
    return sorted(out, key=lambda pair: (pair[1], pair[0].id))


def nudge_run(ticket: Ticket) -> Run:
    """The claim of a ticket's one SLA nudge: a ticket is nudged once, whichever replica ticks."""
    return Run(f"sla_nudge:{ticket.id}", ticket.created_at)


def due_follow_ups(reviews: Iterable[Review], now: datetime, policy: JobPolicy) -> list[Review]:
    """Reviews whose follow-up time has come, within the window (older ones are not chased)."""
    return [
        r
        for r in reviews
        if r.follow_up_at is not None and r.follow_up_at <= now < r.follow_up_at + policy.follow_up_window
    ]


def follow_up_run(review: Review) -> Run:
    """The claim of a review's one follow-up prompt."""
    assert review.follow_up_at is not None
    return Run(f"review_follow_up:{review.id}", review.follow_up_at)


def parse_every(text: str, default: timedelta = timedelta(minutes=15)) -> timedelta:
    """ "every 15 min" / "every 2 h" from fixloop.toml as a timedelta; anything else is the default."""
    parts = text.lower().replace("every", "").split()
    if len(parts) != 2 or not parts[0].isdigit() or int(parts[0]) == 0:
        return default
    units = {"min": 60, "mins": 60, "minutes": 60, "m": 60, "h": 3600, "hour": 3600, "hours": 3600}
    seconds = units.get(parts[1])
    return timedelta(seconds=int(parts[0]) * seconds) if seconds else default
