"""Tracker use cases commit once: a fix shipped by its tracker, the requesters' news and the audit entry
are stored together or not at all, and a redelivery after a crash goes through whole, once."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from adapters.db.repositories import SqlRepositories
from core.causes import Cause, FixStatus
from core.tickets import Status, Surface, Ticket
from core.trackers import IssueState
from tests.crash_support import Crash, CrashingOutbox
from tests.uow_support import sql_desk

DONE = IssueState(issue="acme/vpn#12", done=True, at=datetime(2026, 3, 2, 9, 0, tzinfo=UTC))


async def linked(repos: SqlRepositories) -> None:
    at = datetime(2026, 3, 1, tzinfo=UTC)
    await repos.causes.save(Cause(
        key="vpn-cert", title="VPN certificate expiry", owner="it-network", created_at=at,
        fix_url="https://github.com/acme/vpn/issues/12", fix_status=FixStatus.LINKED,
        fix_tracker="github", fix_issue="acme/vpn#12",
    ))
    await repos.tickets.save(Ticket(
        id="FX-1", surface=Surface.INTERNAL, created_at=at, platform="slack", requester="emp-1",
        subject="VPN drops", status=Status.NEEDS_HUMAN, cause_key="vpn-cert",
    ))


async def test_a_crash_before_the_outbox_write_leaves_the_fix_unshipped_and_nobody_marked_told(repos) -> None:
    await linked(repos)
    outbox_before = await repos.outbox.depth()
    with pytest.raises(Crash):
        await sql_desk(repos, CrashingOutbox(repos.sessions)).apply_issue_states("github", [DONE])
    cause = await repos.causes.get("vpn-cert")
    assert cause is not None and cause.fix_status == FixStatus.LINKED and cause.fix_changed_at is None
    assert (await repos.tickets.get("FX-1")).fix_notified_at is None  # type: ignore[union-attr]
    assert await repos.audit.list() == [] and await repos.outbox.depth() == outbox_before
    # The tracker delivers again: shipping, the requester's and the teams' news and the entry, once.
    desk = sql_desk(repos)
    assert [c.key for c in await desk.apply_issue_states("github", [DONE])] == ["vpn-cert"]
    assert await desk.apply_issue_states("github", [DONE]) == []
    assert (await repos.causes.get("vpn-cert")).fix_status == FixStatus.SHIPPED  # type: ignore[union-attr]
    assert (await repos.tickets.get("FX-1")).fix_notified_at is not None  # type: ignore[union-attr]
    assert [e.action for e in await repos.audit.list()] == ["fix_shipped"]
    pending = (await repos.outbox.depth()).get("pending", 0) - outbox_before.get("pending", 0)
    assert pending == 3  # the requester, the owning team, triage


async def test_a_requester_answering_the_fix_news_twice_is_recorded_once(repos) -> None:
    await linked(repos)
    desk = sql_desk(repos)
    await desk.fix_still_happening("FX-1", "emp-1")
    await desk.fix_still_happening("FX-1", "emp-1")
    assert [e.action for e in await repos.audit.list()] == ["fix_still_happening"]
    await desk.fix_solved("FX-1", "emp-1")
    await desk.fix_solved("FX-1", "emp-1")
    assert [e.action for e in await repos.audit.list()] == ["fix_still_happening", "fix_confirmed"]
    assert (await repos.tickets.get("FX-1")).status == Status.RESOLVED  # type: ignore[union-attr]
