"""Every agent, manager and leader action in Teams is refused, clearly, for anyone without the role, and
changes nothing (the card stays, its button unspent); each runs the real path: a signed activity."""

from __future__ import annotations

import pytest

from core.tickets import Status
from tests.roles_support import AGENT, LEADER, MANAGER, STAFF, desk_state
from tests.teams_fake import ANA, DM, EMP, LEA, MIA, TRIAGE, harness
from tests.teams_roles_support import PARTS, click, refused, scene, typed


@pytest.fixture
async def teams(engine, db_url, tmp_path):
    """Fixloop serving /api/messages against a fake Bot Connector; rows are deleted after the test."""
    async with harness(db_url, tmp_path) as h:
        yield h


OTHER = "eeeeeeee-0000-4000-8000-eeeeeeeeeeee"  # an employee who is not the requester
CASES = [
    ("assign button", click("assign", TRIAGE), EMP, AGENT),
    ("assign button by a leader", click("assign", TRIAGE), LEA, AGENT),
    ("resolve button", click("resolve", TRIAGE), EMP, AGENT),
    ("resolve button by a manager", click("resolve", TRIAGE), MIA, AGENT),
    ("escalate button", click("escalate", TRIAGE), EMP, AGENT),
    ("escalation form", click("escalate_submit", TRIAGE, team="billing", reason="please"), EMP, AGENT),
    ("escalation form by a manager", click("escalate_submit", TRIAGE, team="billing"), MIA, AGENT),
    ("needed button", click("judge_needed"), EMP, STAFF),
    ("not needed button", click("judge_not_needed"), EMP, STAFF),
    ("root cause form", click("root_cause", root_cause="a guess", title="Guess"), EMP, STAFF),
    ("link fix form", click("link_fix", fix_url="https://example.com/fix/1"), EMP, STAFF),
    ("fix shipped button", click("fix_shipped"), EMP, STAFF),
    ("review form", click("review_submit", TRIAGE, ticket_input="{ticket}", **PARTS), ANA, MANAGER),
    ("review form by a leader", click("review_submit", TRIAGE, **PARTS), LEA, MANAGER),
    ("escalate command", typed("escalate {ticket} billing urgent"), EMP, AGENT),
    ("escalate command by a leader", typed("escalate {ticket}"), LEA, AGENT),
    ("causes command", typed("causes"), ANA, LEADER),
    ("causes command by a manager", typed("causes"), MIA, LEADER),
    ("review command", typed("review {ticket}"), ANA, MANAGER),
    ("review command by an employee", typed("review {ticket}"), EMP, MANAGER),
    ("ticket command on someone else's ticket", typed("ticket {ticket}"), OTHER, STAFF),
    ("solved it on someone else's ticket", click("solved", DM), OTHER, STAFF),
    ("not solved on someone else's ticket", click("csat_not_solved", DM), OTHER, STAFF),
]


@pytest.mark.parametrize(("act", "user", "refusal"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
async def test_an_action_without_the_role_is_refused_clearly_and_changes_nothing(teams, act, user, refusal):
    s = await scene(teams)
    posted = len(teams.connector.posted())
    before = await refused(teams, act, s, user, refusal)
    assert await desk_state(teams.desk) == before
    assert [c for c in teams.connector.calls if c.kind == "update"] == []  # the card is as it was
    assert len(teams.connector.posted()) == posted + 1  # the refusal, and no form or card


async def test_a_refused_click_leaves_the_button_for_someone_with_the_role(teams):
    s = await scene(teams)
    await click("resolve", TRIAGE)(teams, s, EMP)
    await teams.connector.wait_for("posted", where=lambda c: "Only an agent" in c.body.get("text", ""))
    await click("resolve", TRIAGE)(teams, s, ANA)
    await teams.connector.wait_for("update")
    assert (await teams.desk.tickets.get(s.ticket)).status == Status.RESOLVED
