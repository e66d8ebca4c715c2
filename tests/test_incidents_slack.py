"""Incidents and duplicates on Slack, over signed events and clicks: one post that grows, everyone told once."""

from __future__ import annotations

import json

import pytest

from core.tickets import Status
from tests.slack_fake import ANA, EMPLOYEE, buttons, harness

OUTAGE = [
    "VPN is down, I cannot connect to the VPN at all",
    "The VPN is down for me too, cannot connect",
    "cannot connect to the VPN, is it down?",
    "VPN down: connect fails every time",
    "Is the VPN down? I can't connect since a few minutes",
    "VPN is down again, cannot connect from home",
]
PEOPLE = [f"U0REQ{n}" for n in range(1, 7)]


@pytest.fixture
async def slack(engine, db_url):
    """Fixloop serving /slack/events against a fake Slack; rows are deleted after the test."""
    async with harness(db_url) as h:
        yield h


def dm(user: str, text: str, ts: str) -> dict:
    """A direct message event as Slack sends it."""
    return {"type": "message", "channel": f"D{user}", "channel_type": "im", "user": user, "text": text, "ts": ts}


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
    return [p for p in slack.fake.of("chat.postMessage") if p["channel"] == "C0TRIAGE" and "Incident" in p["text"]]


async def test_six_reports_of_one_outage_make_one_incident_post_that_grows_and_six_known_problem_replies(slack):
    tickets = await report_outage(slack)
    told = await slack.fake.wait_for("chat.postMessage", 6, where=known)
    assert sorted(p["channel"] for p in told) == sorted(f"D{u}" for u in PEOPLE)
    await slack.eventually(lambda: _updated_to(slack, 6))
    assert len(incident_posts(slack)) == 1
    incidents = await slack.desk.incidents.list_open()
    assert len(incidents) == 1 and {link.ticket_id for link in incidents[0].links} == {t.id for t in tickets}
    cause = await slack.desk.causes.get(incidents[0].cause_key)  # created at once, not at the re-cluster
    assert cause is not None and all((await slack.desk.tickets.get(t.id)).cause_key == cause.key for t in tickets)


async def _updated_to(slack, reports: int) -> bool:  # type: ignore[no-untyped-def]
    updates = [u for u in slack.fake.of("chat.update") if f"({reports} reports" in (u.get("text") or "")]
    return bool(updates)
