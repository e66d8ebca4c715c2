"""Shared fixtures. Database tests run on SQLite, and also on PostgreSQL when TEST_DATABASE_URL is set."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
import pytest_asyncio
from psycopg import sql
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from adapters.db import migrate
from adapters.db.engine import make_engine, make_sessionmaker, sync_url
from adapters.db.repositories import SqlRepositories
from adapters.db.tables import metadata

BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])


def _server_url() -> str:
    """TEST_DATABASE_URL as a libpq URI (psycopg does not read SQLAlchemy driver names)."""
    url = make_url(sync_url(os.environ["TEST_DATABASE_URL"])).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def _drop(admin: psycopg.Connection, name: str) -> None:
    # FORCE ends sessions a failed test left open, so the drop cannot hang (PostgreSQL 13+).
    admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@contextmanager
def postgres_database(prefix: str) -> Iterator[str]:
    """Create an empty database beside TEST_DATABASE_URL's, yield its URL, and drop it afterwards."""
    server = _server_url()
    name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:6]}"  # parallel runs never share one
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(server, autocommit=True) as admin:
            _drop(admin, name)


@contextmanager
def empty_database(backend: str, folder: Path, prefix: str) -> Iterator[str]:
    """The URL of a database with no tables: an SQLite file in `folder`, or a scratch PostgreSQL one."""
    if backend == "sqlite":
        yield f"sqlite:///{folder / (prefix + '.db')}"
    else:
        with postgres_database(prefix) as url:
            yield url


@pytest.fixture(scope="session", params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database migrated to head once per test session and backend."""
    with empty_database(request.param, tmp_path_factory.mktemp("db"), "fixloop_test") as url:
        migrate.upgrade(url)
        yield url


@pytest.fixture(params=BACKENDS)
def empty_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database with no tables at all, discarded after the test (for migration tests)."""
    with empty_database(request.param, tmp_path, "fixloop_migr_test") as url:
        yield url


@pytest_asyncio.fixture
async def engine(db_url: str) -> AsyncIterator[AsyncEngine]:
    """An async engine on the migrated database; every row is deleted after the test."""
    engine = make_engine(db_url)
    try:
        yield engine
    finally:
        async with engine.begin() as conn:
            for table in reversed(metadata.sorted_tables):  # children before parents
                await conn.execute(table.delete())
        await engine.dispose()  # closes pooled connections: PostgreSQL sees no leak


@pytest.fixture
def sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions on the test engine."""
    return make_sessionmaker(engine)


@pytest.fixture
def repos(sessionmaker: async_sessionmaker[AsyncSession]) -> SqlRepositories:
    """Every SQL repository on the test database."""
    return SqlRepositories.build(sessionmaker)
