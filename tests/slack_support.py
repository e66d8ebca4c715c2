"""Slack steps several test modules take: filling a form, escalating a ticket through the modal."""

from __future__ import annotations

from tests.slack_fake import ANA


def typed(value: str) -> dict:
    """A plain text input as a submitted view carries it."""
    return {"type": "plain_text_input", "value": value}


def picked(value: str) -> dict:
    """A static select as a submitted view carries it."""
    return {"type": "static_select", "selected_option": {"value": value}}


async def escalate(slack, ticket):
    """/escalate by an agent, then submit the modal as pre-filled; returns the escalation post."""
    await slack.command("/escalate", f"{ticket.id} the certificate looks expired", ANA)
    view = (await slack.fake.wait_for("views.open"))[0]["view"]
    team = next(b for b in view["blocks"] if b.get("block_id") == "team")["element"]["initial_option"][
        "value"
    ]
    reason = next(b for b in view["blocks"] if b.get("block_id") == "reason")["element"]["initial_value"]
    response = await slack.submit(view, ANA, {"team": picked(team), "reason": typed(reason)})
    assert response.status == 200
    post = await slack.fake.wait_for("chat.postMessage", where=lambda p: p["channel"] == "C0NETWORK")
    return {**post[0], "ts": "1800000000.999999"}
