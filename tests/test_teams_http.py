"""Teams over HTTP as the Bot Framework sends it: JWT checks, intake, redelivery, proactive messages."""

from __future__ import annotations

import asyncio
import time

import pytest
from aiohttp.test_utils import TestClient, TestServer
from cryptography.hazmat.primitives.asymmetric import rsa

from adapters.teams.config import TeamsMisconfigured, teams_mode
from bot.server import create_app
from bot.settings import Settings
from bot.wiring import build_runtime
from core.ports import Notice
from tests.teams_fake import (
    DM,
    EMP,
    LEADERS,
    MIA,
    ROOT,
    TENANT,
    FakeConnector,
    card_of,
    config_file,
    harness,
    message,
    submits,
)

VPN = "VPN disconnects every few minutes since this morning"


@pytest.fixture
async def teams(engine, db_url, tmp_path):
    """Fixloop serving /api/messages with auth on, against a fake connector; rows are deleted after."""
    async with harness(db_url, tmp_path) as h:
        yield h


async def test_a_valid_token_is_accepted_and_the_reply_goes_back_to_the_service_url(teams):
    response = await teams.post(message(VPN, id="m1"))
    assert response.status == 201
    reply = (await teams.connector.wait_for("reply"))[0]
    assert reply.conversation == DM and reply.activity_id == "m1" and reply.auth.startswith("Bearer ")
    ticket = await teams.desk.find_thread(f"teams:{DM};messageid=m1")
    assert ticket.id in reply.body["text"] and {"solved", "need_help"} <= set(submits(card_of(reply.body)))


@pytest.mark.parametrize(
    "case",
    [
        "missing",
        "garbage",
        "expired",
        "wrong audience",
        "wrong key",
        "unknown key id",
        "wrong serviceUrl",
        "wrong issuer",
    ],
)
async def test_a_bad_token_gets_401_and_nothing_is_logged(teams, case):
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    sign, url = teams.keys.sign, teams.connector.url
    tokens = {
        "missing": None,
        "garbage": "not-a-jwt",
        "expired": sign(serviceurl=url, exp=int(time.time()) - 3600, nbf=int(time.time()) - 7200),
        "wrong audience": sign(serviceurl=url, aud="someone-elses-bot"),
        "wrong key": sign(key=other, serviceurl=url),
        "unknown key id": sign(key=other, kid="not-ours", serviceurl=url),
        "wrong serviceUrl": sign(serviceurl="https://attacker.example/"),
        "wrong issuer": sign(serviceurl=url, iss="https://sts.example/"),
    }
    response = await teams.post(message(VPN, id=f"bad-{case}"), token=tokens[case])
    assert response.status == 401
    assert await teams.desk.tickets.count() == 0 and teams.connector.calls == []


async def test_malformed_requests_are_refused_without_a_500(teams):
    token = {"Authorization": f"Bearer {teams.keys.sign(serviceurl=teams.connector.url)}"}
    unsigned = await teams.client.post("/api/messages", data="{", headers={"Content-Type": "application/json"})
    wrong_type = await teams.client.post("/api/messages", data="hi", headers={"Content-Type": "text/plain", **token})
    not_json = await teams.client.post(
        "/api/messages", data="{", headers={"Content-Type": "application/json", **token}
    )
    no_type = await teams.post({"id": "x", "text": "hi"})
    statuses = (unsigned.status, wrong_type.status, not_json.status, no_type.status)
    assert statuses == (401, 415, 400, 400)


async def test_a_redelivered_activity_never_makes_a_second_ticket_even_concurrently(teams):
    activity = message(VPN, id="same-id")
    first, second = await asyncio.gather(teams.post(activity), teams.post(activity))
    third = await teams.post(activity)
    assert {first.status, second.status, third.status} == {201}
    assert await teams.desk.tickets.count() == 1
    assert len(teams.connector.posted()) == 1


