"""The intake's look at what else is open: a duplicate to join, or an incident to open or grow."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from core import duplicates, incident_flow
from core.incidents import Incident, IncidentRules, IncidentUnitOfWork
from core.messages import LogRequest, Reply
from core.ports import UnitOfWork


async def check(
    cmd: LogRequest, reply: Reply, *, uow: UnitOfWork, rules: IncidentRules | None, now: datetime
) -> tuple[Reply | None, Incident | None]:
    """(the reply of the open ticket it joined, None) or (None, the incident it belongs to, if any)."""
    if rules is None or not hasattr(uow, "incidents"):  # not configured, or a store without incidents
        return None, None
    spiked = cast(IncidentUnitOfWork, uow)
    weights = await rules.word_weights(spiked.incidents, now)  # kept a minute; both questions use it
    joined = await duplicates.join_open(cmd, reply, uow=spiked, rules=rules, now=now, weights=weights)
    if joined is not None:
        return joined, None
    found = await incident_flow.on_new_ticket(reply.ticket, uow=spiked, rules=rules, now=now, weights=weights)
    return None, found
