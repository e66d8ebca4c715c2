"""SLA policy: first-response and resolution targets per priority and surface, business hours per team,
the priority a request gets at intake, and the deadlines a ticket carries.

A ticket's clocks start when it begins to wait on a person (the bot found no article, or the requester asked
for one): both deadlines are computed then, in the triage team's business hours for the first response and
in the owning team's (else the triage team's) for the resolution, and stored on the ticket so the KPIs and
the nudges read the deadline that applied, not one recomputed under a later configuration. A change of
priority recomputes both from the same start.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from core.business_hours import BusinessHours, add_time
from core.tickets import Priority, Ticket

if TYPE_CHECKING:
    from core.org import Org


class Target(StrEnum):
    FIRST_RESPONSE = "first_response"
    RESOLUTION = "resolution"


RANK = (Priority.LOW, Priority.NORMAL, Priority.HIGH, Priority.URGENT)
# Hours to a first response when fixloop.toml sets none: an hour for an outage, a working day for the rest.
DEFAULT_FIRST_RESPONSE = {"urgent": 1.0, "high": 4.0, "normal": 8.0, "low": 24.0}
# Words that raise a request's priority (whole words or phrases, case-insensitive, not after "not"/"no").
DEFAULT_WORDS: tuple[tuple[Priority, tuple[str, ...]], ...] = (
    (
        Priority.URGENT,
        (
            "outage",
            "down for everyone",
            "down for everybody",
            "everyone is down",
            "nobody can work",
            "no one can work",
            "production is down",
            "prod is down",
            "site is down",
            "sev1",
            "sev 1",
        ),
    ),
    (
        Priority.HIGH,
        ("urgent", "asap", "emergency", "blocked", "blocking", "cannot work", "can't work", "critical"),
    ),
)


@dataclass(frozen=True)
class SlaPolicy:
    """What [sla] and [teams.<key>.hours] in fixloop.toml say; frozen, part of the Org."""

    first_response: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_FIRST_RESPONSE))
    resolution: Mapping[str, float] = field(default_factory=dict)  # empty: the Org's sla_hours (or 72)
    surfaces: Mapping[str, Mapping[str, Mapping[str, float]]] = field(
        default_factory=dict
    )  # surface overrides
    hours: Mapping[str, BusinessHours] = field(default_factory=dict)  # team key -> its business hours
    leads: Mapping[str, str] = field(default_factory=dict)  # team key -> the lead's person key
    words: tuple[tuple[Priority, tuple[str, ...]], ...] = DEFAULT_WORDS
    tiers: Mapping[str, Priority] = field(default_factory=dict)  # requester or channel -> lowest priority
    nudge_share: float = 0.8  # a nudge goes out once this share of a target has passed


def target_hours(org: Org, target: Target, priority: Priority | str, surface: str) -> float:
    """Hours allowed for a target at a priority on a surface (business hours where the team has them)."""
    p = str(priority)
    override = org.sla.surfaces.get(surface, {}).get(str(target), {})
    if p in override:
        return float(override[p])
    if target == Target.FIRST_RESPONSE:
        return float(org.sla.first_response.get(p, DEFAULT_FIRST_RESPONSE.get(p, 8.0)))
    return float(org.sla.resolution[p]) if p in org.sla.resolution else org.sla_for(p)


def team_for(org: Org, target: Target, ticket: Ticket) -> str:
    """The team whose clock a target runs on: triage for the first response, the owner for resolution."""
    if target == Target.RESOLUTION and ticket.escalated_to:
        return ticket.escalated_to
    return org.triage_team


def calendar(org: Org, team: str) -> BusinessHours | None:
    """A team's business hours, or None when its clock runs around the clock."""
    return org.sla.hours.get(team)


def deadline(org: Org, target: Target, ticket: Ticket) -> datetime | None:
    """When a target falls due for a ticket whose clocks started; None before they start."""
    if ticket.sla_started_at is None:
        return None
    span = timedelta(hours=target_hours(org, target, ticket.priority, str(ticket.surface)))
    return add_time(calendar(org, team_for(org, target, ticket)), ticket.sla_started_at, span)


def set_deadlines(ticket: Ticket, org: Org) -> None:
    """Store both deadlines on a ticket whose clocks started (after a start or a change of priority)."""
    ticket.first_response_due_at = deadline(org, Target.FIRST_RESPONSE, ticket)
    ticket.resolution_due_at = deadline(org, Target.RESOLUTION, ticket)


def start_clocks(ticket: Ticket, at: datetime, org: Org) -> None:
    """The ticket waits on a person from now: start its SLA clocks, once."""
    if ticket.sla_started_at is None:
        ticket.sla_started_at = at
        set_deadlines(ticket, org)


def due_at(ticket: Ticket, target: Target) -> datetime | None:
    """The stored deadline of a target."""
    return ticket.first_response_due_at if target == Target.FIRST_RESPONSE else ticket.resolution_due_at


def met_at(ticket: Ticket, target: Target) -> datetime | None:
    """When a target was met: the first human reply or the first resolution, whichever came first, for the
    first response (a ticket solved before anyone needed to answer needed no answer); the first resolution
    for the resolution target."""
    if target == Target.RESOLUTION:
        return ticket.resolved_at
    stamps = [s for s in (ticket.first_human_reply_at, ticket.resolved_at) if s is not None]
    return min(stamps) if stamps else None


def higher(a: Priority, b: Priority) -> Priority:
    """The more pressing of two priorities."""
    return a if RANK.index(a) >= RANK.index(b) else b


def _said(text: str, phrase: str) -> bool:
    """The phrase as whole words, not right after "not" or "no" ("not urgent" is not urgent)."""
    pattern = rf"(?<![\w-])(?<!not )(?<!no ){re.escape(phrase)}(?![\w-])"
    return re.search(pattern, text) is not None


def infer_priority(
    org: Org, text: str, given: Priority, *, platform: str, requester: str, channel: str | None
) -> Priority:
    """The priority a request starts with: the highest of the one given, its words and the requester's or
    the channel's tier (fixloop.toml [sla.tiers])."""
    lowered = " ".join(text.lower().split())
    found = given
    for priority, phrases in org.sla.words:
        if any(_said(lowered, p) for p in phrases):
            found = higher(found, priority)
    person = org.person(requester, platform)
    keys = [
        f"{platform}:{requester}",
        f"{platform}:{channel}" if channel else "",
        person.key if person else "",
    ]
    for key in filter(None, keys):
        if key in org.sla.tiers:
            found = higher(found, org.sla.tiers[key])
    return found
