"""Bodies that are not what the platform sends are refused at the edge: 401 unsigned, 400 signed, never a 500.

Over the real HTTP path (aiohttp server, raw signed requests); no traceback is logged for bad input.
"""

from __future__ import annotations

import json
import logging
from urllib.parse import urlencode

import pytest

from tests import slack_fake, teams_fake

NESTED = ("[" * 10_000 + "]" * 10_000).encode()
NESTED_OBJECT = b'{"type": "event_callback", "event": ' + NESTED + b"}"


@pytest.fixture
async def slack(engine, db_url):
    """Fixloop serving /slack/events against a fake Slack."""
    async with slack_fake.harness(db_url) as h:
        yield h


@pytest.fixture
async def teams(engine, db_url, tmp_path):
    """Fixloop serving /api/messages with Bot Framework auth on, against a fake connector."""
    async with teams_fake.harness(db_url, tmp_path) as h:
        yield h


def no_traceback(caplog: pytest.LogCaptureFixture) -> bool:
    """Whether nothing was logged with a traceback or at error level."""
    return not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]


async def test_an_unsigned_deeply_nested_slack_body_is_refused_before_it_is_parsed(slack, caplog):
    for body in (NESTED, NESTED_OBJECT):
        response = await slack.client.post(
            "/slack/events", data=body, headers={"Content-Type": "application/json"}
        )
        assert response.status == 401
    assert no_traceback(caplog)


async def test_a_signed_deeply_nested_slack_body_is_a_400(slack, caplog):
    for body in (NESTED, NESTED_OBJECT):
        response = await slack.post(body.decode(), "application/json")
        assert response.status == 400
    assert no_traceback(caplog) and await slack.runtime.repos.inbox.counts() == {}


async def test_a_slack_payload_that_is_not_an_object_is_a_400_signed_and_a_401_unsigned(slack, caplog):
    form = urlencode({"payload": "[1,2]"})
    unsigned = await slack.client.post(
        "/slack/events", data=form, headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    signed = await slack.post(form, "application/x-www-form-urlencoded")
    assert (unsigned.status, signed.status) == (401, 400)
    assert no_traceback(caplog)


async def test_signed_block_actions_whose_actions_are_not_a_list_are_a_400(slack, caplog):
    response = await slack.interact(
        {"type": "block_actions", "user": {"id": slack_fake.EMPLOYEE}, "actions": "zzz"}
    )
    assert response.status == 400 and "actions" in (await response.json())["error"]
    assert no_traceback(caplog) and slack.fake.calls == []


async def test_a_signed_event_without_an_event_object_is_a_400_and_nothing_is_stored(slack, caplog):
    response = await slack.post(
        json.dumps({"type": "event_callback", "event_id": "EvBad", "event": "hi"}), "application/json"
    )
    assert response.status == 400 and await slack.runtime.repos.inbox.counts() == {}
    assert no_traceback(caplog)


async def test_a_teams_request_without_a_token_is_refused_before_its_body_is_read(teams, caplog):
    response = await teams.client.post(
        "/api/messages", data=NESTED, headers={"Content-Type": "application/json"}
    )
    assert response.status == 401 and no_traceback(caplog)


async def test_a_deeply_nested_teams_body_with_a_token_is_a_400(teams, caplog):
    token = teams.keys.sign(serviceurl=teams.connector.url)
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
    for body in (NESTED, NESTED_OBJECT, b"[1, 2]"):
        response = await teams.client.post("/api/messages", data=body, headers=headers)
        assert response.status == 400
    assert no_traceback(caplog)


async def test_a_teams_message_whose_text_is_a_list_is_refused_and_makes_no_ticket(teams, caplog):
    response = await teams.post(teams_fake.message("ignored", id="list-text") | {"text": ["a", "b"]})
    assert response.status == 400 and "'text' is not text" in (await response.json())["error"]
    assert await teams.desk.tickets.count() == 0 and teams.connector.calls == []
    assert no_traceback(caplog)
