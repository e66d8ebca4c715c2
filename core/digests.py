"""The weekly digest as a platform-neutral document: KPIs with their change, top causes, wins."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from core.causes import Cause, RankedCause, rank_causes
from core.kpis import KpiReport, Period, compute_kpis
from core.org import Org
from core.tickets import Ticket

# The KPIs a leader reads first, with how each is shown and whether up is good.
HEADLINE: tuple[tuple[str, str | None, str, bool], ...] = (
    ("repeat_cause_rate", None, "Repeat-cause rate", False),
    ("ticket_to_fix_conversion", None, "Ticket-to-fix conversion", True),
    ("time_to_root_cause_hours", "median", "Time to root cause, median (h)", False),
    ("escalation_accuracy", None, "Escalation accuracy", True),
    ("deflection_by_root_cause_elimination", None, "Tickets prevented by fixes", True),
    ("bot_deflection", None, "Solved by an article", True),
    ("first_response_minutes", "median", "First human response, median (min)", False),
    ("resolution_hours", "median", "Resolution, median (h)", False),
    ("first_contact_resolution", None, "First-contact resolution", True),
    ("reopen_rate", None, "Reopen rate", False),
    ("csat", "mean", "CSAT mean (1-5)", True),
)
RATES = {
    "repeat_cause_rate",
    "ticket_to_fix_conversion",
    "escalation_accuracy",
    "first_contact_resolution",
    "reopen_rate",
}


@dataclass(frozen=True)
class Line:
    label: str
    key: str
    now: dict[str, Any]  # surface -> value
    before: dict[str, Any]
    up_is_good: bool


@dataclass
class Digest:
    period: Period
    kpis: KpiReport
    previous: KpiReport
    lines: list[Line]
    top_causes: list[RankedCause]
    cross_surface: list[RankedCause]
    wins: list[str] = field(default_factory=list)
    timezone: str = "UTC"

    def to_text(self) -> str:
        """The digest as plain text, for the console and chat fallbacks."""
        from core.digest_text import render_text

        return render_text(self)


def _pick(report: dict[str, Any], key: str, sub: str | None) -> Any:
    value = report.get(key)
    return value.get(sub) if sub and isinstance(value, dict) else value


def compose_digest(
    tickets: Sequence[Ticket],
    causes: Sequence[Cause],
    period: Period,
    *,
    org: Org,
    now: datetime,
    top: int = 5,
) -> Digest:
    """Compose the digest for a period from the ticket ledger and the causes."""
    kpis = compute_kpis(tickets, causes, period, sla_hours=org.sla_for)
    previous = compute_kpis(tickets, causes, period.shifted(1), sla_hours=org.sla_for)
    lines = []
    for key, sub, label, up_is_good in HEADLINE:
        now_v = {s: _pick(getattr(kpis, s), key, sub) for s in ("total", "internal", "external")}
        before_v = {s: _pick(getattr(previous, s), key, sub) for s in ("total", "internal", "external")}
        lines.append(Line(label=label, key=key, now=now_v, before=before_v, up_is_good=up_is_good))
    window = period.shifted(3).start
    recent = [t for t in tickets if window <= t.created_at < period.end]
    ranked = rank_causes(causes, recent, now=min(now, period.end), weights=org.weights)
    return Digest(
        period=period,
        kpis=kpis,
        previous=previous,
        lines=lines,
        top_causes=ranked[:top],
        cross_surface=[r for r in ranked if r.cross_surface][:top],
        wins=_wins(kpis, causes, period),
        timezone=org.timezone,
    )


def _wins(kpis: KpiReport, causes: Sequence[Cause], period: Period) -> list[str]:
    wins = []
    reuse = kpis.total.get("knowledge_reuse") or {}
    for article_id, count in sorted((reuse.get("by_article") or {}).items(), key=lambda kv: (-kv[1], kv[0])):
        if count >= 10:
            wins.append(f"Article {article_id} solved {count} tickets on its own.")
    prevented = kpis.total.get("deflection_by_root_cause_elimination")
    shipped = [c for c in causes if c.fix_shipped_at and c.fix_shipped_at < period.start]
    if prevented and shipped:
        wins.append(
            f"Shipped fixes prevented about {prevented:.0f} tickets this week "
            f"({len(shipped)} causes fixed so far)."
        )
    return wins
