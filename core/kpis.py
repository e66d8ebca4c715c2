"""KPIs: the figures that say whether support is getting healthier, exactly as DESIGN.md defines them."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from core.causes import Cause
from core.errors import InvalidInput
from core.kpi_fixes import FIX_KPI_KEYS, fix_figures
from core.kpi_sla import SLA_KPI_KEYS, sla_figures
from core.periods import Period, last_full_week, parse_period
from core.stats import mean, median, p90, pstdev, ratio
from core.tickets import Judgement, Resolution, Surface, Ticket

DEFAULT_SLA_HOURS = 72.0  # DESIGN.md: the SLA target when fixloop.toml sets none for a priority
REOPEN_WINDOW = timedelta(days=7)
CONVERSION_PERIODS = 4  # W = P(-3) .. P
BASELINE_PERIODS = 4  # deflection baseline: the four periods before the fix shipped
MIN_AGENT_TICKETS = 5  # an agent needs this many resolutions in P to count for consistency
MANY_SOLVES = 10  # knowledge_reuse.articles_solving_10_plus

__all__ = ["KpiReport", "Period", "compute_kpis", "format_kpis_text", "last_full_week", "parse_period"]

SlaHours = Callable[[str], float] | Mapping[str, float]


@dataclass(frozen=True)
class KpiReport:
    """The KPIs of one period, in total and per surface."""

    period: Period
    total: dict[str, Any] = field(default_factory=dict)
    internal: dict[str, Any] = field(default_factory=dict)
    external: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The `fixloop kpis --json` object: from, to, total, internal, external."""
        return {
            "from": self.period.start.isoformat(),
            "to": self.period.end.isoformat(),
            "total": _rounded(self.total),
            "internal": _rounded(self.internal),
            "external": _rounded(self.external),
        }


def _rounded(value: Any) -> Any:
    """Floats rounded to 4 decimals for output; computations stay exact."""
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    return round(value, 4) if isinstance(value, float) else value


@dataclass(frozen=True)
class _Scope:
    """The tickets one column of the report is computed on, with what every formula needs."""

    tickets: Sequence[Ticket]
    by_cause: dict[str, list[Ticket]]  # only causes with a ticket in this scope
    causes: Mapping[str, Cause]
    period: Period
    sla: Callable[[str], float]
    top_n: int

    def created_in(self, period: Period) -> list[Ticket]:
        """The scope's tickets created in a period."""
        return [t for t in self.tickets if period.contains(t.created_at)]


def _sla_lookup(sla_hours: SlaHours) -> Callable[[str], float]:
    """A priority -> hours function from a table or a function (Org.sla_for)."""
    if isinstance(sla_hours, Mapping):
        table = dict(sla_hours)
        return lambda priority: float(table.get(priority, DEFAULT_SLA_HOURS))
    return sla_hours


def compute_kpis(
    tickets: Sequence[Ticket],
    causes: Sequence[Cause],
    period: Period,
    *,
    sla_hours: SlaHours,
    top_n: int = 10,
) -> KpiReport:
    """Every KPI of DESIGN.md for a period, in total and per surface."""
    if top_n < 1:
        raise InvalidInput("top_n must be at least 1.")
    by_key = {c.key: c for c in causes}
    sla = _sla_lookup(sla_hours)

    def figures(scope: Sequence[Ticket]) -> dict[str, Any]:
        by_cause: dict[str, list[Ticket]] = {}
        for t in scope:
            if t.cause_key:
                by_cause.setdefault(t.cause_key, []).append(t)
        return _figures(_Scope(scope, by_cause, by_key, period, sla, top_n))

    return KpiReport(
        period=period,
        total=figures(tickets),
        internal=figures([t for t in tickets if t.surface == Surface.INTERNAL]),
        external=figures([t for t in tickets if t.surface == Surface.EXTERNAL]),
    )


# The JSON contract's keys, in order; every way of computing the KPIs (memory, SQL) answers with these.
KPI_KEYS: tuple[str, ...] = (
    "repeat_cause_rate", "cause_coverage", "ticket_to_fix_conversion", "time_to_root_cause_hours",
    "escalation_accuracy", "escalations_unjudged_share", "deflection_by_root_cause_elimination",
    "bot_deflection", "first_response_minutes", "bot_first_reply_seconds", "resolution_hours",
    "first_contact_resolution", "reopen_rate", "backlog", "csat", "knowledge_reuse", "consistency",
    *FIX_KPI_KEYS, *SLA_KPI_KEYS,
)


