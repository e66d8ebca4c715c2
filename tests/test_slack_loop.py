"""The rest of the loop in Slack: escalate with evidence, the owner's buttons, resolve, CSAT, commands, roles."""

from __future__ import annotations

import json
import time

import pytest

from core.causes import FixStatus
from core.tickets import Judgement, Status
from tests.slack_fake import ANA, EMPLOYEE, LEA, MIA, buttons, harness, text_of
from tests.slack_loop_support import VPN, open_ticket
from tests.slack_support import escalate, typed


@pytest.fixture
async def slack(engine, db_url):
    """Fixloop serving /slack/events against a fake Slack; rows are deleted after the test."""
    async with harness(db_url) as h:
        yield h


async def test_escalate_opens_a_prefilled_modal_and_posts_the_evidence_to_the_owners_channel(slack):
    ticket = await open_ticket(slack)
    post = await escalate(slack, ticket)
    opened = slack.fake.of("views.open")[0]
    assert opened["trigger_id"] == "trig./escalate" and "it-network" in json.dumps(opened["view"])
    text = text_of(post)
    assert ticket.id in text and "the certificate looks expired" in text and VPN in text
    assert "VPN disconnects or fails to connect" in text  # the article already tried
    assert set(buttons(post["blocks"])) == {
        "fixloop.judge_needed",
        "fixloop.judge_not_needed",
        "fixloop.root_cause",
        "fixloop.link_fix",
        "fixloop.fix_shipped",
        "fixloop.file_fix",
    }
    told = await slack.fake.wait_for(
        "chat.postMessage", where=lambda p: p["channel"] == "D0EMP" and "IT Network" in p["text"]
    )
    assert told[0]["thread_ts"] == "1700000000.000100" and "within one working day" in told[0]["text"]
    saved = await slack.desk.find_thread("slack:D0EMP:1700000000.000100")
    assert saved.status == Status.ESCALATED and saved.escalated_to == "it-network"
    confirm = await slack.fake.wait_for("chat.postEphemeral", where=lambda p: p["user"] == ANA)
    assert "escalated to it-network" in confirm[0]["text"]


async def test_the_owning_team_judges_records_the_cause_links_and_ships_the_fix(slack):
    ticket = await open_ticket(slack)
    post = await escalate(slack, ticket)
    b = buttons(post["blocks"])
    await slack.click(b["fixloop.judge_needed"], ANA, message=post, channel="C0NETWORK")
    await slack.eventually(lambda: _judged(slack, ticket.id))
    await slack.click(b["fixloop.root_cause"], ANA, message=post, channel="C0NETWORK")
    form = (await slack.fake.wait_for("views.open", 2))[-1]["view"]
    await slack.submit(
        form,
        ANA,
        {
            "root_cause": typed("The VPN gateway certificate expired"),
            "title": typed("VPN certificate expiry"),
        },
    )
    note = await slack.fake.wait_for("chat.postMessage", where=lambda p: p.get("thread_ts") == post["ts"])
    assert "VPN certificate expiry" in note[0]["text"]
    await slack.click(b["fixloop.link_fix"], ANA, message=post, channel="C0NETWORK")
    form = (await slack.fake.wait_for("views.open", 3))[-1]["view"]
    refused = await slack.submit(form, ANA, {"fix_url": typed("next week")})
    assert (await refused.json())["response_action"] == "errors"
    await slack.submit(form, ANA, {"fix_url": typed("https://jira.example.com/browse/NET-42")})
    await slack.fake.wait_for("chat.postMessage", 2, where=lambda p: p.get("thread_ts") == post["ts"])
    await slack.click(b["fixloop.fix_shipped"], ANA, message=post, channel="C0NETWORK")
    await slack.fake.wait_for("response_url", where=lambda p: "shipped the fix" in p.get("text", ""))
    cause = (await slack.desk.causes.list())[0]
    assert cause.title == "VPN certificate expiry" and cause.root_cause_at is not None
    assert cause.fix_url == "https://jira.example.com/browse/NET-42" and cause.fix_status == FixStatus.SHIPPED


