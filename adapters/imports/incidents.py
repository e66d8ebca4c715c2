"""Folding a ServiceNow event log (one row per update of an incident) into one ticket per incident."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from adapters.imports.csvfile import Row
from adapters.imports.report import RowError
from adapters.imports.stream import TicketStream
from adapters.imports.values import CellError
from core.tickets import Status, Ticket

_NEVER = datetime.min.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Event:
    """What one row says about its incident at one moment; kept small, one per row."""

    at: datetime | None  # sys_updated_at / sys_updated_on; None keeps the file's order
    line: int
    done: bool  # resolved, closed or canceled at that moment
    group: str
    assignee: str
    reassignments: int  # the row's own reassignment_count

    @property
    def order(self) -> tuple[datetime, int]:
        """When it happened; rows without an update time keep their place in the file."""
        return (self.at or _NEVER, self.line)


@dataclass
class _Incident:
    latest: Ticket
    latest_order: tuple[datetime, int]
    events: list[Event] = field(default_factory=list)
    first_resolved: datetime | None = None

    def add(self, ticket: Ticket, event: Event) -> None:
        """Take one more row of this incident."""
        self.events.append(event)
        if event.order >= self.latest_order:
            self.latest, self.latest_order = ticket, event.order
        if ticket.resolved_at and (self.first_resolved is None or ticket.resolved_at < self.first_resolved):
            self.first_resolved = ticket.resolved_at


def fold_incidents(
    stream: TicketStream, build: Callable[[Row], Ticket], event: Callable[[Row], Event]
) -> Iterator[Ticket | RowError]:
    """Row errors as they come, then one ticket per number: its latest state, reopens and reassignments.

    Memory holds one small Event per row and one Ticket per incident, not the rows themselves.
    """
    incidents: dict[str, _Incident] = {}
    for row in stream.table:
        if isinstance(row, RowError):
            yield row
            continue
        try:
            ticket, happened = build(row), event(row)
        except CellError as exc:
            yield RowError(row.line, str(exc))
            continue
        found = incidents.get(ticket.id)
        if found is None:
            incidents[ticket.id] = found = _Incident(ticket, happened.order)
        found.add(ticket, happened)
    rows = sum(len(i.events) for i in incidents.values())
    if rows > len(incidents):
        stream.folded = f"{rows} rows folded into {len(incidents)} incidents (the latest update of each)."
    for incident in incidents.values():
        yield _fold(incident)


def _fold(incident: _Incident) -> Ticket:
    """The incident's latest row, with what only the whole history tells."""
    ticket, events = incident.latest, sorted(incident.events, key=lambda e: e.order)
    ticket.reopened_at = [
        e.at for prev, e in zip(events, events[1:], strict=False) if prev.done and not e.done and e.at
    ]
    ticket.agents = _handoffs(e.assignee for e in events)
    groups = _handoffs(e.group for e in events)
    ticket.reassignments = max([len(groups) - 1, 0, *(e.reassignments for e in events)])
    if incident.first_resolved is not None and ticket.reopened_at:
        final = ticket.resolved_at if ticket.status == Status.RESOLVED else None
        ticket.resolved_at, ticket.closed_at = incident.first_resolved, final
    return ticket


def _handoffs(names: Iterable[str]) -> list[str]:
    """Who held it, in order, a repeat of the current holder not counting as a hand-off."""
    chain: list[str] = []
    for name in names:
        if name and (not chain or chain[-1] != name):
            chain.append(name)
    return chain
