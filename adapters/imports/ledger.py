"""The generic CSV ledger (`--format csv`): one row per ticket, exactly as DESIGN.md specifies."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from adapters.imports.csvfile import Row, TableStream, require_columns, unknown_columns
from adapters.imports.report import ImportBatch, RowError
from adapters.imports.stream import TicketStream, collect
from adapters.imports.values import (
    CellError,
    check_lengths,
    must,
    parse_aware,
    parse_enum,
    parse_int,
    record_text,
    required,
    split_list,
)
from core.causes import Cause, FixStatus
from core.tickets import Judgement, Priority, Resolution, Status, Surface, Ticket
from core.trackers import TrackerKind, parse_issue_url

REQUIRED = ("id", "created_at", "surface")
TICKET_TIMES = (
    "first_bot_reply_at",
    "first_human_reply_at",
    "resolved_at",
    "closed_at",
    "escalated_at",
    "escalation_judged_at",
    "csat_at",
    "fix_notified_at",
    "first_response_due_at",  # SLA deadlines a help desk exported (README: sla_breach_rate)
    "resolution_due_at",
)
CAUSE_FIELDS = (
    "cause_title", "cause_owner", "root_cause_at", "fix_url", "fix_shipped_at", "fix_tracker", "fix_issue",
)  # fmt: skip
OTHER_FIELDS = (
    "subject", "text", "requester", "priority", "agents", "resolution", "article_id", "reopened_at",
    "escalated_to", "escalation_judgement", "cause", "csat", "affected_users",
)  # fmt: skip
COLUMNS = REQUIRED + TICKET_TIMES + CAUSE_FIELDS + OTHER_FIELDS


@dataclass
class _Parsed:
    ticket: Ticket
    cause: dict[str, str | datetime | None]  # the row's view of its cause's fields
    line: int


def parse_ledger(path: Path) -> ImportBatch:
    """Read a whole Fixloop CSV ledger: valid rows become tickets and causes, the others row errors."""
    return collect(stream_ledger(path))


def stream_ledger(path: Path) -> TicketStream:
    """A Fixloop CSV ledger read row by row; only per-cause state is kept to check causes agree."""
    table = TableStream(path)
    require_columns(table, REQUIRED, "a Fixloop CSV ledger")
    stream = TicketStream(table, unknown_columns=unknown_columns(table, COLUMNS))
    stream.items = _items(table, _CauseCheck(stream.causes))
    return stream


def _items(table: TableStream, causes: _CauseCheck) -> Iterator[Ticket | RowError]:
    """Tickets and errors in file order; a cause disagreement is reported on the row that disagrees."""
    for row in table:
        if isinstance(row, RowError):
            yield row
            continue
        try:
            parsed = _parse_row(row)
        except CellError as exc:
            yield RowError(row.line, str(exc))
            continue
        yield from causes.add(parsed)
        yield parsed.ticket
    causes.finish()


def _parse_row(row: Row) -> _Parsed:
    """One ledger row as a ticket plus what it says about its cause."""
    check_lengths(row, COLUMNS)
    ticket = Ticket(
        id=required(row, "id"),
        surface=must(parse_enum(Surface, row.get("surface"), "surface"), "surface"),
        created_at=must(parse_aware(row.get("created_at"), "created_at"), "created_at"),
        platform="import",
        source="import:csv",
        requester=row.get("requester"),
        subject=row.get("subject"),
        text=row.get("text"),
        priority=parse_enum(Priority, row.get("priority"), "priority", Priority.NORMAL),
        agents=split_list(row.get("agents")),
        resolution=parse_enum(Resolution, row.get("resolution"), "resolution"),
        article_id=row.get("article_id") or None,
        reopened_at=sorted(
            m for v in split_list(row.get("reopened_at")) if (m := parse_aware(v, "reopened_at"))
        ),
        escalated_to=row.get("escalated_to") or None,
        escalation_judgement=parse_enum(Judgement, row.get("escalation_judgement"), "escalation_judgement"),
        cause_key=row.get("cause") or None,
        csat=parse_int(row.get("csat"), "csat", low=1, high=5),
        affected_users=parse_int(row.get("affected_users"), "affected_users", low=0) or 0,
    )
    for column in TICKET_TIMES:
        setattr(ticket, column, parse_aware(row.get(column), column))
    ticket.status = derive_status(ticket)
    return _Parsed(ticket=record_text(ticket), cause=_cause_cells(row), line=row.line)


def _cause_cells(row: Row) -> dict[str, str | datetime | None]:
    """The cause's fields as this row gives them; timestamps are checked like any other."""
    return {
        "cause_title": row.get("cause_title") or None,
        "cause_owner": row.get("cause_owner") or None,
        "root_cause_at": parse_aware(row.get("root_cause_at"), "root_cause_at"),
        "fix_url": row.get("fix_url") or None,
        "fix_shipped_at": parse_aware(row.get("fix_shipped_at"), "fix_shipped_at"),
        "fix_tracker": _text(parse_enum(TrackerKind, row.get("fix_tracker"), "fix_tracker")),
        "fix_issue": row.get("fix_issue") or None,
    }


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def derive_status(ticket: Ticket) -> Status:
    """Resolved when the last thing that happened was a resolution; otherwise still being worked."""
    if ticket.resolved_at is not None:
        last_resolution = max(filter(None, (ticket.resolved_at, ticket.closed_at)))
        if not ticket.reopened_at or ticket.reopened_at[-1] < last_resolution:
            return Status.RESOLVED
    return Status.ESCALATED if ticket.escalated_at else Status.IN_PROGRESS


