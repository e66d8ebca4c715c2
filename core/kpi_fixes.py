"""The fix KPIs of DESIGN.md ("Fixes in the owner's tracker"): time to fix, fix hold rate, requesters told."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from core.causes import Cause
from core.periods import Period
from core.stats import median, p90, ratio
from core.tickets import Ticket

HOLD_PERIODS = 4  # fix_hold_rate looks at fixes shipped in the four periods before P
ByCause = Mapping[str, Sequence[Ticket]]
FIX_KPI_KEYS = ("time_to_fix_hours", "fix_hold_rate", "requesters_told_of_fix")


def fix_figures(
    tickets: Sequence[Ticket], by_cause: ByCause, causes: Mapping[str, Cause], p: Period
) -> dict[str, Any]:
    """The three fix KPIs for one scope (its tickets, grouped by cause)."""
    hours = _fix_hours(by_cause, causes, p)
    return {
        "time_to_fix_hours": {"median": median(hours), "p90": p90(hours)},
        "fix_hold_rate": _hold_rate(by_cause, causes, p),
        "requesters_told_of_fix": sum(1 for t in tickets if p.contains(t.fix_notified_at)),
    }


def _fix_hours(by_cause: ByCause, causes: Mapping[str, Cause], p: Period) -> list[float]:
    """fix_shipped_at - the cause's earliest ticket in scope, over causes whose fix shipped in P."""
    values = []
    for key, own in by_cause.items():
        shipped = causes[key].fix_shipped_at if key in causes else None
        if shipped is not None and p.contains(shipped):
            values.append((shipped - min(t.created_at for t in own)).total_seconds() / 3600)
    return values


def baseline(own: Sequence[Ticket], shipped: datetime, length: timedelta) -> float:
    """B: the mean tickets per period over the four periods before the fix shipped."""
    return sum(1 for t in own if shipped - HOLD_PERIODS * length <= t.created_at < shipped) / HOLD_PERIODS


def _hold_rate(by_cause: ByCause, causes: Mapping[str, Cause], p: Period) -> float | None:
    """Of causes fixed in [start - 4L, start) with B > 0, the share whose A (tickets in P) is <= B / 2."""
    held = counted = 0
    for key, own in by_cause.items():
        shipped = causes[key].fix_shipped_at if key in causes else None
        if shipped is None or not p.start - HOLD_PERIODS * p.length <= shipped < p.start:
            continue
        b = baseline(own, shipped, p.length)
        if b > 0:
            counted += 1
            held += sum(1 for t in own if p.contains(t.created_at)) <= b / 2
    return ratio(held, counted)
