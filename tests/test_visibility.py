"""Internal knowledge never reaches customers: the hard filter in core, and the surface a ticket gets.

A ticket is external when its channel is (configured external, or a Slack Connect channel) or its requester
is (a user of another Slack workspace, a Teams user of another tenant), whichever is more external; on the
external surface an internal article is never offered, however well it matches.
"""

from __future__ import annotations

import json

import pytest

from adapters.search.tfidf import TfidfRetriever
from core.kb import Library
from core.org import Org
from core.tickets import Surface
from tests import teams_fake
from tests.fakes import sample_articles
from tests.slack_fake import ANA, BOT_USER, EMPLOYEE, TEAM, harness

VPN = "VPN disconnects every few minutes since this morning"


def library() -> Library:
    lib = Library(TfidfRetriever())
    lib.load(sample_articles())
    return lib


def test_an_internal_article_is_never_offered_on_the_external_surface_however_well_it_matches():
    lib = library()
    assert [s.article.id for s in lib.suggest(VPN, surface="internal").items][:1] == ["kb-vpn"]
    assert "kb-vpn" not in [s.article.id for s in lib.suggest(VPN, surface="external").items]
    refund = "I was charged twice for one invoice, please refund the double charge"
    assert "kb-refund" in [s.article.id for s in lib.suggest(refund, surface="internal").items]  # external: both


def test_the_surface_is_the_more_external_of_channel_and_person():
    org = Org(surfaces={"slack:C0IT": "internal", "slack:C0CUST": "external"})
    assert org.surface_for("slack", "C0IT") == Surface.INTERNAL
    assert org.surface_for("slack", "C0IT", Surface.EXTERNAL) == Surface.EXTERNAL
    assert org.surface_for("slack", "C0CUST", Surface.INTERNAL) == Surface.EXTERNAL
    assert org.surface_for("slack", "C0ELSE", None) == Surface.INTERNAL


@pytest.fixture
async def slack(engine, db_url):  # type: ignore[no-untyped-def]
    async with harness(db_url) as h:
        yield h


async def first_reply(slack, ts: str):  # type: ignore[no-untyped-def]
    return (await slack.fake.wait_for("chat.postMessage", where=lambda p: p.get("thread_ts") == ts))[0]


def offers(reply: dict) -> str:  # type: ignore[type-arg]
    return json.dumps(reply.get("blocks")) + str(reply.get("text"))


async def test_a_mention_in_an_unlisted_slack_connect_channel_is_external_and_offers_no_internal_article(slack):
    await slack.event(
        {"type": "app_mention", "channel": "C0SHARED", "user": EMPLOYEE, "text": f"<@{BOT_USER}> {VPN}",
         "ts": "1700000000.000300", "team": TEAM},
        is_ext_shared_channel=True,
    )
    reply = await first_reply(slack, "1700000000.000300")
    ticket = await slack.desk.find_thread("slack:C0SHARED:1700000000.000300")
    assert ticket.surface == Surface.EXTERNAL
    assert "kb-vpn" not in offers(reply) and "VPN disconnects or fails to connect" not in offers(reply)


async def test_a_dm_from_a_user_of_another_workspace_is_external(slack):
    await slack.event({"type": "message", "channel": "D0CUST", "channel_type": "im", "user": "U0CUST",
                       "user_team": "T0CUSTOMER", "team": "T0CUSTOMER", "text": VPN, "ts": "1700000000.000400"})
    reply = await first_reply(slack, "1700000000.000400")
    assert (await slack.desk.find_thread("slack:D0CUST:1700000000.000400")).surface == Surface.EXTERNAL
    assert "kb-vpn" not in offers(reply)


async def test_a_listed_internal_channel_shared_with_a_customer_is_external(slack):
    await slack.event({"type": "message", "channel": "C0ITHELP", "user": EMPLOYEE, "text": VPN,
                       "ts": "1700000000.000500", "team": TEAM}, is_ext_shared_channel=True)
    await first_reply(slack, "1700000000.000500")
    assert (await slack.desk.find_thread("slack:C0ITHELP:1700000000.000500")).surface == Surface.EXTERNAL


def log_as_ticket(channel: str, ts: str, text: str = VPN) -> dict:  # type: ignore[type-arg]
    """A message_action payload: Slack sends no is_ext_shared_channel with it."""
    return {
        "type": "message_action",
        "callback_id": "fixloop.log_ticket",
        "user": {"id": ANA, "team_id": TEAM},
        "channel": {"id": channel, "name": "acme-connect"},
        "trigger_id": "trig.1",
        "message_ts": ts,
        "message": {"type": "message", "user": EMPLOYEE, "team": TEAM, "text": text, "ts": ts},
    }


async def test_log_as_ticket_in_an_unlisted_shared_channel_looks_the_channel_up_once_and_is_external(slack):
    slack.fake.channels["C0CONNECT"] = {"is_ext_shared": True}
    await slack.interact(log_as_ticket("C0CONNECT", "1700000000.000600"))
    reply = await first_reply(slack, "1700000000.000600")
    # Another problem: the same one again from the same person would join the first ticket (a duplicate).
    await slack.interact(log_as_ticket("C0CONNECT", "1700000000.000700", "The invoice PDF shows the wrong VAT"))
    await first_reply(slack, "1700000000.000700")
    for ts in ("1700000000.000600", "1700000000.000700"):
        assert (await slack.desk.find_thread(f"slack:C0CONNECT:{ts}")).surface == Surface.EXTERNAL
    assert "kb-vpn" not in offers(reply)
    assert [p["channel"] for p in slack.fake.of("conversations.info")] == ["C0CONNECT"]  # cached


async def test_log_as_ticket_in_an_unshared_channel_stays_internal(slack):
    await slack.interact(log_as_ticket("C0GENERAL", "1700000000.000800"))
    reply = await first_reply(slack, "1700000000.000800")
    assert (await slack.desk.find_thread("slack:C0GENERAL:1700000000.000800")).surface == Surface.INTERNAL
    assert "kb-vpn" in offers(reply)


async def test_a_teams_user_of_another_tenant_is_external_and_offered_no_internal_article(engine, db_url, tmp_path):
    async with teams_fake.harness(db_url, tmp_path) as teams:
        other = "0c0ffee0-0000-4000-8000-00000000c0de"
        activity = teams_fake.message(VPN, id="x1", conversation="a:cust-chat")
        activity["conversation"]["tenantId"] = other
        activity["channelData"] = {"tenant": {"id": other}}
        await teams.post(activity)
        reply = (await teams.connector.wait_for("reply", where=lambda c: c.activity_id == "x1"))[0]
        assert (await teams.desk.find_thread("teams:a:cust-chat;messageid=x1")).surface == Surface.EXTERNAL
        assert "kb-vpn" not in json.dumps(reply.body) and "VPN disconnects or fails" not in json.dumps(reply.body)
