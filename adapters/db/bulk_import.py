"""SqlTicketImport: a whole ticket export written in one transaction, fast.

Each batch of rows is staged in temporary tables (COPY on PostgreSQL, one executemany on SQLite), then
merged with one INSERT ... SELECT ... ON CONFLICT per table while the caller parses the next batch. It
all happens in one transaction, so a file refused halfway leaves nothing behind.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from adapters.db.causes import CAUSES, cause_values
from adapters.db.staging import copy_rows, insert_rows
from adapters.db.tickets import MESSAGES, TICKETS, message_values, ticket_values
from core.causes import Cause
from core.tickets import Surface, Ticket

log = logging.getLogger(__name__)

COLUMNS = list(ticket_values(Ticket(id="", surface=Surface.INTERNAL, created_at=datetime.now(UTC))))
MESSAGE_COLUMNS = [c.name for c in MESSAGES.columns]
# Fields a person may have added in Fixloop that a ledger row never carries: a re-import keeps them.
TICKET_KEPT = {"id", "linked"}
CAUSE_KEPT = {"key", "key_phrases", "root_cause"}
FIX_FIELDS = ("fix_url", "fix_status", "fix_shipped_at", "fix_tracker", "fix_issue", "fix_changed_at",
              "fix_regressed_at", "fix_filed_at")


def _staging(name: str, source: sa.Table, columns: Sequence[str], *extra: sa.Column[Any]) -> sa.Table:
    """A temporary table with the source's column types (so values convert as they would there)."""
    copies = [sa.Column(c, source.c[c].type) for c in columns]
    return sa.Table(name, sa.MetaData(), *extra, *copies, prefixes=["TEMPORARY"], postgresql_on_commit="DROP")


STAGED_TICKETS = _staging("import_tickets", TICKETS, COLUMNS, sa.Column("ord", sa.Integer))
STAGED_MESSAGES = _staging(
    "import_messages",
    MESSAGES,
    [c for c in MESSAGE_COLUMNS if c != "seq"],
    sa.Column("ord", sa.Integer),
    sa.Column("idx", sa.Integer),
)
WINNERS = sa.Table(
    "import_winners",
    sa.MetaData(),
    sa.Column("ord", sa.Integer, primary_key=True),
    prefixes=["TEMPORARY"],
    postgresql_on_commit="DROP",
)
SEEN = sa.Table(  # every id of this import once, and whether it was stored before: new vs updated
    "import_seen",
    sa.MetaData(),
    sa.Column("id", sa.String, primary_key=True),
    sa.Column("existed", sa.Boolean, nullable=False),
    prefixes=["TEMPORARY"],
    postgresql_on_commit="DROP",
)
_STAGING = (STAGED_TICKETS, STAGED_MESSAGES, WINNERS, SEEN)
_BATCH_TABLES = (STAGED_TICKETS, STAGED_MESSAGES, WINNERS)

# Every look-up into the big tables is a correlated scalar subquery: PostgreSQL runs it per staged row
# through the primary key, whatever it believes about a table whose rows this transaction has not yet
# committed (a join could be planned as a scan of all messages for every batch).
APPEND_MESSAGES = sa.text(f"""
INSERT INTO messages ({", ".join(MESSAGE_COLUMNS)})
SELECT {", ".join("m.next_seq + m.idx_new" if c == "seq" else f"m.{c}" for c in MESSAGE_COLUMNS)}
FROM (
    SELECT s.*,
           ROW_NUMBER() OVER (PARTITION BY s.ticket_id ORDER BY s.idx) - 1 AS idx_new,
           COALESCE((SELECT o.seq + 1 FROM messages o WHERE o.ticket_id = s.ticket_id
                     ORDER BY o.seq DESC LIMIT 1), 0) AS next_seq
    FROM import_messages s JOIN import_winners w ON w.ord = s.ord
    WHERE (SELECT 1 FROM messages o
           WHERE o.ticket_id = s.ticket_id AND o.role = s.role AND o.text = s.text LIMIT 1) IS NULL
) m
""")  # append-only: a message already stored (same role and text) is never written again or removed


