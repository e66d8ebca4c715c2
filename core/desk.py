"""The Desk: every use case with its dependencies injected, the one object the chat adapters and the CLI call.

As cosmicpython's bootstrap: a use case names the dependencies it needs as keyword-only parameters,
and `inject_dependencies` binds them by name. A use case that takes `uow` gets a fresh unit of work
per call, and is run again from a fresh read when another process changed what it read (Conflict).
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass, field, fields
from typing import Any, TypeVar

from core import (
    coaching,
    duplicates,
    fix_news,
    fix_poll,
    fix_tracking,
    fix_watch,
    fixes,
    follow_ups,
    frontline,
    incident_resolution,
    intake,
    learning,
    priority,
    reclustering,
    reports,
    resolution,
    routing,
    threads,
)
from core.agent_commands import AgentCommand, Verb
from core.cause_engine import Clusterer
from core.cause_matching import CauseMatcher
from core.console import ConsoleLink, console_link
from core.errors import InvalidInput
from core.fix_issue import ThreadLink
from core.incidents import IncidentRepository, IncidentRules
from core.kb import Library
from core.learning import LearningSync
from core.org import Org
from core.ports import (
    ArticleRepository,
    AuditLog,
    CauseRepository,
    Clock,
    CsatRepository,
    EscalationRepository,
    LanguageModel,
    Notifier,
    Reports,
    ReviewRepository,
    SignInLinks,
    TicketRepository,
    UnitOfWork,
)
from core.retries import CONFLICT_TRIES as CONFLICT_TRIES  # re-exported: older importers read it here
from core.retries import retry_conflicts
from core.team_routing import TeamRouter
from core.tickets import Ticket
from core.trackers import Trackers

T = TypeVar("T")


def inject_dependencies(
    handler: Callable[..., Awaitable[T]], dependencies: Mapping[str, Any]
) -> Callable[..., Awaitable[T]]:
    """The handler with the dependencies it names bound; `uow` (a factory) gives a new unit per attempt."""
    # Dependencies are looked up at each call, so one replaced later (a test's clock) is the one used.
    params = inspect.signature(handler).parameters
    names = [name for name in dependencies if name in params and name != "uow"]

    def deps() -> dict[str, Any]:
        return {name: dependencies[name] for name in names}

    if "uow" not in params:
        return lambda *args, **kwargs: handler(*args, **deps(), **kwargs)

    async def with_uow(*args: Any, **kwargs: Any) -> T:
        return await retry_conflicts(lambda: handler(*args, **deps(), uow=dependencies["uow"](), **kwargs))

    return with_uow


class _Dependencies(Mapping[str, Any]):
    """A Desk's fields by name, read when asked."""

    def __init__(self, desk: Desk) -> None:
        self._desk = desk

    def __getitem__(self, name: str) -> Any:
        return getattr(self._desk, name)

    def __iter__(self) -> Iterator[str]:
        return (f.name for f in fields(self._desk))

    def __len__(self) -> int:
        return len(fields(self._desk))


