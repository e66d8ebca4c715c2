"""The composition root: settings and config in, a Desk wired to real adapters out."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.clock import SystemClock
from adapters.db.engine import make_engine
from adapters.db.repositories import SqlRepositories
from adapters.notify import LogNotifier
from adapters.search.tfidf import TfidfRetriever
from bot.config import AppConfig, load_config
from bot.settings import Settings
from core.cause_matching import CauseMatcher
from core.desk import Desk
from core.kb import Library
from core.ports import Clock, LanguageModel, Notifier

log = logging.getLogger("fixloop")


@dataclass
class Runtime:
    """Everything a running Fixloop holds, so it can be closed in one place."""

    settings: Settings
    config: AppConfig
    engine: AsyncEngine
    repos: SqlRepositories
    desk: Desk
    retrieval: str

    async def close(self) -> None:
        """Release the database connections."""
        await self.engine.dispose()


def build_desk(
    repos: SqlRepositories,
    config: AppConfig,
    *,
    notifier: Notifier,
    clock: Clock,
    llm: LanguageModel | None = None,
) -> Desk:
    """Bind every use case to the SQL repositories and the offline retrieval back end."""
    return Desk(
        tickets=repos.tickets,
        causes=repos.causes,
        articles=repos.articles,
        escalations=repos.escalations,
        reviews=repos.reviews,
        csat=repos.csat,
        library=Library(TfidfRetriever()),
        matcher=CauseMatcher(TfidfRetriever()),
        notifier=notifier,
        clock=clock,
        org=config.org,
        llm=llm,
    )


async def build_runtime(
    settings: Settings,
    *,
    notifier: Notifier | None = None,
    clock: Clock | None = None,
    load_indexes: bool = True,
) -> Runtime:
    """Connect the database, read fixloop.toml, build the desk and load its indexes."""
    config = load_config(settings.fixloop_config)
    engine = make_engine(settings.database_url)
    repos = SqlRepositories.build(engine)
    desk = build_desk(repos, config, notifier=notifier or LogNotifier(), clock=clock or SystemClock())
    if load_indexes:
        await desk.refresh()
    log.info("retrieval back end: tfidf (offline); config: %s", config.source)
    return Runtime(settings=settings, config=config, engine=engine, repos=repos, desk=desk, retrieval="tfidf")
