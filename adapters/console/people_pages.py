"""Pages for managers and agents too: coaching (reviews, follow-ups, picks) and tickets, each as allowed."""

from __future__ import annotations

from collections import Counter

from aiohttp import web

from adapters.console.app import CONSOLE, needs, viewer_of, with_tables
from adapters.console.tables import Cell, Table
from adapters.console.views import chosen_period, ticket_table
from core.coaching import Pick, pick_for_review
from core.console import Page, Viewer
from core.org import Org, PersonRole


def visible_agents(org: Org, viewer: Viewer) -> list[str]:
    """The agents whose coaching the viewer sees: all (leaders), their reports (managers), themselves."""
    agents = [p.key for p in org.people if PersonRole.AGENT in p.roles]
    return [a for a in agents if viewer.sees_agent(a)]


def _pick(pick: Pick | None) -> Cell:
    if pick is None:
        return Cell("nothing stands out", "")
    why = "; ".join(pick.reasons) or "no signal"
    return Cell(f"{pick.ticket.id}: {why}", pick.ticket.id)


@needs(Page.COACHING)
async def coaching(request: web.Request) -> web.StreamResponse:
    """Reviews written and followed up per agent, and each agent's strong and weak picks of the period."""
    console, viewer = request.app[CONSOLE], viewer_of(request)
    chosen = chosen_period(request, console.clock.now(), console.org.timezone)
    agents = visible_agents(console.org, viewer)
    reviews = [r for r in await console.reviews.list() if r.agent in agents]
    written = [r for r in reviews if chosen.period.contains(r.created_at)]
    asked = [r for r in reviews if chosen.period.contains(r.follow_up_at)]
    answered = [r for r in reviews if r.answer is not None and chosen.period.contains(r.answer.at)]
    per = {
        name: Counter(r.agent for r in rows)
        for name, rows in (("written", written), ("asked", asked), ("answered", answered))
    }
    changed = Counter(r.agent for r in answered if r.answer is not None and r.answer.changed)
    table = Table(
        "reviews",
        "Reviews written and followed up, per agent",
        [
            "Agent",
            "Name",
            "Manager",
            "Reviews written",
            "Sent to the agent",
            "Follow-ups due",
            "Follow-ups answered",
            "Changed",
            "Not yet",
        ],
    )
    for agent in agents:
        person = console.org.person(agent)
        table.add(
            Cell(agent, agent, key=f"agent.{agent}"),
            person.name if person else "",
            (person.manager or "") if person else "",
            per["written"][agent],
            sum(1 for r in written if r.agent == agent and r.sent_to_agent),
            per["asked"][agent],
            per["answered"][agent],
            changed[agent],
            per["answered"][agent] - changed[agent],
        )
    tickets = await console.candidates.coaching_tickets(agents, chosen.period)
    picks = Table(
        "picks", "Strong and weak tickets of the period, per agent", ["Agent", "Strong pick", "Weak pick"]
    )
    for agent in agents:
        strong, weak = pick_for_review(tickets, agent)
        picks.add(agent, _pick(strong), _pick(weak))
    return with_tables(request, "coaching.html", [table, picks], chosen=chosen)


@needs(Page.TICKETS)
async def tickets(request: web.Request) -> web.StreamResponse:
    """Tickets created in the period: everyone's for leaders, their agents' for managers, one's own."""
    console, viewer = request.app[CONSOLE], viewer_of(request)
    chosen = chosen_period(request, console.clock.now(), console.org.timezone)
    rows = await console.data.tickets(agents=viewer.agents, period=chosen.period)
    whose = {"leader": "All tickets", "manager": "Your agents' tickets", "agent": "Your tickets"}
    table = ticket_table(
        "tickets",
        whose[viewer.access.value],
        rows,
        chosen,
        note="Created in the period, newest first, at most 500.",
    )
    return with_tables(request, "tickets.html", [table], chosen=chosen)


def register(app: web.Application) -> None:
    """Coaching and tickets."""
    app.router.add_get("/coaching", coaching)
    app.router.add_get("/tickets", tickets)
