"""Edits and deletions of a logged message on Teams, over raw messageUpdate / messageDelete activities as the
channel posts them: the ticket's record follows, nothing is lost, and each change is audited once."""

from __future__ import annotations

import pytest

from tests.teams_fake import DM, EMP, harness, message

VPN, EDITED = "VPN fails", "VPN disconnects every few minutes since this morning"


@pytest.fixture
async def teams(engine, db_url, tmp_path):  # type: ignore[no-untyped-def]
    """Fixloop serving /api/messages against a fake connector; rows are deleted after."""
    async with harness(db_url, tmp_path) as h:
        yield h


def changed(kind: str, event: str, text: str = "") -> dict:  # type: ignore[type-arg]
    """A messageUpdate (editMessage) or messageDelete (softDeleteMessage) activity of message m1."""
    activity = message(text, id="m1", type=kind)
    activity["channelData"] = {**activity["channelData"], "eventType": event}
    return activity


async def test_an_edit_and_a_deletion_on_teams_keep_the_old_text_and_are_audited_once(teams) -> None:  # type: ignore[no-untyped-def]
    await teams.post(message(VPN, id="m1"))
    await teams.connector.wait_for("reply")
    key = f"teams:{DM};messageid=m1"
    for _ in range(2):  # Teams may send an activity again: the second changes nothing
        assert (await teams.post(changed("messageUpdate", "editMessage", EDITED))).status < 300
    ticket = await teams.desk.find_thread(key)
    assert ticket.text == EDITED and ticket.messages[0].edited_at is not None
    for _ in range(2):
        assert (await teams.post(changed("messageDelete", "softDeleteMessage"))).status < 300
    ticket = await teams.desk.find_thread(key)
    assert ticket.messages[0].deleted_at is not None and ticket.messages[0].text == EDITED
    entries = [e for e in await teams.desk.audit_entries() if e.ticket_id == ticket.id]
    edits = [e for e in entries if e.action == "message_edited"]
    deletions = [e for e in entries if e.action == "message_deleted"]
    assert len(edits) == 1 and len(deletions) == 1
    assert edits[0].who == EMP and f"before: {VPN}" in edits[0].detail  # the text as first asked
    assert deletions[0].who == EMP and deletions[0].detail.endswith(":m1")
