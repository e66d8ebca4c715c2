"""Slack's delivery rules: 429 and 5xx retried, slow work after the ack, notices routed, bad bodies refused."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest
from aiohttp.test_utils import TestClient, TestServer
from slack_sdk.errors import SlackApiError

from adapters.slack.client import make_client
from adapters.slack.notifier import SlackNotifier
from bot.config import load_config
from bot.server import create_app
from bot.settings import Settings
from bot.wiring import build_runtime
from core.escalation import Evidence
from core.ports import Notice
from core.tickets import Surface, Ticket
from tests.fake_secrets import SLACK_BOT_TOKEN
from tests.fakes import fake_desk
from tests.slack_fake import EMPLOYEE, MIA, ROOT, FakeSlack, buttons, harness, text_of


@pytest.fixture
async def slack(engine, db_url):
    """Fixloop serving /slack/events against a fake Slack; rows are deleted after the test."""
    async with harness(db_url) as h:
        yield h


@pytest.fixture
async def fake():
    """Just the fake Slack Web API."""
    server = FakeSlack()
    await server.server.start_server()
    yield server
    await server.server.close()


def dm(text: str, ts: str = "1700000000.000100") -> dict:
    return {
        "type": "message",
        "channel": "D0EMP",
        "channel_type": "im",
        "user": EMPLOYEE,
        "text": text,
        "ts": ts,
    }


async def test_a_rate_limited_reply_waits_for_retry_after_while_the_ack_does_not_wait(slack):
    slack.fake.fail("chat.postMessage", 429, Retry_After="1")
    started = time.monotonic()
    response = await slack.event(dm("VPN disconnects every few minutes"))
    acked = time.monotonic() - started
    calls = await slack.fake.wait_for("chat.postMessage", 2)
    attempts = [c for c in slack.fake.calls if c.method == "chat.postMessage"]
    assert response.status == 200 and acked < 0.5
    assert attempts[1].at - attempts[0].at >= 1.0 and calls[0] == calls[1]


async def test_a_post_that_fails_with_500_is_retried_not_dropped(slack):
    slack.fake.fail("chat.postMessage", 500, times=2)
    await slack.event(dm("VPN disconnects every few minutes"))
    calls = await slack.fake.wait_for("chat.postMessage", 3)
    assert all(c["thread_ts"] == "1700000000.000100" for c in calls)
    assert await slack.desk.find_thread("slack:D0EMP:1700000000.000100") is not None


async def test_the_notifier_raises_when_slack_keeps_failing(fake):
    notifier = SlackNotifier(make_client(SLACK_BOT_TOKEN, fake.url, retries=2, backoff=0.01), _org())
    fake.fail("chat.postMessage", 503, times=10)
    with pytest.raises(SlackApiError):
        await notifier.send(Notice(kind="digest", to="leaders", text="Weekly digest"))
    assert len(fake.of("chat.postMessage")) == 3


def _org():
    return load_config(ROOT / "fixloop.example.toml").org


async def test_each_notice_goes_to_its_channel_dm_or_thread_and_nowhere_else(fake):
    desk = await fake_desk(org=_org())
    notifier = SlackNotifier(make_client(SLACK_BOT_TOKEN, fake.url), desk.org, desk)
    now = datetime(2026, 11, 16, tzinfo=UTC)
    on_slack = Ticket(
        id="FX-SLACK1",
        surface=Surface.INTERNAL,
        created_at=now,
        platform="slack",
        subject="VPN",
        requester=EMPLOYEE,
        chat={"channel": "D0EMP", "thread_ts": "1.0"},
        text="VPN down",
    )
    on_teams = Ticket(
        id="FX-TEAMS1", surface=Surface.INTERNAL, created_at=now, platform="teams", requester="29:x"
    )
    for t in (on_slack, on_teams):
        await desk.tickets.add(t)
    evidence = Evidence(summary="VPN down since 9:00", requester=EMPLOYEE, surface="internal").to_dict()
    notices = [
        Notice(
            kind="escalation",
            to="team:it-network",
            text="Escalation",
            ticket_id=on_slack.id,
            data={"escalation_id": "ESC-1", "evidence": evidence, "reason": "cert"},
        ),
        Notice(kind="status", to=f"thread:{on_slack.id}", text="Now with IT Network", ticket_id=on_slack.id),
        Notice(kind="status", to=f"thread:{on_teams.id}", text="Now with IT Network", ticket_id=on_teams.id),
        Notice(kind="csat", to=f"person:{EMPLOYEE}", text="How did we do?", ticket_id=on_slack.id),
        Notice(
            kind="triage", to="triage", text="needs a person", ticket_id=on_slack.id, data={"why": "asked"}
        ),
        Notice(kind="digest", to="leaders", text="Weekly digest\n" + "line\n" * 2000),
        Notice(kind="coaching", to="person:mia", text="Coaching for ana"),
        Notice(kind="review", to="person:chen", text="Review"),  # chen has no Slack id
    ]
    for notice in notices:
        await notifier.send(notice)
    posts = {(p["channel"], p.get("thread_ts")): p for p in fake.of("chat.postMessage")}
    assert set(posts) == {
        ("C0NETWORK", None),
        ("D0EMP", "1.0"),
        (EMPLOYEE, None),
        ("C0TRIAGE", None),
        ("C0LEADERS", None),
        (MIA, None),
    }
    assert "fixloop.judge_needed" in buttons(posts[("C0NETWORK", None)]["blocks"])
    assert "fixloop.csat.5" in buttons(posts[(EMPLOYEE, None)]["blocks"])
    assert "fixloop.assign" in buttons(posts[("C0TRIAGE", None)]["blocks"])
    digest = posts[("C0LEADERS", None)]["blocks"]
    assert len(digest) > 1 and all(len(b["text"]["text"]) <= 3000 for b in digest)
    assert "Now with IT Network" in text_of(posts[("D0EMP", "1.0")])


async def test_a_body_that_is_not_json_is_refused_with_400_and_the_next_request_is_served(slack):
    assert (await slack.post("payload=%7Bnot-json", "application/x-www-form-urlencoded")).status == 400
    assert (await slack.post("{not json", "application/json")).status == 400
    assert (
        await slack.event({"type": "message", "channel": "D0EMP", "channel_type": "im", "ts": "1.0"})
    ).status == 200
    await slack.event(dm("The printer shows offline"))
    await slack.fake.wait_for("chat.postMessage")
    assert await slack.desk.tickets.count() == 1


async def test_without_slack_credentials_the_server_starts_and_slack_is_off(db_url, engine):
    settings = Settings(database_url=db_url, fixloop_config=ROOT / "fixloop.example.toml")
    runtime = await build_runtime(settings, load_indexes=False)
    client = TestClient(TestServer(create_app(runtime)))
    await client.start_server()
    try:
        assert runtime.slack_app is None
        assert (await client.post("/slack/events", data=b"{}")).status == 404
        assert (await (await client.get("/healthz")).json())["slack"] is False
    finally:
        await client.close()


async def test_the_digest_chart_is_uploaded_as_a_file_to_the_leaders_channel(fake):
    notifier = SlackNotifier(make_client(SLACK_BOT_TOKEN, fake.url), _org())
    png = b"\x89PNG\r\n\x1a\n" + b"chart-bytes" * 50
    notice = Notice(kind="digest", to="leaders", text="Weekly digest",
                    data={"chart_png": png, "chart_name": "fixloop-trend-2026-11-16.png"})
    await notifier.send(notice)
    assert [p["channel"] for p in fake.of("chat.postMessage")] == ["C0LEADERS"]
    asked = fake.of("files.getUploadURLExternal")
    assert asked and asked[0]["filename"] == "fixloop-trend-2026-11-16.png" and int(asked[0]["length"]) == len(png)
    assert list(fake.uploads.values()) == [png]
    completed = fake.of("files.completeUploadExternal")
    assert completed and completed[0]["channel_id"] == "C0LEADERS"
