"""In-memory fakes of the core ports; they record state so tests assert on outcomes."""

from __future__ import annotations

import contextlib
import copy
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from core.audit import AuditEntry
from core.cause_engine import ClusterDoc, cluster_doc
from core.cause_matching import newest_texts
from core.causes import Cause, rank_causes
from core.coaching import Review
from core.digests import compose_digest
from core.errors import Conflict, DuplicateTicket
from core.escalation import Escalation
from core.gaps import solved_without_article
from core.kb import Article
from core.kpis import compute_kpis
from core.ports import Notice
from core.tickets import CsatResponse, Ticket

T = TypeVar("T")


class FakeClock:
    def __init__(self, now: datetime | None = None) -> None:
        self.current = now or datetime(2026, 11, 16, 9, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.current

    def advance(self, **kwargs: float) -> datetime:
        self.current += timedelta(**kwargs)
        return self.current


class FakeTicketRepository:
    def __init__(self) -> None:
        self.rows: dict[str, Ticket] = {}

    async def get(self, ticket_id: str) -> Ticket | None:
        t = self.rows.get(ticket_id)
        return copy.deepcopy(t) if t else None

    async def find_by_thread(self, thread_key: str) -> Ticket | None:
        found = next((t for t in self.rows.values() if t.thread_key == thread_key), None)
        return copy.deepcopy(found) if found else None

    async def add(self, ticket: Ticket) -> None:
        taken = ticket.thread_key and any(t.thread_key == ticket.thread_key for t in self.rows.values())
        if ticket.id in self.rows or taken:
            raise DuplicateTicket(f"ticket {ticket.id} or thread {ticket.thread_key} exists")
        ticket.version = 1
        self.rows[ticket.id] = copy.deepcopy(ticket)

    async def save(self, ticket: Ticket) -> None:
        self.rows[ticket.id] = _stored(ticket, self.rows.get(ticket.id), ticket.id)

    async def repoint(self, moves: Sequence[tuple[str, str | None, str]]) -> int:
        moved = 0
        for ticket_id, before, after in moves:
            ticket = self.rows.get(ticket_id)
            if ticket is not None and ticket.cause_key == before:
                ticket.cause_key, ticket.version, moved = after, ticket.version + 1, moved + 1
        return moved

    async def save_many(self, tickets: Sequence[Ticket]) -> None:
        for ticket in tickets:
            await self.save(ticket)

    async def existing_ids(self, ids: Sequence[str]) -> set[str]:
        return {i for i in ids if i in self.rows}

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
    ) -> list[Ticket]:
        out = [
            t
            for t in self.rows.values()
            if (requester is None or t.requester == requester)
            and (not open_only or t.is_open)
            and (cause_key is None or t.cause_key == cause_key)
            and (agent is None or t.agent == agent)
            and (statuses is None or t.status in statuses)
            and (resolved_since is None or (t.resolved_at is not None and t.resolved_at >= resolved_since))
            and (escalated_since is None or any(at is not None and at >= escalated_since
                                                for at in (t.escalated_at, t.escalation_judged_at)))
        ]
        out.sort(key=lambda t: t.created_at, reverse=newest_first)
        return copy.deepcopy(out[:limit] if limit else out)

    async def list_all(self) -> list[Ticket]:
        """Every ticket (the in-memory oracle only: no port has this)."""
        return await self.list()

    async def cluster_docs(self, *, after: tuple[datetime, str] | None = None,
                           limit: int = 5000) -> list[ClusterDoc]:
        ordered = sorted(self.rows.values(), key=lambda t: (t.created_at, t.id))
        return [cluster_doc(t) for t in ordered if after is None or (t.created_at, t.id) > after][:limit]

    async def cause_texts(self, keys: Sequence[str], per_cause: int,
                          limit: int | None = None) -> dict[str, list[str]]:
        return newest_texts(self.rows.values(), keys, per_cause, limit)

    async def gap_candidates(self, *, since: datetime | None = None, limit: int = 50_000) -> list[Ticket]:
        found = [t for t in await self.list(newest_first=True)
                 if solved_without_article(t) and (since is None or t.created_at >= since)]
        for t in found:
            t.messages = []  # as in SQL: the "I still need help" click was checked where the rows are
        return found[:limit][::-1]

    async def get_many(self, ids: Sequence[str]) -> list[Ticket]:
        return [t for t in await self.list() if t.id in set(ids)]

    async def count(self) -> int:
        return len(self.rows)


def _stored(item: T, stored: object, key: str) -> T:
    """The copy a save stores; as in SQL, an item read earlier must still be current (else Conflict)."""
    if item.version and getattr(stored, "version", None) != item.version:  # type: ignore[attr-defined]
        raise Conflict(f"{key} changed since it was read")
    kept = copy.deepcopy(item)
    kept.version = getattr(stored, "version", 0) + 1  # type: ignore[attr-defined]
    if item.version:  # type: ignore[attr-defined]
        item.version = kept.version  # type: ignore[attr-defined]
    return kept


