"""Relay in Slack: agents answer in the triage (or escalation) post's thread, the requester in their DM."""

from __future__ import annotations

import pytest

from core.tickets import Role, Status
from tests.slack_fake import ANA, BOT_ID, BOT_USER, EMPLOYEE, LEA, buttons, harness, text_of
from tests.slack_support import escalate

VPN = "VPN disconnects every few minutes since this morning"
ROOT = "1700000000.000100"
KEY = f"slack:D0EMP:{ROOT}"


@pytest.fixture
async def slack(engine, db_url):
    """Fixloop serving /slack/events against a fake Slack; rows are deleted after the test."""
    async with harness(db_url) as h:
        yield h


def msg(text: str, ts: str, user: str = EMPLOYEE, channel: str = "D0EMP", **extra):
    kind = "im" if channel.startswith("D") else "channel"
    return {
        "type": "message",
        "channel": channel,
        "channel_type": kind,
        "user": user,
        "text": text,
        "ts": ts,
        **extra,
    }


async def to_triage(slack) -> str:
    """A DM, then "I still need help": returns the ts of the triage post, once the ticket remembers it."""
    await slack.event(msg(VPN, ROOT))
    first = (await slack.fake.wait_for("chat.postMessage"))[0]
    await slack.click(buttons(first["blocks"])["fixloop.need_help"], EMPLOYEE, message=first, channel="D0EMP")
    triage = (await slack.fake.wait_for("chat.postMessage", where=lambda p: p["channel"] == "C0TRIAGE"))[0]
    posted_ts = slack.fake.answered("chat.postMessage", triage)["ts"]

    async def remembered():
        t = await slack.desk.find_thread(KEY)
        return t.chat.get("triage_ts") == posted_ts and t.chat.get("triage_channel") == "C0TRIAGE"

    await slack.eventually(remembered)
    return posted_ts


def relayed_to_requester(p) -> bool:
    return p["channel"] == "D0EMP" and p.get("thread_ts") == ROOT and "Ana Souza" in text_of(p)


async def test_an_agents_reply_in_the_triage_thread_reaches_the_requester_and_is_the_first_human_reply(slack):
    triage_ts = await to_triage(slack)
    before = await slack.desk.find_thread(KEY)
    assert before.status == Status.NEEDS_HUMAN and before.first_human_reply_at is None
    await slack.event(
        msg(
            "Please reinstall GlobalPro 6.1",
            "1800000100.0",
            user=ANA,
            channel="C0TRIAGE",
            thread_ts=triage_ts,
        )
    )
    told = await slack.fake.wait_for("chat.postMessage", where=relayed_to_requester)
    assert "Please reinstall GlobalPro 6.1" in told[0]["text"]
    ticket = await slack.desk.find_thread(KEY)
    assert ticket.first_human_reply_at is not None and ticket.agents == ["ana"]
    assert ticket.status == Status.IN_PROGRESS and ticket.messages[-1].role == Role.AGENT

    # The bot's own posts (in both threads) come back as events and never loop.
    for channel, thread in (("D0EMP", ROOT), ("C0TRIAGE", triage_ts)):
        await slack.event(
            msg(
                told[0]["text"],
                "1800000101.0",
                user=BOT_USER,
                channel=channel,
                thread_ts=thread,
                bot_id=BOT_ID,
            )
        )

    await slack.event(msg("Reinstalled, it still drops", "1700000050.0", thread_ts=ROOT))
    seen = await slack.fake.wait_for(
        "chat.postMessage", where=lambda p: p["channel"] == "C0TRIAGE" and p.get("thread_ts") == triage_ts
    )
    assert "Reinstalled, it still drops" in seen[0]["text"] and ticket.id in seen[0]["text"]
    saved = await slack.desk.find_thread(KEY)
    assert (
        saved.messages[-1].role == Role.REQUESTER and saved.messages[-1].text == "Reinstalled, it still drops"
    )
    posts = slack.fake.of("chat.postMessage")
    assert len([p for p in posts if relayed_to_requester(p)]) == 1
    assert len([p for p in posts if p.get("thread_ts") == triage_ts]) == 1


async def test_a_non_agents_reply_in_the_triage_thread_is_not_relayed_to_the_requester(slack):
    triage_ts = await to_triage(slack)
    await slack.event(
        msg("Who owns this one?", "1800000100.0", user=LEA, channel="C0TRIAGE", thread_ts=triage_ts)
    )
    await slack.event(msg("Looking at it", "1800000101.0", user=ANA, channel="C0TRIAGE", thread_ts=triage_ts))
    await slack.fake.wait_for("chat.postMessage", where=relayed_to_requester)  # the marker came after
    to_requester = [p for p in slack.fake.of("chat.postMessage") if p["channel"] == "D0EMP"]
    assert not any("Who owns this one?" in text_of(p) for p in to_requester)
    ticket = await slack.desk.find_thread(KEY)
    assert not any("Who owns" in m.text for m in ticket.messages) and ticket.agents == ["ana"]


async def test_a_reply_in_a_thread_that_is_no_triage_post_relays_nothing(slack):
    await to_triage(slack)
    await slack.event(
        msg("unrelated", "1800000100.0", user=ANA, channel="C0TRIAGE", thread_ts="1799999999.0")
    )
    await slack.event(msg("help please, printer", "1700000090.0"))  # a marker the other came before
    await slack.fake.wait_for("chat.postMessage", where=lambda p: p.get("thread_ts") == "1700000090.0")
    assert (await slack.desk.find_thread(KEY)).first_human_reply_at is None
    assert not any("unrelated" in text_of(p) for p in slack.fake.of("chat.postMessage"))


async def test_an_owner_teams_reply_in_the_escalation_thread_reaches_the_requester(slack):
    await slack.event(msg(VPN, ROOT))
    await slack.fake.wait_for("chat.postMessage")
    await escalate(slack, await slack.desk.find_thread(KEY))
    post = next(p for p in slack.fake.of("chat.postMessage") if p["channel"] == "C0NETWORK")
    escalation_ts = slack.fake.answered("chat.postMessage", post)["ts"]

    async def remembered():
        return (await slack.desk.find_thread(KEY)).chat.get("escalation_ts") == escalation_ts

    await slack.eventually(remembered)
    await slack.event(
        msg(
            "The gateway cert expired", "1800000100.0", user=ANA, channel="C0NETWORK", thread_ts=escalation_ts
        )
    )
    told = await slack.fake.wait_for("chat.postMessage", where=relayed_to_requester)
    assert "The gateway cert expired" in told[0]["text"]
    ticket = await slack.desk.find_thread(KEY)
    assert ticket.first_human_reply_at is not None and ticket.status == Status.ESCALATED
