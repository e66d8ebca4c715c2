"""The composition root: settings and config in, a Desk wired to real adapters out."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.clock import SystemClock
from adapters.db.action_claims import SqlActionClaims
from adapters.db.engine import make_engine
from adapters.db.inbox import SqlInbox
from adapters.db.repositories import SqlRepositories
from adapters.notify import FanoutNotifier, LogNotifier
from adapters.outbox.dispatcher import Deliver, Dispatcher
from adapters.outbox.notifier import OutboxNotifier
from adapters.relearner import Relearner
from adapters.search.abstention import CalibratedRanker
from adapters.search.classifier import LinearTextClassifier
from adapters.search.clustering import best_clusterer
from adapters.search.features import best_features, best_features_maker
from adapters.search.ranker import LearnedRanker
from adapters.search.tfidf import TfidfRetriever
from adapters.slack import intake as slack_intake
from adapters.slack.app import build_app
from adapters.slack.client import make_client
from adapters.slack.event_intake import EventIntake
from adapters.slack.ids import ACTION_CLAIMS
from adapters.slack.notifier import SlackNotifier
from adapters.slack.posting import OutboxPoster, SlackDelivery
from adapters.sweeper import InboxSweeper, Replay
from adapters.teams.app import TeamsApp, build_teams
from adapters.teams.config import Endpoints, TeamsMisconfigured, teams_mode
from adapters.teams.notifier import teams_delivery
from bot.config import AppConfig, ConfigError, load_config
from bot.metrics import Metrics
from bot.settings import Settings
from core.cause_matching import CauseMatcher
from core.desk import Desk
from core.kb import Library
from core.knowledge import KnowledgeDesk
from core.ports import Clock, LanguageModel, Notice, Notifier
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
    metrics: Metrics = field(default_factory=Metrics)
    slack_app: Any = None  # the slack-bolt AsyncApp when Slack is enabled
    slack_events: EventIntake | None = None  # the fast path of Events API callbacks
    teams: TeamsApp | None = None  # the Bot Framework adapter, bot and notifier when Teams is enabled
    inbox: SqlInbox | None = None  # inbound events, on the intake pool
    intake_engine: AsyncEngine | None = None  # the small pool acknowledgements use
    dispatcher: Dispatcher | None = None  # delivers the outbox when a chat platform is connected
    sweeper: InboxSweeper | None = None  # replays inbound events whose handling never finished
    relearner: Relearner | None = None  # learns from tickets other processes resolved

    def start_background(self, work: bool = True) -> None:
        """Start delivering the outbox and handling the inbox (`serve` inline, or `fixloop worker`)."""
        if not work:
            return  # queued intake: `serve` only acknowledges; worker processes do the rest
        for worker in (self.dispatcher, self.sweeper, self.relearner):
            if worker is not None:
                worker.start()

    async def drain(self, within: float = 30.0) -> int:
        """Deliver what the outbox holds now (one-shot commands such as `fixloop digest --post`)."""
        return await self.dispatcher.drain(within=within) if self.dispatcher else 0

    async def close(self) -> None:
        """Stop the background workers; release the database connections and the model's HTTP client."""
        if self.slack_events is not None and self.slack_events.tasks:  # let events in hand finish
            await asyncio.wait(set(self.slack_events.tasks), timeout=5)
        for worker in (self.dispatcher, self.sweeper, self.relearner):
            if worker is not None:
                await worker.stop()
        close_llm = getattr(self.desk.llm, "close", None)
        if close_llm is not None:
            await close_llm()
        if self.intake_engine is not None and self.intake_engine is not self.engine:
            await self.intake_engine.dispose()
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
    make_features = best_features_maker()  # one embedding cache for every cross-validation fold
    return Desk(
        tickets=repos.tickets,
        causes=repos.causes,
        articles=repos.articles,
        escalations=repos.escalations,
        reviews=repos.reviews,
        csat=repos.csat,
        # Semantic when the extra is installed; the abstention threshold and the shown confidence are learnt
        # from this deployment's history with whole articles held out (adapters/search/abstention.py).
        library=Library(CalibratedRanker(lambda: LearnedRanker(make_features()))),
        matcher=CauseMatcher(TfidfRetriever(chars=False)),  # words only: under 1 ms a ticket at 100k tickets
        notifier=notifier,
        clock=clock,
        org=config.org,
        audit=repos.audit,
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
    repos.inbox.lease = repos.outbox.lease = timedelta(seconds=settings.fixloop_lease_seconds)
    # Acknowledging an event needs one insert: its own small pool, so it never queues behind handlers.
    intake_engine = _intake_engine(settings.database_url, engine)
    inbox = SqlInbox(intake_engine)
    inbox.lease = repos.inbox.lease
    metrics = Metrics()
    slack = _slack_notifier(settings, config)
    teams = _teams(settings, config, engine, inbox, teams_endpoints)
    dispatcher = _dispatcher(repos, slack, teams, metrics)
    combined = notifier or LogNotifier()
    if dispatcher is not None:  # chat platforms get notices through the outbox, once each
        queued = OutboxNotifier(
            repos.outbox, list(dispatcher.deliverers), dispatcher.wake, count=_count(metrics)
        )
        combined = FanoutNotifier([combined, queued])
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
        settings=settings,
        config=config,
        engine=engine,
        repos=repos,
        desk=desk,
        retrieval=retrieval,
        metrics=metrics,
        dispatcher=dispatcher,
        inbox=inbox,
        intake_engine=intake_engine,
        relearner=Relearner(desk.catch_up, interval=settings.fixloop_relearn_seconds),
    )
    replayers: dict[str, Replay] = {}
    if slack is not None and dispatcher is not None:
        slack.bind(desk)
        runtime.slack_app = build_app(
            desk,
            settings,
            inbox=inbox,
            poster=OutboxPoster(repos.outbox, dispatcher.wake),
            client=slack.client,
            count=lambda outcome: metrics.intake.labels("slack", outcome).inc(),
            workers=settings.fixloop_workers,
            queued=settings.fixloop_intake == "queued",
            claims=SqlActionClaims(engine, ACTION_CLAIMS),
            knowledge_desk=knowledge_desk(runtime),
        )
        replayers["slack"] = slack_intake.replayer(runtime.slack_app, inbox)
        if settings.slack_signing_secret is not None:
            runtime.slack_events = EventIntake(
                runtime.slack_app,
                inbox,
                settings.slack_signing_secret.get_secret_value(),
                queued=settings.fixloop_intake == "queued",
                workers=settings.fixloop_workers,
                count=lambda outcome: metrics.intake.labels("slack", outcome).inc(),
            )
    if teams is not None:
        teams.bind(desk, knowledge_desk(runtime))
        teams.queued = settings.fixloop_intake == "queued"
        runtime.teams = teams
        replayers["teams"] = teams.replayer()
    if replayers:
        runtime.sweeper = InboxSweeper(
            inbox,
            replayers,
            # Queued intake: the inbox is the work queue, so a worker looks often; inline: only leftovers.
            interval=0.05 if settings.fixloop_intake == "queued" else settings.fixloop_sweep_seconds,
            concurrency=settings.fixloop_workers,
            on_replay=lambda platform: metrics.replays.labels(platform).inc(),
        )
    return runtime


