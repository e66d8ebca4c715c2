"""What an import produced: core objects plus the rows it refused and why."""

from __future__ import annotations

from dataclasses import dataclass, field

from core.causes import Cause
from core.kb import Article
from core.tickets import Ticket


class ImportFormatError(Exception):
    """The file as a whole is not what its format says; nothing in it was read."""


@dataclass(frozen=True)
class RowError:
    line: int  # 1 is the header row; 0 when the error concerns a whole file
    reason: str
    file: str = ""  # set when a batch reads several files (a knowledge-base folder)

    def __str__(self) -> str:
        where = " ".join(p for p in (self.file, f"line {self.line}" if self.line else "") if p)
        return f"{where}: {self.reason}"


@dataclass
class ImportBatch:
    tickets: list[Ticket] = field(default_factory=list)
    causes: dict[str, Cause] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)
    unknown_columns: list[str] = field(default_factory=list)
    rows_read: int = 0
    notes: list[str] = field(default_factory=list)  # said once about the whole file


@dataclass
class KbBatch:
    articles: list[Article] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    unknown_columns: list[str] = field(default_factory=list)
    read: int = 0  # Markdown files or CSV rows looked at
