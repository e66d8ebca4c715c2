"""One-time console sign-in links and console sessions; the database keeps only hashes of their tokens."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.db._sql import Sessions, SqlRepository, affected
from adapters.db.audit import AUDIT
from adapters.db.audit import FIELDS as AUDIT_FIELDS
from adapters.db.tables import ConsoleLinkRow, ConsoleSessionRow, table_of
from core.audit import AuditEntry
from core.console import SESSION_LIFETIME, via_of

LINKS = table_of(ConsoleLinkRow)
SESSIONS = table_of(ConsoleSessionRow)
PENDING_LIFETIME = timedelta(minutes=15)  # a sign-in that has not finished by then starts over
KEEP_USED = timedelta(days=1)  # used and expired links are kept this long, so their page says why


def digest(token: str) -> str:
    """The SHA-256 of a token: what the database keeps, so a leaked table signs nobody in."""
    return hashlib.sha256(token.encode()).hexdigest()


class LinkState(StrEnum):
    VALID = "valid"
    USED = "used"
    EXPIRED = "expired"
    UNKNOWN = "unknown"


class SqlSignInLinks(SqlRepository):
    """Issue, look at and redeem one-time sign-in links."""

    def __init__(self, sessions: Sessions | Any, base_url: str = "") -> None:
        super().__init__(sessions)
        self.base_url = base_url.rstrip("/")

    async def issue(self, person: str, now: datetime, expires_at: datetime) -> str:
        """Store a new link for the person; its URL (the token is in it and nowhere else)."""
        token = secrets.token_urlsafe(32)
        async with self._sessions.begin() as session:
            await session.execute(
                insert(LINKS).values(
                    token_hash=digest(token), person=person, created_at=now, expires_at=expires_at
                )
            )
            await session.execute(delete(LINKS).where(LINKS.c.expires_at < now - KEEP_USED))
        return f"{self.base_url}/app/signin/link/{token}"

    async def state(self, token: str, now: datetime) -> LinkState:
        """Whether a link may still be used, without using it."""
        async with self._sessions() as session:
            row = (await session.execute(select(LINKS).where(LINKS.c.token_hash == digest(token)))).first()
        return _state(row, now)

    async def redeem(self, token: str, now: datetime) -> tuple[LinkState, str | None]:
        """Use a link once: (VALID, person) the first time within its lifetime, else why not and None."""
        async with self._sessions.begin() as session:
            return await redeem(session, token, now)


async def redeem(session: AsyncSession, token: str, now: datetime) -> tuple[LinkState, str | None]:
    """Use a link within a transaction: one conditional UPDATE, so of two clicks racing one wins."""
    done = await affected(
        session,
        update(LINKS)
        .where(LINKS.c.token_hash == digest(token), LINKS.c.used_at.is_(None), LINKS.c.expires_at > now)
        .values(used_at=now)
    )
    row = (await session.execute(select(LINKS).where(LINKS.c.token_hash == digest(token)))).first()
    if done == 1 and row is not None:
        return LinkState.VALID, str(row.person)
    state = _state(row, now)
    return (LinkState.USED if state == LinkState.VALID else state), None


def _state(row: Any, now: datetime) -> LinkState:
    if row is None:
        return LinkState.UNKNOWN
    if row.used_at is not None:
        return LinkState.USED
    return LinkState.EXPIRED if row.expires_at <= now else LinkState.VALID


@dataclass(frozen=True)
class ConsoleSession:
    """A browser session: signed in when `person` is set; `pending` holds an OpenID Connect sign-in."""

    token: str
    csrf: str
    person: str | None = None
    via: str = ""
    pending: dict[str, Any] = field(default_factory=dict)


class SqlConsoleSessions(SqlRepository):
    """Console sessions, found by the token in the cookie."""

    async def start(
        self,
        now: datetime,
        *,
        person: str | None = None,
        via: str = "",
        pending: dict[str, Any] | None = None,
    ) -> ConsoleSession:
        """A new session with a fresh token and CSRF token (a new one at every sign-in: no fixation)."""
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
        lifetime = SESSION_LIFETIME if person else PENDING_LIFETIME
        async with self._sessions.begin() as session:
            await session.execute(
                insert(SESSIONS).values(
                    token_hash=digest(token),
                    person=person,
                    via=via,
                    csrf=csrf,
                    pending=pending or {},
                    created_at=now,
                    expires_at=now + lifetime,
                )
            )
            await session.execute(delete(SESSIONS).where(SESSIONS.c.expires_at < now))
        return ConsoleSession(token, csrf, person, via, pending or {})

    async def sign_in(
        self,
        now: datetime,
        entry_for: Callable[[str], AuditEntry | None],
        *,
        person: str | None = None,
        link: str | None = None,
        replaces: str | None = None,
    ) -> tuple[LinkState, ConsoleSession | None]:
        """Sign someone in, in one transaction: use the link (if any), end the session it replaces, start
        a fresh one (no fixation) and write the audit entry. `entry_for` gives the entry of a person with
        console access, None for anyone else (then no session: (VALID, None))."""
        async with self._sessions.begin() as session:
            state = LinkState.VALID
            if link is not None:
                state, person = await redeem(session, link, now)
            entry = entry_for(person) if person is not None else None
            if entry is None:
                return state, None
            if replaces is not None:
                await session.execute(delete(SESSIONS).where(SESSIONS.c.token_hash == digest(replaces)))
            token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
            await session.execute(
                insert(SESSIONS).values(
                    token_hash=digest(token),
                    person=entry.who,
                    via=via_of(entry),
                    csrf=csrf,
                    pending={},
                    created_at=now,
                    expires_at=now + SESSION_LIFETIME,
                )
            )
            values = {name: getattr(entry, name) for name in AUDIT_FIELDS}
            await session.execute(insert(AUDIT).values({**values, "action": entry.action.value}))
        return state, ConsoleSession(token, csrf, entry.who, via_of(entry))

    async def get(self, token: str, now: datetime) -> ConsoleSession | None:
        """The live session of a cookie token, or None."""
        async with self._sessions() as session:
            row = (
                await session.execute(
                    select(SESSIONS).where(
                        SESSIONS.c.token_hash == digest(token), SESSIONS.c.expires_at > now
                    )
                )
            ).first()
        return ConsoleSession(token, row.csrf, row.person, row.via, dict(row.pending)) if row else None

    async def end(self, token: str) -> bool:
        """Delete a session (sign-out, or a pending sign-in that finished); whether it existed."""
        async with self._sessions.begin() as session:
            done = await affected(session, delete(SESSIONS).where(SESSIONS.c.token_hash == digest(token)))
        return bool(done)
