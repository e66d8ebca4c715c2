"""The SQL repositories round-trip every core type exactly, on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.db.engine import ping
from adapters.db.repositories import DuplicateKey, SqlRepositories
from adapters.db.tables import MessageRow, TicketRow
from core.causes import Cause, FixStatus
from core.coaching import Review
from core.escalation import Escalation, Evidence
from core.kb import Article
from core.ports import (
    ArticleRepository,
    CauseRepository,
    CsatRepository,
    EscalationRepository,
    ReviewRepository,
    TicketRepository,
)
from core.tickets import CsatResponse, Judgement, Message, Role, Status, Surface, Ticket
from tests.ticket_support import PARIS, T0, at, full_ticket


def assert_utc(*values: datetime | None) -> None:
    for value in values:
        assert value is not None and value.tzinfo == UTC


async def test_a_ticket_round_trips_with_every_field(repos: SqlRepositories) -> None:
    ticket = full_ticket()
    await repos.tickets.add(ticket)
    loaded = await repos.tickets.get(ticket.id)
    assert loaded == ticket
    assert loaded is not None
    assert_utc(loaded.created_at, *loaded.reopened_at, *(m.at for m in loaded.messages))
    assert_utc(loaded.messages[2].edited_at, loaded.messages[2].deleted_at, loaded.resolved_at)
    assert loaded.created_at.microsecond == 123456
    assert isinstance(loaded.surface, Surface) and isinstance(loaded.messages[0].role, Role)


async def test_a_minimal_ticket_round_trips_with_defaults(repos: SqlRepositories) -> None:
    ticket = Ticket(id="FX-MINIMA", surface=Surface.INTERNAL, created_at=T0)
    await repos.tickets.save(ticket)
    assert await repos.tickets.get("FX-MINIMA") == ticket
    assert await repos.tickets.get("FX-NOPE") is None


async def test_saving_twice_updates_one_row_and_keeps_edits(
    repos: SqlRepositories, engine: AsyncEngine
) -> None:
    ticket = full_ticket()
    await repos.tickets.save(ticket)
    ticket.messages[0].text, ticket.messages[0].edited_at = "VPN fails (edited)", at(5)
    ticket.add_message(Message(at=at(6), role=Role.REQUESTER, author="U123", text="thanks"))
    ticket.status, ticket.csat = Status.NEEDS_HUMAN, 2
    await repos.tickets.save(ticket)
    assert await repos.tickets.get(ticket.id) == ticket
    assert await repos.tickets.count() == 1
    async with engine.connect() as conn:
        assert (await conn.execute(select(func.count()).select_from(TicketRow))).scalar_one() == 1
        assert (await conn.execute(select(func.count()).select_from(MessageRow))).scalar_one() == 4


async def test_finds_a_ticket_by_thread_and_by_message_ref(repos: SqlRepositories) -> None:
    await repos.tickets.add(full_ticket("FX-1", thread="slack:C1:1"))
    await repos.tickets.add(full_ticket("FX-2", thread="slack:C1:2"))
    found = await repos.tickets.find_by_thread("slack:C1:2")
    assert found is not None and found.id == "FX-2"
    assert await repos.tickets.find_by_thread("slack:C9:9") is None
    by_ref = await repos.tickets.find_by_message_ref("m3")
    assert by_ref is not None and by_ref.id in ("FX-1", "FX-2")
    assert await repos.tickets.find_by_message_ref("nope") is None


async def test_a_thread_key_belongs_to_one_ticket(repos: SqlRepositories) -> None:
    await repos.tickets.add(full_ticket("FX-1", thread="slack:C1:1"))
    with pytest.raises(DuplicateKey):
        await repos.tickets.add(full_ticket("FX-2", thread="slack:C1:1"))
    with pytest.raises(DuplicateKey):
        await repos.tickets.save(full_ticket("FX-3", thread="slack:C1:1"))
    with pytest.raises(DuplicateKey):
        await repos.tickets.add(full_ticket("FX-1", thread="slack:C1:other"))
    await repos.tickets.add(full_ticket("FX-4", thread=None))
    await repos.tickets.add(full_ticket("FX-5", thread=None))  # many tickets have no thread
    assert await repos.tickets.count() == 3


def simple(ticket_id: str, hours: float, **kwargs: object) -> Ticket:
    return Ticket(id=ticket_id, surface=Surface.INTERNAL, created_at=at(hours), **kwargs)  # type: ignore[arg-type]


async def test_lists_tickets_by_filters_oldest_first(repos: SqlRepositories) -> None:
    await repos.tickets.add(simple("C", 3, requester="ann", cause_key="vpn", agents=["bob", "alice"]))
    await repos.tickets.add(simple("A", 1, requester="ann", status=Status.RESOLVED, cause_key="vpn"))
    await repos.tickets.add(simple("B", 2, requester="bob", cause_key="sso", agents=["alice", "bob"]))
    await repos.tickets.add(
        simple("D", 4, requester="ann", messages=[Message(T0, Role.REQUESTER, "ann", "hi")])
    )

    async def ids(**filters: object) -> list[str]:
        return [t.id for t in await repos.tickets.list(**filters)]  # type: ignore[arg-type]

    assert await ids() == ["A", "B", "C", "D"]
    assert await ids(requester="ann") == ["A", "C", "D"]
    assert await ids(open_only=True) == ["B", "C", "D"]
    assert await ids(cause_key="vpn") == ["A", "C"]
    assert await ids(requester="ann", open_only=True, limit=1) == ["C"]
    assert await ids(agent="alice") == ["C"]  # the current agent: the last of the hand-off list
    assert await ids(newest_first=True, limit=2) == ["D", "C"]
    assert await ids(cause_key="vpn", newest_first=True) == ["C", "A"]
    assert [len(t.messages) for t in await repos.tickets.list(limit=4)] == [0, 0, 0, 1]
    assert [t.id for t in await repos.tickets.list()] == ["A", "B", "C", "D"]
    assert await repos.tickets.count() == 4


async def test_lists_tickets_first_resolved_since_a_time(repos: SqlRepositories) -> None:
    await repos.tickets.add(simple("A", 1, status=Status.RESOLVED, resolved_at=at(5)))
    await repos.tickets.add(simple("B", 2, status=Status.RESOLVED, resolved_at=at(6).astimezone(PARIS)))
    await repos.tickets.add(simple("C", 3))  # open: never resolved
    since = [t.id for t in await repos.tickets.list(resolved_since=at(5))]
    assert since == ["A", "B"]  # the bound is included; another offset is the same instant
    assert [t.id for t in await repos.tickets.list(resolved_since=at(5.5))] == ["B"]
    assert await repos.tickets.list(resolved_since=at(7)) == []


async def test_lists_tickets_escalated_or_judged_since_a_time(repos: SqlRepositories) -> None:
    await repos.tickets.add(simple("A", 1, escalated_at=at(2), escalated_to="it-network"))
    await repos.tickets.add(simple("B", 1, escalated_at=at(2), escalated_to="it-network",
                                   escalation_judgement=Judgement.NOT_NEEDED, escalation_judged_at=at(8)))
    await repos.tickets.add(simple("C", 3))  # never escalated
    assert [t.id for t in await repos.tickets.list(escalated_since=at(2))] == ["A", "B"]
    assert [t.id for t in await repos.tickets.list(escalated_since=at(5))] == ["B"]  # judged later
    assert await repos.tickets.list(escalated_since=at(9)) == []


async def test_naive_datetimes_are_refused(repos: SqlRepositories) -> None:
    with pytest.raises(Exception, match="naive"):
        await repos.tickets.add(simple("N", 0, resolved_at=datetime(2026, 3, 2, 10)))
    with pytest.raises(ValueError, match="naive"):
        await repos.tickets.add(simple("M", 0, reopened_at=[datetime(2026, 3, 2, 10)]))
    assert await repos.tickets.count() == 0


async def test_a_cause_round_trips_and_upserts(repos: SqlRepositories) -> None:
    cause = Cause(
        key="vpn-cert",
        title="Expired VPN certificate",
        owner="network",
        created_at=at(0),
        root_cause_at=at(5).astimezone(PARIS),
        root_cause="The cert rotation job was disabled",
        fix_url="https://github.com/acme/infra/pull/7",
        fix_status=FixStatus.SHIPPED,
        fix_shipped_at=at(48),
        key_phrases=("vpn", "certificate"),
        named_by_person=True,
    )
    await repos.causes.save(cause)
    await repos.causes.save(Cause(key="a-first", title="First"))
    assert await repos.causes.get("vpn-cert") == cause
    cause.title = "Renamed"
    await repos.causes.save(cause)
    assert [c.key for c in await repos.causes.list()] == ["a-first", "vpn-cert"]
    assert (await repos.causes.list())[1] == cause
    assert await repos.causes.get("none") is None


async def test_an_article_round_trips_and_upserts(repos: SqlRepositories) -> None:
    article = Article(
        id="KB-1",
        title="Reset VPN",
        body="# Reset\nSteps…",
        surface="internal",
        tags=("vpn", "network"),
        owner="network",
        url="https://kb/1",
        solved_count=11,
    )
    await repos.articles.save(article)
    article.solved_count = 12
    await repos.articles.save(article)
    assert await repos.articles.get("KB-1") == article
    assert await repos.articles.list() == [article]
    assert await repos.articles.get("KB-2") is None


async def test_an_escalation_round_trips_with_its_evidence(repos: SqlRepositories) -> None:
    evidence = Evidence(
        summary="VPN down for 12 users",
        transcript=[{"role": "requester", "author": "U123", "text": "VPN fails"}],
        articles_tried=[{"id": "KB-1", "title": "Reset VPN"}],
        similar_tickets=[{"id": "FX-2", "subject": "VPN", "status": "resolved"}],
        likely_cause={"key": "vpn-cert", "title": "Expired VPN certificate"},
        requester="U123",
        surface="internal",
    )
    first = Escalation(
        id="ESC-1",
        ticket_id="FX-1",
        from_agent="alice",
        to_team="network",
        reason="cert",
        created_at=at(2),
        evidence=evidence,
        suggested_team="network",
    )
    second = Escalation(
        id="ESC-0",
        ticket_id="FX-2",
        from_agent="bob",
        to_team="sso",
        reason="",
        created_at=at(1),
        evidence=Evidence(summary=""),
    )
    await repos.escalations.save(first)
    await repos.escalations.save(second)
    first.judge(Judgement.NOT_NEEDED, at(3), "carol")
    await repos.escalations.save(first)
    assert await repos.escalations.get("ESC-1") == first
    assert [e.id for e in await repos.escalations.list()] == ["ESC-0", "ESC-1"]
    assert await repos.escalations.list(ticket_id="FX-1") == [first]
    assert await repos.escalations.get("ESC-9") is None


async def test_a_review_round_trips_and_lists_by_agent(repos: SqlRepositories) -> None:
    review = Review(
        id="REV-1",
        ticket_id="FX-1",
        agent="alice",
        manager="mia",
        what_happened="a",
        why_it_mattered="b",
        what_good_looks_like="c",
        what_changes_next="d",
        created_at=at(1),
        follow_up_at=at(100),
        sent_to_agent=True,
    )
    other = Review(
        id="REV-2",
        ticket_id="FX-2",
        agent="bob",
        manager="mia",
        what_happened="",
        why_it_mattered="",
        what_good_looks_like="",
        what_changes_next="",
        created_at=at(0),
    )
    await repos.reviews.save(review)
    await repos.reviews.save(review)
    await repos.reviews.save(other)
    assert await repos.reviews.list(agent="alice") == [review]
    assert await repos.reviews.list() == [other, review]


async def test_csat_answers_are_all_kept(repos: SqlRepositories) -> None:
    answers = [
        CsatResponse(ticket_id="FX-1", at=at(1), score=5, solved=True, by="U123"),
        CsatResponse(ticket_id="FX-1", at=at(2), score=2, solved=False, by="U123"),
        CsatResponse(ticket_id="FX-2", at=at(0), score=3, solved=True, by="U9"),
    ]
    for answer in answers:
        await repos.csat.add(answer)
    assert await repos.csat.list("FX-1") == answers[:2]
    assert await repos.csat.list() == [answers[2], *answers[:2]]


async def test_ping_reaches_the_database(engine: AsyncEngine) -> None:
    await ping(engine)


def test_the_repositories_implement_the_core_ports(repos: SqlRepositories) -> None:
    # Checked by mypy: the Sql classes must match the Protocols of core/ports.py structurally.
    tickets: TicketRepository = repos.tickets
    causes: CauseRepository = repos.causes
    articles: ArticleRepository = repos.articles
    escalations: EscalationRepository = repos.escalations
    reviews: ReviewRepository = repos.reviews
    csat: CsatRepository = repos.csat
    assert all((tickets, causes, articles, escalations, reviews, csat))


async def test_save_many_upserts_in_batches_and_reports_existing_ids(repos: SqlRepositories) -> None:
    tickets = [full_ticket(f"FX-B{i:05d}", thread=f"slack:C9:{i}") for i in range(7)]
    await repos.tickets.save_many(tickets[:4], batch=3)
    assert await repos.tickets.existing_ids([t.id for t in tickets]) == {t.id for t in tickets[:4]}
    tickets[0].subject = "changed"
    await repos.tickets.save_many(tickets, batch=3)
    assert await repos.tickets.count() == 7
    assert (await repos.tickets.get("FX-B00000")).subject == "changed"
    clash = full_ticket("FX-OTHER", thread="slack:C9:1")
    with pytest.raises(DuplicateKey):
        await repos.tickets.save_many([clash])
