"""Zendesk, Jira Service Management and ServiceNow CSV exports mapped onto Fixloop tickets."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from adapters.imports.columns import (
    JIRA_COLUMNS,
    SERVICENOW_COLUMNS,
    SERVICENOW_EVENT_COLUMNS,
    ZENDESK_COLUMNS,
)
from adapters.imports.csvfile import Row, TableStream, require_columns, unknown_columns
from adapters.imports.incidents import Event, fold_incidents
from adapters.imports.report import ImportBatch, ImportFormatError, RowError
from adapters.imports.stream import TicketStream, absent_columns, collect
from adapters.imports.values import (
    CellError,
    check_lengths,
    must,
    parse_enum,
    parse_local,
    record_text,
    required,
)
from core.tickets import Priority, Status, Surface, Ticket

JIRA_TIMES = ("%d/%b/%y %I:%M %p", "%d/%b/%Y %I:%M %p", "%d/%b/%y %H:%M", "%d/%b/%Y %H:%M")
ZENDESK_PRIORITY = {p.value: p for p in Priority}
JIRA_PRIORITY = {
    **{w: Priority.URGENT for w in ("highest", "blocker", "critical", "p1")},
    **{w: Priority.HIGH for w in ("high", "major", "p2")},
    **{w: Priority.NORMAL for w in ("medium", "normal", "p3")},
    **{w: Priority.LOW for w in ("low", "lowest", "minor", "trivial", "p4", "p5")},
}
# "1 - Critical", "2 - High", "3 - Moderate", "4 - Low", "5 - Planning": the number before " - " decides
SERVICENOW_PRIORITY = {
    "1": Priority.URGENT, "2": Priority.HIGH, "3": Priority.NORMAL, "4": Priority.LOW, "5": Priority.LOW,
}  # fmt: skip
DONE = {"solved", "closed", "resolved", "done", "completed", "canceled", "cancelled", "won't do", "declined"}
SERVICENOW_DONE = DONE | {"6", "7", "8"}  # state codes when exported as values: Resolved, Closed, Canceled
SATISFACTION = {"good": 5, "bad": 1}  # Zendesk's binary rating on the 1-5 scale


@dataclass(frozen=True)
class _Options:
    tz: tzinfo
    surface: Surface


def zone(tz: str | tzinfo) -> tzinfo:
    """The time zone an export's wall-clock times are read in."""
    if isinstance(tz, tzinfo):
        return tz
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise ImportFormatError(f"unknown time zone {tz!r} (use a name like UTC or Europe/Paris)") from None


def _options(tz: str | tzinfo, surface: str | None, default: Surface) -> _Options:
    """Checked parser options; a wrong surface is the caller's mistake, not a row's."""
    if surface and surface not in {s.value for s in Surface}:
        raise ImportFormatError(f"surface must be internal or external, not {surface!r}")
    return _Options(tz=zone(tz), surface=Surface(surface) if surface else default)


# Optional columns worth a word in the report when a file has none of them: (names, what that leaves).
REQUESTER = "no requester"
ZENDESK_OPTIONAL = (
    (("Subject",), "an empty subject"),
    (("Requester email", "Requester", "Requester id"), REQUESTER),
    (("Status",), "a status read from their solve time"),
)
JIRA_OPTIONAL = ((("Summary",), "an empty subject"), (("Reporter",), REQUESTER))
SERVICENOW_OPTIONAL = ((("short_description",), "an empty subject"), (("caller_id",), REQUESTER))


def stream_zendesk(path: Path, *, tz: str | tzinfo = "UTC", surface: str | None = None) -> TicketStream:
    """Read a Zendesk ticket CSV export; its times have no offset and are read in `tz`."""
    opts = _options(tz, surface, Surface.EXTERNAL)
    stream = _stream(path, "a Zendesk export", ("Id", "Created at"), ZENDESK_COLUMNS, ZENDESK_OPTIONAL)
    stream.items = _tickets(stream.table, opts, _zendesk)
    return stream


def stream_jira(path: Path, *, tz: str | tzinfo = "UTC", surface: str | None = None) -> TicketStream:
    """Read a Jira (Service Management) CSV export with dates like 05/Mar/26 9:15 AM."""
    opts = _options(tz, surface, Surface.INTERNAL)
    stream = _stream(path, "a Jira export", ("Issue key", "Created"), JIRA_COLUMNS, JIRA_OPTIONAL)
    stream.items = _tickets(stream.table, opts, _jira)
    return stream


