"""Incidents and duplicates on Slack, over signed events and clicks: one post that grows, everyone told once."""

from __future__ import annotations

import json

import pytest

from core.tickets import Status
from tests.incident_support import OUTAGE, seed_history
from tests.slack_fake import ANA, EMPLOYEE, buttons, harness

PEOPLE = [f"U0REQ{n}" for n in range(1, 7)]


@pytest.fixture
async def slack(engine, db_url):
    """Fixloop serving /slack/events against a fake Slack; rows are deleted after the test."""
    async with harness(db_url) as h:
        await seed_history(h.desk)
        yield h


def dm(user: str, text: str, ts: str) -> dict:
    """A direct message event as Slack sends it."""
    return {
        "type": "message",
        "channel": f"D{user}",
        "channel_type": "im",
        "user": user,
        "text": text,
        "ts": ts,
    }


async def report_outage(slack) -> list:  # type: ignore[no-untyped-def]
    """Six people report the same outage within a minute; each gets a first reply."""
    for n, (user, text) in enumerate(zip(PEOPLE, OUTAGE, strict=True)):
        ts = f"1700000100.{n:06d}"
        await slack.event(dm(user, text, ts), event_id=f"EvOUT{n}")
        await slack.fake.wait_for("chat.postMessage", where=lambda p, ts=ts: p.get("thread_ts") == ts)
    return [await slack.desk.find_thread(f"slack:D{u}:1700000100.{n:06d}") for n, u in enumerate(PEOPLE)]


def known(p: dict) -> bool:
    return "known problem" in (p.get("text") or "")


def incident_posts(slack) -> list:  # type: ignore[no-untyped-def]
    return [
        p for p in slack.fake.of("chat.postMessage") if p["channel"] == "C0TRIAGE" and "Incident" in p["text"]
    ]


async def test_six_reports_of_one_outage_make_one_incident_post_that_grows_and_six_known_problem_replies(
    slack,
):
    tickets = await report_outage(slack)
    told = await slack.fake.wait_for("chat.postMessage", 6, where=known)
    assert sorted(p["channel"] for p in told) == sorted(f"D{u}" for u in PEOPLE)
    await slack.eventually(lambda: _updated_to(slack, 6))
    assert len(incident_posts(slack)) == 1
    incidents = await slack.desk.incidents.list_open()
    assert len(incidents) == 1 and {link.ticket_id for link in incidents[0].links} == {t.id for t in tickets}
    cause = await slack.desk.causes.get(incidents[0].cause_key)  # created at once, not at the re-cluster
    assert cause is not None
    assert [(await slack.desk.tickets.get(t.id)).cause_key for t in tickets] == [cause.key] * 6


async def _updated_to(slack, reports: int) -> bool:  # type: ignore[no-untyped-def]
    updates = [u for u in slack.fake.of("chat.update") if f"({reports} reports" in (u.get("text") or "")]
    return bool(updates)


async def incident_post(slack) -> dict:  # type: ignore[no-untyped-def]
    """The incident's one post, once its six reports are in, with its blocks."""
    await slack.eventually(lambda: _updated_to(slack, 6))
    return next(
        p for p in slack.fake.of("chat.postMessage") if p["channel"] == "C0TRIAGE" and "Incident" in p["text"]
    )


def resolved_notice(p: dict) -> bool:
    return "Good news" in (p.get("text") or "") and (p.get("channel") or "").startswith("DU0REQ")


async def test_resolving_tells_each_requester_once_and_replays_and_double_clicks_add_nothing(slack):
    tickets = await report_outage(slack)
    post = await incident_post(slack)
    resolve = buttons(post["blocks"])["fixloop.incident_resolve"]
    await slack.click(resolve, EMPLOYEE, message=post)  # not an agent: refused
    await slack.fake.wait_for("response_url", where=lambda p: "agent" in (p.get("text") or "").lower())
    assert await slack.desk.incidents.list_open()
    await slack.click(resolve, ANA, message=post)
    notices = await slack.fake.wait_for("chat.postMessage", 6, where=resolved_notice)
    assert sorted(p["channel"] for p in notices) == sorted(f"D{u}" for u in PEOPLE)
    await slack.click(resolve, ANA, message=post)  # a double click
    await slack.fake.wait_for("response_url", where=lambda p: "already used" in (p.get("text") or ""))
    await slack.desk.resolve_incident((await slack.desk.incidents.of_cause(tickets[0].cause_key))[0].id, ANA, "slack")
    await slack.event(dm(PEOPLE[0], OUTAGE[0], "1700000100.000000"), event_id="EvOUT0", retry=1)  # redelivery
    await slack.runtime.drain()
    assert len([p for p in slack.fake.of("chat.postMessage") if resolved_notice(p)]) == 6
    assert len([p for p in slack.fake.of("chat.postMessage") if known(p)]) == 6
    assert len(incident_posts(slack)) == 1  # redrawn, never posted again
    last = slack.fake.of("chat.update")[-1]
    assert last["ts"] == slack.fake.answered("chat.postMessage", post)["ts"] and "Resolved by" in json.dumps(
        last
    )


