"""Import parsers: read an export or a knowledge base, return core objects and a report; no database."""

from __future__ import annotations

from pathlib import Path

from adapters.imports.helpdesks import parse_jira, parse_servicenow, parse_zendesk
from adapters.imports.kb import parse_kb
from adapters.imports.ledger import parse_ledger
from adapters.imports.report import ImportBatch, ImportFormatError, KbBatch, RowError

FORMATS = ("csv", "jira", "servicenow", "zendesk")
_HELPDESKS = {"jira": parse_jira, "servicenow": parse_servicenow, "zendesk": parse_zendesk}

__all__ = ["FORMATS", "ImportBatch", "ImportFormatError", "KbBatch", "RowError", "parse_kb", "parse_tickets"]


def parse_tickets(path: Path | str, fmt: str, *, tz: str = "UTC", surface: str | None = None) -> ImportBatch:
    """Read a ticket export in one of FORMATS; tz and surface apply to help desk exports only."""
    fmt = fmt.strip().lower()
    if fmt not in FORMATS:
        raise ImportFormatError(f"unknown format {fmt!r}; use one of: {', '.join(FORMATS)}")
    path = Path(path)
    if not path.exists():
        raise ImportFormatError(f"no such file: {path}")
    if not path.is_file():
        raise ImportFormatError(f"{path} is not a file")
    if fmt == "csv":
        return parse_ledger(path)  # the ledger carries offsets and a surface on every row
    return _HELPDESKS[fmt](path, tz=tz, surface=surface)
