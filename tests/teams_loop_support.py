"""Drive the Teams loop with raw activities: open a ticket, say something in a channel, escalate."""

from __future__ import annotations

from tests.teams_fake import (
    ANA,
    DM,
    NETWORK,
    TRIAGE,
    card_of,
    mention_bot,
    message,
    submits,
)

VPN = "VPN disconnects every few minutes since this morning"


async def open_ticket(teams, text: str = VPN, id: str = "m1"):  # type: ignore[no-untyped-def]
    """A personal message that became a ticket, and the bot's first reply."""
    await teams.post(message(text, id=id))
    reply = (await teams.connector.wait_for("reply", where=lambda c: c.activity_id == id))[0]
    return await teams.desk.find_thread(f"teams:{DM};messageid={id}"), reply


async def say(teams, text: str, user: str, channel: str = TRIAGE, id: str = "t1"):  # type: ignore[no-untyped-def]
    """An @mention of the bot in a channel's reply chain; returns the bot's answer."""
    before = len(teams.connector.posted())
    activity = message(
        f"<at>Fixloop</at> {text}",
        user,
        f"{channel};messageid={id}",
        "channel",
        id=id,
        entities=mention_bot(),
    )
    await teams.post(activity)
    return (await teams.connector.wait_for("posted", before + 1))[-1]


def channel_click(teams, data, user, card_id, channel=NETWORK, **values):  # type: ignore[no-untyped-def]
    return teams.click(data, user, card_id, f"{channel};messageid={card_id}", "channel", **values)


async def escalate(teams, ticket):  # type: ignore[no-untyped-def]
    """`escalate` typed by an agent, then the form submitted as pre-filled; returns the evidence card's post."""
    form = card_of((await say(teams, f"escalate {ticket.id} the certificate looks expired", ANA)).body)
    team, reason = form["body"][2]["value"], form["body"][3]["value"]
    data = submits(form)["escalate_submit"]
    await channel_click(teams, data, ANA, "form-1", TRIAGE, team=team, reason=reason)
    return (await teams.connector.wait_for("posted", where=lambda c: c.conversation == NETWORK))[0]
