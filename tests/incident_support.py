"""Shared by the incident tests: a deployment's history (sample tickets) and one outage's reports."""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path
from typing import Any

from core.tickets import Resolution, Status, Surface, Ticket

ROOT = Path(__file__).resolve().parent.parent
OUTAGE = [
    "VPN is down, I cannot connect to the VPN at all",
    "The VPN is down for me too, cannot connect",
    "cannot connect to the VPN, is it down?",
    "VPN is down, connect fails every time",
    "Is the VPN down? I can't connect since a few minutes",
    "VPN is down again, cannot connect from home",
]


def history(limit: int = 60) -> list[Ticket]:
    """Resolved tickets from samples/tickets.csv, months old: what a deployment has seen before."""
    with (ROOT / "samples" / "tickets.csv").open(newline="", encoding="utf-8") as f:
        rows = [row for _, row in zip(range(limit), csv.DictReader(f), strict=False)]
    return [_ticket(row) for row in rows]


def _ticket(row: dict[str, Any]) -> Ticket:
    at = datetime.fromisoformat(row["created_at"].replace("Z", "+00:00"))
    return Ticket(
        id=row["id"],
        surface=Surface(row["surface"]),
        created_at=at,
        requester=row["requester"],
        subject=row["subject"],
        text=row["text"],
        status=Status.RESOLVED,
        resolved_at=at,
        resolution=Resolution.AGENT,
    )


async def seed_history(desk: Any) -> None:
    """Store the history, so words are weighed by a real mix of requests."""
    for ticket in history():
        await desk.tickets.save(ticket)
