"""The front line's typed commands in Slack: `/fixloop assign|reply|resolve|priority|link FX-...`, each a
signed slash-command form body through /slack/events, with the same role checks and messages as Teams."""

from __future__ import annotations

import itertools

import pytest

from core.audit import AuditAction
from core.tickets import Priority, Role, Status
from tests.slack_fake import ANA, EMPLOYEE, LEA, harness, text_of

VPN = "VPN disconnects every few minutes since this morning"
TRIGGERS = itertools.count(1)


@pytest.fixture
async def slack(engine, db_url):
    """Fixloop serving /slack/events against a fake Slack; rows are deleted after the test."""
    async with harness(db_url) as h:
        yield h


def dm(text: str, ts: str, user: str = EMPLOYEE, channel: str = "D0EMP") -> dict:
    return {"type": "message", "channel": channel, "channel_type": "im", "user": user, "text": text, "ts": ts}


async def ticket_of(slack, text: str, ts: str, user: str = EMPLOYEE, channel: str = "D0EMP"):  # type: ignore[no-untyped-def]
    """A DM that became a ticket (its first reply posted)."""
    await slack.event(dm(text, ts, user, channel))
    await slack.fake.wait_for("chat.postMessage", where=lambda p: p.get("thread_ts") == ts)
    return await slack.desk.find_thread(f"slack:{channel}:{ts}")


async def fixloop(slack, text: str, user: str, trigger: str | None = None) -> str:  # type: ignore[no-untyped-def]
    """`/fixloop text` typed by a user; returns what Fixloop answered through the response_url."""
    before = len(slack.fake.of("response_url"))
    trigger = trigger or f"trig.{next(TRIGGERS)}"
    response = await slack.command("/fixloop", text, user, trigger=trigger)
    assert response.status == 200
    answered = await slack.fake.wait_for("response_url", before + 1)
    return str(answered[-1]["text"])


def to_requester(p: dict) -> bool:
    return p["channel"] == "D0EMP" and p.get("thread_ts") == "1700000000.000100" and "Ana Souza" in text_of(p)


async def test_reply_reaches_the_requester_escaped_and_once_however_often_it_is_delivered(slack):
    ticket = await ticket_of(slack, VPN, "1700000000.000100")
    said = await fixloop(slack, f"reply {ticket.id} Reinstall <!channel> & <https://evil.example|the fix>", ANA,
                         trigger="trig.reply")
    assert said == f"Sent to the requester of {ticket.id}."
    told = (await slack.fake.wait_for("chat.postMessage", where=to_requester))[0]
    assert "&lt;!channel&gt; &amp; &lt;https://evil.example|the fix&gt;" in text_of(told)
    assert "<!channel>" not in text_of(told)
    saved = await slack.desk.tickets.get(ticket.id)
    assert saved.first_human_reply_at is not None and saved.agents == ["ana"]
    assert saved.status == Status.IN_PROGRESS and saved.messages[-1].role == Role.AGENT

    again = await fixloop(slack, f"reply {ticket.id} Reinstall <!channel>", ANA, trigger="trig.reply")
    assert again == f"{ticket.id}: done already."
    await slack.runtime.drain(within=30)
    assert len([p for p in slack.fake.of("chat.postMessage") if to_requester(p)]) == 1
    assert len((await slack.desk.tickets.get(ticket.id)).messages) == len(saved.messages)


async def test_assign_priority_link_and_resolve_by_an_agent(slack):
    ticket = await ticket_of(slack, VPN, "1700000000.000100")
    other = await ticket_of(slack, "Printer on floor 3 jams", "1700000001.000100", "U0OTHER", "D0OTHER")
    assert await fixloop(slack, f"assign {other.id} <@U0ANA|ana>", ANA) == f"{other.id} is assigned to Ana Souza."
    assert await fixloop(slack, f"assign {other.id}", ANA) == f"{other.id} is already assigned to Ana Souza."
    said = await fixloop(slack, f"priority {other.id} HIGH", ANA)
    assert said == f"{other.id} is now high priority (was normal)."
    assert await fixloop(slack, f"link {other.id} {ticket.id.lower()}", ANA) == f"{other.id} and {ticket.id} are linked."
    assert await fixloop(slack, f"link {ticket.id} {other.id}", ANA) == f"{ticket.id} and {other.id} are linked already."
    said = await fixloop(slack, f"resolve {other.id} paper jam cleared", ANA)
    assert said == f"{other.id} is resolved; the requester was asked for feedback."
    survey = await slack.fake.wait_for("chat.postMessage", where=lambda p: p["channel"] == "U0OTHER")
    assert any("How did we do" in text_of(p) for p in survey)
    first, second = await slack.desk.tickets.get(ticket.id), await slack.desk.tickets.get(other.id)
    assert second.agents == ["ana"] and second.priority == Priority.HIGH and second.status == Status.RESOLVED
    assert first.linked == [other.id] and second.linked == [ticket.id]
    assert second.messages[-1].text == "Resolved. paper jam cleared"
    actions = [e.action for e in await slack.desk.audit.list() if e.ticket_id == other.id]
    expected = ["assigned", "priority_set", "tickets_linked", "resolved"]
    assert actions == [AuditAction(a) for a in expected]


BAD = [
    ("priority {ticket} whenever", ANA, "'whenever' is not a priority: use one of low, normal, high, urgent"),
    ("priority {ticket}", ANA, "Say which priority: use one of low, normal, high, urgent"),
    ("resolve FX-ZZZZZZ", ANA, "No ticket 'FX-ZZZZZZ'."),
    ("link {ticket}", ANA, "Name the one ticket to link to"),
    ("link {ticket} FX-ZZZZZZ", ANA, "No ticket 'FX-ZZZZZZ'."),
    ("reply", ANA, "Say which ticket"),
    ("assign {ticket} <@U0NOBODY>", ANA, "No person 'U0NOBODY' in fixloop.toml"),
    ("assign {ticket} <@U0LEA|lea>", ANA, "Lea Moreau is not an agent"),
    ("assign {ticket}", LEA, "Only an agent can do that."),
    ("reply {ticket} hello", EMPLOYEE, "Only an agent can do that."),
    ("resolve {ticket}", "U0MIA", "Only an agent can do that."),
    ("priority {ticket} urgent", EMPLOYEE, "Only an agent can do that."),
    ("link {ticket} FX-ZZZZZZ", LEA, "Only an agent can do that."),
]


@pytest.mark.parametrize(("typed", "user", "told"), BAD, ids=[f"{b[0]} by {b[1]}" for b in BAD])
async def test_bad_input_and_no_permission_are_told_privately_and_change_nothing(slack, typed, user, told):
    ticket = await ticket_of(slack, VPN, "1700000000.000100")
    before = await slack.desk.tickets.get(ticket.id)
    said = await fixloop(slack, typed.format(ticket=ticket.id), user)
    assert told in said
    answered = slack.fake.of("response_url")[-1]
    assert answered["response_type"] == "ephemeral"  # only the person who typed it sees it
    after = await slack.desk.tickets.get(ticket.id)
    assert (after.priority, after.status, after.agents, after.linked, len(after.messages)) == (
        before.priority, before.status, before.agents, before.linked, len(before.messages))
    assert not [e for e in await slack.desk.audit.list() if e.ticket_id == ticket.id]


async def test_fixloop_help_lists_the_front_line_commands(slack):
    said = await fixloop(slack, "help", EMPLOYEE)
    assert said == "Fixloop help"
    blocks = slack.fake.of("response_url")[-1]["blocks"]
    assert "/fixloop priority FX-AB12CD low|normal|high|urgent" in str(blocks)