def knowledge_desk(runtime: Runtime) -> KnowledgeDesk:
    """The knowledge-gap use cases over the runtime's database and desk (see bot/gaps.py)."""
    from bot.gaps import knowledge_desk as build

    return build(runtime)


def _count(metrics: Metrics) -> Callable[[Notice], None]:
    """Count escalations as their notices are queued (every escalation posts one)."""

    def count(notice: Notice) -> None:
        if notice.kind == "escalation":
            metrics.escalations.inc()

    return count


def _dispatcher(
    repos: SqlRepositories, slack: SlackNotifier | None, teams: TeamsApp | None, metrics: Metrics
) -> Dispatcher | None:
    """The outbox dispatcher with one deliverer per connected platform, or None with no platform."""
    deliverers: dict[str, Deliver] = {}
    if slack is not None:
        deliverers["slack"] = SlackDelivery(slack.client, slack)
    if teams is not None:
        deliverers["teams"] = teams_delivery(teams.notifier)
    if not deliverers:
        return None
    return Dispatcher(
        repos.outbox,
        deliverers,
        on_result=lambda destination, outcome: metrics.deliveries.labels(destination, outcome).inc(),
    )


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
    return OpenAILanguageModel(
        api_key=key,
        model=settings.openai_model,
        base_url=settings.openai_base_url,
        timeout=settings.openai_timeout_seconds,
    )


def _intake_engine(url: str, engine: AsyncEngine) -> AsyncEngine:
    """A second small engine for acknowledgements; the main one for SQLite (one writer, and an
    in-memory database exists once per engine)."""
    if engine.dialect.name == "sqlite":
        return engine
    return make_engine(url, pool_size=4, max_overflow=4)


def _teams(
    settings: Settings,
    config: AppConfig,
    engine: AsyncEngine,
    inbox: SqlInbox,
    endpoints: Endpoints | None,
) -> TeamsApp | None:
    """The Teams adapter and notifier when Teams is on (an app id, or development mode), else None."""
    try:
        mode = teams_mode(settings)
    except TeamsMisconfigured as exc:
        raise ConfigError(str(exc)) from exc  # the CLI prints it and stops, like a bad fixloop.toml
    if mode == "off":
        return None
    return build_teams(settings, engine, config.org, inbox=inbox, endpoints=endpoints)