async def test_that_solved_it_resolves_and_still_happening_keeps_the_ticket_open(slack):
    tickets = await report_outage(slack)
    post = await incident_post(slack)
    await slack.click(buttons(post["blocks"])["fixloop.incident_resolve"], ANA, message=post)
    notices = await slack.fake.wait_for("chat.postMessage", 6, where=resolved_notice)
    by_channel = {p["channel"]: p for p in notices}
    first, second = by_channel[f"D{PEOPLE[0]}"], by_channel[f"D{PEOPLE[1]}"]
    await slack.click(buttons(first["blocks"])["fixloop.fix_solved"], PEOPLE[0], first, f"D{PEOPLE[0]}")
    await slack.click(buttons(second["blocks"])["fixloop.fix_still"], PEOPLE[1], second, f"D{PEOPLE[1]}")
    await slack.click(buttons(second["blocks"])["fixloop.fix_still"], PEOPLE[1], second, f"D{PEOPLE[1]}")
    await slack.fake.wait_for("response_url", where=lambda p: "already used" in (p.get("text") or ""))
    await slack.eventually(lambda: _status(slack, tickets[0].id, Status.RESOLVED))
    await slack.eventually(lambda: _status(slack, tickets[1].id, Status.NEEDS_HUMAN))
    assert (await slack.desk.tickets.get(tickets[2].id)).is_open  # no answer yet: no consent, still open


async def _status(slack, ticket_id: str, status: Status) -> bool:  # type: ignore[no-untyped-def]
    return (await slack.desk.tickets.get(ticket_id)).status == status


async def test_a_new_request_close_to_the_requesters_open_ticket_joins_it(slack):
    await slack.event(dm(EMPLOYEE, "My laptop screen flickers when docked", "1700000200.000001"))
    await slack.fake.wait_for("chat.postMessage", where=lambda p: p.get("thread_ts") == "1700000200.000001")
    await slack.event(
        dm(EMPLOYEE, "laptop screen flickers again when docked at my desk", "1700000200.000002")
    )
    told = await slack.fake.wait_for(
        "chat.postMessage", where=lambda p: "looks like your open ticket" in p["text"]
    )
    first = await slack.desk.find_thread(f"slack:D{EMPLOYEE}:1700000200.000001")
    assert told[0]["thread_ts"] == "1700000200.000001" and first.id in told[0]["text"]
    assert await slack.desk.find_thread(f"slack:D{EMPLOYEE}:1700000200.000002") is None
    saved = await slack.desk.tickets.get(first.id)
    assert [m.text for m in saved.messages if m.role == "requester"][-1].startswith(
        "laptop screen flickers again"
    )
    await slack.event(
        dm(EMPLOYEE, "laptop screen flickers again when docked at my desk", "1700000200.000002"),
        event_id="EvDUPE",
        retry=1,
    )
    await slack.runtime.drain()
    assert len([m for m in (await slack.desk.tickets.get(first.id)).messages if m.role == "requester"]) == 2


async def test_a_close_open_ticket_of_someone_else_shows_in_triage_with_a_link_button(slack):
    await slack.event(dm(PEOPLE[0], "Outlook calendar does not sync on my phone", "1700000300.000001"))
    await slack.fake.wait_for("chat.postMessage", where=lambda p: p.get("thread_ts") == "1700000300.000001")
    await slack.event(
        dm(PEOPLE[1], "My Outlook calendar does not sync on the phone anymore", "1700000300.000002")
    )
    reply = (
        await slack.fake.wait_for(
            "chat.postMessage", where=lambda p: p.get("thread_ts") == "1700000300.000002"
        )
    )[0]
    other = await slack.desk.find_thread(f"slack:D{PEOPLE[0]}:1700000300.000001")
    mine = await slack.desk.find_thread(f"slack:D{PEOPLE[1]}:1700000300.000002")
    if mine.status != Status.NEEDS_HUMAN:  # an article was offered: ask for a person
        await slack.click(buttons(reply["blocks"])["fixloop.need_help"], PEOPLE[1], reply, f"D{PEOPLE[1]}")
    triage = (await slack.fake.wait_for("chat.postMessage", where=lambda p: p["channel"] == "C0TRIAGE"))[0]
    assert "Similar open tickets" in json.dumps(triage["blocks"]) and other.id in json.dumps(triage["blocks"])
    link = buttons(triage["blocks"])["fixloop.link_ticket.0"]
    await slack.click(link, ANA, message=triage)
    await slack.click(link, ANA, message=triage)
    await slack.fake.wait_for("response_url", where=lambda p: "already used" in (p.get("text") or ""))
    await slack.fake.wait_for("response_url", where=lambda p: "are linked." in (p.get("text") or ""))
    assert (await slack.desk.tickets.get(mine.id)).linked == [other.id]
    notes = [m.text for m in (await slack.desk.tickets.get(other.id)).messages if m.text.startswith("Linked")]
    assert notes == [f"Linked to {mine.id}"]
