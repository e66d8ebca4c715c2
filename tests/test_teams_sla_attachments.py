"""Teams over authenticated HTTP: a file or a pasted image alone is a request, kept as a reference (never
the pre-authorised download link) and shown, not re-shared, on the triage and evidence cards; the triage
card's priority picker sets the priority once per change."""

from __future__ import annotations

import json

import pytest

from core.tickets import Priority
from tests.teams_fake import ANA, DM, EMP, TRIAGE, card_of, harness, message, submits
from tests.teams_loop_support import escalate

SHAREPOINT = "https://acme-my.sharepoint.com/personal/emp_acme_com/Documents/Microsoft Teams Chat Files/vpn-log.txt"
DOWNLOAD = "https://acme-my.sharepoint.com/personal/emp_acme_com/_layouts/15/download.aspx?UniqueId=1a2b&tempauth=SECRET"


def file_attachment() -> dict[str, object]:
    """A file sent in a personal chat, as the Bot Framework delivers it (file.download.info)."""
    return {
        "contentType": "application/vnd.microsoft.teams.file.download.info",
        "contentUrl": SHAREPOINT,
        "name": "vpn-log.txt",
        "content": {"downloadUrl": DOWNLOAD, "uniqueId": "1a2b3c4d-0000-4000-8000-000000000001", "fileType": "txt"},
    }


def pasted_image() -> list[dict[str, object]]:
    """A pasted image: an image/* attachment on the bot's authenticated URL, and the HTML copy of the message."""
    return [
        {"contentType": "image/png", "contentUrl": "https://smba.trafficmanager.net/emea/v3/attachments/0-abc/views/original"},
        {"contentType": "text/html", "content": '<p><img src="https://us-api.asm.skype.com/v1/objects/0-abc/views/imgo"></p>'},
    ]


@pytest.fixture
async def teams(engine, db_url, tmp_path):  # type: ignore[no-untyped-def]
    async with harness(db_url, tmp_path) as h:
        yield h


async def file_only(teams, attachments, id: str = "f1"):  # type: ignore[no-untyped-def]
    response = await teams.post(message("", id=id, attachments=attachments))
    assert response.status in (200, 201)
    await teams.connector.wait_for("reply", where=lambda c: c.activity_id == id)
    return await teams.desk.find_thread(f"teams:{DM};messageid={id}")


async def triage_card(teams):  # type: ignore[no-untyped-def]
    return (await teams.connector.wait_for("posted", where=lambda c: c.conversation == TRIAGE))[0]


async def test_a_file_alone_opens_a_ticket_and_the_triage_card_names_it_without_the_download_link(teams) -> None:  # type: ignore[no-untyped-def]
    ticket = await file_only(teams, [file_attachment()])
    assert ticket is not None and ticket.text == "(sent 1 file: vpn-log.txt)"
    [file] = ticket.attachments
    assert (file.name, file.mime_type, file.url) == ("vpn-log.txt", "application/txt", SHAREPOINT.replace(" ", "%20"))
    card = card_of((await triage_card(teams)).body)
    shown = json.dumps(card)
    assert "1 attachment from the requester (not re-shared)" in shown and "vpn-log.txt" in shown
    everything = json.dumps([c.body for c in teams.connector.calls], default=str) + json.dumps(ticket.attachments[0].to_dict())
    assert "tempauth" not in everything  # the pre-authorised link is neither stored nor shown


async def test_a_pasted_image_is_kept_by_type_without_the_bots_own_link(teams) -> None:  # type: ignore[no-untyped-def]
    ticket = await file_only(teams, pasted_image(), id="img1")
    assert [(a.name, a.mime_type, a.url) for a in ticket.attachments] == [("an image", "image/png", "")]


async def test_the_evidence_card_lists_the_files(teams) -> None:  # type: ignore[no-untyped-def]
    ticket = await file_only(teams, [file_attachment()])
    post = await escalate(teams, ticket)
    assert "1 attachment from the requester (not re-shared)" in json.dumps(card_of(post.body))


async def test_an_agent_sets_the_priority_from_the_triage_card_once_even_on_a_double_click(teams) -> None:  # type: ignore[no-untyped-def]
    ticket = await file_only(teams, [file_attachment()])
    card = card_of((await triage_card(teams)).body)
    choice = next(e for e in card["body"] if e.get("type") == "Input.ChoiceSet")
    assert choice["value"] == "normal"
    data = submits(card)["priority"]
    for _ in range(2):
        await teams.click(data, ANA, "triage-1", f"{TRIAGE};messageid=triage-1", "channel", priority_choice="high")
    updates = await teams.connector.wait_for("update", 2)
    first, second = (json.dumps(card_of(u.body)) for u in updates[-2:])
    assert "set the priority" in first and "already high" in second
    assert '"value": "high"' in second  # the picker shows the ticket's priority now
    assert (await teams.desk.tickets.get(ticket.id)).priority == Priority.HIGH
    audit = [e for e in await teams.desk.audit.list() if e.action == "priority_set"]
    assert [(e.who, e.detail) for e in audit] == [("ana", "normal -> high")]


async def test_a_requester_cannot_set_a_priority(teams) -> None:  # type: ignore[no-untyped-def]
    ticket = await file_only(teams, [file_attachment()])
    data = submits(card_of((await triage_card(teams)).body))["priority"]
    await teams.click(data, EMP, "triage-1", f"{TRIAGE};messageid=triage-1", "channel", priority_choice="urgent")
    refused = await teams.connector.wait_for("posted", where=lambda c: "Only an agent" in c.body.get("text", ""))
    assert refused and (await teams.desk.tickets.get(ticket.id)).priority == Priority.NORMAL
