"""Every agent, manager and leader action in Teams is refused, clearly, for anyone without the role, and
changes nothing (the card stays, its button unspent); each runs the real path: a signed activity."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from core.messages import LogRequest
from core.tickets import Status
from tests.roles_support import Scene, desk_state, escalated
from tests.teams_fake import ANA, DM, EMP, LEA, MIA, NETWORK, TRIAGE, harness, mention_bot, message


@pytest.fixture
async def teams(engine, db_url, tmp_path):
    """Fixloop serving /api/messages against a fake Bot Connector; rows are deleted after the test."""
    async with harness(db_url, tmp_path) as h:
        yield h


async def scene(teams) -> Scene:  # type: ignore[no-untyped-def]
    """A ticket escalated by an agent, so that every owner's action has something to act on."""
    return await escalated(
        teams,
        LogRequest(
            platform="teams",
            requester=EMP,
            text="VPN disconnects every few minutes since this morning",
            thread_key=f"teams:{DM};messageid=m1",
            channel=DM,
        ),
        ANA,
    )


def click(action: str, channel: str = NETWORK, **values: str) -> Callable[[Any, Scene, str], Awaitable[Any]]:
    def run(teams, s: Scene, user: str):  # type: ignore[no-untyped-def]
        data = {"fixloop": action, "ticket": s.ticket, "escalation": s.escalation}
        return teams.click(data, user, "card-1", f"{channel};messageid=card-1", "channel", **values)

    return run


def typed(text: str) -> Callable[[Any, Scene, str], Awaitable[Any]]:
    def run(teams, s: Scene, user: str):  # type: ignore[no-untyped-def]
        activity = message(
            f"<at>Fixloop</at> {text.format(ticket=s.ticket)}",
            user,
            f"{TRIAGE};messageid=t1",
            "channel",
            id="t1",
            entities=mention_bot(),
        )
        return teams.post(activity)

    return run


OTHER = "eeeeeeee-0000-4000-8000-eeeeeeeeeeee"  # an employee who is not the requester
PARTS = {"what_happened": "x", "why_it_mattered": "x", "what_good_looks_like": "x", "what_changes_next": "x"}
AGENT, STAFF, MANAGER, LEADER = (
    "Only an agent can do",
    "Only an agent or manager or leader can do",
    "Only a manager can do",
    "Only a leader can do",
)
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


async def refused(teams, act, s: Scene, user: str, refusal: str):  # type: ignore[no-untyped-def]
    """Take the action as `user` and see it refused with `refusal`; the desk's state before it."""
    before, posted = await desk_state(teams.desk), len(teams.connector.posted())
    response = await act(teams, s, user)
    assert response.status in (200, 201)
    told = (await teams.connector.wait_for("posted", posted + 1))[-1]
    assert f"{refusal} that. Ask your Fixloop admin if you need access." in told.body["text"]
    return before


async def test_a_refused_click_leaves_the_button_for_someone_with_the_role(teams):
    s = await scene(teams)
    await click("resolve", TRIAGE)(teams, s, EMP)
    await teams.connector.wait_for("posted", where=lambda c: "Only an agent" in c.body.get("text", ""))
    await click("resolve", TRIAGE)(teams, s, ANA)
    await teams.connector.wait_for("update")
    assert (await teams.desk.tickets.get(s.ticket)).status == Status.RESOLVED
