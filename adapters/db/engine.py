"""Database URLs and the async engine: SQLite (aiosqlite) by default, PostgreSQL (psycopg 3) at scale."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import StaticPool

from adapters.db import write_gate

SQLITE_BUSY_MS = 5000  # wait for a writer instead of failing at once with "database is locked"


def _parse(url: str | URL) -> URL:
    """Parse a URL, turning Heroku-style postgres:// into postgresql://."""
    parsed = make_url(url)
    if parsed.drivername in ("postgres", "postgresql"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def _is_memory(url: URL) -> bool:
    return url.database in (None, "", ":memory:")


def _ensure_folder(url: URL) -> None:
    """Create the folder of an SQLite file, which SQLite will not do itself."""
    if url.get_backend_name() == "sqlite" and not _is_memory(url):
        Path(str(url.database)).expanduser().parent.mkdir(parents=True, exist_ok=True)


def async_url(url: str | URL) -> URL:
    """The URL with an async driver: sqlite+aiosqlite or postgresql+psycopg."""
    parsed = _parse(url)
    if parsed.drivername == "sqlite":
        parsed = parsed.set(drivername="sqlite+aiosqlite")
    return parsed


def sync_url(url: str | URL) -> str:
    """The URL with a sync driver, for Alembic: sqlite:// or postgresql+psycopg://."""
    parsed = _parse(url)
    if parsed.get_backend_name() == "sqlite":
        parsed = parsed.set(drivername="sqlite")
    _ensure_folder(parsed)
    return parsed.render_as_string(hide_password=False)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers work while one writer writes; foreign keys are off by default in SQLite.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def make_engine(url: str | URL, **kwargs: Any) -> AsyncEngine:
    """An async engine for a database URL; nothing connects until first use."""
    parsed = async_url(url)
    _ensure_folder(parsed)
    if parsed.get_backend_name() == "sqlite":
        if _is_memory(parsed):
            # One shared connection, or every new connection would see a fresh empty database.
            kwargs.setdefault("poolclass", StaticPool)
        kwargs.setdefault("connect_args", {"timeout": SQLITE_BUSY_MS / 1000})
        engine = create_async_engine(parsed, **kwargs)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        if not _is_memory(parsed):  # one shared connection in memory: nothing to queue
            path = str(Path(str(parsed.database)).expanduser().resolve())
            write_gate.install(engine.sync_engine, path, SQLITE_BUSY_MS / 1000)
        return engine
    kwargs.setdefault("pool_pre_ping", True)  # survive database restarts and idle timeouts
    # No JIT: the reports' plans over a large ledger cross its cost threshold, and compiling them took
    # longer (1.2 s of 1.5 s for a KPI query at 100k tickets) than running them; nothing here gains by it.
    kwargs.setdefault("connect_args", {"options": "-c jit=off"})
    return create_async_engine(parsed, **kwargs)


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions whose objects stay readable after commit."""
    return async_sessionmaker(engine, expire_on_commit=False)


async def ping(engine: AsyncEngine) -> None:
    """Run a trivial query; raise if the database cannot be reached."""
    async with engine.connect() as conn:
        await conn.execute(text("SELECT 1"))
