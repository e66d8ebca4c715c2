"""The smaller holes of issue 12, each over the real path: forged Solved it, CSAT on an open ticket, a bare
"password hunter2", a person matched on the wrong platform, a second digest post, an open /metrics."""

from __future__ import annotations

import argparse
import json
from datetime import timedelta

import pytest
from aiohttp import web

from adapters.db.claims import SqlJobClaims
from bot import commands
from core.kpis import parse_period
from core.links import is_plain_link
from core.messages import Escalate, LogRequest
from core.redaction import redact
from core.tickets import Status
from tests import teams_fake
from tests.fakes import sample_org
from tests.llm_fake import completion, serve_openai
from tests.slack_fake import ANA, EMPLOYEE, harness

VPN = "VPN disconnects every few minutes since this morning"


@pytest.fixture
async def slack(engine, db_url):  # type: ignore[no-untyped-def]
    async with harness(db_url) as h:
        yield h


async def open_ticket(slack, text: str = VPN, ts: str = "1700000000.000100"):  # type: ignore[no-untyped-def]
    await slack.event({"type": "message", "channel": "D0EMP", "channel_type": "im", "user": EMPLOYEE,
                       "text": text, "ts": ts})
    await slack.fake.wait_for("chat.postMessage", where=lambda p: p.get("thread_ts") == ts)
    return await slack.desk.find_thread(f"slack:D0EMP:{ts}")


def button(action_id: str, value: dict) -> dict:  # type: ignore[type-arg]
    return {"action_id": action_id, "value": json.dumps(value)}


async def test_solved_it_with_an_article_never_suggested_on_the_ticket_is_refused(slack):
    ticket = await open_ticket(slack)
    assert ticket.suggested_article_ids == ["kb-vpn"]
    forged = button("fixloop.solved", {"ticket": ticket.id, "article": "kb-refund"})
    await slack.click(forged, EMPLOYEE, channel="D0EMP")
    told = await slack.fake.wait_for("response_url", where=lambda p: "was not suggested" in p.get("text", ""))
    assert told[0]["response_type"] == "ephemeral"
    saved = await slack.desk.tickets.get(ticket.id)
    assert saved.status != Status.RESOLVED and saved.article_id is None
    assert (await slack.desk.articles.get("kb-refund")).solved_count == 0


async def test_csat_on_a_ticket_never_resolved_is_refused_and_nothing_is_reopened(slack):
    ticket = await open_ticket(slack)
    await slack.click(button("fixloop.csat.1", {"ticket": ticket.id, "score": 1}), EMPLOYEE, channel="D0EMP")
    told = await slack.fake.wait_for("response_url", where=lambda p: "not been resolved" in p.get("text", ""))
    assert "reopened" not in told[0]["text"]
    assert not [c for c in slack.fake.of("response_url") if "reopened" in c.get("text", "")]
    saved = await slack.desk.tickets.get(ticket.id)
    assert saved.csat is None and saved.reopened_at == [] and await slack.desk.csat.list(ticket.id) == []


def test_a_secret_word_followed_by_its_value_is_redacted_without_a_colon():
    assert "hunter2" not in redact("my password hunter2 stopped working")
    assert "Tr0ub4dor" not in redact("the password is Tr0ub4dor&3")
    assert redact("my password expired yesterday") == "my password expired yesterday"


async def test_password_hunter2_never_reaches_the_language_model(engine, db_url):
    async with serve_openai() as (model, url):
        model.reply = lambda: web.json_response(completion(json.dumps({"summary": "VPN login fails."})))
        async with harness(db_url, openai_api_key="sk-" + "x" * 24, openai_base_url=url) as slack:
            ticket = await open_ticket(slack, "VPN login fails, my password hunter2 is rejected")
            await slack.desk.escalate(Escalate(ticket.id, ANA, team="it-network"))
            assert model.requests, "the escalation asked the model for a summary"
            assert "hunter2" not in json.dumps(model.requests)


def test_a_person_is_matched_by_id_only_on_that_ids_platform():
    org = sample_org()
    ana = org.person("UANA", "slack")
    assert ana is not None and ana.key == "ana"
    assert org.person("UANA", "teams") is None and org.person("ana", "teams") is None
    assert org.person("ana", "console") is ana


async def test_a_teams_sender_whose_id_is_an_agents_slack_id_is_not_that_agent(engine, db_url, tmp_path):
    async with teams_fake.harness(db_url, tmp_path) as teams:
        reply = await teams.desk.log_request(LogRequest(
            platform="teams", requester=teams_fake.EMP, text=VPN,
            thread_key=f"teams:{teams_fake.DM};messageid=m1", channel=teams_fake.DM))
        data = {"fixloop": "assign", "ticket": reply.ticket.id}
        activity = teams_fake.message("", "U0ANA", f"{teams_fake.TRIAGE};messageid=c1", "channel",
                                      value=data, replyToId="c1")
        activity["from"] = {"id": "29:impostor", "aadObjectId": "U0ANA", "name": "Ana Souza"}
        await teams.post(activity)
        await teams.connector.wait_for("posted", where=lambda c: "Only an agent" in c.body.get("text", ""))
        assert (await teams.desk.tickets.get(reply.ticket.id)).agents == []


def digest_args(start: str, end: str) -> argparse.Namespace:
    return argparse.Namespace(start=start, end=end, post=True, chart=None)


async def test_digest_post_goes_through_the_schedulers_claim_and_never_posts_a_period_twice(slack, capsys):
    leaders = lambda p: p["channel"] == "C0LEADERS" and not p.get("thread_ts")  # noqa: E731
    runtime, tz = slack.runtime, slack.runtime.config.org.timezone
    posted_by_scheduler = parse_period("2026-11-09", "2026-11-16", runtime.desk.clock.now(), tz)
    claims = SqlJobClaims(runtime.engine)
    assert await claims.claim("digest", posted_by_scheduler.start, "scheduler", timedelta(minutes=10))
    assert await claims.mark_posted("digest", posted_by_scheduler.start, "scheduler")
    assert await commands.digest(runtime, digest_args("2026-11-09", "2026-11-16")) == 0
    assert "already posted" in capsys.readouterr().err
    assert await commands.digest(runtime, digest_args("2026-11-16", "2026-11-23")) == 0
    await slack.fake.wait_for("chat.postMessage", where=leaders)
    assert await commands.digest(runtime, digest_args("2026-11-16", "2026-11-23")) == 0
    assert "already posted" in capsys.readouterr().err
    assert len([p for p in slack.fake.of("chat.postMessage") if leaders(p)]) == 1


async def test_metrics_answer_only_the_bearer_token_when_one_is_set(engine, db_url):
    async with harness(db_url, fixloop_metrics_token="metrics-" + "t" * 24) as slack:
        refused = await slack.client.get("/metrics")
        assert refused.status == 401 and "Bearer" in refused.headers["WWW-Authenticate"]
        wrong = await slack.client.get("/metrics", headers={"Authorization": "Bearer nope"})
        assert wrong.status == 401
        ok = await slack.client.get("/metrics", headers={"Authorization": "Bearer metrics-" + "t" * 24})
        assert ok.status == 200 and "fixloop_http_requests_total" in await ok.text()


async def test_metrics_stay_open_without_a_token(slack):
    assert (await slack.client.get("/metrics")).status == 200


def test_a_fix_link_must_be_a_plain_http_url():
    assert is_plain_link("https://jira.example.com/browse/NET-42")
    for bad in ("https://evil.example|click here", "https://x.example/<!channel>", 'https://x.example/"q',
                "javascript:alert(1)", "https://x.example/a b"):
        assert not is_plain_link(bad), bad
