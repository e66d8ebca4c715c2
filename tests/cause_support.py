"""Labelled ticket texts for the cause engine's tests (and the scheduler's re-clustering test)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from core.tickets import Surface, Ticket

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
TOPICS = {
    "vpn": ["vpn fails to connect", "vpn keeps dropping", "vpn client error on connect", "cannot connect to vpn",
            "vpn disconnects every hour", "vpn connection drops at home", "vpn will not connect today"],
    "pwd": ["forgot my password", "password reset link expired", "need a password reset",
            "password expired cannot log in", "reset my password please", "password reset email missing"],
    "prn": ["printer paper jam", "printer jammed again", "printer offline on floor 3", "cannot print printer offline",
            "printer shows paper jam", "paper jam in printer tray"],
}


def ticket(i: int, text: str, cause: str | None = None, surface: Surface = Surface.INTERNAL) -> Ticket:
    return Ticket(id=f"T{i:03d}", surface=surface, created_at=T0 + timedelta(minutes=i), subject=text, text="",
                  cause_key=cause)
