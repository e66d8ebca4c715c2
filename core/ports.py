"""The ports core talks through. Adapters implement them; tests use the fakes in tests/fakes.py."""

from __future__ import annotations

import builtins
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import datetime
from types import TracebackType
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

if TYPE_CHECKING:
    from core.audit import AuditEntry
    from core.cause_engine import ClusterDoc
    from core.causes import Cause, RankedCause
    from core.coaching import Review
    from core.digests import Digest
    from core.escalation import Escalation
    from core.kb import Article
    from core.kpis import KpiReport
    from core.org import ImpactWeights, Org
    from core.periods import Period
    from core.tickets import CsatResponse, Ticket
    from core.trackers import IssueDraft, IssueRef, IssueState


R = TypeVar("R")
# Where a use case runs CPU work that takes seconds or minutes (re-clustering, grouping the gaps): a worker
# thread when serving (asyncio.to_thread), so the event loop keeps answering.
Offload = Callable[[Callable[[], R]], Awaitable[R]]


async def offloaded(run: Offload[R] | None, work: Callable[[], R]) -> R:
    """work() on `run` when one is given, else here."""
    return await run(work) if run is not None else work()


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""
        ...


class TicketRepository(Protocol):
    async def get(self, ticket_id: str) -> Ticket | None: ...
    async def find_by_thread(self, thread_key: str) -> Ticket | None: ...
    async def add(self, ticket: Ticket) -> None: ...
    async def save(self, ticket: Ticket) -> None:
        """Update a ticket read here if its version is still current (else Conflict), appending messages."""
        ...  # a ticket built elsewhere (version 0: an import) is inserted or overwritten whole

    async def repoint(self, moves: Sequence[tuple[str, str | None, str]]) -> int:
        """Move tickets (id, from cause, to cause) whose cause is still `from`; how many moved."""
        ...

    async def save_many(self, tickets: Sequence[Ticket]) -> None: ...
    async def existing_ids(self, ids: Sequence[str]) -> set[str]: ...
    async def list(
        self,
        *,
        requester: str | None = None,
        open_only: bool = False,
        cause_key: str | None = None,
        agent: str | None = None,
        limit: int | None = None,
        newest_first: bool = False,
        resolved_since: datetime | None = None,
        escalated_since: datetime | None = None,
        statuses: Sequence[str] | None = None,
    ) -> builtins.list[Ticket]: ...
    async def cluster_docs(
        self, *, after: tuple[datetime, str] | None = None, limit: int = 5000
    ) -> builtins.list[ClusterDoc]:
        """The next page of tickets after (created_at, id), oldest first, without messages."""
        ...

    async def cause_texts(
        self, keys: Sequence[str], per_cause: int, limit: int | None = None
    ) -> dict[str, builtins.list[str]]:
        """Each cause's newest ticket texts ("subject text"), newest first, at most per_cause each and
        `limit` in all, each cause's newest few first (core.cause_matching.newest_texts)."""
        ...

    async def gap_candidates(
        self, *, since: datetime | None = None, limit: int = 50_000
    ) -> builtins.list[Ticket]:
        """Resolved tickets a person solved with no article (core.gaps.solved_without_article) created at
        or after `since`: the newest `limit` of them, oldest first, without their messages."""
        ...

    async def get_many(self, ids: Sequence[str]) -> builtins.list[Ticket]:
        """These tickets, oldest first; ids not stored are left out."""
        ...

    async def count(self) -> int: ...


class Reports(Protocol):
    """Leaders' and agents' figures over the whole ledger, aggregated where the tickets are stored.

    The one reporting path every entry point reads (CLI, chat commands, App Home, the console): it never
    loads every ticket. core.kpis, core.causes.rank_causes and core.digests.compose_digest compute the same
    figures in memory; they are the oracle the implementations are tested against.
    """

    async def kpis(self, period: Period, *, sla_hours: Callable[[str], float]) -> KpiReport:
        """Every KPI of DESIGN.md for a period, total and per surface."""
        ...

    async def ranked_causes(
        self, now: datetime, weights: ImpactWeights, *, limit: int | None = None
    ) -> builtins.list[RankedCause]:
        """Causes with tickets ranked by business impact at `now`, the first `limit` of them."""
        ...

    async def digest(self, period: Period, *, org: Org, now: datetime) -> Digest:
        """The weekly digest document for a period."""
        ...

    async def needed_escalations(self, cause_key: str) -> dict[str, int]:
        """Per team, how many escalations of a cause's tickets to it were judged needed."""
        ...


class TicketLoad(Protocol):
    """The writes of one import in progress."""

    async def add(self, tickets: Sequence[Ticket]) -> None:
        """Take the next batch of tickets in file order; a later ticket with the same id wins."""
        ...

    async def finish(self, causes: Sequence[Cause]) -> tuple[int, int]:
        """Write everything added, and the causes; return (new tickets, updated tickets)."""
        ...


class TicketImport(Protocol):
    def load(self) -> AbstractAsyncContextManager[TicketLoad]:
        """One import, kept whole when the block ends normally and not at all when it raises."""
        ...


