"""The migrations build exactly the tables of adapters/db/tables.py, and undo them, on every backend."""

from __future__ import annotations

from sqlalchemy import create_engine, inspect, pool

from adapters.db import migrate
from adapters.db.engine import sync_url
from adapters.db.tables import metadata


def table_names(url: str) -> set[str]:
    engine = create_engine(sync_url(url), poolclass=pool.NullPool)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_migrations_upgrade_check_downgrade_and_upgrade_again(empty_db_url: str) -> None:
    migrate.upgrade(empty_db_url)
    assert table_names(empty_db_url) == set(metadata.tables) | {"alembic_version"}
    assert migrate.current(empty_db_url) is not None
    migrate.check(empty_db_url)  # raises if a model changed without a migration

    migrate.downgrade(empty_db_url, "base")
    assert table_names(empty_db_url) == {"alembic_version"}
    assert migrate.current(empty_db_url) is None

    migrate.upgrade(empty_db_url)
    migrate.check(empty_db_url)
    assert table_names(empty_db_url) == set(metadata.tables) | {"alembic_version"}


def test_upgrade_creates_the_sqlite_folder(tmp_path: object) -> None:
    url = f"sqlite:///{tmp_path}/nested/deeper/fixloop.db"
    migrate.upgrade(url)
    assert "tickets" in table_names(url)
