"""Buttons of incidents and duplicates on Teams: Resolve incident, and Link on a triage card."""

from __future__ import annotations

from botbuilder.core import TurnContext

from adapters.teams import incident_cards
from adapters.teams.cards import Card
from adapters.teams.escape import md
from adapters.teams.ids import PLATFORM
from adapters.teams.submits import Submit
from core.agent_commands import AgentCommand, Verb
from core.desk import Desk


async def on_resolve_incident(tc: TurnContext, s: Submit, desk: Desk, user: str) -> Card:
    """An agent resolves the incident: the card shows it, everyone linked is asked once."""
    await desk.resolve_incident(s.ticket, user, PLATFORM)
    incident, tickets = await desk.incident_view(s.ticket)
    return incident_cards.incident(incident, tickets)


async def on_link(tc: TurnContext, s: Submit, desk: Desk, user: str) -> None:
    """An agent links the triage card's ticket with a similar open one (again: no change)."""
    cmd = AgentCommand(Verb.LINK, s.ticket, other=s.values.get("other"))
    done = await desk.front_line(cmd, user, PLATFORM)
    await tc.send_activity(md(done.text))