def _figures(s: _Scope) -> dict[str, Any]:
    """All KPIs for one scope, keyed as in the JSON contract."""
    created = s.created_in(s.period)
    caused = [t for t in created if t.cause_key]
    resolved = [t for t in s.tickets if s.period.contains(t.resolved_at)]
    return {
        "repeat_cause_rate": _repeat_cause_rate(s, caused),
        "cause_coverage": ratio(len(caused), len(created)),
        "ticket_to_fix_conversion": _ticket_to_fix_conversion(s),
        "time_to_root_cause_hours": _spread(_root_cause_hours(s)),
        **_escalations(s),
        "deflection_by_root_cause_elimination": _deflection(s),
        "bot_deflection": sum(1 for t in created if _bot_deflected(t)),
        "first_response_minutes": _spread(_waits(created, lambda t: t.first_human_reply_at, 60)),
        "bot_first_reply_seconds": {"median": median(_waits(created, lambda t: t.first_bot_reply_at, 1))},
        "resolution_hours": _spread(_waits(resolved, lambda t: t.resolved_at, 3600)),
        "first_contact_resolution": ratio(sum(1 for t in resolved if _first_contact(t)), len(resolved)),
        "reopen_rate": ratio(sum(1 for t in resolved if _reopened_soon(t)), len(resolved)),
        "backlog": _backlog(s),
        "csat": _csat(s, resolved),
        "knowledge_reuse": _knowledge_reuse(resolved),
        "consistency": _consistency(s, resolved),
        **fix_figures(s.tickets, s.by_cause, s.causes, s.period),
        **sla_figures(s.tickets, s.period),
    }


def _spread(values: Sequence[float]) -> dict[str, float | None]:
    """{median, p90} of some durations."""
    return {"median": median(values), "p90": p90(values)}


def _waits(tickets: Sequence[Ticket], stamp: Callable[[Ticket], datetime | None], unit: float) -> list[float]:
    """stamp - created_at in `unit` seconds, over the tickets that have the stamp."""
    return [(at - t.created_at).total_seconds() / unit for t in tickets if (at := stamp(t)) is not None]


def _repeat_cause_rate(s: _Scope, caused: Sequence[Ticket]) -> float | None:
    """Share of P's caused tickets whose cause also had a ticket created in P(-1)."""
    before = {t.cause_key for t in s.created_in(s.period.shifted(1)) if t.cause_key}
    return ratio(sum(1 for t in caused if t.cause_key in before), len(caused))


def _shipped_at(s: _Scope, key: str) -> datetime | None:
    """When the cause's fix shipped, if it did."""
    cause = s.causes.get(key)
    return cause.fix_shipped_at if cause else None


def _ticket_to_fix_conversion(s: _Scope) -> float | None:
    """Of the top N recurring causes over W = P(-3)..P, the share whose fix shipped before end."""
    windows = [s.period.shifted(k) for k in range(CONVERSION_PERIODS)]
    recurring = []
    for key, own in s.by_cause.items():
        counts = [sum(1 for t in own if w.contains(t.created_at)) for w in windows]
        if sum(1 for c in counts if c) >= 2:
            recurring.append((-sum(counts), key))  # most tickets first, then key ascending
    taken = [key for _, key in sorted(recurring)[: s.top_n]]
    shipped = [key for key in taken if (at := _shipped_at(s, key)) is not None and at < s.period.end]
    return ratio(len(shipped), len(taken))


def _root_cause_hours(s: _Scope) -> list[float]:
    """root_cause_at - the cause's earliest ticket in scope, for causes found in P."""
    values = []
    for key, own in s.by_cause.items():
        cause = s.causes.get(key)
        found = cause.root_cause_at if cause else None
        if found is not None and s.period.contains(found):
            values.append((found - min(t.created_at for t in own)).total_seconds() / 3600)
    return values


def _escalations(s: _Scope) -> dict[str, float | None]:
    """escalation_accuracy and escalations_unjudged_share over tickets escalated in P."""
    escalated = [t for t in s.tickets if s.period.contains(t.escalated_at)]
    judged = [t for t in escalated if t.escalation_judgement is not None]
    needed = sum(1 for t in judged if t.escalation_judgement == Judgement.NEEDED)
    return {
        "escalation_accuracy": ratio(needed, len(judged)),
        "escalations_unjudged_share": ratio(len(escalated) - len(judged), len(escalated)),
    }


