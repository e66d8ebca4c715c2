"""Import parsers: read an export or a knowledge base, return core objects and a report; no database."""

from __future__ import annotations

from pathlib import Path

from adapters.imports.helpdesks import stream_jira, stream_servicenow, stream_zendesk
from adapters.imports.kb import parse_kb
from adapters.imports.ledger import stream_ledger
from adapters.imports.report import ImportBatch, ImportFormatError, KbBatch, RowError
from adapters.imports.stream import TicketStream, collect

FORMATS = ("csv", "jira", "servicenow", "zendesk")
_HELPDESKS = {"jira": stream_jira, "servicenow": stream_servicenow, "zendesk": stream_zendesk}

__all__ = [
    "FORMATS", "ImportBatch", "ImportFormatError", "KbBatch", "RowError", "TicketStream", "open_tickets",
    "parse_kb", "parse_tickets",
]  # fmt: skip


def open_tickets(path: Path | str, fmt: str, *, tz: str = "UTC", surface: str | None = None) -> TicketStream:
    """Check a ticket export's header and return its rows as a one-pass stream; tz and surface apply to
    help desk exports only."""
    fmt = fmt.strip().lower()
    if fmt not in FORMATS:
        raise ImportFormatError(f"unknown format {fmt!r}; use one of: {', '.join(FORMATS)}")
    path = Path(path)
    if not path.exists():
        raise ImportFormatError(f"no such file: {path}")
    if not path.is_file():
        raise ImportFormatError(f"{path} is not a file")
    if fmt == "csv":
        return stream_ledger(path)  # the ledger carries offsets and a surface on every row
    return _HELPDESKS[fmt](path, tz=tz, surface=surface)


def parse_tickets(path: Path | str, fmt: str, *, tz: str = "UTC", surface: str | None = None) -> ImportBatch:
    """Read a whole ticket export in one of FORMATS into one batch (small files, tests)."""
    return collect(open_tickets(path, fmt, tz=tz, surface=surface))
