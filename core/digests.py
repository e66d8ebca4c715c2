"""The weekly digest as a platform-neutral document: every KPI with its change, causes, wins, the trend."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from core.causes import Cause, RankedCause, rank_causes
from core.fix_digest import FixNews, fix_news
from core.kpis import KpiReport, Period, compute_kpis
from core.org import Org
from core.periods import last_full_week
from core.tickets import Ticket

if TYPE_CHECKING:  # core.knowledge imports the domain this module builds on
    from core.knowledge import KnowledgeDigest

SURFACES = ("total", "internal", "external")
TREND_WEEKS = 12
MANY_SOLVES = 10
MAX_FADES = 5  # fixes that made a cause fade, listed by the largest drop; a count says how many more
# Every KPI of DESIGN.md: (key, sub-key, label, unit, whether up is good).
ROWS: tuple[tuple[str, str | None, str, str, bool], ...] = (
    ("repeat_cause_rate", None, "Repeat-cause rate", "rate", False),
    ("cause_coverage", None, "Cause coverage", "rate", True),
    ("ticket_to_fix_conversion", None, "Ticket-to-fix conversion", "rate", True),
    ("time_to_root_cause_hours", "median", "Time to root cause, median", "hours", False),
    ("time_to_root_cause_hours", "p90", "Time to root cause, p90", "hours", False),
    ("escalation_accuracy", None, "Escalation accuracy", "rate", True),
    ("escalations_unjudged_share", None, "Escalations not judged", "rate", False),
    ("deflection_by_root_cause_elimination", None, "Tickets prevented by fixes", "tickets", True),
    ("bot_deflection", None, "Solved by an article, no human", "count", True),
    ("first_response_minutes", "median", "First human response, median", "minutes", False),
    ("first_response_minutes", "p90", "First human response, p90", "minutes", False),
    ("bot_first_reply_seconds", "median", "Bot first reply, median", "seconds", False),
    ("resolution_hours", "median", "Resolution, median", "hours", False),
    ("resolution_hours", "p90", "Resolution, p90", "hours", False),
    ("first_contact_resolution", None, "First-contact resolution", "rate", True),
    ("reopen_rate", None, "Reopen rate", "rate", False),
    ("backlog", "open", "Backlog, open", "count", False),
    ("backlog", "median_age_hours", "Backlog, median age", "hours", False),
    ("backlog", "over_sla", "Backlog, over SLA", "count", False),
    ("csat", "mean", "CSAT mean (1-5)", "score", True),
    ("csat", "satisfied_share", "CSAT satisfied (4-5)", "rate", True),
    ("csat", "response_rate", "CSAT response rate", "rate", True),
    ("knowledge_reuse", "by_article", "Tickets solved by articles", "count", True),
    ("knowledge_reuse", "articles_solving_10_plus", "Articles solving 10+", "count", True),
    ("consistency", "fcr_std", "FCR spread across agents", "rate", False),
    ("consistency", "csat_std", "CSAT spread across agents", "score", False),
    ("time_to_fix_hours", "median", "Time to fix, median", "hours", False),
    ("time_to_fix_hours", "p90", "Time to fix, p90", "hours", False),
    ("fix_hold_rate", None, "Fixes that held", "rate", True),
    ("requesters_told_of_fix", None, "Requesters told of a fix", "count", True),
)


@dataclass(frozen=True)
class Line:
    label: str
    key: str
    sub: str | None
    unit: str
    now: dict[str, Any]  # surface -> value
    before: dict[str, Any]
    up_is_good: bool


@dataclass(frozen=True)
class Fade:
    """A cause whose fix shipped before the week: B tickets a week before the fix, A this week."""

    cause: Cause
    before: float
    now: int


@dataclass(frozen=True)
class TrendPoint:
    """One week of the 12-week chart."""

    start: datetime
    created: int
    bot_deflected: int
    repeat_cause_rate: float | None
    prevented: float | None

    @property
    def human_handled(self) -> int:
        """Tickets of the week that the bot did not deflect on its own."""
        return self.created - self.bot_deflected


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
    fades: list[Fade] = field(default_factory=list)  # the MAX_FADES largest drops
    more_fades: int = 0  # fading causes beyond those shown
    trend: list[TrendPoint] = field(default_factory=list)
    evidence: dict[str, dict[str, Any]] = field(default_factory=dict)  # ticket id -> platform, chat refs
    fixes: FixNews = field(default_factory=FixNews)  # filed, shipped, held, regressed in the period
    knowledge: KnowledgeDigest | None = None  # articles published from gaps, open gaps (core/knowledge.py)

    def local_start(self) -> datetime:
        """The first instant of the period in the organisation's time zone."""
        return self.period.start.astimezone(ZoneInfo(self.timezone))

    def to_text(self) -> str:
        """The digest as plain text, for the console and chat fallbacks."""
        from core.digest_text import render_text

        return render_text(self)

    def to_dict(self) -> dict[str, Any]:
        """The digest as JSON-able data, for Block Kit and Adaptive Card renderers."""
        from core.digest_text import render_dict

        return render_dict(self)


def pick(report: Mapping[str, Any], key: str, sub: str | None) -> Any:
    """One figure of a report column; the per-article dict is summed into a ticket count."""
    value = report.get(key)
    if sub and isinstance(value, dict):
        value = value.get(sub)
    return sum(value.values()) if isinstance(value, dict) else value


