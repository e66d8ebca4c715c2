"""The leaders' pages: overview (every KPI), causes and a cause's page, teams and escalations."""

from __future__ import annotations

import time
from statistics import mean

from aiohttp import web

from adapters.console.app import CONSOLE, Console, message, needs, redirect, viewer_of, with_tables
from adapters.console.charts import bar_chart, line_chart
from adapters.console.tables import Cell, Table
from adapters.console.views import Chosen, chosen_period, figure, ticket_table, web_link, when
from adapters.db.kpi_sql import SqlKpis
from core.console import Page
from core.digest_text import change, fmt
from core.digests import SURFACES, Line, lines_of, pick, trend_weeks
from core.kpis import KpiReport
from core.periods import Period, last_full_week

# DESIGN.md's five system KPIs (deflection by root-cause elimination beside bot deflection) come first.
SYSTEM = (
    "repeat_cause_rate",
    "ticket_to_fix_conversion",
    "time_to_root_cause_hours",
    "escalation_accuracy",
    "deflection_by_root_cause_elimination",
    "bot_deflection",
)
TREND_SECONDS = 300.0  # a past week's figures are kept this long for the trend charts


def _ordered(lines: list[Line]) -> list[Line]:
    """System KPIs first, in the order above; the rest in DESIGN.md's order."""
    first = sorted((ln for ln in lines if ln.key in SYSTEM), key=lambda ln: SYSTEM.index(ln.key))
    return first + [ln for ln in lines if ln.key not in SYSTEM]


def _path(line: Line) -> str:
    return line.key + (f".{line.sub}" if line.sub else "")


async def _week_reports(console: Console, weeks: list[Period]) -> list[KpiReport]:
    """The KPI report of each trend week, from the same SQL as the digest; recent results are reused."""
    out, now = [], time.monotonic()
    for week in weeks:
        cached = console.trend_cache.get((week.start, week.end))
        if cached is None or now - cached[0] > TREND_SECONDS:
            cached = (now, await console.kpis.report(week, sla_hours=console.org.sla_for))
            console.trend_cache[(week.start, week.end)] = cached
        out.append(cached[1])
    return out


@needs(Page.OVERVIEW)
async def overview(request: web.Request) -> web.StreamResponse:
    """Every KPI for the chosen period and the one before, total and per surface, with 12-week trends."""
    console = request.app[CONSOLE]
    chosen = chosen_period(request, console.clock.now(), console.org.timezone)
    kpis: SqlKpis = console.kpis
    report = await kpis.report(chosen.period, sla_hours=console.org.sla_for)
    previous = await kpis.report(chosen.period.shifted(1), sla_hours=console.org.sla_for)
    lines = _ordered(lines_of(report, previous))
    figures = Table(
        "kpis",
        "Every KPI",
        [
            "KPI",
            "This period",
            "Previous period",
            "Change",
            "Internal",
            "Internal before",
            "External",
            "External before",
        ],
    )
    for ln in lines:
        figures.add(
            Cell(ln.label, _path(ln)),
            figure(ln.unit, ln.now["total"], f"total.{_path(ln)}"),
            figure(ln.unit, ln.before["total"], f"before.total.{_path(ln)}"),
            change(ln).strip("()"),
            figure(ln.unit, ln.now["internal"], f"internal.{_path(ln)}"),
            figure(ln.unit, ln.before["internal"], f"before.internal.{_path(ln)}"),
            figure(ln.unit, ln.now["external"], f"external.{_path(ln)}"),
            figure(ln.unit, ln.before["external"], f"before.external.{_path(ln)}"),
        )
    weeks = trend_weeks(chosen.period, console.org.timezone)
    reports = await _week_reports(console, weeks)
    labels = [f"{chosen.local(w.start):%d %b}" for w in weeks]
    trend = Table(
        "trend",
        "12-week trend (total)",
        ["KPI", "Chart", *labels],
        note="Each week Monday to Sunday in " + console.org.timezone + "; the numbers are the chart's.",
    )
    for ln in lines:
        values = [pick(r.total, ln.key, ln.sub) for r in reports]
        chart = line_chart(values, f"{ln.label}, 12 weeks")
        trend.add(
            Cell(ln.label, _path(ln)),
            Cell("", "", chart=chart),
            *(Cell(fmt(ln.unit, v), v, numeric=True) for v in values),
        )
    return with_tables(
        request,
        "overview.html",
        [figures, trend],
        chosen=chosen,
        system=len([ln for ln in lines if ln.key in SYSTEM]),
        surfaces=SURFACES,
    )


@needs(Page.CAUSES)
async def causes(request: web.Request) -> web.StreamResponse:
    """Every cause ranked by business impact, with volume, surfaces, owner, fix status and link."""
    console = request.app[CONSOLE]
    ranked = await console.data.causes(console.clock.now(), console.org.weights)
    table = Table(
        "causes",
        "Root causes by business impact",
        ["Rank", "Cause", "Key", "Impact", "Tickets", "Open", "Surfaces", "Owner", "Fix status", "Fix link"],
    )
    for i, r in enumerate(ranked, 1):
        c, url = r.cause, web_link(r.cause.fix_url)
        table.add(
            i,
            Cell(c.title, c.title, href=f"/app/causes/{c.key}"),
            Cell(c.key, c.key),
            Cell(f"{r.impact:,.0f}", r.impact, numeric=True, key=f"cause.{c.key}.impact"),
            Cell(str(r.tickets), r.tickets, numeric=True, key=f"cause.{c.key}.tickets"),
            Cell(str(r.open_tickets), r.open_tickets, numeric=True, key=f"cause.{c.key}.open_tickets"),
            " + ".join(r.surfaces) + (" (both queues)" if r.cross_surface else ""),
            c.owner or "",
            Cell(str(c.fix_status), str(c.fix_status), key=f"cause.{c.key}.fix_status"),
            Cell(url or (c.fix_url or ""), c.fix_url or "", href=url),
        )
    return with_tables(request, "causes.html", [table])


