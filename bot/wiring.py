"""The composition root: settings and config in, a Desk wired to real adapters out."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.clock import SystemClock
from adapters.db.action_claims import SqlActionClaims
from adapters.db.console_auth import SqlSignInLinks
from adapters.db.engine import make_engine
from adapters.db.inbox import SqlInbox
from adapters.db.repositories import SqlRepositories
from adapters.deferred import Deferred
from adapters.intake import Intake
from adapters.loaded_models import LoadedModels
from adapters.notify import FanoutNotifier, LogNotifier
from adapters.outbox.dispatcher import Deliver, Dispatcher
from adapters.outbox.notifier import OutboxNotifier
from adapters.relearner import Relearner
from adapters.search.backend import retrieval_name
from adapters.slack import intake as slack_intake
from adapters.slack.app import build_app
from adapters.slack.client import make_client
from adapters.slack.ids import ACTION_CLAIMS
from adapters.slack.notifier import SlackNotifier
from adapters.slack.posting import OutboxPoster, SlackDelivery
from adapters.sweeper import InboxSweeper, Replay
from adapters.teams.config import Endpoints, TeamsMisconfigured, teams_mode
from adapters.trackers.links import thread_link
from bot import heap
from bot.config import AppConfig, ConfigError, load_config
from bot.metrics import Metrics
from bot.settings import Settings
from bot.tracker_config import build_trackers
from bot.worker_thread import WorkerThread
from core.cause_engine import Clusterer
from core.cause_matching import CauseMatcher
from core.desk import Desk
from core.incidents import IncidentPolicy, IncidentRules
from core.kb import Library
from core.knowledge import KnowledgeDesk
from core.org import Org
from core.ports import (
    Clock,
    LanguageModel,
    Notice,
    Notifier,
    Reports,
    Retriever,
    Stores,
    UnitOfWork,
)
from core.team_routing import TeamRouter

if TYPE_CHECKING:  # imported where used: the models' and Teams' libraries load only in processes using them
    from adapters.model_keeper import ModelKeeper
    from adapters.teams.app import TeamsApp
    from bot.stored_models import Makers

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
    slack_app: Any = None  # the slack-bolt AsyncApp serving people, when Slack is enabled
    slack_intake: Intake | None = None  # where Slack event callbacks are stored before the ack
    teams: TeamsApp | None = None  # the Bot Framework adapter, bot and notifier when Teams is enabled
    inbox: SqlInbox | None = None  # inbound events, on the intake pool
    intake_engine: AsyncEngine | None = None  # the small pool acknowledgements use
    dispatcher: Dispatcher | None = None  # delivers the outbox when a chat platform is connected
    sweeper: InboxSweeper | None = None  # replays inbound events whose handling never finished
    relearner: Relearner | None = None  # learns from tickets other processes resolved
    worker: WorkerThread | None = None  # inline intake: the handling side, on its own thread and loop
    keeper: ModelKeeper | None = None  # the stored learnt models this process serves

    def start_serving(self) -> None:
        """What `serve` runs beside its HTTP endpoints: inline, a worker thread; queued, nothing.

        Inline, this desk still answers buttons and forms, so it learns what other desks resolved.
        """
        if self.worker is not None and self.settings.fixloop_intake == "inline":
            self.worker.start()
            if self.relearner is not None:
                self.relearner.start()

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
        if self.worker is not None:  # let events in hand finish
            await self.worker.stop()
        if self.keeper is not None:
            await self.keeper.close()
        for worker in (self.dispatcher, self.sweeper, self.relearner):
            if worker is not None:
                await worker.stop()
        close_llm = getattr(self.desk.llm, "close", None)
        if close_llm is not None:
            await close_llm()
        if self.intake_engine is not None and self.intake_engine is not self.engine:
            await self.intake_engine.dispose()
        await self.engine.dispose()


@dataclass
class Models:
    """What the Desk learns with: article suggestions, cause matching, team routing, clustering."""

    library: Library
    matcher: CauseMatcher
    router: TeamRouter | None = None
    clusterer: Clusterer | None = None


def production_models(makers: Makers | None = None, *, deferred: bool = False) -> Models:
    """The offline retrieval back end: semantic when the extra is installed, TF-IDF otherwise.

    Deferred, each model is built (and scikit-learn imported) at its first use: for runtimes that load
    no stored model, such as the read paths, which then start without those libraries.
    """
    if deferred:
        return Models(
            library=Library(cast(Any, Deferred(lambda: _makers().ranker()))),
            matcher=CauseMatcher(cast(Any, Deferred(lambda: _makers().cause_index()))),
            router=TeamRouter(cast(Any, Deferred(lambda: _makers().classifier()))),
            clusterer=cast(Any, Deferred(_clusterer)),
        )
    makers = makers or _makers()
    return Models(
        library=Library(makers.ranker()),
        matcher=CauseMatcher(makers.cause_index()),
        router=TeamRouter(makers.classifier()),
        clusterer=_clusterer(),
    )


def _makers() -> Makers:
    from bot.stored_models import production_makers

    return production_makers()


def _clusterer() -> Clusterer:
    from adapters.search.clustering import best_clusterer

    return best_clusterer()


def build_desk(
    stores: Stores,
    org: Org,
    *,
    uow: Callable[[], UnitOfWork],
    notifier: Notifier,
    clock: Clock,
    reports: Reports,
    llm: LanguageModel | None = None,
    models: Models | None = None,
) -> Desk:
    """Inject the stores, a unit of work per use case and the models into every use case."""
    models = models or production_models()
    return Desk(
        uow=uow,
        tickets=stores.tickets,
        causes=stores.causes,
        articles=stores.articles,
        escalations=stores.escalations,
        reviews=stores.reviews,
        csat=stores.csat,
        audit=stores.audit,
        reports=reports,
        library=models.library,
        matcher=models.matcher,
        notifier=notifier,
        clock=clock,
        org=org,
        llm=llm,
        router=models.router,
        clusterer=models.clusterer,
    )


async def build_runtime(
    settings: Settings,
    *,
    notifier: Notifier | None = None,
    clock: Clock | None = None,
    load_indexes: bool = True,
    teams_endpoints: Endpoints | None = None,
    metrics: Metrics | None = None,
    in_worker_thread: bool = False,
    loaded: LoadedModels | None = None,
) -> Runtime:
    """Connect the database, read fixloop.toml, build the desk and load its indexes.

    For `serve` with inline intake it also prepares the worker thread (started by start_serving), which
    builds its own runtime with the same arguments, counting into the same metrics and serving the same
    loaded models (one copy per process: adapters/loaded_models.py).
    """
    config = load_config(settings.fixloop_config)
    engine = make_engine(settings.database_url)
    repos = SqlRepositories.build(engine)
    repos.inbox.lease = repos.outbox.lease = timedelta(seconds=settings.fixloop_lease_seconds)
    # Acknowledging an event needs one insert: its own small pool, so it never queues behind handlers.
    intake_engine = _intake_engine(settings.database_url, engine)
    inbox = SqlInbox(intake_engine)
    inbox.lease = repos.inbox.lease
    metrics = metrics or Metrics()
    worker = None
    loaded = loaded or LoadedModels()
    if not in_worker_thread:
        worker = WorkerThread(
            lambda: build_runtime(
                settings,
                notifier=notifier,
                clock=clock,
                teams_endpoints=teams_endpoints,
                metrics=metrics,
                in_worker_thread=True,
                loaded=loaded,
            )
        )
    intakes = _Intakes(inbox, metrics, worker)
    slack = _slack_notifier(settings, config)
    teams = _teams(settings, config, engine, intakes.of("teams"), teams_endpoints)
    dispatcher = _dispatcher(repos, slack, teams, metrics)
    local = notifier or LogNotifier()
    combined: Notifier = local
    queued: OutboxNotifier | None = None
    wake_outbox: Callable[[], None] = lambda: None  # noqa: E731
    if dispatcher is not None:  # chat platforms get notices through the outbox, once each
        wake_outbox = _both(dispatcher.wake, worker.wake_outbox if worker else None)
        queued = OutboxNotifier(repos.outbox, list(dispatcher.deliverers), wake_outbox, count=_count(metrics))
        combined = FanoutNotifier([local, queued])
    makers = _makers() if load_indexes else None
    desk = build_desk(
        repos,
        config.org,
        uow=lambda: repos.unit_of_work(outbox=queued, notifier=local),
        notifier=combined,
        clock=clock or SystemClock(),
        reports=repos.reports,
        llm=_language_model(settings),
        models=production_models(makers, deferred=makers is None),
    )
    desk.matcher.limit = settings.fixloop_fit_examples  # the cause index's texts, as the other fits
    desk.trackers, desk.thread_link = build_trackers(settings, config.trackers), thread_link
    desk.sign_in = SqlSignInLinks(engine, settings.console_url)
    desk.incidents, desk.incident_rules = repos.incidents, incident_rules(config.incidents)
    keeper = None
    if makers is not None:  # the last stored models; fitted (and stored) only when none can be loaded
        from bot.stored_models import model_keeper

        keeper = model_keeper(desk, repos, makers, examples=settings.fixloop_fit_examples, loaded=loaded)
        desk.library.refit_inline = False  # refits run in the background (keeper.tick), never per request
        desk.library.on_change = lambda: keeper.refit_soon("suggestions") if keeper else None
        await keeper.start()
    # Without models, the name they would have (asking the deferred ranker would build it).
    retrieval = getattr(desk.library.retriever, "name", "tfidf") if makers else retrieval_name()
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
        relearner=Relearner(heap.settling(keeper.tick if keeper else desk.catch_up),
                            interval=settings.fixloop_relearn_seconds),
        worker=worker,
        keeper=keeper,
    )
    handlers: dict[str, Replay] = {}
    if slack is not None and dispatcher is not None:
        slack.bind(desk)
        common: dict[str, Any] = {
            "poster": OutboxPoster(repos.outbox, wake_outbox),
            "client": slack.client,
            "workers": settings.fixloop_workers,
            "claims": SqlActionClaims(engine, ACTION_CLAIMS),
            "knowledge_desk": knowledge_desk(runtime),
        }
        runtime.slack_intake = intakes.of("slack")
        runtime.slack_app = build_app(desk, settings, intake=runtime.slack_intake, **common)
        handlers["slack"] = slack_intake.handler(build_app(desk, settings, stored_events=True, **common))
    if teams is not None:
        teams.bind(desk, knowledge_desk(runtime))
        runtime.teams = teams
        handlers["teams"] = teams.handler()
    if handlers:
        runtime.sweeper = InboxSweeper(
            inbox,
            handlers,
            # Queued: the inbox is the work queue of other processes, so look often; in the inline
            # worker thread the intake wakes the sweeper, which then only looks for leftovers.
            interval=0.05 if settings.fixloop_intake == "queued" else settings.fixloop_sweep_seconds,
            concurrency=settings.fixloop_workers,
            on_replay=lambda platform: metrics.replays.labels(platform).inc(),
        )
    return runtime


def incident_rules(policy: IncidentPolicy | None) -> IncidentRules | None:
    """The incident rule: a small word TF-IDF index per comparison (the compared open tickets only),
    its words weighed by the newest tickets' document frequencies, counted once a minute per process."""
    if policy is None:
        return None
    return IncidentRules(policy, _word_index, weigh=_Weigh())