def lines_of(kpis: KpiReport, previous: KpiReport) -> list[Line]:
    """Every KPI per surface, beside the same figure for the previous period."""
    out = []
    for key, sub, label, unit, up_is_good in ROWS:
        now = {s: pick(getattr(kpis, s), key, sub) for s in SURFACES}
        before = {s: pick(getattr(previous, s), key, sub) for s in SURFACES}
        out.append(Line(label, key, sub, unit, now, before, up_is_good))
    return out


def build_digest(
    kpis: KpiReport,
    previous: KpiReport,
    ranked: Sequence[RankedCause],
    *,
    fades: Sequence[Fade] = (),
    fading: int | None = None,
    trend: Sequence[TrendPoint] = (),
    evidence: Mapping[str, dict[str, Any]] | None = None,
    timezone: str = "UTC",
    top: int = 5,
    fixes: FixNews | None = None,
) -> Digest:
    """The digest from figures already computed (in memory or in SQL); `fades` sorted as fades_of sorts
    them, at least the first MAX_FADES of `fading` (default: all of them)."""
    shown = list(fades[:MAX_FADES])
    more = (len(fades) if fading is None else fading) - len(shown)
    return Digest(
        period=kpis.period,
        kpis=kpis,
        previous=previous,
        lines=lines_of(kpis, previous),
        top_causes=list(ranked[:top]),
        cross_surface=[r for r in ranked if r.cross_surface][:top],
        wins=wins(kpis, shown, more),
        timezone=timezone,
        fades=shown,
        more_fades=more,
        trend=list(trend),
        evidence=dict(evidence or {}),
        fixes=fixes or FixNews(),
    )


def compose_digest(
    tickets: Sequence[Ticket],
    causes: Sequence[Cause],
    period: Period,
    *,
    org: Org,
    now: datetime,
    top: int = 5,
) -> Digest:
    """Compose the digest for a period from the ticket ledger and the causes, in memory."""
    kpis = compute_kpis(tickets, causes, period, sla_hours=org.sla_for)
    previous = compute_kpis(tickets, causes, period.shifted(1), sla_hours=org.sla_for)
    window = period.shifted(3).start
    recent = [t for t in tickets if window <= t.created_at < period.end]
    ranked = rank_causes(causes, recent, now=min(now, period.end), weights=org.weights)
    shown = {i for r in ranked if r in ranked[:top] or r.cross_surface for i in r.evidence}
    refs = {t.id: {"platform": t.platform, "chat": dict(t.chat)} for t in recent if t.id in shown}
    weeks = trend_weeks(period, org.timezone)
    points = [trend_point(w, compute_kpis(tickets, causes, w, sla_hours=org.sla_for), tickets) for w in weeks]
    return build_digest(
        kpis,
        previous,
        ranked,
        fades=fades_of(tickets, causes, period),
        trend=points,
        evidence=refs,
        timezone=org.timezone,
        top=top,
        fixes=fix_news(causes, period),
    )


def trend_weeks(period: Period, tz: str, n: int = TREND_WEEKS) -> list[Period]:
    """The n local calendar weeks ending with the period's week, oldest first."""
    weeks, end = [], period.end
    for _ in range(n):
        week = last_full_week(end, tz)
        weeks.append(week)
        end = week.start
    return weeks[::-1]


def trend_point(week: Period, kpis: KpiReport, tickets: Sequence[Ticket]) -> TrendPoint:
    """A chart point from a week's KPIs and its ticket count."""
    created = sum(1 for t in tickets if week.contains(t.created_at))
    total = kpis.total
    return TrendPoint(
        week.start,
        created,
        total["bot_deflection"],
        total["repeat_cause_rate"],
        total["deflection_by_root_cause_elimination"],
    )


def fades_of(tickets: Sequence[Ticket], causes: Sequence[Cause], period: Period) -> list[Fade]:
    """Causes fixed before the period that now see fewer tickets a week than before their fix."""
    out = []
    for c in causes:
        s = c.fix_shipped_at
        if s is None or s >= period.start:
            continue
        base = Period(s - 4 * period.length, s)
        before = sum(1 for t in tickets if t.cause_key == c.key and base.contains(t.created_at)) / 4
        now = sum(1 for t in tickets if t.cause_key == c.key and period.contains(t.created_at))
        if now < before:
            out.append(Fade(c, before, now))
    return sorted(out, key=lambda f: (f.now - f.before, f.cause.key))


def wins(kpis: KpiReport, fades: Sequence[Fade], more: int = 0) -> list[str]:
    """Articles that solved 10 or more tickets, and fixes that made a cause fade (`more` not listed)."""
    out = []
    reuse = kpis.total.get("knowledge_reuse") or {}
    for article_id, count in (reuse.get("by_article") or {}).items():
        if count >= MANY_SOLVES:
            out.append(f"Article {article_id} solved {count} tickets on its own.")
    for f in fades:
        out.append(
            f"The fix for {f.cause.title} [{f.cause.key}] made it fade: {f.before:.1f} tickets a week "
            f"before it shipped, {f.now} this week."
        )
    if more > 0:
        out.append(f"Fixes made {more} more cause{'s' if more != 1 else ''} fade.")
    prevented = kpis.total.get("deflection_by_root_cause_elimination")
    if prevented:
        out.append(f"Shipped fixes prevented about {prevented:.0f} tickets this week.")
    return out