class _CauseCheck:
    """One cause per key, built as rows stream by; a row that contradicts an earlier one is reported."""

    def __init__(self, causes: dict[str, Cause]) -> None:
        self.causes = causes
        self.first: dict[str, dict[str, tuple[Any, int]]] = {}  # key -> field -> (value, line)

    def add(self, parsed: _Parsed) -> list[RowError]:
        """Take one row's view of its cause; return its disagreements."""
        key = parsed.ticket.cause_key
        if not key:
            return []
        cause = self.causes.setdefault(key, Cause(key=key, title=key, named_by_person=True))
        if cause.created_at is None or parsed.ticket.created_at < cause.created_at:
            cause.created_at = parsed.ticket.created_at
        first = self.first.setdefault(key, {})
        errors = []
        for name, value in parsed.cause.items():
            if value is None:
                continue  # an empty cell means unknown, which agrees with anything
            kept, line = first.setdefault(name, (value, parsed.line))
            if kept != value:
                errors.append(RowError(parsed.line, _disagreement(key, name, value, kept, line)))
        return errors

    def finish(self) -> None:
        """Copy the agreed fields onto each cause."""
        for key, cause in self.causes.items():
            _fill(cause, {name: value for name, (value, _) in self.first.get(key, {}).items()})


def _disagreement(key: str, name: str, value: object, kept: object, line: int) -> str:
    """The message for two rows of one cause that disagree on a field."""
    show = [v.isoformat() if isinstance(v, datetime) else v for v in (value, kept)]
    return f"cause {key!r}: {name} is {show[0]!r} here but {show[1]!r} on line {line}"


def _fill(cause: Cause, fields: dict[str, Any]) -> None:
    """Copy the agreed cause fields onto the cause; the first row's value stands."""
    cause.title = str(fields.get("cause_title") or cause.key)
    cause.owner = fields.get("cause_owner")
    cause.root_cause_at = fields.get("root_cause_at")
    cause.fix_url = fields.get("fix_url")
    cause.fix_shipped_at = fields.get("fix_shipped_at")
    if cause.fix_shipped_at:
        cause.fix_status = FixStatus.SHIPPED
    elif cause.fix_url:
        cause.fix_status = FixStatus.LINKED
    issue = parse_issue_url(cause.fix_url) if cause.fix_url else None  # the URL names it, when cells do not
    cause.fix_tracker = fields.get("fix_tracker") or (issue.tracker if issue else None)
    cause.fix_issue = fields.get("fix_issue") or (issue.issue if issue else None)
