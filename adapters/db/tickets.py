"""SqlTicketRepository: tickets in one table, their messages in another, keyed by (ticket, seq).

A ticket read here is saved with a version check (optimistic concurrency) and its new messages are
appended: two processes adding to one ticket never overwrite each other; the later one retries.
"""

from __future__ import annotations

import builtins
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import fields
from datetime import datetime
from typing import Any

from sqlalchemy import RowMapping, Select, delete, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.db import ticket_reads
from adapters.db._sql import (
    DuplicateKey,
    SqlRepository,
    affected,
    check_version,
    from_iso,
    plain,
    to_iso,
    upsert,
)
from adapters.db.tables import MessageRow, TicketRow, table_of
from core.attachments import Attachment
from core.cause_engine import ClusterDoc
from core.tickets import Judgement, Message, Priority, Resolution, Role, Status, Surface, Ticket

TICKETS = table_of(TicketRow)
MESSAGES = table_of(MessageRow)
_COLUMNS = [f.name for f in fields(Ticket) if f.name not in ("messages", "reopened_at", "version")]


def ticket_values(ticket: Ticket) -> dict[str, Any]:
    """The tickets-table row of a ticket (its messages go to their own table)."""
    values = {name: plain(getattr(ticket, name)) for name in _COLUMNS}
    for name in ("chat", "agents", "suggested_article_ids", "linked"):
        values[name] = type(values[name])(values[name])  # a copy: later edits must not alias the row
    values["reopened_at"] = [to_iso(at) for at in ticket.reopened_at]
    values["agent"] = ticket.agent
    values["attachments"] = [a.to_dict() for a in ticket.attachments]
    return values


def message_values(ticket_id: str, seq: int, message: Message) -> dict[str, Any]:
    """The messages-table row of one message."""
    return {
        "ticket_id": ticket_id,
        "seq": seq,
        "at": message.at,
        "role": plain(message.role),
        "author": message.author,
        "text": message.text,
        "ref": message.ref,
        "edited_at": message.edited_at,
        "deleted_at": message.deleted_at,
    }


def to_message(row: RowMapping) -> Message:
    """A core Message from a messages-table row."""
    return Message(
        at=row["at"],
        role=Role(row["role"]),
        author=row["author"],
        text=row["text"],
        ref=row["ref"],
        deleted_at=row["deleted_at"],
        edited_at=row["edited_at"],
    )


def _optional(kind: Any, value: Any) -> Any:
    return None if value is None else kind(value)


def to_ticket(row: RowMapping, messages: list[Message]) -> Ticket:
    """A core Ticket from a tickets-table row and its messages."""
    values = {name: row[name] for name in _COLUMNS}
    values.update(
        surface=Surface(row["surface"]),
        priority=Priority(row["priority"]),
        status=Status(row["status"]),
        resolution=_optional(Resolution, row["resolution"]),
        escalation_judgement=_optional(Judgement, row["escalation_judgement"]),
        chat=dict(row["chat"]),
        agents=list(row["agents"]),
        suggested_article_ids=list(row["suggested_article_ids"]),
        attachments=[Attachment.from_dict(a) for a in row["attachments"] or []],
        linked=list(row["linked"] or []),
    )
    reopened = [from_iso(at) for at in row["reopened_at"]]
    return Ticket(**values, messages=messages, reopened_at=reopened, version=row["version"])


