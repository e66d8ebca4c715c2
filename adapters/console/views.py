"""Helpers the pages share: the period asked for, local times, figures as text, ticket rows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from aiohttp import web

from adapters.chat_links import thread_url
from adapters.console.tables import Cell, Table
from core.digest_text import fmt
from core.links import is_plain_link
from core.periods import Period, parse_period

SURFACE_NAMES = {"internal": "Internal", "external": "External", "total": "Total"}


@dataclass(frozen=True)
class Chosen:
    """The period a page shows, as the form and the previous/next links need it."""

    period: Period
    timezone: str

    def local(self, at: datetime) -> datetime:
        """A UTC instant in the organisation's time zone."""
        return at.astimezone(ZoneInfo(self.timezone))

    @property
    def label(self) -> str:
        """E.g. "Mon 9 Nov 2026 - Sun 15 Nov 2026 (Europe/Berlin)"."""
        start, last = self.local(self.period.start), self.local(self.period.end) - timedelta(seconds=1)
        return f"{start:%a %-d %b %Y} - {last:%a %-d %b %Y} ({self.timezone})"

    def query(self, k: int = 0) -> str:
        """?from=...&to=... of this period shifted k periods back (negative: forward)."""
        p = self.period.shifted(k)
        return "?" + urlencode(
            {"from": self.local(p.start).date().isoformat(), "to": self.local(p.end).date().isoformat()}
        )

    @property
    def form_from(self) -> str:
        return self.local(self.period.start).date().isoformat()

    @property
    def form_to(self) -> str:
        return self.local(self.period.end).date().isoformat()


def chosen_period(request: web.Request, now: datetime, timezone: str) -> Chosen:
    """The period of ?from=&to= (dates in the configured zone), else the last full week."""
    q = request.query
    return Chosen(parse_period(q.get("from") or None, q.get("to") or None, now, timezone), timezone)


def figure(unit: str, value: Any, key: str) -> Cell:
    """A KPI figure: shown as a leader reads it, `value` exactly as `fixloop kpis --json` prints it."""
    exact = round(value, 4) if isinstance(value, float) else value
    return Cell(fmt(unit, value), exact, numeric=True, key=key)


def web_link(url: str | None) -> str | None:
    """A tracker link only when it is a plain http(s) URL (core/links.py: a javascript: URL is never one)."""
    return url if url and is_plain_link(url) else None


def when(chosen: Chosen, at: datetime | None) -> str:
    """A local time for a table."""
    return chosen.local(at).strftime("%Y-%m-%d %H:%M") if at else ""


def ticket_table(name: str, title: str, rows: Sequence[Any], chosen: Chosen, note: str = "") -> Table:
    """Tickets with links back to their Slack or Teams threads."""
    table = Table(
        name,
        title,
        ["Ticket", "Created", "Surface", "Status", "Priority", "Agent", "Cause", "Subject", "Thread"],
        note=note,
    )
    for r in rows:
        url = thread_url(r.platform, dict(r.chat or {}))
        place = {"slack": "Open in Slack", "teams": "Open in Teams"}.get(r.platform, "")
        table.add(
            Cell(r.id, r.id, key=f"ticket.{r.id}"),
            Cell(when(chosen, r.created_at), r.created_at.isoformat()),
            r.surface,
            r.status,
            r.priority,
            r.agent or "",
            Cell(r.cause_key or "", r.cause_key, href=f"/app/causes/{r.cause_key}" if r.cause_key else None),
            r.subject,
            Cell(place if url else "", url or "", href=url),
        )
    return table
