"""A role is held on a platform: someone who is an agent and a manager in Teams only is refused every Slack
button and form (a Slack user id and a Teams id are different people), and each Slack action writes its
audit entry, once however often the same signed request comes. Each runs the real path: /slack/events."""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import urlencode

import pytest

from adapters.slack.once import ALREADY_CLICKED
from core.messages import LogRequest
from tests.roles_support import AGENT, MANAGER, STAFF, desk_state
from tests.slack_fake import ANA, EMPLOYEE, ROOT, TEAM, harness
from tests.slack_roles_support import (
    click,
    refused,
    scene,
    submit_escalation,
    submit_fix,
    submit_review,
    submit_root_cause,
)

TOM = "U0TOM"  # Tom's Teams id; in Slack nobody has it, so there he is nobody special
TOM_IN_TEAMS = '\n[people.tom]\nname = "Tom Tanner"\nroles = ["agent", "manager"]\nteams = "U0TOM"\n'
BEN = "U0BEN"  # an agent in Slack
FORM = "application/x-www-form-urlencoded"


@pytest.fixture
async def slack(engine, db_url, tmp_path):  # type: ignore[no-untyped-def]
    """Fixloop serving /slack/events with Tom an agent and a manager in Teams only."""
    config = tmp_path / "fixloop.toml"
    config.write_text((ROOT / "fixloop.example.toml").read_text() + TOM_IN_TEAMS)
    async with harness(db_url, fixloop_config=config) as h:
        yield h


async def solved_on_a_teams_ticket(slack, s, user: str):  # type: ignore[no-untyped-def]
    """"Solved it" on a ticket asked in Teams by the Teams user whose id the clicker has in Slack."""
    reply = await slack.desk.log_request(
        LogRequest(platform="teams", requester=user, text="Printer on floor 3 jams", thread_key="teams:c;m=1")
    )
    value = {"ticket": reply.ticket.id, "article": "kb-printer"}
    return await slack.click({"action_id": "fixloop.solved", "value": json.dumps(value)}, user)


CASES = [
    ("assign button", click("fixloop.assign"), AGENT, "respond"),
    ("resolve button", click("fixloop.resolve"), AGENT, "respond"),
    ("needed button", click("fixloop.judge_needed"), STAFF, "respond"),
    ("fix shipped button", click("fixloop.fix_shipped"), STAFF, "respond"),
    ("file fix issue button", click("fixloop.file_fix"), STAFF, "respond"),
    ("resolve incident button", click("fixloop.incident_resolve", other="INC-AB12CD"), AGENT, "respond"),
    ("escalation form", submit_escalation, AGENT, "ephemeral"),
    ("root cause form", submit_root_cause, STAFF, "form"),
    ("link fix form", submit_fix, STAFF, "form"),
    ("review form", submit_review, MANAGER, "form"),
    ("solved it on a Teams ticket of the same id", solved_on_a_teams_ticket, STAFF, "respond"),
]


@pytest.mark.parametrize(("act", "refusal", "where"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
async def test_a_role_held_in_teams_only_is_refused_in_slack_and_changes_nothing(slack, act, refusal, where):
    s = await scene(slack)
    before = await refused(slack, act, s, TOM, refusal, where)
    after = await desk_state(slack.desk)
    assert after[1:] == before[1:]  # escalations, causes, reviews and the audit log as they were
    assert [t for t in after[0] if t[0] == s.ticket] == [t for t in before[0] if t[0] == s.ticket]


async def twice(slack, action_id: str, value: dict[str, Any], user: str, channel: str) -> None:  # type: ignore[no-untyped-def]
    """The same signed block_actions request, byte for byte, twice (a double click or a replay)."""
    payload = {
        "type": "block_actions",
        "team": {"id": TEAM},
        "api_app_id": "A0FIX",
        "user": {"id": user, "team_id": TEAM},
        "trigger_id": "trig.button",
        "channel": {"id": channel},
        "container": {"type": "message", "message_ts": "1800000000.000001", "channel_id": channel},
        "message": {"ts": "1800000000.000001", "blocks": []},
        "response_url": slack.fake.response_url(action_id),
        "actions": [{"type": "button", "action_id": action_id, "block_id": "fixloop.actions",
                     "value": json.dumps(value), "action_ts": "1800000000.1"}],
    }
    body, stamp = urlencode({"payload": json.dumps(payload)}), int(time.time())
    for _ in range(2):
        assert (await slack.post(body, FORM, timestamp=stamp)).status == 200


CLICKS = [  # (button, who clicks, in which channel, the audit action afterwards)
    ("fixloop.need_help", EMPLOYEE, "D0EMP", "asked_for_person"),
    ("fixloop.assign", BEN, "C0TRIAGE", "assigned"),  # Ana holds it since she escalated it
    ("fixloop.resolve", ANA, "C0TRIAGE", "resolved"),
    ("fixloop.judge_needed", ANA, "C0NETWORK", "judged"),
]


@pytest.mark.parametrize(("action_id", "user", "channel", "audited"), CLICKS, ids=[c[0] for c in CLICKS])
async def test_a_slack_button_writes_its_audit_entry_once_however_often_it_is_clicked(
    slack, action_id, user, channel, audited
):
    s = await scene(slack)
    await twice(slack, action_id, {"ticket": s.ticket, "escalation": s.escalation}, user, channel)
    await slack.fake.wait_for("response_url", where=lambda p: p.get("text") == ALREADY_CLICKED)
    await slack.fake.wait_for("response_url", 2)  # and the first click's answer: it acted
    entries = [e for e in await slack.desk.audit_entries() if e.action == audited]
    assert len(entries) == 1 and entries[0].ticket_id == s.ticket
    assert entries[0].who == {ANA: "ana", BEN: "ben"}.get(user, user)


async def test_the_requesters_survey_answer_is_audited_once_however_often_it_is_clicked(slack):
    s = await scene(slack)
    await slack.desk.resolve(s.ticket, ANA, "slack")
    await twice(slack, "fixloop.csat.2", {"ticket": s.ticket, "score": 2}, EMPLOYEE, EMPLOYEE)
    await slack.fake.wait_for("response_url", 2)
    kinds = [e.action for e in await slack.desk.audit_entries() if e.ticket_id == s.ticket]
    assert kinds.count("csat_recorded") == 1 and kinds.count("resolved") == 1
