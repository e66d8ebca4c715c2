"""SqlEscalationRepository: escalations with their evidence bundle stored as JSON."""

from __future__ import annotations

from typing import Any

from sqlalchemy import RowMapping, select, update

from adapters.db._sql import SqlRepository, affected, check_version, plain, upsert
from adapters.db.tables import EscalationRow, table_of
from core.escalation import Escalation, Evidence
from core.tickets import Judgement

ESCALATIONS = table_of(EscalationRow)


def escalation_values(escalation: Escalation) -> dict[str, Any]:
    """The escalations-table row of an escalation."""
    return {
        "id": escalation.id,
        "ticket_id": escalation.ticket_id,
        "from_agent": escalation.from_agent,
        "to_team": escalation.to_team,
        "reason": escalation.reason,
        "created_at": escalation.created_at,
        "evidence": escalation.evidence.to_dict(),
        "suggested_team": escalation.suggested_team,
        "judgement": plain(escalation.judgement),
        "judged_at": escalation.judged_at,
        "judged_by": escalation.judged_by,
    }


def to_escalation(row: RowMapping) -> Escalation:
    """A core Escalation from an escalations-table row."""
    values = dict(row)
    values.update(
        evidence=Evidence.from_dict(row["evidence"]),
        judgement=None if row["judgement"] is None else Judgement(row["judgement"]),
    )
    return Escalation(**values)


class SqlEscalationRepository(SqlRepository):
    """Escalations; `save` is an upsert by id."""

    async def get(self, escalation_id: str) -> Escalation | None:
        """Fetch an escalation by its id."""
        async with self._reading() as session:
            stmt = select(ESCALATIONS).where(ESCALATIONS.c.id == escalation_id)
            row = (await session.execute(stmt)).mappings().first()
        return to_escalation(row) if row else None

    async def save(self, escalation: Escalation) -> None:
        """Insert a new escalation (version 0); update one read here if unchanged since, else Conflict."""
        values, esc = escalation_values(escalation), escalation
        async with self._writing() as session:
            if esc.version == 0:
                await upsert(session, ESCALATIONS, {**values, "version": 1}, ["id"])
            else:
                stmt = (
                    update(ESCALATIONS)
                    .where(ESCALATIONS.c.id == esc.id, ESCALATIONS.c.version == esc.version)
                    .values(**values, version=esc.version + 1)
                )
                check_version(await affected(session, stmt), f"escalation {esc.id}")
        if esc.version:  # one built elsewhere stays unversioned: saving it again overwrites again
            esc.version += 1

    async def list(self, *, ticket_id: str | None = None) -> list[Escalation]:
        """Escalations, of one ticket if given, oldest first."""
        stmt = select(ESCALATIONS).order_by(ESCALATIONS.c.created_at, ESCALATIONS.c.id)
        if ticket_id is not None:
            stmt = stmt.where(ESCALATIONS.c.ticket_id == ticket_id)
        async with self._reading() as session:
            rows = (await session.execute(stmt)).mappings().all()
        return [to_escalation(row) for row in rows]
