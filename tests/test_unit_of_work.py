"""One transaction per use case: a change, its outbox rows and its audit entry are seen together or not at all;
two writers on one ticket, cause or escalation never overwrite each other."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import pytest

from adapters.db.repositories import SqlRepositories
from core.cause_engine import ProposedCause, Reclustering
from core.causes import Cause
from core.desk import CONFLICT_TRIES
from core.errors import Conflict
from core.messages import Escalate, LogRequest
from core.tickets import Judgement, Message, Role
from tests.crash_support import Crash, CrashingOutbox
from tests.fakes import fake_desk, sample_articles
from tests.uow_support import sql_desk

ROOT = Path(__file__).resolve().parent.parent
THREAD = "slack:D1:1700000000.000100"
VPN = LogRequest(platform="slack", requester="emp-1", text="My VPN disconnects every hour", thread_key=THREAD)


async def opened(repos: SqlRepositories):  # type: ignore[no-untyped-def]
    desk = sql_desk(repos)
    for article in sample_articles():
        await repos.articles.save(article)
    await desk.refresh()
    return desk, (await desk.log_request(VPN)).ticket


async def test_a_crash_before_the_outbox_write_leaves_no_escalation_audit_entry_or_ticket_change(repos) -> None:
    desk, ticket = await opened(repos)
    outbox_before = await repos.outbox.depth()
    crashing = sql_desk(repos, CrashingOutbox(repos.sessions))
    await crashing.refresh()
    with pytest.raises(Crash):
        await crashing.escalate(Escalate(ticket_id=ticket.id, agent="ana", team="it-network", reason="cert"))
    stored = await repos.tickets.get(ticket.id)
    assert stored is not None and stored.status == ticket.status and stored.escalated_at is None
    assert stored.messages == ticket.messages and stored.version == ticket.version
    assert await repos.escalations.list() == [] and await repos.audit.list() == []
    assert await repos.outbox.depth() == outbox_before
    # Started again, the same escalation goes through whole: change, two notices and the audit entry.
    esc = await desk.escalate(Escalate(ticket_id=ticket.id, agent="ana", team="it-network", reason="cert"))
    assert [e.id for e in await repos.escalations.list()] == [esc.id]
    assert [e.escalation_id for e in await repos.audit.list()] == [esc.id]
    depth = await repos.outbox.depth()
    assert depth["pending"] == outbox_before.get("pending", 0) + 2
    assert (await repos.tickets.get(ticket.id)).escalated_to == "it-network"  # type: ignore[union-attr]


CRASH_SCRIPT = """
import asyncio, os, sys
from adapters.db.engine import make_engine
from adapters.db.outbox import SqlOutbox
from adapters.db.repositories import SqlRepositories
from core.messages import Escalate
from tests.uow_support import sql_desk

class DieHere(SqlOutbox):
    async def put(self, *args, **kwargs):
        os._exit(9)  # the process is gone: no rollback, no cleanup, the connection just drops

async def main():
    repos = SqlRepositories.build(make_engine(sys.argv[1]))
    desk = sql_desk(repos, DieHere(repos.sessions))
    await desk.escalate(Escalate(ticket_id=sys.argv[2], agent="ana", team="it-network", reason="cert"))