class CauseRepository(Protocol):
    async def get(self, key: str) -> Cause | None: ...
    async def save(self, cause: Cause) -> None:
        """Insert a new cause (version 0) or update one read here; Conflict if it changed since."""
        ...

    async def list(self) -> builtins.list[Cause]: ...
    async def find_by_issue(self, tracker: str, issue: str) -> Cause | None: ...


class ArticleRepository(Protocol):
    async def get(self, article_id: str) -> Article | None: ...
    async def save(self, article: Article) -> None: ...
    async def list(self) -> builtins.list[Article]: ...

    async def count_solved(self, article_id: str) -> None:
        """Add one to an article's solved count, in place (two clicks at once both count)."""
        ...


class EscalationRepository(Protocol):
    async def get(self, escalation_id: str) -> Escalation | None: ...
    async def save(self, escalation: Escalation) -> None:
        """Insert a new escalation (version 0) or update one read here; Conflict if it changed since."""
        ...

    async def list(self, *, ticket_id: str | None = None) -> builtins.list[Escalation]: ...


class ReviewRepository(Protocol):
    async def get(self, review_id: str) -> Review | None: ...
    async def save(self, review: Review) -> None: ...
    async def list(self, *, agent: str | None = None) -> builtins.list[Review]: ...


class CsatRepository(Protocol):
    async def add(self, response: CsatResponse) -> None: ...
    async def list(self, ticket_id: str) -> builtins.list[CsatResponse]: ...


class Retriever(Protocol):
    """Ranks documents (articles, causes) for a text; built from texts, queried many times."""

    def fit(self, docs: Sequence[tuple[str, str]]) -> None:
        """Index (doc_id, text) pairs, replacing what was indexed before."""
        ...

    def search(self, text: str, limit: int = 10) -> builtins.list[tuple[str, float]]:
        """The best doc ids for a text, with a similarity from 0 to 1, best first."""
        ...


class LanguageModel(Protocol):
    async def summarize(self, text: str) -> str | None:
        """A short summary of a support thread, or None when the model is unavailable."""
        ...

    async def name_cause(self, texts: Sequence[str]) -> tuple[str, str] | None:
        """A one-line name and a summary for tickets sharing a cause, or None."""
        ...


@dataclass(frozen=True)
class Notice:
    """A platform-neutral message for the notifier: who gets it and what it says."""

    kind: str  # "escalation", "triage", "csat", "digest", "coaching", "status", ...
    to: str  # a channel role ("triage", "leaders", "team:billing") or "person:<key or id>"
    text: str
    ticket_id: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    key: str | None = None  # idempotency: notices with one key are delivered once, however often sent


class Notifier(Protocol):
    async def send(self, notice: Notice) -> None:
        """Deliver a notice; raise if it could not be handed over."""
        ...


class AuditLog(Protocol):
    async def record(self, entry: AuditEntry) -> None:
        """Append an entry; entries are never changed or deleted."""
        ...

    async def list(
        self, *, since: datetime | None = None, limit: int | None = None
    ) -> builtins.list[AuditEntry]:
        """Entries at or after `since`, oldest first."""
        ...


class Tracker(Protocol):
    """An owning team's issue tracker (GitHub, Jira, Linear): file, read states in batches, comment."""

    async def file_issue(self, project: str, draft: IssueDraft, issue_type: str | None = None) -> IssueRef:
        """Create an issue in the project and return its reference."""
        ...

    async def states(self, project: str, issues: Sequence[str]) -> builtins.list[IssueState]:
        """The states of many issues of one project, in as few requests as the tracker allows."""
        ...

    async def comment(self, issue: str, draft: IssueDraft) -> None:
        """Add a comment to an issue."""
        ...


class Stores(Protocol):
    """The repositories, read outside a unit of work (the Desk's queries) or through one."""

    @property
    def tickets(self) -> TicketRepository: ...
    @property
    def causes(self) -> CauseRepository: ...
    @property
    def articles(self) -> ArticleRepository: ...
    @property
    def escalations(self) -> EscalationRepository: ...
    @property
    def reviews(self) -> ReviewRepository: ...
    @property
    def csat(self) -> CsatRepository: ...
    @property
    def audit(self) -> AuditLog: ...


class UnitOfWork(Stores, Protocol):
    """One transaction: a use case reads and writes through it and commits once, or nothing happens."""

    # Notices queued with `notify` are stored (the outbox) in the same transaction as the change they
    # report, and handed to the notifiers only after it committed.

    async def __aenter__(self) -> UnitOfWork: ...

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        """Roll back whatever was not committed."""
        ...

    async def commit(self) -> None:
        """Make every write and queued notice of this unit durable at once."""
        ...

    def notify(self, notice: Notice) -> None:
        """Queue a notice to go out with the change (and not at all if it is rolled back)."""


class SignInLinks(Protocol):
    async def issue(self, person: str, now: datetime, expires_at: datetime) -> str:
        """Store a new one-time console sign-in link for the person; return its URL."""
        ...
