"""FixloopBot's handlers driven by botbuilder's TestAdapter, on the in-memory desk."""

from __future__ import annotations

from dataclasses import replace

import pytest
from botbuilder.core.adapters import TestAdapter
from botbuilder.schema import Activity

from adapters.teams.app import on_error
from adapters.teams.bot import FixloopBot
from core.org import Person
from core.tickets import Status
from tests.fakes import FakeNotifier, fake_desk, sample_org
from tests.teams_fake import ANA, BOT, EMP, TENANT, card_of, submits

VPN = "VPN disconnects every few minutes since this morning"


class Memory:
    """In-memory stand-ins for the reference store, the card claims and the event log."""

    def __init__(self) -> None:
        self.references: dict[str, object] = {}
        self.claims: set[str] = set()
        self.events: set[str] = set()

    async def save(self, key, reference):  # type: ignore[no-untyped-def]
        self.references[key] = reference

    async def get(self, key):  # type: ignore[no-untyped-def]
        return self.references.get(key)

    async def latest(self):  # type: ignore[no-untyped-def]
        return next(reversed(self.references.values()), None)

    async def claim(self, card_id: str, action: str) -> bool:
        key = f"{card_id}|{action}"
        fresh = key not in self.claims
        self.claims.add(key)
        return fresh

    async def release(self, card_id: str, action: str) -> None:
        self.claims.discard(f"{card_id}|{action}")

    def across_platforms(self):  # type: ignore[no-untyped-def]
        return self

    async def first_time(self, platform: str, event_id: str) -> bool:
        fresh = event_id not in self.events
        self.events.add(event_id)
        return fresh


def teams_org():  # type: ignore[no-untyped-def]
    """The sample organisation with Teams ids for Ana (agent)."""
    org = sample_org()
    people = tuple(replace(p, ids={**p.ids, "teams": ANA}) if p.key == "ana" else p for p in org.people)
    return replace(org, people=people)


@pytest.fixture
async def rig():  # type: ignore[no-untyped-def]
    desk = await fake_desk(org=teams_org(), notifier=FakeNotifier())
    memory = Memory()
    bot = FixloopBot(desk, memory, memory, memory)
    adapter = TestAdapter(bot.on_turn)
    adapter.on_turn_error = on_error
    return desk, memory, adapter


def activity(text: str = "", user: str = EMP, conversation: str = "a:chat", kind: str = "personal", **extra):  # type: ignore[no-untyped-def]
    """A Teams message activity from its JSON, as the Bot Framework deserializes what the channel posts."""
    if "reply_to_id" in extra:
        extra["replyToId"] = extra.pop("reply_to_id")
    return Activity().deserialize(
        {
            "type": "message",
            "channelId": "msteams",
            "text": text,
            "from": {"id": f"29:{user[:8]}", "aadObjectId": user, "name": "Someone"},
            "recipient": BOT,
            "conversation": {"id": conversation, "conversationType": kind, "tenantId": TENANT},
            "channelData": {"tenant": {"id": TENANT}},
            "serviceUrl": "https://smba.example.test/emea/",
            **extra,
        }
    )


def sent(adapter: TestAdapter) -> list[Activity]:
    out = list(adapter.activity_buffer)
    adapter.activity_buffer.clear()
    return out


async def test_a_personal_message_logs_a_ticket_and_replies_with_articles_and_buttons(rig):
    desk, memory, adapter = rig
    await adapter.receive_activity(activity(VPN, id="m1"))
    reply = sent(adapter)[0]
    ticket = await desk.find_thread("teams:a:chat;messageid=m1")
    assert ticket is not None and ticket.requester == EMP and ticket.platform == "teams"
    assert ticket.id in reply.text and {"solved", "need_help"} <= set(submits(card_of(reply.serialize())))
    assert f"user:{EMP}" in memory.references  # the personal chat is remembered for the CSAT survey


async def test_a_later_message_in_the_chat_joins_the_open_ticket_and_a_redelivery_is_dropped(rig):
    desk, _, adapter = rig
    await adapter.receive_activity(activity(VPN, id="m1"))
    await adapter.receive_activity(activity("It still drops after a restart", id="m2"))
    await adapter.receive_activity(activity("It still drops after a restart", id="m2"))
    tickets = await desk.tickets.list()
    assert (
        len(tickets) == 1
        and [m.text for m in tickets[0].messages].count("It still drops after a restart") == 1
    )