def _baseline(own: Sequence[Ticket], shipped: datetime, length: timedelta) -> float:
    """B: the mean, over k = 1..4, of tickets created in [shipped - kL, shipped - (k-1)L)."""
    ks = range(1, BASELINE_PERIODS + 1)
    windows = [Period(shipped - k * length, shipped - (k - 1) * length) for k in ks]
    return sum(1 for w in windows for t in own if w.contains(t.created_at)) / BASELINE_PERIODS


def _deflection(s: _Scope) -> float | None:
    """Tickets avoided by fixes shipped before P: sum of max(0, B - A)."""
    total: float | None = None  # stays None when no cause in scope had a fix shipped before P
    for key, own in s.by_cause.items():
        shipped = _shipped_at(s, key)
        if shipped is not None and shipped < s.period.start:
            now = sum(1 for t in own if s.period.contains(t.created_at))
            total = (total or 0.0) + max(0.0, _baseline(own, shipped, s.period.length) - now)
    return total


def _bot_deflected(t: Ticket) -> bool:
    """Solved by an article with no person ever replying."""
    return t.resolution == Resolution.ARTICLE and t.first_human_reply_at is None


def _first_contact(t: Ticket) -> bool:
    """Resolved with no escalation, no reopening and at most one agent."""
    return t.escalated_at is None and not t.reopened_at and len(t.agents) <= 1


def _reopened_soon(t: Ticket) -> bool:
    """Reopened within 7 days (inclusive) after its first resolution."""
    resolved = t.resolved_at
    return resolved is not None and any(resolved <= r <= resolved + REOPEN_WINDOW for r in t.reopened_at)


def _open_at(t: Ticket, end: datetime) -> bool:
    """Open at `end`: created before it and not resolved by then, or reopened and not closed again."""
    if t.created_at >= end:
        return False
    if t.resolved_at is None or t.resolved_at >= end:
        return True
    reopened = any(r < end for r in t.reopened_at)
    return reopened and (t.closed_at is None or t.closed_at >= end)


def _backlog(s: _Scope) -> dict[str, Any]:
    """Tickets open at the end of P, their median age, and how many are past their SLA."""
    end = s.period.end
    ages = [((end - t.created_at).total_seconds() / 3600, t) for t in s.tickets if _open_at(t, end)]
    return {
        "open": len(ages),
        "median_age_hours": median([age for age, _ in ages]),
        "over_sla": sum(1 for age, t in ages if age > s.sla(str(t.priority))),
    }


def _csat_scores(tickets: Sequence[Ticket], period: Period) -> list[int]:
    """The CSAT scores answered in the period."""
    return [t.csat for t in tickets if t.csat is not None and period.contains(t.csat_at)]


def _csat(s: _Scope, resolved: Sequence[Ticket]) -> dict[str, float | None]:
    """Mean score, share of 4 and 5, and answers per resolution, over CSAT answered in P."""
    scores = _csat_scores(s.tickets, s.period)
    return {
        "mean": mean(scores),
        "satisfied_share": ratio(sum(1 for x in scores if x >= 4), len(scores)),
        "response_rate": ratio(len(scores), len(resolved)),
    }


def _knowledge_reuse(resolved: Sequence[Ticket]) -> dict[str, Any]:
    """Tickets resolved in P by an article, per article, most used first."""
    counts = Counter(t.article_id for t in resolved if t.resolution == Resolution.ARTICLE and t.article_id)
    by_article = dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
    many = sum(1 for n in counts.values() if n >= MANY_SOLVES)
    return {"by_article": by_article, "articles_solving_10_plus": many}


def _consistency(s: _Scope, resolved: Sequence[Ticket]) -> dict[str, float | None]:
    """Spread across agents with at least 5 resolutions in P of their FCR and their CSAT mean."""
    by_agent: dict[str, list[Ticket]] = {}
    for t in resolved:
        if t.agent:
            by_agent.setdefault(t.agent, []).append(t)
    agents = [a for a, own in by_agent.items() if len(own) >= MIN_AGENT_TICKETS]
    fcr = [sum(1 for t in by_agent[a] if _first_contact(t)) / len(by_agent[a]) for a in agents]
    # An agent's CSAT is over their tickets answered in P, resolved in P or earlier.
    means = [mean(_csat_scores([t for t in s.tickets if t.agent == a], s.period)) for a in agents]
    return {"fcr_std": pstdev(fcr), "csat_std": pstdev([m for m in means if m is not None])}


