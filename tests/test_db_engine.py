"""Database URLs map to the right drivers, and SQLite gets WAL and a busy timeout."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from adapters.db.engine import SQLITE_BUSY_MS, async_url, make_engine, ping, sync_url


def test_urls_map_to_async_and_sync_drivers(tmp_path: Path) -> None:
    db = tmp_path / "var" / "fixloop.db"
    assert async_url(f"sqlite:///{db}").drivername == "sqlite+aiosqlite"
    assert sync_url(f"sqlite+aiosqlite:///{db}") == f"sqlite:///{db}"
    assert db.parent.is_dir()
    for url in ("postgres://u:p%40ss@h:5432/d", "postgresql://u:p%40ss@h:5432/d"):
        assert async_url(url).drivername == "postgresql+psycopg"
        assert sync_url(url) == "postgresql+psycopg://u:p%40ss@h:5432/d"


async def test_sqlite_engine_uses_wal_and_waits_for_locks(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path}/sub/x.db")
    try:
        await ping(engine)
        async with engine.connect() as conn:
            assert (await conn.execute(text("PRAGMA journal_mode"))).scalar_one() == "wal"
            assert (await conn.execute(text("PRAGMA busy_timeout"))).scalar_one() == SQLITE_BUSY_MS
            assert (await conn.execute(text("PRAGMA foreign_keys"))).scalar_one() == 1
    finally:
        await engine.dispose()


async def test_an_in_memory_sqlite_engine_keeps_its_data_across_connections() -> None:
    engine = make_engine("sqlite://")
    try:
        async with engine.begin() as conn:
            await conn.execute(text("CREATE TABLE t (x INTEGER)"))
        async with engine.connect() as conn:
            assert (await conn.execute(text("SELECT count(*) FROM t"))).scalar_one() == 0
    finally:
        await engine.dispose()
