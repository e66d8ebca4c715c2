"""In Slack: requesters hear that the fix shipped and answer That solved it / Still happening; File fix issue."""

from __future__ import annotations

import json

import pytest

from core.tickets import Resolution, Status
from tests.slack_fake import ANA, EMPLOYEE, LEA, buttons, harness, text_of
from tests.slack_loop_support import open_ticket

HOSTILE = "<!channel> *Exports* <https://evil.example|click> & co"


@pytest.fixture
async def slack(engine, db_url):
    """Fixloop serving /slack/events against a fake Slack; rows are deleted after the test."""
    async with harness(db_url) as h:
        yield h


async def _shipped(slack):  # type: ignore[no-untyped-def]
    """Two open tickets of one cause (with a hostile title), and its fix shipped by the owner."""
    first = await open_ticket(slack)
    second = await open_ticket(slack, text="VPN still drops", ts="1700000000.000200")
    cause = await slack.desk.record_root_cause(first.id, "expired gateway certificate", ANA, title=HOSTILE)
    saved = await slack.desk.tickets.get(second.id)
    saved.cause_key = cause.key
    await slack.desk.tickets.save(saved)
    await slack.desk.link_fix(cause.key, "https://github.com/acme/vpn/issues/7", ANA)
    await slack.desk.ship_fix(cause.key, ANA)
    told = await slack.fake.wait_for(
        "chat.postMessage", 2, where=lambda p: p["channel"] == "D0EMP" and "fix_solved" in text_of(p)
    )
    return first, second, {p["thread_ts"]: p for p in told}


async def test_each_requester_is_told_in_their_thread_and_that_solved_it_resolves_as_fixed(slack):
    first, second, told = await _shipped(slack)
    post = told["1700000000.000100"]
    assert "<!channel>" not in text_of(post) and "&lt;!channel&gt;" in text_of(post)  # the title is escaped
    assert "https://github.com/acme/vpn/issues/7" in text_of(post)  # internal requester: the link is given
    await slack.click(buttons(post["blocks"])["fixloop.fix_solved"], EMPLOYEE, message=post, channel="D0EMP")
    await slack.fake.wait_for("response_url", where=lambda p: "resolved as fixed" in p.get("text", ""))
    ticket = await slack.desk.tickets.get(first.id)
    assert ticket.status == Status.RESOLVED and ticket.resolution == Resolution.FIX
    assert ticket.fix_notified_at is not None


async def test_still_happening_sends_the_question_back_once(slack):
    _, second, told = await _shipped(slack)
    post = told["1700000000.000200"]
    still = buttons(post["blocks"])["fixloop.fix_still"]
    await slack.click(still, EMPLOYEE, message=post, channel="D0EMP")
    await slack.click(still, EMPLOYEE, message=post, channel="D0EMP")  # a double click
    await slack.fake.wait_for("response_url", 2)
    ticket = await slack.desk.tickets.get(second.id)
    assert ticket.status == Status.NEEDS_HUMAN
    assert sum(1 for m in ticket.messages if m.text == "Still happening") == 1


async def test_the_owner_and_triage_are_told_once(slack):
    await _shipped(slack)
    team = await slack.fake.wait_for("chat.postMessage", where=lambda p: "2 requesters were told" in text_of(p))
    assert len(team) >= 1
    channels = [p["channel"] for p in slack.fake.of("chat.postMessage") if "requesters were told" in text_of(p)]
    assert sorted(channels) == sorted(set(channels))  # one post per channel


async def test_someone_else_cannot_answer_for_the_requester(slack):
    first, _, told = await _shipped(slack)
    post = told["1700000000.000100"]
    await slack.click(buttons(post["blocks"])["fixloop.fix_solved"], "U0NOSY", message=post, channel="D0EMP")
    refused = await slack.fake.wait_for("response_url")
    assert refused[0].get("response_type") == "ephemeral" and "Only" in refused[0]["text"]
    assert (await slack.desk.tickets.get(first.id)).status != Status.RESOLVED


async def test_causes_offer_file_fix_issue_and_a_team_without_a_tracker_is_told_what_to_configure(slack):
    ticket = await open_ticket(slack)
    await slack.desk.record_root_cause(ticket.id, "The gateway certificate expired", ANA, title="VPN cert")
    await slack.command("/causes", "", LEA)
    listed = (await slack.fake.wait_for("response_url"))[0]
    button = buttons(listed["blocks"])["fixloop.file_fix"]
    assert json.loads(button["value"])["cause"] == "vpn-cert"
    await slack.click(button, LEA, message=listed)
    told = await slack.fake.wait_for("response_url", 2)
    assert "has no tracker" in json.dumps(told[-1])
