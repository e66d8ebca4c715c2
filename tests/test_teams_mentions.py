"""An @mention of the bot in a Teams channel, as the Bot Framework delivers it over HTTP, opens a ticket.

The activity is the JSON Teams posts (shape from Microsoft's "Channel and group chat conversations with a bot"
documentation and the teams-conversation-bot sample): the mention entity carries `mentioned` and `text`,
which botbuilder's Activity().deserialize() keeps in the entity's additional properties.
"""

from __future__ import annotations

import time

import pytest

from tests.teams_fake import APP_ID, BOT, EMP, TENANT, account, card_of, harness, submits

VPN = "VPN disconnects every few minutes since this morning"
GENERAL = "19:0ab1c2d3e4f5@thread.tacv2"  # a channel not listed under [surfaces]: only @mentions are requests


@pytest.fixture
async def teams(engine, db_url, tmp_path):  # type: ignore[no-untyped-def]
    async with harness(db_url, tmp_path) as h:
        yield h


def channel_post(text: str, message_id: str, entities: list[dict]) -> dict:  # type: ignore[type-arg]
    """A new post in a team channel, exactly as the channel sends it to the bot."""
    return {
        "type": "message",
        "id": message_id,
        "timestamp": "2026-11-23T09:15:00.000Z",
        "localTimestamp": "2026-11-23T10:15:00.000+01:00",
        "channelId": "msteams",
        "from": account(EMP),
        "conversation": {
            "isGroup": True,
            "conversationType": "channel",
            "tenantId": TENANT,
            "id": f"{GENERAL};messageid={message_id}",
        },
        "recipient": BOT,
        "textFormat": "plain",
        "text": text,
        "attachments": [{"contentType": "text/html", "content": f"<div>{text}</div>"}],
        "entities": entities,
        "channelData": {
            "teamsChannelId": GENERAL,
            "teamsTeamId": "19:team0ab1c2@thread.tacv2",
            "channel": {"id": GENERAL},
            "team": {"id": "19:team0ab1c2@thread.tacv2"},
            "tenant": {"id": TENANT},
        },
        "locale": "en-US",
    }


async def test_a_channel_post_mentioning_the_bot_opens_a_ticket_and_gets_its_reply_in_the_chain(teams):
    message_id = str(int(time.time() * 1000))
    entities = [
        {"mentioned": {"id": f"28:{APP_ID}", "name": "Fixloop"}, "text": "<at>Fixloop</at>", "type": "mention"},
        {"locale": "en-US", "country": "US", "platform": "Web", "timezone": "Europe/Berlin", "type": "clientInfo"},
    ]
    response = await teams.post(channel_post(f"<at>Fixloop</at> {VPN}", message_id, entities))
    assert response.status in (200, 201, 202)
    reply = (await teams.connector.wait_for("reply", where=lambda c: c.activity_id == message_id))[0]
    ticket = await teams.desk.find_thread(f"teams:{GENERAL};messageid={message_id}")
    assert ticket is not None and ticket.text == VPN and ticket.requester == EMP
    assert ticket.id in reply.body["text"] and "need_help" in submits(card_of(reply.body))
