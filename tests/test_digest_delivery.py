"""The digest on its way out: the chart served by URL for Teams, and each platform posted to once."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from botbuilder.schema import ChannelAccount, ConversationAccount, ConversationReference
from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.charts import render_trend_png
from adapters.db.chart_images import KEEP_FOR, SqlChartImages
from adapters.db.claims import SqlJobClaims
from adapters.db.tables import ChartImageRow, table_of
from adapters.teams import digest_card
from adapters.teams.config import Endpoints
from bot.scheduler import Scheduler, sql_composer
from bot.server import create_app
from bot.settings import Settings
from bot.wiring import Runtime, build_runtime
from tests import slack_fake, teams_fake
from tests.digest_support import busy_digest, busy_digest_dict, busy_ledger
from tests.fake_secrets import SLACK_BOT_TOKEN
from tests.fakes import FakeClock

FIRE = datetime(2026, 11, 16, 8, 0, tzinfo=UTC)  # Mon 09:00 in Berlin, fixloop.example.toml's digest time
LAST_WEEK = datetime(2026, 11, 8, 23, 0, tzinfo=UTC)
TEAMS_LIMIT = 28 * 1024


def png() -> bytes:
    return render_trend_png(busy_digest().trend, "UTC", dpi=40)


class FlakyConnector(teams_fake.FakeConnector):
    """The fake Bot Connector, refusing the next `refuse` sends with 403 (bot not installed in the team)."""

    def __init__(self) -> None:
        super().__init__()
        self.refuse = 0

    async def _send(self, request: web.Request) -> web.Response:
        if self.refuse > 0:
            self.refuse -= 1
            await self._record(request, "refused")
            return web.json_response({"error": {"code": "Forbidden", "message": "not installed"}}, status=403)
        return await super()._send(request)


@asynccontextmanager
async def both_platforms(
    db_url: str, folder: Path, public_url: str | None, clock: FakeClock
) -> AsyncIterator[tuple[Runtime, slack_fake.FakeSlack, FlakyConnector, TestClient]]:
    """A running Fixloop with Slack and Teams on, each against its fake server."""
    slack = slack_fake.FakeSlack()
    await slack.server.start_server()
    with teams_fake.KeyServer() as keys:
        connector = FlakyConnector()
        await connector.server.start_server()
        endpoints = Endpoints(
            keys.url, teams_fake.ISSUER, "https://login.example.test/botframework.com", teams_fake.SCOPE,
            teams_fake.LocalCredentials(keys),
        )
        settings = Settings(
            database_url=db_url, fixloop_config=teams_fake.config_file(folder),
            slack_bot_token=SLACK_BOT_TOKEN, slack_signing_secret=slack_fake.SECRET,
            slack_api_url=slack.url, microsoft_app_id=teams_fake.APP_ID,
            microsoft_app_password="a-local-test-password-0000", microsoft_app_tenant_id=teams_fake.TENANT,
            fixloop_public_url=public_url,
            fixloop_intake="queued",  # no worker thread: the test's own drain() delivers the outbox
        )
        runtime = await build_runtime(settings, teams_endpoints=endpoints, clock=clock, load_indexes=False)
        assert runtime.teams is not None
        conversation = ConversationAccount(id="a:1lea-personal", tenant_id=teams_fake.TENANT)
        reference = ConversationReference(
            channel_id="msteams", service_url=connector.url, conversation=conversation,
            bot=ChannelAccount(id=teams_fake.BOT["id"]),
        )
        await runtime.teams.references.save("conversation:a:1lea-personal", reference)  # Teams wrote once
        client = TestClient(TestServer(create_app(runtime), host="127.0.0.1"))
        await client.start_server()
        try:
            yield runtime, slack, connector, client
        finally:
            await client.close()
            await connector.server.close()
            await slack.server.close()


async def test_a_stored_chart_is_served_at_its_token_url_and_other_tokens_are_404(db_url: str, engine: AsyncEngine):
    runtime = await build_runtime(
        Settings(database_url=db_url, fixloop_config=teams_fake.ROOT / "fixloop.example.toml"), load_indexes=False
    )
    image = png()
    token = await SqlChartImages(engine).put(image)
    async with TestClient(TestServer(create_app(runtime), host="127.0.0.1")) as client:
        found = await client.get(f"/charts/{token}.png")
        assert found.status == 200 and found.content_type == "image/png"
        assert await found.read() == image
        assert "immutable" in found.headers["Cache-Control"]
        unknown = "A" * 32
        for path in (f"/charts/{unknown}.png", "/charts/short.png", f"/charts/{token}.jpg", "/charts/.png"):
            assert (await client.get(path)).status == 404, path
        assert (await client.get(f"/charts/{token[:-1]}.png")).status == 404


async def test_storing_a_chart_prunes_the_old_ones_and_refuses_what_is_not_a_png(engine: AsyncEngine):
    charts = SqlChartImages(engine)
    old = await charts.put(png(), now=FIRE - KEEP_FOR - timedelta(days=1))
    recent = await charts.put(png(), now=FIRE - timedelta(days=7))
    new = await charts.put(png(), now=FIRE)
    assert await charts.get(old) is None
    assert await charts.get(recent) is not None and await charts.get(new) is not None
    assert len({old, recent, new}) == 3
    with pytest.raises(ValueError, match="not a PNG"):
        await charts.put(b"<svg/>")
    async with engine.connect() as conn:
        assert (await conn.execute(select(func.count()).select_from(table_of(ChartImageRow)))).scalar_one() == 2


def _walk(node: Any, kind: str) -> list[dict[str, Any]]:
    if isinstance(node, dict):
        return ([node] if node.get("type") == kind else []) + [x for v in node.values() for x in _walk(v, kind)]
    if isinstance(node, list):
        return [x for v in node for x in _walk(v, kind)]
    return []


def test_the_teams_digest_card_shows_the_chart_by_url_and_stays_under_the_teams_size_limit():
    url = "https://fixloop.example.test/charts/" + "k" * 32 + ".png"
    card = digest_card.digest(busy_digest_dict(), url)
    [image] = _walk(card, "Image")
    assert image["url"] == url and "repeat-cause rate" in image["altText"]
    assert len(json.dumps(card).encode()) < TEAMS_LIMIT
    text = json.dumps(card)
    assert "Repeat-cause rate" in text and "Changes are against the previous week" in text
    assert "Seen in both the internal and the external queue" in text
    assert "Article kb-vpn solved 12 tickets" in text
    causes = [c for c in _walk(card, "Container") if "Evidence:" in json.dumps(c)]
    assert len(causes) == 5
    facts = {f["title"]: f["value"] for f in _walk(causes[0], "FactSet")[0]["facts"]}
    assert set(facts) == {"Volume", "Surfaces", "Owner", "Fix"}
    assert "https://teams.microsoft.com/l/message/19%3Ahelp%40thread.tacv2/" in json.dumps(causes[0])


def test_without_a_public_url_the_teams_digest_card_says_where_to_see_the_chart():
    card = digest_card.digest(busy_digest_dict(), None)
    assert _walk(card, "Image") == []
    assert digest_card.NO_CHART in json.dumps(card)
    assert "FIXLOOP_PUBLIC_URL is not set" in digest_card.NO_CHART


@pytest.mark.parametrize("bad", ["fixloop.example.com", "ftp://fixloop.example.com", "https://", "https://a/?x=1"])
def test_settings_refuse_a_public_url_that_is_not_an_absolute_http_url(bad: str):
    with pytest.raises(ValidationError, match="FIXLOOP_PUBLIC_URL|fixloop_public_url"):
        Settings(fixloop_public_url=bad)
    assert Settings(fixloop_public_url="https://fixloop.example.com/").fixloop_public_url == (
        "https://fixloop.example.com"
    )
    assert Settings(fixloop_public_url="").fixloop_public_url is None


async def _seed(runtime: Runtime) -> None:
    tickets, causes = busy_ledger()
    shift = LAST_WEEK - datetime(2026, 11, 9, tzinfo=UTC)  # into the week the 09:00 digest covers
    for c in causes:
        if c.fix_shipped_at:
            c.fix_shipped_at += shift
        await runtime.repos.causes.save(c)
    for t in tickets:
        t.created_at += shift
        if t.first_human_reply_at:
            t.first_human_reply_at += shift
        if t.resolved_at:
            t.resolved_at += shift
    await runtime.repos.tickets.save_many(tickets)


def _scheduler(runtime: Runtime) -> Scheduler:
    desk = runtime.desk
    return Scheduler(
        desk, SqlJobClaims(runtime.engine), runtime.config.schedules, compose=sql_composer(desk, runtime.engine),
        owner="r0",
    )


async def test_the_teams_digest_carries_the_chart_url_fixloop_serves(db_url: str, engine: AsyncEngine, tmp_path: Path):
    clock = FakeClock(FIRE)
    async with both_platforms(db_url, tmp_path, "https://fixloop.example.test", clock) as (rt, _, connector, client):
        assert rt.teams is not None and rt.teams.notifier.public_url == "https://fixloop.example.test"
        rt.teams.notifier.public_url = str(client.make_url("")).rstrip("/")  # the test server's address
        await _seed(rt)
        assert await _scheduler(rt).run("digest") == 1
        await rt.drain()  # the outbox delivers what the run queued
        [post] = connector.posted(lambda c: c.conversation == teams_fake.LEADERS)
        [image] = _walk(teams_fake.card_of(post.body), "Image")
        assert image["url"].startswith(rt.teams.notifier.public_url + "/charts/")
        served = await client.get(image["url"].removeprefix(rt.teams.notifier.public_url))
        assert served.status == 200 and (await served.read()).startswith(b"\x89PNG\r\n\x1a\n")
        assert len(json.dumps(post.body).encode()) < TEAMS_LIMIT


async def test_when_teams_fails_the_retry_posts_to_teams_only_and_slack_gets_the_digest_once(
    db_url: str, engine: AsyncEngine, tmp_path: Path
):
    clock = FakeClock(FIRE)
    async with both_platforms(db_url, tmp_path, None, clock) as (rt, slack, connector, _):
        await _seed(rt)
        assert rt.dispatcher is not None
        # Deliveries happen only in the drains below: the server's own background dispatcher would
        # deliver the Teams retry whenever its backoff (0.5 to 1 s) ends, racing the checks in between.
        await rt.dispatcher.stop()
        connector.refuse = 1
        scheduler = _scheduler(rt)
        assert await scheduler.run("digest") == 1  # queued in the outbox, once per platform
        await rt.drain(within=0.5)  # Slack takes it; Teams refuses and waits for its backoff
        assert len(slack.of("chat.postMessage")) == 1 and len(slack.of("files.getUploadURLExternal")) == 1
        [message] = slack.of("chat.postMessage")
        assert message["channel"] == "C0LEADERS" and message["blocks"][0]["type"] == "header"
        assert "<https://acme.slack.com/archives/C0HELP/p18000000" in json.dumps(message["blocks"])
        assert [c.kind for c in connector.calls] == ["refused"]
        assert (await rt.repos.outbox.depth()) == {"sent": 1, "pending": 1}
        await rt.drain(within=5)  # the Teams post falls due again and goes through
        assert len(slack.of("chat.postMessage")) == 1  # not posted to Slack again
        [post] = connector.posted(lambda c: c.conversation == teams_fake.LEADERS)
        assert digest_card.NO_CHART in json.dumps(post.body)
        assert await SqlJobClaims(engine).posted_at("digest", LAST_WEEK) == FIRE
        clock.advance(minutes=11)
        swept = await scheduler.sweep()  # the Sunday re-clustering is due now too; the digest is not
        assert await scheduler.run("digest") == 0 and swept["digest"] == 0 and swept["recluster"] == 1
        await rt.drain(within=0.5)
        digests = [p for p in slack.of("chat.postMessage") if "re-clustering" not in p["text"]]
        assert len(digests) == 1
        assert len([c for c in connector.posted() if "re-clustering" not in json.dumps(c.body)]) == 1

