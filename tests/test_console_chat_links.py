"""`/fixloop console` (Slack) and `console` (Teams): the one-time sign-in link, sent only to the person."""

from __future__ import annotations

import re

import pytest
from aiohttp.test_utils import TestClient, TestServer
from yarl import URL

from bot.server import create_app
from tests import slack_fake, teams_fake
from tests.console_support import csrf_of

pytestmark = pytest.mark.usefixtures("engine")
LINK = re.compile(r"(https?://\S+/app/signin/link/[\w-]+)")


async def signs_in(client: TestClient, url: str) -> bool:
    """Whether the link, opened and used once on this server, gives a session."""
    path = URL(url).path
    page = await client.get(path)
    if page.status != 200:
        return False
    used = await client.post(path, data={"csrf": csrf_of(await page.text())}, allow_redirects=False)
    return used.status == 303 and (await client.get("/app/coaching", allow_redirects=False)).status == 200


async def test_slash_fixloop_console_sends_the_link_in_a_dm_and_it_signs_in_once(db_url):
    async with slack_fake.harness(db_url) as h:
        response = await h.command("/fixloop", "console", "U0LEA", channel="C0LEADERS")
        assert response.status == 200
        dm = (await h.fake.wait_for("chat.postMessage", where=lambda p: p.get("channel") == "U0LEA"))[0]
        said = await h.fake.wait_for("response_url")
        assert "in a DM" in said[0]["text"] and not LINK.search(said[0]["text"])
        assert dm["unfurl_links"] in (False, "false", "0") and "valid once, for 10 minutes" in dm["text"]
        link = LINK.search(dm["text"]).group(1)
        assert await signs_in(h.client, link)
        assert not await signs_in(h.client, link)


async def test_slash_fixloop_console_is_refused_to_someone_without_a_console_role(db_url):
    async with slack_fake.harness(db_url) as h:
        await h.command("/fixloop", "console", "U0STRANGER")
        said = await h.fake.wait_for("response_url")
        assert "leaders, managers and agents" in said[0]["text"]
        assert not [p for p in h.fake.of("chat.postMessage") if LINK.search(str(p.get("text", "")))]


async def test_typing_console_in_the_personal_chat_answers_with_a_link_that_signs_in(db_url, tmp_path):
    async with teams_fake.harness(db_url, tmp_path) as h:
        response = await h.post(teams_fake.message("console", teams_fake.LEA, "a:1lea-personal-chat"))
        assert response.status in (200, 201)
        reply = (await h.connector.wait_for("posted", where=lambda c: "sign-in link" in str(c.body)))[0]
        assert reply.conversation.startswith("a:1lea-personal-chat")
        link = LINK.search(reply.body["text"]).group(1)
        console = TestClient(TestServer(create_app(h.runtime)))
        await console.start_server()
        try:
            assert await signs_in(console, link)
        finally:
            await console.close()


async def test_typing_console_in_a_channel_sends_no_link_there(db_url, tmp_path):
    async with teams_fake.harness(db_url, tmp_path) as h:
        activity = teams_fake.message("<at>Fixloop</at> console", teams_fake.LEA,
                                      f"{teams_fake.NETWORK};messageid=m9", "channel",
                                      entities=teams_fake.mention_bot())
        await h.post(activity)
        reply = (await h.connector.wait_for("posted", where=lambda c: "personal chat" in str(c.body)))[0]
        assert not LINK.search(str(reply.body))
