"""Loading parsed exports into the database: tickets and causes upserted by id, articles by id."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from adapters.imports import parse_tickets
from adapters.imports.kb import parse_kb
from adapters.imports.report import RowError
from core.desk import Desk


@dataclass
class ImportResult:
    what: str
    rows_read: int
    imported: int
    updated: int
    errors: list[RowError] = field(default_factory=list)
    unknown_columns: list[str] = field(default_factory=list)
    skipped: bool = False

    def to_text(self) -> str:
        """A report a person can act on: counts, then each bad row with its line and reason."""
        if self.skipped:
            return f"{self.what}: the database already has data; nothing imported (--if-empty)."
        lines = [
            f"{self.what}: {self.rows_read} rows read, {self.imported} new, {self.updated} updated, "
            f"{len(self.errors)} rejected."
        ]
        if self.unknown_columns:
            lines.append("Ignored unknown columns: " + ", ".join(self.unknown_columns))
        lines += [f"  {e}" for e in self.errors[:50]]
        if len(self.errors) > 50:
            lines.append(f"  ... and {len(self.errors) - 50} more")
        return "\n".join(lines)


async def import_tickets(
    desk: Desk, path: Path, fmt: str, *, tz: str = "UTC", surface: str | None = None, if_empty: bool = False
) -> ImportResult:
    """Parse an export and upsert its tickets and causes; bad rows are reported, good rows kept."""
    if if_empty and await desk.tickets.count() > 0:
        return ImportResult("tickets", 0, 0, 0, skipped=True)
    batch = parse_tickets(path, fmt, tz=tz, surface=surface)
    for cause in batch.causes.values():
        existing = await desk.causes.get(cause.key)
        if existing is not None and existing.named_by_person and not cause.title:
            cause.title = existing.title  # a name a person gave is kept over an empty one
        await desk.causes.save(cause)
    known = await desk.tickets.existing_ids([t.id for t in batch.tickets])
    await desk.tickets.save_many(batch.tickets)
    await desk.refresh()
    updated = sum(1 for t in batch.tickets if t.id in known)
    new = len(batch.tickets) - updated
    return ImportResult("tickets", batch.rows_read, new, updated, batch.errors, batch.unknown_columns)


async def import_kb(desk: Desk, path: Path, *, if_empty: bool = False) -> ImportResult:
    """Parse a folder of Markdown articles or a CSV and upsert the articles."""
    if if_empty and await desk.articles.list():
        return ImportResult("articles", 0, 0, 0, skipped=True)
    batch = parse_kb(path)
    new = updated = 0
    for article in batch.articles:
        existing = await desk.articles.get(article.id)
        if existing is not None:
            article.solved_count = existing.solved_count  # learning survives a re-import
            updated += 1
        else:
            new += 1
        await desk.articles.save(article)
    await desk.refresh()
    return ImportResult("articles", batch.read, new, updated, batch.errors, batch.unknown_columns)