async def _judged(slack, ticket_id):
    t = await slack.desk.tickets.get(ticket_id)
    return t.escalation_judgement == Judgement.NEEDED


async def test_resolve_sends_a_csat_survey_and_a_low_score_reopens_the_ticket(slack):
    ticket = await open_ticket(slack)
    await slack.command("/ticket", ticket.id, ANA)
    detail = (await slack.fake.wait_for("response_url"))[0]
    await slack.click(buttons(detail["blocks"])["fixloop.resolve"], ANA, message=detail)
    survey = (await slack.fake.wait_for("chat.postMessage", where=lambda p: p["channel"] == EMPLOYEE))[0]
    score_buttons = buttons(survey["blocks"])
    assert {f"fixloop.csat.{n}" for n in range(1, 6)} | {"fixloop.csat_not_solved"} == set(score_buttons)
    assert (await slack.desk.tickets.get(ticket.id)).status == Status.RESOLVED
    await slack.click(score_buttons["fixloop.csat.2"], EMPLOYEE, message=survey, channel="D0EMP")
    thanks = await slack.fake.wait_for("response_url", where=lambda p: "2/5" in p.get("text", ""))
    assert "reopened" in thanks[0]["text"]
    saved = await slack.desk.tickets.get(ticket.id)
    assert saved.csat == 2 and saved.status == Status.NEEDS_HUMAN and saved.reopened_at
    await slack.fake.wait_for("chat.postMessage", where=lambda p: p["channel"] == "C0TRIAGE")


async def test_not_solved_in_the_survey_reopens_and_a_good_score_does_not(slack):
    # A second, different problem: the same one again would join the first ticket (a duplicate).
    other = "The printer on floor 3 jams on every page"
    first, second = await open_ticket(slack), await open_ticket(slack, other, ts="1700000000.000200")
    for t in (first, second):
        await slack.desk.resolve(t.id, ANA)
    surveys = await slack.fake.wait_for("chat.postMessage", 2, where=lambda p: p["channel"] == EMPLOYEE)
    by_ticket = {json.loads(buttons(s["blocks"])["fixloop.csat.5"]["value"])["ticket"]: s for s in surveys}
    await slack.click(buttons(by_ticket[first.id]["blocks"])["fixloop.csat.5"], EMPLOYEE, channel="D0EMP")
    await slack.click(
        buttons(by_ticket[second.id]["blocks"])["fixloop.csat_not_solved"], EMPLOYEE, channel="D0EMP"
    )
    await slack.fake.wait_for("response_url", 2)
    assert (await slack.desk.tickets.get(first.id)).status == Status.RESOLVED
    assert (await slack.desk.tickets.get(second.id)).status == Status.NEEDS_HUMAN


async def test_ticket_lists_my_open_tickets_and_hides_other_peoples_tickets(slack):
    ticket = await open_ticket(slack)
    await slack.command("/ticket", "", EMPLOYEE)
    await slack.command("/ticket", ticket.id, "U0NOSY")
    listed = await slack.fake.wait_for("response_url", 2)
    mine = next(p for p in listed if "Your open tickets" in text_of(p))
    assert ticket.id in text_of(mine)
    refusal = next(p for p in listed if p.get("response_type") == "ephemeral")
    assert "Only an agent or manager or leader" in refusal["text"]


async def test_causes_are_for_leaders_and_help_is_for_everyone(slack):
    ticket = await open_ticket(slack)
    await slack.desk.record_root_cause(
        ticket.id, "The gateway certificate expired", ANA, title="VPN cert expiry"
    )
    await slack.command("/causes", "", LEA)
    ranked = await slack.fake.wait_for("response_url")
    assert "VPN cert expiry" in text_of(ranked[0])
    await slack.command("/causes", "", EMPLOYEE)
    await slack.command("/fixloop", "help", EMPLOYEE)
    answers = await slack.fake.wait_for("response_url", 3)
    assert any("Only a leader can do that" in p.get("text", "") for p in answers)
    assert any("/escalate" in text_of(p) and "/review" in text_of(p) for p in answers)


