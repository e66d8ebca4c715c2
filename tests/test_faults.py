"""Faults survived: the database going away mid-burst, Slack failing (500, 429, timeouts), a killed process.

After each, every message Slack saw acknowledged is a ticket exactly once, and every first reply that was
due is posted exactly once. Slack's redelivery (an event not acknowledged with a 2xx is sent again, with
the same event_id) is played by `deliver`, as Slack would.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator

import pytest
from aiohttp import web

from adapters.db import migrate
from tests.conftest import postgres_database
from tests.fake_secrets import OPENAI_API_KEY
from tests.fault_support import FAST, deliver, dm, first_replies_settle, ticket_count
from tests.llm_fake import FakeOpenAI, serve_openai
from tests.pg_proxy import PgProxy
from tests.settling import quiet
from tests.slack_fake import Harness, harness, text_of
from tests.slack_support import escalate

needs_postgres = pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="needs TEST_DATABASE_URL")


@pytest.fixture
async def pg_behind_proxy() -> AsyncIterator[tuple[str, PgProxy]]:
    """A scratch PostgreSQL database, migrated, reached through a proxy that can cut it off."""
    with postgres_database("fixloop_fault") as url:
        migrate.upgrade(url)
        proxy = await PgProxy().start()
        try:
            yield proxy.url(url), proxy
        finally:
            await proxy.close()


@needs_postgres
async def test_postgres_going_away_mid_burst_loses_and_doubles_nothing(pg_behind_proxy) -> None:
    url, proxy = pg_behind_proxy
    async with harness(url, **FAST) as h:
        n = 24

        async def outage() -> None:
            await asyncio.sleep(0.15)
            proxy.cut()  # every pooled connection drops; new ones are refused
            await asyncio.sleep(1.5)
            proxy.restore()

        async def burst(i: int) -> int:
            await asyncio.sleep(i * 0.03)  # spread over 0.7 s, so the cut at 0.15 s falls mid-burst
            return await deliver(h, dm(i), f"EvPG{i:03d}")

        tries = await asyncio.gather(outage(), *(burst(i) for i in range(n)))
        assert any(t > 1 for t in tries[1:]), "the outage hit no delivery: the test proved nothing"
        await h.eventually(lambda: _equals(ticket_count(h), n), within=60)
        replies = await first_replies_settle(h, n)
        assert await ticket_count(h) == n
        assert set(replies.values()) == {1}, replies


async def _equals(value: object, expected: int) -> bool:
    return await value == expected  # type: ignore[misc]


@pytest.fixture
async def slack(engine, db_url) -> AsyncIterator[Harness]:
    async with harness(db_url, **FAST) as h:
        yield h


async def test_slack_failing_with_500_beyond_the_clients_retries_is_retried_from_the_outbox(slack) -> None:
    slack.fake.fail("chat.postMessage", 500, times=6)  # the client itself retries 4 times, then gives up
    await deliver(slack, dm(0), "Ev500")
    replies = await first_replies_settle(slack, 1, within=40)
    assert replies == {dm(0)["ts"]: 1}
    row = await slack.runtime.repos.outbox.get("post:first_reply:" + (await _ticket_id(slack, 0)))
    assert row is not None and row["state"] == "sent" and "500" in (row["last_error"] or "")


async def test_slack_rate_limiting_delays_the_reply_and_does_not_double_it(slack) -> None:
    slack.fake.fail("chat.postMessage", 429, times=6, Retry_After="1")
    await deliver(slack, dm(0), "Ev429")
    assert await first_replies_settle(slack, 1, within=40) == {dm(0)["ts"]: 1}


async def test_a_slack_timeout_after_the_post_went_through_is_not_posted_again(slack) -> None:
    for runtime in (slack.runtime, await slack.handling()):
        runtime.slack_app.client.timeout = 1  # the same client the outbox posts with
    slack.fake.stall("chat.postMessage", 2.5)  # Slack posts it, but the answer comes too late
    await deliver(slack, dm(0), "EvTimeout")
    replies = await first_replies_settle(slack, 1, within=30)  # waits until the retry is settled too
    assert replies == {dm(0)["ts"]: 1}
    assert len([p for p in slack.fake.delivered() if p.get("thread_ts") == dm(0)["ts"]]) == 1
    checks = slack.fake.of("conversations.replies")
    assert checks and checks[0]["ts"] == dm(0)["ts"]  # the retry looked before posting


async def test_an_event_redelivered_while_and_after_it_is_handled_makes_one_ticket(slack) -> None:
    results = await asyncio.gather(*(slack.event(dm(0), event_id="EvDup", retry=i or None) for i in range(5)))
    assert {r.status for r in results} == {200}
    await first_replies_settle(slack, 1)
    assert (await slack.event(dm(0), event_id="EvDup", retry=5)).status == 200
    assert await ticket_count(slack) == 1
    assert len([p for p in slack.fake.delivered() if p.get("thread_ts") == dm(0)["ts"]]) == 1


async def _ticket_id(h: Harness, i: int) -> str:
    ticket = await h.desk.find_thread(f"slack:D0EMP:{dm(i)['ts']}")
    assert ticket is not None
    return str(ticket.id)


@pytest.fixture
async def model_server() -> AsyncIterator[tuple[FakeOpenAI, str]]:
    async with serve_openai() as served:
        yield served


@pytest.mark.parametrize("fault", ["timeout", "garbage", "http_500"])
async def test_a_failing_language_model_still_escalates_once_with_offline_evidence(
    engine, db_url, model_server, fault
) -> None:
    server, url = model_server
    if fault == "timeout":
        server.delay = 3.0
    elif fault == "garbage":
        server.reply = lambda: web.Response(text="<html>not json</html>", content_type="application/json")
    else:
        server.reply = lambda: web.json_response({"error": {"message": "overloaded"}}, status=500)
    async with harness(db_url, **FAST, openai_api_key=OPENAI_API_KEY, openai_base_url=url,
                       openai_timeout_seconds=1.0) as h:
        await deliver(h, dm(0), "EvLLM")
        await first_replies_settle(h, 1)
        ticket = await h.desk.find_thread(f"slack:D0EMP:{dm(0)['ts']}")
        post = await escalate(h, ticket)
        assert ticket.id in text_of(post) and dm(0)["text"] in text_of(post)  # the offline evidence
        await quiet(h.runtime.engine)  # every post settled: a second escalation post would be there now
        posts = [p for p in h.fake.delivered() if p.get("channel") == "C0NETWORK"]
        assert len(posts) == 1 and server.requests, "the model was asked, failed, and nothing doubled"
        saved = await h.desk.find_thread(f"slack:D0EMP:{dm(0)['ts']}")
        assert saved.escalated_to == "it-network"


@needs_postgres
async def test_a_form_submitted_while_the_database_is_away_gives_back_what_was_typed(pg_behind_proxy) -> None:
    url, proxy = pg_behind_proxy
    async with harness(url, **FAST) as h:
        try:
            await deliver(h, dm(0), "EvForm")
            await first_replies_settle(h, 1)
            ticket = await h.desk.find_thread(f"slack:D0EMP:{dm(0)['ts']}")
            await h.command("/escalate", f"{ticket.id} cert", "U0ANA")
            view = (await h.fake.wait_for("views.open"))[0]["view"]
            proxy.cut()
            typed = "The VPN certificate expired at 09:00; renew it on the gateway"
            values = {"team": {"type": "static_select", "selected_option": {"value": "it-network"}},
                      "reason": {"type": "plain_text_input", "value": typed}}
            assert (await h.submit(view, "U0ANA", values)).status == 200
            told = await h.fake.wait_for("chat.postEphemeral", within=20,
                                         where=lambda p: typed in p.get("text", ""))
            assert "What you entered, to send again" in told[0]["text"] and told[0]["user"] == "U0ANA"
        finally:
            proxy.restore()