class _KeyedRepository:
    key = "id"

    def __init__(self) -> None:
        self.rows: dict[str, object] = {}

    async def get(self, key: str):  # type: ignore[no-untyped-def]
        return copy.deepcopy(self.rows.get(key))

    async def save(self, item) -> None:  # type: ignore[no-untyped-def]
        key = getattr(item, self.key)
        self.rows[key] = _stored(item, self.rows.get(key), key) if hasattr(item, "version") else copy.deepcopy(item)


class FakeCauseRepository(_KeyedRepository):
    key = "key"

    async def find_by_issue(self, tracker: str, issue: str) -> Cause | None:
        """The cause whose fix is this tracker issue, if any."""
        found = [c for c in self.rows.values() if c.fix_tracker == tracker and c.fix_issue == issue]  # type: ignore[attr-defined]
        return copy.deepcopy(min(found, key=lambda c: c.key)) if found else None  # type: ignore[attr-defined]

    async def list(self) -> list[Cause]:
        return copy.deepcopy(list(self.rows.values()))  # type: ignore[arg-type]


class FakeArticleRepository(_KeyedRepository):
    async def list(self) -> list[Article]:
        return copy.deepcopy(list(self.rows.values()))  # type: ignore[arg-type]

    async def count_solved(self, article_id: str) -> None:
        if article_id in self.rows:
            self.rows[article_id].solved_count += 1  # type: ignore[attr-defined]


class FakeEscalationRepository(_KeyedRepository):
    async def list(self, *, ticket_id: str | None = None) -> list[Escalation]:
        return [e for e in self.rows.values() if ticket_id in (None, e.ticket_id)]  # type: ignore[attr-defined]


class FakeReviewRepository(_KeyedRepository):
    async def list(self, *, agent: str | None = None) -> list[Review]:
        return [r for r in self.rows.values() if agent in (None, r.agent)]  # type: ignore[attr-defined]


class FakeCsatRepository:
    def __init__(self) -> None:
        self.responses: list[CsatResponse] = []

    async def add(self, response: CsatResponse) -> None:
        self.responses.append(response)

    async def list(self, ticket_id: str) -> list[CsatResponse]:
        return [r for r in self.responses if r.ticket_id == ticket_id]


class FakeNotifier:
    def __init__(self, fail: bool = False) -> None:
        self.sent: list[Notice] = []
        self.fail = fail

    async def send(self, notice: Notice) -> None:
        if self.fail:
            raise ConnectionError("chat platform unavailable")
        self.sent.append(notice)

    def kinds(self) -> list[str]:
        return [n.kind for n in self.sent]


class FakeAuditLog:
    def __init__(self) -> None:
        self.entries: list[AuditEntry] = []

    async def record(self, entry: AuditEntry) -> None:
        self.entries.append(entry)

    async def list(self, *, since: datetime | None = None, limit: int | None = None) -> list[AuditEntry]:
        found = [e for e in self.entries if since is None or e.at >= since]
        return sorted(found, key=lambda e: e.at)[:limit]

    def actions(self) -> list[str]:
        return [e.action.value for e in self.entries]


@dataclass
class FakeStores:
    """Every fake repository; the unit of work and the Desk's read side share them."""

    tickets: FakeTicketRepository = field(default_factory=FakeTicketRepository)
    causes: FakeCauseRepository = field(default_factory=FakeCauseRepository)
    articles: FakeArticleRepository = field(default_factory=FakeArticleRepository)
    escalations: FakeEscalationRepository = field(default_factory=FakeEscalationRepository)
    reviews: FakeReviewRepository = field(default_factory=FakeReviewRepository)
    csat: FakeCsatRepository = field(default_factory=FakeCsatRepository)
    audit: FakeAuditLog = field(default_factory=FakeAuditLog)

    def state(self) -> dict[str, object]:
        return {f.name: copy.deepcopy(vars(getattr(self, f.name))) for f in fields(self)}

    def restore(self, state: dict[str, object]) -> None:
        for name, saved in state.items():
            vars(getattr(self, name)).update(saved)  # type: ignore[call-overload]


