"""The leaders' pages: overview (every KPI), causes and a cause's page, teams and escalations."""

from __future__ import annotations

import time

from aiohttp import web

from adapters.console import cause_page
from adapters.console.app import CONSOLE, Console, needs, redirect, viewer_of, with_tables
from adapters.console.charts import line_chart
from adapters.console.tables import Cell, Table
from adapters.console.views import chosen_period, figure, web_link
from adapters.db.kpi_sql import SqlKpis
from core.console import Page
from core.digest_text import change, fmt
from core.digests import SURFACES, Line, lines_of, pick, trend_weeks
from core.kpis import KpiReport
from core.periods import Period

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
TREND_WEEKS_KEPT = 104


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
            if len(console.trend_cache) > TREND_WEEKS_KEPT:  # many periods asked for: start afresh
                console.trend_cache.clear()
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
    app.router.add_get("/causes/{key}", cause_page.cause)
    app.router.add_get("/teams", teams)
