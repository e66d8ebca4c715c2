"""Incidents and duplicates on Teams, over raw activities with signed tokens: one card that grows, all told once."""

from __future__ import annotations

import json

import pytest

from core.audit import AuditAction
from core.errors import NotAllowed
from core.tickets import Status
from tests.incident_support import OUTAGE, seed_history
from tests.teams_fake import ANA, DM, EMP, TRIAGE, card_of, harness, mention_bot, message, submits

PEOPLE = [f"{n}{n}{n}{n}0000-0000-4000-8000-00000000000{n}" for n in range(1, 7)]


@pytest.fixture
async def teams(engine, db_url, tmp_path):
    """Fixloop serving /api/messages against a fake Bot Connector, with some history."""
    async with harness(db_url, tmp_path) as h:
        await seed_history(h.desk)
        yield h


def chat_of(user: str) -> str:
    return f"a:personal-{user[:4]}"


async def report_outage(teams) -> list:  # type: ignore[no-untyped-def]
    """Six people write the same outage to the bot, each in their personal chat."""
    for n, (user, text) in enumerate(zip(PEOPLE, OUTAGE, strict=True)):
        await teams.post(message(text, user, chat_of(user), id=f"out{n}"))
        await teams.connector.wait_for("reply", where=lambda c, n=n: c.activity_id == f"out{n}")
    return [
        await teams.desk.find_thread(f"teams:{chat_of(u)};messageid=out{n}") for n, u in enumerate(PEOPLE)
    ]


def known(c) -> bool:  # type: ignore[no-untyped-def]
    return "known problem" in c.body.get("text", "")


def good_news(c) -> bool:  # type: ignore[no-untyped-def]
    return "Good news" in c.body.get("text", "")


def incident_cards(teams) -> list:  # type: ignore[no-untyped-def]
    return [
        c
        for c in teams.connector.posted(lambda c: c.conversation == TRIAGE)
        if "Incident" in json.dumps(c.body)
    ]


async def grown_to(teams, reports: int):  # type: ignore[no-untyped-def]
    """The incident card's update that shows this many reports."""
    found = await teams.connector.wait_for(
        "update",
        where=lambda c: c.conversation == TRIAGE and f'"Reports", "value": "{reports}"' in json.dumps(c.body),
    )
    return found[-1]


async def test_six_reports_make_one_incident_card_updated_in_place_and_six_known_problem_replies(teams):
    tickets = await report_outage(teams)
    told = await teams.connector.wait_for("posted", 6, where=known)
    assert sorted(c.conversation for c in told) == sorted(chat_of(u) for u in PEOPLE)
    update = await grown_to(teams, 6)
    assert len(incident_cards(teams)) == 1
    incident = (await teams.desk.incidents.list_open())[0]
    ref = await teams.desk.incidents.post_ref(incident.id, f"teams:{TRIAGE}")
    assert update.activity_id == ref["activity_id"]
    assert {link.ticket_id for link in incident.links} == {t.id for t in tickets}


