"""The bounded reads return exactly what the whole-history versions did, on a hand-made ledger (SQLite and
PostgreSQL); a re-clustering applied while an owner records a root cause loses neither."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from adapters.db.repositories import SqlRepositories
from core import reclustering
from core.cause_engine import ProposedCause, Reclustering, cluster_doc, propose_causes
from core.causes import Cause
from core.gaps import find_gaps, group_gaps
from core.jobs import LedgerCandidates
from core.org import ImpactWeights
from core.periods import Period
from core.tickets import ASKED_FOR_A_PERSON, Message, Resolution, Role, Status, Surface, Ticket
from tests.uow_support import sql_desk

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
NOW = T0 + timedelta(days=10)


class Interleaved:
    """A unit of work whose reads `repo.method` run `after` once they returned: another use case acts there."""

    def __init__(self, unit, repo: str, method: str, after) -> None:  # type: ignore[no-untyped-def]
        self.unit, self.repo, self.method, self.after = unit, repo, method, after

    async def __aenter__(self):  # type: ignore[no-untyped-def]
        await self.unit.__aenter__()
        repo = getattr(self.unit, self.repo)
        real = getattr(repo, self.method)

        async def read(*args, **kwargs):  # type: ignore[no-untyped-def]
            found = await real(*args, **kwargs)
            await self.after(*args, **kwargs)
            return found

        setattr(repo, self.method, read)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.unit.__aexit__(*exc)

    def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
        return getattr(self.unit, name)


class FirstWordClusterer:
    """Groups texts by their first word: deterministic, so both paths must agree exactly."""

    name = "first-word"

    def cluster(self, texts: list[str]) -> list[int]:
        words = sorted({t.split()[0] for t in texts})
        return [words.index(t.split()[0]) for t in texts]


def _ticket(i: int, text: str, *, hours: int, surface: Surface = Surface.INTERNAL, cause: str | None = None,
            resolution: Resolution | None = None, asked: bool = False, suggested: bool = False,
            article: str | None = None, agent: str = "ana") -> Ticket:
    at = T0 + timedelta(hours=hours)
    t = Ticket(id=f"T{i:02d}", surface=surface, created_at=at, subject=text.split()[0], text=text,
               cause_key=cause, messages=[Message(at, Role.REQUESTER, "emp-1", text)])
    if asked:
        t.messages.append(Message(at + timedelta(minutes=1), Role.SYSTEM, "fixloop", ASKED_FOR_A_PERSON))
    t.suggested_article_ids = ["kb-vpn"] if suggested else []
    if resolution is not None:
        t.status, t.resolution, t.article_id = Status.RESOLVED, resolution, article
        t.resolved_at, t.agents = at + timedelta(hours=3), [agent]
    return t


def ledger() -> list[Ticket]:
    """Twelve tickets: ties in time, every kind of resolution, a named and an automatic cause."""
    a, f = Resolution.AGENT, Resolution.FIX
    return [
        _ticket(1, "vpn drops every hour", hours=0, cause="vpn", resolution=a),
        _ticket(2, "vpn disconnects at noon", hours=0, cause="vpn", resolution=f, asked=True, suggested=True),
        _ticket(3, "vpn slow at home", hours=0, resolution=f, suggested=True),  # fix, never asked: no gap
        _ticket(4, "printer jams on tray 2", hours=5, cause="auto-printer", resolution=a),
        _ticket(5, "printer offline again", hours=5, cause="auto-printer", resolution=a, agent="ben"),
        _ticket(6, "printer toner empty", hours=6, resolution=Resolution.ARTICLE, article="kb-printer"),
        _ticket(7, "password expired today", hours=30, surface=Surface.EXTERNAL, resolution=a),
        _ticket(8, "password reset link broken", hours=30, surface=Surface.EXTERNAL, resolution=a),
        _ticket(9, "password manager locked", hours=31, surface=Surface.EXTERNAL),  # open
        _ticket(10, "vpn certificate expired", hours=48, cause="vpn", resolution=a, asked=True),
        _ticket(11, "printer queue stuck", hours=48, resolution=f, asked=True, suggested=True),
        _ticket(12, "vpn client crashes", hours=49, cause="auto-printer"),
    ]


async def seeded(repos: SqlRepositories) -> list[Ticket]:
    """Store the ledger and its causes; return every ticket as the old whole-history read did."""
    await repos.causes.save(Cause(key="vpn", title="VPN", named_by_person=True, root_cause="cert"))
    await repos.causes.save(Cause(key="auto-printer", title="printer"))
    await repos.tickets.save_many(ledger())
    return await repos.tickets.list()  # what list_all() returned: every ticket with its messages


async def test_keyset_pages_read_every_ticket_once_in_the_old_order_across_ties_in_time(repos) -> None:
    every = await seeded(repos)
    for batch in (1, 2, 5, 12, 5000):
        assert await reclustering.read_docs(repos.tickets, batch=batch) == [cluster_doc(t) for t in every]


async def test_a_proposal_from_the_pages_is_the_one_the_whole_history_gave(repos) -> None:
    every = await seeded(repos)
    known = await repos.causes.list()
    old = propose_causes(every, known, clusterer=FirstWordClusterer())
    new = await reclustering.propose(tickets=repos.tickets, causes=repos.causes, clusterer=FirstWordClusterer())
    assert new == old
    assert new.assignments["T10"] == "vpn" and new.causes  # the named cause keeps its ticket


async def test_applying_in_batches_moves_the_tickets_the_single_transaction_moved(repos) -> None:
    every = await seeded(repos)
    known = {c.key: c for c in await repos.causes.list()}
    result = propose_causes(every, known.values(), clusterer=FirstWordClusterer())
    expected = {t.id: t.cause_key if known.get(t.cause_key or "", Cause("", "")).named_by_person
                else result.assignments.get(t.id, t.cause_key) for t in every}
    desk = sql_desk(repos)
    applied = await reclustering.apply_reclustering(result, uow=desk.uow(), matcher=desk.matcher, org=desk.org,
                                                    clock=desk.clock, batch=2)
    assert {t.id: t.cause_key for t in await repos.tickets.list()} == expected
    assert applied.tickets_moved == sum(expected[t.id] != t.cause_key for t in every) > 0
    assert set(desk.matcher.causes) == {c.key for c in await repos.causes.list()}


async def test_each_causes_newest_texts_are_the_ones_the_matcher_took_from_every_ticket(repos) -> None:
    every = await seeded(repos)
    old: dict[str, list[str]] = {"vpn": [], "auto-printer": [], "none": []}
    for t in sorted(every, key=lambda t: t.created_at, reverse=True):  # CauseMatcher.load, as it was
        if t.cause_key in old and len(old[t.cause_key]) < 2:
            old[t.cause_key].append(f"{t.subject} {t.text}")
    assert await repos.tickets.cause_texts(["vpn", "auto-printer", "none"], 2) == old


async def test_gaps_from_the_sql_candidates_are_the_gaps_of_the_whole_history(repos) -> None:
    every = await seeded(repos)
    causes, w = await repos.causes.list(), ImpactWeights()
    for since in (None, T0 + timedelta(hours=5), T0 + timedelta(hours=40)):
        candidates = await repos.tickets.gap_candidates(since=since)
        old = find_gaps(every, causes, now=NOW, weights=w, since=since, min_tickets=1)
        assert group_gaps(candidates, causes, now=NOW, weights=w, min_tickets=1) == old
        assert all(not t.messages for t in candidates)  # read without their messages
    assert [t.id for t in await repos.tickets.gap_candidates()] == ["T01", "T02", "T04", "T05", "T07", "T08",
                                                                   "T10", "T11"]
    assert [t.id for t in await repos.tickets.gap_candidates(limit=2)] == ["T10", "T11"]  # the newest


async def test_a_gaps_own_tickets_are_read_by_id_in_the_old_order(repos) -> None:
    every = await seeded(repos)
    ids = ["T08", "T01", "T99", "T07"]
    assert await repos.tickets.get_many(ids) == [t for t in every if t.id in set(ids)]


async def test_coaching_candidates_from_the_period_are_those_of_the_whole_ledger(repos) -> None:
    every = await seeded(repos)
    period = Period(T0 + timedelta(hours=6), T0 + timedelta(hours=40))
    old = [t for t in every if t.agent in ("ana",) and period.contains(t.resolved_at)]
    assert await LedgerCandidates(repos.tickets).coaching_tickets(["ana"], period) == old
    assert [t.id for t in old] == ["T04", "T06", "T07", "T08"]  # T01-T03 resolved before, T05 by ben


async def test_a_root_cause_recorded_while_reclustering_saves_its_causes_is_kept_and_so_is_the_rest(
    repos,
) -> None:
    await seeded(repos)
    desk = sql_desk(repos)
    proposal = ProposedCause(cause=Cause(key="auto-printer", title="printer / tray"), action="keep",
                             ticket_ids=("T04", "T05"), evidence=("T04",), surfaces=("internal",))
    fresh = ProposedCause(cause=Cause(key="auto-password", title="password"), action="new",
                          ticket_ids=("T07", "T08"), evidence=("T07",), surfaces=("external",))
    result = Reclustering(causes=[proposal, fresh], assignments={
        "T04": "auto-other", "T07": "auto-password", "T08": "auto-password", "T12": "auto-password"})
    recorded: list[Cause] = []

    async def owner_acts(key: str) -> None:  # between the re-clustering's read of the cause and its write
        if key == "auto-printer" and not recorded:
            recorded.append(await desk.record_root_cause("T04", "The tray sensor is dirty", "ana"))

    unit = Interleaved(desk.uow(), "causes", "get", owner_acts)
    applied = await reclustering.apply_reclustering(result, uow=unit, matcher=desk.matcher, org=desk.org,
                                                    clock=desk.clock, batch=3)
    cause = await repos.causes.get("auto-printer")
    assert cause is not None and cause.root_cause == "The tray sensor is dirty" and cause.named_by_person
    assert cause.title == "printer"  # the re-clustering's name did not overwrite the owner's cause
    assert await repos.causes.get("auto-password") is not None  # the re-clustering's own change is kept
    moved = {t.id: t.cause_key for t in await repos.tickets.get_many(["T04", "T07", "T08", "T12"])}
    assert moved == {"T04": "auto-printer", "T07": "auto-password", "T08": "auto-password",
                     "T12": "auto-printer"}  # a named cause keeps its tickets, wherever they clustered
    assert applied.tickets_moved == 2 and applied.new_causes == 1


async def test_a_root_cause_recorded_between_two_batches_keeps_the_tickets_of_the_later_batches(repos) -> None:
    await seeded(repos)
    desk = sql_desk(repos)
    result = Reclustering(causes=[], assignments={"T04": "vpn-2", "T05": "vpn-2", "T12": "vpn-2", "T03": "vpn-2"})
    pages: list[object] = []

    async def owner_acts(**kwargs: object) -> None:  # after the first page was read, before it is re-pointed
        pages.append(kwargs.get("after"))
        if len(pages) == 1:
            await desk.record_root_cause("T04", "The tray sensor is dirty", "ana")

    unit = Interleaved(desk.uow(), "tickets", "cluster_docs", owner_acts)
    applied = await reclustering.apply_reclustering(result, uow=unit, matcher=desk.matcher, org=desk.org,
                                                    clock=desk.clock, batch=3)
    moved = {t.id: t.cause_key for t in await repos.tickets.get_many(["T03", "T04", "T05", "T12"])}
    assert moved == {"T03": "vpn-2", "T04": "auto-printer", "T05": "auto-printer", "T12": "auto-printer"}
    assert applied.tickets_moved == 1 and len(pages) == 5  # 12 tickets in pages of 3, and the empty last look