class SqlTicketRepository(SqlRepository):
    """Tickets with their messages; `save` checks the version of a ticket read here."""

    async def get(self, ticket_id: str) -> Ticket | None:
        """Fetch a ticket by its id."""
        found = await self._load(select(TICKETS).where(TICKETS.c.id == ticket_id))
        return found[0] if found else None

    async def find_by_thread(self, thread_key: str) -> Ticket | None:
        """Fetch the ticket of a chat thread."""
        found = await self._load(select(TICKETS).where(TICKETS.c.thread_key == thread_key))
        return found[0] if found else None

    async def find_by_message_ref(self, ref: str) -> Ticket | None:
        """Fetch the ticket holding a message with this platform id, to apply an edit or deletion."""
        owner = select(MESSAGES.c.ticket_id).where(MESSAGES.c.ref == ref).limit(1)
        found = await self._load(select(TICKETS).where(TICKETS.c.id.in_(owner)))
        return found[0] if found else None

    async def add(self, ticket: Ticket) -> None:
        """Insert a new ticket; raise DuplicateKey if its id or thread is taken."""
        async with self._duplicates(ticket), self._writing() as session:
            await session.execute(insert(TICKETS).values({**ticket_values(ticket), "version": 1}))
            await _replace_messages(session, ticket)
        ticket.version = 1

    async def save(self, ticket: Ticket) -> None:
        """Update a ticket read here if nobody changed it since (else Conflict), appending new messages."""
        # A ticket built elsewhere (version 0: imports, fixtures) is inserted or overwritten whole.
        async with self._duplicates(ticket), self._writing() as session:
            if ticket.version == 0:
                await upsert(session, TICKETS, {**ticket_values(ticket), "version": 1}, ["id"])
                await _replace_messages(session, ticket)
            else:
                stmt = (
                    update(TICKETS)
                    .where(TICKETS.c.id == ticket.id, TICKETS.c.version == ticket.version)
                    .values({**ticket_values(ticket), "version": ticket.version + 1})
                )
                check_version(await affected(session, stmt), f"ticket {ticket.id}")
                await _append_messages(session, ticket)  # the row is locked now: seq numbers are ours
        if ticket.version:  # one built elsewhere stays unversioned: saving it again overwrites again
            ticket.version += 1

    async def repoint(self, moves: Sequence[tuple[str, str | None, str]]) -> int:
        """Move tickets (id, from cause, to cause) whose cause is still `from`; how many moved."""
        # One statement per (from, to) pair and 900 ids, not per ticket: a re-clustering moves many.
        groups: dict[tuple[str | None, str], builtins.list[str]] = {}
        for ticket_id, before, after in moves:
            groups.setdefault((before, after), []).append(ticket_id)
        moved = 0
        async with self._writing() as session:
            for (before, after), ids in groups.items():
                still = TICKETS.c.cause_key.is_(None) if before is None else TICKETS.c.cause_key == before
                for start in range(0, len(ids), 900):
                    stmt = (
                        update(TICKETS)
                        .where(TICKETS.c.id.in_(ids[start : start + 900]), still)
                        .values(cause_key=after, version=TICKETS.c.version + 1)
                    )
                    moved += await affected(session, stmt)
        return moved

    @asynccontextmanager
    async def _duplicates(self, ticket: Ticket) -> AsyncIterator[None]:
        try:
            yield
        except IntegrityError as exc:
            raise DuplicateKey(f"ticket {ticket.id} or thread {ticket.thread_key} already exists") from exc

    async def save_many(self, tickets: Sequence[Ticket], batch: int = 500) -> None:
        """Upsert many tickets, a batch per transaction: imports of large exports stay fast."""
        for start in range(0, len(tickets), batch):
            chunk = tickets[start : start + batch]
            try:
                async with self._sessions.begin() as session:
                    for ticket in chunk:
                        await upsert(session, TICKETS, {**ticket_values(ticket), "version": 1}, ["id"])
                        await _replace_messages(session, ticket)
            except IntegrityError as exc:
                raise DuplicateKey(f"a ticket thread in this batch already exists: {exc.orig}") from exc

    async def existing_ids(self, ids: Sequence[str]) -> set[str]:
        """Which of these ticket ids are stored already."""
        found: set[str] = set()
        async with self._reading() as session:
            for start in range(0, len(ids), 900):  # stay under SQLite's bound-parameter limit
                chunk = list(ids[start : start + 900])
                rows = await session.execute(select(TICKETS.c.id).where(TICKETS.c.id.in_(chunk)))
                found.update(rows.scalars())
        return found

    async def list(
        self,
        *,
        requester: str | None = None,
        open_only: bool = False,
        cause_key: str | None = None,
        agent: str | None = None,
        limit: int | None = None,
        newest_first: bool = False,
        resolved_since: datetime | None = None,
        escalated_since: datetime | None = None,
        statuses: Sequence[str] | None = None,
    ) -> builtins.list[Ticket]:
        """Tickets matching every given filter, oldest first unless asked.

        agent: the current one. resolved_since: first resolved at or after it. escalated_since: escalated
        or judged at or after it.
        """
        order = [TICKETS.c.created_at, TICKETS.c.id]
        stmt = select(TICKETS).order_by(*(c.desc() for c in order) if newest_first else order).limit(limit)
        if requester is not None:
            stmt = stmt.where(TICKETS.c.requester == requester)
        if open_only:
            stmt = stmt.where(TICKETS.c.status != Status.RESOLVED.value)
        if cause_key is not None:
            stmt = stmt.where(TICKETS.c.cause_key == cause_key)
        if agent is not None:
            stmt = stmt.where(TICKETS.c.agent == agent)
        if statuses is not None:
            stmt = stmt.where(TICKETS.c.status.in_([str(s) for s in statuses]))
        if resolved_since is not None:
            stmt = stmt.where(TICKETS.c.resolved_at >= resolved_since)
        if escalated_since is not None:
            stmt = stmt.where(or_(TICKETS.c.escalated_at >= escalated_since,
                                  TICKETS.c.escalation_judged_at >= escalated_since))
        return await self._load(stmt)

    async def cluster_docs(self, *, after: tuple[datetime, str] | None = None,
                           limit: int = 5000) -> builtins.list[ClusterDoc]:
        """The next page of tickets after (created_at, id), oldest first: what re-clustering reads."""
        async with self._reading() as session:
            return await ticket_reads.cluster_docs(session, after, limit)

    async def cause_texts(self, keys: Sequence[str], per_cause: int,
                          limit: int | None = None) -> dict[str, builtins.list[str]]:
        """Each cause's newest ticket texts, newest first, `limit` in all (what the cause matcher indexes)."""
        async with self._reading() as session:
            return await ticket_reads.cause_texts(session, keys, per_cause, limit)

    async def gap_candidates(self, *, since: datetime | None = None,
                             limit: int = 50_000) -> builtins.list[Ticket]:
        """Tickets a person solved without an article, created at or after `since`: the newest `limit`,
        oldest first, without their messages (the "I still need help" click is checked in SQL)."""
        async with self._reading() as session:
            rows = (await session.execute(ticket_reads.gap_candidates(since, limit))).mappings().all()
        return [to_ticket(row, []) for row in reversed(rows)]

    async def get_many(self, ids: Sequence[str]) -> builtins.list[Ticket]:
        """These tickets with their messages, oldest first (ids not stored are left out)."""
        found: builtins.list[Ticket] = []
        for start in range(0, len(ids), 900):  # stay under SQLite's bound-parameter limit
            found += await self._load(select(TICKETS).where(TICKETS.c.id.in_(list(ids[start : start + 900]))))
        return sorted(found, key=lambda t: (t.created_at, t.id))

    async def count(self) -> int:
        """How many tickets are stored."""
        async with self._reading() as session:
            return int((await session.execute(select(func.count()).select_from(TICKETS))).scalar_one())

    async def load(self, stmt: Select[Any]) -> builtins.list[Ticket]:
        """The tickets a query over the tickets table selects, each with its messages."""
        return await self._load(stmt)

    async def _load(self, stmt: Select[Any]) -> builtins.list[Ticket]:
        """Run a tickets query and attach the messages of the tickets it returns (one more query)."""
        async with self._reading() as session:
            rows = (await session.execute(stmt)).mappings().all()
            if not rows:
                return []
            ids = stmt.with_only_columns(TICKETS.c.id)
            query = select(MESSAGES).where(MESSAGES.c.ticket_id.in_(ids)).order_by(MESSAGES.c.seq)
            messages: dict[str, builtins.list[Message]] = {}
            for row in (await session.execute(query)).mappings():
                messages.setdefault(row["ticket_id"], []).append(to_message(row))
        return [to_ticket(row, messages.get(row["id"], [])) for row in rows]


async def _replace_messages(session: AsyncSession, ticket: Ticket) -> None:
    # Messages are few per ticket and edited in place, so rewriting them keeps edits and order exact.
    await session.execute(delete(MESSAGES).where(MESSAGES.c.ticket_id == ticket.id))
    rows: Sequence[dict[str, Any]] = [message_values(ticket.id, i, m) for i, m in enumerate(ticket.messages)]
    if rows:
        await session.execute(insert(MESSAGES), rows)


async def _append_messages(session: AsyncSession, ticket: Ticket) -> None:
    """Insert the messages added since the ticket was read; update the ones edited or deleted."""
    stmt = select(MESSAGES).where(MESSAGES.c.ticket_id == ticket.id).order_by(MESSAGES.c.seq)
    stored = {row["seq"]: dict(row) for row in (await session.execute(stmt)).mappings()}
    added = []
    for seq, message in enumerate(ticket.messages):
        values = message_values(ticket.id, seq, message)
        if seq not in stored:
            added.append(values)
        elif stored[seq] != values:
            key = (MESSAGES.c.ticket_id == ticket.id, MESSAGES.c.seq == seq)
            await session.execute(update(MESSAGES).where(*key).values(values))
    if added:
        await session.execute(insert(MESSAGES), added)