async def test_resolving_tells_everyone_once_and_consent_resolves_or_keeps_open(teams):
    tickets = await report_outage(teams)
    card = card_of((await grown_to(teams, 6)).body)
    incident = (await teams.desk.incidents.list_open())[0]
    post = (await teams.desk.incidents.post_ref(incident.id, f"teams:{TRIAGE}"))["activity_id"]
    resolve = submits(card)["incident_resolve"]
    channel = f"{TRIAGE};messageid={post}"
    await teams.click(resolve, EMP, post, channel, "channel")  # not an agent
    await teams.connector.wait_for("posted", where=lambda c: "Only an agent" in c.body.get("text", ""))
    await teams.click(resolve, ANA, post, channel, "channel")
    notices = await teams.connector.wait_for("posted", 6, where=good_news)
    await teams.click(resolve, ANA, post, channel, "channel")  # a double click
    await teams.connector.wait_for("posted", where=lambda c: "already used" in c.body.get("text", ""))
    await teams.desk.resolve_incident(incident.id, ANA, "teams")  # a replayed resolution
    with pytest.raises(NotAllowed):  # Ana's Teams id is nobody's on Slack
        await teams.desk.resolve_incident(incident.id, ANA, "slack")
    resolved = [e for e in await teams.desk.audit_entries() if e.action == AuditAction.INCIDENT_RESOLVED]
    assert [(e.who, e.detail) for e in resolved] == [("ana", incident.id)]  # the person, once
    await teams.post(message(OUTAGE[0], PEOPLE[0], chat_of(PEOPLE[0]), id="out0"))  # a redelivered report
    await teams.runtime.drain()
    assert len(teams.connector.posted(good_news)) == 6 and len(teams.connector.posted(known)) == 6
    assert len(incident_cards(teams)) == 1
    by_chat = {c.conversation: c for c in notices}
    first, second = by_chat[chat_of(PEOPLE[0])], by_chat[chat_of(PEOPLE[1])]
    await teams.click(submits(card_of(first.body))["fix_solved"], PEOPLE[0], "n1", chat_of(PEOPLE[0]))
    await teams.click(submits(card_of(second.body))["fix_still"], PEOPLE[1], "n2", chat_of(PEOPLE[1]))
    assert (await teams.desk.tickets.get(tickets[0].id)).status == Status.RESOLVED
    assert (await teams.desk.tickets.get(tickets[1].id)).status == Status.NEEDS_HUMAN
    assert (await teams.desk.tickets.get(tickets[2].id)).is_open


async def test_a_request_close_to_the_requesters_open_ticket_joins_it(teams):
    group = "19:group-emp@thread.v2"
    await teams.post(
        message(
            "<at>Fixloop</at> My laptop screen flickers when docked",
            EMP,
            group,
            "groupChat",
            id="g1",
            entities=mention_bot(),
        )
    )
    await teams.connector.wait_for("reply", where=lambda c: c.activity_id == "g1")
    first = await teams.desk.find_thread(f"teams:{group};messageid=g1")
    await teams.post(message("laptop screen flickers again when docked at my desk", EMP, DM, id="d1"))
    told = await teams.connector.wait_for(
        "posted", where=lambda c: "looks like your open ticket" in c.body.get("text", "")
    )
    assert told[0].conversation == group and first.id in told[0].body["text"]
    saved = await teams.desk.tickets.get(first.id)
    assert [m.text for m in saved.messages if m.role == "requester"][-1].startswith(
        "laptop screen flickers again"
    )
    assert len(await teams.desk.tickets.list(requester=EMP)) == 1


async def test_a_close_open_ticket_of_someone_else_shows_on_the_triage_card_with_link(teams):
    await teams.post(
        message("Outlook calendar does not sync on my phone", PEOPLE[0], chat_of(PEOPLE[0]), id="o1")
    )
    await teams.connector.wait_for("reply", where=lambda c: c.activity_id == "o1")
    await teams.post(message("My Outlook calendar does not sync on the phone anymore", EMP, DM, id="o2"))
    reply = (await teams.connector.wait_for("reply", where=lambda c: c.activity_id == "o2"))[0]
    other = await teams.desk.find_thread(f"teams:{chat_of(PEOPLE[0])};messageid=o1")
    mine = await teams.desk.find_thread(f"teams:{DM};messageid=o2")
    if "need_help" in submits(card_of(reply.body)):
        await teams.click(submits(card_of(reply.body))["need_help"], EMP, "c1")
    triage = (await teams.connector.wait_for("posted", where=lambda c: c.conversation == TRIAGE))[0]
    card = card_of(triage.body)
    assert "Similar open tickets" in json.dumps(card) and other.id in json.dumps(card)
    link = submits(card)["link_ticket"]
    for _ in range(2):  # clicked twice: linked once
        await teams.click(link, ANA, "triage-1", f"{TRIAGE};messageid=triage-1", "channel")
    await teams.connector.wait_for("posted", 2, where=lambda c: "linked" in c.body.get("text", ""))
    assert (await teams.desk.tickets.get(mine.id)).linked == [other.id]
    notes = [m.text for m in (await teams.desk.tickets.get(other.id)).messages if m.text.startswith("Linked")]
    assert len(notes) == 1
