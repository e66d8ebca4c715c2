"""Every agent, manager and leader action in Slack is refused, privately and clearly, for anyone without
the role, and changes nothing; each runs the real path: a signed request to /slack/events."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from adapters.slack import modals
from adapters.slack.forms import Ref
from core.messages import LogRequest
from tests.roles_support import Scene, desk_state, escalated
from tests.slack_fake import ANA, EMPLOYEE, LEA, MIA, harness


@pytest.fixture
async def slack(engine, db_url):
    """Fixloop serving /slack/events against a fake Slack; rows are deleted after the test."""
    async with harness(db_url) as h:
        yield h


async def scene(slack) -> Scene:  # type: ignore[no-untyped-def]
    """A ticket escalated by an agent, so that every owner's action has something to act on."""
    return await escalated(
        slack,
        LogRequest(
            platform="slack",
            requester=EMPLOYEE,
            text="VPN disconnects every few minutes since this morning",
            thread_key="slack:D0EMP:1700000000.000100",
            chat={"channel": "D0EMP", "thread_ts": "1700000000.000100"},
            channel="D0EMP",
        ),
        ANA,
    )


def click(action_id: str, **value: str) -> Callable[[Any, Scene, str], Awaitable[Any]]:
    def run(slack, s: Scene, user: str):  # type: ignore[no-untyped-def]
        ids = {"ticket": s.ticket, "escalation": s.escalation}
        return slack.click({"action_id": action_id, "value": json.dumps({**ids, **value})}, user)

    return run


def command(name: str, text: str) -> Callable[[Any, Scene, str], Awaitable[Any]]:
    def run(slack, s: Scene, user: str):  # type: ignore[no-untyped-def]
        return slack.command(name, text.format(ticket=s.ticket), user)

    return run


def escalate_shortcut(slack, s: Scene, user: str):  # type: ignore[no-untyped-def]
    message = {"user": EMPLOYEE, "text": "more", "ts": "1700000005.0", "thread_ts": "1700000000.000100"}
    return slack.interact(
        {
            "type": "message_action",
            "callback_id": "fixloop.escalate_message",
            "user": {"id": user},
            "channel": {"id": "D0EMP"},
            "trigger_id": "trig.sc",
            "response_url": slack.fake.response_url("shortcut"),
            "message": message,
        }
    )


def typed(value: str) -> dict[str, str]:
    return {"type": "plain_text_input", "value": value}


def submit_escalation(slack, s: Scene, user: str):  # type: ignore[no-untyped-def]
    view = modals.escalate(Ref(s.ticket, channel="C0TRIAGE"), slack.desk.org.teams, "billing", "", "")
    picked = {"type": "static_select", "selected_option": {"value": "billing"}}
    return slack.submit(view, user, {"team": picked, "reason": typed("please")})


def submit_root_cause(slack, s: Scene, user: str):  # type: ignore[no-untyped-def]
    view = modals.root_cause(Ref(s.ticket, channel="C0NETWORK", ts="1800000000.000001"))
    return slack.submit(view, user, {"root_cause": typed("a guess"), "title": typed("Guess")})


def submit_fix(slack, s: Scene, user: str):  # type: ignore[no-untyped-def]
    view = modals.link_fix(Ref(s.ticket, channel="C0NETWORK", ts="1800000000.000001"))
    return slack.submit(view, user, {"fix_url": typed("https://example.com/fix/1")})


def submit_review(slack, s: Scene, user: str):  # type: ignore[no-untyped-def]
    view = modals.review(Ref(s.ticket), s.ticket, "")
    parts = ("what_happened", "why_it_mattered", "what_good_looks_like", "what_changes_next")
    return slack.submit(view, user, {"ticket": typed(s.ticket), **{p: typed("x") for p in parts}})


