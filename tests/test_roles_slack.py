"""Every agent, manager and leader action in Slack is refused, privately and clearly, for anyone without
the role, and changes nothing; each runs the real path: a signed request to /slack/events."""

from __future__ import annotations

import json

import pytest

from tests.roles_support import AGENT, LEADER, MANAGER, STAFF, desk_state
from tests.slack_fake import ANA, EMPLOYEE, LEA, MIA, harness
from tests.slack_roles_support import (
    click,
    command,
    escalate_shortcut,
    refused,
    scene,
    submit_escalation,
    submit_fix,
    submit_review,
    submit_root_cause,
)


@pytest.fixture
async def slack(engine, db_url):
    """Fixloop serving /slack/events against a fake Slack; rows are deleted after the test."""
    async with harness(db_url) as h:
        yield h


OTHER = "U0OTHER"  # an employee who is not the requester
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