@dataclass
class Desk:
    """The dependencies, and each use case bound to those it names (built by bot/wiring.build_desk)."""

    uow: Callable[[], UnitOfWork]  # one transaction per use-case call
    tickets: TicketRepository  # reads outside a transaction: queries, and the chat adapters' look-ups
    causes: CauseRepository
    articles: ArticleRepository
    escalations: EscalationRepository
    reviews: ReviewRepository
    csat: CsatRepository
    audit: AuditLog
    reports: Reports  # every figure over the ledger (KPIs, ranked causes, the digest), aggregated in SQL
    library: Library
    matcher: CauseMatcher
    notifier: Notifier  # scheduled jobs post through it; use cases queue notices on their unit of work
    clock: Clock
    org: Org
    llm: LanguageModel | None = None
    router: TeamRouter | None = None
    clusterer: Clusterer | None = None
    learning: LearningSync = field(default_factory=LearningSync)
    sign_in: SignInLinks | None = None  # one-time console links; None where no console is served
    trackers: Trackers = field(default_factory=Trackers)  # the owning teams' issue trackers
    thread_link: ThreadLink = lambda _ticket: None  # links back to chat threads in filed issues
    incidents: IncidentRepository | None = None  # incidents and ticket links (core/incidents.py)
    incident_rules: IncidentRules | None = None  # None: no incidents, no duplicate joining

    def __post_init__(self) -> None:
        deps = _Dependencies(self)

        def bind(handler: Callable[..., Awaitable[T]]) -> Callable[..., Awaitable[T]]:
            return inject_dependencies(handler, deps)

        self.refresh = bind(learning.refresh)
        self.catch_up = bind(learning.catch_up)
        self.propose_causes = bind(reclustering.propose)
        self.apply_reclustering = bind(reclustering.apply_reclustering)
        self.log_request = bind(intake.log_request)
        self.solved = bind(resolution.solved_by_article)
        self.need_human = bind(resolution.ask_for_human)
        self.set_priority = bind(priority.set_priority)
        self.suggest_owner = bind(routing.owner_for)
        self.escalate = bind(routing.escalate)
        self.judge = bind(routing.judge)
        self.record_root_cause = bind(fixes.record_root_cause)
        self.link_fix = bind(fixes.link_fix)
        self.ship_fix = bind(fixes.ship_fix)
        self.file_fix_issue = bind(fix_tracking.file_fix_issue)
        self.apply_issue_states = bind(fix_tracking.apply_issue_states)
        self.poll_trackers = bind(fix_poll.poll_trackers)
        self.watch_fixes = bind(fix_watch.watch_fixes)
        self.fix_solved = bind(fix_news.fix_solved)
        self.fix_still_happening = bind(fix_news.fix_still_happening)
        self.front_line = bind(frontline.run)  # the typed assign, reply, resolve, priority, link
        self.reopen = bind(resolution.reopen)
        self.record_csat = bind(resolution.record_csat)
        self.record_review = bind(coaching.record_review)
        self.answer_follow_up = bind(follow_ups.answer_follow_up)
        self.find_thread = bind(threads.find_thread)
        self.edit_message = bind(threads.edit_message)
        self.delete_message = bind(threads.delete_message)
        self.remember_chat = bind(threads.remember_chat)
        self.ticket_for = bind(threads.ticket_for)
        self.my_tickets = bind(threads.my_tickets)
        self.queue = bind(threads.queue)
        self.triage_context = bind(threads.triage_context)
        self.ranked_causes = bind(reports.ranked_causes)
        self.kpis = bind(reports.kpis)
        self.digest = bind(reports.digest)
        self.coaching = bind(reports.coaching_prompts)
        self.review_summary = bind(reports.review_summary)
        self.audit_entries = bind(reports.audit_entries)
        self.resolve_incident = bind(incident_resolution.resolve_incident)
        self.incident_view = bind(incident_resolution.incident_view)
        self.similar_open = bind(duplicates.similar_open)

    async def assign(self, ticket_id: str, user: str, platform: str | None = None) -> Ticket:
        """The agent `user` takes the ticket: the typed `assign` naming no one (core/frontline.py)."""
        return (await self.front_line(AgentCommand(Verb.ASSIGN, ticket_id), user, platform)).ticket

    async def resolve(self, ticket_id: str, user: str, platform: str | None = None) -> Ticket:
        """The agent `user` resolves the ticket: the typed `resolve` without a note (core/frontline.py)."""
        return (await self.front_line(AgentCommand(Verb.RESOLVE, ticket_id), user, platform)).ticket

    async def agent_reply(
        self, ticket_id: str, user: str, text: str, platform: str | None = None, ref: str | None = None
    ) -> Ticket:
        """The agent `user` answers the requester: the typed `reply` (core/frontline.py)."""
        cmd = AgentCommand(Verb.REPLY, ticket_id, text=text)
        return (await self.front_line(cmd, user, platform, ref=ref)).ticket

    async def console_link(self, user: str, platform: str | None = None) -> ConsoleLink:
        """A one-time sign-in link to the console for a leader, manager or agent."""
        if self.sign_in is None:
            raise InvalidInput("The console is not set up on this Fixloop.")
        return await console_link(user, links=self.sign_in, org=self.org, clock=self.clock, platform=platform)