asyncio.run(main())
"""


async def test_a_process_killed_between_the_change_and_its_outbox_rows_leaves_nothing_half_done(
    repos, db_url
) -> None:
    _, ticket = await opened(repos)
    outbox_before = await repos.outbox.depth()
    done = await asyncio.to_thread(
        subprocess.run, [sys.executable, "-c", CRASH_SCRIPT, db_url, ticket.id], cwd=ROOT, capture_output=True
    )
    assert done.returncode == 9, done.stderr.decode()
    stored = await repos.tickets.get(ticket.id)
    assert stored is not None and stored.escalated_at is None and stored.version == ticket.version
    assert await repos.escalations.list() == [] and await repos.audit.list() == []
    assert await repos.outbox.depth() == outbox_before


async def test_two_writers_of_one_ticket_the_second_is_refused_and_nothing_is_overwritten(repos) -> None:
    _, ticket = await opened(repos)
    first, second = await repos.tickets.get(ticket.id), await repos.tickets.get(ticket.id)
    assert first is not None and second is not None
    first.add_message(Message(at=ticket.created_at, role=Role.REQUESTER, author="emp-1", text="one", ref="r1"))
    second.add_message(Message(at=ticket.created_at, role=Role.REQUESTER, author="emp-1", text="two", ref="r2"))
    await repos.tickets.save(first)
    with pytest.raises(Conflict):
        await repos.tickets.save(second)
    stored = await repos.tickets.get(ticket.id)
    assert [m.text for m in stored.messages][-1] == "one"  # type: ignore[union-attr]


async def test_replies_from_two_processes_at_once_all_land_in_the_ticket(repos, engine) -> None:
    desk, ticket = await opened(repos)
    other = sql_desk(SqlRepositories.build(engine))  # a second process: its own Desk and connections
    await other.refresh()

    async def reply(i: int) -> None:
        cmd = LogRequest(platform="slack", requester="emp-1", text=f"more detail {i}", thread_key=THREAD,
                         message_ref=f"slack:D1:17000000{i:02d}.000200")
        await (desk if i % 2 else other).log_request(cmd)

    await asyncio.gather(*(reply(i) for i in range(20)))
    stored = await repos.tickets.get(ticket.id)
    assert stored is not None
    assert sorted(m.text for m in stored.messages if m.ref) == sorted(f"more detail {i}" for i in range(20))


async def test_a_stale_reclustering_keeps_the_root_cause_an_owner_recorded_meanwhile(repos) -> None:
    desk, ticket = await opened(repos)
    await repos.causes.save(Cause(key="vpn-drops", title="VPN drops"))
    stale = await repos.causes.get("vpn-drops")
    assert stale is not None
    proposal = ProposedCause(cause=Cause(key="vpn-drops", title="vpn / disconnects", version=stale.version),
                             action="keep", ticket_ids=(ticket.id,), evidence=(ticket.id,), surfaces=("internal",))
    ticket_now = await repos.tickets.get(ticket.id)
    ticket_now.cause_key = "vpn-drops"  # type: ignore[union-attr]
    await repos.tickets.save(ticket_now)  # type: ignore[arg-type]
    await desk.record_root_cause(ticket.id, "The gateway certificate expired", "ana", title="Expired VPN cert")
    applied = await desk.apply_reclustering(Reclustering(causes=[proposal], assignments={ticket.id: "other"}))
    cause = await repos.causes.get("vpn-drops")
    assert cause is not None and cause.title == "Expired VPN cert" and cause.root_cause is not None
    assert (await repos.tickets.get(ticket.id)).cause_key == "vpn-drops"  # type: ignore[union-attr]
    assert applied.tickets_moved == 0


async def test_an_escalation_judged_twice_at_once_keeps_both_judgements_in_the_audit_log(repos) -> None:
    desk, ticket = await opened(repos)
    esc = await desk.escalate(Escalate(ticket_id=ticket.id, agent="ana", team="it-network", reason="cert"))
    await asyncio.gather(desk.judge(esc.id, Judgement.NEEDED, "ana"), desk.judge(esc.id, Judgement.NOT_NEEDED, "lea"))
    stored = await repos.escalations.get(esc.id)
    judged = [e for e in await repos.audit.list() if e.action == "judged"]
    assert stored is not None and stored.version == 3  # saved, then judged twice: no judgement overwritten blind
    assert sorted(e.detail for e in judged) == ["needed", "not_needed"]
    assert (await repos.tickets.get(ticket.id)).escalation_judgement == stored.judgement  # type: ignore[union-attr]


async def test_with_the_fakes_a_use_case_that_fails_midway_changes_nothing() -> None:
    desk = await fake_desk()
    ticket = (await desk.log_request(VPN)).ticket

    async def broken(entry) -> None:  # type: ignore[no-untyped-def]
        raise Crash("the audit log is gone")

    desk.audit.record = broken
    with pytest.raises(Crash):
        await desk.escalate(Escalate(ticket_id=ticket.id, agent="ana", team="it-network", reason="cert"))
    assert await desk.escalations.list() == []
    assert (await desk.tickets.get(ticket.id)).escalated_at is None  # type: ignore[union-attr]
    assert "escalation" not in desk.notifier.kinds()


async def test_a_use_case_that_keeps_conflicting_is_retried_a_bounded_number_of_times_then_gives_up() -> None:
    desk = await fake_desk()
    ticket = (await desk.log_request(VPN)).ticket
    tries = []

    async def always_changed_meanwhile(t) -> None:  # type: ignore[no-untyped-def]
        tries.append(t.version)
        raise Conflict(f"ticket {t.id} changed since it was read")

    desk.tickets.save = always_changed_meanwhile
    with pytest.raises(Conflict):
        await desk.agent_reply(ticket.id, "ana", "Restart the client, please")
    assert len(tries) == CONFLICT_TRIES
    assert [m.text for m in (await desk.tickets.get(ticket.id)).messages][-1] != "Restart the client, please"  # type: ignore[union-attr]


async def test_two_transactions_that_deadlock_on_postgresql_end_as_one_commit_and_one_retryable_conflict(
    repos, db_url
) -> None:
    if not db_url.startswith("postgresql"):
        pytest.skip("SQLite has one writer at a time: its transactions cannot cross")
    _, ticket = await opened(repos)
    await repos.causes.save(Cause(key="vpn-drops", title="VPN drops"))
    first_holds, second_holds = asyncio.Event(), asyncio.Event()

    async def crossing(mine: asyncio.Event, theirs: asyncio.Event, ticket_first: bool) -> str:
        async with repos.unit_of_work() as uow:
            t, c = await uow.tickets.get(ticket.id), await uow.causes.get("vpn-drops")
            assert t is not None and c is not None
            steps = [uow.tickets.save(t), uow.causes.save(c)]
            await (steps[0] if ticket_first else steps[1])
            mine.set()
            await theirs.wait()
            await (steps[1] if ticket_first else steps[0])  # each now waits for the other's row: a deadlock
            await uow.commit()
        return "committed"

    outcomes = await asyncio.gather(
        crossing(first_holds, second_holds, True), crossing(second_holds, first_holds, False),
        return_exceptions=True,
    )
    assert sorted(type(o).__name__ if isinstance(o, Exception) else o for o in outcomes) == ["Conflict", "committed"]
