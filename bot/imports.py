"""Loading parsed exports into the database: tickets and causes upserted by id, articles by id."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from adapters.db.bulk_import import FIX_FIELDS, SqlTicketImport
from adapters.db.engine import make_engine
from adapters.db.repositories import SqlRepositories
from adapters.imports import open_tickets
from adapters.imports.kb import parse_kb
from adapters.imports.report import ImportFormatError, RowError
from bot.config import load_config
from bot.settings import Settings
from core.causes import Cause
from core.desk import Desk
from core.ports import CauseRepository, TicketImport, TicketLoad, TicketRepository
from core.tickets import Ticket


@dataclass
class ImportResult:
    what: str
    rows_read: int
    imported: int
    updated: int
    errors: list[RowError] = field(default_factory=list)
    unknown_columns: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # said once about the whole file
    skipped: bool = False

    def to_text(self) -> str:
        """A report a person can act on: counts, then each bad row with its line and reason."""
        if self.skipped:
            return f"{self.what}: the database already has data; nothing imported (--if-empty)."
        lines = [
            f"{self.what}: {self.rows_read} rows read, {self.imported} new, {self.updated} updated, "
            f"{len(self.errors)} rejected."
        ]
        lines += self.notes
        if self.unknown_columns:
            lines.append("Ignored unknown columns: " + ", ".join(self.unknown_columns))
        lines += [f"  {e}" for e in self.errors[:50]]
        if len(self.errors) > 50:
            lines.append(f"  ... and {len(self.errors) - 50} more")
        return "\n".join(lines)


BATCH = 5000  # tickets handed to the writer at once: memory stays flat however long the file


class TicketStores(Protocol):
    """Where tickets and causes live: a Desk, or the SQL repositories alone (the command line)."""

    @property
    def tickets(self) -> TicketRepository: ...
    @property
    def causes(self) -> CauseRepository: ...


async def run_ticket_import(settings: Settings, args: argparse.Namespace) -> int:
    """`fixloop import tickets`: the database and fixloop.toml only, none of the models a desk loads."""
    engine = make_engine(settings.database_url)
    try:
        tz = args.tz or load_config(settings.fixloop_config).org.timezone
        repos = SqlRepositories.build(engine)
        result = await import_tickets(
            repos, args.file, args.format, tz=tz, surface=args.surface, if_empty=args.if_empty,
            writer=SqlTicketImport(engine),
        )  # fmt: skip
    except ImportFormatError as exc:
        print(f"fixloop: {exc}. Nothing was imported.", file=sys.stderr)
        return 2
    finally:
        await engine.dispose()
    print(result.to_text())
    return 1 if result.errors else 0


async def import_tickets(
    desk: TicketStores,
    path: Path,
    fmt: str,
    *,
    tz: str = "UTC",
    surface: str | None = None,
    if_empty: bool = False,
    writer: TicketImport | None = None,
) -> ImportResult:
    """Stream an export into the database in one pass; bad rows are reported, good rows kept.

    The file is written whole or not at all: one refused halfway (not UTF-8, over the row limit) leaves
    nothing behind. Processes that serve relearn from the database, so nothing is refitted here.
    """
    if if_empty and await desk.tickets.count() > 0:
        return ImportResult("tickets", 0, 0, 0, skipped=True)
    stream = open_tickets(path, fmt, tz=tz, surface=surface)
    errors: list[RowError] = []
    async with (writer or RepositoryImport(desk.tickets, desk.causes)).load() as load:
        pipe = _Pipeline(load)
        try:
            for item in stream:
                if isinstance(item, RowError):
                    errors.append(item)
                else:
                    await pipe.put(item)
            await pipe.flush()
            await pipe.drain(raise_error=True)
        finally:
            await pipe.drain()  # never leave a write running on a transaction that is ending
        new, updated = await load.finish(list(stream.causes.values()))
    errors.sort(key=lambda e: e.line)
    columns = stream.unknown_columns
    return ImportResult("tickets", stream.rows_read, new, updated, errors, columns, stream.notes)


class _Pipeline:
    """Batches handed to the writer while the next batch is parsed: the database stores one batch as
    Python reads the next, so the two cores both work."""

    def __init__(self, load: TicketLoad) -> None:
        self._load, self._batch = load, list[Ticket]()
        self._writing: asyncio.Future[None] | None = None

    async def put(self, ticket: Ticket) -> None:
        """Add a ticket; a full batch goes to the writer."""
        self._batch.append(ticket)
        if len(self._batch) >= BATCH:
            await self.flush()

    async def flush(self) -> None:
        """Wait for the previous batch, start writing this one and let it reach the database."""
        await self.drain(raise_error=True)
        batch, self._batch = self._batch, []
        self._writing = asyncio.ensure_future(self._load.add(batch))
        await asyncio.sleep(0)

    async def drain(self, *, raise_error: bool = False) -> None:
        """Wait for the batch being written; its error is raised only when asked (else the caller's wins)."""
        writing, self._writing = self._writing, None
        if writing is None:
            return
        try:
            await writing
        except Exception:
            if raise_error:
                raise


class RepositoryImport:
    """An import through the repository ports (in-memory fakes): kept in memory until it finishes."""

    def __init__(self, tickets: TicketRepository, causes: CauseRepository) -> None:
        self._tickets, self._causes = tickets, causes

    @asynccontextmanager
    async def load(self) -> AsyncIterator[RepositoryImport._Load]:
        """Collect the import; write it when the block ends normally."""
        yield RepositoryImport._Load(self._tickets, self._causes)

    class _Load:
        def __init__(self, tickets: TicketRepository, causes: CauseRepository) -> None:
            self._tickets, self._causes, self._pending = tickets, causes, dict[str, Ticket]()

        async def add(self, tickets: Sequence[Ticket]) -> None:
            for ticket in tickets:
                self._pending.pop(ticket.id, None)
                self._pending[ticket.id] = ticket

        async def finish(self, causes: Sequence[Cause]) -> tuple[int, int]:
            for cause in causes:
                stored = await self._causes.get(cause.key)
                if stored is not None and stored.fix_url and not cause.fix_url:
                    keep_fix(cause, stored)  # Fixloop's fix outlives the export's none
                await self._causes.save(cause)
            existing = await self._tickets.existing_ids(list(self._pending))
            await self._tickets.save_many(list(self._pending.values()))
            return len(self._pending) - len(existing), len(existing)


async def import_kb(desk: Desk, path: Path, *, if_empty: bool = False,
                    refit: Callable[[], Awaitable[None]] | None = None) -> ImportResult:
    """Parse a folder of Markdown articles or a CSV and upsert the articles.

    Only the suggestion model learns from articles, so only it is refitted: `refit` fits and stores it
    (a process serving stored models); without one this process's ranker is refitted over the articles and
    the lessons it already holds, no ticket read. Other processes refit theirs at their next look, since
    the stored one was fitted over other articles (adapters/model_keeper.py).
    """
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
    if refit is not None:
        await refit()
    elif new or updated:
        desk.library.load(await desk.articles.list(), desk.library.history)
    return ImportResult("articles", batch.read, new, updated, batch.errors, batch.unknown_columns)




def keep_fix(cause: Cause, existing: Cause) -> None:
    """Copy the stored cause's fix onto the imported one."""
    for name in FIX_FIELDS:
        setattr(cause, name, getattr(existing, name))