class OracleReports:
    """The Reports port computed in memory by core's own functions: the oracle SqlReports is checked against."""

    def __init__(self, stores: FakeStores) -> None:
        self.stores = stores

    async def kpis(self, period, *, sla_hours):  # type: ignore[no-untyped-def]
        return compute_kpis(await self.stores.tickets.list_all(), await self.stores.causes.list(), period,
                            sla_hours=sla_hours)  # fmt: skip

    async def ranked_causes(self, now, weights, *, limit=None):  # type: ignore[no-untyped-def]
        every = await self.stores.tickets.list_all()
        return rank_causes(await self.stores.causes.list(), every, now=now, weights=weights)[:limit]

    async def digest(self, period, *, org, now):  # type: ignore[no-untyped-def]
        every = await self.stores.tickets.list_all()
        return compose_digest(every, await self.stores.causes.list(), period, org=org, now=now)

    async def needed_escalations(self, cause_key: str) -> dict[str, int]:
        own = await self.stores.tickets.list(cause_key=cause_key)
        return dict(Counter(t.escalated_to for t in own if t.escalated_to and t.escalation_judgement == "needed"))


class FakeUnitOfWork:
    """All or nothing over the fakes: what was written is put back unless `commit` ran."""

    def __init__(self, stores: FakeStores, notifier: FakeNotifier | None = None) -> None:
        self.stores, self.notifier = stores, notifier
        self.tickets, self.causes, self.articles = stores.tickets, stores.causes, stores.articles
        self.escalations, self.reviews, self.csat = stores.escalations, stores.reviews, stores.csat
        self.audit = stores.audit
        self.notices: list[Notice] = []
        self.committed = False

    async def __aenter__(self) -> FakeUnitOfWork:
        self.before, self.notices, self.committed = self.stores.state(), [], False
        return self

    async def __aexit__(self, *exc: object) -> None:
        if not self.committed:
            self.stores.restore(self.before)

    async def commit(self) -> None:
        self.committed = True
        for notice in self.notices:
            with contextlib.suppress(Exception):  # as SqlUnitOfWork: a failed hand-on cannot undo the commit
                await self.notifier.send(notice) if self.notifier is not None else None

    def notify(self, notice: Notice) -> None:
        self.notices.append(notice)


class FakeLanguageModel:
    def __init__(self, summary: str | None = "Summary by the model.", fail: bool = False) -> None:
        self.summary = summary
        self.fail = fail
        self.seen: list[str] = []

    async def summarize(self, text: str) -> str | None:
        self.seen.append(text)
        if self.fail:
            raise TimeoutError("model timed out")
        return self.summary

    async def name_cause(self, texts: Sequence[str]) -> tuple[str, str] | None:
        return ("A named cause", "Its summary") if not self.fail else None


def sample_org():  # type: ignore[no-untyped-def]
    """A small organisation: two teams, an agent, a manager, a leader."""
    from core.org import Org, Person, PersonRole, Team

    return Org(
        teams=(
            Team("it-network", "IT Network", owns=("vpn-cert-expiry", "vpn", "wi-fi")),
            Team("billing", "Billing", owns=("billing-double-charge", "invoice", "refund")),
            Team("tier1", "Service desk"),
        ),
        people=(
            Person("ana", "Ana", frozenset({PersonRole.AGENT}), manager="mia", ids={"slack": "UANA"}),
            Person("ben", "Ben", frozenset({PersonRole.AGENT}), manager="mia"),
            Person("mia", "Mia", frozenset({PersonRole.MANAGER})),
            Person("lea", "Lea", frozenset({PersonRole.LEADER})),
        ),
        sla_hours={"urgent": 4, "high": 24},
    )


def sample_articles():  # type: ignore[no-untyped-def]
    from core.kb import Article

    return [
        Article(
            "kb-vpn",
            "VPN disconnects or fails to connect",
            "Restart the VPN client GlobalPro, sign in again; certificate errors mean IT must renew it.",
            surface="internal",
            owner="it-network",
        ),
        Article(
            "kb-refund",
            "Refund a double charge on your invoice",
            "If you were charged twice for one invoice, the second charge is refunded in 5 days.",
            surface="external",
            owner="billing",
        ),
        Article(
            "kb-printer",
            "Printer shows offline",
            "Power-cycle the printer and re-add it from the print portal.",
            surface="internal",
        ),
    ]


async def fake_desk(org=None, articles=None, notifier=None, llm=None):  # type: ignore[no-untyped-def]
    """A Desk on fakes, built by the composition root, with the lexical retriever of the default install."""
    from adapters.search.tfidf import TfidfRetriever
    from bot.wiring import Models, build_desk
    from core.cause_matching import CauseMatcher
    from core.kb import Library

    stores, notifier = FakeStores(), notifier or FakeNotifier()
    desk = build_desk(
        stores,
        org or sample_org(),
        uow=lambda: FakeUnitOfWork(stores, notifier),
        notifier=notifier,
        clock=FakeClock(),
        reports=OracleReports(stores),
        llm=llm,
        models=Models(Library(TfidfRetriever()), CauseMatcher(TfidfRetriever())),
    )
    for article in articles if articles is not None else sample_articles():
        await desk.articles.save(article)
    await desk.refresh()
    return desk
