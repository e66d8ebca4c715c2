"""SqlIncidentRepository: incidents with their tickets, and where their posts went."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import RowMapping, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from adapters.db._sql import affected, check_version, upsert
from adapters.db.gists import SqlGistReads
from adapters.db.incident_tables import IncidentPostRow, IncidentRow, IncidentTicketRow
from adapters.db.tables import table_of
from core.errors import Conflict
from core.incidents import OPEN, Incident, IncidentLink

INCIDENTS, LINKS = table_of(IncidentRow), table_of(IncidentTicketRow)
POSTS = table_of(IncidentPostRow)


def incident_values(incident: Incident) -> dict[str, Any]:
    """The incidents-table row of an incident."""
    return {
        "id": incident.id,
        "cause_key": incident.cause_key,
        "open_key": incident.cause_key if incident.is_open else None,
        "title": incident.title,
        "owner": incident.owner,
        "status": incident.status,
        "opened_at": incident.opened_at,
        "resolved_at": incident.resolved_at,
        "resolved_by": incident.resolved_by,
    }


class SqlIncidentRepository(SqlGistReads):
    """Incidents; an open one per cause (a unique key), updated with a version check.

    It also reads the gists of tickets the incident and duplicate checks compare (SqlGistReads).
    """

    async def get(self, incident_id: str) -> Incident | None:
        """Fetch an incident with its tickets."""
        found = await self._where(INCIDENTS.c.id == incident_id)
        return found[0] if found else None

    async def open_for_cause(self, cause_key: str) -> Incident | None:
        """The open incident of a cause, if any."""
        found = await self._where(INCIDENTS.c.open_key == cause_key)
        return found[0] if found else None

    async def of_cause(self, cause_key: str) -> list[Incident]:
        """Every incident of a cause, oldest first."""
        return await self._where(INCIDENTS.c.cause_key == cause_key)

    async def list_open(self) -> list[Incident]:
        """The open incidents, oldest first."""
        return await self._where(INCIDENTS.c.status == OPEN)

    async def open_heads(self, per: int) -> list[tuple[str, list[str]]]:
        """Each open incident (oldest first) with its newest `per` reports' ticket ids (in link order)."""
        i, link = INCIDENTS.c, LINKS.c
        rank = func.row_number().over(
            partition_by=link.incident_id, order_by=(link.linked_at.desc(), link.ticket_id.desc())
        )
        ranked = (
            select(i.id, i.opened_at, link.ticket_id, link.linked_at, rank.label("n"))
            .join(LINKS, link.incident_id == i.id)
            .where(i.status == OPEN)
            .subquery()
        )
        stmt = select(ranked).where(ranked.c.n <= per)
        async with self._reading() as session:
            rows = (await session.execute(stmt)).mappings().all()
        heads: dict[str, list[str]] = {}
        for row in sorted(rows, key=lambda r: (r["opened_at"], r["id"], r["linked_at"], r["ticket_id"])):
            heads.setdefault(row["id"], []).append(row["ticket_id"])
        return list(heads.items())

    async def linked(self, ticket_ids: Sequence[str]) -> set[str]:
        """Which of these tickets belong to an incident already."""
        if not ticket_ids:
            return set()
        async with self._reading() as session:
            stmt = select(LINKS.c.ticket_id).where(LINKS.c.ticket_id.in_(list(ticket_ids)))
            return set((await session.execute(stmt)).scalars())

    async def add(self, incident: Incident) -> None:
        """Insert a new incident; Conflict when its cause has an open one (another worker opened it)."""
        async with self._writing() as session:
            try:
                async with session.begin_nested():  # the unique key refuses the second opener
                    await session.execute(
                        insert(INCIDENTS).values({**incident_values(incident), "version": 1})
                    )
            except IntegrityError as exc:
                raise Conflict(f"cause {incident.cause_key} got an open incident meanwhile") from exc
            await self._insert_links(session, incident, set())
        incident.version = 1

    async def save(self, incident: Incident) -> None:
        """Update an incident read here if unchanged since (else Conflict); new links are inserted."""
        async with self._writing() as session:
            stmt = (
                update(INCIDENTS)
                .where(INCIDENTS.c.id == incident.id, INCIDENTS.c.version == incident.version)
                .values(**incident_values(incident), version=incident.version + 1)
            )
            check_version(await affected(session, stmt), f"incident {incident.id}")
            rows = (await session.execute(select(LINKS).where(LINKS.c.incident_id == incident.id))).mappings()
            stored = {row["ticket_id"]: row["told_at"] for row in rows}
            await self._insert_links(session, incident, set(stored))
            for link in incident.links:
                if link.ticket_id in stored and link.told_at != stored[link.ticket_id]:
                    told = (
                        update(LINKS).where(LINKS.c.ticket_id == link.ticket_id).values(told_at=link.told_at)
                    )
                    await session.execute(told)
        incident.version += 1

    async def _insert_links(self, session: Any, incident: Incident, stored: set[str]) -> None:
        new = [link for link in incident.links if link.ticket_id not in stored]
        if new:
            rows = [{"incident_id": incident.id, **vars(link)} for link in new]
            await session.execute(insert(LINKS), rows)

    async def _where(self, condition: Any) -> list[Incident]:
        async with self._reading() as session:
            stmt = select(INCIDENTS).where(condition).order_by(INCIDENTS.c.opened_at, INCIDENTS.c.id)
            rows = (await session.execute(stmt)).mappings().all()
            ids = [row["id"] for row in rows]
            found = (
                select(LINKS)
                .where(LINKS.c.incident_id.in_(ids))
                .order_by(LINKS.c.linked_at, LINKS.c.ticket_id)
            )
            links = (await session.execute(found)).mappings().all() if ids else []
        return [_incident(row, [link for link in links if link["incident_id"] == row["id"]]) for row in rows]

    async def post_ref(self, incident_id: str, place: str) -> dict[str, str] | None:
        """Where the incident's post went in a place, if it was posted there."""
        async with self._reading() as session:
            stmt = select(POSTS.c.ref).where(POSTS.c.incident_id == incident_id, POSTS.c.place == place)
            ref = (await session.execute(stmt)).scalar()
        return dict(ref) if ref else None

    async def remember_post(self, incident_id: str, place: str, ref: dict[str, str]) -> None:
        """Keep where the incident's post went in a place."""
        async with self._writing() as session:
            await upsert(
                session,
                POSTS,
                {"incident_id": incident_id, "place": place, "ref": ref},
                ["incident_id", "place"],
            )


def _incident(row: RowMapping, links: Sequence[RowMapping]) -> Incident:
    values = {
        k: row[k]
        for k in ("id", "cause_key", "title", "owner", "status", "opened_at", "resolved_at", "resolved_by")
    }
    kept = [
        IncidentLink(link["ticket_id"], link["requester"], link["linked_at"], link["told_at"])
        for link in links
    ]
    return Incident(**values, links=kept, version=row["version"])