async def test_a_card_is_updated_in_place_and_a_second_click_changes_nothing(teams):
    await teams.post(message(VPN, id="m1"))
    reply = (await teams.connector.wait_for("reply"))[0]
    data = submits(card_of(reply.body))
    await teams.click(data["solved"], EMP, card_id="card-7")
    await teams.click(data["need_help"], EMP, card_id="card-7")
    update = (await teams.connector.wait_for("update"))[0]
    assert update.activity_id == "card-7" and "Solved by kb-vpn" in str(card_of(update.body))
    assert submits(card_of(update.body)) == {}  # no button left to press twice
    refusal = (await teams.connector.wait_for("posted", 2))[-1]
    assert "already used" in refusal.body["text"]
    assert len([c for c in teams.connector.calls if c.kind == "update"]) == 1


async def test_proactive_messages_reach_channels_chats_and_people_who_never_wrote(teams):
    await teams.post(message(VPN, id="m1"))  # stores the requester's chat, the serviceUrl and the tenant
    ticket = await teams.desk.find_thread(f"teams:{DM};messageid=m1")
    await teams.desk.notifier.send(Notice(kind="digest", to="leaders", text="Weekly digest: all good"))
    await teams.desk.notifier.send(Notice(kind="coaching", to="person:mia", text="Coaching for ana"))
    await teams.desk.notifier.send(
        Notice(kind="status", to=f"thread:{ticket.id}", text="With IT Network now")
    )
    await teams.desk.notifier.send(Notice(kind="escalation", to="team:billing", text="no Teams channel"))
    digest = await teams.connector.wait_for("posted", where=lambda c: c.conversation == LEADERS)
    assert "Weekly digest" in str(card_of(digest[0].body))
    created = (await teams.connector.wait_for("create"))[0]
    assert created.body["members"] == [{"id": MIA}] and created.body["channelData"]["tenant"]["id"] == TENANT
    await teams.connector.wait_for("posted", where=lambda c: c.conversation.startswith("a:new-"))
    assert await teams.runtime.teams.references.get(f"user:{MIA}") is not None  # the next one continues it
    await teams.connector.wait_for(
        "posted", where=lambda c: c.conversation == DM and "IT Network" in c.body["text"]
    )
    assert not [c for c in teams.connector.calls if "billing" in c.conversation]


async def test_teams_is_off_without_settings_and_refuses_a_half_configuration(db_url, tmp_path):
    def settings(**kw):  # type: ignore[no-untyped-def]
        return Settings(database_url=db_url, fixloop_config=config_file(tmp_path), **kw)

    assert teams_mode(settings()) == "off"
    assert teams_mode(settings(fixloop_env="development")) == "open"
    with pytest.raises(TeamsMisconfigured, match="MICROSOFT_APP_ID is empty"):
        teams_mode(settings(microsoft_app_password="fake-password-test-only"))
    runtime = await build_runtime(settings(), load_indexes=False)
    client = TestClient(TestServer(create_app(runtime), host="127.0.0.1"))
    await client.start_server()
    try:
        assert (await client.post("/api/messages", json=message(VPN))).status in (404, 405)
    finally:
        await client.close()


async def test_development_mode_runs_without_authentication(engine, db_url, tmp_path):
    connector = FakeConnector()
    await connector.server.start_server()
    settings = Settings(database_url=db_url, fixloop_config=config_file(tmp_path), fixloop_env="development")
    runtime = await build_runtime(settings)
    client = TestClient(TestServer(create_app(runtime), host="127.0.0.1"))
    await client.start_server()
    try:
        response = await client.post(
            "/api/messages", json={"serviceUrl": connector.url, **message(VPN, id="d1")}
        )
        assert response.status == 201
        reply = (await connector.wait_for("reply"))[0]
        assert reply.auth == ""  # no app id: nothing to sign with
    finally:
        await client.close()
        await connector.server.close()
    assert ROOT.exists()


def test_serve_refuses_a_teams_secret_without_an_app_id_and_shouts_when_auth_is_off(
    monkeypatch, capsys, caplog
):
    from bot.cli import main
    from bot.commands import _say_teams

    monkeypatch.setenv("MICROSOFT_APP_PASSWORD", "fake-password-test-only")
    monkeypatch.setenv("FIXLOOP_CONFIG", str(ROOT / "fixloop.example.toml"))
    assert main(["serve", "--port", "0"]) == 2
    assert "MICROSOFT_APP_ID is empty" in capsys.readouterr().err
    _say_teams(Settings(fixloop_env="development"))
    assert "TEAMS AUTHENTICATION IS OFF" in caplog.text
