"""Tables of incidents (imported by adapters/db/tables.py, so they share its metadata)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Field, SQLModel

from adapters.db.tables import _json, _text, _version, _when


class IncidentRow(SQLModel, table=True):
    """One incident; `open_key` is its cause while it is open, so a cause has one open incident at most."""

    __tablename__ = "incidents"

    id: str = Field(primary_key=True)
    cause_key: str = Field(index=True)
    open_key: str | None = Field(default=None, unique=True)
    title: str = _text()
    owner: str | None = None
    status: str = "open"
    opened_at: datetime = _when(nullable=False, index=True)
    resolved_at: datetime | None = _when()
    resolved_by: str | None = None
    version: int = _version()


class IncidentTicketRow(SQLModel, table=True):
    """A ticket of an incident (a ticket belongs to one incident at most)."""

    __tablename__ = "incident_tickets"

    ticket_id: str = Field(primary_key=True)
    incident_id: str = Field(index=True)
    requester: str
    linked_at: datetime = _when(nullable=False)
    told_at: datetime | None = _when()


class IncidentPostRow(SQLModel, table=True):
    """Where an incident's post went on a platform, so later reports update it instead of posting again."""

    __tablename__ = "incident_posts"

    incident_id: str = Field(primary_key=True)
    place: str = Field(primary_key=True)  # "slack:C0TRIAGE", "teams:19:...@thread.tacv2"
    ref: dict[str, Any] = _json(dict)
