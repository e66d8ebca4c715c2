"""The composition root: settings and config in, a Desk wired to real adapters out."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.clock import SystemClock
from adapters.db.engine import make_engine
from adapters.db.repositories import SqlRepositories
from adapters.notify import FanoutNotifier, LogNotifier
from adapters.search.classifier import LinearTextClassifier
from adapters.search.clustering import best_clusterer
from adapters.search.features import best_features
from adapters.search.ranker import LearnedRanker
from adapters.search.tfidf import TfidfRetriever
from adapters.slack.app import build_app
from adapters.slack.client import make_client
from adapters.slack.notifier import SlackNotifier
from adapters.teams.app import TeamsApp, build_teams
from adapters.teams.config import Endpoints, TeamsMisconfigured, teams_mode
from bot.config import AppConfig, ConfigError, load_config
from bot.settings import Settings
from core.cause_matching import CauseMatcher
from core.desk import Desk
from core.kb import Library
from core.ports import Clock, LanguageModel, Notifier
from core.team_routing import TeamRouter

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
    slack_app: Any = None  # the slack-bolt AsyncApp when Slack is enabled
    teams: TeamsApp | None = None  # the Bot Framework adapter, bot and notifier when Teams is enabled

    async def close(self) -> None:
        """Release the database connections and the language model's HTTP client."""
        close_llm = getattr(self.desk.llm, "close", None)
        if close_llm is not None:
            await close_llm()
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
        library=Library(LearnedRanker(best_features())),  # semantic when the extra is installed
        matcher=CauseMatcher(TfidfRetriever(chars=False)),  # words only: under 1 ms a ticket at 100k tickets
        notifier=notifier,
        clock=clock,
        org=config.org,
        llm=llm,
        router=TeamRouter(LinearTextClassifier(best_features())),  # learns from past escalations
        clusterer=best_clusterer(),
    )


async def build_runtime(
    settings: Settings,
    *,
    notifier: Notifier | None = None,
    clock: Clock | None = None,
    load_indexes: bool = True,
    teams_endpoints: Endpoints | None = None,
) -> Runtime:
    """Connect the database, read fixloop.toml, build the desk and load its indexes."""
    config = load_config(settings.fixloop_config)
    engine = make_engine(settings.database_url)
    repos = SqlRepositories.build(engine)
    base = notifier or LogNotifier()
    slack = _slack_notifier(settings, config)
    teams = _teams(settings, config, engine, repos, teams_endpoints)
    platforms = [n for n in (slack, teams.notifier if teams else None) if n is not None]
    combined = FanoutNotifier([base, *platforms]) if platforms else base
    desk = build_desk(
        repos, config, notifier=combined, clock=clock or SystemClock(), llm=_language_model(settings)
    )
    if load_indexes:
        await desk.refresh()
    retrieval = getattr(desk.library.retriever, "name", "tfidf")
    log.info(
        "retrieval back end: %s (offline); language model: %s; config: %s",
        retrieval,
        "on" if desk.llm else "off",
        config.source,
    )
    runtime = Runtime(
        settings=settings, config=config, engine=engine, repos=repos, desk=desk, retrieval=retrieval
    )
    if slack is not None:
        slack.bind(desk)
        runtime.slack_app = build_app(desk, settings, events=repos.events, client=slack.client)
    if teams is not None:
        teams.bind(desk)
        runtime.teams = teams
    return runtime


def _slack_notifier(settings: Settings, config: AppConfig) -> SlackNotifier | None:
    """The Slack notifier (and through it the Web API client) when Slack is enabled, else None."""
    if not settings.slack_enabled or settings.slack_bot_token is None:
        return None
    client = make_client(settings.slack_bot_token.get_secret_value(), settings.slack_api_url)
    return SlackNotifier(client, config.org)


def _language_model(settings: Settings) -> LanguageModel | None:
    """The OpenAI-compatible language model when OPENAI_API_KEY is set, else None (offline path)."""
    if settings.openai_api_key is None:
        return None
    from adapters.llm.openai_llm import OpenAILanguageModel

    key = settings.openai_api_key.get_secret_value()
    return OpenAILanguageModel(api_key=key, model=settings.openai_model, base_url=settings.openai_base_url)


def _teams(
    settings: Settings,
    config: AppConfig,
    engine: AsyncEngine,
    repos: SqlRepositories,
    endpoints: Endpoints | None,
) -> TeamsApp | None:
    """The Teams adapter and notifier when Teams is on (an app id, or development mode), else None."""
    try:
        mode = teams_mode(settings)
    except TeamsMisconfigured as exc:
        raise ConfigError(str(exc)) from exc  # the CLI prints it and stops, like a bad fixloop.toml
    if mode == "off":
        return None
    return build_teams(settings, engine, config.org, events=repos.events, endpoints=endpoints)