_ROWS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("Repeat cause rate", ("repeat_cause_rate",), "rate"),
    ("Cause coverage", ("cause_coverage",), "rate"),
    ("Ticket-to-fix conversion", ("ticket_to_fix_conversion",), "rate"),
    ("Time to root cause, median", ("time_to_root_cause_hours", "median"), "hours"),
    ("Time to root cause, p90", ("time_to_root_cause_hours", "p90"), "hours"),
    ("Escalation accuracy", ("escalation_accuracy",), "rate"),
    ("Escalations not judged", ("escalations_unjudged_share",), "rate"),
    ("Deflected by fixes (tickets)", ("deflection_by_root_cause_elimination",), "tickets"),
    ("Deflected by the bot (tickets)", ("bot_deflection",), "count"),
    ("First response, median", ("first_response_minutes", "median"), "minutes"),
    ("First response, p90", ("first_response_minutes", "p90"), "minutes"),
    ("Bot first reply, median", ("bot_first_reply_seconds", "median"), "seconds"),
    ("Resolution time, median", ("resolution_hours", "median"), "hours"),
    ("Resolution time, p90", ("resolution_hours", "p90"), "hours"),
    ("First contact resolution", ("first_contact_resolution",), "rate"),
    ("Reopen rate", ("reopen_rate",), "rate"),
    ("Backlog, open", ("backlog", "open"), "count"),
    ("Backlog, median age", ("backlog", "median_age_hours"), "hours"),
    ("Backlog, over SLA", ("backlog", "over_sla"), "count"),
    ("CSAT, mean", ("csat", "mean"), "score"),
    ("CSAT, satisfied (4-5)", ("csat", "satisfied_share"), "rate"),
    ("CSAT, response rate", ("csat", "response_rate"), "rate"),
    ("Tickets solved by articles", ("knowledge_reuse", "by_article"), "sum"),
    ("Articles solving 10+", ("knowledge_reuse", "articles_solving_10_plus"), "count"),
    ("FCR spread across agents", ("consistency", "fcr_std"), "rate"),
    ("CSAT spread across agents", ("consistency", "csat_std"), "score"),
    ("Time to fix, median", ("time_to_fix_hours", "median"), "hours"),
    ("Time to fix, p90", ("time_to_fix_hours", "p90"), "hours"),
    ("Fixes that held", ("fix_hold_rate",), "rate"),
    ("Requesters told of a fix", ("requesters_told_of_fix",), "count"),
    ("SLA breached, first response", ("sla_breach_rate", "first_response"), "rate"),
    ("SLA breached, resolution", ("sla_breach_rate", "resolution"), "rate"),
)

_FORMATS: dict[str, Callable[[Any], str]] = {
    "rate": lambda v: f"{v * 100:.1f}%",
    "hours": lambda v: f"{v:.1f} h",
    "minutes": lambda v: f"{v:.1f} min",
    "seconds": lambda v: f"{v:.1f} s",
    "count": str,
    "tickets": lambda v: f"{v:.2f}",  # a mean-based estimate, so fractional
    "score": lambda v: f"{v:.2f}",
    "sum": lambda v: str(sum(v.values())),
}


def _cell(figures: Mapping[str, Any], path: tuple[str, ...], kind: str) -> str:
    """One formatted figure, or "no data"."""
    value: Any = figures
    for key in path:
        value = value[key]
    return "no data" if value is None else _FORMATS[kind](value)


def format_kpis_text(report: KpiReport) -> str:
    """The report as a plain-text table: one KPI a row, total / internal / external as columns."""
    columns = (report.total, report.internal, report.external)
    rows: list[tuple[str, ...]] = [("KPI", "total", "internal", "external")]
    rows += [(label, *(_cell(c, path, kind) for c in columns)) for label, path, kind in _ROWS]
    width = max(len(r[0]) for r in rows)
    lines = [f"KPIs from {report.period.start.isoformat()} to {report.period.end.isoformat()}", ""]
    lines += [f"{r[0]:<{width}}  " + "  ".join(f"{c:>10}" for c in r[1:]) for r in rows]
    return "\n".join(lines)
