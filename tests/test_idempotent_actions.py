"""The same signed interactive request twice acts once: escalation forms, CSAT buttons, "I still need help".

Each test sends byte-for-byte the same signed request twice (a double click, a proxy's retry or a replay)
and waits for the second one to be answered ("already used") before counting what happened.
"""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import urlencode

import pytest

from adapters.slack.once import ALREADY_CLICKED, ALREADY_SUBMITTED
from core.audit import AuditAction
from tests.slack_fake import ANA, EMPLOYEE, TEAM, buttons, harness

VPN = "VPN disconnects every few minutes since this morning"
FORM = "application/x-www-form-urlencoded"


@pytest.fixture
async def slack(engine, db_url):  # type: ignore[no-untyped-def]
    async with harness(db_url) as h:
        yield h


async def twice(slack, payload: dict[str, Any]) -> None:  # type: ignore[no-untyped-def]
    """POST one signed interactivity request, then exactly the same bytes and headers again."""
    body = urlencode({"payload": json.dumps({"team": {"id": TEAM}, "api_app_id": "A0FIX", **payload})})
    stamp = int(time.time())
    for _ in range(2):
        assert (await slack.post(body, FORM, timestamp=stamp)).status == 200


async def open_ticket(slack, text: str = VPN):  # type: ignore[no-untyped-def]
    await slack.event({"type": "message", "channel": "D0EMP", "channel_type": "im", "user": EMPLOYEE,
                       "text": text, "ts": "1700000000.000100"})
    reply = (await slack.fake.wait_for("chat.postMessage", where=lambda p: p.get("thread_ts") == "1700000000.000100"))[0]
    ticket = await slack.desk.find_thread("slack:D0EMP:1700000000.000100")
    return ticket, {**reply, "ts": slack.fake.answered("chat.postMessage", reply)["ts"]}


def click(button: dict[str, Any], user: str, message: dict[str, Any], channel: str, url: str) -> dict[str, Any]:
    """A block_actions payload as Slack sends it for a button on a message."""
    return {
        "type": "block_actions",
        "user": {"id": user, "team_id": TEAM},
        "trigger_id": "trig.button",
        "channel": {"id": channel},
        "container": {"type": "message", "message_ts": message["ts"], "channel_id": channel},
        "message": {"ts": message["ts"], "blocks": message.get("blocks", [])},
        "response_url": url,
        "actions": [{"type": "button", "action_id": button["action_id"], "block_id": "fixloop.actions",
                     "value": button["value"], "action_ts": "1800000000.1"}],
    }


async def test_the_same_signed_escalation_form_twice_makes_one_escalation(slack):
    ticket, _ = await open_ticket(slack)
    await slack.command("/escalate", f"{ticket.id} it-network expired certificate", ANA)
    view = (await slack.fake.wait_for("views.open"))[0]["view"]
    state = {"values": {"team": {"team": {"type": "static_select", "selected_option": {"value": "it-network"}}},
                        "reason": {"reason": {"type": "plain_text_input", "value": "expired certificate"}}}}
    await twice(slack, {"type": "view_submission", "user": {"id": ANA}, "view": {**view, "id": "V0ESC1", "state": state}})
    await slack.fake.wait_for("chat.postEphemeral", where=lambda p: p.get("text") == ALREADY_SUBMITTED)
    await slack.fake.wait_for("chat.postEphemeral", where=lambda p: "is escalated to" in p.get("text", ""))
    await slack.fake.wait_for("chat.postMessage", where=lambda p: p["channel"] == "C0NETWORK")
    await slack.runtime.drain(within=10)
    owner = slack.fake.of("chat.postMessage")
    assert len([p for p in owner if p["channel"] == "C0NETWORK"]) == 1
    assert len([p for p in owner if p["channel"] == "D0EMP" and "IT Network" in p.get("text", "")]) == 1
    audit = [e for e in await slack.desk.audit_entries() if e.action == AuditAction.ESCALATED]
    assert len(audit) == 1 and len(await slack.desk.escalations.list()) == 1


async def test_the_same_csat_click_twice_stores_one_response(slack):
    ticket, _ = await open_ticket(slack)
    await slack.desk.resolve(ticket.id, ANA)
    survey = (await slack.fake.wait_for("chat.postMessage", where=lambda p: p["channel"] == EMPLOYEE))[0]
    survey = {**survey, "ts": slack.fake.answered("chat.postMessage", survey)["ts"]}
    five = buttons(survey["blocks"])["fixloop.csat.5"]
    await twice(slack, click(five, EMPLOYEE, survey, "D0EMP", slack.fake.response_url("csat")))
    await slack.fake.wait_for("response_url", where=lambda p: p.get("text") == ALREADY_CLICKED)
    await slack.fake.wait_for("response_url", where=lambda p: "you rated" in p.get("text", ""))
    assert len(await slack.desk.csat.list(ticket.id)) == 1


async def test_i_still_need_help_twice_makes_one_triage_post(slack):
    ticket, reply = await open_ticket(slack)
    need_help = buttons(reply["blocks"])["fixloop.need_help"]
    await twice(slack, click(need_help, EMPLOYEE, reply, "D0EMP", slack.fake.response_url("help")))
    await slack.fake.wait_for("response_url", where=lambda p: p.get("text") == ALREADY_CLICKED)
    await slack.fake.wait_for("chat.postMessage", where=lambda p: p["channel"] == "C0TRIAGE")
    await slack.runtime.drain(within=10)
    assert len([p for p in slack.fake.of("chat.postMessage") if p["channel"] == "C0TRIAGE"]) == 1
