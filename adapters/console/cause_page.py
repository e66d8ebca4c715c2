"""A cause's page: its weekly trend with the fix marked and whether it held, its tickets, its escalations."""

from __future__ import annotations

from statistics import mean

from aiohttp import web

from adapters.console.app import CONSOLE, message, needs, with_tables
from adapters.console.charts import bar_chart
from adapters.console.tables import Cell, Table
from adapters.console.views import Chosen, ticket_table, web_link, when
from core.console import Page
from core.digests import trend_weeks
from core.periods import last_full_week


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