class SqlTicketImport:
    """Opens one import; `load()` yields the writer and commits when the block ends without error."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    @asynccontextmanager
    async def load(self) -> AsyncIterator[_Load]:
        """One transaction for the whole file; an exception rolls every row of it back."""
        async with self._engine.begin() as conn:
            load = _Load(conn)
            await load.open()
            yield load
        if self._engine.dialect.name == "postgresql":
            await self._settle()

    async def _settle(self) -> None:
        """VACUUM (ANALYZE) what the import wrote, outside its transaction, as VACUUM must be.

        Until a vacuum sets the visibility map, the reports' covering indexes (migration 0020) cannot
        answer from the index alone: `/kpis` took 2.7 s on a freshly imported million tickets, 0.27 s
        after this; autovacuum may come much later. The import is committed already: a failure here is
        only logged.
        """
        try:
            async with self._engine.connect() as conn:
                auto = await conn.execution_options(isolation_level="AUTOCOMMIT")
                await auto.execute(sa.text("VACUUM (ANALYZE) tickets, messages, causes"))
        except sa.exc.DBAPIError:
            log.warning("could not VACUUM after the import; reports stay slower until autovacuum runs",
                        exc_info=True)


class _Load:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn
        self._postgres = conn.dialect.name == "postgresql"
        self._ord = 0  # file order: the later row of a repeated id wins

    async def open(self) -> None:
        """Create the staging tables (left over ones from a failed import on this connection go first)."""
        if self._postgres:
            # The tables grow inside this transaction, unseen by statistics: the planner would scan them
            # whole per staged row. Each batch probes them by key, so keys it is; compiling these quick
            # statements (JIT) took longer than running them.
            await self._conn.execute(sa.text("SET LOCAL enable_seqscan = off"))
            await self._conn.execute(sa.text("SET LOCAL jit = off"))
        for table in _STAGING:
            await self._conn.execute(sa.text(f"DROP TABLE IF EXISTS {table.name}"))
            await self._conn.run_sync(table.create)

    async def add(self, tickets: Sequence[Ticket]) -> None:
        """Stage a batch of tickets and their messages, then merge it into the real tables."""
        rows, messages = [], []
        for ticket in tickets:
            self._ord += 1
            rows.append({"ord": self._ord, **ticket_values(ticket)})
            for idx, message in enumerate(ticket.messages):
                values = message_values(ticket.id, idx, message)
                values.pop("seq")
                messages.append({"ord": self._ord, "idx": idx, **values})
        if not rows:
            return
        await self._stage(STAGED_TICKETS, rows)
        await self._stage(STAGED_MESSAGES, messages)
        await self._merge()

    async def _merge(self) -> None:
        """The latest row of each id in the batch upserted, its new messages appended, staging emptied."""
        conn = self._conn
        latest = sa.select(sa.func.max(STAGED_TICKETS.c.ord)).group_by(STAGED_TICKETS.c.id)
        await conn.execute(sa.insert(WINNERS).from_select(["ord"], latest))
        if self._postgres:  # temporary tables are never analysed automatically; plans need the sizes
            await conn.execute(sa.text("ANALYZE import_tickets, import_messages, import_winners"))
        staged = STAGED_TICKETS.join(WINNERS, WINNERS.c.ord == STAGED_TICKETS.c.ord)
        probe = sa.select(sa.literal(1)).where(TICKETS.c.id == STAGED_TICKETS.c.id).limit(1)
        stored = probe.scalar_subquery().is_not(None)  # per row by primary key, as above
        seen = self._insert(SEEN).from_select(
            ["id", "existed"], sa.select(STAGED_TICKETS.c.id, stored).select_from(staged).where(sa.true())
        )
        await conn.execute(seen.on_conflict_do_nothing(index_elements=["id"]))
        await conn.execute(self._upsert_tickets(staged))
        await conn.execute(APPEND_MESSAGES)
        if self._postgres:  # DELETE would leave dead rows that every later batch scans again
            await conn.execute(sa.text(f"TRUNCATE {', '.join(t.name for t in _BATCH_TABLES)}"))
        else:
            for table in _BATCH_TABLES:
                await conn.execute(sa.delete(table))

    async def finish(self, causes: Sequence[Cause]) -> tuple[int, int]:
        """Write the causes; return (new tickets, updated tickets)."""
        conn = self._conn
        if causes:
            await conn.execute(self._upsert_causes(), [cause_values(c) for c in causes])
        counted = sa.select(SEEN.c.existed, sa.func.count()).group_by(SEEN.c.existed)
        counts = {bool(existed): n for existed, n in (await conn.execute(counted)).all()}
        if not self._postgres:  # SQLite keeps temporary tables for the connection's life
            for table in _STAGING:
                await conn.execute(sa.text(f"DROP TABLE {table.name}"))
        return counts.get(False, 0), counts.get(True, 0)

    def _insert(self, table: sa.Table) -> Any:
        """The dialect's INSERT, which knows ON CONFLICT."""
        return (postgresql.insert if self._postgres else sqlite.insert)(table)

    def _upsert_tickets(self, staged: sa.Join) -> Any:
        """INSERT ... SELECT the latest staged row of each id ... ON CONFLICT (id) DO UPDATE."""
        source = sa.select(*(STAGED_TICKETS.c[c] for c in COLUMNS)).select_from(staged).where(sa.true())
        stmt = self._insert(TICKETS).from_select(COLUMNS, source)
        changes: dict[str, Any] = {c: stmt.excluded[c] for c in COLUMNS if c not in TICKET_KEPT}
        if "version" in TICKETS.c:  # optimistic concurrency: an import's update is a new version too
            changes["version"] = TICKETS.c.version + 1
        # A row the file leaves as it is stays untouched: no new row version, no index writes, no version.
        changed = sa.or_(*(_comparable(TICKETS.c[c]).is_distinct_from(_comparable(stmt.excluded[c]))
                           for c in COLUMNS if c not in TICKET_KEPT))  # fmt: skip
        return stmt.on_conflict_do_update(index_elements=["id"], set_=changes, where=changed)

    def _upsert_causes(self) -> Any:
        """Insert causes, or update what a ledger says about them (not what a person added in Fixloop)."""
        stmt = self._insert(CAUSES)
        changes = {c.name: stmt.excluded[c.name] for c in CAUSES.columns if c.name not in CAUSE_KEPT}
        knows_none = sa.and_(stmt.excluded.fix_url.is_(None), CAUSES.c.fix_url.is_not(None))
        for name in FIX_FIELDS:  # a fix linked or filed in Fixloop outlives an export that knows none
            changes[name] = sa.case((knows_none, CAUSES.c[name]), else_=stmt.excluded[name])
        return stmt.on_conflict_do_update(index_elements=["key"], set_=changes)

    async def _stage(self, table: sa.Table, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        if self._postgres:
            await copy_rows(self._conn, table, rows)
        else:
            await insert_rows(self._conn, table, rows)


def _comparable(column: Any) -> Any:
    """A column as SQL can compare it: PostgreSQL's json type has no equality, its text does."""
    return sa.cast(column, sa.Text) if isinstance(column.type, sa.JSON) else column