async def test_channel_messages_need_a_mention_and_replies_in_the_chain_join(rig):
    desk, _, adapter = rig
    channel = "19:general@thread.tacv2"
    await adapter.receive_activity(activity("chatter", conversation=channel, kind="channel", id="c0"))
    mention = {"type": "mention", "mentioned": BOT, "text": "<at>Fixloop</at>"}  # as Teams sends it
    await adapter.receive_activity(
        activity(
            f"<at>Fixloop</at> {VPN}",
            conversation=f"{channel};messageid=c1",
            kind="channel",
            id="c1",
            entities=[mention],
        )
    )
    await adapter.receive_activity(
        activity("same here", user=ANA, conversation=f"{channel};messageid=c1", kind="channel", id="c2")
    )
    tickets = await desk.tickets.list()
    assert len(tickets) == 1 and tickets[0].text == VPN
    assert tickets[0].first_human_reply_at is not None  # Ana is an agent: her reply is the first response


async def test_a_button_updates_its_card_in_place_and_cannot_be_used_twice(rig):
    desk, _, adapter = rig
    await adapter.receive_activity(activity(VPN, id="m1"))
    data = submits(card_of(sent(adapter)[0].serialize()))["solved"]
    await adapter.receive_activity(activity(value=data, reply_to_id="card-1", id="m2"))
    await adapter.receive_activity(activity(value=submits_need_help(data), reply_to_id="card-1", id="m3"))
    updated = adapter.updated_activities
    assert (
        len(updated) == 1
        and updated[0].id == "card-1"
        and "Solved by kb-vpn" in str(updated[0].attachments[0].content)
    )
    assert "already used" in sent(adapter)[-1].text
    assert (await desk.tickets.list())[0].status == Status.RESOLVED


def submits_need_help(data: dict) -> dict:
    return {"fixloop": "need_help", "ticket": data["ticket"]}


async def test_agent_buttons_check_the_role_and_the_error_handler_says_why(rig):
    desk, _, adapter = rig
    await adapter.receive_activity(activity(VPN, id="m1"))
    ticket = (await desk.tickets.list())[0]
    sent(adapter)
    await adapter.receive_activity(
        activity(value={"fixloop": "assign", "ticket": ticket.id}, reply_to_id="t1")
    )
    assert "Only an agent" in sent(adapter)[0].text and not adapter.updated_activities
    await adapter.receive_activity(
        activity(user=ANA, value={"fixloop": "assign", "ticket": ticket.id}, reply_to_id="t1")
    )
    assert (await desk.tickets.get(ticket.id)).agent == "ana"
    assert "assigned to" in str(adapter.updated_activities[0].attachments[0].content)


async def test_typed_commands_help_ticket_and_escalate(rig):
    desk, _, adapter = rig
    await adapter.receive_activity(activity(VPN, id="m1"))
    ticket = (await desk.tickets.list())[0]
    sent(adapter)
    await adapter.receive_activity(activity("help", id="h1"))
    await adapter.receive_activity(activity(f"ticket {ticket.id}", id="h2"))
    await adapter.receive_activity(activity(f"escalate {ticket.id} the cert expired", user=ANA, id="h3"))
    help_card, detail, form = (card_of(a.serialize()) for a in sent(adapter))
    assert "escalate FX-AB12CD" in str(help_card) and ticket.id in str(detail)
    assert {"title": "IT Network", "value": "it-network"} in form["body"][2]["choices"]
    assert form["body"][2]["value"] == "it-network" and form["body"][3]["value"] == "the cert expired"
    assert len(await desk.tickets.list()) == 1  # commands are not help requests


async def test_an_unknown_error_shows_a_reference_and_a_damaged_button_a_clear_message(rig, caplog):
    desk, _, adapter = rig
    await adapter.receive_activity(
        activity(value={"fixloop": "csat", "ticket": "FX-XXXXXX", "score": "five"})
    )
    assert "damaged" in sent(adapter)[0].text
    desk.tickets = None  # the database went away
    await adapter.receive_activity(activity(VPN, id="m9"))
    text = sent(adapter)[0].text
    assert "reference" in text and text.split("reference ")[1][:8] in caplog.text


async def test_a_person_not_in_the_org_is_an_employee_and_cannot_see_others_tickets(rig):
    desk, _, adapter = rig
    await adapter.receive_activity(activity(VPN, id="m1"))
    ticket = (await desk.tickets.list())[0]
    sent(adapter)
    other = Person("zed", "Zed").key
    await adapter.receive_activity(
        activity(f"ticket {ticket.id}", user=f"{other:0<8}-0000-4000-8000-000000000000")
    )
    assert "Only an agent or manager or leader" in sent(adapter)[0].text
