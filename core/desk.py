"""The Desk: every use case bound to its ports, the one object the chat adapters and the CLI call."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime

from core import coaching, fixes, follow_ups, intake, resolution, routing, threads
from core.audit import AuditEntry
from core.cause_engine import Clusterer, Reclustering, propose_causes
from core.cause_matching import CauseMatcher
from core.causes import Cause, RankedCause, rank_causes
from core.coaching import CoachingPrompt, Review
from core.console import ConsoleLink, console_link
from core.digests import Digest, compose_digest
from core.errors import InvalidInput
from core.escalation import Escalation, RoutingSuggestion
from core.kb import Library, declined_history, lesson, solved_history
from core.kpis import KpiReport, Period, compute_kpis
from core.learning import LearningSync
from core.messages import AnswerFollowUp, Escalate, LogRequest, RecordReview, Reply
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
    ReviewRepository,
    SignInLinks,
    TicketRepository,
)
from core.reclustering import Applied, apply_reclustering
from core.team_routing import TeamRouter
from core.tickets import Judgement, Resolution, Ticket

Offload = Callable[[Callable[[], Reclustering]], Awaitable[Reclustering]]


@dataclass
class Desk:
    tickets: TicketRepository
    causes: CauseRepository
    articles: ArticleRepository
    escalations: EscalationRepository
    reviews: ReviewRepository
    csat: CsatRepository
    library: Library
    matcher: CauseMatcher
    notifier: Notifier
    clock: Clock
    org: Org
    audit: AuditLog
    llm: LanguageModel | None = None
    router: TeamRouter | None = None
    clusterer: Clusterer | None = None
    learning: LearningSync = field(default_factory=LearningSync)
    sign_in: SignInLinks | None = None  # one-time console links; None where no console is served

    async def refresh(self) -> None:
        """Reload the knowledge, cause and routing models from the database (at start and after imports)."""
        now = self.clock.now()
        tickets = await self.tickets.list_all()
        self.library.load(await self.articles.list(), solved_history(tickets) + declined_history(tickets))
        self.learning.reset(now, tickets)
        self.matcher.load(await self.causes.list(), tickets)
        if self.router is not None:
            self.router.learn(tickets, self.org)

    async def propose_causes(self, run: Offload | None = None) -> Reclustering:
        """Re-cluster every ticket and propose causes; causes a person named keep their identity.

        `run` may hand the clustering (minutes at 100k tickets) to a worker thread, so a server's event
        loop keeps answering meanwhile.
        """
        clusterer = self.clusterer
        if clusterer is None:
            raise RuntimeError("no clustering back end is wired")
        tickets, causes = await self.tickets.list_all(), await self.causes.list()
        if run is None:
            return propose_causes(tickets, causes, clusterer=clusterer)
        return await run(lambda: propose_causes(tickets, causes, clusterer=clusterer))

    async def log_request(self, cmd: LogRequest) -> Reply:
        """Open or extend a ticket and answer with articles or an honest hand-off."""
        return await intake.log_request(
            cmd,
            tickets=self.tickets,
            library=self.library,
            matcher=self.matcher,
            org=self.org,
            clock=self.clock,
            notifier=self.notifier,
        )

    async def solved(self, ticket_id: str, article_id: str | None, by: str) -> Ticket:
        """The requester clicked Solved it."""
        ticket = await intake.solved_by_article(
            ticket_id, article_id, by, tickets=self.tickets, articles=self.articles, clock=self.clock
        )
        if ticket.article_id in self.library.articles:
            self.library.articles[ticket.article_id].solved_count += 1
        self._learn(ticket)  # every "Solved it" click teaches the ranker
        return ticket

    def _learn(self, ticket: Ticket) -> None:
        """Teach the library what a ticket just resolved here shows (its first resolution only)."""
        found = lesson(ticket) if ticket.closed_at is None else None
        if found is not None:
            self.library.learn(*found)
        self.learning.mark(ticket)

    async def catch_up(self) -> int:
        """Learn from tickets other processes resolved since the last look; how many lessons."""
        return await self.learning.catch_up(self.clock.now(), tickets=self.tickets, library=self.library,
                                            router=self.router, org=self.org)

    async def need_human(self, ticket_id: str, by: str) -> Ticket:
        """The requester clicked I still need help."""
        return await intake.ask_for_human(
            ticket_id, by, tickets=self.tickets, clock=self.clock, notifier=self.notifier
        )

    async def agent_reply(self, ticket_id: str, agent: str, text: str, ref: str | None = None) -> Ticket:
        """An agent answered in the ticket's thread (a reply with a ref logged before is not added again)."""
        return await intake.agent_reply(
            ticket_id, agent, text, tickets=self.tickets, org=self.org, clock=self.clock, ref=ref
        )

    async def assign(self, ticket_id: str, agent: str) -> Ticket:
        """An agent took the ticket."""
        return await intake.assign(ticket_id, agent, tickets=self.tickets, org=self.org, clock=self.clock)

    async def suggest_owner(self, ticket_id: str) -> RoutingSuggestion:
        """The team the escalation form is pre-filled with."""
        ticket = await intake.load_ticket(ticket_id, self.tickets)
        return await routing.suggest_owner(
            ticket,
            org=self.org,
            escalations=self.escalations,
            tickets=self.tickets,
            articles=self.library.articles,
            router=self.router,
        )

    async def escalate(self, cmd: Escalate) -> Escalation:
        """Escalate to the owning team with the evidence."""
        return await routing.escalate(
            cmd,
            tickets=self.tickets,
            escalations=self.escalations,
            causes=self.causes,
            articles=self.library.articles,
            org=self.org,
            clock=self.clock,
            notifier=self.notifier,
            audit=self.audit,
            llm=self.llm,
            router=self.router,
        )

    async def judge(self, escalation_id: str, judgement: Judgement, by: str) -> Escalation:
        """Needed, or could have been solved at tier 1."""
        return await routing.judge(
            escalation_id,
            judgement,
            by,
            escalations=self.escalations,
            tickets=self.tickets,
            org=self.org,
            clock=self.clock,
            audit=self.audit,
        )

    async def record_root_cause(self, ticket_id: str, text: str, by: str, title: str | None = None) -> Cause:
        """The owner recorded the root cause."""
        cause = await fixes.record_root_cause(
            ticket_id,
            text,
            by,
            title=title,
            tickets=self.tickets,
            causes=self.causes,
            org=self.org,
            clock=self.clock,
            audit=self.audit,
        )
        self.matcher.causes[cause.key] = cause
        return cause

    async def link_fix(self, ref: str, url: str, by: str) -> Cause:
        """The owner linked the fix."""
        return await fixes.link_fix(
            ref, url, by, causes=self.causes, tickets=self.tickets, org=self.org, clock=self.clock,
            audit=self.audit,
        )

    async def ship_fix(self, ref: str, by: str) -> Cause:
        """The owner shipped the fix."""
        return await fixes.ship_fix(
            ref, by, causes=self.causes, tickets=self.tickets, org=self.org, clock=self.clock,
            audit=self.audit,
        )

    async def resolve(
        self, ticket_id: str, by: str, how: Resolution = Resolution.AGENT, note: str = ""
    ) -> Ticket:
        """An agent resolved the ticket; the CSAT survey goes out."""
        ticket = await resolution.resolve(
            ticket_id,
            by,
            how=how,
            note=note,
            tickets=self.tickets,
            org=self.org,
            clock=self.clock,
            notifier=self.notifier,
        )
        self._learn(ticket)  # offered articles that did not answer it teach the ranker to abstain
        return ticket

    async def reopen(self, ticket_id: str, by: str, reason: str) -> Ticket:
        """Reopen a resolved ticket."""
        return await resolution.reopen(
            ticket_id, by, reason, tickets=self.tickets, clock=self.clock, notifier=self.notifier
        )

    async def record_csat(self, ticket_id: str, score: int, by: str, solved: bool = True) -> Ticket:
        """The requester answered the survey."""
        return await resolution.record_csat(
            ticket_id,
            score,
            by,
            solved=solved,
            tickets=self.tickets,
            csat=self.csat,
            clock=self.clock,
            notifier=self.notifier,
        )

    async def ranked_causes(self, now: datetime | None = None) -> list[RankedCause]:
        """All causes ranked by business impact."""
        return rank_causes(
            await self.causes.list(),
            await self.tickets.list_all(),
            now=now or self.clock.now(),
            weights=self.org.weights,
        )

    async def kpis(self, period: Period) -> KpiReport:
        """Every KPI of DESIGN.md for a period, total and per surface."""
        return compute_kpis(
            await self.tickets.list_all(), await self.causes.list(), period, sla_hours=self.org.sla_for
        )

    async def digest(self, period: Period) -> Digest:
        """The weekly digest document."""
        return compose_digest(
            await self.tickets.list_all(),
            await self.causes.list(),
            period,
            org=self.org,
            now=self.clock.now(),
        )

    async def coaching(self, period: Period) -> list[CoachingPrompt]:
        """One strong and one weak ticket per agent, per manager."""
        return coaching.coaching_prompts(self.org, await self.tickets.list_all(), period.start, period.end)

    async def record_review(self, cmd: RecordReview) -> Review:
        """Store a four-part ticket review."""
        return await coaching.record_review(
            cmd,
            tickets=self.tickets,
            reviews=self.reviews,
            org=self.org,
            clock=self.clock,
            notifier=self.notifier,
            audit=self.audit,
        )

    async def audit_entries(self, since: datetime | None = None) -> list[AuditEntry]:
        """Who escalated, judged, recorded causes, linked and shipped fixes and reviewed, oldest first."""
        return await self.audit.list(since=since)

    async def find_thread(self, thread_key: str) -> Ticket | None:
        """The ticket of a chat thread, if there is one."""
        return await self.tickets.find_by_thread(thread_key)

    async def edit_message(self, thread_key: str, ref: str, text: str) -> Ticket | None:
        """A logged message was edited in chat."""
        return await threads.edit_message(thread_key, ref, text, tickets=self.tickets, now=self.clock.now())

    async def delete_message(self, thread_key: str, ref: str) -> Ticket | None:
        """A logged message was deleted in chat; the record keeps it."""
        return await threads.delete_message(thread_key, ref, tickets=self.tickets, now=self.clock.now())

    async def ticket_for(self, ticket_id: str, viewer: str) -> Ticket:
        """One ticket, for its requester or a member of staff."""
        return await threads.ticket_for(ticket_id, viewer, tickets=self.tickets, org=self.org)

    async def my_tickets(self, who: str) -> list[Ticket]:
        """The open tickets a person asked for or holds."""
        return await threads.my_tickets(who, tickets=self.tickets, org=self.org)

    async def queue(self) -> list[Ticket]:
        """Open tickets waiting for a person."""
        return await threads.queue(tickets=self.tickets)

    async def triage_context(self, ticket_id: str) -> threads.TriageContext:
        """What the triage post shows about a ticket."""
        return await threads.triage_context(
            ticket_id,
            tickets=self.tickets,
            causes=self.causes,
            escalations=self.escalations,
            articles=self.library.articles,
            org=self.org,
        )

    async def review_summary(self, period: Period) -> dict[str, object]:
        """Ticket reviews written in the period, per agent and per manager, and their follow-up answers."""
        reviews = await self.reviews.list()
        return {
            **coaching.review_summary(reviews, period),
            "follow_ups": follow_ups.follow_up_summary(reviews, period),
        }

    async def answer_follow_up(self, cmd: AnswerFollowUp) -> Review:
        """Record the review's manager's answer to its follow-up."""
        return await follow_ups.answer_follow_up(
            cmd, reviews=self.reviews, org=self.org, clock=self.clock, audit=self.audit
        )

    async def apply_reclustering(self, result: Reclustering) -> Applied:
        """Save a re-clustering's causes and ticket assignments, then reload the cause index."""
        applied = await apply_reclustering(
            result, tickets=self.tickets, causes=self.causes, org=self.org, clock=self.clock
        )
        self.matcher.load(await self.causes.list(), await self.tickets.list_all())
        return applied

    async def console_link(self, user: str, platform: str | None = None) -> ConsoleLink:
        """A one-time sign-in link to the console for a leader, manager or agent."""
        if self.sign_in is None:
            raise InvalidInput("The console is not set up on this Fixloop.")
        return await console_link(user, links=self.sign_in, org=self.org, clock=self.clock, platform=platform)
