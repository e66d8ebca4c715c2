"""Slack over signed HTTP: a file alone is a request, kept as a reference and shown (not re-shared) in the
triage and evidence posts; the triage post's priority picker sets the priority once per change."""

from __future__ import annotations

import json
import time

import pytest

from core.tickets import Priority
from tests.slack_fake import ANA, EMPLOYEE, TEAM, harness, text_of
from tests.slack_support import escalate

PERMALINK = "https://acme.slack.com/files/U0EMP/F0SCREEN1/vpn-error.png"
PRIVATE = "https://files.slack.com/files-pri/T0ACME-F0SCREEN1/vpn-error.png"


def screenshot(**extra: object) -> dict[str, object]:
    """A file object as a file_share message event carries it (Slack's documented fields)."""
    return {
        "id": "F0SCREEN1",
        "created": 1700000000,
        "timestamp": 1700000000,
        "name": "vpn-error.png",
        "title": "vpn-error.png",
        "mimetype": "image/png",
        "filetype": "png",
        "pretty_type": "PNG",
        "user": EMPLOYEE,
        "user_team": TEAM,
        "size": 48213,
        "mode": "hosted",
        "is_external": False,
        "is_public": False,
        "url_private": PRIVATE,
        "url_private_download": PRIVATE.replace("files-pri/T0ACME-F0SCREEN1/", "files-pri/T0ACME-F0SCREEN1/download/"),
        "permalink": PERMALINK,
        "permalink_public": "https://slack-files.com/T0ACME-F0SCREEN1-0ce8936320",
        **extra,
    }


def file_share(ts: str, files: list[dict[str, object]], text: str = "") -> dict[str, object]:
    """A DM with files, as the message.im event delivers it."""
    return {
        "type": "message",
        "subtype": "file_share",
        "text": text,
        "files": files,
        "upload": True,
        "user": EMPLOYEE,
        "display_as_bot": False,
        "ts": ts,
        "channel": "D0EMP",
        "channel_type": "im",
        "event_ts": ts,
    }


@pytest.fixture
async def slack(engine, db_url):  # type: ignore[no-untyped-def]
    async with harness(db_url) as h:
        yield h


async def file_only_ticket(slack, ts: str = "1700000000.000200"):  # type: ignore[no-untyped-def]
    response = await slack.event(file_share(ts, [screenshot()]))
    assert response.status == 200
    await slack.fake.wait_for("chat.postMessage", where=lambda p: p.get("thread_ts") == ts)
    return await slack.desk.find_thread(f"slack:D0EMP:{ts}")


async def test_a_screenshot_alone_opens_a_ticket_and_the_triage_post_names_it_without_resharing(slack) -> None:  # type: ignore[no-untyped-def]
    ticket = await file_only_ticket(slack)
    assert ticket is not None and ticket.text == "(sent 1 file: vpn-error.png)"
    [file] = ticket.attachments
    assert (file.name, file.mime_type, file.size, file.file_id, file.url) == (
        "vpn-error.png", "image/png", 48213, "F0SCREEN1", PERMALINK,
    )
    triage = (await slack.fake.wait_for("chat.postMessage", where=lambda p: p["channel"] == "C0TRIAGE"))[0]
    shown = text_of(triage)
    assert "1 attachment from the requester (not re-shared)" in shown
    assert f"<{PERMALINK}|vpn-error.png (image/png, 47 KB)>" in shown
    assert PRIVATE not in json.dumps(slack.fake.calls, default=str)  # the download link is never used
    assert not [c for c in slack.fake.calls if c.method.startswith("files.")]  # nothing re-uploaded


async def test_a_slack_connect_file_without_details_is_kept_by_its_id(slack) -> None:  # type: ignore[no-untyped-def]
    partial = {"id": "F12345678", "mode": "file_access", "file_access": "check_file_info", "created": 0,
               "timestamp": 0, "user": ""}
    await slack.event(file_share("1700000000.000300", [partial]))
    ticket = await slack.eventually(lambda: slack.desk.find_thread("slack:D0EMP:1700000000.000300"))
    assert [(a.name, a.url) for a in ticket.attachments] == [("file F12345678", "")]


async def test_the_evidence_post_lists_the_files_too(slack) -> None:  # type: ignore[no-untyped-def]
    ticket = await file_only_ticket(slack)
    post = await escalate(slack, ticket)
    assert "1 attachment from the requester (not re-shared)" in text_of(post)


def picked(ticket_id: str, priority: str, user: str) -> dict[str, object]:
    """A block_actions payload for the static select of the triage post."""
    return {
        "type": "block_actions",
        "user": {"id": user, "team_id": TEAM},
        "trigger_id": "trig.select",
        "channel": {"id": "C0TRIAGE"},
        "container": {"type": "message", "message_ts": "1800000000.000001", "channel_id": "C0TRIAGE"},
        "message": {"ts": "1800000000.000001", "blocks": []},
        "response_url": "",
        "actions": [
            {
                "type": "static_select",
                "action_id": "fixloop.priority",
                "block_id": "fixloop.actions",
                "selected_option": {
                    "text": {"type": "plain_text", "text": f"{priority.capitalize()} priority"},
                    "value": f"{ticket_id}:{priority}",
                },
                "action_ts": f"{time.time():.6f}",
            }
        ],
    }


async def pick(slack, ticket_id: str, priority: str, user: str):  # type: ignore[no-untyped-def]
    payload = picked(ticket_id, priority, user)
    payload["response_url"] = slack.fake.response_url("select")
    before = len(slack.fake.of("response_url"))
    assert (await slack.interact(payload)).status == 200
    return (await slack.fake.wait_for("response_url", before + 1))[-1]


async def test_an_agent_sets_the_priority_from_the_triage_post_once_even_on_a_double_click(slack) -> None:  # type: ignore[no-untyped-def]
    ticket = await file_only_ticket(slack)
    triage = (await slack.fake.wait_for("chat.postMessage", where=lambda p: p["channel"] == "C0TRIAGE"))[0]
    select = next(e for b in triage["blocks"] if b["type"] == "actions" for e in b["elements"]
                  if e["action_id"] == "fixloop.priority")
    assert select["initial_option"]["value"] == f"{ticket.id}:normal"
    first = await pick(slack, ticket.id, "urgent", ANA)
    second = await pick(slack, ticket.id, "urgent", ANA)
    assert "set the priority" in first["text"] and "already urgent" in second["text"]
    stored = await slack.desk.tickets.get(ticket.id)
    assert stored.priority == Priority.URGENT
    audit = [e for e in await slack.desk.audit.list() if e.action == "priority_set"]
    assert [(e.who, e.detail) for e in audit] == [("ana", "normal -> urgent")]


async def test_someone_without_the_agent_role_is_refused_and_nothing_changes(slack) -> None:  # type: ignore[no-untyped-def]
    ticket = await file_only_ticket(slack)
    answer = await pick(slack, ticket.id, "urgent", EMPLOYEE)
    assert "Only an agent" in answer["text"]
    assert (await slack.desk.tickets.get(ticket.id)).priority == Priority.NORMAL
    assert not [e for e in await slack.desk.audit.list() if e.action == "priority_set"]


async def test_a_forged_picker_value_gets_a_clear_message(slack) -> None:  # type: ignore[no-untyped-def]
    answer = await pick(slack, "not-a-ticket", "urgent", ANA)
    assert "not one Fixloop made" in answer["text"]
