"""sla_breach_rate: the share of SLA deadlines that passed unmet, per target, exactly as README defines it.

Over tickets created in P whose deadline for the target fell before `end` (deadlines are stored on the
ticket when its clocks start, core/sla.py), the share not met by their deadline: the target's stamp
(core.sla.met_at) is empty or later than the deadline. A ticket that never waited on a person has no
deadline and is not counted. adapters/db/kpi_sql_sla.py computes the same in SQL.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from core.periods import Period
from core.sla import Target, due_at, met_at
from core.stats import ratio
from core.tickets import Ticket

SLA_KPI_KEYS = ("sla_breach_rate",)


def breached(ticket: Ticket, target: Target) -> bool:
    """The deadline passed without the target being met (met exactly at the deadline is met)."""
    due, met = due_at(ticket, target), met_at(ticket, target)
    return due is not None and (met is None or met > due)


def breach_rate(tickets: Sequence[Ticket], period: Period, target: Target) -> float | None:
    """Of tickets created in P whose deadline is before end, the share that breached it."""
    counted = [
        t
        for t in tickets
        if period.contains(t.created_at) and (due := due_at(t, target)) is not None and due < period.end
    ]
    return ratio(sum(1 for t in counted if breached(t, target)), len(counted))


def sla_figures(tickets: Sequence[Ticket], period: Period) -> dict[str, Any]:
    """The SLA KPIs of one scope."""
    return {"sla_breach_rate": {str(target): breach_rate(tickets, period, target) for target in Target}}