OTHER = "U0OTHER"  # an employee who is not the requester
AGENT, STAFF, MANAGER, LEADER = (
    "Only an agent can do",
    "Only an agent or manager or leader can do",
    "Only a manager can do",
    "Only a leader can do",
)
# (name, how the action is taken, who tries it without the role, the refusal, where the refusal shows)
CASES = [
    ("assign button", click("fixloop.assign"), EMPLOYEE, AGENT, "respond"),
    ("assign button by a leader", click("fixloop.assign"), LEA, AGENT, "respond"),
    ("resolve button", click("fixloop.resolve"), EMPLOYEE, AGENT, "respond"),
    ("resolve button by a manager", click("fixloop.resolve"), MIA, AGENT, "respond"),
    ("escalate button", click("fixloop.escalate"), EMPLOYEE, AGENT, "respond"),
    ("needed button", click("fixloop.judge_needed"), EMPLOYEE, STAFF, "respond"),
    ("not needed button", click("fixloop.judge_not_needed"), EMPLOYEE, STAFF, "respond"),
    ("record root cause button", click("fixloop.root_cause"), EMPLOYEE, STAFF, "respond"),
    ("link fix button", click("fixloop.link_fix"), EMPLOYEE, STAFF, "respond"),
    ("fix shipped button", click("fixloop.fix_shipped"), EMPLOYEE, STAFF, "respond"),
    ("/escalate", command("/escalate", "{ticket} billing urgent"), EMPLOYEE, AGENT, "respond"),
    ("/escalate by a leader", command("/escalate", "{ticket}"), LEA, AGENT, "respond"),
    ("/causes", command("/causes", ""), ANA, LEADER, "respond"),
    ("/causes by a manager", command("/causes", ""), MIA, LEADER, "respond"),
    ("/review", command("/review", "{ticket}"), ANA, MANAGER, "respond"),
    ("/review by a leader", command("/review", "<@U0ANA>"), LEA, MANAGER, "respond"),
    ("escalate shortcut", escalate_shortcut, EMPLOYEE, AGENT, "respond"),
    ("escalation form", submit_escalation, EMPLOYEE, AGENT, "ephemeral"),
    ("escalation form by a manager", submit_escalation, MIA, AGENT, "ephemeral"),
    ("root cause form", submit_root_cause, EMPLOYEE, STAFF, "form"),
    ("link fix form", submit_fix, EMPLOYEE, STAFF, "form"),
    ("review form", submit_review, ANA, MANAGER, "form"),
    ("review form by a leader", submit_review, LEA, MANAGER, "form"),
    ("/ticket of someone else's ticket", command("/ticket", "{ticket}"), OTHER, STAFF, "respond"),
    ("solved it on someone else's ticket", click("fixloop.solved"), OTHER, STAFF, "respond"),
    ("not solved on someone else's ticket", click("fixloop.csat_not_solved"), OTHER, STAFF, "respond"),
]


@pytest.mark.parametrize(("act", "user", "refusal", "where"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
async def test_an_action_without_the_role_is_refused_privately_and_changes_nothing(
    slack, act, user, refusal, where
):
    s = await scene(slack)
    posts = len(slack.fake.of("chat.postMessage"))
    before = await refused(slack, act, s, user, refusal, where)
    assert await desk_state(slack.desk) == before
    assert slack.fake.of("views.open") == [] and len(slack.fake.of("chat.postMessage")) == posts


async def refused(slack, act, s: Scene, user: str, refusal: str, where: str):  # type: ignore[no-untyped-def]
    """Take the action as `user`, see it refused privately (`where`) with `refusal`; the state before it."""
    before = await desk_state(slack.desk)
    response = await act(slack, s, user)
    assert response.status == 200
    if where == "form":  # the form stays open and says why, beside the field
        text = " ".join((await response.json())["errors"].values())
    elif where == "respond":
        told = await slack.fake.wait_for("response_url")
        assert told[0]["response_type"] == "ephemeral"
        text = told[0]["text"]
    else:
        told = await slack.fake.wait_for("chat.postEphemeral")
        assert told[0]["user"] == user
        text = told[0]["text"]
    assert f"{refusal} that. Ask your Fixloop admin if you need access." in text
    return before


async def test_the_same_actions_with_the_role_go_through(slack):
    """The other side of the table: the refusals above are about roles, not broken requests."""
    s = await scene(slack)
    # Each step waits for its audit entry: a form is acted on after its ack, and a fix needs the cause.
    steps = [click("fixloop.judge_needed"), submit_root_cause, submit_fix, submit_review]
    for n, (step, who) in enumerate(zip(steps, [ANA, MIA, LEA, MIA], strict=True), start=1):
        await step(slack, s, who)
        await slack.eventually(lambda n=n: _audited(slack.desk, n))  # type: ignore[misc]
    await command("/causes", "")(slack, s, LEA)
    await slack.fake.wait_for("response_url", where=lambda p: "root causes" in json.dumps(p))
    entries = await slack.eventually(lambda: _audited(slack.desk, 4))
    assert [e.action for e in entries] == ["escalated", "judged", "root_cause_recorded", "fix_linked", "reviewed"]


async def _audited(desk, count: int):  # type: ignore[no-untyped-def]
    entries = await desk.audit_entries()
    return entries if len(entries) > count else None