def stream_servicenow(path: Path, *, tz: str | tzinfo = "UTC", surface: str | None = None) -> TicketStream:
    """Read a ServiceNow incident export or event log; rows of one number fold into one ticket."""
    opts = _options(tz, surface, Surface.INTERNAL)
    expected = "a ServiceNow incident export"
    known = SERVICENOW_COLUMNS + SERVICENOW_EVENT_COLUMNS
    stream = _stream(path, expected, ("number", "opened_at"), known, SERVICENOW_OPTIONAL)
    stream.items = fold_incidents(stream, lambda row: _servicenow(row, opts), lambda row: _event(row, opts))
    return stream


def parse_zendesk(path: Path, *, tz: str | tzinfo = "UTC", surface: str | None = None) -> ImportBatch:
    """A whole Zendesk export as one batch."""
    return collect(stream_zendesk(path, tz=tz, surface=surface))


def parse_jira(path: Path, *, tz: str | tzinfo = "UTC", surface: str | None = None) -> ImportBatch:
    """A whole Jira export as one batch."""
    return collect(stream_jira(path, tz=tz, surface=surface))


def parse_servicenow(path: Path, *, tz: str | tzinfo = "UTC", surface: str | None = None) -> ImportBatch:
    """A whole ServiceNow export as one batch."""
    return collect(stream_servicenow(path, tz=tz, surface=surface))


def _stream(
    path: Path,
    expected: str,
    required_columns: tuple[str, ...],
    known: tuple[str, ...],
    optional: tuple[tuple[tuple[str, ...], str], ...],
) -> TicketStream:
    """Shared start: check the header before any row is read (a wrong file imports nothing)."""
    table = TableStream(path, allow_repeats=True)
    require_columns(table, required_columns, expected)
    return TicketStream(
        table,
        unknown_columns=unknown_columns(table, (*known, "surface")),
        absent=absent_columns(table, optional),
    )


def _tickets(
    table: TableStream, opts: _Options, build: Callable[[Row, _Options], Ticket]
) -> Iterator[Ticket | RowError]:
    """A ticket per row, or the row's error; a repeated id is upserted again, so the later row wins."""
    for row in table:
        if isinstance(row, RowError):
            yield row
            continue
        try:
            yield build(row, opts)
        except CellError as exc:
            yield RowError(row.line, str(exc))


def _event(row: Row, opts: _Options) -> Event:
    """What one ServiceNow row says about its incident's history."""
    word = (row.get("state") or row.get("incident_state")).lower()
    return Event(
        at=_time(row, "sys_updated_at", opts) or _time(row, "sys_updated_on", opts),
        line=row.line,
        done=word in SERVICENOW_DONE,
        group=row.get("assignment_group"),
        assignee=row.get("assigned_to"),
        reassignments=_count(row, "reassignment_count"),
    )


def _count(row: Row, column: str) -> int:
    """A count cell; empty or unreadable counts as 0 (a help desk's own tally is only a floor)."""
    value = row.get(column)
    return int(value) if value.isdigit() else 0


def _zendesk(row: Row, opts: _Options) -> Ticket:
    """One Zendesk row; first reply and first resolution come as minutes after creation."""
    check_lengths(row, ZENDESK_COLUMNS)
    created = _created(row, "Created at", opts)
    solved = _time(row, "Solved at", opts)
    first_resolution = _after(created, row, "First resolution time in minutes") or solved
    rating = SATISFACTION.get(row.get("Satisfaction Score").lower())
    ticket = Ticket(
        id=f"ZD-{required(row, 'Id')}",
        surface=_surface(row, opts),
        created_at=created,
        platform="import",
        source="import:zendesk",
        requester=row.get("Requester email") or row.get("Requester") or row.get("Requester id"),
        subject=row.get("Subject"),
        text=row.get("Description") or row.get("Subject"),
        priority=_priority(row.get("Priority"), ZENDESK_PRIORITY),
        agents=[a for a in [row.get("Assignee")] if a],
        first_human_reply_at=_after(created, row, "First reply time in minutes"),
        resolved_at=first_resolution,
        closed_at=solved if solved and first_resolution and solved > first_resolution else None,
        csat=rating,
        csat_at=solved if rating else None,  # the export has no rating time; the survey follows the solve
    )
    return _finish(ticket, row.get("Status"), DONE)


