"""The priority picker of the Teams triage card: a choice set and *Set priority*, acted on per change.

Not a spent-once button: an agent may change the priority again from the same card. Choosing the priority
the ticket already has (a double click, a replayed activity) changes nothing in core and writes no second
audit entry. The card is replaced in place by the triage card as it stands now.
"""

from __future__ import annotations

from botbuilder.core import TurnContext

from adapters.teams import cards
from adapters.teams.escape import md
from adapters.teams.ids import PLATFORM, Input
from adapters.teams.submits import Submit
from core.desk import Desk
from core.priority import SetPriority


async def on_priority(tc: TurnContext, s: Submit, desk: Desk, user: str) -> cards.Card:
    """An agent sets the priority from the triage card; the card shows it and who set it."""
    chosen = s.values.get(Input.PRIORITY, "")
    result = await desk.set_priority(SetPriority(s.ticket, chosen, user, platform=PLATFORM))
    sender = tc.activity.from_property
    name = md((sender.name if sender else None) or user)
    t = result.ticket
    if result.changed:
        done = f"{name} set the priority of {t.id} to {t.priority} (was {result.before})."
    else:
        done = f"{t.id} is already {t.priority} priority; nothing changed."
    return cards.triage(await desk.triage_context(t.id), "priority set", done=done)