async def test_review_opens_the_four_part_form_for_managers_and_stores_the_review(slack):
    ticket = await open_ticket(slack)
    await slack.desk.assign(ticket.id, ANA)
    await slack.command("/review", f"<@{ANA}|ana>", MIA)
    hint = (await slack.fake.wait_for("views.open"))[0]["view"]
    assert ticket.id in json.dumps(hint)
    await slack.command("/review", ticket.id, MIA)
    view = (await slack.fake.wait_for("views.open", 2))[-1]["view"]
    parts = {
        "what_happened": "VPN drop",
        "why_it_mattered": "lost a morning",
        "what_good_looks_like": "check the cert first",
        "what_changes_next": "add a runbook step",
    }
    missing = await slack.submit(view, MIA, {"ticket": typed(ticket.id), "what_happened": typed("x")})
    assert (await missing.json())["response_action"] == "errors"
    await slack.submit(view, MIA, {"ticket": typed(ticket.id), **{k: typed(v) for k, v in parts.items()}})
    await slack.fake.wait_for("chat.postMessage", where=lambda p: p["channel"] == MIA)
    reviews = await slack.desk.reviews.list()
    assert len(reviews) == 1 and reviews[0].agent == "ana" and reviews[0].manager == "mia"


async def test_people_without_the_role_are_refused_clearly_and_nothing_changes(slack):
    ticket = await open_ticket(slack)
    started = time.monotonic()
    response = await slack.command("/escalate", ticket.id, EMPLOYEE)
    assert response.status == 200 and time.monotonic() - started < 1  # refused after the ack, not in 3 s
    await slack.command("/review", ticket.id, ANA)
    await slack.click({"action_id": "fixloop.resolve", "value": json.dumps({"ticket": ticket.id})}, EMPLOYEE)
    await slack.click(
        {"action_id": "fixloop.root_cause", "value": json.dumps({"ticket": ticket.id})}, EMPLOYEE
    )
    refusals = await slack.fake.wait_for("response_url", 4)
    assert all(p["response_type"] == "ephemeral" and "Only a" in p["text"] for p in refusals)
    assert slack.fake.of("views.open") == []
    assert (await slack.desk.tickets.get(ticket.id)).status == Status.SUGGESTED


async def test_escalate_without_a_ticket_id_says_how_and_the_shortcut_finds_the_thread(slack):
    ticket = await open_ticket(slack)
    await slack.command("/escalate", "billing it is broken", ANA)
    hint = await slack.fake.wait_for("response_url")
    assert "Say which ticket" in hint[0]["text"]
    await slack.interact(
        {
            "type": "message_action",
            "callback_id": "fixloop.escalate_message",
            "user": {"id": ANA},
            "channel": {"id": "D0EMP"},
            "trigger_id": "trig.sc",
            "message": {
                "user": EMPLOYEE,
                "text": "more",
                "ts": "1700000005.0",
                "thread_ts": "1700000000.000100",
            },
        }
    )
    view = (await slack.fake.wait_for("views.open"))[0]["view"]
    assert ticket.id in view["private_metadata"]


async def test_a_damaged_button_value_gets_a_clear_message_and_changes_nothing(slack):
    ticket = await open_ticket(slack)
    await slack.click({"action_id": "fixloop.solved", "value": "{not json"}, EMPLOYEE)
    told = await slack.fake.wait_for("response_url")
    assert "damaged" in told[0]["text"]
    assert (await slack.desk.tickets.get(ticket.id)).status == Status.SUGGESTED
    assert (
        await slack.event(
            {
                "type": "message",
                "channel": "D0EMP",
                "channel_type": "im",
                "user": EMPLOYEE,
                "text": "printer offline",
                "ts": "1700000009.0",
            }
        )
    ).status == 200
    await slack.fake.wait_for("chat.postMessage", 2, where=lambda p: p["channel"] == "D0EMP")
