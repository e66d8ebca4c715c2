"""The audit log: every escalation, judgement, root cause, fix and review leaves who, what and when."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

import pytest

from adapters.db.audit import SqlAuditLog
from adapters.db.engine import make_engine
from core.audit import AuditAction, AuditEntry
from core.errors import InvalidInput, NotAllowed
from core.messages import Escalate, LogRequest, RecordReview
from core.tickets import Judgement
from tests.cli_support import cli_for
from tests.conftest import BACKENDS, empty_database
from tests.fakes import fake_desk

VPN = LogRequest(
    platform="slack", requester="emp-1", text="My VPN disconnects every hour", thread_key="slack:C1:1.0"
)
PARTS = dict(what_happened="a", why_it_mattered="b", what_good_looks_like="c", what_changes_next="d")


async def run_the_loop(desk):  # type: ignore[no-untyped-def]
    """Escalate, judge, record the cause, link and ship the fix, resolve and review one ticket."""
    ticket = (await desk.log_request(VPN)).ticket
    esc = await desk.escalate(Escalate(ticket_id=ticket.id, agent="ana", team="it-network", reason="cert"))
    desk.clock.advance(minutes=5)
    await desk.judge(esc.id, Judgement.NEEDED, "ana")
    cause = await desk.record_root_cause(ticket.id, "The gateway certificate expired", "ana")
    await desk.link_fix(ticket.id, "https://jira.example.com/browse/NET-1", "ana")
    desk.clock.advance(minutes=5)
    await desk.ship_fix(cause.key, "lea")
    await desk.resolve(ticket.id, "ana")
    review = await desk.record_review(RecordReview(ticket_id=ticket.id, manager="mia", **PARTS))
    return ticket, esc, cause, review


async def test_every_audited_use_case_writes_who_what_and_which_ids():
    desk = await fake_desk()
    ticket, esc, cause, review = await run_the_loop(desk)
    entries = desk.audit.entries
    assert [e.action for e in entries] == [
        AuditAction.ESCALATED,
        AuditAction.JUDGED,
        AuditAction.ROOT_CAUSE_RECORDED,
        AuditAction.FIX_LINKED,
        AuditAction.FIX_SHIPPED,
        AuditAction.RESOLVED,
        AuditAction.REVIEWED,
    ]
    assert [e.who for e in entries] == ["ana", "ana", "ana", "ana", "lea", "ana", "mia"]
    assert entries[0].ticket_id == ticket.id and entries[0].escalation_id == esc.id
    assert entries[0].detail == "to it-network: cert"
    assert entries[1].escalation_id == esc.id and entries[1].detail == "needed"
    assert entries[2].cause_key == cause.key and "certificate expired" in entries[2].detail
    assert entries[3].cause_key == cause.key and entries[3].detail.endswith("NET-1")
    assert entries[4].cause_key == cause.key and entries[4].at == entries[1].at + timedelta(minutes=5)
    assert entries[5].ticket_id == ticket.id and entries[6].review_id == review.id


async def test_an_action_refused_for_its_role_or_its_input_writes_no_entry():
    desk = await fake_desk()
    ticket = (await desk.log_request(VPN)).ticket
    with pytest.raises(NotAllowed):
        await desk.escalate(Escalate(ticket_id=ticket.id, agent="emp-1", team="it-network"))
    with pytest.raises(InvalidInput, match="limit is 3,000"):
        await desk.escalate(Escalate(ticket_id=ticket.id, agent="ana", team="it-network", reason="x" * 3001))
    with pytest.raises(NotAllowed):
        await desk.record_review(RecordReview(ticket_id=ticket.id, manager="ana", **PARTS))
    with pytest.raises(InvalidInput, match="not a link"):
        await desk.link_fix(ticket.id, "see slack", "ana")
    assert desk.audit.entries == [] and await desk.escalations.list() == []


def entry(minutes: int, action: AuditAction = AuditAction.ESCALATED, **ids: str) -> AuditEntry:
    at = datetime(2026, 11, 16, 9, 0, tzinfo=UTC) + timedelta(minutes=minutes)
    return AuditEntry(at=at, who="ana", action=action, detail="to billing: ünïcode ✓", **ids)


async def test_the_sql_audit_log_keeps_entries_in_time_order_and_filters_by_date(repos):
    log = repos.audit
    later = entry(10, AuditAction.FIX_SHIPPED, cause_key="vpn-cert")
    first = entry(0, ticket_id="FX-AAAAAA", escalation_id="ESC-1")
    await log.record(later)
    await log.record(first)
    await log.record(entry(10, AuditAction.REVIEWED, review_id="REV-1"))
    listed = await log.list()
    assert listed[:2] == [first, later] and listed[2].review_id == "REV-1"
    assert listed[0].at.tzinfo is not None and listed[0].detail == "to billing: ünïcode ✓"
    assert await log.list(since=first.at + timedelta(minutes=1)) == listed[1:]
    assert await log.list(limit=1) == [first]


@pytest.fixture(params=BACKENDS)
def audited_db(request, tmp_path):  # type: ignore[no-untyped-def]
    """A migrated scratch database holding two audit entries a week apart."""
    with empty_database(request.param, tmp_path, "fixloop_audit") as url:
        cli = cli_for(url)
        cli.run("migrate")

        async def fill() -> None:
            engine = make_engine(url)
            try:
                await SqlAuditLog(engine).record(entry(0, ticket_id="FX-AAAAAA", escalation_id="ESC-1"))
                await SqlAuditLog(engine).record(entry(7 * 24 * 60, AuditAction.JUDGED, escalation_id="ESC-1"))
            finally:
                await engine.dispose()

        asyncio.run(fill())
        yield cli


def test_fixloop_audit_lists_entries_as_text_or_json_since_a_date(audited_db):
    text = audited_db.run("audit").stdout
    assert "ana  escalated  FX-AAAAAA ESC-1: to billing" in text and "judged" in text
    data = json.loads(audited_db.run("audit", "--since", "2026-11-20", "--json").stdout)
    assert [e["action"] for e in data["entries"]] == ["judged"]
    assert data["entries"][0]["escalation_id"] == "ESC-1" and data["entries"][0]["at"].startswith("2026-11-23")
    assert data["since"].startswith("2026-11-19T23:00:00")  # midnight in Europe/Berlin, from fixloop.toml
    bad = audited_db.run("audit", "--since", "last week", check=False)
    assert bad.returncode == 2 and "not ISO 8601" in bad.stderr and "Traceback" not in bad.stderr
    assert "No audited actions since" in audited_db.run("audit", "--since", "2030-01-01").stdout
