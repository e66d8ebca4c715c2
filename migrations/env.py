"""Alembic environment: one set of migrations for SQLite (batch mode) and PostgreSQL."""

from __future__ import annotations

import os
from logging.config import fileConfig
from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy import create_engine, pool

from adapters.db.engine import sync_url
from adapters.db.tables import UTCDateTime, metadata

DEFAULT_URL = "sqlite:///var/fixloop.db"

config = context.config
if config.config_file_name and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def database_url() -> str:
    """The URL given by adapters.db.migrate, else DATABASE_URL, else the default SQLite file."""
    url = config.attributes.get("url") or os.environ.get("DATABASE_URL") or DEFAULT_URL
    return sync_url(url)


def render_item(kind: str, obj: Any, autogen_context: AutogenContext) -> str | Literal[False]:
    """Write UTCDateTime as a plain timestamp: migrations must not import application types."""
    if kind == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def configure(**kwargs: Any) -> None:
    """Settings shared by offline and online runs."""
    url = kwargs.pop("url", None) or database_url()
    context.configure(
        url=url if "connection" not in kwargs else None,
        target_metadata=metadata,
        compare_type=True,
        render_item=render_item,
        render_as_batch=url.startswith("sqlite"),  # SQLite alters tables by copying them
        **kwargs,
    )


def run_offline() -> None:
    """Emit SQL to stdout instead of running it (`alembic upgrade head --sql`)."""
    configure(literal_binds=True, dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    """Run migrations on a live connection; NullPool so nothing stays connected afterwards."""
    url = database_url()
    engine = create_engine(url, poolclass=pool.NullPool)
    try:
        with engine.connect() as connection:
            configure(url=url, connection=connection)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
