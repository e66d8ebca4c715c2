"""A ticket export read as a stream: tickets and row errors in file order, in one pass, bounded memory."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from adapters.imports.csvfile import TableStream, norm
from adapters.imports.report import ImportBatch, RowError
from core.causes import Cause
from core.tickets import Ticket


@dataclass(frozen=True)
class Absent:
    """An optional column the file lacks, and what that leaves empty on every ticket."""

    column: str
    effect: str  # "an empty subject"


@dataclass
class TicketStream:
    """Iterate once for tickets and row errors; rows_read, causes and notes are complete afterwards."""

    table: TableStream
    items: Iterable[Ticket | RowError] = ()
    unknown_columns: list[str] = field(default_factory=list)
    absent: list[Absent] = field(default_factory=list)
    causes: dict[str, Cause] = field(default_factory=dict)  # filled as the rows go by
    folded: str = ""  # set when several rows made one ticket ("12 events folded into 3 incidents")
    tickets_seen: int = 0

    def __iter__(self) -> Iterator[Ticket | RowError]:
        for item in self.items:
            if isinstance(item, Ticket):
                self.tickets_seen += 1
            yield item

    @property
    def rows_read(self) -> int:
        """Data rows read so far, good or bad."""
        return self.table.rows_read

    @property
    def notes(self) -> list[str]:
        """What the report says once about the whole file: columns it lacks, rows folded."""
        n = self.tickets_seen
        tickets = f"{n} ticket has" if n == 1 else f"{n} tickets have"
        said = [f"The file has no {a.column} column: {tickets} {a.effect}." for a in self.absent]
        return said + ([self.folded] if self.folded else [])


def absent_columns(table: TableStream, optional: Iterable[tuple[tuple[str, ...], str]]) -> list[Absent]:
    """The optional column groups of which the header has none."""

    return [
        Absent(names[0], effect)
        for names, effect in optional
        if not any(norm(n) in table.keys for n in names)
    ]


def collect(stream: TicketStream) -> ImportBatch:
    """Read a whole stream into one batch (tests, small files): the later row of a repeated id wins."""
    tickets: dict[str, Ticket] = {}
    errors: list[RowError] = []
    for item in stream:
        if isinstance(item, RowError):
            errors.append(item)
            continue
        tickets.pop(item.id, None)
        tickets[item.id] = item
    errors.sort(key=lambda e: e.line)
    return ImportBatch(
        tickets=list(tickets.values()),
        causes=stream.causes,
        errors=errors,
        unknown_columns=stream.unknown_columns,
        rows_read=stream.rows_read,
        notes=stream.notes,
    )
