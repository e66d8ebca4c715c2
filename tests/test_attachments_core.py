"""Files in core: a file alone is a request for a person, kept once per message however often it arrives."""

from __future__ import annotations

import pytest

from core.attachments import Attachment
from core.errors import InvalidInput
from core.messages import LogRequest
from core.tickets import Status
from tests.fakes import fake_desk

VPN_SHOT = Attachment("vpn-error.png", "image/png", 48213, "slack", "F1", "https://acme.slack.com/files/U1/F1/x")


def sent(ref: str, *files: Attachment, text: str = "") -> LogRequest:
    return LogRequest("slack", "UEMP", text, thread_key="slack:D1:1", message_ref=ref, attachments=files)


async def test_a_file_alone_goes_to_a_person_and_a_replay_answers_the_same_way() -> None:
    desk = await fake_desk()
    first = await desk.log_request(sent("slack:D1:1", VPN_SHOT))
    assert first.is_new and first.suggestions.abstained and first.ticket.status == Status.NEEDS_HUMAN
    assert [a.message_ref for a in first.ticket.attachments] == ["slack:D1:1"]
    replay = await desk.log_request(sent("slack:D1:1", VPN_SHOT))  # the same message after a crash
    assert replay.replayed and replay.suggestions.abstained  # no article offered for a file name
    stored = await desk.tickets.get(first.ticket.id)
    assert len(stored.attachments) == 1 and len(stored.messages) == 2  # the request and the bot's reply


async def test_files_later_in_the_thread_are_added_with_their_message() -> None:
    desk = await fake_desk()
    ticket = (await desk.log_request(sent("slack:D1:1", text="The VPN fails"))).ticket
    assert ticket.attachments == []
    await desk.log_request(sent("slack:D1:2", VPN_SHOT, VPN_SHOT, text="here are two screenshots"))
    await desk.log_request(sent("slack:D1:2", VPN_SHOT, VPN_SHOT, text="here are two screenshots"))  # again
    stored = await desk.tickets.get(ticket.id)
    assert [a.message_ref for a in stored.attachments] == ["slack:D1:2", "slack:D1:2"]


async def test_a_message_with_neither_words_nor_files_is_still_refused() -> None:
    desk = await fake_desk()
    with pytest.raises(InvalidInput, match="empty"):
        await desk.log_request(sent("slack:D1:1"))