def fix_held(counts: list[int], shipped: int | None) -> str:
    """Whether a fix held: the weeks after the one it shipped in average at most half of the 4 up to it."""
    if shipped is None:
        return ""
    before, after = counts[max(0, shipped - 3) : shipped + 1], counts[shipped + 1 :]
    if not after:
        return "too early to tell"
    b, a = mean(before), mean(after)
    verdict = "held" if a <= b / 2 else "did not hold"
    return f"{verdict}: {a:.1f} tickets a week since, {b:.1f} a week in the 4 weeks up to it"


@needs(Page.CAUSES)
async def cause(request: web.Request) -> web.StreamResponse:
    """One cause: its weekly trend with the fix marked, its tickets, its escalations and judgements."""
    console = request.app[CONSOLE]
    found = await console.data.cause(request.match_info["key"])
    if found is None:
        return message(request, "No such cause", "There is no cause with that key.", 404)
    chosen = Chosen(last_full_week(console.clock.now(), console.org.timezone), console.org.timezone)
    weeks = trend_weeks(chosen.period, console.org.timezone)
    counts = await console.data.weekly_counts(found.key, weeks)
    shipped = next((i for i, w in enumerate(weeks) if w.contains(found.fix_shipped_at)), None)
    labels = [f"{chosen.local(w.start):%d %b}" for w in weeks]
    held = fix_held(counts, shipped)
    chart = bar_chart(counts, labels, f"Tickets of {found.title} per week", shipped, "fix shipped")
    trend = Table("weeks", "Tickets per week", ["Week", "Tickets", "Fix"])
    for i, (label, n) in enumerate(zip(labels, counts, strict=True)):
        trend.add(
            label, Cell(str(n), n, numeric=True, key=f"week.{i}"), "fix shipped" if i == shipped else ""
        )
    tickets = ticket_table(
        "tickets",
        "Tickets",
        await console.data.tickets(cause=found.key),
        chosen,
        note="Newest first, at most 500.",
    )
    escalations = Table(
        "escalations",
        "Escalations and judgements",
        ["Escalation", "Ticket", "From", "To team", "Escalated", "Judgement", "Judged by", "Judged"],
    )
    for e in await console.data.escalations(found.key):
        escalations.add(
            e.id,
            e.ticket_id,
            e.from_agent,
            e.to_team,
            when(chosen, e.created_at),
            (e.judgement or "not judged").replace("_", " "),
            e.judged_by or "",
            when(chosen, e.judged_at),
        )
    return with_tables(
        request,
        "cause.html",
        [trend, tickets, escalations],
        cause=found,
        chart=chart,
        held=held,
        fix_url=web_link(found.fix_url),
        chosen=chosen,
        root_cause_at=when(chosen, found.root_cause_at),
        shipped_at=when(chosen, found.fix_shipped_at),
    )


@needs(Page.TEAMS)
async def teams(request: web.Request) -> web.StreamResponse:
    """Per owning team: escalation accuracy, the unjudged share, time to root cause."""
    console = request.app[CONSOLE]
    chosen = chosen_period(request, console.clock.now(), console.org.timezone)
    table = Table(
        "teams",
        "Escalations and root causes per owning team",
        [
            "Team",
            "Name",
            "Escalated",
            "Judged",
            "Needed",
            "Escalation accuracy",
            "Not judged",
            "Root causes found",
            "Time to root cause, median",
            "Time to root cause, p90",
        ],
    )
    for t in await console.data.teams(chosen.period):
        team = console.org.team(t.team)
        table.add(
            t.team,
            team.name if team else "",
            t.escalated,
            t.judged,
            t.needed,
            figure("rate", t.accuracy, f"team.{t.team}.accuracy"),
            figure("rate", t.unjudged_share, f"team.{t.team}.unjudged"),
            t.root_causes,
            figure("hours", t.ttrc["median"], f"team.{t.team}.ttrc_median"),
            figure("hours", t.ttrc["p90"], f"team.{t.team}.ttrc_p90"),
        )
    return with_tables(request, "teams.html", [table], chosen=chosen)


async def home(request: web.Request) -> web.StreamResponse:
    """/app/: the overview for leaders; everyone else goes to their own first page."""
    viewer = viewer_of(request)
    if viewer.may_open(Page.OVERVIEW):
        return await overview(request)
    return redirect(f"/app/{viewer.home.value}")


def register(app: web.Application) -> None:
    """The leaders' routes."""
    app.router.add_get("/", home)
    app.router.add_get("/overview", overview)
    app.router.add_get("/causes", causes)
    app.router.add_get("/causes/{key}", cause)
    app.router.add_get("/teams", teams)
