"""A role is held on a platform: someone who is an agent and a manager in Slack only is refused every Teams
card action (a Teams AAD id and a Slack user id are different people), and each Teams card action writes
its audit entry, once however often it is pressed. Each runs the real path: a signed activity."""

from __future__ import annotations

import pytest

from core.messages import LogRequest
from tests.roles_support import AGENT, MANAGER, STAFF, desk_state
from tests.teams_fake import ANA, DM, EMP, NETWORK, TRIAGE, harness
from tests.teams_roles_support import PARTS, click, refused, scene, typed

TOM = "f0f0f0f0-0000-4000-8000-f0f0f0f0f0f0"  # an id Slack gave Tom; in Teams nobody has it
TOM_IN_SLACK = f'\n[people.tom]\nname = "Tom Tanner"\nroles = ["agent", "manager"]\nslack = "{TOM}"\n'


@pytest.fixture
async def teams(engine, db_url, tmp_path):  # type: ignore[no-untyped-def]
    """Fixloop serving /api/messages with Tom an agent and a manager in Slack only."""
    async with harness(db_url, tmp_path, TOM_IN_SLACK) as h:
        yield h


async def solved_on_a_slack_ticket(teams, s, user: str):  # type: ignore[no-untyped-def]
    """"Solved it" on a ticket asked in Slack by the Slack user whose id the presser has in Teams."""
    reply = await teams.desk.log_request(
        LogRequest(platform="slack", requester=user, text="Printer on floor 3 jams", thread_key="slack:D1:1.0")
    )
    data = {"fixloop": "solved", "ticket": reply.ticket.id, "article": "kb-printer"}
    return await teams.click(data, user, "card-9", DM)


CASES = [
    ("assign button", click("assign", TRIAGE), AGENT),
    ("resolve button", click("resolve", TRIAGE), AGENT),
    ("needed button", click("judge_needed"), STAFF),
    ("fix shipped button", click("fix_shipped"), STAFF),
    ("file fix issue button", click("file_fix"), STAFF),
    ("escalation form", click("escalate_submit", TRIAGE, team="billing", reason="please"), AGENT),
    ("root cause form", click("root_cause", root_cause="a guess", title="Guess"), STAFF),
    ("link fix form", click("link_fix", fix_url="https://example.com/fix/1"), STAFF),
    ("review form", click("review_submit", TRIAGE, ticket_input="{ticket}", **PARTS), MANAGER),
    ("ticket command on someone else's ticket", typed("ticket {ticket}"), STAFF),
    ("solved it on a Slack ticket of the same id", solved_on_a_slack_ticket, STAFF),
]


@pytest.mark.parametrize(("act", "refusal"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
async def test_a_role_held_in_slack_only_is_refused_in_teams_and_changes_nothing(teams, act, refusal):
    s = await scene(teams)
    before = await refused(teams, act, s, TOM, refusal)
    after = await desk_state(teams.desk)
    assert after[1:] == before[1:]  # escalations, causes, reviews and the audit log as they were
    assert [t for t in after[0] if t[0] == s.ticket] == [t for t in before[0] if t[0] == s.ticket]
    assert [c for c in teams.connector.calls if c.kind == "update"] == []  # the card is as it was


async def twice(teams, action: str, ticket: str, user: str, where: str, **ids: str) -> None:  # type: ignore[no-untyped-def]
    """The same card button pressed twice (a double click): the same activity, on the same card."""
    card, kind = f"card-{action}", "personal" if where == DM else "channel"
    conversation = where if where == DM else f"{where};messageid={card}"
    for _ in range(2):
        await teams.click({"fixloop": action, "ticket": ticket, **ids}, user, card, conversation, kind)


PRESSES = [  # (button, who presses it, where, the audit action afterwards)
    ("need_help", EMP, DM, "asked_for_person"),
    ("assign", ANA, TRIAGE, "assigned"),
    ("resolve", ANA, TRIAGE, "resolved"),
]


@pytest.mark.parametrize(("action", "user", "where", "audited"), PRESSES, ids=[p[0] for p in PRESSES])
async def test_a_teams_button_writes_its_audit_entry_once_however_often_it_is_pressed(
    teams, action, user, where, audited
):
    reply = await teams.desk.log_request(
        LogRequest(platform="teams", requester=EMP, text="Printer on floor 3 jams", thread_key=f"teams:{DM};m=2")
    )
    await twice(teams, action, reply.ticket.id, user, where)
    await teams.connector.wait_for("posted", where=lambda c: "already used" in c.body.get("text", ""))
    entries = [e for e in await teams.desk.audit_entries() if e.action == audited]
    assert len(entries) == 1 and entries[0].ticket_id == reply.ticket.id
    assert entries[0].who == ("ana" if user == ANA else user)


async def test_the_judgement_and_the_survey_answer_are_audited_once_however_often_pressed(teams):
    s = await scene(teams)
    await twice(teams, "judge_needed", s.ticket, ANA, NETWORK, escalation=s.escalation)
    await teams.desk.resolve(s.ticket, ANA, "teams")
    await twice(teams, "csat", s.ticket, EMP, DM, score="4")
    await teams.connector.wait_for("posted", 2, where=lambda c: "already used" in c.body.get("text", ""))
    kinds = [e.action for e in await teams.desk.audit_entries() if e.ticket_id == s.ticket]
    assert kinds.count("judged") == 1 and kinds.count("csat_recorded") == 1