def _word_index() -> Retriever:
    from adapters.search.tfidf import TfidfRetriever

    return TfidfRetriever(chars=False)


class _Weigh:
    """Words().weigh, its vocabulary library imported at the first incident check."""

    def __init__(self) -> None:
        self._words: Any = None

    def __call__(self, texts: Sequence[str]) -> Any:
        if self._words is None:
            from adapters.search.word_weights import Words

            self._words = Words()
        return self._words.weigh(texts)


def knowledge_desk(runtime: Runtime) -> KnowledgeDesk:
    """The knowledge-gap use cases over the runtime's database and desk (see bot/gaps.py)."""
    from bot.gaps import knowledge_desk as build

    return build(runtime)


class _Intakes:
    """One Intake per platform on the shared inbox, each counting its outcomes and waking the worker."""

    def __init__(self, inbox: SqlInbox, metrics: Metrics, worker: WorkerThread | None) -> None:
        self.inbox, self.metrics, self.worker = inbox, metrics, worker

    def of(self, platform: str) -> Intake:
        """The intake of one platform."""
        return Intake(
            self.inbox,
            platform,
            count=lambda outcome: self.metrics.intake.labels(platform, outcome).inc(),
            stored=self.worker.wake if self.worker is not None else lambda: None,
        )


def _both(first: Callable[[], None], second: Callable[[], None] | None) -> Callable[[], None]:
    """Call one waker, then the other if there is one."""

    def wake() -> None:
        first()
        if second is not None:
            second()

    return wake


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
        from adapters.teams.notifier import teams_delivery

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
    # No ping before each use: it would double the acknowledgement's round trips. A connection the
    # database dropped fails one acknowledgement (503: the platform redelivers) and the pool is renewed.
    return make_engine(url, pool_size=4, max_overflow=4, pool_pre_ping=False)


def _teams(
    settings: Settings,
    config: AppConfig,
    engine: AsyncEngine,
    intake: Intake,
    endpoints: Endpoints | None,
) -> TeamsApp | None:
    """The Teams adapter and notifier when Teams is on (an app id, or development mode), else None."""
    try:
        mode = teams_mode(settings)
    except TeamsMisconfigured as exc:
        raise ConfigError(str(exc)) from exc  # the CLI prints it and stops, like a bad fixloop.toml
    if mode == "off":
        return None
    from adapters.teams.app import build_teams  # the Bot Framework SDK: about 30 MB, only when Teams is on

    return build_teams(settings, engine, config.org, intake=intake, endpoints=endpoints)
