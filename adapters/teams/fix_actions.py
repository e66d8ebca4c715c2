"""Buttons of a requester told that a fix shipped: That solved it, Still happening."""

from __future__ import annotations

from botbuilder.core import TurnContext

from adapters.teams import cards
from adapters.teams.cards import Card
from adapters.teams.ids import PLATFORM, Action
from adapters.teams.submits import Submit
from core.desk import Desk


async def on_fix_answer(tc: TurnContext, s: Submit, desk: Desk, user: str) -> Card:
    """That solved it resolves the ticket as fixed; Still happening sends it back to the owner."""
    await desk.ticket_for(s.ticket, user, PLATFORM)
    if s.action == Action.FIX_SOLVED:
        await desk.fix_solved(s.ticket, user, PLATFORM)
        return cards.closed(f"Ticket {s.ticket}", f"Thanks: {s.ticket} is resolved as fixed.")
    await desk.fix_still_happening(s.ticket, user, PLATFORM)
    note = f"Thanks for telling us: {s.ticket} goes back to the owning team."
    return cards.closed(f"Ticket {s.ticket}", note)