def _jira(row: Row, opts: _Options) -> Ticket:
    """One Jira row; Jira Service Management adds the satisfaction fields."""
    check_lengths(row, JIRA_COLUMNS)
    created = _created(row, "Created", opts)
    ticket = Ticket(
        id=required(row, "Issue key"),
        surface=_surface(row, opts),
        created_at=created,
        platform="import",
        source="import:jira",
        requester=row.get("Reporter"),
        subject=row.get("Summary"),
        text=row.get("Description") or row.get("Summary"),
        priority=_priority(row.get("Priority"), JIRA_PRIORITY),
        agents=[a for a in [row.get("Assignee")] if a],
        resolved_at=_time(row, "Resolved", opts),
        csat=_rating(row.get("Custom field (Satisfaction)")),
        csat_at=_time(row, "Custom field (Satisfaction date)", opts),
    )
    status = "done" if row.get("Status Category").lower() == "done" else row.get("Status")
    return _finish(ticket, status, DONE)


def _servicenow(row: Row, opts: _Options) -> Ticket:
    """One ServiceNow incident; resolved_at, else closed_at, is when it was resolved."""
    check_lengths(row, SERVICENOW_COLUMNS)
    created = _created(row, "opened_at", opts)
    ticket = Ticket(
        id=required(row, "number"),
        surface=_surface(row, opts),
        created_at=created,
        platform="import",
        source="import:servicenow",
        requester=row.get("caller_id"),
        subject=row.get("short_description"),
        text=row.get("description") or row.get("short_description"),
        priority=_priority(row.get("priority"), SERVICENOW_PRIORITY),
        agents=[a for a in [row.get("assigned_to")] if a],
        resolved_at=_time(row, "resolved_at", opts) or _time(row, "closed_at", opts),
    )
    return _finish(ticket, row.get("state") or row.get("incident_state"), SERVICENOW_DONE)


def _time(row: Row, column: str, opts: _Options) -> datetime | None:
    """A timestamp cell read in the export's time zone."""
    return parse_local(row.get(column), column, opts.tz, JIRA_TIMES)


def _created(row: Row, column: str, opts: _Options) -> datetime:
    """The creation time, which every ticket needs."""
    return must(_time(row, column, opts), column)


def _after(start: datetime | None, row: Row, column: str) -> datetime | None:
    """The moment a number of minutes after `start`."""
    value = row.get(column)
    if not value or start is None:
        return None
    try:
        return start + timedelta(minutes=float(value))
    except ValueError:
        raise CellError(f"{column} must be a number of minutes, not {value!r}") from None


def _rating(value: str) -> int | None:
    """A 1-5 satisfaction rating; Jira may export it as 4 or 4.0."""
    if not value:
        return None
    try:
        score = float(value)
    except ValueError:
        raise CellError(f"Satisfaction must be a number from 1 to 5, not {value!r}") from None
    if score != int(score) or not 1 <= score <= 5:
        raise CellError(f"Satisfaction must be a whole number from 1 to 5, not {value!r}")
    return int(score)


def _priority(value: str, mapping: dict[str, Priority]) -> Priority:
    """The export's priority on Fixloop's scale; empty is normal, an unknown one is a row error."""
    if not value:
        return Priority.NORMAL
    word = value.strip().lower()
    found = mapping.get(word) or mapping.get(word.split(" - ")[0])  # ServiceNow's "2 - High"
    if found is None:
        raise CellError(f"unknown priority {value!r} (known: {', '.join(sorted(mapping))})")
    return found


def _surface(row: Row, opts: _Options) -> Surface:
    """The row's own surface column when the export has one, else the import's."""
    return parse_enum(Surface, row.get("surface"), "surface", opts.surface)


def _finish(ticket: Ticket, status: str, done: set[str]) -> Ticket:
    """Set the status from the export's word, falling back on the timestamps."""
    word = status.strip().lower()
    if word in done or (not word and ticket.resolved_at):
        ticket.status = Status.RESOLVED
        return record_text(ticket)
    if word == "escalated":
        ticket.status = Status.ESCALATED
    else:
        ticket.status = Status.IN_PROGRESS if ticket.agents else Status.NEW
    ticket.closed_at = None  # open again: a later solve time was not a final resolution
    return record_text(ticket)
